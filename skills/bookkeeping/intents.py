"""What a bookkeeping sentence asks for: record, undo, correct the last entry, or a question.

Pure functions over text and ``today``; the skill shell acts on the answers.

* Undo: 撤销刚才那笔, 撤回, 删掉刚才那笔, undo that, delete the last one, scratch that.
* Correction of the last entry: 不对，是四十五 / no, it was 45 (amount), 改成交通 / change
  it to transport (category), 改成昨天 (date), 改成收入 (kind). A name that is no
  category is refused with the list of categories.
* Question: 这个月吃饭花了多少, how much did I spend on transport last week, 上个月收入多少:
  a kind, an optional category and a period (this month when none is said), answered
  with SQL by the ledger.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from assistant.errors import UsageError
from skills.bookkeeping.amounts import find_amounts
from skills.bookkeeping.dates import Period, find_dates, find_period, month_period
from skills.bookkeeping.lexicon import (
    CATEGORY_NAMES,
    EXPENSE_CATEGORIES,
    INCOME_CATEGORIES,
    best_hit,
    category_from_name,
    keyword_hits,
)
from skills.bookkeeping.parser import check_amount, normalise

_UNDO = re.compile(
    r"^\s*(?:请|帮我)?(?:撤销|撤回)"
    r"|^\s*(?:请|帮我)?(?:删掉|删除|取消|去掉)(?:刚才|刚刚|上一笔|最后一笔|那笔|这笔)"
    r"|(?:刚才|上一笔|刚刚)那?笔?(?:不要了|删了|作废|记错了，?删掉)"
    r"|^\s*(?:please\s+)?undo\b"
    r"|^\s*(?:please\s+)?(?:scratch|cancel|delete|remove)\s+"
    r"(?:that|it|this|the\s+last(?:\s+(?:one|entry|expense|item))?)\s*[.!]?\s*$",
    re.IGNORECASE,
)
_CORRECTION = re.compile(
    r"^\s*(?:(?:不对|不是|错了|搞错了|说错了|更正|纠正|等等)[，,。!！\s]*)*"
    r"(?:应该是|其实是|是|改成|改为|改一下|换成|分类改成|类别改成|日期改成|"
    r"(?:把)?(?:刚才|上一笔|最后一笔)(?:那笔)?(?:改成|改为|是))"
    r"|^\s*(?:不对|不是|错了|搞错了|说错了)"
    r"|^\s*(?:no|nope|wait|sorry|oops|actually|correction)\b[,.!\s]*"
    r"(?:(?:it|that)\s+(?:was|is|should\s+be)|it's|that's|make\s+it|change\s+(?:it|that)\s+to)?"
    r"|^\s*(?:change|make|set)\s+(?:it|that|the\s+last(?:\s+one)?)(?:\s+(?:to|into)\b)?",
    re.IGNORECASE,
)
_QUESTION = re.compile(
    r"多少|几块|几多|花了几|总共花|一共花|支出情况|收支|how\s+much|how\s+many|what\s+did\s+i\s+spend"
    r"|\btotal\b|\bsum\b|spent\s+so\s+far",
    re.IGNORECASE,
)
_INCOME_QUESTION = re.compile(
    r"收入|赚了?|进账|入账|挣|\bincome\b|\bearn(?:ed)?\b|\bmade\b|\breceived?\b|\bgot\s+paid\b",
    re.IGNORECASE,
)
_CATEGORY_FILLER = re.compile(
    r"类别|分类|类|这一类|category|the|it|to|into|was|is|改成|改为|换成|应该是|是|一类|那笔|这笔",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Correction:
    changes: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Question:
    kind: str
    category: str | None
    period: Period


def is_undo(text: str) -> bool:
    return bool(_UNDO.search(normalise(text))) and not find_amounts(text)


def parse_correction(text: str, today: dt.date) -> Correction | None:
    """The change to the last entry, or None if this is no correction.

    Raises ``UsageError`` when it is a correction but names nothing usable."""
    text = normalise(text)
    m = _CORRECTION.match(text)
    if not m:
        return None
    rest = text[m.end() :].strip(" ，,。.!！")
    if not rest:
        if m.group(0).strip():
            raise UsageError(
                "what should the last entry be instead? say e.g. 不对，是四十五 or 改成交通"
            )
        return None
    changes: dict[str, Any] = {}
    dates = find_dates(rest, today)
    masked = rest
    for d in dates:
        masked = masked[: d.start] + " " * (d.end - d.start) + masked[d.end :]
    if dates:
        changes["date"] = dates[0].date.isoformat()
    amounts = [a for a in find_amounts(masked) if a.strength >= 1]
    if amounts:
        a = amounts[0]
        if a.problem:  # 不对，是四百多: a correction is held to the same rule as an entry
            raise UsageError(a.problem)
        if a.negative:
            raise UsageError("the amount cannot be negative")
        check_amount(a.value, masked[a.start : a.end].strip())
        changes["amount"] = a.value
        if a.currency:
            changes["currency"] = a.currency
        masked = masked[: a.start] + " " * (a.end - a.start) + masked[a.end :]
    words = _CATEGORY_FILLER.sub(" ", masked).strip(" ，,。.!！")
    if re.fullmatch(r"\s*(?:收入|income)\s*", words, re.IGNORECASE):
        changes["kind"] = "income"
        changes["category"] = "other"
        words = ""
    elif re.fullmatch(r"\s*(?:支出|开销|expense)\s*", words, re.IGNORECASE):
        changes["kind"] = "expense"
        changes["category"] = "other"
        words = ""
    if words:
        category = find_category_mention(words)
        if category is None:
            if changes:
                return Correction(changes)
            allowed = ", ".join(EXPENSE_CATEGORIES)
            raise UsageError(f"{words!r} is not a category I know (categories: {allowed})")
        changes["category"] = category
    if not changes:
        return None
    return Correction(changes)


def find_category_mention(text: str, kind: str | None = None) -> str | None:
    """A category named or implied in ``text`` (交通, transport, 吃饭, uber), or None."""
    whole = category_from_name(text, kind)
    if whole is not None:
        return whole
    low = text.lower()
    allowed = (
        EXPENSE_CATEGORIES
        if kind == "expense"
        else INCOME_CATEGORIES
        if kind == "income"
        else EXPENSE_CATEGORIES + INCOME_CATEGORIES
    )
    for category in allowed:
        if category != "other" and re.search(rf"(?<![a-z]){category}(?![a-z])", low):
            return category
    for name in sorted(CATEGORY_NAMES, key=len, reverse=True):
        target = CATEGORY_NAMES[name]
        if target not in allowed:
            continue
        if name.isascii():
            if re.search(rf"(?<![a-z]){re.escape(name)}(?![a-z])", low):
                return target
        elif name in text:
            return target
    for table in ("expense", "income") if kind is None else (kind,):
        # the broad lexicon may name a category, but never "other" ("改成宠物" is refused)
        hits = [h for h in keyword_hits(text, table) if h.core or h.category != "other"]
        hit = best_hit(hits)
        if hit is not None and hit.category in allowed:
            return hit.category
    return None


def parse_question(text: str, today: dt.date) -> Question | None:
    text = normalise(text)
    if not _QUESTION.search(text):
        return None
    if any(a.strength >= 2 for a in find_amounts(text)):
        return None  # "午饭花了35，一共多少" is not a pure question; record it
    kind = "income" if _INCOME_QUESTION.search(text) else "expense"
    topic = _INCOME_QUESTION.sub(" ", text) if kind == "income" else text
    category = find_category_mention(topic, kind)
    if kind == "income" and category is None:
        salary = find_category_mention(text, "income")
        category = salary if salary not in (None, "other") else None
    period = find_period(text, today) or month_period(today.year, today.month)
    return Question(kind, category, period)
