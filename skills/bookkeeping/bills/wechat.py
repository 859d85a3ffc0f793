"""WeChat Pay (微信支付) bill exports: the CSV with its header block, and the .xlsx.

Both (钱包 → 账单 → 下载账单 → 用于个人对账, mailed as a zip) hold the same sheet: 16
lines of 微信昵称, 起始时间/终止时间, 导出类型, 导出时间, 共N笔记录, 收入/支出/中性交易
totals and notes, a ``----微信支付账单明细列表----`` line, then ``交易时间,交易类型,交易对方,
商品,收/支,金额(元),支付方式,当前状态,交易单号,商户单号,备注`` and the rows, newest
first. The CSV is UTF-8; the .xlsx (since 2023) has the same rows on its first sheet.
Amounts are printed with a yuan sign (``¥28.16``); "/" means empty.

What the rows mean: ``收/支`` "/" is a 中性交易 (充值, 提现, 零钱通, 理财通, 信用卡还款),
money between the user's own accounts. A refund is a row of its own, 收入, whose 交易类型
ends in ``-退款``; the purchase's 当前状态 becomes 已全额退款, or 已退款(￥x) for part of it.
WeChat does not link a refund to its purchase by number, so the payee and the amount do.
A withdrawal's 备注 says its fee (``服务费¥0.10``), which is spending. 对方已退还 (a transfer
sent back) and 提现失败 moved nothing; 朋友未收钱 is not settled yet.
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

COLUMNS = ("交易时间", "交易类型", "交易对方", "收/支", "金额(元)", "当前状态", "交易单号")

_DONE = {
    "支付成功",
    "已转账",
    "朋友已收钱",
    "对方已收钱",
    "已收钱",
    "已存入零钱",
    "已到账",
    "充值完成",
    "充值成功",
    "提现已到账",
    "已全额退款",
    "已领取",
}
_PENDING = {"朋友未收钱", "对方未收款", "待对方确认收款", "支付中", "处理中", "等待付款", "待支付"}
_CLOSED = {"对方已退还", "已退还", "提现失败，已退回零钱", "支付失败", "已关闭", "已退回"}
_PARTIAL = re.compile(r"^已退款\s*[(（]?\s*[¥￥]?\s*([\d,]+(?:\.\d{1,2})?)\s*[)）]?$")
_FEE = re.compile(r"服务费\s*[¥￥]?\s*([\d,]+(?:\.\d{1,2})?)")
_PERIOD = re.compile(r"起始时间[:：]\s*\[([\d\-: ]+)\].*?终止时间[:：]\s*\[([\d\-: ]+)\]")


def sniff(table: Table) -> str | None:
    head = "\n".join(table.text_lines(20))
    if "微信支付" not in head or find_header(table, COLUMNS) is None:
        return None
    return "wechat-xlsx" if table.kind == "xlsx" else "wechat-csv"


def read(table: Table, layout: str) -> BillFile:
    check_not_cut(table, "WeChat Pay bill")
    header = find_header(table, COLUMNS)
    if header is None:
        raise UsageError(f"{table.path} is a WeChat Pay file without its table header")
    kind = ".xlsx" if layout == "wechat-xlsx" else f"CSV, {table.encoding.upper()}"
    bill = BillFile("wechat", layout, f"WeChat Pay bill ({kind})")
    for line in table.text_lines(20):
        m = _PERIOD.search(line)
        if m:
            try:
                bill.period = (parse_time(m[1]).date(), parse_time(m[2]).date())
            except CellError:
                pass
            break
    rows = table.rows[header.index + 1 :]
    for position, (line, cells) in enumerate(rows):
        if cells and cells[0].startswith("---"):
            break
        if len(cells) < 9:
            if position == len(rows) - 1:
                raise UsageError(f"{table.path} is cut short: line {line} ends mid-row")
            raise UsageError(f"{table.path} line {line} has {len(cells)} fields; the header has 11")
        try:
            bill.rows.append(_row(header, cells, line))
        except CellError as exc:
            raise UsageError(f"{table.path} line {line}: {exc}") from None
    check_count(table, header, len(bill.rows), "WeChat Pay bill")
    if not bill.rows:
        raise UsageError(f"{table.path} is a WeChat Pay bill with no transactions in it")
    return bill


def _row(h: Header, cells: list[str], line: int) -> BillRow:
    kind = blank(h.cell(cells, "交易类型"))
    status = h.cell(cells, "当前状态")
    said = h.cell(cells, "收/支")
    direction = {"支出": EXPENSE, "收入": INCOME}.get(said, NEUTRAL)
    amount = abs(parse_money(h.cell(cells, "金额(元)")))
    txn = blank(h.cell(cells, "交易单号"))
    if not txn:
        raise CellError("the transaction has no 交易单号")
    if status in _DONE or _PARTIAL.match(status):
        state = DONE
    elif status in _PENDING:
        state = PENDING
    elif status in _CLOSED:
        state = CLOSED
    else:
        state = PENDING
    refunded = Decimal(0)
    refund = kind.endswith("-退款") or kind == "退款"
    if refund:
        direction = INCOME
    elif status == "已全额退款":
        refunded = amount
    elif m := _PARTIAL.match(status):
        refunded = min(amount, Decimal(m[1].replace(",", "")))
    note = blank(h.cell(cells, "备注"))
    fee = Decimal(0)
    if m := _FEE.search(note):
        fee = Decimal(m[1].replace(",", ""))
        if direction == NEUTRAL and amount > fee:
            amount -= fee  # a withdrawal's amount includes its fee
    payee = blank(h.cell(cells, "交易对方"))
    if kind.startswith("微信红包") and payee.startswith("发给"):
        payee = payee[2:]
    if state == PENDING and status not in _PENDING:
        note = f"status {status!r} not understood"
    return BillRow(
        source="wechat",
        txn_id=txn,
        line=line,
        time=parse_time(h.cell(cells, "交易时间")),
        direction=direction,
        amount=amount,
        payee=payee,
        goods=blank(h.cell(cells, "商品")),
        method=blank(h.cell(cells, "支付方式")),
        status=status,
        state=state,
        hint=kind,
        merchant_id=blank(h.cell(cells, "商户单号")),
        note=note,
        fee=fee,
        refunded=refunded,
        refund=refund,
    )
