"""The fixed taxonomy and the words that point into it: categories and kinds (the
currencies and their names are in ``currencies.py``).

A keyword is matched as a substring when it is Chinese and as a whole word (with an
optional plural ``s``) when it is Latin. When several keywords match, the longest one
wins ("gas bill" is utilities although "gas" alone is transport), then the earliest.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache


def words_of(text: str) -> tuple[str, ...]:
    return tuple(text.split())


EXPENSE_CATEGORIES = (
    "food",
    "transport",
    "shopping",
    "housing",
    "utilities",
    "entertainment",
    "health",
    "education",
    "travel",
    "communication",
    "other",
)
INCOME_CATEGORIES = ("salary", "bonus", "investment", "gift", "refund", "other")
KINDS = ("expense", "income")

EXPENSE_KEYWORDS: dict[str, tuple[str, ...]] = {
    "food": words_of(
        "早饭 早餐 午饭 午餐 中饭 中午饭 晚饭 晚餐 夜宵 宵夜 吃饭 饭钱 外卖 咖啡 拿铁 奶茶 饮料 水果 零食"
        " 买菜 菜钱 火锅 烧烤 米线 拉面 面条 包子 饺子 麦当劳 肯德基 星巴克 瑞幸 喜茶 蛋糕 甜品 面包"
        " 啤酒 聚餐 请客 食堂 牛奶 三明治 汉堡 披萨 寿司 烤鸭 下午茶 便当 快餐 小吃 吃的 盒饭 酸奶"
        " breakfast lunch dinner brunch supper meal food coffee latte cappuccino tea snack"
        " groceries grocery restaurant pizza burger sandwich sushi takeout takeaway starbucks"
        " mcdonalds mcdonald's kfc beer drink bakery bread fruit dessert cafe noodles ramen pho"
        " tacos bagel donut juice smoothie boba wine 美团外卖 饿了么 豆浆"
    )
    + (
        "uber eats",
        "bubble tea",
        "milk tea",
    ),
    "transport": words_of(
        "打车 出租车 的士 滴滴 地铁 公交 公交车 巴士 加油 油费 停车 停车费 过路费 高速费 共享单车 单车"
        " 车费 洗车 网约车 摩的 充电费 轮渡 uber lyft taxi cab subway metro bus train gas fuel parking"
        " toll petrol carwash"
    ),
    "shopping": words_of(
        "衣服 裤子 鞋子 鞋 包包 淘宝 京东 拼多多 天猫 网购 超市 日用品 化妆品 护肤品 电脑 耳机 键盘"
        " 鼠标 家具 家电 购物 眼镜 裙子 外套 衬衫 手机壳 数据线 洗发水 纸巾 雨伞 手表"
        " clothes shirt shoes jacket dress amazon taobao shopping keyboard headphones laptop"
        " supermarket jeans sneakers umbrella mouse"
    ),
    "housing": words_of(
        "房租 租金 房贷 物业费 物业 中介费 装修 租房 维修费 rent mortgage landlord repairs"
    ),
    "utilities": words_of(
        "电费 水费 燃气费 煤气费 燃气 网费 宽带 暖气费 取暖费 水电费 水电 electricity"
        " internet wifi broadband utilities heating"
    )
    + (
        "electric bill",
        "water bill",
        "gas bill",
        "power bill",
        "internet bill",
    ),
    "entertainment": words_of(
        "电影 游戏 KTV 唱歌 演唱会 视频会员 爱奇艺 腾讯视频 网易云 桌游 剧本杀 酒吧 演出 话剧"
        " 展览 密室 博物馆 museum live movie movies cinema film game games netflix spotify concert karaoke"
        " bar theater theatre steam bowling"
    ),
    "health": words_of(
        "药 药店 买药 看病 医院 挂号 体检 牙医 看牙 健身 健身房 健身卡 医药费 门诊 口罩 维生素 感冒药"
        " 理疗 medicine pharmacy doctor hospital dentist gym clinic checkup pills vitamins"
        " physio"
    ),
    "education": words_of(
        "书 买书 课程 学费 培训 网课 教材 考试 报名费 辅导 补习 文具 book books course class"
        " tuition textbook lessons lesson training exam udemy coursera stationery"
    ),
    "travel": words_of(
        "机票 飞机票 酒店 宾馆 住宿 民宿 旅游 旅行 景区 门票 签证 高铁 高铁票 火车票 动车 行李"
        " flight flights airfare hotel airbnb hostel trip vacation visa luggage"
    )
    + (
        "plane ticket",
        "train ticket",
    ),
    "communication": words_of("话费 手机费 电话费 流量 充话费 手机套餐 邮费 快递费 postage")
    + (
        "phone bill",
        "mobile bill",
        "cell phone bill",
        "data plan",
        "phone plan",
        "top-up",
    ),
}

# A broader lexicon of everyday items, shops and services, so that things nobody wrote
# into a test case still land in the right category. Brands and shops that sell one kind
# of thing go with that thing; shops that sell everything are VENUE_KEYWORDS below.
EXTRA_EXPENSE_KEYWORDS: dict[str, tuple[str, ...]] = {
    "food": words_of(
        "饭 米饭 炒饭 盖饭 盖浇饭 拌饭 饭团 粥 面 牛肉面 拌面 炒面 汤面 米粉 螺蛳粉 酸辣粉 河粉 肠粉"
        " 麻辣烫 冒菜 串串 撸串 烤串 烤肉 炸鸡 薯条 鸡排 煎饼 煎饼果子 肉夹馍 凉皮 馄饨 抄手 油条"
        " 烧饼 馒头 花卷 粽子 月饼 汤圆 小笼包 生煎 烤鱼 酸菜鱼 小龙虾 海鲜 日料 韩料 西餐 自助餐"
        " 家常菜 炒菜 食材 蔬菜 青菜 白菜 土豆 番茄 西红柿 黄瓜 鸡蛋 大米 面粉 食用油 酱油 调料 肉"
        " 猪肉 牛肉 羊肉 鸡肉 排骨 鸡翅 鸡腿 牛排 鱼 虾 螃蟹 豆腐 苹果 香蕉 橙子 橘子 西瓜 葡萄 草莓"
        " 芒果 桃子 梨 樱桃 车厘子 榴莲 荔枝 菠萝 柚子 猕猴桃 哈密瓜 蓝莓 红薯 烤红薯 玉米 坚果 瓜子"
        " 薯片 饼干 巧克力 糖果 冰淇淋 雪糕 冰棍 可乐 雪碧 矿泉水 纯净水 果汁 汽水 椰汁 茶 茶叶"
        " 酒 白酒 红酒 喝酒 烟酒 饭店 餐厅 餐馆 食堂 早点 点心 宵夜 外卖费 必胜客 汉堡王 海底捞"
        " 喜茶 奈雪 蜜雪冰城 茶百道 霸王茶姬 沙县 盒马 叮咚买菜 朴朴 kfc 饭钱 伙食费 午饭钱"
        " salad steak wings chicken fries soda water snacks chips cookies icecream croissant"
        " muffin pastry cake donuts doughnut bubble boba drinks cocktail cocktails beers brewery"
        " diner bistro deli takeout burrito sandwiches sub subway-sandwich chipotle dunkin"
        " produce eggs milk meat vegetables veggies"
    )
    + ("ice cream", "trader joe's", "whole foods", "meal deal", "fast food", "happy hour"),
    "transport": words_of(
        "油 汽油 柴油 油钱 充电 充电桩 加气 高速 过桥费 路费 车票 公交卡 交通卡 地铁卡 一卡通"
        " 出租 快车 专车 顺风车 代驾 高德打车 曹操出行 花小猪 哈啰 单车 电瓶车 保养 修车 车险 轮胎"
        " 挪车 机场大巴 大巴 火车 轻轨 船 ride rides rideshare scooter bike ferry tram fare fares"
        " tolls oil tire tires"
    )
    + ("car wash", "oil change", "bus fare", "metro card", "train fare"),
    "shopping": words_of(
        "手机 新手机 平板 ipad iphone 显示器 笔记本电脑 充电器 充电宝 音箱 相机 电视 冰箱 洗衣机 空调"
        " 吹风机 沙发 床垫 桌子 椅子 台灯 被子 枕头 毛巾 衣架 收纳 羽绒服 T恤 卫衣 毛衣 帽子 围巾"
        " 手套 袜子 内衣 短袖 运动鞋 拖鞋 靴子 包 背包 钱包 口红 面膜 香水 沐浴露 牙膏 牙刷 卫生纸"
        " 洗衣液 洗洁精 日用品 生活用品 玩具 礼物 airpods 优衣库 宜家 名创优品 小米 数码 家居"
        " 饰品 首饰 项链 戒指 墨镜 shirts t-shirt hoodie sweater coat boots socks backpack bag purse"
        " wallet phone iphone ipad tablet monitor charger cable speaker camera tv furniture sofa"
        " chair desk lamp toys gadget electronics ikea uniqlo zara h&m nike adidas walmart target"
        " costco mall 便利店 商场 沃尔玛 家乐福 山姆 大润发 永辉"
    )
    + ("phone case", "new phone"),
    "housing": words_of(
        "押金 房费 住房 家政 保洁 搬家 维修 修水管 换锁 房屋 租 deposit plumber repair housekeeping"
    ),
    "utilities": words_of(
        "水电煤 垃圾费 煤气 天然气 电 水 gas-bill water-bill electric electricity utility heat"
    )
    + ("trash pickup", "cable bill", "utility bill"),
    "entertainment": words_of(
        "电影票 看电影 音乐会 音乐节 演出票 展 游乐园 迪士尼 环球影城 欢乐谷 动物园 水族馆 网吧 台球"
        " 保龄球 蹦迪 夜店 唱k 视频 会员 优酷 芒果tv b站 大会员 qq音乐 哔哩哔哩 switch ps5 游戏机"
        " 充值 皮肤 门票 球赛 live house hulu disney youtube playstation xbox nintendo arcade"
        " tickets ticket show shows zoo club"
    )
    + ("disney+", "youtube premium", "apple music"),
    "health": words_of(
        "看医生 医生 诊所 牙 洗牙 拔牙 补牙 眼科 配眼镜 中药 西药 感冒 发烧 输液 打针 疫苗 保健品"
        " 瑜伽 游泳 私教 普拉提 按摩 推拿 针灸 医保 prescription prescriptions cvs walgreens"
        " therapy therapist yoga pilates massage vaccine physical"
    )
    + ("eye exam", "urgent care"),
    "education": words_of(
        "课 上课 钢琴课 英语课 舞蹈课 游泳课 补习班 辅导班 兴趣班 培训班 家教 学费 书费 资料 练习册"
        " 笔 笔记本 本子 考研 驾校 学车 讲座 textbooks workshop seminar tutor tutoring school"
        " notebook notebooks pens"
    ),
    "travel": words_of(
        "飞机 航班 船票 景点 度假 出差 差旅 差旅费 hotels motel resort cruise airline airlines"
    )
    + ("boarding pass",),
    "communication": words_of(
        "电话卡 手机卡 sim卡 流量包 月租 寄快递 快递 邮寄 shipping postage phone-bill"
    )
    + ("sim card", "data plan"),
    "other": words_of(
        "理发 剪头发 剪发 烫发 美发 美甲 洗衣 干洗 捐款 罚款 份子钱 随礼 随份子 宠物 猫粮 狗粮 保险"
        " 手续费 打印 红包 发红包 转账 haircut barber laundry donation fine fee fees insurance pet"
    ),
}

INCOME_KEYWORDS: dict[str, tuple[str, ...]] = {
    "salary": words_of("工资 薪水 薪资 发工资 月薪 salary paycheck paycheque wages payday")
    + (
        "got paid",
        "pay day",
    ),
    "bonus": words_of("奖金 年终奖 绩效 提成 bonus commission"),
    "investment": words_of(
        "利息 分红 股息 理财 理财收益 基金收益 股票收益 dividend dividends interest"
    ),
    "gift": words_of("红包 礼金 压岁钱 gift hongbao")
    + (
        "red envelope",
        "red packet",
    ),
    "refund": words_of(
        "退款 退税 报销 退货 退钱 返现 转我 还我 转给我 refund refunded reimbursed"
        " reimbursement cashback"
    )
    + (
        "paid me back",
        "back from",
        "sent me",
        "venmoed me",
    ),
    "other": words_of("收入 兼职 稿费 外快 卖了 收到 赚了 income freelance sold earned received"),
}

EXTRA_INCOME_KEYWORDS: dict[str, tuple[str, ...]] = {
    "salary": words_of("发薪 底薪 加班费 wage payroll"),
    "bonus": words_of("年终 十三薪 奖励 全勤奖"),
    "investment": words_of("基金收益 股票收益 收益 利息收入 余额宝 定期 投资收益 returns"),
    "gift": words_of("压岁 礼物 红包雨 gifts"),
    "refund": words_of("返还 报销款 赔偿 退押金 押金退回 rebate reimburse"),
    "other": words_of("稿酬 副业 咨询费 奖学金 中奖"),
}

# Names a user may say or type for a category ("改成交通", --category 餐饮).
CATEGORY_NAMES: dict[str, str] = {
    "餐饮": "food",
    "吃饭": "food",
    "饮食": "food",
    "伙食": "food",
    "吃的": "food",
    "交通": "transport",
    "出行": "transport",
    "购物": "shopping",
    "住房": "housing",
    "房租": "housing",
    "居住": "housing",
    "水电": "utilities",
    "水电煤": "utilities",
    "生活缴费": "utilities",
    "缴费": "utilities",
    "娱乐": "entertainment",
    "医疗": "health",
    "健康": "health",
    "教育": "education",
    "学习": "education",
    "旅行": "travel",
    "旅游": "travel",
    "通讯": "communication",
    "通信": "communication",
    "话费": "communication",
    "其他": "other",
    "其它": "other",
    "工资": "salary",
    "薪水": "salary",
    "奖金": "bonus",
    "投资": "investment",
    "理财": "investment",
    "礼金": "gift",
    "红包": "gift",
    "退款": "refund",
    "报销": "refund",
    "transportation": "transport",
    "groceries": "food",
    "dining": "food",
    "eating out": "food",
    "rent": "housing",
    "bills": "utilities",
    "medical": "health",
    "fun": "entertainment",
    "phone": "communication",
    "gifts": "gift",
    "investments": "investment",
}

# Words that make a sentence income (beyond the income keywords), and words that keep
# it an expense although an income keyword is present (发红包 is money going out).
OUTGOING_MARKERS = ("发红包", "给", "送", "随份子", "交", "付", "paid for", "gave", "sent to")
INCOMING_MARKERS = ("收到", "抢到", "收了", "到账", "转我", "还我", "received", "got")


@dataclass(frozen=True)
class KeywordHit:
    keyword: str
    category: str
    start: int
    end: int
    core: bool = True  # from the core lexicon (wins a tie with the broader one)


def _is_latin(word: str) -> bool:
    return word.isascii()


@lru_cache(maxsize=2)
def _keyword_pattern(table_name: str) -> tuple[re.Pattern[str], dict[str, str], set[str]]:
    tables = (
        (EXPENSE_KEYWORDS, EXTRA_EXPENSE_KEYWORDS)
        if table_name == "expense"
        else (INCOME_KEYWORDS, EXTRA_INCOME_KEYWORDS)
    )
    owner: dict[str, str] = {}
    core: set[str] = set()
    for table in tables:  # the first table wins a word both name
        for category, words in table.items():
            for word in words:
                owner.setdefault(word.lower(), category)
                if table is tables[0]:
                    core.add(word.lower())
    parts = []
    for word in sorted(owner, key=len, reverse=True):
        if _is_latin(word):
            parts.append(rf"(?<![a-z]){re.escape(word)}(?:s|es)?(?![a-z])")
        else:
            parts.append(re.escape(word))
    return re.compile("|".join(parts), re.IGNORECASE), owner, core


def _owner_of(found: str, owner: dict[str, str]) -> str | None:
    key = _key_of(found, owner)
    return owner[key] if key is not None else None


def _key_of(found: str, owner: dict[str, str]) -> str | None:
    low = found.lower()
    if low in owner:
        return low
    for cut in (2, 1):
        if low[:-cut] in owner:
            return low[:-cut]
    return None


def keyword_hits(text: str, kind: str) -> list[KeywordHit]:
    pattern, owner, core = _keyword_pattern(kind)
    hits = []
    for m in pattern.finditer(text):
        key = _key_of(m[0], owner)
        if key is not None:
            hits.append(KeywordHit(m[0], owner[key], m.start(), m.end(), key in core))
    return hits


# Where something was bought, not what: a product keyword beside it decides the
# category ("在超市买了点水果" is food, "淘宝买衣服" is shopping either way).
VENUE_KEYWORDS = frozenset(
    [
        "超市",
        "淘宝",
        "京东",
        "拼多多",
        "天猫",
        "网购",
        "购物",
        "amazon",
        "taobao",
        "supermarket",
        "shopping",
        "便利店",
        "商场",
        "沃尔玛",
        "家乐福",
        "山姆",
        "大润发",
        "永辉",
        "walmart",
        "target",
        "costco",
        "7-eleven",
        "mall",
    ]
)


def best_hit(hits: list[KeywordHit]) -> KeywordHit | None:
    if not hits:
        return None
    products = [h for h in hits if h.keyword.lower() not in VENUE_KEYWORDS]
    return max(products or hits, key=lambda h: (len(h.keyword), h.core, -h.start))


# When no keyword names the thing, how it was said often still does: something eaten or
# drunk, a dish ending in 面/饭/鸡/…, a ride. Checked in order, only without a keyword.
CATEGORY_CUES: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(
            r"[\u4e00-\u9fff](?:面|饭|粉|粥|汤|饼|糕|鸡|鸭|鹅|鱼|虾|蟹|肉|串|饺|馍|酥|茶|奶|酒|果|瓜"
            r"|菜|蛋|豆|糖|餐)(?![\u4e00-\u9fff])"
        ),
        "food",
    ),
    (re.compile(r"吃|喝|\b(?:ate|eat|eating|drank|drink|drinks)\b", re.IGNORECASE), "food"),
    (
        re.compile(r"打.{0,2}车|坐.{0,4}车|骑.{0,2}车|\b(?:rode|drove|commute)\b", re.IGNORECASE),
        "transport",
    ),
)


def category_cue(text: str) -> str | None:
    """The category that the way a thing was said points to, when no keyword does."""
    for pattern, category in CATEGORY_CUES:
        if pattern.search(text):
            return category
    return None


def category_from_name(name: str, kind: str | None = None) -> str | None:
    """A category id for a name the user gave (``transport``, ``交通``, ``打车``), or None."""
    low = name.strip().lower()
    if not low:
        return None
    allowed = (
        EXPENSE_CATEGORIES
        if kind == "expense"
        else INCOME_CATEGORIES
        if kind == "income"
        else EXPENSE_CATEGORIES + INCOME_CATEGORIES
    )
    if low in allowed:
        return low
    mapped = CATEGORY_NAMES.get(low)
    if mapped in allowed:
        return mapped
    for table_kind in ("expense", "income") if kind is None else (kind,):
        hit = best_hit([h for h in keyword_hits(low, table_kind) if h.core])
        if hit is not None and hit.end - hit.start == len(low) and hit.category in allowed:
            return hit.category
    return None


def categories_for(kind: str) -> tuple[str, ...]:
    return EXPENSE_CATEGORIES if kind == "expense" else INCOME_CATEGORIES
