"""Bill import bench: reconciliation precision/recall on the labelled set, and the time to
import a year of bills (about 5,000 rows) into a real SQLite ledger, next to a baseline.

    python bench/bench_bills.py [--rows 5000] [--repeat 3] [--markdown bench/results_bookkeeping.md]

Reconciliation: tests/data/bills/reconcile_cases.jsonl (written before the matcher; see
reconcile_cases.md). Every bill row of a scenario is categorised and matched against the
scenario's spoken entries by the product's code (categories.categorise, matching.match).
A predicted pair is right when the labels pair the same row and entry. Reported: pairs
merged without asking (precision, recall), pairs merged or asked about (precision,
recall: what the user sees), and how many questions were asked.

Import time: a generated year of Alipay bills in the current layout (GBK), read, decided,
categorised, matched against a ledger of spoken entries and written in one transaction,
timed end to end; the baseline is `ting expense import` of Ting's own CSV with the same
number of rows (read, validate, one insert per row, one transaction).
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from skills.bookkeeping.bills.categories import categorise  # noqa: E402
from skills.bookkeeping.bills.matching import EntrySide, match, row_side  # noqa: E402
from skills.bookkeeping.bills.rows import BillRow  # noqa: E402

CASES = ROOT / "tests" / "data" / "bills" / "reconcile_cases.jsonl"


def load_cases(path: Path = CASES) -> list[dict[str, Any]]:
    return [
        json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
    ]


def _bill_row(b: dict[str, Any]) -> BillRow:
    source = {"bank": "bank:bench"}.get(b["src"], b["src"])
    blank = lambda t: "" if t.strip() == "/" else t.strip()  # noqa: E731
    return BillRow(
        source=source,
        txn_id=b["id"],
        line=0,
        time=dt.datetime.strptime(b["time"], "%Y-%m-%d %H:%M:%S"),
        direction=b["dir"],
        amount=Decimal(str(b["amount"])),
        payee=blank(b["payee"]),
        goods=blank(b["goods"]),
        hint=b.get("hint", ""),
    )


def reconcile(case: dict[str, Any]) -> list[tuple[str, str, bool]]:
    """(row id, spoken id, sure) for every pair the matcher proposes."""
    ids = {i + 1: s["id"] for i, s in enumerate(case["spoken"])}
    entries = [
        EntrySide(
            id=i + 1,
            kind=s["kind"],
            amount=Decimal(str(s["amount"])),
            currency=s["cur"],
            date=dt.date.fromisoformat(s["date"]),
            category=s["cat"],
            item=s["item"],
        )
        for i, s in enumerate(case["spoken"])
    ]
    sides = []
    for b in case["bills"]:
        row = _bill_row(b)
        sides.append(row_side(b["id"], row, categorise(row), row.direction, row.amount))
    return [(m.row_key, ids[m.entry_id], m.sure) for m in match(sides, entries)]


def evaluate(cases: list[dict[str, Any]]) -> dict[str, Any]:
    gold = {(c["id"], r, s) for c in cases for r, s in c["gold"].items() if s is not None}
    sure, asked, wrong = set(), set(), []
    for c in cases:
        for row, spoken, is_sure in reconcile(c):
            pair = (c["id"], row, spoken)
            (sure if is_sure else asked).add(pair)
            if pair not in gold:
                wrong.append((*pair, "sure" if is_sure else "asked"))
    proposed = sure | asked
    missed = sorted(gold - proposed)

    def ratio(a: int, b: int) -> str:
        return f"{a}/{b} ({100 * a / b:.1f}%)" if b else "n/a"

    return {
        "scenarios": len(cases),
        "rows": sum(len(c["bills"]) for c in cases),
        "gold": len(gold),
        "sure_precision": ratio(len(sure & gold), len(sure)),
        "sure_recall": ratio(len(sure & gold), len(gold)),
        "proposed_precision": ratio(len(proposed & gold), len(proposed)),
        "proposed_recall": ratio(len(proposed & gold), len(gold)),
        "questions": len(asked),
        "questions_right": len(asked & gold),
        "wrong": sorted(wrong),
        "missed": missed,
    }
