"""Finding money amounts in a clause: digits, Chinese numerals, colloquial money, currencies.

Each number found becomes an ``AmountMatch`` with a *strength*:

* 3: a currency was said with it (``35块``, ``$12.50``, ``20 bucks``, ``一块五``);
* 2: a bare number where an amount is expected (``午饭35``, ``花了三十五``, ``spent 45 on``);
* 1: a bare number that may be a count (``3 books``, ``一块蛋糕``): kept only when the
  clause has nothing stronger.

Numbers that are never money are skipped: counts with a measure word (``2杯``, ``3个``),
times (``8点``, ``8:30``), ordinals (``第2``, ``3rd``), percentages, single Chinese
digits inside words (``一起``, ``三明治``). Dates are removed before this runs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from skills.bookkeeping.lexicon import (
    CURRENCY_PREFIX_CODES,
    CURRENCY_SYMBOLS,
    CURRENCY_WORDS,
    best_hit,
    keyword_hits,
    words_of,
)
from skills.bookkeeping.numerals import (
    DIGITS,
    NUMERAL_CHARS,
    SMALL_UNITS,
    chinese_to_int,
    english_words_to_int,
)

_EN_NUMBER_WORD = (
    r"(?:zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|"
    r"fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|"
    r"seventy|eighty|ninety|hundred|thousand|million)"
)
_NUMBER = re.compile(
    r"(?P<ar>\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![\d,])|\d+(?:\.\d+)?)"
    rf"|(?P<cn>[{NUMERAL_CHARS}]+)"
    rf"|(?P<en>\b(?:an?\s+)?{_EN_NUMBER_WORD}(?:[\s-]+(?:and\s+)?{_EN_NUMBER_WORD})*\b)",
    re.IGNORECASE,
)
_CN_DIGIT = "".join(ch for ch in DIGITS if ch not in "〇")
_CN_DECIMAL = re.compile(rf"点([{_CN_DIGIT}〇]+)")

# a number followed by one of these counts things or tells the time: never money
MEASURE_WORDS = words_of(
    "个 杯 件 张 瓶 本 次 份 斤 天 小时 分钟 秒 人 位 号 月 日 周 点 岁 年 楼 层 条 双 支 只 台 盒 包"
    " 袋 箱 公里 千米 米 克 折 % ℃ 度 倍 遍 趟 站 路 线 期 集 章 页 顿 碗 套 间 晚 口 辆 部 节 圈 单"
    " 种 家 颗 把 块儿 根 片 罐 桶 串 群 星期 礼拜 后 以后"
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
_CLAUSE_END_AFTER = re.compile(
    r"\s*(?:钱|了|啊|吧|呢|哦|哈|左右|整)*\s*(?:[,，。.;；!！?？、\n]|$)"
)
_APPROX_AFTER = re.compile(r"\s*(?:多|几|来|余)(?:块钱|块|元)?|\s*出头")
_EXCLUDE_BEFORE = re.compile(r"(?:第|#|No\.\s*|尾号|号码|编号|room\s*|:|：|v|V|x|×)$")


@dataclass(frozen=True)
class AmountMatch:
    start: int
    end: int
    value: Decimal
    currency: str | None
    strength: int
    negative: bool = False
    approximate: bool = False


def _cn_value(core: str) -> Decimal | None:
    try:
        return Decimal(chinese_to_int(core))
    except ValueError:
        return None


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
        if nxt and (nxt.isdigit() or nxt in SMALL_UNITS or nxt in "万亿"):
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
        elif q < n and text[q] in MEASURE_WORDS:
            return None  # 一块五斤 would be odd; do not guess
        if q < n and text[q] == "钱":
            q += 1
        return add, q
    return None


def _suffix_currency(text: str, p: int) -> tuple[str, int] | None:
    q = p
    while q < len(text) and text[q] == " ":
        q += 1
    low = text[q : q + 20].lower()
    for word, code in CURRENCY_WORDS:
        if low.startswith(word):
            end = q + len(word)
            if word.isascii() and end < len(text) and text[end].isalpha() and text[end].isascii():
                continue
            if not word.isascii() and q != p and word in ("块", "元", "刀"):
                continue  # "35 块" is fine, but a lone 刀 after a space is a knife
            return code, end
    return None


def _prefix_currency(text: str, start: int) -> tuple[str, int] | None:
    q = start
    while q > 0 and text[q - 1] == " ":
        q -= 1
    before = text[max(0, q - 8) : q]
    for symbol, code in CURRENCY_SYMBOLS:
        if before.endswith(symbol):
            return code, q - len(symbol)
    upper = before.upper()
    for code in CURRENCY_PREFIX_CODES:
        if upper.endswith(code):
            begin = q - len(code)
            if begin > 0 and text[begin - 1].isascii() and text[begin - 1].isalpha():
                continue
            return ("CNY" if code == "RMB" else code), begin
    for word, code in (
        ("人民币", "CNY"),
        ("美元", "USD"),
        ("美金", "USD"),
        ("欧元", "EUR"),
        ("英镑", "GBP"),
        ("日元", "JPY"),
        ("港币", "HKD"),
    ):
        if before.endswith(word):
            return code, q - len(word)
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


def find_amounts(text: str) -> list[AmountMatch]:
    """Every plausible amount in ``text`` (one clause), left to right."""
    found: list[AmountMatch] = []
    n = len(text)
    pos = 0
    while True:
        m = _NUMBER.search(text, pos)
        if m is None:
            break
        pos = m.end()
        start, p = m.start(), m.end()
        # Only the words right before the number matter (every use is anchored at the
        # end); the whole prefix made long inputs quadratic.
        before = text[max(0, start - 48) : start]
        value: Decimal | None
        kind = "ar" if m["ar"] else "cn" if m["cn"] else "en"
        if kind == "ar":
            glued = start > 0 and text[start - 1].isascii() and text[start - 1].isalpha()
            if glued and _prefix_currency(text, start) is None:
                continue  # mp3, A4, iphone15
            value = Decimal(m["ar"].replace(",", ""))
        elif kind == "cn":
            core = m["cn"]
            value = _cn_value(core)
            if value is None:
                continue
            dec = _CN_DECIMAL.match(text, p)
            if dec:
                digits = "".join(str(DIGITS[ch] if ch != "〇" else 0) for ch in dec[1])
                value += Decimal("0." + digits)
                p = dec.end()
        else:
            try:
                value = Decimal(english_words_to_int(m["en"]))
            except ValueError:
                continue
        if _EXCLUDE_BEFORE.search(before):
            continue
        if kind == "ar" and p < n and text[p] in ":：" and p + 1 < n and text[p + 1].isdigit():
            pos = p + 3
            continue  # 8:30

        # multipliers: 1.5k, 2w, 3千, 1.2万, 1万2
        if kind == "ar":
            mult = re.match(r"(?:([kK])|([wW])|(千)|(万)|(百))(?![a-zA-Z])", text[p:])
            if mult:
                factor = 1000 if mult[1] or mult[3] else 10_000 if mult[2] or mult[4] else 100
                value *= factor
                p += 1
                lone_digit = (
                    p < n
                    and text[p].isdigit()
                    and not (p + 1 < n and (text[p + 1].isdigit() or text[p + 1] in ".千百"))
                )
                if (mult[3] or mult[4]) and lone_digit:
                    value += int(text[p]) * factor // 10  # 1万2 = 12000
                    p += 1

        currency: str | None = None
        strength = 2
        approximate = False
        negative = False

        # money tails: 块/元 (+ jiao/fen), or the number is jiao (五毛) / fen (五分钱)
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
        else:
            approx = _APPROX_AFTER.match(text, p)
            if approx and kind != "en":
                approximate = True
                p = approx.end()
            suffix = _suffix_currency(text, p)
            if suffix is not None:
                currency, p = suffix
                strength = 3
                if text[p - 1] in "块元圆":
                    tail = _money_tail(text, p)
                    if tail is not None:
                        value += tail[0]
                        p = tail[1]
                    elif p < n and text[p] == "钱":
                        p += 1
                    # 一块蛋糕 / 两块肥皂: a count, unless nothing else is said
                    elif (
                        value in (1, 2)
                        and p < n
                        and "\u4e00" <= text[p] <= "\u9fff"
                        and text[p] not in "了啊吧呢的多"
                    ):
                        strength = 1
        begin = start
        if currency is None:
            prefix = _prefix_currency(text, start)
            if prefix is not None:
                currency, begin = prefix
                strength = 3
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
            verb_before = bool(_MONEY_VERBS_BEFORE.search(before))
            at_end = bool(_CLAUSE_END_AFTER.match(after))
            if kind == "en" and not verb_before:
                continue
            if kind == "cn":
                core = m["cn"]
                has_unit = any(ch in SMALL_UNITS or ch in "万亿" for ch in core)
                if not has_unit:
                    if len(core) > 1 or not (verb_before or at_end):
                        continue  # 一起, 三明治, 二零二四
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
        found.append(
            AmountMatch(
                start=begin,
                end=p,
                value=value,
                currency=currency,
                strength=strength,
                negative=negative,
                approximate=approximate,
            )
        )
        pos = max(pos, p)
    return found
