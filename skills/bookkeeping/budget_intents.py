"""Spoken budgets and recurring entries: pure functions over text and ``today``.

* Set a budget: 把餐饮预算设成两千, 餐饮预算两千, 交通预算改成五百块, set my food budget to
  2000, travel budget 3000 a month.
* Ask about one: 这个月餐饮预算还剩多少, 上个月交通预算超了吗, 预算情况, how much of my travel
  budget is left, budget status.
* A recurring entry: 每月一号房租四千五, 每个月15号还房贷三千二, every month on the 1st rent
  4500, rent 4500 on the 1st of every month.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal

from assistant.errors import UsageError
from skills.bookkeeping.amounts import find_amounts
from skills.bookkeeping.dates import find_period
from skills.bookkeeping.intents import find_category_mention
from skills.bookkeeping.lexicon import EXPENSE_CATEGORIES
from skills.bookkeeping.numerals import chinese_to_int
from skills.bookkeeping.parser import ExpenseParser, ParsedEntry, check_amount, normalise


@dataclass(frozen=True)
class BudgetSet:
    category: str
    amount: Decimal
    currency: str | None


@dataclass(frozen=True)
class BudgetQuery:
    category: str | None  # None: every budget
    day: dt.date  # a day in the month asked about


@dataclass(frozen=True)
class RecurringRequest:
    day: int
    entry: ParsedEntry


_BUDGET = re.compile(r"预算|\bbudget(?:s|ed)?\b", re.IGNORECASE)
_ASKING = re.compile(
    r"还剩|剩下|剩余|剩多少|还有多少|还能花|用了多少|花了多少|用掉|超了|超支|超出|怎么样|情况|多少|[吗吧呢？?]$"
    r"|\bleft\b|\bremaining\b|\bhow much\b|\bstatus\b|\bover\b|\bused\b|\bspent\b|\bam i\b|\?$",
    re.IGNORECASE,
)
_SETTING = re.compile(
    r"设|定|改|调|是|为|\bset\b|\bmake\b|\bchange\b|\bto\b|\bat\b|\bof\b", re.IGNORECASE
)
_CATEGORY_FILLER = re.compile(
    r"把|将|给|我的|我|这个月|这月|本月|上个月|上月|下个月|每个月|每月|月度|的|预算|设成|设为|设置|改成|改为|"
    r"调成|调到|定为|定成|还剩|多少|剩下|\b(?:set|my|the|budget|to|for|monthly|a|month|per|how|much|of|is|left)\b",
    re.IGNORECASE,
)


def _category_near(text: str) -> str | None:
    words = _CATEGORY_FILLER.sub(" ", text)
    return find_category_mention(words, "expense")


def parse_budget(text: str, today: dt.date) -> BudgetSet | BudgetQuery | None:
    """A budget request, or None if ``text`` is not about a budget."""
    text = normalise(text).strip()
    if not _BUDGET.search(text):
        return None
    amounts = [a for a in find_amounts(text) if a.strength >= 1]
    category = _category_near(text)
    if amounts and not _ASKING.search(text.replace("多少钱", "")):
        a = amounts[0]
        if a.negative:
            raise UsageError("a budget cannot be negative")
        check_amount(a.value, text[a.start : a.end].strip())
        if (
            category is None
            or category == "other"
            and "其他" not in text
            and "other" not in text.lower()
        ):
            allowed = ", ".join(c for c in EXPENSE_CATEGORIES if c != "other")
            raise UsageError(
                f"which category is the budget for? (say e.g. 把餐饮预算设成两千; categories: {allowed}, other)"
            )
        return BudgetSet(category, a.value, a.currency)
    if amounts and _SETTING.search(text) and not _ASKING.search(text):
        return None
    period = find_period(text, today)
    return BudgetQuery(
        category if category != "other" or "其他" in text else None,
        period.start if period else today,
    )


_ZH_DAY = r"(\d{1,2}|[一二两三四五六七八九十]{1,3})\s*(?:号|日)"
_RECURRING = (
    re.compile(rf"每(?:个)?月(?:的)?\s*{_ZH_DAY}"),
    re.compile(r"每(?:个)?月(?:的)?\s*(月初|月底|月末)"),
    re.compile(r"\b(?:every|each)\s+month\s+on\s+the\s+(\d{1,2})(?:st|nd|rd|th)?\b", re.IGNORECASE),
    re.compile(
        r"\bon\s+the\s+(\d{1,2})(?:st|nd|rd|th)?\s+of\s+(?:every|each)\s+month\b", re.IGNORECASE
    ),
    re.compile(r"\bmonthly\s+on\s+the\s+(\d{1,2})(?:st|nd|rd|th)?\b", re.IGNORECASE),
)


def parse_recurring(text: str, today: dt.date, parser: ExpenseParser) -> RecurringRequest | None:
    """A monthly entry ("每月一号房租四千五"), or None if ``text`` names no day of the month."""
    text = normalise(text).strip()
    for pattern in _RECURRING:
        m = pattern.search(text)
        if not m:
            continue
        said = m[1]
        if said in ("月初",):
            day = 1
        elif said in ("月底", "月末"):
            day = 31
        else:
            day = int(said) if said.isdigit() else chinese_to_int(said)
        if not 1 <= day <= 31:
            raise UsageError(f"a month has no day {day}")
        rest = (text[: m.start()] + " " + text[m.end() :]).strip(" ，,。.")
        entries = parser.parse(rest, today)
        if len(entries) != 1:
            raise UsageError("a recurring entry is one amount, e.g. 每月一号房租四千五")
        return RecurringRequest(day, entries[0])
    return None


_IMPORT = re.compile(r"导入|导进|\bimport\b", re.IGNORECASE)
_BILL = re.compile(
    r"账单|流水|对账单|\bbills?\b|\bstatements?\b|\.(?:csv|xlsx|txt)\b", re.IGNORECASE
)
_PATH = re.compile(
    r"""(?:"([^"]+)"|'([^']+)'|((?:~|\.{0,2}/|[A-Za-z]:\\)\S+|\S+\.(?:csv|xlsx|txt)))""",
    re.IGNORECASE,
)


def parse_import(text: str) -> tuple[bool, str | None]:
    """(is this a request to import a bill, the file it names if any)."""
    if not (_IMPORT.search(text) and _BILL.search(text)):
        return False, None
    for m in _PATH.finditer(text):
        found = next(g for g in m.groups() if g)
        if "/" in found or "\\" in found or found.lower().endswith((".csv", ".xlsx", ".txt")):
            return True, found
    return True, None
