"""One row of a bill export, as the export means it, before Ting decides what it does."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

EXPENSE = "expense"
INCOME = "income"
NEUTRAL = "neutral"  # 不计收支 / 中性交易 / "/": money moved between the user's own accounts

DONE = "done"
PENDING = "pending"  # not paid yet (等待付款, 支付中, 朋友未收钱)
CLOSED = "closed"  # never paid, or paid and given back (交易关闭, 对方已退还)


@dataclass(frozen=True)
class BillRow:
    source: str  # "alipay", "wechat" or "bank:<profile id>"
    txn_id: str  # the export's transaction id (a bank row without one: a content hash)
    line: int  # where it is in the file, for messages
    time: dt.datetime
    direction: str  # EXPENSE, INCOME or NEUTRAL, as the export's own column says
    amount: Decimal  # positive, the export's amount
    currency: str = "CNY"
    payee: str = ""
    goods: str = ""
    method: str = ""  # how it was paid (零钱, 余额宝, 招商银行(1234), ...)
    status: str = ""  # the export's status text, as printed
    state: str = DONE
    hint: str = ""  # the export's own category or type (餐饮美食, 商户消费, 代发工资)
    merchant_id: str = ""
    note: str = ""
    fee: Decimal = Decimal(0)  # a service fee charged on top (服务费)
    refunded: Decimal = Decimal(0)  # how much of this purchase the export says came back
    refund: bool = False  # this row is money coming back for an earlier purchase
    refund_of: str = ""  # the purchase's txn_id when the export tells it

    @property
    def date(self) -> dt.date:
        return self.time.date()

    def describe(self) -> str:
        """How the row reads in a preview: date, payee, goods."""
        parts = [self.time.strftime("%Y-%m-%d %H:%M")]
        for text in (self.payee, self.goods):
            if text and text not in parts:
                parts.append(text)
        return " ".join(parts)


@dataclass
class BillFile:
    source: str  # "alipay", "wechat", "bank"
    layout: str  # e.g. "alipay-2023", "alipay-web", "wechat-csv", "wechat-xlsx", "bank-csv"
    label: str  # for people: "Alipay bill (current layout, GBK)"
    rows: list[BillRow] = field(default_factory=list)
    period: tuple[dt.date, dt.date] | None = None
    skipped_lines: int = 0  # footer and blank lines inside the table that are not rows


class CellError(ValueError):
    """A cell that does not hold what its column promises."""


_MONEY_JUNK = str.maketrans("", "", "¥￥,，$ 元\u00a0+")


def parse_money(text: str) -> Decimal:
    """ "¥12.50", "￥1,200.00", "-1,000.00", "12.5" → a Decimal (the sign kept)."""
    cleaned = text.strip().translate(_MONEY_JUNK)
    negative = cleaned.startswith(("-", "−"))
    cleaned = cleaned.lstrip("-−")
    if (
        not cleaned
        or not all(ch.isdigit() or ch == "." for ch in cleaned)
        or cleaned.count(".") > 1
    ):
        raise CellError(f"{text!r} is not an amount")
    value = Decimal(cleaned)
    if value != value.quantize(Decimal("0.01")):
        raise CellError(f"{text!r} has more than 2 decimals")
    return -value if negative else value


_TIME_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%Y%m%d",
    "%Y.%m.%d",
    "%Y年%m月%d日",
)


_DAY_FIRST = ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y", "%d.%m.%Y", "%d-%m-%Y")
_MONTH_FIRST = ("%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M", "%m/%d/%Y", "%m-%d-%Y")


def parse_time(text: str, clock: str = "", *, order: str = "ymd") -> dt.datetime:
    """A date or date-time cell (and an optional separate time cell) → a datetime.

    ``order`` ("ymd", "dmy" or "mdy") says how a bank writes 03/11/2026."""
    text = " ".join(text.split())
    extra = _DAY_FIRST if order == "dmy" else _MONTH_FIRST if order == "mdy" else ()
    for fmt in extra:
        try:
            return dt.datetime.strptime(f"{text} {clock.strip()}".strip(), fmt)
        except ValueError:
            continue
    if clock.strip():
        text = f"{text} {clock.strip()}"
    for fmt in _TIME_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt)
        except ValueError:
            continue
    if clock.strip():
        return parse_time(text.rsplit(" ", 1)[0], order=order)
    raise CellError(f"{text!r} is not a date")


def blank(text: str) -> str:
    """The exports write "/" for "nothing here"."""
    return "" if text.strip() in ("/", "-", "--") else text.strip()
