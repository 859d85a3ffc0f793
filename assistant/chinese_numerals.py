"""The value of a Chinese integer numeral, for the layers below the skills.

The recognizer writes numbers as people write them (voice.zh_numbers) and the character
error rate compares numerals as digits (assistant.textmatch); both need to read 二十六,
两千五百万 or 二零二四, and may not import the bookkeeping skill, which has its own fuller
parser for money (skills.bookkeeping.numerals, colloquial forms, English words).

Pure functions; a malformed numeral raises ``ValueError``.
"""

from __future__ import annotations

DIGITS = {
    "零": 0, "〇": 0, "一": 1, "幺": 1, "二": 2, "两": 2, "三": 3, "四": 4,
    "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
}  # fmt: skip
SMALL_UNITS = {"十": 10, "百": 100, "千": 1000}
BIG_UNITS = {"万": 10_000, "亿": 100_000_000}
NUMERAL_CHARS = "".join(DIGITS) + "".join(SMALL_UNITS) + "".join(BIG_UNITS)


def chinese_to_int(text: str) -> int:
    """二十六 → 26, 一百零二 → 102, 两千五百万 → 25000000, 二零二四 → 2024 (digits read
    one by one), and the spoken shortening of a last digit: 一百二 → 120, 一万二 → 12000."""
    if not text or any(ch not in NUMERAL_CHARS for ch in text):
        raise ValueError(f"not a Chinese numeral: {text!r}")
    if not any(ch in SMALL_UNITS or ch in BIG_UNITS for ch in text):
        return int("".join(str(DIGITS[ch]) for ch in text))
    if text[0] in BIG_UNITS or text[0] in ("百", "千"):
        raise ValueError(f"a numeral cannot start with {text[0]!r}: {text!r}")
    done = 0  # parts already scaled by 亿
    wan = 0  # the part scaled by 万
    section = 0  # below 万
    number: int | None = None
    last_unit: int | None = None
    after_zero = False
    previous = ""
    for ch in text:
        if ch in DIGITS:
            if number is not None and previous not in ("零", "〇"):
                raise ValueError(f"two digits in a row: {text!r}")
            number = DIGITS[ch]
            after_zero = after_zero or number == 0
        elif ch in SMALL_UNITS:
            section += (1 if number is None else number) * SMALL_UNITS[ch]
            number, last_unit, after_zero = None, SMALL_UNITS[ch], False
        elif ch == "万":
            wan = (section + (number or 0)) * 10_000
            section, number, last_unit, after_zero = 0, None, 10_000, False
        else:  # 亿
            done = (done + wan + section + (number or 0)) * 100_000_000
            wan, section, number, last_unit, after_zero = 0, 0, None, 100_000_000, False
        previous = ch
    if number:
        if last_unit is not None and last_unit >= 100 and not after_zero:
            section += number * last_unit // 10
        else:
            section += number
    return done + wan + section
