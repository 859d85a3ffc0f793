"""Which currency an amount is in: the names, codes and signs said before or after it.

* ``currency_after(text, p)`` / ``currency_before(text, start)``: a currency Ting records,
  named right after position ``p`` or right before ``start`` (``35块``, ``$12``,
  ``港币两千``, ``HK$ 300``, ``12,000원``).
* 元/块/圆, ``$`` and ``¥`` are *generic*: they say "yuan" or "dollar" without saying
  whose. A specific name next to them wins (``三万元欧元`` is EUR, ``$1,190 AUD`` is
  AUD, ``新台币 177.1 亿元`` is TWD); ``combine`` refuses two names that disagree.
* ``foreign_after`` / ``foreign_before``: a currency Ting does not record (``zł``,
  ``руб.``, ``R$``, ``₪``, ``卢布``, an ISO 4217 code such as ``PLN``), so the amount is
  refused instead of being booked in the default currency.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# The currencies Ting records: one list, which the default_currency setting offers too.
from assistant.config import CURRENCIES as CURRENCIES

DOLLARS = frozenset({"USD", "HKD", "TWD", "AUD", "CAD", "SGD", "NZD"})
YEN_YUAN = frozenset({"CNY", "JPY"})


@dataclass(frozen=True)
class CurrencyName:
    code: str
    start: int
    end: int
    generic: str | None = None  # "yuan", "dollar" or "yen": says the unit, not whose


# name → (code, generic). Chinese names and signs match as they are; Latin names match
# case-insensitively as whole words.
_NAMES: dict[str, tuple[str, str | None]] = {
    # generic units
    "块钱": ("CNY", "yuan"),
    "块": ("CNY", "yuan"),
    "元钱": ("CNY", "yuan"),
    "元": ("CNY", "yuan"),
    "圆": ("CNY", "yuan"),
    "圓": ("CNY", "yuan"),
    "$": ("USD", "dollar"),
    "dollars": ("USD", "dollar"),
    "dollar": ("USD", "dollar"),
    "bucks": ("USD", "dollar"),
    "buck": ("USD", "dollar"),
    "刀": ("USD", "dollar"),
    "¥": ("CNY", "yen"),
    "￥": ("CNY", "yen"),
    # CNY
    "人民币": ("CNY", None),
    "rmb": ("CNY", None),
    "cny": ("CNY", None),
    "yuan": ("CNY", None),
    "kuai": ("CNY", None),
    "renminbi": ("CNY", None),
    # USD
    "美元": ("USD", None),
    "美金": ("USD", None),
    "usd": ("USD", None),
    "us$": ("USD", None),
    "us dollars": ("USD", None),
    "u.s. dollars": ("USD", None),
    # EUR
    "欧元": ("EUR", None),
    "eur": ("EUR", None),
    "euros": ("EUR", None),
    "euro": ("EUR", None),
    "€": ("EUR", None),
    # GBP
    "英镑": ("GBP", None),
    "gbp": ("GBP", None),
    "pounds": ("GBP", None),
    "pound": ("GBP", None),
    "quid": ("GBP", None),
    "stg": ("GBP", None),
    "£": ("GBP", None),
    "￡": ("GBP", None),
    # JPY
    "日元": ("JPY", None),
    "日币": ("JPY", None),
    "日圆": ("JPY", None),
    "円": ("JPY", None),
    "jpy": ("JPY", None),
    "yen": ("JPY", None),
    # HKD
    "港币": ("HKD", None),
    "港元": ("HKD", None),
    "港纸": ("HKD", None),
    "hkd": ("HKD", None),
    "hk$": ("HKD", None),
    "hk dollars": ("HKD", None),
    "hong kong dollars": ("HKD", None),
    # TWD
    "新台币": ("TWD", None),
    "台币": ("TWD", None),
    "twd": ("TWD", None),
    "ntd": ("TWD", None),
    "nt$": ("TWD", None),
    "nt dollars": ("TWD", None),
    "taiwan dollars": ("TWD", None),
    # KRW
    "韩元": ("KRW", None),
    "韩币": ("KRW", None),
    "원": ("KRW", None),
    "₩": ("KRW", None),
    "krw": ("KRW", None),
    "won": ("KRW", None),
    "korean won": ("KRW", None),
    # AUD
    "澳元": ("AUD", None),
    "澳币": ("AUD", None),
    "aud": ("AUD", None),
    "a$": ("AUD", None),
    "au$": ("AUD", None),
    "australian dollars": ("AUD", None),
    "aussie dollars": ("AUD", None),
    # CAD
    "加元": ("CAD", None),
    "加币": ("CAD", None),
    "cad": ("CAD", None),
    "c$": ("CAD", None),
    "ca$": ("CAD", None),
    "cad$": ("CAD", None),
    "can$": ("CAD", None),
    "canadian dollars": ("CAD", None),
    # SGD
    "新加坡元": ("SGD", None),
    "新币": ("SGD", None),
    "sgd": ("SGD", None),
    "s$": ("SGD", None),
    "sgd$": ("SGD", None),
    "singapore dollars": ("SGD", None),
    # CHF
    "瑞士法郎": ("CHF", None),
    "瑞郎": ("CHF", None),
    "chf": ("CHF", None),
    "swiss francs": ("CHF", None),
    "sfr": ("CHF", None),
    # THB
    "泰铢": ("THB", None),
    "thb": ("THB", None),
    "baht": ("THB", None),
    "฿": ("THB", None),
    # NZD
    "新西兰元": ("NZD", None),
    "纽币": ("NZD", None),
    "纽元": ("NZD", None),
    "nzd": ("NZD", None),
    "nz$": ("NZD", None),
    "new zealand dollars": ("NZD", None),
    # MOP
    "澳门元": ("MOP", None),
    "澳门币": ("MOP", None),
    "mop": ("MOP", None),
    "mop$": ("MOP", None),
    "patacas": ("MOP", None),
}
# Said before a number only with these (a lone 元 or "dollars" before a number is not
# how anyone says an amount; "cad" or "mop" before one is too likely something else).
_BEFORE_ONLY_NOT = frozenset({"块钱", "块", "元钱", "元", "圆", "圓", "刀", "dollars", "dollar",
                              "bucks", "buck", "pounds", "pound", "quid", "won", "mop", "yuan",
                              "kuai", "yen", "baht", "euros", "euro", "patacas", "renminbi"})  # fmt: skip
_BY_LENGTH = sorted(_NAMES, key=len, reverse=True)
# Codes that may stand in capitals before a number (``USD 10``, ``CHF 1'049``).
_PREFIX_CODES = {
    name.upper(): code
    for name, (code, _) in _NAMES.items()
    if name.isascii() and name.isalpha() and len(name) == 3 and name not in _BEFORE_ONLY_NOT
}
_PREFIX_CODES["RMB"] = "CNY"


def _is_word_char(ch: str) -> bool:
    return ch.isascii() and (ch.isalnum() or ch == "_")


def _name_at(text: str, q: int) -> tuple[str, int] | None:
    """The longest currency name starting at ``q`` → (name, end)."""
    low = text[q : q + 20].lower()
    for name in _BY_LENGTH:
        if low.startswith(name):
            end = q + len(name)
            latin_end = name[-1].isascii() and name[-1].isalpha()
            if latin_end and end < len(text) and _is_word_char(text[end]):
                continue  # "usda", "eurostar"
            latin_start = name[0].isascii() and name[0].isalpha()
            if latin_start and q > 0 and text[q - 1].isascii() and text[q - 1].isalpha():
                continue
            return name, end
    return None


def currency_after(text: str, p: int) -> CurrencyName | None:
    """A currency Ting records named right after ``p`` (one space allowed)."""
    q = p + 1 if p < len(text) and text[p] == " " else p
    hit = _name_at(text, q)
    if hit is None:
        return None
    name, end = hit
    if name == "$" and end < len(text) and text[end].isascii() and text[end].isalpha():
        return None  # $U, $b: a peso or a boliviano, not a dollar
    if q != p and name in ("块", "元", "刀", "块钱", "元钱"):
        return None  # "35 块" is fine without the space too; a lone 刀 after a space is a knife
    code, generic = _NAMES[name]
    return CurrencyName(code, q, end, generic)


def currency_before(text: str, start: int) -> CurrencyName | None:
    """A currency Ting records named right before ``start`` (spaces or a colon between)."""
    q = start
    while q > 0 and text[q - 1] in " :":
        q -= 1
    before = text[max(0, q - 20) : q]
    low = before.lower()
    for name in _BY_LENGTH:
        if name in _BEFORE_ONLY_NOT or not low.endswith(name):
            continue
        begin = q - len(name)
        if name[0].isascii() and name[0].isalpha():
            if begin > 0 and _is_word_char(text[begin - 1]) and not text[begin - 1].isdigit():
                # "R$" is not "$"; "sgd$" was matched whole above
                continue
            if name.isalpha() and name.upper() not in _PREFIX_CODES and len(name) <= 3:
                continue
        elif (
            name in ("$", "¥", "￥")
            and begin > 0
            and text[begin - 1].isascii()
            and text[begin - 1].isalpha()
        ):
            continue  # R$, MX$: a dollar Ting does not record (foreign_before says which)
        code, generic = _NAMES[name]
        found = CurrencyName(code, begin, q, generic)
        letters = re.search(r"(?<![A-Za-z])([A-Z]{1,3}) $", text[max(0, begin - 5) : begin])
        if name == "$" and letters:  # US $1.23, AU $59.95, NZD $100.70
            spelled = _NAMES.get(letters[1].lower() + "$") or _NAMES.get(letters[1].lower())
            if spelled is None or spelled[1] or spelled[0] not in DOLLARS:
                return None  # MX $5: a dollar Ting does not record
            return CurrencyName(spelled[0], begin - len(letters[0]), q)
        if generic:  # "NZD $100", "HK $20": the code before the sign says whose dollar
            whose = currency_before(text, begin)
            if whose is not None and not whose.generic and combine(whose, found) == whose.code:
                return CurrencyName(whose.code, whose.start, q)
        return found
    return None


def combine(before: CurrencyName | None, after: CurrencyName | None) -> str | None:
    """The one currency two names say, or ``None`` when they disagree."""
    if before is None or after is None:
        named = before or after
        return named.code if named else None
    if before.code == after.code:
        return before.code
    for generic, specific in ((before, after), (after, before)):
        if generic.generic and not specific.generic:
            if generic.generic == "yuan":
                return specific.code  # 三万元欧元, 新台币 177.1 亿元
            if generic.generic == "dollar" and specific.code in DOLLARS:
                return specific.code  # $1,190.00 AUD
            if generic.generic == "yen" and specific.code in YEN_YUAN:
                return specific.code
    return None


# -- currencies Ting does not record -------------------------------------------------


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# ISO 4217 codes (current and some withdrawn), for "PLN 45" or "45 DKK".
ISO_CODES = frozenset(
    _words(
        """AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD
    BTN BWP BYN BYR BZD CAD CDF CHF CLP CNY COP CRC CUC CUP CVE CZK DJF DKK DOP DZD EGP ERN
    ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HRK HTG HUF IDR ILS INR IQD IRR
    ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA
    MKD MMK MNT MOP MRO MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK
    PHP PKR PLN PYG QAR RON RSD RUB RUR RWF SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS SRD SSP
    STD STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VEF VES VND
    VUV WST XAF XCD XOF XPF YER ZAR ZMW ZWL DEM FRF ITL ESP PTE NLG BEF ATS FIM IEP GRD LTL
    LVL EEK SKK SIT CYP MTL"""
    )
)
# Other names and abbreviations of currencies Ting does not record. Latin ones match as
# whole words, case-sensitively where the lower-case word is an ordinary English word.
_FOREIGN_WORDS = _words(
    "卢布 卢比 比索 里拉 越南盾 印尼盾 兰特 雷亚尔 法郎 克朗 兹罗提 林吉特 令吉 马币 第纳尔"
    " 迪拉姆 里亚尔 谢克尔 福林 列伊 格里夫纳 奈拉 先令 坚戈 苏姆 卢菲亚 比尔 基普 瑞尔 塔卡"
)
_FOREIGN_LATIN_ANY_CASE = _words(
    "zł kč lei lek dinara pln mkd czk huf dkk sek nok rub uah inr brl mxn vnd myr hrn kwz nis dinar dinars dirham dirhams riyal riyals rial rials rupee rupees rupiah"
    " ringgit peso pesos reais rand lira lire francs franc krona kronor krone kroner zloty"
    " zlotys forint ruble rubles rouble roubles hryvnia shekel shekels naira cedi birr shilling"
    " shillings kwacha lempira quetzal bolivar guarani leva kuna denar manat tenge lari"
    " afghani ngultrum kyat tugrik loti ksh kshs fcfa cfa fbu fdj nfk"
)
# Short ones that are also ordinary words or units in lower case: only as written here.
_FOREIGN_LATIN_CASED = _words(
    "R L G Q S/. B/. S/ Bs Bs. Br KM KD BD Nu. Nu kr Kr Gs Le MK P Sh Rs Rp RM TL Ft Dh Dhs Lv zl"
    " Zl kn Rf Db TSh USh Vt GFr FRw Ar Esc Ks Rbl Re Sl Fr. Fr S' Sʻ so'm som din q Ƀ"
)
_FOREIGN_LATIN_RE = re.compile(
    r"(?:"
    + "|".join(re.escape(w) for w in sorted(_FOREIGN_LATIN_ANY_CASE, key=len, reverse=True))
    + r")(?![A-Za-z\u00c0-\u024f])",
    re.IGNORECASE,
)
_FOREIGN_CASED_RE = re.compile(
    r"(?:"
    + "|".join(re.escape(w) for w in sorted(_FOREIGN_LATIN_CASED, key=len, reverse=True))
    + r")(?![A-Za-z\u00c0-\u024f])"
)
_CODE_RE = re.compile(r"[A-Z]{3}(?![A-Za-z])")
_DOLLAR_PREFIX_RE = re.compile(r"(?<![A-Za-z])([A-Z]{1,4}\s?|[A-Za-z]{1,4})\$$")


def _foreign_script(ch: str) -> bool:
    """A letter of a script other than Latin and the CJK ones (Cyrillic, Arabic, Thai…)."""
    if not ch.isalpha() or ch.isascii():
        return False
    name = unicodedata.name(ch, "")
    return not name.startswith(("LATIN", "CJK", "HANGUL", "HIRAGANA", "KATAKANA"))


def _is_unknown_sign(ch: str) -> bool:
    return (unicodedata.category(ch) == "Sc" and ch not in _NAMES) or ch == "ƒ"


_ALL_CAPS_RE = re.compile(r"[^\W\d_]{1,3}(?![^\W\d_])")
_SIGN_AFTER_LETTERS_RE = re.compile(r"([A-Za-z]{1,3})(\S)")


def foreign_after(text: str, p: int) -> str | None:
    """A currency Ting does not record, named right after ``p`` (spaces allowed)."""
    q = p
    if text[q : q + 2] in (",-", ".-", ",–", ".–"):
        q += 2  # 50,- Kč
    while q < len(text) and text[q] in " \u00a0":
        q += 1
    if q >= len(text):
        return None
    rest = text[q : q + 20]
    if rest[0] == "." and len(rest) > 1 and _foreign_script(rest[1]):
        rest = rest[1:]  # 1 .د.ب
    ch = rest[0]
    if _is_unknown_sign(ch):
        return ch
    if _foreign_script(ch):
        return re.match(r"\S+", rest)[0]  # type: ignore[index]
    for word in _FOREIGN_WORDS:
        if rest.startswith(word):
            return word
    for pattern in (_FOREIGN_LATIN_RE, _FOREIGN_CASED_RE, _CODE_RE):
        m = pattern.match(rest)
        if m and (pattern is not _CODE_RE or m[0] in ISO_CODES):
            return m[0]
    m = _SIGN_AFTER_LETTERS_RE.match(rest)
    if m and unicodedata.category(m[2]) == "Sc" and currency_after(text, q) is None:
        return m[0]  # E£, GH₵, MX$
    if rest.startswith("$") and len(rest) > 1 and rest[1].isascii() and rest[1].isalpha():
        return rest[:2]  # $U, $b
    return None


def unknown_unit_after(text: str, p: int) -> str | None:
    """A short word in capitals right after a number (1 UM, 20 BTC): a unit or a currency
    code; either way not something to book as money in the default currency. Also a word
    with accented Latin letters."""
    q = p
    while q < len(text) and text[q] == " ":
        q += 1
    m = _ALL_CAPS_RE.match(text, q)
    if m and m[0].isupper() and currency_after(text, q) is None:
        return m[0]
    # a word with accented Latin letters (5.00 trên 5, 9 800 Kč): a word in a language
    # Ting does not read, so what the number is stays unknown
    m = re.compile(r"[A-Za-z\u00c0-\u024f'.]+").match(text, q)
    if m and re.search(r"[\u00c0-\u024f]", m[0]) and currency_after(text, q) is None:
        return m[0]
    return None


_FOREIGN_BEFORE_RE = re.compile(
    r"(?<![A-Za-z])(?:"
    + "|".join(re.escape(w) for w in sorted(_FOREIGN_LATIN_ANY_CASE, key=len, reverse=True))
    + r")\.?\s*$",
    re.IGNORECASE,
)
_FOREIGN_CASED_BEFORE_RE = re.compile(
    r"(?<![A-Za-z])(?:"
    + "|".join(re.escape(w) for w in sorted(_FOREIGN_LATIN_CASED, key=len, reverse=True))
    + r")\.?\s*$"
)


def foreign_before(text: str, start: int) -> str | None:
    """A currency Ting does not record, named right before ``start`` (spaces allowed)."""
    q = start
    while q > 0 and text[q - 1] in " \u00a0:":
        q -= 1
    if q == 0:
        return None
    before = text[max(0, q - 12) : q]
    ch = before[-1]
    if _is_unknown_sign(ch):
        return ch
    if _foreign_script(ch):
        return re.search(r"\S+$", before)[0]  # type: ignore[index]
    m = _DOLLAR_PREFIX_RE.search(before)
    if m and currency_before(text, start) is None:
        return m[0]
    for word in _FOREIGN_WORDS:
        if before.endswith(word):
            return word
    m = re.search(r"(?<![A-Za-z])([A-Z]{3})$", before)
    if m and m[1] in ISO_CODES and m[1] not in _PREFIX_CODES:
        return m[1]
    for pattern in (_FOREIGN_BEFORE_RE, _FOREIGN_CASED_BEFORE_RE):
        m = pattern.search(before)
        if m and m[0].strip()[0].isalpha():
            return m[0].strip()
    return None
