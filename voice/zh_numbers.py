"""Mandarin numbers in a transcript written the way people write them.

Whisper writes a spoken number sometimes in characters (二十六年), sometimes in digits
(26年). People write a count, a date, an age, a time or an amount in digits, and keep
characters where the numeral is part of a word (一二线城市, 三心二意, 十分重要, 万一,
一起, 一个): ``digits_for_numbers`` rewrites a numeral as digits only when

* it is followed by a measure or time word (年 月 日 号 点 分 秒 岁 个 块 元 …), and
* it reads as a number with a unit (十 百 千 万 亿: 二十六 → 26, 两千五百万 → 2500万), or
  as a year of three or four digits read one by one before 年 (二零二四年 → 2024年).

A bare digit (一个, 三点, 五块) stays in characters: that is how it is written as often as
not, and "一" is in too many words. Money stays parseable by the bookkeeping parser,
which reads both forms (三十五块 → 35块).
"""

from __future__ import annotations

import re

from assistant.chinese_numerals import BIG_UNITS, NUMERAL_CHARS, SMALL_UNITS, chinese_to_int

# what may follow a number that is a count, a date, a time, an age or an amount
MEASURE_WORDS = (
    "年月日号点分秒岁周天个只位名次件本张条台辆块元毛角万亿斤公里米层楼户家人倍页集期届"
    "度克吨升小时钟分钟"
)
_NUMERAL = re.compile(f"[{NUMERAL_CHARS}]+")
_UNITS = set(SMALL_UNITS) | set(BIG_UNITS)
# read one by one (二零二四): a year only
_YEAR_DIGITS = re.compile("[零〇一二三四五六七八九]{3,4}")


def _as_digits(numeral: str, following: str, preceding: str) -> str | None:
    if not following or following not in MEASURE_WORDS:
        return None
    if not any(ch in _UNITS for ch in numeral):
        if following == "年" and _YEAR_DIGITS.fullmatch(numeral):
            return str(chinese_to_int(numeral))
        return None
    if numeral == "十" and following == "分" and preceding != "点":
        return None  # 十分重要 ("very"); 三点十分 is a time
    try:
        value = chinese_to_int(numeral)
    except ValueError:
        return None
    for unit, size in (("亿", 100_000_000), ("万", 10_000)):
        if numeral.endswith(unit) and value % size == 0:
            return f"{value // size}{unit}"
    return str(value)


def digits_for_numbers(text: str) -> str:
    """``text`` with its counts, dates, times and amounts in digits (module docstring)."""
    out: list[str] = []
    at = 0
    for match in _NUMERAL.finditer(text):
        numeral = match.group()
        following = text[match.end() : match.end() + 1]
        preceding = text[match.start() - 1 : match.start()] if match.start() else ""
        digits = _as_digits(numeral, following, preceding)
        if digits is None and len(numeral) > 1 and numeral[-1] in BIG_UNITS:
            # 两千五百万人: the big unit is part of the numeral, the measure word follows it
            digits = _as_digits(numeral, numeral[-1], preceding)
            if digits is not None and not digits.endswith(numeral[-1]):
                digits = None  # (一万二: not a round number of 万, kept in words)
        if digits is None:
            continue
        out.append(text[at : match.start()])
        out.append(digits)
        at = match.end()
    out.append(text[at:])
    return _date_and_time_parts("".join(out))


_BARE = "零〇一二两三四五六七八九十"
# the rest of a date or a time whose other part is in digits now: 2024年五月 → 2024年5月,
# 5月三号 → 5月3号, 三点10分 → 3点10分
_AFTER_YEAR = re.compile(f"(?<=\\d年)([{_BARE}]{{1,3}})(?=月)")
_AFTER_MONTH = re.compile(f"(?<=\\d月)([{_BARE}]{{1,3}})(?=[日号])")
_HOUR = re.compile(f"([{_BARE}]{{1,3}})(?=点\\d+分)")


def _date_and_time_parts(text: str) -> str:
    def digits(match: re.Match[str]) -> str:
        try:
            return str(chinese_to_int(match.group(1)))
        except ValueError:
            return match.group(1)

    for pattern in (_AFTER_YEAR, _AFTER_MONTH, _HOUR):
        text = pattern.sub(digits, text)
    return text
