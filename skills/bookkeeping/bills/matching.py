"""Which imported bill row is the same money as an entry the user said.

A row and a spoken entry can be the same only if they agree on kind (expense/income),
currency and amount to the cent, and their dates are at most two days apart (said
"yesterday" after midnight, said on Sunday for Friday). Among those, a score says how
alike they are:

* the category: the row's (``categories``) equal to the entry's counts +2 when the row's
  is sure (a product or brand named, or the user's own past choice), +1 when it is only
  suggested (the export's category, a shop that sells everything); a sure category that
  differs is a conflict (a taxi is not a coffee) unless the words agree;
* the words: the entry's item found in the payee, goods or type text (咖啡 in 瑞幸咖啡,
  房租 in "转账 10月房租") counts +2;
* the date: same day +1, a day apart +0.5;
* the time of a meal: 早饭, 午饭, 晚饭, 夜宵 (breakfast, lunch, dinner) at a time that fits
  +1, at one that does not -1.5 (lunch and dinner of one amount on one day).

Pairs are taken best first, each row and each entry once. A pair is merged without asking
(``sure``) when its score is at least 3, its dates at most a day apart and no other
pairing of either side comes within 0.5; any other compatible pair is shown for a yes/no.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from skills.bookkeeping.bills.categories import MEMORY, STRONG, WEAK, Categorised

WINDOW_DAYS = 2
SURE_SCORE = 3.0
SURE_MARGIN = 0.5
ASK_SCORE = 0.5

_MEALS: tuple[tuple[re.Pattern[str], tuple[int, int]], ...] = (
    (re.compile(r"早饭|早餐|早点|breakfast", re.IGNORECASE), (5, 11)),
    (re.compile(r"午饭|午餐|中饭|中午饭|lunch", re.IGNORECASE), (10, 15)),
    (re.compile(r"晚饭|晚餐|dinner|supper", re.IGNORECASE), (16, 23)),
    (re.compile(r"夜宵|宵夜|late[- ]night", re.IGNORECASE), (20, 28)),
)
_CJK = re.compile(r"[\u4e00-\u9fff]+")
_WORD = re.compile(r"[a-z]{3,}")
_STOP = {"the", "and", "for", "from", "paid", "yuan", "with"}


@dataclass(frozen=True)
class RowSide:
    """An imported row as the matcher sees it."""

    key: str  # unique within one import
    kind: str
    amount: Decimal
    currency: str
    time: dt.datetime
    text: str  # payee, goods and the export's type, for the words
    category: Categorised


@dataclass(frozen=True)
class EntrySide:
    """A spoken (or typed) ledger entry no bill row has claimed."""

    id: int
    kind: str
    amount: Decimal
    currency: str
    date: dt.date
    category: str
    item: str


@dataclass(frozen=True)
class Match:
    row_key: str
    entry_id: int
    score: float
    sure: bool
    why: str


def words_agree(item: str, text: str) -> bool:
    item, text = item.strip().lower(), text.lower()
    if not item:
        return False
    for run in _CJK.findall(item):
        if run in text:
            return True
        if any(run[i : i + 2] in text for i in range(len(run) - 1)):
            return True
    return any(w in text for w in _WORD.findall(item) if w not in _STOP)


def _meal_fit(item: str, time: dt.datetime) -> float:
    for pattern, (lo, hi) in _MEALS:
        if pattern.search(item):
            hour = time.hour + (24 if time.hour < lo and hi > 24 else 0)
            return 1.0 if lo <= hour < hi else -1.5
    return 0.0


def score(row: RowSide, entry: EntrySide) -> tuple[float, str] | None:
    """How alike the two are, with the reasons; None when they cannot be the same."""
    if row.kind != entry.kind or row.currency != entry.currency or row.amount != entry.amount:
        return None
    days = abs((row.time.date() - entry.date).days)
    if days > WINDOW_DAYS:
        return None
    agree = words_agree(entry.item, row.text)
    cat = row.category
    total = 0.0
    why: list[str] = []
    if entry.category == cat.category and cat.strength in (MEMORY, STRONG):
        total += 2
        why.append(f"both {cat.category}")
    elif entry.category == cat.category and cat.strength == WEAK:
        total += 1
        why.append(f"{cat.category} (suggested)")
    elif cat.strength in (MEMORY, STRONG) and entry.category != "other" and not agree:
        return None  # a different thing of the same amount
    if agree:
        total += 2
        why.append(f"{entry.item!r} in {row.text.strip()!r}")
    total += {0: 1.0, 1: 0.5}.get(days, 0.0)
    why.append("same day" if days == 0 else f"{days} day{'s' if days > 1 else ''} apart")
    meal = _meal_fit(entry.item, row.time)
    if meal:
        total += meal
        why.append(f"{row.time:%H:%M} {'fits' if meal > 0 else 'does not fit'} {entry.item!r}")
    return total, ", ".join(why)


def match(rows: Sequence[RowSide], entries: Sequence[EntrySide]) -> list[Match]:
    """One-to-one pairs, best first; ``sure`` ones merge, the rest are asked about."""
    pairs: list[tuple[float, int, str, int, str]] = []
    by_row: dict[str, list[tuple[float, int]]] = {}
    by_entry: dict[int, list[tuple[float, str]]] = {}
    alike: dict[tuple[str, str, Decimal], list[EntrySide]] = {}
    for entry in entries:
        alike.setdefault((entry.kind, entry.currency, entry.amount), []).append(entry)
    for row in rows:
        for entry in alike.get((row.kind, row.currency, row.amount), ()):
            found = score(row, entry)
            if found is None:
                continue
            value, why = found
            days = abs((row.time.date() - entry.date).days)
            pairs.append((value, days, row.key, entry.id, why))
            by_row.setdefault(row.key, []).append((value, entry.id))
            by_entry.setdefault(entry.id, []).append((value, row.key))
    pairs.sort(key=lambda p: (-p[0], p[1], p[2], p[3]))
    taken_rows: set[str] = set()
    taken_entries: set[int] = set()
    out: list[Match] = []
    for value, days, row_key, entry_id, why in pairs:
        if row_key in taken_rows or entry_id in taken_entries or value < ASK_SCORE:
            continue
        taken_rows.add(row_key)
        taken_entries.add(entry_id)
        rivals = [v for v, other in by_row[row_key] if other != entry_id]
        rivals += [v for v, other in by_entry[entry_id] if other != row_key]
        clear = all(value - r >= SURE_MARGIN for r in rivals)
        sure = value >= SURE_SCORE and days <= 1 and clear
        out.append(Match(row_key, entry_id, round(value, 2), sure, why))
    return out


def row_side(key: str, row: object, category: Categorised, kind: str, amount: Decimal) -> RowSide:
    """The matcher's view of a bill row (``rows.BillRow``) about to be booked."""
    text = " ".join(
        t
        for t in (getattr(row, "payee", ""), getattr(row, "goods", ""), getattr(row, "hint", ""))
        if t
    )
    return RowSide(
        key=key,
        kind=kind,
        amount=amount,
        currency=getattr(row, "currency", "CNY"),
        time=getattr(row, "time"),  # noqa: B009 (any object with the row's fields)
        text=text,
        category=category,
    )
