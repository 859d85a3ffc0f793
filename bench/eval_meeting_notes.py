"""Meeting notes against the real local model on bench/data/llm_eval/meetings.

    python bench/eval_meeting_notes.py [--meetings zh_release_weekly,...] [--no-model] [--out F]

Needs the shared server (``python bench/local_server.py start``). For each transcript: the
model's notes as ``ting meeting notes FILE`` makes them (``ModelSummarizer``, chunked to
its part size; the offline notes when the model fails, as the pipeline does) and, beside
them, the offline extractive notes (no model). Scored with ``scoring.score_meeting``:
decisions and action items, recall and precision, micro-summed.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench/data/llm_eval"))
DATA = ROOT / "bench/data/llm_eval/meetings"
os.environ.setdefault("TING_HOME", "/tmp/ting-bench-home")
os.environ.setdefault("TING_PROVIDER", "local")


def as_predicted(notes) -> dict:
    return {
        "decisions": list(notes.decisions),
        "action_items": [
            {"owner": a.owner or "", "task": a.what, "due": a.due or ""} for a in notes.action_items
        ],
    }


def model_notes(llm, lines, language: str) -> tuple[dict, dict]:
    from assistant.errors import ProviderError
    from assistant.skill import CancelToken
    from skills.meeting_notes import summarizer as summarizer_module
    from skills.meeting_notes.offline_notes import offline_notes
    from skills.meeting_notes.summarizer import ModelSummarizer

    # the model's own owners and due dates, before the ones nobody said are dropped, are
    # scored beside the notes Ting writes ("ting, as the model wrote")
    unfiltered: list = []
    keep = summarizer_module.keep_what_was_said

    def recording(notes, said_lines, **how):
        unfiltered.append(notes)
        return keep(notes, said_lines, **how)

    summarizer_module.keep_what_was_said = recording

    summarizer = ModelSummarizer(llm, cancel=CancelToken(), language=language)
    gen = summarizer.summarize(lines)
    try:
        while True:
            next(gen)
    except StopIteration as stop:
        outcome = stop.value
        raw = [
            (a.owner, a.due, k.owner, k.due)
            for a, k in zip(unfiltered[-1].action_items, outcome.notes.action_items, strict=True)
        ]
        return as_predicted(outcome.notes), {
            "fallback": False,
            "problems": outcome.problems,
            "steps": outcome.model_steps,
            "unfiltered": as_predicted(unfiltered[-1]),
            "owners_dropped": [o for o, _, ko, _ in raw if o and not ko],
            "dues_dropped": [d for _, d, _, kd in raw if d and not kd],
            "owners_kept": sum(1 for *_, ko, _ in raw if ko),
            "dues_kept": sum(1 for *_, kd in raw if kd),
        }
    except ProviderError as exc:
        notes = offline_notes(lines, language=language, title="")
        return as_predicted(notes), {"fallback": True, "problems": [exc.user_message()]}
    finally:
        summarizer_module.keep_what_was_said = keep


def _dropped(info: dict) -> str:
    if "owners_dropped" not in info:
        return ""
    return (
        f"owners kept {info['owners_kept']} dropped {info['owners_dropped']}"
        f" dues kept {info['dues_kept']} dropped {info['dues_dropped']}"
    )


def main() -> None:
    from scoring import score_meeting

    from skills.meeting_notes.transcript_files import read_transcript_file

    parser = argparse.ArgumentParser()
    parser.add_argument("--meetings", default="")
    parser.add_argument("--no-model", action="store_true")
    parser.add_argument("--out", default="")
    args = parser.parse_args()
    names = [m for m in args.meetings.split(",") if m] or sorted(p.stem for p in DATA.glob("*.txt"))
    llm = None
    if not args.no_model:
        from assistant.config import load_settings
        from assistant.llm import client_from_settings

        llm = client_from_settings(load_settings(), None)
    from skills.meeting_notes.offline_notes import offline_notes

    load_start = os.getloadavg()
    totals: dict[str, dict[str, list[int]]] = {}
    rows = []
    for name in names:
        expected = json.loads((DATA / f"{name}.expected.json").read_text(encoding="utf-8"))
        lines = read_transcript_file(DATA / f"{name}.txt")
        language = "en" if expected["language"] == "en" else "zh"
        systems = {
            "extractive": (as_predicted(offline_notes(lines, language=language, title="")), {})
        }
        if llm is not None:
            started = time.monotonic()
            predicted, info = model_notes(llm, lines, language)
            info["seconds"] = round(time.monotonic() - started, 1)
            systems["ting"] = (predicted, info)
            if "unfiltered" in info:
                systems["ting-raw"] = (info.pop("unfiltered"), {})
        for system, (predicted, info) in systems.items():
            score = score_meeting(expected, predicted)
            row = {"meeting": name, "system": system, **info, "predicted": predicted}
            for kind in ("decisions", "action_items"):
                s = score[kind]
                t = totals.setdefault(system, {}).setdefault(kind, [0, 0, 0])
                counted = (s["matched"] / s["precision"]) if s["precision"] else s["predicted"]
                t[0] += s["matched"]
                t[1] += s["expected"]
                t[2] += round(counted)
                row[kind] = {
                    k: s[k] for k in ("expected", "predicted", "matched", "recall", "precision")
                }
            row["superseded_reported"] = len(score["decisions"]["superseded_reported"])
            rows.append(row)
            d, a = row["decisions"], row["action_items"]
            print(
                f"{system:10} {name:28} decisions {d['matched']}/{d['expected']} of {d['predicted']}"
                f"  actions {a['matched']}/{a['expected']} of {a['predicted']}"
                f"  stale {row['superseded_reported']} {info.get('seconds', '')} "
                f"{'FALLBACK' if info.get('fallback') else ''} {info.get('problems', '')}",
                f" {_dropped(info)}",
                flush=True,
            )
    for system, kinds in totals.items():
        parts = []
        for kind, (matched, expected, counted) in kinds.items():
            recall = matched / expected if expected else 0
            precision = matched / counted if counted else 0
            parts.append(f"{kind} recall {recall:.2f} precision {precision:.2f}")
        print(f"{system}: " + "; ".join(parts))
    print(f"load {load_start} -> {os.getloadavg()}")
    if args.out:
        Path(args.out).write_text(json.dumps(rows, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
