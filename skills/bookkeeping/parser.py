"""``ExpenseParser``: a spoken or typed sentence → ledger entries. Offline, deterministic.

How a sentence is read:

1. Dates are found first (``dates.find_dates``) and taken out of the text, so the 3 of
   "3号" or "2 days ago" is never an amount.
2. The sentence is cut into clauses at punctuation and at "and/then/然后/还有/另外";
   a clause holding two amounts is cut between them ("早饭12午饭35"). A clause with no
   amount is joined to the next one ("发工资了，一万二" is one entry), or to the last one
   when nothing follows.
3. Each amount-bearing piece becomes one entry: its kind, category and item come from
   the words in that piece; its currency from that piece, else from an earlier entry
   of the same kind in the same sentence ("午饭35美元，打车20": both USD), else the
   configured default; its date from that piece, else the last
   date said before it, else a date said at the very end, else today.
4. A trailing total that repeats the sum of the entries before it ("早饭12，午饭35，一共
   47") is dropped.

The "我和小王吃饭花了200，他转我100" rule: the ledger records money movements, so this
is **two entries**: an expense of 200 (food) and an income of 100 in category
``refund`` (item 转账). Reports of spending by category therefore show what you paid;
the refund shows what came back. Phrases for money returned to you: 转我, 转给我, 还我,
paid me back, sent me, venmoed me.

Amounts are checked before anything can be written: no amount, a negative or zero
amount, an approximate one ("三十多块"), more than 2 decimals, more than
99,999,999.99, or one the amount reader is not sure of (``amounts.AmountMatch.problem``:
a range, a separator that reads two ways, a currency Ting does not record) raise a
``UsageError`` subclass with a one-line message saying what was heard.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from assistant.config import CURRENCIES
from assistant.errors import UsageError
from skills.bookkeeping.amounts import AmountMatch, find_amounts
from skills.bookkeeping.dates import DateMatch, find_dates
from skills.bookkeeping.lexicon import (
    EXPENSE_CATEGORIES,
    INCOME_CATEGORIES,
    KINDS,
    KeywordHit,
    best_hit,
    category_cue,
    keyword_hits,
)

MAX_AMOUNT = Decimal("99999999.99")


class NoAmountError(UsageError):
    """The text names no amount of money."""


class AmountError(UsageError):
    """An amount that must not be recorded as said (negative, zero, vague, huge)."""


@dataclass(frozen=True)
class ParsedEntry:
    amount: Decimal
    currency: str
    category: str
    item: str
    date: dt.date
    kind: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "amount": amount_to_json(self.amount),
            "currency": self.currency,
            "category": self.category,
            "item": self.item,
            "date": self.date.isoformat(),
            "kind": self.kind,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ParsedEntry:
        """An entry from its dict form (e.g. edited by a UI), validated."""
        return validate_entry(data)


def amount_to_json(amount: Decimal) -> int | float:
    return int(amount) if amount == amount.to_integral_value() else float(amount)


def validate_entry(data: Mapping[str, Any]) -> ParsedEntry:
    """Check one entry's fields (from a UI, a CSV row or a model) and build it."""
    if not isinstance(data, Mapping):
        raise UsageError("an entry must be an object with amount, currency, category, ...")
    missing = [k for k in ("amount", "currency", "category", "date", "kind") if k not in data]
    if missing:
        raise UsageError(f"the entry is missing {', '.join(missing)}")
    raw_amount = data["amount"]
    if isinstance(raw_amount, bool):
        raise AmountError(f"amount must be a number, not {raw_amount!r}")
    try:
        amount = Decimal(str(raw_amount).strip().replace(",", ""))
    except ArithmeticError:
        raise AmountError(f"amount must be a number, not {raw_amount!r}") from None
    check_amount(amount)
    currency = str(data["currency"]).strip().upper()
    if currency not in CURRENCIES:
        raise UsageError(f"unknown currency {data['currency']!r} (one of {', '.join(CURRENCIES)})")
    kind = str(data["kind"]).strip().lower()
    if kind not in KINDS:
        raise UsageError(f"kind must be expense or income, not {data['kind']!r}")
    category = str(data["category"]).strip().lower()
    allowed = EXPENSE_CATEGORIES if kind == "expense" else INCOME_CATEGORIES
    if category not in allowed:
        raise UsageError(
            f"{data['category']!r} is not an {kind} category (one of {', '.join(allowed)})"
        )
    try:
        date = dt.date.fromisoformat(str(data["date"]).strip())
    except ValueError:
        raise UsageError(f"date must be YYYY-MM-DD, not {data['date']!r}") from None
    item = str(data.get("item") or "").strip()
    if len(item) > 200:
        raise UsageError("the item is too long (200 characters at most)")
    return ParsedEntry(amount, currency, category, item, date, kind)


def check_amount(amount: Decimal, said: str | None = None) -> None:
    shown = said or f"{amount}"
    if not amount.is_finite():
        raise AmountError(f"amount must be a number, not {shown!r}")
    if amount < 0:
        raise AmountError(f"amount {shown} is negative; say what was spent or received")
    if amount == 0:
        raise AmountError(f"amount {shown} is zero; nothing to record")
    if amount > MAX_AMOUNT:
        raise AmountError(f"amount {shown} is too large (at most 99,999,999.99)")
    if amount != amount.quantize(Decimal("0.01")):
        raise AmountError(f"amount {shown} has more than 2 decimals")


# -- text normalisation ---------------------------------------------------------------

_FULLWIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_FULLWIDTH[0x3000] = 0x20
_FULLWIDTH[ord("，")] = ord("，")  # keep Chinese punctuation as is (it splits clauses)
_FULLWIDTH[ord("；")] = ord("；")
_FULLWIDTH[ord("！")] = ord("！")
_FULLWIDTH[ord("？")] = ord("？")
_FULLWIDTH[ord("（")] = ord("（")
_FULLWIDTH[ord("）")] = ord("）")
_FULLWIDTH[ord("：")] = ord("：")
_FULLWIDTH[ord("￥")] = ord("¥")


def normalise(text: str) -> str:
    """Full-width digits and letters to ASCII; the length of the text is unchanged."""
    return text.translate(_FULLWIDTH)


# Commas and points inside a number stay (82，225.00 and 17,35 and 36. 24 are read, or
# refused, by the amount reader as one thing), and so does （含） in 50万元（含）以上.
_CLAUSE_SPLIT = re.compile(
    r"[。；;！!？?\n、]|[（(](?!含[)）])|(?<!含)[）)]"
    r"|(?<!\d)，|，(?!\d{3}(?!\d))"
    r"|(?<!\d),|,(?![-–]|\d{1,3}(?!\d))"
    r"|(?<!\d)\.(?=\s|$)|\.(?=\s*$)|\.(?=\s+\D)"
    r"|(?<!hundred)(?<!thousand)\s+(?:and|then|plus|also|and then)\s+"
    r"|然后|还有|另外|以及|再加上",
    re.IGNORECASE,
)
_VAGUE_AMOUNT = re.compile(
    r"几[十百千万]+(?:块钱|块|元|美元)?"
    r"|(?:一两|两三|二三|三四|四五|五六|六七|七八|八九)[十百千万]+(?:块钱|块|元|美元)?"
    r"|\b(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred)[- ]?(?:something|odd|ish)\b"
    r"|\b(?:a few|several) (?:hundred|thousand)\b[\w ]*"
)
# Words people say into a hotkey that are not part of what they bought: hesitations,
# "note this down", "um". Blanked out (same length) before the sentence is read.
_FILLER = re.compile(
    r"(?:帮我|给我|请|麻烦)?(?:记(?:一|个)?[下笔](?:账)?|记个?账|记录一下|记(?=\s*[:：，,]))(?:吧|哈|啊)?"
    r"|(?:帮我|给我)记(?=\s)"
    r"|嗯+|呃+|额+(?=[，,\s…])|唔+|哎+|诶+|那个(?![月星周礼季年])|就是说?(?=[，,\s])|对了"
    r"|…+|\.{3,}"
    r"|\b(?!UM\b|UH\b|ER\b)(?:u+m+|u+h+|uhm|erm|hmm+|er)\b"
    r"|(?:^|(?<=[,，.。!！?？;；]))(?:\s*(?:so|well|okay|ok|oh|hey|um+|uh+)\b[\s,]*)+(?=\S)"
    r"|\blike\b(?=\s*[$€£¥\d])",
    re.IGNORECASE,
)
# "thirty-ish", "20 something": said roughly; "10 or 12 dollars", "四十到五十": two
# amounts for one thing. Both are refused, never guessed.
_ROUGH_AFTER = re.compile(
    r"[- ]?(?:ish|something|odd|some)\b|\s*(?:多|来)(?![\u4e00-\u9fff])", re.I
)
_ALTERNATIVE_BEFORE = re.compile(
    r"(?:\d+(?:\.\d+)?|[零一二两三四五六七八九十百千万]+|\b(?:one|two|three|four|five|six|seven"
    r"|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|sixty|seventy|eighty"
    r"|ninety|hundred))\s*(?:块|元|dollars?|bucks?)?\s*(?:or|to|到|或者?|至|~|-|–)\s*[$¥€£]?\s*$",
    re.IGNORECASE,
)
_TOTAL_WORDS = re.compile(r"一共|总共|合计|总计|in total|altogether|\btotal\b", re.IGNORECASE)
_CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass
class _Piece:
    start: int
    end: int
    amount: AmountMatch | None


def _clauses(text: str) -> list[tuple[int, int]]:
    spans = []
    pos = 0
    for m in _CLAUSE_SPLIT.finditer(text):
        if m.start() > pos:
            spans.append((pos, m.start()))
        pos = m.end()
    if pos < len(text):
        spans.append((pos, len(text)))
    return [(s, e) for s, e in spans if text[s:e].strip()]


_LEADING_FILLER = re.compile(
    r"^\s*(?:i\s+|we\s+)?(?:just\s+)?(?:paid|spent|spend|pay|paying|got|cost|costs|was|花了|花|付了|付|用了|交了)?\s*$",
    re.IGNORECASE,
)


def _pieces(text: str, start: int, end: int) -> list[_Piece]:
    clause = text[start:end]
    amounts = find_amounts(clause)
    if any(a.strength >= 2 for a in amounts):
        amounts = [a for a in amounts if a.strength >= 2]
    if not amounts:
        return [_Piece(start, end, None)]
    if len(amounts) == 1:
        a = amounts[0]
        return [_Piece(start, end, _shift(a, start))]
    amount_first = bool(_LEADING_FILLER.match(clause[: amounts[0].start]))
    pieces = []
    if amount_first:
        cuts = [a.start for a in amounts] + [len(clause)]
        cuts[0] = 0
        for i, a in enumerate(amounts):
            pieces.append(_Piece(start + cuts[i], start + cuts[i + 1], _shift(a, start)))
    else:
        cuts = [0] + [a.end for a in amounts]
        cuts[-1] = len(clause)
        for i, a in enumerate(amounts):
            pieces.append(_Piece(start + cuts[i], start + cuts[i + 1], _shift(a, start)))
    return pieces


def _shift(a: AmountMatch, offset: int) -> AmountMatch:
    return replace(a, start=a.start + offset, end=a.end + offset)


# -- kind, category, item ------------------------------------------------------------

_OUTGOING = re.compile(
    r"给(?!了?我)|发了?个?红包|送了?|随份子|随礼|\bgave\b|\bsent to\b|\bbought\b|\bpaid for\b",
    re.IGNORECASE,
)
_TRANSFER_BACK = re.compile(
    r"转我|转给我|还我|还给我|paid me back|sent me|venmoed me|\bback from\b", re.IGNORECASE
)


def classify(text: str) -> tuple[str, str, KeywordHit | None]:
    """(kind, category, the keyword that decided) for a piece of text (no amount)."""
    income = keyword_hits(text, "income")
    expense = keyword_hits(text, "expense")
    if income:
        spans = [(h.start, h.end) for h in income]
        outgoing = [
            m for m in _OUTGOING.finditer(text) if not any(s <= m.start() < e for s, e in spans)
        ]
        only_weak = all(h.category == "other" for h in income)
        if not outgoing and not (only_weak and expense and not _received(text)):
            strong = [h for h in income if h.category != "other"]
            hit = best_hit(strong) or best_hit(income)
            return "income", hit.category if hit else "other", hit
    if _RECEIVED_FROM.search(text):  # "got 200 from mom", "收到妈妈给的"
        gift = re.search(r"birthday|gift|生日|礼物|红包", text, re.IGNORECASE)
        return "income", "gift" if gift else "other", None
    hit = best_hit(expense)
    if hit is None:
        return "expense", category_cue(text) or "other", None
    return "expense", hit.category, hit


_RECEIVED_FROM = re.compile(
    r"\b(?:got|received|receive|get)\b(?:(?!\bfor\b).)*?\bfrom\b|收到.{0,4}给的"
    r"|\b(?:gave|sent|paid)\s+me\b|给了我|给我(?=\s|[\d一两二三四五六七八九十百千万]|$)",
    re.IGNORECASE,
)


def _received(text: str) -> bool:
    return bool(re.search(r"收到|到账|received|\bsold\b|卖了|赚了|earned", text, re.IGNORECASE))


_VERB_DONE = "吃喝买加订看办点叫坐租换修配拿要"
_ZH_DROP = re.compile(
    rf"[{_VERB_DONE}]了(?:[一两二三四五六七八九十几半\d]+[碗束杯瓶件本双张份个只支斤袋箱顿把辆部桶罐朵根听副盒台包块条串套晚]"
    r"|[碗束杯瓶件本双张份个只支斤袋箱顿把辆部桶罐朵根听副晚])?(?=\s*[\u4e00-\u9fff])(?!菜|药|书)"
    r"|早上|上午|中午|下午|傍晚|晚上|夜里|凌晨|刚才|刚刚|早晨|今早|半夜"
    r"|(?:这|本|上|下)个?(?:月|周|星期|礼拜)的?|今年的?|去年的?"
    r"|[\d一两二三四五六七八九十几半]+个?(?:月|年|周|星期|天|小时|钟头|分钟)的?"
    r"|请[^\s，,的]{1,3}?(?=吃|喝|看|唱)|喝(?=[\u4e00-\u9fff]{2})|AA制?|(?<=了)点(?=[\u4e00-\u9fff])"
    r"|退了"
    r"|(?:和|跟|同|与)[^\s，,的]{1,3}?(?:一起)?(?=吃|喝|去|看|打|买|唱|玩|聚)"
    r"|给[^\s，,的]{1,3}?(?=买|发|送|充|交|付|转|订)"
    r"|[\d零一二两三四五六七八九十]{1,3}\s*(?:点|:|：)\s*(?:[\d零一二三四五六七八九十]{1,3}|半|钟)?分?"
    r"|我们|咱们|我|他们|他|她|大家"
    r"|花了|花掉|花费|(?<=[\u4e00-\u9fff])(?<![买鲜献送插束朵盆])花(?=\s|$)|用了|付了|付款|支付了?|交了|交(?!通)|充了|充值了?|消费了?"
    r"|买了(?=菜|药|书)|买了?(?!菜|药|书|单)"
    r"|一共|总共|合计|总计|共(?=\s|$)|大概|差不多|大约|将近|左右"
    r"|发了?(?=奖金|工资|红包)|到了(?=[\s，,。]|$)|给了?我?(?=\s|$)|卖了|卖掉了?|收到了?|收了|抢到了?|到账了?|的钱|块钱|钱(?!包)|一下|又|也|都|就|再|还(?!我|给我)"
    r"|了|的$|是(?=\s|$)|吧|啊|呢|哦|嗯|那个|这个|一个|个(?=[\u4e00-\u9fff])",
)
_ZH_TRAILING_COUNT = re.compile(r"[一两二三四五六七八九十\d]+\s*[张杯件个份瓶本双晚次]$")
_ZH_DROP_LEADING = re.compile(
    r"^(?:在|去|给|帮|请|为|的|和|跟|还有|然后|发(?=工资|奖金|红包)|买(?=[\u4e00-\u9fff]{2}))+"
)
_ZH_COUNT = re.compile(
    r"^(?:[一两二三四五六七八九十几\d]+\s*[杯件张瓶本份双支只台盒包袋箱顿碗套斤串块个]"
    r"|[件个杯张本双份瓶套根支])\s*(?=[\u4e00-\u9fff])"
)
_EN_DROP_WORDS = {
    "i",
    "we",
    "me",
    "my",
    "our",
    "just",
    "paid",
    "pay",
    "spent",
    "spend",
    "spending",
    "bought",
    "buy",
    "got",
    "get",
    "had",
    "have",
    "was",
    "were",
    "is",
    "it",
    "it's",
    "that",
    "cost",
    "costs",
    "total",
    "altogether",
    "about",
    "around",
    "approximately",
    "some",
    "a",
    "an",
    "the",
    "received",
    "earned",
    "sold",
    "made",
    "came",
    "today",
    "also",
    "this",
    "grabbed",
    "grab",
    "took",
    "take",
    "ordered",
    "gave",
}
_EN_EDGE_PREPOSITIONS = {"for", "on", "at", "to", "of", "in", "with", "from", "and", "by", "via"}
_EN_KEEP_LEADING = {"from", "with"}
_PUNCT_EDGES = " \t,.;:!?'\"-—–，。；：！？、（）()[]【】“”‘’…·~"

_TRANSFER_ITEM = {"zh": "转账", "en": "transfer"}
_FALLBACK_ITEMS = {"got paid": "salary", "pay day": "salary", "payday": "salary"}


_TRANSFER_TO = re.compile(r"给([^\s，,的了]{1,4}?)转(?:了|账)?|转(?:了)?给([^\s，,的了我]{1,4})")
_EN_PAID_BACK = re.compile(r"\b(?:paid|pay|paying)\s+back\b", re.IGNORECASE)


def extract_item(text: str, hit: KeywordHit | None) -> str:
    """A short noun phrase for the entry, in the language it was said in."""
    has_cjk = bool(_CJK.search(text))
    transfer = _TRANSFER_TO.search(text)
    if transfer and (hit is None or hit.category == "other"):
        return (transfer[1] or transfer[2]) + _TRANSFER_ITEM["zh"]
    text = _EN_PAID_BACK.sub(" ", text)
    if _TRANSFER_BACK.search(text) and (hit is None or hit.category == "refund"):
        stripped = _TRANSFER_BACK.sub(" ", text)
        rest = _clean(stripped, has_cjk)
        if not rest or rest.lower() in ("他", "她", "he", "she", "they"):
            return _TRANSFER_ITEM["zh" if has_cjk else "en"]
        if has_cjk and len(rest) <= 4:
            return rest + _TRANSFER_ITEM["zh"]  # 小王转账
        if not has_cjk and len(rest.split()) <= 2:
            return f"{_TRANSFER_ITEM['en']} from {rest}"
    item = _clean(text, has_cjk)
    if not item and hit is not None:
        item = _FALLBACK_ITEMS.get(hit.keyword.lower(), hit.keyword)
    if len(item) > 24 and hit is not None:
        item = hit.keyword
    return item


_EN_DROP_PHRASES = re.compile(
    r"\b(?:came|come|comes|went|go|goes)\s+(?:back|in|through|out)\b"
    r"|\b(?:a|per|each|every)\s+(?:month|year|week|day|night|person|head|piece)\b"
    r"|\b(?:my|our|his|her)\s+(?:share|part|half|cut|portion)\b"
    r"|\b(?:monthly|yearly|weekly|each|apiece|just|like|only|roughly|split|splitting)\b",
    re.IGNORECASE,
)
_EN_INNER_ARTICLE_KEEP = {"and", "or"}


def _clean(text: str, has_cjk: bool) -> str:
    s = _EN_DROP_PHRASES.sub(" ", text)
    if has_cjk:
        for _ in range(2):
            s = _ZH_DROP.sub(" ", s)
            s = " ".join(_ZH_DROP_LEADING.sub("", part) for part in s.split())
        s = " ".join(_ZH_COUNT.sub("", part) for part in s.split())
        s = " ".join(p for p in (_ZH_TRAILING_COUNT.sub("", part) for part in s.split()) if p)
    words = [w for w in re.split(r"\s+", s) if w]
    kept = []
    for i, w in enumerate(words):
        low = w.strip(_PUNCT_EDGES).lower()
        # "coffee and a bagel" keeps its article; "bought a keyboard" does not
        inner_article = (
            low in ("a", "an") and i > 0 and words[i - 1].lower() in _EN_INNER_ARTICLE_KEEP
        )
        if low not in _EN_DROP_WORDS or (inner_article and kept):
            kept.append(w)
    # "keyboard for on amazon": of two prepositions in a row keep the second
    kept = [
        w
        for i, w in enumerate(kept)
        if not (
            w.lower() in _EN_EDGE_PREPOSITIONS
            and i + 1 < len(kept)
            and kept[i + 1].lower() in _EN_EDGE_PREPOSITIONS
        )
    ]
    while kept and (
        kept[0].strip(_PUNCT_EDGES).lower() in _EN_EDGE_PREPOSITIONS - _EN_KEEP_LEADING
        or (len(kept) > 1 and re.fullmatch(r"\d+|two|three|four|five|couple", kept[0].lower()))
    ):
        kept.pop(0)
    while kept and kept[-1].strip(_PUNCT_EDGES).lower() in _EN_EDGE_PREPOSITIONS:
        kept.pop()
    s = " ".join(kept)
    # "报销的差旅费", "加了…的油": the head noun follows the last 的
    if has_cjk and "的" in s:
        head = s.rsplit("的", 1)[1].strip(_PUNCT_EDGES)
        if head and _CJK.search(head):
            s = head
    # no spaces between CJK characters ("星巴克 咖啡" → "星巴克咖啡")
    s = re.sub(r"(?<=[\u4e00-\u9fff])[\s，,、]+(?=[\u4e00-\u9fff])", "", s)
    return s.strip(_PUNCT_EDGES)


def normalise_item(item: str) -> str:
    """The key under which a category correction is remembered for an item."""
    return re.sub(r"\s+", " ", item.strip().lower())


# -- the parser ----------------------------------------------------------------------


class ExpenseParser:
    """Parses sentences into ``ParsedEntry`` lists.

    ``remembered`` maps a normalised item to the category the user corrected it to
    once; it wins over the keyword lexicon for that item.
    """

    def __init__(
        self,
        default_currency: str = "CNY",
        remembered: Mapping[str, str] | None = None,
    ) -> None:
        if default_currency not in CURRENCIES:
            raise UsageError(
                f"unknown default currency {default_currency!r} (one of {', '.join(CURRENCIES)})"
            )
        self.default_currency = default_currency
        self.remembered = dict(remembered or {})

    def parse(self, text: str, today: dt.date) -> list[ParsedEntry]:
        entries = self.parse_lenient(text, today)
        vague = _VAGUE_AMOUNT.search(text)
        if not entries and vague:
            raise AmountError(f"'{vague[0]}' is not an exact amount; say the exact number")
        if not entries:
            raise NoAmountError(
                "no amount found: say how much, e.g. 午饭35 or 'lunch 12 dollars'",
            )
        return entries

    def parse_lenient(self, text: str, today: dt.date) -> list[ParsedEntry]:
        """Like ``parse`` but returns [] when there is no amount (bad amounts still raise)."""
        if not text or not text.strip():
            raise UsageError("nothing to record: the text is empty")
        text = normalise(text)
        dates = find_dates(text, today)
        masked = list(text)
        for d in dates:
            masked[d.start : d.end] = " " * (d.end - d.start)
        for m in _FILLER.finditer(text):
            masked[m.start() : m.end()] = " " * (m.end() - m.start())
        plain = "".join(masked)

        pieces: list[_Piece] = []
        for start, end in _clauses(plain):
            pieces.extend(_pieces(plain, start, end))
        merged = _merge(pieces)
        if not merged:
            return []

        entries: list[ParsedEntry] = []
        said_currency: dict[str, str] = {}  # per kind: the last currency said
        sums: dict[str, Decimal] = {}
        last_amount_end = max(p.amount.end for p in merged if p.amount is not None)
        trailing_dates = [d for d in dates if d.start >= last_amount_end]
        for index, piece in enumerate(merged):
            a = piece.amount
            assert a is not None
            prev = merged[index - 1].amount if index else None
            between = plain[prev.end : a.start] if prev is not None else ""
            aside = re.sub(r"[(（][^)）]*[)）]", " ", between)  # "(inc VAT)": an aside
            if prev is not None and (not aside.strip() or re.search(r"[(（][^)）]*$", aside)):
                # "iPhone 15 5999": a model number? "$281.40 $265.70", "34.12 (40.94 inc
                # VAT)": a price and another one for the same thing
                pair = text[prev.start : a.end].strip()
                raise AmountError(f"'{pair}' is two numbers in a row; say which one is the amount")
            said = text[a.start : a.end].strip()
            if a.problem:
                raise AmountError(a.problem)
            if a.negative:
                raise AmountError(f"amount {said} is negative; say what was spent or received")
            if a.approximate or _ROUGH_AFTER.match(plain, a.end):
                raise AmountError(f"'{said}' is not an exact amount; say the exact number")
            # anchored at the amount: look only at the words just before it (linear time)
            alternative = _ALTERNATIVE_BEFORE.search(plain, max(0, a.start - 64), a.start)
            if alternative:
                raise AmountError(
                    f"'{alternative[0].strip()} {said}' is two amounts; say the one that was paid"
                )
            check_amount(a.value, said)
            words = plain[piece.start : a.start] + " " + plain[a.end : piece.end]
            kind, category, hit = classify(words)
            currency = a.currency or said_currency.get(kind) or self.default_currency
            if a.currency:
                said_currency[kind] = a.currency
            if _TOTAL_WORDS.search(words) and entries and sums.get(currency) == a.value:
                continue  # "一共47" repeating the entries before it
            item = extract_item(words, hit)
            remembered = self.remembered.get(normalise_item(item))
            if remembered in (EXPENSE_CATEGORIES if kind == "expense" else INCOME_CATEGORIES):
                category = remembered
            reach = merged[index + 1].start if index + 1 < len(merged) else len(text)
            date = _date_for(piece.start, reach, dates, trailing_dates, today)
            entries.append(ParsedEntry(a.value, currency, category, item, date, kind))
            sums[currency] = sums.get(currency, Decimal(0)) + a.value
        return entries


def _merge(pieces: list[_Piece]) -> list[_Piece]:
    """Join amount-less pieces to the next amount-bearing one (or the last one)."""
    merged: list[_Piece] = []
    pending_start: int | None = None
    for piece in pieces:
        if piece.amount is None:
            if pending_start is None:
                pending_start = piece.start
            continue
        if pending_start is not None:
            piece = _Piece(pending_start, piece.end, piece.amount)
            pending_start = None
        merged.append(piece)
    if pending_start is not None and merged:
        last = merged[-1]
        trailing_end = pieces[-1].end
        merged[-1] = _Piece(last.start, trailing_end, last.amount)
    return merged


def _date_for(
    start: int, reach: int, dates: list[DateMatch], trailing: list[DateMatch], today: dt.date
) -> dt.date:
    """A date said in the piece (up to where the next piece starts), else the last one
    said before it, else one said at the very end, else today."""
    # dates are left to right and do not overlap: binary search keeps long texts linear
    first = bisect.bisect_left(dates, start, key=lambda d: d.start)
    if first < len(dates) and dates[first].start < reach:
        return dates[first].date
    ended = bisect.bisect_right(dates, start, key=lambda d: d.end)
    if ended:
        return dates[ended - 1].date
    if trailing:
        return trailing[0].date
    return today
