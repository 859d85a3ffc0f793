"""Writes the bill files in this folder, each to the published layout of its export.

    python tests/data/bills/make_bills.py

The layouts (encoding, preamble and footer lines, column names and order, padding, the
tab after long numbers, "¥" amounts, trailing commas) and where each is documented are
in SOURCES.md. The people, shops and amounts are made up; they tell one story (a user in
Hangzhou, October–November 2026) that the import tests and the reconciliation tests
follow. Run it again only to change the story: the tests read the committed files.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent

# -- Alipay, current layout (开具交易流水证明 → 用于个人对账) ---------------------------

ALIPAY_NOTICE = [
    "特别提示：",
    "1.本回单内容可表明支付宝受理了相应支付交易申请，因系统原因或通讯故障等偶发因素导致本回单与实际交易结果不符时，以实际交易情况为准；",
    "2.请勿将本回单作为收款方发货的凭据使用，请查证账户实际到账情况后再进行发货操作；",
    "3.支付宝快捷支付等非余额支付方式可能既产生支付宝交易也同步产生银行交易，因此请勿使用本回单进行重复记账；",
    "4.本回单如经任何涂改、编造，均立即失去效力；",
    "5.部分账单如：充值提现、账户转存或者个人设置收支等不计入为收入或者支出，记为不计收支类；",
    "6.因统计逻辑不同，明细金额直接累加后，可能会和下方统计金额不一致，请以实际交易金额为准；",
    "7.禁止将本回单用于非法用途；",
    "8.本明细仅展示当前账单中的交易，不包括已删除的记录；",
    "9.本明细仅供个人对账使用。",
]
ALIPAY_COLUMNS = [
    "交易时间", "交易分类", "交易对方", "对方账号", "商品说明", "收/支", "金额",
    "收/付款方式", "交易状态", "交易订单号", "商家订单号", "备注",
]  # fmt: skip
# (time, category, payee, payee account, goods, 收/支, amount, method, status, trade no, merchant no)
ALIPAY_OCTOBER = [
    ("2026-10-28 20:11:05", "日用百货", "淘宝", "tb***@taobao.com", "桌面收纳盒 大号", "支出", "45.60", "余额", "等待确认收货", "2026102822001104561234560028", "T200P2610280001"),
    ("2026-10-27 09:31:44", "充值缴费", "国网浙江省电力公司", "zjdl***@sgcc.com.cn", "电费缴纳", "支出", "210.00", "招商银行储蓄卡(1234)", "交易成功", "2026102722001104561234560027", "ZJDL2610270931"),
    ("2026-10-26 11:00:02", "充值缴费", "中国移动", "/", "话费充值-138****1234", "支出", "100.00", "余额宝", "交易成功", "2026102622001104561234560026", "CMCC2610261100"),
    ("2026-10-25 10:00:00", "信用借还", "花呗", "/", "花呗主动还款-2026年10月账单", "不计收支", "1500.00", "招商银行储蓄卡(1234)", "还款成功", "2026102520001104561234560025", ""),
    ("2026-10-22 21:03:40", "转账红包", "王小明", "wxm***@163.com", "转账", "收入", "100.00", "余额", "交易成功", "2026102220001104561234560022", ""),
    ("2026-10-21 22:40:00", "数码电器", "京东商城", "/", "蓝牙耳机", "支出", "199.00", "", "等待付款", "2026102122001104561234560021", "JD2610212240"),
    ("2026-10-20 23:15:10", "日用百货", "拼多多", "/", "抽纸 3提", "支出", "19.90", "", "交易关闭", "2026102022001104561234560020", "PDD2610202315"),
    ("2026-10-18 14:02:33", "退款", "淘宝", "tb***@taobao.com", "退款-女装秋冬羊毛开衫", "不计收支", "100.00", "余额", "退款成功", "2026101522001104561234560015_26101814023300001", "T200P2610150001"),
    ("2026-10-17 05:12:08", "投资理财", "天弘基金管理有限公司", "/", "余额宝-10月16日-收益发放", "不计收支", "0.31", "余额宝", "交易成功", "20261017388077869631", ""),
    ("2026-10-16 09:30:00", "投资理财", "余额宝", "/", "余额宝-单次转入", "不计收支", "1000.00", "招商银行储蓄卡(1234)", "交易成功", "20261016300012345678", ""),
    ("2026-10-15 21:44:10", "服饰装扮", "淘宝", "tb***@taobao.com", "女装秋冬羊毛开衫", "支出", "400.00", "余额", "交易成功", "2026101522001104561234560015", "T200P2610150001"),
    ("2026-10-14 18:22:51", "交通出行", "滴滴出行", "didi***@didiglobal.com", "滴滴快车-李师傅", "支出", "18.00", "花呗", "交易成功", "2026101422001104561234560014", "DD2610141822"),
    ("2026-10-14 10:05:12", "退款", "淘宝", "tb***@taobao.com", "退款-不锈钢保温杯", "不计收支", "89.00", "招商银行储蓄卡(1234)", "退款成功", "2026101222001104561234560012_26101410051200001", "T200P2610120001"),
    ("2026-10-12 16:20:45", "日用百货", "淘宝", "tb***@taobao.com", "不锈钢保温杯", "支出", "89.00", "招商银行储蓄卡(1234)", "交易关闭", "2026101222001104561234560012", "T200P2610120001"),
    ("2026-10-09 19:55:02", "文化休闲", "猫眼电影", "maoyan***@meituan.com", "猫眼电影-电影票", "支出", "129.00", "余额", "交易成功", "2026100922001104561234560009", "MY2610091955"),
    ("2026-10-05 12:18:40", "餐饮美食", "杭州老娘舅餐饮有限公司", "lnj***@163.com", "老娘舅(文三路店)消费", "支出", "35.00", "花呗", "交易成功", "2026100522001104561234560005", "LNJ2610051218"),
]  # fmt: skip
ALIPAY_NOVEMBER = [
    ("2026-11-14 18:00:00", "日用百货", "永辉超市", "/", "永辉超市(文一路店)", "支出", "156.30", "余额", "交易成功", "2026111422001104561234561114", "YH2611141800"),
    ("2026-11-12 08:00:00", "爱车养车", "中国石化", "/", "中石化加油", "支出", "300.00", "招商银行储蓄卡(1234)", "交易成功", "2026111222001104561234561112", "SINOPEC261112"),
    ("2026-11-07 12:01:00", "餐饮美食", "北京三快在线科技有限公司", "/", "美团订单-26110711000012345", "支出", "42.00", "花呗", "交易成功", "2026110722001104561234561107", "MT26110711000012345"),
    ("2026-11-06 15:33:00", "餐饮美食", "蜜雪冰城", "/", "蜜雪冰城(大学城店)", "支出", "15.00", "余额", "交易成功", "2026110622001104561234561106", "MX2611061533"),
    ("2026-11-05 20:20:20", "医疗健康", "老百姓大药房", "/", "药品", "支出", "56.50", "余额", "交易成功", "2026110522001104561234561105", "LBX2611052020"),
    ("2026-11-03 06:10:02", "交通出行", "滴滴出行", "didi***@didiglobal.com", "滴滴专车-行程", "支出", "120.00", "花呗", "交易成功", "2026110322001104561234561103", "DD2611030610"),
]  # fmt: skip


def _alipay_stats(rows: list[tuple]) -> tuple[str, str, str]:
    def total(kind: str) -> tuple[int, Decimal]:
        picked = [Decimal(r[6]) for r in rows if r[5] == kind]
        return len(picked), sum(picked, Decimal(0))

    n_in, s_in = total("收入")
    n_out, s_out = total("支出")
    n_mid, s_mid = total("不计收支")
    return (
        f"收入：{n_in}笔 {s_in:.2f}元",
        f"支出：{n_out}笔 {s_out:.2f}元",
        f"不计收支：{n_mid}笔 {s_mid:.2f}元",
    )


def alipay_current(rows: list[tuple], start: str, end: str, exported: str, *, padded: bool) -> str:
    incoming, outgoing, neutral = _alipay_stats(rows)
    lines = [
        "-" * 84,
        "导出信息：",
        "姓名：林**",
        "支付宝账户：lin***@163.com",
        f"起始时间：[{start} 00:00:00]    终止时间：[{end} 23:59:59]",
        "导出交易类型：[全部]",
        f"导出时间：[{exported}]",
        f"共{len(rows)}笔记录",
        incoming,
        outgoing,
        neutral,
        "",
        *ALIPAY_NOTICE,
        "",
        "------------------------支付宝（中国）网络技术有限公司  电子客户回单------------------------",
    ]

    def cell(text: str, width: int) -> str:
        return text.ljust(width) if padded else text

    widths = [20, 20, 20, 20, 20, 20, 20, 20, 20, 14, 20, 20]
    lines.append(",".join(cell(c, w) for c, w in zip(ALIPAY_COLUMNS, widths, strict=True)) + ",")
    for time, category, payee, account, goods, way, amount, method, status, trade, merchant in rows:
        fields = [
            cell(time, 20),
            cell(category, 20),
            cell(payee, 20),
            cell(account, 20),
            cell(goods, 20),
            cell(way, 20),
            cell(amount, 20),
            cell(method, 20),
            cell(status, 20),
            trade + "\t",  # Alipay keeps long numbers as text in Excel with a tab
            (merchant or "").ljust(20 if padded else 0) + "\t",
            cell("", 20),
        ]
        lines.append(",".join(fields) + ",")
    return "\n".join(lines) + "\n"


# -- Alipay, older website layout (交易记录明细查询) -----------------------------------

OLD_COLUMNS = [
    ("交易号", 24), ("商家订单号", 25), ("交易创建时间", 26), ("付款时间", 24),
    ("最近修改时间", 26), ("交易来源地", 13), ("类型", 18), ("交易对方", 20),
    ("商品名称", 24), ("金额（元）", 12), ("收/支", 10), ("交易状态", 12),
    ("服务费（元）", 14), ("成功退款（元）", 14), ("备注", 22), ("资金状态", 12),
]  # fmt: skip
# (trade no, merchant no, created, paid, modified, origin, type, payee, goods, amount,
#  收/支, status, fee, refunded, note, funds)
OLD_ROWS = [
    ("2019123122001475751429134868", "MT8WVMFZS8a0", "2019-12-31 07:01:22", "2019-12-31 07:01:23", "2019-12-31 07:01:23", "其他（包括阿里巴巴和外部商家）", "即时到账交易", "App Store & Apple Music", "App Store & Apple Music；12.31购买", "15.00", "支出", "交易成功", "0.00", "0.00", "", "已支出"),
    ("2019122822001475751429130001", "T200P5678901234", "2019-12-28 10:00:00", "2019-12-28 10:00:05", "2020-01-03 09:00:00", "淘宝", "支付宝担保交易", "某某旗舰店", "加湿器", "159.00", "支出", "交易关闭", "0.00", "159.00", "", "已支出"),
    ("2019122622001475751429130002", "", "2019-12-26 11:00:00", "2019-12-26 11:00:03", "2019-12-26 11:00:03", "支付宝网站", "即时到账交易", "余额宝", "转入到余额宝", "500.00", "", "交易成功", "0.00", "0.00", "", "资金转移"),
    ("2019122522001475751429130003", "T200P5678905555", "2019-12-25 21:10:00", "", "2019-12-26 21:10:00", "淘宝", "支付宝担保交易", "某某小店", "圣诞树装饰", "39.90", "支出", "交易关闭", "0.00", "0.00", "", ""),
    ("2019122020001475751429130004", "", "2019-12-20 15:00:00", "2019-12-20 15:00:02", "2019-12-20 15:00:02", "支付宝网站", "转账", "张三", "转账", "2000.00", "支出", "交易成功", "2.00", "0.00", "转账给张三", "已支出"),
    ("2019121820001475751429130005", "", "2019-12-18 09:00:00", "2019-12-18 09:00:01", "2019-12-18 09:00:01", "支付宝网站", "即时到账交易", "李四", "还钱", "300.00", "收入", "交易成功", "0.00", "0.00", "", "已收入"),
]  # fmt: skip


def alipay_web() -> str:
    def cell(text: str, width: int) -> str:
        return text.ljust(width)

    lines = [
        "支付宝交易记录明细查询",
        "账号:[lin***@163.com]",
        "起始日期:[2019-12-01 00:00:00]    终止日期:[2020-01-01 00:00:00]",
        "---------------------------------交易记录明细列表------------------------------------",
        ",".join(cell(name, width) for name, width in OLD_COLUMNS) + ",",
    ]
    for row in OLD_ROWS:
        cells = []
        for (name, width), value in zip(OLD_COLUMNS, row, strict=True):
            if name in ("交易号", "商家订单号"):
                cells.append(cell(value, width - 1) + "\t")
            else:
                cells.append(cell(value, width))
        lines.append(",".join(cells) + ",")
    incoming = [Decimal(r[9]) for r in OLD_ROWS if r[15] == "已收入"]
    outgoing = [Decimal(r[9]) for r in OLD_ROWS if r[15] == "已支出"]
    lines += [
        "-" * 84,
        f"共{len(OLD_ROWS)}笔记录",
        f"已收入:{len(incoming)}笔,{sum(incoming, Decimal(0)):.2f}元",
        "待收入:0笔,0.00元",
        f"已支出:{len(outgoing)}笔,{sum(outgoing, Decimal(0)):.2f}元",
        "待支出:0笔,0.00元",
        "导出时间:[2020-01-01 10:20:37]    用户:林**",
    ]
    return "\r\n".join(lines) + "\r\n"


# -- WeChat Pay (微信支付账单明细), CSV and .xlsx ------------------------------------------

WECHAT_COLUMNS = ["交易时间", "交易类型", "交易对方", "商品", "收/支", "金额(元)", "支付方式", "当前状态", "交易单号", "商户单号", "备注"]  # fmt: skip
# (time, type, payee, goods, 收/支, amount, method, status, trade no, merchant no, note)
WECHAT_OCTOBER = [
    ("2026-11-04 10:12:40", "商户消费", "故宫博物院", "门票", "支出", "60.00", "零钱", "支付成功", "4200002611041012400000001104", "GG2611041012", "/"),
    ("2026-11-02 21:10:45", "转账", "王小明", "/", "收入", "100.00", "/", "已收钱", "1000050001202611022110450001", "/", "/"),
    ("2026-11-02 19:40:00", "扫二维码付款", "海底捞火锅", "/", "支出", "200.00", "零钱", "已转账", "10001071012026110219400000011", "/", "/"),
    ("2026-11-01 09:00:00", "转账", "张房东", "转账备注:十一月房租", "支出", "3000.00", "零钱通", "对方已收钱", "1000050001202611010900000001", "/", "/"),
    ("2026-10-30 18:20:00", "转账", "王五", "/", "支出", "20.00", "零钱", "朋友未收钱", "1000050001202610301820000001", "/", "/"),
    ("2026-10-29 12:00:00", "转账", "李四", "/", "支出", "50.00", "零钱", "对方已退还", "1000050001202610291200000001", "/", "/"),
    ("2026-10-28 08:00:00", "信用卡还款", "招商银行信用卡还款", "/", "/", "1200.00", "零钱", "支付成功", "4200002610280800000000001028", "1000019741202610280800000001", "/"),
    ("2026-10-26 19:00:00", "零钱充值", "招商银行(1234)", "/", "/", "500.00", "招商银行(1234)", "充值完成", "110190426100031243293946287587", "/", "/"),
    ("2026-10-24 16:29:37", "零钱提现", "招商银行(1234)", "/", "/", "200.20", "招商银行(1234)", "提现已到账", "207210724100077148235523883175", "/", "服务费¥0.20"),
    ("2026-10-23 11:30:00", "京东-退款", "京东", "京东订单-LED台灯", "收入", "30.00", "零钱", "已退款(￥30.00)", "50300002612023102311300000001", "JD2610201530R", "/"),
    ("2026-10-20 15:30:00", "商户消费", "京东", "京东订单-LED台灯", "支出", "129.00", "零钱", "已退款(￥30.00)", "4200002610201530000000001020", "JD2610201530", "/"),
    ("2026-10-21 20:05:40", "微信红包（单发）", "发给小李", "/", "支出", "88.00", "零钱", "支付成功", "10000320012026102120054000001", "/", "/"),
    ("2026-10-21 20:01:12", "微信红包", "妈妈", "/", "收入", "88.00", "/", "已存入零钱", "10000320012026102120011200001", "/", "/"),
    ("2026-10-19 13:10:00", "美团平台商户-退款", "美团平台商户", "美团外卖订单", "收入", "42.00", "招商银行(1234)", "已全额退款", "50300002612023101913100000001", "MT2610191200R", "/"),
    ("2026-10-19 12:00:00", "商户消费", "美团平台商户", "美团外卖订单", "支出", "42.00", "招商银行(1234)", "已全额退款", "4200002610191200000000001019", "MT2610191200", "/"),
    ("2026-10-12 09:12:45", "商户消费", "瑞幸咖啡", "瑞幸咖啡订单", "支出", "18.00", "零钱", "支付成功", "4200002610120912450000001012", "LK2610120912", "/"),
    ("2026-10-07 00:41:09", "扫二维码付款", "阿强烧烤", "/", "支出", "68.00", "零钱", "已转账", "10001071012026100700410900011", "/", "/"),
]  # fmt: skip
WECHAT_NOVEMBER = [
    ("2026-11-24 07:45:00", "扫二维码付款", "个体商户张**", "/", "支出", "8.00", "零钱", "已转账", "10001071012026112407450000011", "/", "/"),
    ("2026-11-20 20:00:00", "转账", "李四", "/", "收入", "66.00", "/", "已收钱", "1000050001202611202000000001", "/", "/"),
    ("2026-11-08 17:40:00", "商户消费", "ETCP智慧停车", "停车缴费", "支出", "15.00", "零钱", "支付成功", "4200002611081740000000001108", "ETCP2611081740", "/"),
    *WECHAT_OCTOBER[:3],  # 1–4 November: in both exports
]  # fmt: skip


def _wechat_preamble(rows: list[tuple], start: str, end: str, exported: str) -> list[str]:
    def total(kind: str) -> tuple[int, Decimal]:
        picked = [Decimal(r[5]) for r in rows if r[4] == kind]
        return len(picked), sum(picked, Decimal(0))

    n_in, s_in = total("收入")
    n_out, s_out = total("支出")
    n_mid, s_mid = total("/")
    return [
        "微信支付账单明细",
        "微信昵称：[林]",
        f"起始时间：[{start} 00:00:00] 终止时间：[{end} 23:59:59]",
        "导出类型：[全部]",
        f"导出时间：[{exported}]",
        "",
        f"共{len(rows)}笔记录",
        f"收入：{n_in}笔 {s_in:.2f}元",
        f"支出：{n_out}笔 {s_out:.2f}元",
        f"中性交易：{n_mid}笔 {s_mid:.2f}元",
        "注：",
        "1. 充值/提现/理财通购买/零钱通存取/信用卡还款等交易，将计入中性交易",
        "2. 本明细仅展示当前账单中的交易，不包括已删除的记录",
        "3. 本明细仅供个人对账使用",
        "",
        "----------------------微信支付账单明细列表--------------------",
    ]


def wechat_csv(rows: list[tuple], start: str, end: str, exported: str) -> str:
    width = len(WECHAT_COLUMNS)
    lines = [line + "," * (width - 1) for line in _wechat_preamble(rows, start, end, exported)]
    lines.append(",".join(WECHAT_COLUMNS))
    for row in rows:
        time, kind, payee, goods, way, amount, method, status, trade, merchant, note = row
        lines.append(
            ",".join(
                [
                    time,
                    kind,
                    payee,
                    f'"{goods}"' if goods != "/" else goods,
                    way,
                    f"¥{amount}",
                    method,
                    status,
                    trade + "\t",
                    merchant + "\t",
                    f'"{note}"',
                ]
            )
        )
    return "\n".join(lines) + "\n"


def wechat_xlsx(path: Path, rows: list[tuple], start: str, end: str, exported: str) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Sheet1"
    for line in _wechat_preamble(rows, start, end, exported):
        sheet.append([line or None])
    sheet.append(WECHAT_COLUMNS)
    for row in rows:
        time, kind, payee, goods, way, amount, method, status, trade, merchant, note = row
        sheet.append(
            [time, kind, payee, goods, way, f"¥{amount}", method, status, trade, merchant, note]
        )
    fixed = dt.datetime(2026, 12, 1, 9, 0, 0)
    book.properties.creator = "微信支付"
    book.properties.created = fixed
    book.properties.modified = fixed
    book.save(path)


# -- Bank statements --------------------------------------------------------------------

CMB_ROWS = [
    ("2026-10-01", "CNY", "-4,500.00", "18,210.35", "转账汇款", "王建国 6222021202012345678", "10月房租"),
    ("2026-10-10", "CNY", "12,000.00", "30,210.35", "代发工资", "杭州某某科技有限公司 571900012345", "工资"),
    ("2026-10-16", "CNY", "-1,000.00", "29,210.35", "快捷支付", "支付宝-余额宝", "余额宝转入"),
    ("2026-10-19", "CNY", "-42.00", "29,168.35", "快捷支付", "财付通-美团平台商户", "美团外卖订单"),
    ("2026-10-19", "CNY", "42.00", "29,210.35", "退款", "财付通-美团平台商户", "美团外卖订单退款"),
    ("2026-10-20", "CNY", "-100.00", "29,110.35", "银联ATM取款", "", "银联 ATM 取款，中国银行"),
    ("2026-10-24", "CNY", "200.00", "29,310.35", "转账汇款", "财付通-微信零钱提现", "零钱提现"),
    ("2026-10-25", "CNY", "-1,500.00", "27,810.35", "快捷支付", "支付宝-花呗", "花呗还款"),
    ("2026-10-26", "CNY", "-500.00", "27,310.35", "快捷支付", "财付通-微信零钱充值", "零钱充值"),
    ("2026-10-27", "CNY", "-210.00", "27,100.35", "快捷支付", "支付宝-国网浙江省电力公司", "电费缴纳"),
    ("2026-10-29", "CNY", "-9.90", "27,090.45", "一网通支付", "腾讯视频 4403001234", "腾讯视频VIP会员"),
    ("2026-11-05", "CNY", "0.35", "27,090.80", "结息", "", "活期结息"),
    ("2026-11-11", "CNY", "1,300.00", "28,390.80", "费用报销", "杭州某某科技有限公司 571900012345", "10月差旅报销"),
    ("2026-11-12", "CNY", "-300.00", "28,090.80", "快捷支付", "支付宝-中国石化", "加油"),
]  # fmt: skip


def bank_cmb() -> str:
    lines = ["记账日期,货币,交易金额,联机余额,交易摘要,对手信息,客户摘要"]
    for row in CMB_ROWS:
        lines.append(",".join(f'"{c}"' if "," in c else c for c in row))
    return "\n".join(lines) + "\n"


ICBC_HEADER = "交易日期,摘要,交易详情,交易场所,交易国家或地区简称,钞/汇,交易金额(收入),交易金额(支出),交易币种,记账金额(收入),记账金额(支出),记账币种,余额,对方户名,对方账户"
ICBC_ROWS = [
    ("2026-11-20", "消费", "", "广东三元麦当劳食品有", "", "26.00", "26.00", "3,412.50", "深圳市财付通支付科技有限公司"),
    ("2026-11-14", "工资", "", "", "8,000.00", "", "", "3,438.50", "ABC公司"),
    ("2026-11-09", "网转", "", "手机银行", "", "500.00", "500.00", "-4,561.50", "王五"),
]  # fmt: skip


def bank_icbc() -> str:
    def q(text: str, width: int = 20) -> str:
        return f'"{text.ljust(width)}\t"'

    lines = [
        "明细查询文件下载",
        "",
        '卡号: 6212****9876,"卡别名: 工资卡"',
        "",
        '子账户序号: 00000,子账户类别: 活期,"子账户别名: "',
        "",
        ICBC_HEADER,
    ]
    for date, summary, detail, place, income, expense, booked_out, balance, payee in ICBC_ROWS:
        booked_in = income
        lines.append(
            ",".join(
                [
                    f"{date}     \t",
                    q(summary),
                    q(detail, 30),
                    q(place, 60),
                    q("CHN"),
                    "钞        \t",
                    q(income or "-"),
                    q(expense or "-"),
                    "人民币         \t",
                    q(booked_in),
                    q(booked_out),
                    "人民币         \t",
                    q(balance),
                    q(payee, 60),
                    q("6212****9876", 19),
                ]
            )
            + ","
        )
    lines += [" ", '人民币合计,,,,,,,,,"8,000.00          \t","526.00          \t",']
    return "\n".join(lines) + "\n"


OTHER_BANK = """Account,HKD Savings 123-456789-001
Statement period,01/11/2026 - 30/11/2026

Value Date,Narrative,Value,Running Balance
03/11/2026,OCTOPUS AAVS,-200.00,15230.10
12/11/2026,PAYROLL ABC LTD,28000.00,43230.10
"""


def main() -> None:
    october = alipay_current(
        ALIPAY_OCTOBER, "2026-10-01", "2026-10-31", "2026-11-01 09:12:52", padded=True
    )
    (HERE / "alipay_2026-10_gbk.csv").write_bytes(october.encode("gbk"))
    november = alipay_current(
        ALIPAY_NOVEMBER, "2026-11-01", "2026-11-15", "2026-11-16 10:00:00", padded=False
    )
    (HERE / "alipay_2026-11_utf8.csv").write_bytes(november.encode("utf-8-sig"))
    (HERE / "alipay_web_2019-12_gbk.txt").write_bytes(alipay_web().encode("gbk"))
    (HERE / "wechat_2026-10.csv").write_bytes(
        wechat_csv(WECHAT_OCTOBER, "2026-10-01", "2026-11-04", "2026-11-05 08:00:00").encode(
            "utf-8-sig"
        )
    )
    wechat_xlsx(
        HERE / "wechat_2026-11.xlsx",
        WECHAT_NOVEMBER,
        "2026-11-01",
        "2026-11-30",
        "2026-12-01 09:00:00",
    )
    (HERE / "bank_cmb_2026.csv").write_bytes(bank_cmb().encode("gbk"))
    (HERE / "bank_icbc_2026-11.csv").write_bytes(bank_icbc().encode("utf-8"))
    (HERE / "bank_other_hk.csv").write_text(OTHER_BANK, encoding="utf-8")
    # bad input: the October Alipay bill cut off in the middle of a row (and a character)
    raw = october.encode("gbk")
    cut = raw.index("退款-女装秋冬羊毛开衫".encode("gbk")) + 5
    (HERE / "bad_alipay_truncated.csv").write_bytes(raw[:cut])
    (HERE / "bad_unknown_layout.csv").write_text(
        "姓名,电话,邮箱\n张三,13800000000,zs@example.com\n", encoding="utf-8"
    )
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["购物清单", "数量"])
    sheet.append(["牛奶", 2])
    sheet.append(["鸡蛋", 12])
    book.properties.created = book.properties.modified = dt.datetime(2026, 12, 1)
    book.save(HERE / "bad_not_a_bill.xlsx")
    xlsx = (HERE / "wechat_2026-11.xlsx").read_bytes()
    (HERE / "bad_wechat_truncated.xlsx").write_bytes(xlsx[: len(xlsx) // 2])


if __name__ == "__main__":
    main()
