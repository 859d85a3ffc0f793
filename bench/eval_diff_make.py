"""`diff make` against the real local model on the blind cases of bench/data/llm_eval/diff_make.

    python bench/eval_diff_make.py [--set rename | --cases-dir DIR] [--cases 01,03,...]
                                   [--baseline] [--out FILE.json]

Needs the shared server (``python bench/local_server.py start``; this script uses its
TING_HOME). For each case: copy ``before/`` to a scratch folder, run the diff skill as
``ting diff make`` does (its repair rounds included), apply the previewed patch, then run
the case's ``apply_checks.py``. A case succeeds when the patch lands and every check
passes; "without self-repair" counts only the cases that landed on the first reply.
``--baseline``: the naive way instead (ask for each whole new file, write it).
``--model-only``: plain renames go to the model too (as ``ting diff make --model``).
``--text-only``: no model at all; the cases the text path does not take are listed, not run.
``--set rename``: the held-out rename / replacement set (bench/data/llm_eval/diff_make_rename)
instead of the default one; ``--cases-dir DIR``: any folder of cases in the same format.
Every set is checked with diff_make/apply_checks.py.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CASES = ROOT / "bench/data/llm_eval/diff_make"
SETS = {
    "diff_make": CASES,
    "rename": ROOT / "bench/data/llm_eval/diff_make_rename",
    "rename2": ROOT / "bench/data/llm_eval/diff_make_rename2",
}
CHECKER = CASES / "apply_checks.py"
os.environ.setdefault("TING_HOME", "/tmp/ting-bench-home")
os.environ.setdefault("TING_PROVIDER", "local")


class ModelNotRun(Exception):
    """--text-only: the case would go to the model."""


def context(text_only: bool = False):
    from assistant.config import load_settings
    from assistant.llm import client_from_settings
    from assistant.skill import SkillContext

    settings = load_settings()
    if text_only:

        def no_model():
            raise ModelNotRun

        return SkillContext(settings=settings, history=None, llm_factory=no_model)
    client = client_from_settings(settings, None)
    return SkillContext(settings=settings, history=None, llm_factory=lambda: client)


def run_ting(case: dict, folder: Path, ctx, text_edits: bool = True) -> dict:
    from assistant.errors import TingError
    from assistant.events import NeedsConfirmation
    from assistant.skill import Request
    from skills.diffgen.skill import DiffSkill

    skill = DiffSkill()
    request = Request(
        text=case["instruction"],
        origin="cli",
        skill="diff",
        options={"root": str(folder), "files": case["files"], "text_edits": text_edits},
    )
    try:
        events = list(skill.run(request, ctx))
    except TingError as exc:
        return {"landed": False, "error": exc.user_message()}
    except ModelNotRun:
        return {"landed": False, "method": "model (not run)", "error": ""}
    card = next(e for e in events if isinstance(e, NeedsConfirmation))
    try:
        list(skill.apply(card.action, card.data, ctx))
    except TingError as exc:
        return {"landed": False, "error": exc.user_message()}
    return {
        "landed": True,
        "repair_rounds": card.data.get("repair_rounds", 0),
        "method": card.data.get("method", "model"),
    }


_FENCE = re.compile(r"```[^\n]*\n(.*?)```", re.DOTALL)


def run_baseline(case: dict, folder: Path, ctx) -> dict:
    """The naive way: one request per file, 'reply with the whole new file'."""
    llm = ctx.llm()
    for name in case["files"]:
        path = folder / name
        text = path.read_text(encoding="utf-8")
        messages = [
            {
                "role": "user",
                "content": f"{case['instruction']}\n\nFile {name}:\n```\n{text}\n```\n\n"
                "Reply with the complete new content of this file in one code block.",
            }
        ]
        reply = llm.complete(messages, temperature=0, max_tokens=4096).text
        blocks = _FENCE.findall(reply)
        if not blocks:
            return {"landed": False, "error": "no code block"}
        path.write_text(max(blocks, key=len), encoding="utf-8")
    return {"landed": True, "repair_rounds": 0}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", default="", help="comma-separated case numbers")
    parser.add_argument("--baseline", action="store_true")
    parser.add_argument(
        "--model-only", action="store_true", help="no text renames: every case asks the model"
    )
    parser.add_argument(
        "--text-only",
        action="store_true",
        help="run no model: only the cases the text path takes are done, the rest are listed",
    )
    parser.add_argument("--out", default="")
    parser.add_argument(
        "--set", choices=sorted(SETS), default="diff_make", help="which case set to run"
    )
    parser.add_argument("--cases-dir", default="", help="a folder of cases (overrides --set)")
    args = parser.parse_args()
    cases_dir = Path(args.cases_dir) if args.cases_dir else SETS[args.set]
    if not cases_dir.is_dir():
        parser.error(f"no such folder of cases: {cases_dir}")
    wanted = {c.strip() for c in args.cases.split(",") if c.strip()}
    dirs = sorted(
        d
        for d in cases_dir.iterdir()
        if d.is_dir() and d.name[:2].isdigit() and (d / "case.json").is_file()
    )
    if not dirs:
        parser.error(f"no cases (NN-name/case.json) in {cases_dir}")
    if cases_dir != CASES:
        print(f"cases from {cases_dir}", flush=True)
    if wanted:
        dirs = [d for d in dirs if d.name[:2] in wanted]
    ctx = context(text_only=args.text_only)
    rows = []
    load_start = os.getloadavg()
    for case_dir in dirs:
        case = json.loads((case_dir / "case.json").read_text(encoding="utf-8"))
        with tempfile.TemporaryDirectory(prefix="ting-diffeval-") as tmp:
            folder = Path(tmp) / "work"
            shutil.copytree(case_dir / "before", folder)
            started = time.monotonic()
            if args.baseline:
                result = run_baseline(case, folder, ctx)
            else:
                result = run_ting(case, folder, ctx, text_edits=not args.model_only)
            result["seconds"] = round(time.monotonic() - started, 1)
            if result["landed"]:
                check = subprocess.run(
                    [sys.executable, str(CHECKER), str(case_dir), str(folder)],
                    capture_output=True,
                    text=True,
                )
                result["checks_pass"] = check.returncode == 0
                if check.returncode:
                    result["check_output"] = check.stdout[-600:]
            else:
                result["checks_pass"] = False
        result["case"] = case_dir.name
        result["kind"] = case["kind"]
        rows.append(result)
        ok = "OK " if result["checks_pass"] else "bad"
        print(
            f"{ok} {case_dir.name:32} landed={result['landed']} "
            f"rounds={result.get('repair_rounds', '-')} {result.get('method', '')} "
            f"{result['seconds']} s "
            f"{result.get('error', '')[:150]}",
            flush=True,
        )
    n = len(rows)
    success = sum(r["checks_pass"] for r in rows)
    first = sum(r["checks_pass"] and r.get("repair_rounds") == 0 for r in rows)
    landed = sum(r["landed"] for r in rows)
    print(
        f"cases {n}: landed {landed}, success {success}/{n} with self-repair, "
        f"{first}/{n} without; load {load_start} -> {os.getloadavg()}"
    )
    by_text = [r for r in rows if r.get("method") == "text"]
    print(
        f"done by text: {len(by_text)} (right {sum(r['checks_pass'] for r in by_text)}); "
        f"to the model: {sum(r.get('method') != 'text' for r in rows)}"
    )
    if args.out:
        Path(args.out).write_text(json.dumps(rows, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
