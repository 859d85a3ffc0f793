"""Scores the expense parser on tests/data/peer_amounts/cases.jsonl (other projects' cases).

    python bench/peer_amounts_score.py [--list silent|refused|all]

A case is *exact* when the parser gives one entry with the expected amount and currency,
or refuses a case that must be refused. A *refusal* of a case with an expected amount is
a miss the user sees. A *silent wrong* is the worst outcome: an amount recorded that is
not the expected one (wrong value, wrong currency, more than one entry), or an amount
recorded where the case must be refused.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.errors import UsageError  # noqa: E402
from skills.bookkeeping.parser import ExpenseParser  # noqa: E402

CASES = ROOT / "tests" / "data" / "peer_amounts" / "cases.jsonl"
TODAY = dt.date(2024, 5, 15)


def load_cases() -> list[dict[str, Any]]:
    return [json.loads(line) for line in CASES.read_text(encoding="utf-8").splitlines() if line]


def judge(case: dict[str, Any], parser: ExpenseParser) -> tuple[str, str]:
    """('exact' | 'refused' | 'silent' | 'crash', what the parser said)."""
    try:
        entries = parser.parse(case["text"], TODAY)
    except UsageError as exc:
        said = f"refused: {exc.user_message()}"
        return ("exact" if "refuse" in case else "refused"), said
    except Exception as exc:  # noqa: BLE001 - a crash is counted, not hidden
        return "crash", f"{type(exc).__name__}: {exc}"
    said = "; ".join(f"{e.amount} {e.currency}" for e in entries)
    if "refuse" in case:
        return "silent", said
    if (
        len(entries) == 1
        and entries[0].amount == Decimal(case["amount"])
        and entries[0].currency == case["currency"]
    ):
        return "exact", said
    return "silent", said


def source_of(case: dict[str, Any]) -> str:
    return case["source"].split()[0]


def score(cases: list[dict[str, Any]], parser: ExpenseParser | None = None) -> dict[str, Any]:
    parser = parser or ExpenseParser()
    by_source: dict[str, Counter[str]] = {}
    results = []
    for case in cases:
        verdict, said = judge(case, parser)
        by_source.setdefault(source_of(case), Counter())[verdict] += 1
        results.append((case, verdict, said))
    total: Counter[str] = Counter()
    for counts in by_source.values():
        total.update(counts)
    return {"total": total, "by_source": by_source, "results": results, "cases": len(cases)}


def table(report: dict[str, Any]) -> str:
    rows = [
        "| source | cases | exact | refused (miss) | silent wrong | crash |",
        "|---|---|---|---|---|---|",
    ]
    items = sorted(report["by_source"].items()) + [("all", report["total"])]
    for name, counts in items:
        n = sum(counts.values())
        rows.append(
            f"| {name} | {n} | {counts['exact']} ({counts['exact'] / n:.1%}) | {counts['refused']} "
            f"| {counts['silent']} | {counts['crash']} |"
        )
    return "\n".join(rows)


def expected(case: dict[str, Any]) -> str:
    return (
        f"refuse ({case['refuse']})" if "refuse" in case else f"{case['amount']} {case['currency']}"
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--list", choices=("silent", "refused", "all"), help="list these cases")
    args = ap.parse_args()
    report = score(load_cases())
    print(table(report))
    if args.list:
        for case, verdict, said in report["results"]:
            if verdict == "exact" and args.list != "all":
                continue
            if args.list in (verdict, "all") or verdict == "crash":
                print(f"{verdict:8} {case['text']!r}: expected {expected(case)}, got {said}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
