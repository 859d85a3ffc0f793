"""Routing on the fresh table nobody tuned on: ``tests/data/routing_fresh.tsv``.

    python bench/bench_routing_fresh.py [--half dev|held-out|all] [--rows]

The table was written blind (see ``tests/data/routing_fresh.md``). The router runs
offline (rules and the local classifier, no model), as it does with no provider. Rows are
split by a fixed rule: odd-numbered data rows are the half a router developer may look
at, even-numbered rows the held-out half. A keyword-only router is the baseline.
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

TABLE = ROOT / "tests" / "data" / "routing_fresh.tsv"


def load_rows() -> list[dict[str, str]]:
    with TABLE.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    for number, row in enumerate(rows, start=1):
        row["half"] = "dev" if number % 2 else "held-out"
    return rows


def offline_router():
    """The local router as the installed skills build it, never asking a model."""
    from assistant.router import Router

    return Router().warm()


def score(rows, predict) -> dict[str, object]:
    results = []
    for row in rows:
        skill, confidence = predict(row["text"])
        results.append((row, skill, confidence))
    return {"results": results}


def pct(hits: int, total: int) -> str:
    return f"{hits}/{total} ({100 * hits / total:.1f}%)" if total else "-"


def report(rows, results, baseline) -> str:
    lines = []
    total = len(results)
    correct = sum(1 for row, skill, _ in results if skill == row["skill"])
    base_correct = sum(1 for row in rows if baseline(row["text"]) == row["skill"])
    lines.append("| measure | router | keyword baseline |")
    lines.append("|---|---|---|")
    lines.append(f"| all rows | {pct(correct, total)} | {pct(base_correct, total)} |")
    for half in ("dev", "held-out"):
        sub = [(r, s) for r, s, _ in results if r["half"] == half]
        if not sub:
            continue
        base = sum(1 for r, _ in sub if baseline(r["text"]) == r["skill"])
        hits = sum(1 for r, s in sub if s == r["skill"])
        lines.append(f"| {half} half | {pct(hits, len(sub))} | {pct(base, len(sub))} |")
    look = [(r, s) for r, s, _ in results if r["skill"] == "chat" and r["kind"] == "lookalike"]
    hits = sum(1 for r, s in look if s == "chat")
    base = sum(1 for r, _ in look if baseline(r["text"]) == "chat")
    lines.append(
        f"| chat look-alikes routed to chat | {pct(hits, len(look))} | {pct(base, len(look))} |"
    )
    for kind in ("direct", "lookalike", "hard"):
        sub = [(r, s) for r, s, _ in results if r["kind"] == kind]
        base = sum(1 for r, _ in sub if baseline(r["text"]) == r["skill"])
        hits = sum(1 for r, s in sub if s == r["skill"])
        lines.append(f"| kind {kind} | {pct(hits, len(sub))} | {pct(base, len(sub))} |")
    by_skill: dict[str, list[bool]] = defaultdict(list)
    for r, s, _ in results:
        by_skill[r["skill"]].append(s == r["skill"])
    for skill in sorted(by_skill):
        oks = by_skill[skill]
        lines.append(f"| expected {skill} | {pct(sum(oks), len(oks))} | |")
    lines.append("")
    lines.append("Confusions (expected → routed: count):")
    lines.append("")
    confusions = Counter((r["skill"], s) for r, s, _ in results if s != r["skill"])
    for (want, got), n in confusions.most_common():
        lines.append(f"* {want} → {got}: {n}")
    lines.append("")
    lines.append("Reliability (router confidence bucket → accuracy):")
    lines.append("")
    lines.append("| confidence | rows | correct |")
    lines.append("|---|---|---|")
    buckets = [(0.0, 0.5), (0.5, 0.7), (0.7, 0.9), (0.9, 0.95), (0.95, 1.01)]
    for lo, hi in buckets:
        sub = [(r, s) for r, s, c in results if lo <= c < hi]
        hits = sum(1 for r, s in sub if s == r["skill"])
        label = f"{lo:.2f}–{min(hi, 1.0):.2f}"
        lines.append(f"| {label} | {len(sub)} | {pct(hits, len(sub)) if sub else '-'} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--half",
        choices=("dev", "held-out", "all"),
        default="all",
        help="score only this half (while tuning, look at the dev half only)",
    )
    parser.add_argument("--rows", action="store_true", help="list every row's route")
    args = parser.parse_args()
    from bench_router import keyword_route

    rows = load_rows()
    if args.half != "all":
        rows = [row for row in rows if row["half"] == args.half]
    router = offline_router()

    def predict(text: str) -> tuple[str, float]:
        decision = router.local_decision(text)
        return decision.skill, decision.confidence

    results = score(rows, predict)["results"]
    print(report(rows, results, keyword_route))
    if args.rows:
        print()
        for row, skill, confidence in results:
            mark = "  " if skill == row["skill"] else "XX"
            print(f"{mark} {row['skill']:13} -> {skill:13} {confidence:.2f} | {row['text']}")


if __name__ == "__main__":
    main()
