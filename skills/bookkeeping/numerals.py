"""Chinese numerals, both ways, including the colloquial abbreviations used for money.

* ``chinese_to_int("三十五") == 35``; ``chinese_to_int("一百二") == 120`` (a digit right
  after a unit counts one place lower: 一百二 = 120, 两千五 = 2500, 一万二 = 12000),
  while a 零 keeps it literal (一百零二 = 102); a bare unit after 零 has its 一 left out
  (一万零百一十一 = 10111, as cn2an reads it).
* ``int_to_chinese(120) == "一百二十"`` (the standard written form);
  ``int_to_chinese(2500, colloquial=True) == "两千五"``.
* ``english_words_to_int("twenty five") == 25`` for the few English number words a
  speech recogniser may leave as words ("twenty bucks").
* Forms from receipts, old texts and Traditional script read the same: 廿二 = 22,
  卅 = 30, 卌 = 40; 兩 = 两, 萬 = 万, 億 = 亿, 貳 = 贰, 陸 = 陆 (``canonical_numeral``).

Pure functions, no I/O; a malformed numeral raises ``ValueError``.
"""

from __future__ import annotations

DIGITS: dict[str, int] = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "幺": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
    "壹": 1,
    "贰": 2,
    "叁": 3,
    "肆": 4,
    "伍": 5,
    "陆": 6,
    "柒": 7,
    "捌": 8,
    "玖": 9,
}
SMALL_UNITS: dict[str, int] = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
BIG_UNITS: dict[str, int] = {"万": 10_000, "亿": 100_000_000}
# Written variants, each replaced by the form above before reading (same length or
# longer, so only ever applied to the numeral itself, never to the sentence).
VARIANTS: dict[str, str] = {
    "兩": "两",
    "萬": "万",
    "億": "亿",
    "貳": "贰",
    "陸": "陆",
    "廿": "二十",
    "卅": "三十",
    "卌": "四十",
}
NUMERAL_CHARS = "".join(DIGITS) + "".join(SMALL_UNITS) + "".join(BIG_UNITS) + "".join(VARIANTS)


def canonical_numeral(text: str) -> str:
    """``text`` with the written variants replaced (廿二 → 二十二, 肆佰叁拾萬 → 肆佰叁拾万)."""
    return "".join(VARIANTS.get(ch, ch) for ch in text)


_STANDARD_DIGITS = "零一二三四五六七八九"


def chinese_to_int(text: str) -> int:
    """The value of a Chinese integer numeral (standard or colloquial)."""
    if not text or any(ch not in NUMERAL_CHARS for ch in text):
        raise ValueError(f"not a Chinese numeral: {text!r}")
    text = canonical_numeral(text)
    if not any(ch in SMALL_UNITS or ch in BIG_UNITS for ch in text):
        # digits read one by one: 二零二四 = 2024, 五 = 5
        return int("".join(str(DIGITS[ch]) for ch in text))
    if text[0] in BIG_UNITS or (text[0] in SMALL_UNITS and SMALL_UNITS[text[0]] != 10):
        raise ValueError(f"a numeral cannot start with {text[0]!r}: {text!r}")

    total = 0  # everything above the current 万 group, already scaled
    section = 0  # the current group below 万
    number: int | None = None  # a digit waiting for its unit
    prev_unit: int | None = None  # the unit just before a trailing digit
    zero_before = False
    last_small_unit = 10_000  # units inside a group must fall: 千 then 百 then 十
    for ch in text:
        if ch in DIGITS:
            if number is not None and number != 0:
                raise ValueError(f"two digits in a row in {text!r}")
            digit = DIGITS[ch]
            if digit == 0:
                zero_before = True
                number = 0
            else:
                number = digit
        elif ch in SMALL_UNITS:
            unit = SMALL_UNITS[ch]
            if unit >= last_small_unit:
                raise ValueError(f"units out of order in {text!r}")
            if number == 0 and zero_before and section == 0 and total > 0:
                number = 1  # 一万零百一十一 = 10111: a bare unit after 零 has its 一 left out
            if number is None or number == 0:
                if unit != 10:
                    raise ValueError(f"{ch!r} needs a digit before it in {text!r}")
                number = 1  # 十二 = 12, 一万零十 = 10010
            section += number * unit
            number = None
            prev_unit = unit
            last_small_unit = unit
            zero_before = False
        else:  # 万, 亿
            unit = BIG_UNITS[ch]
            group = section + (number or 0)
            if unit == 100_000_000:
                if total + group == 0:
                    raise ValueError(f"{ch!r} needs a number before it in {text!r}")
                total = (total + group) * unit
            else:
                if group == 0:
                    raise ValueError(f"{ch!r} needs a number before it in {text!r}")
                total += group * unit
            section = 0
            number = None
            prev_unit = unit
            last_small_unit = 10_000
            zero_before = False
    if number and prev_unit is not None and not zero_before:
        number *= prev_unit // 10  # 一百二 = 120, 一万二 = 12000
    return total + section + (number or 0)


def _group_to_chinese(n: int, *, leading: bool) -> str:
    """0 < n < 10000 in the standard form; ``leading``: 十二 rather than 一十二."""
    out: list[str] = []
    pending_zero = False
    for unit, name in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = (n // unit) % 10
        if digit == 0:
            if out:
                pending_zero = True
            continue
        if pending_zero:
            out.append("零")
            pending_zero = False
        if not (unit == 10 and digit == 1 and not out and leading):
            out.append(_STANDARD_DIGITS[digit])
        out.append(name)
    return "".join(out)


def int_to_chinese(n: int, *, colloquial: bool = False) -> str:
    """The standard Chinese numeral for ``0 <= n < 10**16``.

    ``colloquial=True`` drops a trailing unit the way people say prices (两千五 for
    2500, 一百二 for 120, 一万二 for 12000) and says 两 for a leading 2 before 百/千/万.
    """
    if n < 0 or n >= 10**16:
        raise ValueError(f"out of range: {n}")
    if n == 0:
        return "零"
    groups = [(n // 10**8) % 10**8, (n // 10**4) % 10**4, n % 10**4]
    names = ["亿", "万", ""]
    out: list[str] = []
    for i, (group, name) in enumerate(zip(groups, names, strict=True)):
        if group == 0:
            continue
        # a gap inside the number is read as 零: 一万零五, 一亿零一千
        if out and i > 0 and (group < 1000 or groups[i - 1] == 0):
            out.append("零")
        if group >= 10_000:  # the 亿 group can hold up to 8 digits (千万亿 is not used)
            out.append(int_to_chinese(group))
        else:
            out.append(_group_to_chinese(group, leading=not out))
        out.append(name)
    text = "".join(out)
    if colloquial:
        text = _colloquial(text)
    return text


def _colloquial(text: str) -> str:
    # X百Y十 → X百Y, X千Y百 → X千Y, X万Y千 → X万Y when nothing follows
    for unit, lower in (("百", "十"), ("千", "百"), ("万", "千")):
        if len(text) >= 4 and text.endswith(lower) and text[-3] == unit:
            text = text[:-1]
            break
    if text.startswith("二") and len(text) > 1 and text[1] in "百千万亿":
        text = "两" + text[1:]
    return text


_EN_ONES = {
    "zero": 0,
    "one": 1,
    "a": 1,
    "an": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
_EN_TENS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
_EN_SCALES = {"hundred": 100, "thousand": 1000, "million": 1_000_000}
ENGLISH_NUMBER_WORDS = frozenset(_EN_ONES) | frozenset(_EN_TENS) | frozenset(_EN_SCALES) | {"and"}


def english_words_to_int(text: str) -> int:
    """``"twenty five"``/``"twenty-five"`` → 25, ``"a hundred and twenty"`` → 120."""
    words = text.lower().replace("-", " ").split()
    if not words or words[0] == "and" or words[-1] == "and":
        raise ValueError(f"not an English number: {text!r}")
    total = 0
    current = 0
    seen_number = False
    for word in words:
        if word == "and":
            continue
        if word in _EN_ONES:
            if word in ("a", "an") and seen_number:
                raise ValueError(f"not an English number: {text!r}")
            value = _EN_ONES[word]
            below_hundred = current % 100
            # "twenty five" is fine; "twelve fifty" or "five five" is not one number
            if below_hundred and (value >= 10 or below_hundred % 10 or below_hundred < 20):
                raise ValueError(f"not one English number: {text!r}")
            current += value
            seen_number = True
        elif word in _EN_TENS:
            if current % 100:
                raise ValueError(f"not one English number: {text!r}")
            current += _EN_TENS[word]
            seen_number = True
        elif word in _EN_SCALES:
            scale = _EN_SCALES[word]
            if current == 0:
                current = 1
            if scale == 100:
                current *= 100
            else:
                total += current * scale
                current = 0
            seen_number = True
        else:
            raise ValueError(f"not an English number word: {word!r}")
    if words in (["a"], ["an"]):
        raise ValueError(f"not an English number: {text!r}")
    return total + current
