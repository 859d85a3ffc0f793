"""Alipay (支付宝) bill exports, the current and the older layouts.

* Current (the app's 开具交易流水证明 → 用于个人对账, since 2023; GBK, some UTF-8): 24
  lines of 导出信息 and 特别提示 (with 共N笔记录), a line ``----…电子客户回单----``, then
  ``交易时间,交易分类,交易对方,对方账号,商品说明,收/支,金额,收/付款方式,交易状态,
  交易订单号,商家订单号,备注,``; no footer. ``收/支`` is 支出, 收入 or 不计收支.
* The 2021-22 receipt: the same columns in another order (``收/支,交易对方,…,交易时间``),
  ``其他`` instead of 不计收支. Read by column name like the current one.
* Older (the website's 交易记录明细查询 download; GBK, CRLF): ``支付宝交易记录明细查询``,
  账号, 起始日期/终止日期, a ``----交易记录明细列表----`` line, then ``交易号,商家订单号,
  交易创建时间,付款时间,最近修改时间,交易来源地,类型,交易对方,商品名称,金额（元）,收/支,
  交易状态,服务费（元）,成功退款（元）,备注,资金状态,``, the rows, a ``----`` line and a
  footer (共N笔记录, 已收入, 待收入, 已支出, 待支出, 导出时间). ``收/支`` may be empty;
  ``资金状态`` (已支出, 已收入, 资金转移, 冻结, 解冻, or empty for a trade never paid)
  then says which way the money went.

What the rows mean (as the importers in tests/data/bills/SOURCES.md read them): a refund
is a row of its own, 不计收支 (or 收入) with 交易状态 退款成功, whose 交易订单号 is the
purchase's followed by ``_`` and a refund number; a purchase refunded in full is then
marked 交易关闭. A 交易关闭 row without a payment method was never paid. 等待付款 is not
paid yet. 不计收支 rows are money moved between the user's own accounts (余额宝, 提现,
充值, 花呗还款) or investments, not spending.
"""

from __future__ import annotations

import re
from decimal import Decimal

from assistant.errors import UsageError
from skills.bookkeeping.bills.columns import Header, check_count, check_not_cut, find_header
from skills.bookkeeping.bills.decoding import Table
from skills.bookkeeping.bills.rows import (
    CLOSED,
    DONE,
    EXPENSE,
    INCOME,
    NEUTRAL,
    PENDING,
    BillFile,
    BillRow,
    CellError,
    blank,
    parse_money,
    parse_time,
)

CURRENT_COLUMNS = ("交易时间", "交易对方", "商品说明", "收/支", "金额", "交易状态", "交易订单号")
OLD_COLUMNS = (
    "交易号",
    "商家订单号",
    "交易创建时间",
    "交易对方",
    "商品名称",
    "金额（元）",
    "收/支",
)

_DONE = {
    "交易成功",
    "支付成功",
    "代付成功",
    "亲情卡付款成功",
    "充值成功",
    "还款成功",
    "提现成功",
    "转出成功",
    "转入成功",
    "已完成",
    "交易完成",
    "等待确认收货",  # paid; the money waits in escrow for the buyer's confirmation
    "等待对方发货",
    "卖家已发货",
    "已发货",
    "退款成功",
    "解冻成功",
    "冻结成功",
    "信用服务使用成功",
    "提取成功",
}
_PENDING = {
    "等待付款",
    "等待买家付款",
    "等待对方付款",
    "处理中",
    "付款中",
    "支付中",
    "待付款",
    "未付款",
}
_CLOSED = {"交易关闭", "已关闭", "支付失败", "付款失败", "失败", "已撤销"}
_PERIOD = re.compile(
    r"起始(?:时间|日期)[:：]\s*\[([\d\-: ]+)\].*?终止(?:时间|日期)[:：]\s*\[([\d\-: ]+)\]"
)


def sniff(table: Table) -> str | None:
    head = "\n".join(table.text_lines(40))
    if "支付宝" not in head and "电子客户回单" not in head:
        return None
    if find_header(table, OLD_COLUMNS):
        return "alipay-web"
    if find_header(table, CURRENT_COLUMNS):
        return "alipay-2023"
    return None


def _state(status: str) -> str | None:
    if status in _DONE:
        return DONE
    if status in _PENDING:
        return PENDING
    if status in _CLOSED:
        return CLOSED
    return None


def _period(table: Table) -> tuple | None:
    for line in table.text_lines(40):
        m = _PERIOD.search(line)
        if m:
            try:
                return parse_time(m[1]).date(), parse_time(m[2]).date()
            except CellError:
                return None
    return None


def read(table: Table, layout: str) -> BillFile:
    check_not_cut(table, "Alipay bill")
    if layout == "alipay-web":
        header = find_header(table, OLD_COLUMNS)
        label = "Alipay bill (older website layout"
    else:
        header = find_header(table, CURRENT_COLUMNS)
        label = "Alipay bill (current layout"
    if header is None:
        raise UsageError(f"{table.path} is an Alipay file without its table header")
    label += f", {table.encoding.upper()})"
    bill = BillFile("alipay", layout, label, period=_period(table))
    ended = False
    for line, cells in table.rows[header.index + 1 :]:
        first = cells[0] if cells else ""
        if first.startswith("---"):
            ended = True
            break
        if len(cells) < len(header.names) - 3:
            if line == table.rows[-1][0]:
                raise UsageError(f"{table.path} is cut short: line {line} ends mid-row")
            raise UsageError(
                f"{table.path} line {line} has {len(cells)} fields; the header has {len(header.names)}"
            )
        try:
            row = (
                _old_row(header, cells, line)
                if layout == "alipay-web"
                else _row(header, cells, line)
            )
        except CellError as exc:
            raise UsageError(f"{table.path} line {line}: {exc}") from None
        bill.rows.append(row)
    if layout == "alipay-web" and not ended:
        raise UsageError(f"{table.path} is cut short: its table has no closing line and footer")
    check_count(table, header, len(bill.rows), "Alipay bill")
    if not bill.rows:
        raise UsageError(f"{table.path} is an Alipay bill with no transactions in it")
    return bill


def _row(h: Header, cells: list[str], line: int) -> BillRow:
    status = h.cell(cells, "交易状态")
    txn = h.cell(cells, "交易订单号")
    if not txn:
        raise CellError("the transaction has no 交易订单号")
    goods = blank(h.cell(cells, "商品说明"))
    hint = blank(h.cell(cells, "交易分类"))
    amount = parse_money(h.cell(cells, "金额"))
    said = h.cell(cells, "收/支")
    direction = {"支出": EXPENSE, "收入": INCOME}.get(said, NEUTRAL)
    state = _state(status)
    refund = status == "退款成功" or (hint == "退款" and direction != EXPENSE)
    refund_of = ""
    if refund:
        direction = INCOME
        refund_of = txn.split("_", 1)[0] if "_" in txn else ""
    return BillRow(
        source="alipay",
        txn_id=txn,
        line=line,
        time=parse_time(h.cell(cells, "交易时间")),
        direction=direction,
        amount=abs(amount),
        payee=blank(h.cell(cells, "交易对方")),
        goods=goods,
        method=blank(h.cell(cells, "收/付款方式")),
        status=status,
        state=state or PENDING,
        hint=hint,
        merchant_id=blank(h.cell(cells, "商家订单号")),
        note=blank(h.cell(cells, "备注")) if state else f"status {status!r} not understood",
        refund=refund,
        refund_of=refund_of,
    )


def _old_row(h: Header, cells: list[str], line: int) -> BillRow:
    status = h.cell(cells, "交易状态")
    funds = h.cell(cells, "资金状态")
    txn = h.cell(cells, "交易号")
    if not txn:
        raise CellError("the transaction has no 交易号")
    said = h.cell(cells, "收/支")
    if said == "支出" or (not said and funds == "已支出"):
        direction = EXPENSE
    elif said == "收入" or (not said and funds == "已收入"):
        direction = INCOME
    else:
        direction = NEUTRAL
    state = _state(status)
    if status in _CLOSED and not funds:
        state = CLOSED  # closed before any money moved
    elif status in _CLOSED and funds in ("已支出", "已收入"):
        state = DONE  # paid, then given back: 成功退款 says how much
    goods = blank(h.cell(cells, "商品名称"))
    refund = direction != EXPENSE and (status == "退款成功" or goods.startswith("退款"))
    if refund:
        direction = INCOME
    paid_at = h.cell(cells, "付款时间") or h.cell(cells, "交易创建时间")
    fee_text = h.cell(cells, "服务费（元）")
    refunded_text = h.cell(cells, "成功退款（元）")
    return BillRow(
        source="alipay",
        txn_id=txn,
        line=line,
        time=parse_time(paid_at),
        direction=direction,
        amount=abs(parse_money(h.cell(cells, "金额（元）"))),
        payee=blank(h.cell(cells, "交易对方")),
        goods=goods,
        method=funds,
        status=status,
        state=state or PENDING,
        hint=blank(h.cell(cells, "类型")),
        merchant_id=blank(h.cell(cells, "商家订单号")),
        note=blank(h.cell(cells, "备注")) if state else f"status {status!r} not understood",
        fee=abs(parse_money(fee_text)) if fee_text else Decimal(0),
        refunded=abs(parse_money(refunded_text)) if refunded_text else Decimal(0),
        refund=refund,
        refund_of=txn.split("_", 1)[0] if refund and "_" in txn else "",
    )
