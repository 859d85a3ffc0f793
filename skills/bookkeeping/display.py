"""How entries and totals read on a terminal and in a confirmation preview."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from decimal import Decimal

from skills.bookkeeping.parser import ParsedEntry

_CJK = re.compile(r"[\u4e00-\u9fff]")

CATEGORY_LABELS_ZH = {
    "food": "餐饮",
    "transport": "交通",
    "shopping": "购物",
    "housing": "住房",
    "utilities": "水电",
    "entertainment": "娱乐",
    "health": "医疗",
    "education": "教育",
    "travel": "旅行",
    "communication": "通讯",
    "other": "其他",
    "salary": "工资",
    "bonus": "奖金",
    "investment": "投资",
    "gift": "礼金",
    "refund": "退款",
}


def is_chinese(text: str) -> bool:
    return bool(_CJK.search(text))


def money(amount: Decimal, currency: str) -> str:
    return f"{amount:,.2f} {currency}"


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def entry_table(entries: Sequence[ParsedEntry], ids: Sequence[int] | None = None) -> list[str]:
    """Aligned lines: [id] date kind category item amount currency."""
    rows = []
    for i, e in enumerate(entries):
        cells = [
            e.date.isoformat(),
            e.kind,
            e.category,
            e.item or "-",
            money(e.amount, e.currency),
        ]
        if ids is not None:
            cells.insert(0, f"#{ids[i]}")
        rows.append(cells)
    if not rows:
        return []
    widths = [max(_width(r[c]) for r in rows) for c in range(len(rows[0]))]
    lines = []
    for r in rows:
        parts = [_pad(cell, widths[c]) for c, cell in enumerate(r[:-1])]
        parts.append(r[-1].rjust(widths[-1]))
        lines.append("  ".join(parts).rstrip())
    return lines


def add_preview(entries: Sequence[ParsedEntry], utterance: str, *, proposed_by_model: bool) -> str:
    zh = is_chinese(utterance)
    if zh:
        head = (
            f"记账 {len(entries)} 笔："
            if not proposed_by_model
            else (f"模型建议记账 {len(entries)} 笔（请核对）：")
        )
    else:
        noun = "entry" if len(entries) == 1 else "entries"
        head = (
            f"Record {len(entries)} {noun}:"
            if not proposed_by_model
            else (f"The model proposes {len(entries)} {noun} (check them):")
        )
    return "\n".join([head, *("  " + line for line in entry_table(entries))])


def totals_text(totals: Iterable[tuple[str, Decimal, int]]) -> str:
    return ", ".join(f"{money(amount, currency)} ({count})" for currency, amount, count in totals)
