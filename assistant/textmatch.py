"""How close a transcript is to what was said: used by ``ting --smoke`` (is the model
hearing?), and by the speech tests and benches (word error rate against known prompts);
``without_punctuation`` also by the recognizer, to compare decodes by their words."""

from __future__ import annotations

import re

_WORD = re.compile(r"[a-z0-9']+")


def words(text: str) -> list[str]:
    """Lower-case English words and numbers; punctuation and case do not count."""
    return _WORD.findall(text.lower())


def word_recall(expected: str, heard: str) -> float:
    """Share of the expected words found in what was heard (each heard word used once)."""
    wanted = words(expected)
    if not wanted:
        return 1.0
    pool = words(heard)
    found = 0
    for word in wanted:
        if word in pool:
            pool.remove(word)
            found += 1
    return found / len(wanted)


def word_error_rate(expected: str, heard: str) -> float:
    """Word-level edit distance (substitutions, insertions, deletions) over the expected
    word count."""
    ref, hyp = words(expected), words(heard)
    row = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        prev, row[0] = row[0], i
        for j, h in enumerate(hyp, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (r != h))
    return row[-1] / max(1, len(ref))


def numerals_as_digits(text: str) -> str:
    """Each run of Chinese numeral characters that reads as a number, as Arabic digits
    (二十六 → 26, 一二 → 12), so that "26年" and "二十六年" compare equal. Applied to both
    sides of a comparison, a run that is not a number (一二线 → 12线) changes both alike."""
    from assistant.chinese_numerals import NUMERAL_CHARS, chinese_to_int

    def value(match: re.Match[str]) -> str:
        try:
            return str(chinese_to_int(match.group()))
        except ValueError:
            return match.group()

    return re.sub(f"[{NUMERAL_CHARS}]+", value, text)


def without_punctuation(text: str) -> str:
    """``text`` with punctuation, symbols and spaces dropped."""
    import unicodedata

    return "".join(
        ch
        for ch in text
        if not ch.isspace() and not unicodedata.category(ch).startswith(("P", "S"))
    )


def said_forms(text: str) -> str:
    """``text`` as compared with what someone said: NFKC, lower-cased, Chinese numerals
    as digits."""
    import unicodedata

    return numerals_as_digits(unicodedata.normalize("NFKC", text).lower())


def characters_for_cer(text: str) -> list[str]:
    """The characters a character error rate counts: punctuation, symbols and spaces
    dropped, Latin letters lower-cased, Chinese numerals as digits."""
    return list(without_punctuation(said_forms(text)))


def edit_distance(ref: list[str], hyp: list[str]) -> int:
    row = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        prev, row[0] = row[0], i
        for j, h in enumerate(hyp, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (r != h))
    return row[-1]


def character_errors(expected: str, heard: str) -> tuple[int, int]:
    """(character edits, reference characters) after ``characters_for_cer`` on both:
    summed over clips, their ratio is the character error rate of a set."""
    ref = characters_for_cer(expected)
    return edit_distance(ref, characters_for_cer(heard)), len(ref)


def character_error_rate(expected: str, heard: str) -> float:
    edits, total = character_errors(expected, heard)
    return edits / max(1, total)


# Clock times and dates as said or written, for comparing a note's "15:00" or
# "2026-12-15" with "下午三点" or "December 15th". Both read ``said_forms`` text.
_ZH_PERIODS = {
    **dict.fromkeys(("上午", "早上", "早晨", "凌晨"), "am"),
    **dict.fromkeys(("中午", "下午", "傍晚", "晚上", "夜里"), "pm"),
}
_HOUR_WORDS = {
    w: i
    for i, w in enumerate(
        ["one", "two", "three", "four", "five", "six"]
        + ["seven", "eight", "nine", "ten", "eleven", "twelve"],
        1,
    )
}
_MINUTE_WORDS = {"fifteen": 15, "thirty": 30}  # or forty-five
_PERIOD = "(?P<p>" + "|".join(_ZH_PERIODS) + ")?"
_SUFFIX = r"(?P<s>a\.?m\.?|p\.?m\.?|o[’']?clock)"
# 三点意见 is three points, 一点五倍 a decimal: not clock times
_NOT_A_TIME = r"(?!意见|建议|内容|原因|要求|问题|想法|理由|看法|好处|注意|\d*倍)"
_CLOCKS = (
    re.compile(  # 下午3点半, 10点5分, 3点1刻, 3点钟
        _PERIOD
        + r"(?<![\d.])(?P<h>\d{1,2})\s*点(?P<z>钟)?"
        + _NOT_A_TIME
        + r"(?:(?P<half>半)|(?P<q>[13])刻|(?P<m>\d{1,2})(?P<f>分)?(?!\d))?"
    ),
    re.compile(  # 15:00, 3:30pm, 3 pm, 下午3:30
        _PERIOD
        + r"(?<![\d:.])(?P<h>\d{1,2})(?::(?P<m>\d{2}))?(?![\d:])\s*"
        + _SUFFIX
        + r"?(?![a-z])"
    ),
    re.compile(  # three o'clock, three thirty pm
        r"\b(?P<h>" + "|".join(_HOUR_WORDS) + r")(?:[\s-](?P<w>fifteen|thirty|forty[\s-]five))?"
        r"\s*" + _SUFFIX + r"(?![a-z])"
    ),
    re.compile(r"\bhalf past (?P<h>\d{1,2}|" + "|".join(_HOUR_WORDS) + r")\b"),
    re.compile(r"\b(?P<noon>noon|midday|midnight)\b"),
)
# In running speech "N点" is also a point of a talk (第三点, 这三点), "a little" (早一点,
# 有一点), a decimal (两点几, 三点五) or a radical (三点水); "3:15" may be a score. Such a
# number reads as a time only with a period word, 钟, 半/刻/分, or a word of time around it.
_DAY_WORD = r"(?:今天|明天|后天|昨天|今晚|明晚|明早|周[1-7日天]|\d日|today|tonight|tomorrow)"
_TIME_BEFORE = re.compile(
    r"(?:" + _DAY_WORD + r"|\b(?:at|by|before|until|till|around|from|after)|到|等到|从)\s*$"
)
_TIME_AFTER = re.compile(
    r"\s*(?:(?:之|以)?前|(?:之|以)后|整|到|至|开|见|集合|出发|截止|开始|结束|-\s*\d|to\s+\d)"
)
_POINT_BEFORE = re.compile(r"[第这那哪每]\s*$")
_LITTLE_BEFORE = re.compile(r"[早快慢多少好大小晚有高低差稍近远再]\s*$")  # 早一点: a little


def _time_around(text: str, start: int, end: int) -> bool:
    return bool(_TIME_BEFORE.search(text, 0, start) or _TIME_AFTER.match(text, end))


def _minute(groups: dict[str, str | None], said: str) -> int:
    if groups.get("half") or said.startswith("half"):
        return 30
    if groups.get("q"):  # 1刻, 3刻
        return 15 * int(groups["q"] or 0)
    if groups.get("w"):
        return _MINUTE_WORDS.get(groups["w"] or "", 45)
    return int(groups.get("m") or 0)


def _spoken_hour(text: str, m: re.Match[str], hour: int) -> bool:
    """Whether the "N点" matched in ``m`` reads as a time in running speech."""
    if _POINT_BEFORE.search(text, 0, m.start("h")):
        return False
    if hour == 1 and _LITTLE_BEFORE.search(text, 0, m.start("h")):
        return False
    strong = m["p"] or m["z"] or m["half"] or m["q"] or m["f"]
    return bool(strong or _time_around(text, m.start("h"), m.end()))


def clock_times(text: str, *, speech: bool = False) -> list[tuple[int, int, frozenset[int], int]]:
    """The clock times in ``text`` (``said_forms``): (start, end, the hours it can be on a
    24-hour clock, minute). A period word decides the hour (下午三点 → 15, 上午十点 → 10,
    3 pm → 15); without one an hour up to 12 is either (三点 → 3 or 15), except one
    written with a leading zero (03:00 → 3). A bare number is not a time: it needs 点, a
    colon, am/pm or o'clock. ``speech``: ``text`` is what someone said, where 三点 needs a
    period word, 钟, 半/刻/分 or a word of time around it (三点之前, 明天三点), and a colon
    time without am/pm is read as written unless such a word is around it ("at 3:15")."""
    found: list[tuple[int, int, frozenset[int], int]] = []
    taken: set[int] = set()
    for pattern in _CLOCKS:
        for m in pattern.finditer(text):
            if taken.intersection(range(*m.span())):
                continue
            groups = m.groupdict()
            if groups.get("noon"):
                hour, minute, period = (0 if groups["noon"] == "midnight" else 12), 0, "24h"
            else:
                h = groups["h"]
                hour = int(h) if h.isdigit() else _HOUR_WORDS[h]
                minute = _minute(groups, m[0])
                suffix = (groups.get("s") or "").replace(".", "")
                period = _ZH_PERIODS.get(groups.get("p") or "") or (
                    suffix[:2] if suffix[:2] in ("am", "pm") else None
                )
                # "下午3个会" is not a time: a number needs a colon, am/pm or o'clock
                plain = pattern is _CLOCKS[1] and not (groups.get("m") or suffix)
                if plain or hour > 24 or minute > 59:
                    continue
                if pattern is _CLOCKS[0] and speech and not _spoken_hour(text, m, hour):
                    continue
                as_written = h.startswith("0") or speech and not _time_around(text, *m.span())
                if period is None and pattern is _CLOCKS[1] and as_written:
                    period = "24h"  # 03:00, or a score "3:15"
            if period == "am":
                hours = {hour % 12}
            elif period == "pm":
                hours = {
                    hour + 12 if hour < 12 else 0 if groups.get("p") in ("晚上", "夜里") else 12
                }
            elif period is None and 0 < hour <= 12:
                hours = {hour, (hour + 12) % 24}
            else:
                hours = {hour % 24}
            found.append((m.start(), m.end(), frozenset(hours), minute))
            taken.update(range(*m.span()))
    return sorted(found)


# English month names and their short forms, shared with skills/bookkeeping/dates.py
EN_MONTHS = {
    name: i
    for i, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sept", "sep"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        1,
    )
    for name in names
}
_MONTH = "(?P<mn>" + "|".join(sorted(EN_MONTHS, key=len, reverse=True)) + r")\b\.?"
_ORD = r"(?P<o>st|nd|rd|th)?\b"
_YEAR = r"(?:,?\s*(?P<y>\d{4})\b)?"
_DATES = (
    re.compile(  # 2026年12月15日, 12月15号, 3月15
        r"(?:(?P<y>\d{4})\s*年\s*)?(?<!\d)(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})(?!\d)\s*[日号]?"
    ),
    re.compile(  # 2026-12-15, 2026/3/15
        r"(?<![\d/.-])(?P<y>\d{4})(?P<sep>[-/.])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})(?![\d/-]|\.\d)"
    ),
    re.compile(  # 3/15
        r"(?<![\d/.-])(?P<m>\d{1,2})(?P<sep>[/-])(?P<d>\d{1,2})(?![\d/%a-z-]|\.\d)"
    ),
    re.compile(r"\b" + _MONTH + r"\s*(?:the\s+)?(?P<d>\d{1,2})" + _ORD + _YEAR),  # Dec 15th
    re.compile(r"\b(?:the\s+)?(?P<d>\d{1,2})" + _ORD + r"\s*(?P<of>of\s+)?" + _MONTH + _YEAR),
)
# In running speech 3-5 and 10-15 are ranges (3-5天, 10-15 people), a number before a unit
# is a count (3/4 of the budget, March 12 miles), and "may"/"march" are also verbs ("those 3
# may not work"): a day and a month must read as nothing else.
_COUNTED = re.compile(
    r"\s*(?:[天周个分人次倍页张件条位名岁元块%]|小时|(?:of|more|percent|people|persons|times"
    r"|(?:minute|min|hour|hr|day|week|month|year|page|slide|item|mile|kilometer|km)s?)\b)"
)


def _spoken_date(text: str, m: re.Match[str]) -> bool:
    """Whether the date matched in ``m`` reads as one in running speech."""
    if m.re is _DATES[1] or m.re is _DATES[0]:
        return True
    if m.re is _DATES[2] and m["sep"] == "-" or _COUNTED.match(text, m.end()):
        return False
    if m.re is _DATES[4] and not (m["o"] or m["of"] or m["y"]):
        return len(m["mn"]) > 3 and m["mn"] not in ("may", "march")  # "3 December", not "3 may"
    return True


def dates(text: str, *, speech: bool = False) -> list[tuple[int, int, int | None, int, int]]:
    """The dates in ``text`` (``said_forms``) that name a month and a day: (start, end,
    year or None, month, day). ``speech``: ``text`` is what someone said, where a range
    (3-5天), a number before a unit (2/3 of) or "3 may" is no date; a full 2026-03-05 is."""
    found: list[tuple[int, int, int | None, int, int]] = []
    taken: set[int] = set()
    for pattern in _DATES:
        for m in pattern.finditer(text):
            if taken.intersection(range(*m.span())):
                continue
            if speech and not _spoken_date(text, m):
                continue
            groups = m.groupdict()
            month = EN_MONTHS[groups["mn"]] if groups.get("mn") else int(groups["m"])
            day = int(groups["d"])
            if not (1 <= month <= 12 and 1 <= day <= 31):
                continue
            year = int(groups["y"]) if groups.get("y") else None
            found.append((m.start(), m.end(), year, month, day))
            taken.update(range(*m.span()))
    return sorted(found)
