"""Finding money amounts in a clause: the one amount reader.

It reads digits (``1,234.56``, ``82，225.00``, ``1.234,56``, ``CHF 1'049,95``, ``.75``,
``1.5k``, ``2w``, ``3.1千万``, ``177.1 亿``, ``1万2``, ``100万三千``), Chinese numerals
(``三十五``, ``一百二``, ``廿二``, ``兩千六``, ``肆佰叁拾萬``, ``一点二万``, digit by digit
``一七二零``), money forms (``一块五``, ``三块五毛五``, ``壹拾壹元整``, ``五毛``, ``壹分``),
English number words, and the currency said before or after (``currencies``).

Each number found becomes an ``AmountMatch`` with a *strength*:

* 3: a currency was said with it (``35块``, ``$12.50``, ``20 bucks``, ``一块五``);
* 2: a bare number where an amount is expected (``午饭35``, ``花了三十五``, ``spent 45 on``);
* 1: a bare number that may be a count (``3 books``, ``一块蛋糕``): kept only when the
  clause has nothing stronger.

Numbers that are never money are skipped: counts with a measure word (``2杯``, ``3个``),
times (``8点``, ``8:30``), ordinals (``第2``, ``3rd``), percentages and fractions
(``8%``, ``百分之五``, ``1/2``), single Chinese digits inside words (``一起``,
``三明治``). Dates are removed before this runs.

A number that *is* money but cannot be read for sure carries a ``problem``: one line
saying what was seen, and the parser refuses the sentence with it. Never a guess:
rough amounts (``约50``, ``15k左右``, ``400多``, ``about 20``, ``20-ish``), ranges
(``10~15k``, ``两到三万``, ``五六块``), a separator that reads two ways (``12.007``,
``82，225``, ``5,00,111``), two currencies that disagree, or a currency Ting does not
record (``45,00 zł``, ``R$260``, ``卢布``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from skills.bookkeeping.currencies import (
    CURRENCIES,
    CurrencyName,
    combine,
    currency_after,
    currency_before,
    foreign_after,
    foreign_before,
    unknown_unit_after,
)
from skills.bookkeeping.lexicon import best_hit, keyword_hits, words_of
from skills.bookkeeping.numerals import (
    BIG_UNITS,
    DIGITS,
    NUMERAL_CHARS,
    SMALL_UNITS,
    canonical_numeral,
    chinese_to_int,
    english_words_to_int,
)

_EN_NUMBER_WORD = (
    r"(?:zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|"
    r"fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|"
    r"seventy|eighty|ninety|hundred|thousand|million)"
)
_NUMBER = re.compile(
    r"(?P<ar>(?<![\d.])\.\d|\d)"
    rf"|(?P<cn>[{NUMERAL_CHARS}]+)"
    rf"|(?P<en>\b(?:an?\s+)?{_EN_NUMBER_WORD}(?:[\s-]+(?:and\s+)?{_EN_NUMBER_WORD})*\b)",
    re.IGNORECASE,
)
_DIGITS = re.compile(r"\d+")
_CN_DIGIT = "".join(ch for ch in DIGITS if ch not in "〇")
# 点 then decimals, in Chinese digits or in digits (一百点123); not 八点三十 (a time)
_CN_DECIMAL = re.compile(rf"点(?:([{_CN_DIGIT}〇]+)(?![十拾百佰千仟])|(\d+))")
_UNIT_VALUES = {**SMALL_UNITS, **BIG_UNITS}

# a number followed by one of these counts things or tells the time: never money
MEASURE_WORDS = words_of(
    "个 杯 件 张 瓶 本 次 份 斤 天 小时 分钟 秒 人 位 号 月 日 周 点 岁 年 楼 层 条 双 支 只 台 盒 包"
    " 袋 箱 公里 千米 米 克 折 % ℃ 度 倍 遍 趟 站 路 线 期 集 章 页 顿 碗 套 间 晚 口 辆 部 节 圈 单"
    " 种 家 颗 把 块儿 根 片 罐 桶 串 群 星期 礼拜 后 以后 分 半 摄氏度 华氏度 ° ℉"
)
_EN_UNIT_AFTER = re.compile(
    r"\s*(?:am|pm|a\.m\.|p\.m\.|st|nd|rd|th|%|percent|kg|km|g|ml|l|mins?|minutes?|hours?|hrs?|"
    r"days?|weeks?|months?|years?|people|persons?|times|pcs|items|x|o'clock|miles?|nights?|"
    r"stars?|pm|lbs?|oz|gb|mb|cm|mm|m)\b",
    re.IGNORECASE,
)
_EN_FUNCTION_AFTER = re.compile(
    r"\s*(?:for|on|at|in|to|from|with|and|yesterday|today|tonight|last|this|the|a|an|"
    r"total|altogether|each|per|of|via|by|back|in total)\b",
    re.IGNORECASE,
)
_MONEY_VERBS_BEFORE = re.compile(
    r"(?:花了|花掉|花费|花|付了|付|支付了?|用了|交了|充了|充值了?|是|共|一共|总共|合计|收到了?|转了|赚了|"
    r"发了|给了|还了|退了|大概|差不多|约|大约|将近|\bspent|\bspend|\bpaid|\bpay|\bcost|\bcosts|"
    r"\bwas|\bwere|\bfor|\bgot|\breceived|\bearned|\babout|\baround|\btotal|\bmade|\bis|\bcharged|"
    r"\btip|\bpaying|\bsalary|\bbonus|\brefund|\bdeposit|\bit's|\bit\s+was)\s*$",
    re.IGNORECASE,
)
_CLAUSE_END_AFTER = re.compile(r"\s*(?:钱|了|啊|吧|呢|哦|哈|整)*\s*(?:[,，。.;；!！?？、\n]|$)")
_APPROX_AFTER = re.compile(r"\s*(?:多|几|来(?!着)|余)(?:块钱|块|元)?|\s*出头")
_EXCLUDE_BEFORE = re.compile(r"(?:第|#|No\.\s*|尾号|号码|编号|电话|room\s*|(?<=\d)[:：]|v|V|x|×)$")

# Rough amounts: a marker before the number (约50, about $20) or after it (50左右, 400多,
# 20-ish, $49+, 50万元（含）以上).
_ROUGH_BEFORE = re.compile(
    r"(?:大约|大概|约莫|约摸|(?<![预邀相节签合制公条])约|差不多|将近|接近|(?<![最附])近|至少|最少"
    r"|起码|最多|顶多|不到|不足|不止|超过|多于|少于|好几|\babout|\baround|\broughly"
    r"|\bapproximately|\bapprox\.?|\balmost|\bnearly|\bat least|\bat most|\bup to|\bover"
    r"|\bunder|\bmore than|\bless than|\bclose to|~|～|≈)\s*$",
    re.IGNORECASE,
)
_ROUGH_AFTER = re.compile(
    r"\s*(?:[（(]含[)）])?\s*(?:多|余|来(?!着|自|的)|几|出头|左右|上下|以上|以下|以内|之内|开外"
    r"|挂零|不到|[- ]?ish\b|\s*something\b|\s*odd\b|\s+or\s+so\b|\s+or\s+more\b|\s+or\s+less\b"
    r"|\s+plus\b|\+(?!\s*\d)|\s+give or take\b)",
    re.IGNORECASE,
)
# A second number after a range word: 10~15k, 两到三万, 1万(含)-5万, 20 to 30 dollars.
_RANGE_AFTER = re.compile(
    r"\s*(?:[（(]含[)）])?\s*(?:到|至|~|～|-{1,2}|–|—{1,2}|或者?|\bor\b|\bto\b)\s*[$¥€£]?\s*"
    rf"(?=\d|\.\d|[{NUMERAL_CHARS}])",
    re.IGNORECASE,
)
# Units before a number that make it rough: 上千, 数十万, 几百, 成千.
_ROUGH_UNIT_BEFORE = re.compile(r"(?:上|数|几|好几|成)$")
_THOUSANDS = ",，'’"
_SPACES = " \u00a0\u202f\u2009"


@dataclass(frozen=True)
class AmountMatch:
    start: int
    end: int
    value: Decimal
    currency: str | None
    strength: int
    negative: bool = False
    approximate: bool = False
    problem: str | None = None  # why this amount cannot be recorded as read


@dataclass
class _Digits:
    value: Decimal
    end: int
    problem: str | None = None
    two_readings: Decimal | None = None  # 12.007: a decimal point, or 12007?
    short_comma: bool = False  # 42,0: a decimal comma with one digit
    integer: bool = True


def _grouped(groups: list[str]) -> bool:
    return 1 <= len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:])


def _read_digits(text: str, i: int) -> _Digits:
    """The number in digits at ``i``, with its separators (what each may mean)."""
    n = len(text)
    if text[i] == ".":  # .75
        m = _DIGITS.match(text, i + 1)
        assert m is not None
        return _Digits(Decimal("0." + m[0]), m.end(), integer=False)
    m = _DIGITS.match(text, i)
    assert m is not None
    groups, seps, k = [m[0]], [], m.end()
    while k < n and (text[k] in _THOUSANDS or text[k] == "." or text[k] in _SPACES):
        sep = text[k]
        g = _DIGITS.match(text, k + 1)
        if g is None:
            break
        if sep in _SPACES and (len(g[0]) != 3 or len(groups[-1]) > 3 or set(seps) - set(_SPACES)):
            break
        if sep in "，'’" and len(g[0]) != 3:
            break  # a Chinese comma before other digits ends the clause
        groups.append(g[0])
        seps.append(sep)
        k = g.end()
    said = text[i:k]
    unclear = _Digits(
        Decimal(0), k, problem=f"'{said}' is not a number I can read for sure; say it plainly"
    )
    if not seps:
        return _Digits(Decimal(groups[0]), k)
    last, inner = seps[-1], seps[:-1]
    kinds = set(inner)
    thousands_only = (
        kinds <= set(",，") or kinds <= set("'’") or kinds <= set(_SPACES) or kinds <= {"."}
    )
    if all(s == "." for s in seps) and len(seps) >= 2:  # 1.234.567
        return _Digits(Decimal("".join(groups)), k) if _grouped(groups) else unclear
    if last == ".":  # 12.50, 1,234.56, 10 380.5
        if inner and ("." in kinds or not thousands_only or not _grouped(groups[:-1])):
            return unclear
        value = Decimal("".join(groups[:-1]) + "." + groups[-1])
        read = _Digits(value, k, integer=False)
        if len(groups[-1]) == 3:
            read.two_readings = Decimal("".join(groups))
        return read
    if last == "," and len(groups[-1]) in (1, 2):  # 10,99  1.234,56  12 345,09
        if inner and (not thousands_only or not _grouped(groups[:-1])):
            return unclear
        value = Decimal("".join(groups[:-1]) + "." + groups[-1])
        return _Digits(value, k, short_comma=len(groups[-1]) == 1 and not inner, integer=False)
    if all(s in _SPACES for s in seps):
        return _Digits(
            Decimal(0), k, problem=f"'{said}' could be one number or several; say it plainly"
        )
    if set(seps) <= set(_THOUSANDS) and _grouped(groups) and (set(seps) - {"，"} or len(seps) > 1):
        return _Digits(Decimal("".join(groups)), k)  # 1,234,567  1'049  233,333，333
    if seps == ["，"] and _grouped(groups):
        a, b = groups
        return _Digits(
            Decimal(0),
            k,
            problem=f"'{said}' could be {a}{b} or the two amounts {a} and {b}; say it plainly",
        )
    return unclear


def _unit_sequence(text: str, p: int) -> tuple[int, int, str] | None:
    """Chinese units right after a number in digits: 千, 万, 千万, 万亿 → (factor, end, units)."""
    q = p + 1 if p < len(text) and text[p] == " " else p
    m = re.compile(r"[十拾百佰千仟]?[万萬]?[亿億]?").match(text, q)
    if m is None or not m[0]:
        return None
    units = canonical_numeral(m[0])
    factor = 1
    for ch in units:
        factor *= _UNIT_VALUES[ch]
    return factor, m.end(), units


def _plain_end(text: str, q: int) -> bool:
    """Nothing more of the number can follow at ``q`` (so 1万2 is 12000, not 1万2年)."""
    if q >= len(text) or text[q] in " ,，。.;；!！?？、)）\n":
        return True
    if currency_after(text, q) is not None:
        return True
    return text[q] in "了的吧啊呢哦哈整钱多左上"


def _remainder(text: str, p: int, unit: int) -> tuple[Decimal, int] | str | None:
    """What follows 万/千/百/亿 in 1万2, 1万600, 100万三千 → (value to add, end), a problem, or None."""
    n = len(text)
    if p >= n:
        return None
    if text[p] in NUMERAL_CHARS and text[p] not in "点":
        m = re.compile(rf"[{NUMERAL_CHARS}]+").match(text, p)
        assert m is not None
        core = canonical_numeral(m[0])
        zero = core.startswith(("零", "〇"))
        body = core.lstrip("零〇")
        try:
            value = chinese_to_int(body) if body else 0
        except ValueError:
            return f"'{text[p : m.end()]}' is not a number I can read for sure"
        if len(body) == 1 and body in DIGITS and not zero:
            if not _plain_end(text, m.end()):
                return None
            value *= unit // 10  # 1万二 = 12000
        if value >= unit or (m.end() < n and text[m.end()].isdigit()):
            return f"'{text[p : m.end() + 1]}' is not a number I can read for sure"
        return Decimal(value), m.end()
    if not text[p].isdigit():
        return None
    m = _DIGITS.match(text, p)
    assert m is not None
    digits, q = m[0], m.end()
    if q + 1 < n and text[q] in ".,，" and text[q + 1].isdigit():
        return f"'{text[p - 1 : q + 2]}' is not a number I can read for sure"
    seq = _unit_sequence(text, q) if q < n and text[q] != " " else None
    if seq is not None and seq[0] < unit:  # 1万2千 = 12000
        value = int(digits) * seq[0]
        if value >= unit:
            return f"'{text[p : seq[1]]}' is not a number I can read for sure"
        return Decimal(value), seq[1]
    if len(digits) == 1:
        if not _plain_end(text, q):
            return None
        return Decimal(int(digits) * unit // 10), q  # 1万2 = 12000, 3千5 = 3500
    width = len(str(unit)) - 1  # 万: 4 digits, 千: 3
    if len(digits) == width or (unit >= 10_000 and len(digits) == width - 1):
        return Decimal(int(digits)), q  # 1万2000, 1万600, 3千500
    return f"'{text[p:q]}' after the {'万' if unit == 10_000 else 'unit'} could mean two things"


def _single_digit(ch: str) -> int | None:
    if ch.isdigit() and ch.isascii():
        return int(ch)
    if ch in DIGITS:
        return DIGITS[ch]
    return None


def _money_tail(text: str, p: int) -> tuple[Decimal, int] | None:
    """After 块/元: 一块五 (jiao), 三块五毛五 (jiao, fen), 一块零五 (fen). → (add, new end)."""
    n = len(text)
    if p < n and text[p] == "钱":
        return None
    if p + 1 < n and text[p] == "零" and _single_digit(text[p + 1]) is not None:
        digit = _single_digit(text[p + 1]) or 0
        q = p + 2
        if q < n and text[q] in "毛角":  # 三十块零五毛 = 30.5
            q += 1
            return Decimal(digit) / 10, q
        if q < n and text[q] == "分":
            q += 1
        return Decimal(digit) / 100, q
    if p < n and _single_digit(text[p]) is not None:
        nxt = text[p + 1] if p + 1 < n else ""
        if nxt and (nxt.isdigit() or nxt in SMALL_UNITS or nxt in "万亿萬億"):
            return None  # 三块五十 is not a colloquial form; leave it
        jiao = _single_digit(text[p]) or 0
        q = p + 1
        add = Decimal(jiao) / 10
        if q < n and text[q] in "毛角":
            q += 1
            if q < n and _single_digit(text[q]) is not None:
                after = text[q + 1] if q + 1 < n else ""
                if not after or not (after.isdigit() or after in SMALL_UNITS):
                    add += Decimal(_single_digit(text[q]) or 0) / 100
                    q += 1
                    if q < n and text[q] == "分":
                        q += 1
        elif q < n and text[q] == "分":
            add = Decimal(jiao) / 100  # 壹元零壹分 went above; 一元五分 = 1.05
            q += 1
        elif q < n and text[q] in MEASURE_WORDS:
            return None  # 一块五斤 would be odd; do not guess
        if q < n and text[q] == "钱":
            q += 1
        return add, q
    return None


def _starts_with_keyword(text: str) -> bool:
    head = text.lstrip()[:12]
    if not head:
        return False
    for kind in ("expense", "income"):
        hit = best_hit([h for h in keyword_hits(head, kind) if h.start == 0])
        if hit is not None:
            return True
    return False


def _not_money_context(text: str, start: int, p: int) -> bool:
    """A percentage, a fraction or a ratio: 8%, 百分之五, 四分之三, 1/2."""
    after = text[p : p + 12]
    if after.startswith(("%", "％", "分之", "成")) and not after.startswith("成本"):
        return True
    if re.match(r"\s*(?:percent|per cent)\b", after, re.IGNORECASE):
        return True
    if text[max(0, start - 2) : start] == "分之":
        return True
    if after.startswith("/") and len(after) > 1 and after[1].isdigit():
        return True
    return start >= 2 and text[start - 1] == "/" and text[start - 2].isdigit()


def _rough_phrase(text: str, begin: int, p: int) -> str | None:
    """The amount with its rough marker (约50, 15k左右), if it has one."""
    lo = max(0, begin - 16)
    m = _ROUGH_BEFORE.search(text, lo, begin)
    if m:
        return text[m.start() : p].strip()
    m = _ROUGH_AFTER.match(text, p)
    if m:
        return text[begin : m.end()].strip()
    return None


def find_amounts(text: str) -> list[AmountMatch]:
    """Every plausible amount in ``text`` (one clause), left to right."""
    found: list[AmountMatch] = []
    n = len(text)
    pos = 0
    while True:
        m = _NUMBER.search(text, pos)
        if m is None:
            break
        start = m.start()
        pos = m.end()
        # Only the words right before the number matter (every use is anchored at the
        # end); the whole prefix made long inputs quadratic.
        before = text[max(0, start - 48) : start]
        verb_before = bool(_MONEY_VERBS_BEFORE.search(before))
        kind = "ar" if m["ar"] else "cn" if m["cn"] else "en"
        problem: str | None = None
        approximate = False
        value: Decimal
        digits: _Digits | None = None
        dec: re.Match[str] | None = None
        multiplied = False
        if kind == "ar":
            glued = start > 0 and text[start - 1].isascii() and text[start - 1].isalpha()
            digits = _read_digits(text, start)
            skip_to = max(digits.end, m.end())
            if text[start] == "." and glued:
                pos = skip_to
                continue  # DOT.45, v.2
            if glued and currency_before(text, start) is None:
                foreign = foreign_before(text, start)
                if foreign is None or len(foreign) < 2:
                    pos = skip_to
                    continue  # mp3, A4, iphone15, Q3
            if start > 0 and text[start - 1] == "." and text[start] != ".":
                if start > 1 and text[start - 2].isalpha():
                    pos = skip_to
                    continue  # DOT.45, No.5
                if start > 1 and text[start - 2] == ".":
                    problem = (
                        f"'{text[start - 2 : digits.end]}' is not a number I can read for sure"
                    )
            if text[start] == "." and re.match(r"[.,]\d", text[digits.end : digits.end + 2]):
                shown = text[start : digits.end + 4].strip()
                problem = f"'{shown}' is not a number I can read for sure"
            value, p = digits.value, digits.end
            problem = problem or digits.problem
            pos = p
        elif kind == "cn":
            core = canonical_numeral(m["cn"])
            p = m.end()
            if _not_money_context(text, start, p):
                continue
            try:
                value = Decimal(chinese_to_int(core))
            except ValueError:
                # 十七十八, 三四十, 百四: money that cannot be read for sure, or a word (万一)
                if currency_after(text, p) is None and not verb_before:
                    continue
                said = _shown(m["cn"])
                if all(ch in DIGITS and ch not in "零〇" for ch in core[:2]) or _two_numerals(core):
                    problem = f"'{said}' is two amounts or a range; say the one that was paid"
                else:
                    problem = f"'{said}' is not a number I can read for sure; say it again"
                value = Decimal(0)
            has_unit = any(ch in SMALL_UNITS or ch in BIG_UNITS for ch in core)
            if start > 0 and text[start - 1] == "点" and not has_unit:
                # 点五零: a decimal with nothing before it
                if currency_after(text, p) is None and not verb_before:
                    continue
                problem = f"'点{m['cn']}' has no number before 点; say the amount again"
            dec = _CN_DECIMAL.match(text, p)
            if dec and problem is None:
                if any(ch in BIG_UNITS for ch in core) and _unit_sequence(text, dec.end()):
                    problem = f"'{text[start : dec.end() + 1]}' is not a number I can read for sure"
                else:
                    decimals = dec[1] or dec[2]
                    value += Decimal(
                        "0." + "".join(str(DIGITS.get(ch, 0)) if not ch.isdigit() else ch
                                       for ch in decimals)
                    )  # fmt: skip
                    p = dec.end()
                    seq = _unit_sequence(text, p)
                    if seq is not None and seq[2][-1] in "万亿" and text[p] != " ":
                        value *= seq[0]  # 一点二万 = 12000
                        p = seq[1]
                        multiplied = True
            if _ROUGH_UNIT_BEFORE.search(before) and core[0] in _UNIT_VALUES:
                # 上千块, 数十亿元: a rough size, not an amount
                problem = f"'{text[start - 1 : p]}' is not an exact amount; say the exact number"
        else:
            try:
                value = Decimal(english_words_to_int(m["en"]))
            except ValueError:
                continue
            p = m.end()
        if _EXCLUDE_BEFORE.search(before):
            continue
        if kind == "ar":
            if p < n and text[p] in ":：" and p + 1 < n and text[p + 1].isdigit():
                pos = p + 3
                continue  # 8:30
            if _not_money_context(text, start, p):
                continue
            if re.match(r"\.\s+\d", text[p : p + 4]):  # 36. 24: one number or two?
                end2 = _DIGITS.match(text, p + len(re.match(r"\.\s+", text[p:])[0]))  # type: ignore[index]
                assert end2 is not None
                problem = problem or (
                    f"'{text[start : end2.end()]}' could be one number or two; say it plainly"
                )
            # multipliers: 1.5k, 2w, 3千, 1.2万, 3.1千万, 1万2, 100万三千
            km = re.compile(r"([kK])|([wW])(?![a-zA-Z])").match(text, p)
            seq = _unit_sequence(text, p)
            if km and not (km[1] and p + 1 < n and text[p + 1].isascii() and text[p + 1].isalpha()):
                value *= 1000 if km[1] else 10_000
                p = km.end()
                multiplied = True
            elif seq is not None and seq[2] != "十":
                factor, q, units = seq
                many_digits = digits is not None and (not digits.integer or value >= 10)
                if units[0] == "十" and many_digits:
                    problem = problem or (
                        f"'{text[start:q]}' is not a number I can read for sure; say it plainly"
                    )
                value *= factor
                p = q
                multiplied = True
                last_unit = _UNIT_VALUES[units[-1]]
                if digits is not None and digits.integer and problem is None:
                    rest = _remainder(text, p, last_unit)
                    if isinstance(rest, str):
                        problem = rest
                    elif rest is not None:
                        value += rest[0]
                        p = rest[1]
                elif (
                    digits is not None
                    and not digits.integer
                    and _remainder(text, p, last_unit) is not None
                ):
                    problem = f"'{text[start : p + 3]}' is not a number I can read for sure"
            else:
                words = re.compile(r"\s+(thousand|million)\b", re.IGNORECASE).match(text, p)
                if words:
                    value *= 1000 if words[1].lower() == "thousand" else 1_000_000
                    p = words.end()
                    multiplied = True
            if (
                digits is not None
                and digits.two_readings is not None
                and not multiplied
                and re.match(r",[-–]", text[p : p + 2])
            ):
                value = digits.two_readings  # 1.899,- is 1899 (",-": no cents)
            elif digits is not None and digits.two_readings is not None and not multiplied:
                problem = problem or (
                    f"'{text[start : digits.end]}' could be {digits.value} or "
                    f"{digits.two_readings}; say the amount another way"
                )
        currency: str | None = None
        named_after: CurrencyName | None = None
        strength = 2
        negative = False

        # money tails: 块/元 (+ jiao/fen), or the number is jiao (五毛) / fen (五分钱, 壹分)
        if p < n and text[p] in "毛角" and kind != "en":
            jiao_value = value / 10
            q = p + 1
            if q < n and _single_digit(text[q]) is not None:
                after = text[q + 1] if q + 1 < n else ""
                if not after or not (after.isdigit() or after in SMALL_UNITS):
                    jiao_value += Decimal(_single_digit(text[q]) or 0) / 100
                    q += 1
                    if q < n and text[q] == "分":
                        q += 1
            if q < n and text[q] == "钱":
                q += 1
            value, p, currency, strength = jiao_value, q, "CNY", 3
        elif text.startswith("分钱", p) and kind != "en":
            value, p, currency, strength = value / 100, p + 2, "CNY", 3
        elif (
            text.startswith("分", p)
            and not text.startswith(("分钟", "分之", "分析", "分别", "分期"), p)
            and kind != "en"
            and verb_before
            and value == value.to_integral_value()
            and 1 <= value <= 9
            and p - start == 1
        ):
            value, p, currency, strength = value / 100, p + 1, "CNY", 3  # 花了壹分
        else:
            approx = _APPROX_AFTER.match(text, p)
            if approx and kind != "en":
                approximate = True
                p = approx.end()
            named_after = currency_after(text, p)
            if named_after is not None:
                p = named_after.end
                strength = 3
                if named_after.generic == "yuan":
                    # 三万元欧元, 9000元日币, 50元人民币: the name after 元 says whose
                    whose = currency_after(text, p)
                    if whose is not None and not whose.generic:
                        named_after = CurrencyName(whose.code, named_after.start, whose.end)
                        p = whose.end
                currency = named_after.code
                if text[p - 1] in "块元圆圓":
                    tail = _money_tail(text, p)
                    if tail is not None:
                        value += tail[0]
                        p = tail[1]
                    elif p < n and text[p] == "钱":
                        p += 1
                    elif (
                        p < n and text[p] in "整正" and (p + 1 >= n or text[p + 1] not in "好在常")
                    ):
                        p += 1  # 壹拾壹元整
                    # 一块蛋糕 / 两块肥皂: a count, unless nothing else is said
                    elif (
                        value in (1, 2)
                        and p < n
                        and "\u4e00" <= text[p] <= "\u9fff"
                        and text[p] not in "了啊吧呢的多"
                    ):
                        strength = 1
        begin = start
        named_before = currency_before(text, start)
        if named_before is not None and found and named_before.start < found[-1].end:
            named_before = None  # 35€ 99: the € went with 35
        if named_before is not None:
            begin = named_before.start
            strength = 3
            if currency is None or named_after is not None:
                both = combine(named_before, named_after)
                if both is None:
                    problem = problem or (
                        f"'{text[begin:p].strip()}' names two currencies; say which one"
                    )
                currency = both or named_before.code
        # sign
        head = text[:begin].rstrip(" ")
        if head.endswith(("-", "−", "负", "minus")):
            negative = True
            begin = len(head) - (5 if head.endswith("minus") else 1)
        if start > 0 and text[start - 1] in "几":
            approximate = True

        after = text[p:]
        if currency is None:
            stripped = after.lstrip(" ")
            if any(stripped.startswith(w) for w in MEASURE_WORDS) and not _starts_with_keyword(
                stripped
            ):
                continue
            if after.startswith(("%", "％")):
                continue
            if kind != "cn" and _EN_UNIT_AFTER.match(after):
                continue
            at_end = bool(_CLAUSE_END_AFTER.match(after))
            if kind == "en" and not verb_before:
                continue
            if kind == "cn":
                core = canonical_numeral(m["cn"])
                has_unit = any(ch in SMALL_UNITS or ch in BIG_UNITS for ch in core)
                if not has_unit and problem is None:
                    if len(core) > 1 and p == m.end():
                        problem = _digit_string_problem(m["cn"], core)
                        if problem is None and not (verb_before and at_end):
                            continue  # 一一列举, 三三两两
                        if problem is not None and not (verb_before or at_end):
                            continue
                    elif not (verb_before or at_end):
                        continue  # 一起, 三明治
                    if start > 0 and "\u4e00" <= text[start - 1] <= "\u9fff" and not verb_before:
                        continue  # 老三, 周五
                elif not (verb_before or at_end or _starts_with_keyword(after)):
                    strength = 1
            elif kind == "ar":
                word_after = re.match(r"\s*([A-Za-z][A-Za-z'-]*)", after)
                if (
                    word_after
                    and not _EN_FUNCTION_AFTER.match(after)
                    and not verb_before
                    and not at_end
                ):
                    strength = 1  # 3 books
            foreign = foreign_after(text, p) or (
                foreign_before(text, start) if named_before is None else None
            )
            if foreign is not None:
                problem = problem or (
                    f"'{text[begin:p].strip()} {foreign}': {foreign} is not a currency Ting "
                    f"records ({', '.join(CURRENCIES)})"
                )
                strength = max(strength, 2)
            elif (unit := unknown_unit_after(text, p)) is not None and unit not in ("I", "A"):
                problem = problem or (
                    f"'{text[begin:p].strip()} {unit}': {unit} is not a currency Ting records"
                    f" ({', '.join(CURRENCIES)})"
                )
            elif digits is not None and digits.short_comma:
                problem = problem or (
                    f"'{text[start : digits.end]}': is the comma a decimal point? say the "
                    "amount another way"
                )
        elif kind == "cn" and problem is None:
            core = canonical_numeral(m["cn"])
            if len(core) > 1 and not any(ch in _UNIT_VALUES for ch in core) and not dec:
                problem = _digit_string_problem(m["cn"], core)

        if problem is None:
            rough = _rough_phrase(text, begin, p)
            if rough is not None or approximate:
                approximate = True
                shown = rough or text[begin:p].strip()
                problem = f"'{shown}' is not an exact amount; say the exact number"
        if problem is None:
            ranged = _RANGE_AFTER.match(text, p)
            if ranged is not None and not _second_is_count(text, ranged.end()):
                shown = text[begin : _number_end(text, ranged.end())].strip()
                problem = f"'{shown}' is two amounts; say the one that was paid"
            elif ranged is not None:
                continue  # 1-2个月
        found.append(
            AmountMatch(
                start=begin,
                end=p,
                value=value,
                currency=currency,
                strength=strength,
                negative=negative,
                approximate=approximate,
                problem=problem,
            )
        )
        pos = max(pos, p)
    return found


def _digit_string_problem(said: str, core: str) -> str | None:
    """一一 or 一七二零 read digit by digit; 五六 or 一两 is a range (five or six)."""
    if "两" in core:
        return f"'{said}' is a range, not one amount; say the exact number"
    if len(core) == 2 and core[0] != core[1] and not set(core) & set("零〇幺"):
        return f"'{said}' is a range, not one amount; say the exact number"
    return None


def _number_end(text: str, q: int) -> int:
    """Where the number starting at ``q`` ends, with its unit (15k, 3万, 三十万)."""
    m = re.compile(rf"[\d.,，'’]*\d(?:\s?[kKwW千万亿百](?![a-zA-Z]))*|[{NUMERAL_CHARS}]+").match(
        text, q
    )
    return m.end() if m else q


def _shown(said: str) -> str:
    """What was heard, cut short for a one-line message."""
    return said if len(said) <= 24 else said[:24] + "…"


def _two_numerals(core: str) -> bool:
    """十七十八: two numbers said one after the other."""
    if len(core) > 16:
        return False  # nobody says a numeral this long; and each try reads it whole
    for i in range(1, len(core)):
        try:
            chinese_to_int(core[:i])
            chinese_to_int(core[i:])
        except ValueError:
            continue
        return True
    return False


def _second_is_count(text: str, q: int) -> bool:
    """In 1-2个月 or 20 to 3 people the second number counts something: not a range of money."""
    m = _NUMBER.match(text, q)
    if m is None:
        return False
    after = text[m.end() :]
    stripped = after.lstrip(" ")
    if any(stripped.startswith(w) for w in MEASURE_WORDS):
        return True
    return bool(_EN_UNIT_AFTER.match(after))
