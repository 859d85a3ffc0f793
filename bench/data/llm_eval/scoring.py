"""Reference scoring for the blind LLM evaluation sets (see README.md in this folder).

    python bench/data/llm_eval/scoring.py meeting EXPECTED.json PREDICTED.json
    python bench/data/llm_eval/scoring.py must TEXT MUST

The bench imports `must_missing` and `score_meeting` so that the rule is written once.
"""

from __future__ import annotations

import json
import math
import re
import sys
import unicodedata
from pathlib import Path

KINDS = ("decisions", "action_items")


def normalize(text: str) -> str:
    """NFKC (full-width digits and letters become ASCII), case-folded, all whitespace removed."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text).casefold())


def _present(term: str, normalized_text: str) -> bool:
    """A term is 'a/b/c': present when any alternative is a substring of the text."""
    return any(normalize(alt) in normalized_text for alt in term.split("/") if alt.strip())


def must_missing(text: str, must: str) -> list[str]:
    """The items of a `must` column ('x|y/z|...') that `text` lacks; empty means it passes."""
    normalized = normalize(text)
    return [item for item in must.split("|") if item.strip() and not _present(item, normalized)]


def item_text(item: object) -> str:
    """What a predicted item says: a string, or the string fields of a dict joined."""
    if isinstance(item, str):
        return item
    if isinstance(item, dict):
        fields = ("owner", "task", "due", "text")
        return " ".join(str(item[f]) for f in fields if isinstance(item.get(f), str | int))
    return ""


def keys_found(expected: dict, text: str) -> int:
    normalized = normalize(text)
    return sum(_present(key, normalized) for key in expected["keys"])


def matches(expected: dict, text: str) -> bool:
    """At least half of the expected item's keys (rounded up) occur in the predicted text."""
    return keys_found(expected, text) >= math.ceil(len(expected["keys"]) / 2)


def _max_matching(expected: list[dict], texts: list[str]) -> dict[int, int]:
    """Maximum bipartite matching (each expected and each predicted item used at most once).

    Returns {predicted index: expected index}. Augmenting paths (Kuhn): the sets are small.
    """
    edges = [[p for p, t in enumerate(texts) if matches(e, t)] for e in expected]
    owner: dict[int, int] = {}

    def augment(e: int, seen: set[int]) -> bool:
        for p in edges[e]:
            if p in seen:
                continue
            seen.add(p)
            if p not in owner or augment(owner[p], seen):
                owner[p] = e
                return True
        return False

    for e in range(len(expected)):
        augment(e, set())
    return owner


def score_meeting(expected: dict, predicted: dict) -> dict:
    """Recall and precision per kind, with the items behind them.

    Predicted items that match no required item but match an `optional` one are left out of
    the precision denominator; predicted decisions that match no required item but match a
    `superseded_decisions` item (a decision reversed later in the meeting) are counted apart
    as `superseded_reported` (they also count against precision).
    """
    result = {}
    for kind in KINDS:
        required = expected.get(kind, [])
        optional = expected.get("optional", {}).get(kind, [])
        items = predicted.get(kind) or []
        if not isinstance(items, list):
            raise ValueError(f"predicted {kind!r} is not a list")
        texts = [item_text(i) for i in items]
        pairs = _max_matching(required, texts)
        unmatched = [i for i in range(len(texts)) if i not in pairs]
        optional_hits = [i for i in unmatched if any(matches(o, texts[i]) for o in optional)]
        superseded = []
        if kind == "decisions":
            stale = expected.get("superseded_decisions", [])
            superseded = [i for i in unmatched if any(matches(s, texts[i]) for s in stale)]
        counted = len(texts) - len(optional_hits)
        result[kind] = {
            "expected": len(required),
            "predicted": len(texts),
            "matched": len(pairs),
            "recall": len(pairs) / len(required) if required else None,
            "precision": len(pairs) / counted if counted else None,
            "missed": [
                required[e].get("text") or required[e].get("task")
                for e in sorted(set(range(len(required))) - set(pairs.values()))
            ],
            "unmatched_predicted": [texts[i] for i in unmatched if i not in optional_hits],
            "optional_predicted": len(optional_hits),
            "superseded_reported": [texts[i] for i in superseded],
        }
    return result


def _load_json(path: str) -> dict:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SystemExit(f"scoring: cannot read {path}: {exc}") from None
    if not isinstance(data, dict):
        raise SystemExit(f"scoring: {path} is not a JSON object")
    return data


def main(argv: list[str]) -> int:
    if len(argv) == 3 and argv[0] == "meeting":
        try:
            report = score_meeting(_load_json(argv[1]), _load_json(argv[2]))
        except ValueError as exc:
            raise SystemExit(f"scoring: {exc}") from None
        for kind, r in report.items():
            rec = "n/a" if r["recall"] is None else f"{r['recall']:.2f}"
            pre = "n/a" if r["precision"] is None else f"{r['precision']:.2f}"
            print(f"{kind}: recall {rec} ({r['matched']}/{r['expected']}), precision {pre}")
            for missed in r["missed"]:
                print(f"  missed: {missed}")
            for extra in r["unmatched_predicted"]:
                print(f"  not expected: {extra}")
            for stale in r["superseded_reported"]:
                print(f"  superseded decision reported: {stale}")
        return 0
    if len(argv) == 3 and argv[0] == "must":
        missing = must_missing(argv[1], argv[2])
        print("pass" if not missing else "fail: missing " + ", ".join(missing))
        return 0 if not missing else 1
    print(
        "usage: scoring.py meeting EXPECTED.json PREDICTED.json | scoring.py must TEXT MUST",
        file=sys.stderr,
    )
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
