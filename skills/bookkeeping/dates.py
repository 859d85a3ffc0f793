"""Dates and periods said relative to ``today``, in Chinese and English.

Rules (all past-leaning, because one records what already happened):

* 今天/today 0, 昨天/昨晚/yesterday/last night −1, 前天/the day before yesterday −2,
  大前天 −3, N天前/N days ago −N.
* 上周五 / last Friday: the Friday of the previous Monday-based week (on a Saturday,
  "last Friday" is eight days back, not yesterday). 这周一/本周一/this Monday: that day of
  the current week, even if it is still ahead. A bare 周五/星期五/Friday/on Friday: the
  most recent Friday, today included.
* 11月3号, Nov 3, 3 November, 2024-11-03: that day; without a year, the most recent
  such day (in January, "Nov 3" is last year's). 3号/the 3rd: that day of this month, or
  of last month when it is still ahead.

Periods (for questions): 今天, 昨天, 这周/this week, 上周/last week, 这个月/this month
(the default), 上个月/last month, 今年/this year, 去年/last year, 最近N天/last N days,
N月/in March. A period is a pair of dates, both ends included.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from assistant.textmatch import EN_MONTHS as _EN_MONTHS
from skills.bookkeeping.numerals import NUMERAL_CHARS, chinese_to_int, english_words_to_int

_CN_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "七": 6}
_EN_WEEKDAYS = {
    "monday": 0,
    "mon": 0,
    "tuesday": 1,
    "tue": 1,
    "tues": 1,
    "wednesday": 2,
    "wed": 2,
    "thursday": 3,
    "thu": 3,
    "thurs": 3,
    "friday": 4,
    "fri": 4,
    "saturday": 5,
    "sat": 5,
    "sunday": 6,
    "sun": 6,
}

_NUM = rf"(?:\d{{1,2}}|[{NUMERAL_CHARS}]{{1,3}})"
_EN_WD = "|".join(sorted(_EN_WEEKDAYS, key=len, reverse=True))
_EN_MON = "|".join(sorted(_EN_MONTHS, key=len, reverse=True))
_EN_SMALL = (
    r"(?:\d{1,3}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|a couple of)"
)

_RELATIVE_DAYS = {
    "大前天": -3,
    "前天": -2,
    "前晚": -2,
    "昨天": -1,
    "昨日": -1,
    "昨晚": -1,
    "昨儿": -1,
    "昨早": -1,
    "今天": 0,
    "今日": 0,
    "今晚": 0,
    "今早": 0,
    "今儿": 0,
    "the day before yesterday": -2,
    "yesterday": -1,
    "last night": -1,
    "today": 0,
    "tonight": 0,
    "this morning": 0,
    "this afternoon": 0,
    "this evening": 0,
}

_DAY_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("iso", re.compile(r"(?<!\d)(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)")),
    (
        "cn_ymd",
        re.compile(rf"(?:(\d{{4}})年)?({_NUM})月({_NUM})[号日](?!线)"),
    ),
    ("cn_last_month_day", re.compile(rf"上个?月({_NUM})[号日](?!线)")),
    ("cn_day", re.compile(rf"(?<![\d月{NUMERAL_CHARS}])({_NUM})[号日](?![线子游])")),
    ("cn_days_ago", re.compile(rf"({_NUM})天(?:以)?前")),
    (
        "cn_weekday",
        re.compile(r"(上上|上|这|本|下)?(?:个)?(?:周|星期|礼拜)([一二三四五六日天七])"),
    ),
    (
        "relative",
        re.compile(
            "|".join(
                (re.escape(k) if not k.isascii() else rf"\b{re.escape(k)}\b")
                for k in sorted(_RELATIVE_DAYS, key=len, reverse=True)
            ),
            re.IGNORECASE,
        ),
    ),
    (
        "en_days_ago",
        re.compile(rf"\b({_EN_SMALL})\s+days?\s+ago\b", re.IGNORECASE),
    ),
    (
        "en_weekday",
        re.compile(rf"\b(?:(last|this|on|past)\s+)?({_EN_WD})\b\.?", re.IGNORECASE),
    ),
    (
        "en_month_day",
        re.compile(
            rf"\b(?:on\s+)?({_EN_MON})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+(\d{{4}}))?",
            re.IGNORECASE,
        ),
    ),
    (
        "en_day_month",
        re.compile(
            rf"\b(?:on\s+)?(?:the\s+)?(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({_EN_MON})\b(?:,?\s+(\d{{4}}))?",
            re.IGNORECASE,
        ),
    ),
    ("en_the_nth", re.compile(r"\bon\s+the\s+(\d{1,2})(?:st|nd|rd|th)\b", re.IGNORECASE)),
    (
        "weekend",
        re.compile(
            r"(上上|上|这|本)?(?:个)?(?:周末|礼拜天?末)"
            r"|\b(?:(last|this|over\s+the|on\s+the|the)\s+)?weekend\b",
            re.IGNORECASE,
        ),
    ),
]


@dataclass(frozen=True)
class DateMatch:
    start: int
    end: int
    date: dt.date


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date  # included
    label: str


def _num(text: str) -> int:
    if text.isdigit():
        return int(text)
    low = text.lower()
    if low == "a couple of":
        return 2
    if low.isascii():
        return english_words_to_int(low)
    return chinese_to_int(text)


def _week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _most_recent(month: int, day: int, today: dt.date, year: int | None) -> dt.date | None:
    try:
        if year is not None:
            return dt.date(year, month, day)
        candidate = dt.date(today.year, month, day)
        if candidate > today:
            candidate = dt.date(today.year - 1, month, day)
        return candidate
    except ValueError:
        return None


def _day_of_month(day: int, today: dt.date) -> dt.date | None:
    """Day ``day`` of this month if not ahead, else of the latest month that has it."""
    if not 1 <= day <= 31:
        return None
    year, month = today.year, today.month
    for _ in range(13):
        if day <= calendar.monthrange(year, month)[1]:
            candidate = dt.date(year, month, day)
            if candidate <= today:
                return candidate
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return None


def _resolve(kind: str, m: re.Match[str], today: dt.date) -> dt.date | None:
    if kind == "iso":
        try:
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            return None
    if kind == "cn_ymd":
        return _most_recent(_num(m[2]), _num(m[3]), today, int(m[1]) if m[1] else None)
    if kind == "cn_last_month_day":
        first = today.replace(day=1) - dt.timedelta(days=1)
        try:
            return first.replace(day=_num(m[1]))
        except ValueError:
            return None
    if kind == "cn_day":
        return _day_of_month(_num(m[1]), today)
    if kind in ("cn_days_ago", "en_days_ago"):
        return today - dt.timedelta(days=_num(m[1]))
    if kind == "cn_weekday":
        weekday = _CN_WEEKDAYS[m[2]]
        return _weekday(m[1] or "", weekday, today)
    if kind == "relative":
        return today + dt.timedelta(days=_RELATIVE_DAYS[m[0].lower()])
    if kind == "en_weekday":
        word = (m[1] or "").lower()
        prefix = {"last": "上", "this": "这", "past": ""}.get(word, "")
        return _weekday(prefix, _EN_WEEKDAYS[m[2].lower()], today)
    if kind == "en_month_day":
        return _most_recent(_EN_MONTHS[m[1].lower()], int(m[2]), today, int(m[3]) if m[3] else None)
    if kind == "en_day_month":
        return _most_recent(_EN_MONTHS[m[2].lower()], int(m[1]), today, int(m[3]) if m[3] else None)
    if kind == "en_the_nth":
        return _day_of_month(int(m[1]), today)
    if kind == "weekend":
        return _weekend(((m[1] or "") + (m[2] or "")).lower(), today)
    return None


def _weekend(prefix: str, today: dt.date) -> dt.date:
    """周末/the weekend: the latest weekend day up to today (today on a Saturday or a
    Sunday, else the Sunday before); 上周末/last weekend: the previous week's Sunday;
    这周末/this weekend: this week's Saturday, or today if it is already the weekend."""
    sunday = _week_start(today) + dt.timedelta(days=6)
    if prefix.startswith("上上"):
        return sunday - dt.timedelta(days=14)
    if prefix.startswith(("上", "last")):
        return sunday - dt.timedelta(days=7)
    if prefix.startswith(("这", "本", "this")):
        return today if today.weekday() >= 5 else sunday - dt.timedelta(days=1)
    return today if today.weekday() >= 5 else sunday - dt.timedelta(days=7)


def _weekday(prefix: str, weekday: int, today: dt.date) -> dt.date:
    monday = _week_start(today)
    if prefix == "上":
        return monday - dt.timedelta(days=7) + dt.timedelta(days=weekday)
    if prefix == "上上":
        return monday - dt.timedelta(days=14) + dt.timedelta(days=weekday)
    if prefix == "下":
        return monday + dt.timedelta(days=7 + weekday)
    if prefix in ("这", "本"):
        return monday + dt.timedelta(days=weekday)
    candidate = monday + dt.timedelta(days=weekday)
    if candidate > today:
        candidate -= dt.timedelta(days=7)
    return candidate


def find_dates(text: str, today: dt.date) -> list[DateMatch]:
    """Every day mentioned in ``text``, left to right, spans not overlapping."""
    found: list[DateMatch] = []
    taken = bytearray(len(text))  # 1 where an earlier (stronger) pattern matched
    for kind, pattern in _DAY_PATTERNS:
        for m in pattern.finditer(text):
            start, end = m.span()
            if any(taken[start:end]):
                continue
            if kind == "en_weekday" and not m[1] and m[2].lower() in ("sat", "sun", "wed", "mar"):
                continue  # too ambiguous as bare words
            try:
                day = _resolve(kind, m, today)
            except ValueError:
                day = None
            if day is None:
                continue
            found.append(DateMatch(start, end, day))
            taken[start:end] = b"\x01" * (end - start)
    found.sort(key=lambda d: d.start)
    return found


def _month_range(year: int, month: int) -> tuple[dt.date, dt.date]:
    last = calendar.monthrange(year, month)[1]
    return dt.date(year, month, 1), dt.date(year, month, last)


def month_period(year: int, month: int) -> Period:
    start, end = _month_range(year, month)
    return Period(start, end, f"{year:04d}-{month:02d}")


_PERIOD_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    (
        "recent_days",
        re.compile(rf"(?:最近|近|过去)({_NUM})天|\b(?:last|past)\s+({_EN_SMALL})\s+days\b", re.I),
    ),
    ("today", re.compile(r"今天|今日|\btoday\b", re.I)),
    ("yesterday", re.compile(r"昨天|昨日|\byesterday\b", re.I)),
    ("last_week", re.compile(r"上(?:个)?(?:周|星期|礼拜)|\blast\s+week\b", re.I)),
    ("this_week", re.compile(r"(?:这|本)(?:个)?(?:周|星期|礼拜)|\bthis\s+week\b", re.I)),
    ("last_month", re.compile(r"上(?:个)?月|\blast\s+month\b", re.I)),
    ("this_month", re.compile(r"(?:这|本)(?:个)?月|\bthis\s+month\b", re.I)),
    ("last_year", re.compile(r"去年|\blast\s+year\b", re.I)),
    ("this_year", re.compile(r"今年|\bthis\s+year\b", re.I)),
    ("named_month", re.compile(rf"({_NUM})月份?|\bin\s+({_EN_MON})\b", re.I)),
]


def find_period(text: str, today: dt.date) -> Period | None:
    """The period a question asks about, or None when it names none."""
    for kind, pattern in _PERIOD_PATTERNS:
        m = pattern.search(text)
        if not m:
            continue
        if kind == "recent_days":
            days = _num(m[1] or m[2])
            return Period(today - dt.timedelta(days=days - 1), today, f"last {days} days")
        if kind == "today":
            return Period(today, today, "today")
        if kind == "yesterday":
            day = today - dt.timedelta(days=1)
            return Period(day, day, "yesterday")
        if kind == "this_week":
            start = _week_start(today)
            return Period(start, start + dt.timedelta(days=6), "this week")
        if kind == "last_week":
            start = _week_start(today) - dt.timedelta(days=7)
            return Period(start, start + dt.timedelta(days=6), "last week")
        if kind == "this_month":
            return Period(*_month_range(today.year, today.month), "this month")
        if kind == "last_month":
            year, month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
            return Period(*_month_range(year, month), "last month")
        if kind == "this_year":
            return Period(dt.date(today.year, 1, 1), dt.date(today.year, 12, 31), "this year")
        if kind == "last_year":
            y = today.year - 1
            return Period(dt.date(y, 1, 1), dt.date(y, 12, 31), "last year")
        if kind == "named_month":
            try:
                month = _num(m[1]) if m[1] else _EN_MONTHS[m[2].lower()]
            except ValueError:
                continue
            if not 1 <= month <= 12:
                continue
            year = today.year if month <= today.month else today.year - 1
            return month_period(year, month)
    return None
