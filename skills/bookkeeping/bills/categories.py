"""A ledger category and a short item for a bill row, and how sure that category is.

In order: a category the user chose before for this payee or item (a correction with
"改成交通" is remembered by item, and an imported entry's item is its payee or goods);
a product or brand named in the payee or goods text (the bookkeeping lexicon, and the
payees that sell one kind of thing: 滴滴 rides, 中国移动 phone plans); the export's own
category (Alipay's 交易分类) or a shop that sells everything (淘宝, 超市), which only
suggest; then "other". ``strength`` says which of these decided, so that the matcher
can tell a conflict ("a taxi is not a coffee") from a weak suggestion ("超市" may well
be the groceries the user said).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from skills.bookkeeping.bills.rows import INCOME, BillRow
from skills.bookkeeping.lexicon import (
    EXPENSE_CATEGORIES,
    INCOME_CATEGORIES,
    VENUE_KEYWORDS,
    KeywordHit,
    category_cue,
    keyword_hits,
)
from skills.bookkeeping.parser import normalise_item

MEMORY = "memory"
STRONG = "strong"
WEAK = "weak"
NONE = "none"

# Payees that sell one kind of thing; matched as substrings of the payee or goods text.
BRANDS: dict[str, tuple[str, ...]] = {
    "food": ("美团外卖", "美团订单", "美团平台", "三快在线", "饿了么", "拉扎斯", "金拱门", "餐饮", "餐厅", "饭店", "小吃", "面馆"),
    "transport": (
        "滴滴", "高德打车", "曹操出行", "T3出行", "哈啰", "青桔", "12306", "铁路", "地铁", "公交",
        "停车", "中国石化", "中石化", "中国石油", "中石油", "加油", "ETC", "高速",
    ),
    "communication": ("中国移动", "中国联通", "中国电信", "话费", "流量包"),
    "utilities": ("国网", "电力", "供电", "水务", "自来水", "燃气", "电费", "水费", "燃气费"),
    "travel": ("携程", "去哪儿", "飞猪", "同程", "航空", "机票", "酒店", "宾馆", "民宿", "景区"),
    "entertainment": ("猫眼", "淘票票", "影城", "影院", "KTV", "腾讯视频", "爱奇艺", "优酷", "网易云音乐", "哔哩哔哩"),
    "health": ("大药房", "药房", "药店", "医院", "诊所", "门诊", "体检"),
    "education": ("当当", "图书", "书店", "教育", "培训", "学费", "课程"),
    "housing": ("物业", "自如", "链家", "贝壳找房", "房租", "房东"),
}  # fmt: skip

# Alipay's 交易分类 (and a few WeChat 交易类型) → a suggestion, never a conflict.
EXPORT_CATEGORIES: dict[str, str] = {
    "餐饮美食": "food",
    "交通出行": "transport",
    "爱车养车": "transport",
    "日用百货": "shopping",
    "服饰装扮": "shopping",
    "数码电器": "shopping",
    "家居家装": "shopping",
    "母婴亲子": "shopping",
    "美容美发": "other",
    "充值缴费": "utilities",
    "文化休闲": "entertainment",
    "运动户外": "entertainment",
    "酒店旅游": "travel",
    "医疗健康": "health",
    "教育培训": "education",
    "住房物业": "housing",
    "生活服务": "other",
    "商业服务": "other",
    "公益捐赠": "other",
}

_INCOME_WORDS: tuple[tuple[str, str], ...] = (
    ("退款", "refund"),
    ("报销", "refund"),
    ("红包", "gift"),
    ("工资", "salary"),
    ("薪", "salary"),
    ("奖金", "bonus"),
    ("利息", "investment"),
    ("结息", "investment"),
    ("收益", "investment"),
    ("分红", "investment"),
)
_PLATFORMS = ("淘宝", "天猫", "京东", "拼多多", "美团", "抖音", "闲鱼", "唯品会", "苏宁", "当当")
_GENERIC_GOODS = {"转账", "收款", "消费", "付款", "二维码收款", "商品", "订单", "扫码付款", "其他"}
_BRANCH = re.compile(r"[(（][^()（）]*(?:店|分店|门店|广场|路|街)[^()（）]*[)）]")
_ORDER_NO = re.compile(r"[-_—]?\s*(?:[A-Za-z]*\d[\dA-Za-z*]{5,})\s*$")
_PHONE = re.compile(r"[-_]?\d{3}\*{3,4}\d{4}")
_LEGAL = re.compile(r"(?:股份)?(?:有限责任公司|有限公司|责任公司|公司|集团)$")
_SUFFIX = re.compile(r"(?:消费|订单|交易|付款)$")


@dataclass(frozen=True)
class Categorised:
    category: str
    strength: str  # MEMORY, STRONG, WEAK or NONE
    item: str


def clean_text(text: str) -> str:
    text = _PHONE.sub("", text)
    text = _BRANCH.sub("", text)
    text = _ORDER_NO.sub("", text)
    text = " ".join(text.split()).strip(" -_—:：;；")
    return text


def _is_company(payee: str) -> bool:
    return bool(_LEGAL.search(payee)) or payee.endswith(("商户", "平台商户"))


def item_for(row: BillRow) -> str:
    """A short noun for the entry: the goods when the payee is a platform or a company
    (淘宝's 保温杯, not 淘宝), else the payee (the shop, the person)."""
    payee = clean_text(row.payee)
    goods = clean_text(row.goods)
    for prefix in ("退款-", "退款—", "退款", *(f"{p}订单-" for p in _PLATFORMS)):
        if goods.startswith(prefix) and len(goods) > len(prefix):
            goods = goods[len(prefix) :].strip()
            break
    informative = (
        bool(goods)
        and goods not in _GENERIC_GOODS
        and not goods.startswith(("收款方备注", "转账备注", "总共消费"))
    )
    platform = any(payee.startswith(p) for p in _PLATFORMS) or _is_company(row.payee)
    if informative and (not payee or platform):
        item = _SUFFIX.sub("", goods) or goods
    elif payee:
        item = _SUFFIX.sub("", _LEGAL.sub("", payee)) or payee
    else:
        item = _SUFFIX.sub("", goods) if informative else row.hint
    return item[:40]


@lru_cache(maxsize=8192)
def _hits(text: str, kind: str) -> tuple[KeywordHit, ...]:
    """The lexicon's hits; a year of bills names the same shops again and again."""
    return tuple(keyword_hits(text, kind))


@lru_cache(maxsize=8192)
def _brand(text: str) -> str | None:
    low = text.lower()
    best: tuple[int, str] | None = None
    for category, names in BRANDS.items():
        for name in names:
            if name.lower() in low and (best is None or len(name) > best[0]):
                best = (len(name), category)
    return best[1] if best else None


def categorise(row: BillRow, remembered: Mapping[str, str] | None = None) -> Categorised:
    item = item_for(row)
    kind = "income" if row.direction == INCOME or row.refund else "expense"
    allowed = INCOME_CATEGORIES if kind == "income" else EXPENSE_CATEGORIES
    memory = remembered or {}
    for key in (item, clean_text(row.payee), row.payee, clean_text(row.goods)):
        chosen = memory.get(normalise_item(key)) if key else None
        if chosen in allowed:
            return Categorised(chosen, MEMORY, item)
    text = f"{clean_text(row.payee)} {clean_text(row.goods)}"
    if kind == "income":
        if row.refund:
            return Categorised("refund", STRONG, item)
        hint = "" if row.hint == "转账红包" else row.hint  # Alipay files transfers there too
        blob = f"{hint} {text}"
        for word, category in _INCOME_WORDS:
            if word in blob:
                return Categorised(category, STRONG, item)
        hits = _hits(text, "income")
        if hits:
            return Categorised(hits[0].category, WEAK, item)
        return Categorised("other", NONE, item)
    products = [h for h in _hits(text, "expense") if h.keyword.lower() not in VENUE_KEYWORDS]
    brand = _brand(text)
    if products:
        best = max(products, key=lambda h: (len(h.keyword), h.core))
        if brand is None or len(best.keyword) >= 2:
            return Categorised(best.category, STRONG, item)
    if brand is not None:
        return Categorised(brand, STRONG, item)
    hinted = EXPORT_CATEGORIES.get(row.hint)
    if hinted:
        return Categorised(hinted, WEAK, item)
    venues = _hits(text, "expense")
    if venues:
        return Categorised(venues[0].category, WEAK, item)
    cue = category_cue(row.goods or row.payee)
    if cue:
        return Categorised(cue, WEAK, item)
    return Categorised("other", NONE, item)
