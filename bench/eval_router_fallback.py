"""The router's model fallback against the real local model, on the unsure rows.

    python bench/eval_router_fallback.py [--limit N] [--out F]

Needs the shared server (``python bench/local_server.py start``). The rows of
tests/data/routing_fresh.tsv the local router is unsure about (local confidence below
its threshold, where ``Router.route`` asks the model) go to ``ModelRouteClassifier`` as
the router sends them. Reported: the model's accuracy, its valid-skill-name rate (an
answer ``parse_model_answer`` accepts), and the local router's accuracy on the same rows
(what the user gets without a model, or when the answer is not valid).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("TING_HOME", "/tmp/ting-bench-home")
os.environ.setdefault("TING_PROVIDER", "local")


def main() -> None:
    from bench_routing_fresh import load_rows

    from assistant.config import load_settings
    from assistant.llm import client_from_settings
    from assistant.router import Router
    from assistant.router_model import ModelRouteClassifier, parse_model_answer

    parser = argparse.ArgumentParser()
    parser.add_argument("--limit", type=int, default=0)
    parser.add_argument("--out", default="")
    args = parser.parse_args()
    router = Router().warm()
    unsure = []
    for row in load_rows():
        local = router.local_decision(row["text"])
        if local.source == "local" and local.confidence < router.threshold:  # as route()
            unsure.append((row, local))
    if args.limit:
        unsure = unsure[: args.limit]
    llm = client_from_settings(load_settings(), None)
    classifier = ModelRouteClassifier(lambda: llm)
    skills = router.catalog.skills
    load_start = os.getloadavg()
    results = []
    for row, local in unsure:
        messages = classifier.messages(row["text"], skills)
        reply = llm.complete(messages, temperature=0, max_tokens=24).text
        skill = parse_model_answer(reply, skills)
        routed = skill or local.skill  # what Router.route returns
        results.append(
            {
                "text": row["text"],
                "expected": row["skill"],
                "local": local.skill,
                "model_reply": reply,
                "model": skill,
                "routed": routed,
            }
        )
        print(json.dumps(results[-1], ensure_ascii=False), flush=True)
    n = len(results)
    valid = sum(r["model"] is not None for r in results)
    model_right = sum(r["model"] == r["expected"] for r in results)
    routed_right = sum(r["routed"] == r["expected"] for r in results)
    local_right = sum(r["local"] == r["expected"] for r in results)
    print(
        f"unsure rows {n}: valid skill name {valid}/{n}; model right {model_right}/{n}; "
        f"routed (model, else local) right {routed_right}/{n}; local alone right "
        f"{local_right}/{n}; load {load_start} -> {os.getloadavg()}"
    )
    if args.out:
        Path(args.out).write_text(json.dumps(results, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
