"""What each bill row does to the ledger, as its export means it.

For every row of a file, one ``Decision``:

* ``book``: an expense or an income entry (its amount may be a fee on top of a row
  that is itself not booked);
* ``void``: a purchase refunded in full together with its refunds: nothing moved, so
  neither is booked; the purchase is still remembered, so a refund that arrives in a
  later export finds it and is voided too;
* ``skip`` with a reason: not paid yet, closed, money between the user's own accounts
  (不计收支, 中性交易, a bank's ATM withdrawal or card repayment), already imported, or the
  same payment already imported from the other side (a card payment through Alipay is in
  both the Alipay bill and the bank statement).

A refund is matched to its purchase: by number when the export gives one (Alipay's
``<purchase>_<refund>``), else by payee and amount, earlier, within 180 days (WeChat
Pay and banks do not link them). A partial refund books the purchase and the refund
(income, category refund, linked to the purchase so that budgets net it out).

``Known`` answers what earlier imports left in the ledger; ``store.LedgerKnowledge`` is
the real one.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Protocol

from skills.bookkeeping.bills.rows import (
    CLOSED,
    DONE,
    EXPENSE,
    INCOME,
    NEUTRAL,
    PENDING,
    BillFile,
    BillRow,
)

BOOK = "book"
VOID = "void"
SKIP = "skip"

REFUND_WINDOW = dt.timedelta(days=180)
MIRROR_WINDOW = dt.timedelta(days=2)  # a bank books a card payment a day or two later


@dataclass(frozen=True)
class Link:
    """A row an earlier import remembered."""

    source: str
    txn_id: str
    entry_id: int | None
    role: str  # added, merged, void, mirror
    amount: Decimal
    direction: str
    occurred: dt.datetime
    payee: str = ""
    method: str = ""


class Known(Protocol):
    def link(self, source: str, txn_id: str) -> Link | None: ...

    def purchase_by_payee(
        self, source: str, payee: str, amount: Decimal, before: dt.datetime
    ) -> Link | None: ...

    def mirror(self, row: BillRow, channel: str) -> Link | None: ...


class NothingKnown:
    """A ledger with no earlier imports."""

    def link(self, source: str, txn_id: str) -> Link | None:
        return None

    def purchase_by_payee(
        self, source: str, payee: str, amount: Decimal, before: dt.datetime
    ) -> Link | None:
        return None

    def mirror(self, row: BillRow, channel: str) -> Link | None:
        return None


@dataclass
class Decision:
    row: BillRow
    action: str  # BOOK, VOID or SKIP
    kind: str = ""  # expense or income, for BOOK
    amount: Decimal = Decimal(0)
    txn_id: str = ""  # the id the ledger keeps (the row's, or derived for a fee)
    reason: str = ""
    refund_of: str = ""  # the purchase's txn_id (in this file or an earlier import)
    refund_of_entry: int | None = None  # the purchase's ledger entry, imported earlier
    fee: bool = False
    mirror_of: Link | None = None  # skipped as the other side of an imported payment

    def __post_init__(self) -> None:
        if not self.txn_id:
            self.txn_id = self.row.txn_id


@dataclass
class Outcome:
    decisions: list[Decision] = field(default_factory=list)

    def booked(self) -> list[Decision]:
        return [d for d in self.decisions if d.action == BOOK]

    def count(self, action: str) -> int:
        return sum(1 for d in self.decisions if d.action == action)


# -- bank rows: transfers between the user's own accounts, and the wallet a row went through

_CHANNELS = (
    ("alipay", re.compile(r"支付宝|alipay|蚂蚁", re.IGNORECASE)),
    ("wechat", re.compile(r"财付通|微信|tenpay|wechat", re.IGNORECASE)),
)
_OWN_TRANSFER = re.compile(
    r"余额宝|零钱通|零钱充值|零钱提现|余额充值|充值|提现|花呗|信用卡还款|自动还款|还款|转入本人|本人账户"
    r"|ATM|取款|取现|存现|存款|理财|基金|赎回|申购|定期|转存|银证转账"
)
_CARD = re.compile(r"银行|储蓄卡|信用卡|借记卡|\(\d{4}\)|（\d{4}）")
_REFUND_WORDS = re.compile(r"退款|退货|冲正|撤销")


def channel_of(row: BillRow) -> str | None:
    """The wallet a bank row went through (支付宝-…, 财付通-…), if any."""
    if not row.source.startswith("bank:"):
        return None
    text = f"{row.payee} {row.goods}"
    for name, pattern in _CHANNELS:
        if pattern.search(text):
            return name
    return None


def _bank_transfer(row: BillRow, own_names: Sequence[str]) -> str | None:
    text = f"{row.payee} {row.goods}"
    if any(name and name in row.payee for name in own_names):
        return "a transfer between your own accounts"
    if _OWN_TRANSFER.search(text) and not _REFUND_WORDS.search(text):
        m = _OWN_TRANSFER.search(text)
        return f"a transfer between your own accounts ({m[0] if m else ''})"
    return None


def _paid_by_card(row: BillRow) -> bool:
    return bool(_CARD.search(row.method))


def _same_payee(a: str, b: str) -> bool:
    a, b = a.strip(), b.strip()
    return bool(a) and (a == b or a in b or b in a)


# -- the decisions ----------------------------------------------------------------------


def decide(bill: BillFile, known: Known | None = None, *, own_names: Sequence[str] = ()) -> Outcome:
    known = known or NothingKnown()
    rows = sorted(bill.rows, key=lambda r: (r.time, r.line))
    decisions: dict[int, Decision] = {}
    extra: list[Decision] = []
    seen: set[str] = set()
    by_id: dict[str, int] = {}
    live: list[int] = []

    for i, row in enumerate(rows):
        if row.txn_id in seen:
            decisions[i] = Decision(
                row, SKIP, reason="the same transaction appears twice in the file"
            )
            continue
        seen.add(row.txn_id)
        by_id[row.txn_id] = i
        earlier = known.link(row.source, row.txn_id)
        if earlier is not None:
            what = f"#{earlier.entry_id}" if earlier.entry_id else earlier.role
            decisions[i] = Decision(row, SKIP, reason=f"already imported ({what})")
            continue
        if row.state == PENDING:
            why = row.note if "not understood" in row.note else f"not paid yet ({row.status})"
            decisions[i] = Decision(row, SKIP, reason=why)
            continue
        live.append(i)

    # refunds and the purchases they belong to
    refunds_of: dict[int, list[int]] = defaultdict(list)
    earlier_purchase: dict[int, Link] = {}
    for i in live:
        row = rows[i]
        if not row.refund:
            continue
        purchase = _purchase_in_file(row, i, rows, live, by_id)
        if purchase is not None:
            refunds_of[purchase].append(i)
            continue
        link = None
        if row.refund_of:
            link = known.link(row.source, row.refund_of)
        if link is None:
            link = known.purchase_by_payee(row.source, row.payee, row.amount, row.time)
        if link is not None:
            earlier_purchase[i] = link

    handled: set[int] = set()
    for purchase, refund_rows in refunds_of.items():
        p = rows[purchase]
        back = sum((rows[j].amount for j in refund_rows), Decimal(0))
        full = p.state == CLOSED or back >= p.amount or p.refunded >= p.amount
        if full:
            decisions[purchase] = Decision(p, VOID, reason="refunded in full")
            for j in refund_rows:
                decisions[j] = Decision(
                    rows[j],
                    VOID,
                    reason="refund of a purchase refunded in full",
                    refund_of=p.txn_id,
                )
        else:
            for j in refund_rows:
                decisions[j] = Decision(
                    rows[j],
                    BOOK,
                    INCOME,
                    rows[j].amount,
                    reason="partial refund",
                    refund_of=p.txn_id,
                )
        handled.update(refund_rows)
        if full:
            handled.add(purchase)

    for i in live:
        if i in handled or i in decisions:
            continue
        row = rows[i]
        if row.refund:
            link = earlier_purchase.get(i)
            if link is not None and link.role == "void":
                decisions[i] = Decision(
                    row, VOID, reason="its purchase was refunded in full", refund_of=link.txn_id
                )
            elif link is not None:
                decisions[i] = Decision(
                    row,
                    BOOK,
                    INCOME,
                    row.amount,
                    reason="refund",
                    refund_of=link.txn_id,
                    refund_of_entry=link.entry_id,
                )
            else:
                decisions[i] = Decision(
                    row, BOOK, INCOME, row.amount, reason="refund (its purchase is not in Ting)"
                )
            continue
        if row.state == CLOSED:
            if row.refunded >= row.amount or (
                row.method and row.source == "alipay" and row.direction == EXPENSE
            ):
                decisions[i] = Decision(row, VOID, reason=f"closed after payment ({row.status})")
            else:
                decisions[i] = Decision(row, SKIP, reason=f"closed, no money moved ({row.status})")
            continue
        if row.direction == NEUTRAL:
            decisions[i] = Decision(row, SKIP, reason=_neutral_reason(row))
        elif row.refunded >= row.amount > 0:
            decisions[i] = Decision(row, VOID, reason=f"refunded in full ({row.status})")
        else:
            reason = _bank_transfer(row, own_names) if row.source.startswith("bank:") else None
            if reason:
                decisions[i] = Decision(row, SKIP, reason=reason)
            else:
                decisions[i] = Decision(row, BOOK, row.direction, row.amount)
                if bill.layout == "alipay-web" and 0 < row.refunded < row.amount:
                    # the older layout keeps a part refund on the purchase row itself
                    extra.append(
                        Decision(
                            replace(row, refund=True, direction=INCOME, goods=f"退款-{row.goods}"),
                            BOOK,
                            INCOME,
                            row.refunded,
                            txn_id=f"{row.txn_id}:refund",
                            reason="partial refund",
                            refund_of=row.txn_id,
                        )
                    )
        if row.fee > 0 and row.state == DONE:
            extra.append(
                Decision(
                    replace(
                        row, payee=row.payee, goods=f"服务费 {row.goods}".strip(), direction=EXPENSE
                    ),
                    BOOK,
                    EXPENSE,
                    row.fee,
                    txn_id=f"{row.txn_id}:fee",
                    reason="service fee",
                    fee=True,
                )
            )

    # the other side of a payment already imported from the wallet or the bank
    for i, d in list(decisions.items()):
        if d.action != BOOK:
            continue
        row = d.row
        channel = channel_of(row)
        if channel is None and row.source in ("alipay", "wechat") and _paid_by_card(row):
            channel = "bank"
        if channel is None:
            continue
        mirror = known.mirror(row, channel)
        if mirror is not None:
            name = {
                "alipay": "the Alipay bill",
                "wechat": "the WeChat Pay bill",
                "bank": "a bank statement",
            }[channel]
            what = f" (#{mirror.entry_id})" if mirror.entry_id else f" ({mirror.role})"
            decisions[i] = Decision(
                row, SKIP, reason=f"already imported from {name}{what}", mirror_of=mirror
            )

    # a fee or a part refund split off a row is remembered under its own id
    for n, d in enumerate(extra):
        earlier = known.link(d.row.source, d.txn_id)
        if earlier is not None:
            extra[n] = Decision(
                d.row, SKIP, txn_id=d.txn_id, reason=f"already imported (#{earlier.entry_id})"
            )
    return Outcome([decisions[i] for i in sorted(decisions)] + extra)


def _purchase_in_file(
    refund: BillRow, index: int, rows: list[BillRow], live: list[int], by_id: dict[str, int]
) -> int | None:
    if refund.refund_of:
        j = by_id.get(refund.refund_of)
        if j is not None and j in live and j != index:
            return j
    best = None
    for j in live:
        p = rows[j]
        if j == index or p.refund or p.direction != EXPENSE or p.source != refund.source:
            continue
        if p.time > refund.time or refund.time - p.time > REFUND_WINDOW or p.amount < refund.amount:
            continue
        same_order = bool(refund.merchant_id) and refund.merchant_id.rstrip("R") == p.merchant_id
        alike = p.refunded > 0 or p.goods == refund.goods or refund.source.startswith("bank:")
        later = best is None or rows[best].time < p.time
        if (same_order or (_same_payee(p.payee, refund.payee) and alike)) and later:
            best = j
    return best


def _neutral_reason(row: BillRow) -> str:
    text = f"{row.hint} {row.payee} {row.goods}"
    if re.search(r"理财|基金|收益|投资", text):
        return (
            "investment, not spending (不计收支)"
            if row.source == "alipay"
            else "investment, not spending"
        )
    label = (
        "不计收支"
        if row.source == "alipay"
        else "中性交易"
        if row.source == "wechat"
        else "neutral"
    )
    return f"money between your own accounts ({label})"
