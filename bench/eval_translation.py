"""Translation against the real local model on bench/data/llm_eval/translation.tsv.

    python bench/eval_translation.py [--per-direction N] [--file translation.tsv] [--out F]

Needs the shared server (``python bench/local_server.py start``). Two systems on the same
sentences, alternating: **Ting** (the translation skill's messages with the glossary
entries it would pick, and its clean-up of the reply) and **bare** (the same model, one
user line "Translate into English: TEXT", the reply stripped). Scores: chrF (sacrebleu)
per direction over the plain rows, the `must` rate, glossary adherence on g01-g12, and
outputs in the wrong language.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench/data/llm_eval"))
DATA = ROOT / "bench/data/llm_eval"
os.environ.setdefault("TING_HOME", "/tmp/ting-bench-home")
os.environ.setdefault("TING_PROVIDER", "local")

_CJK = re.compile(r"[\u3400-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]")


def read_tsv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))


def wrong_language(output: str, target: str) -> bool:
    cjk, latin = len(_CJK.findall(output)), len(_LATIN.findall(output))
    if target == "zh":
        return cjk == 0
    return cjk > latin / 3


def ting_translate(llm, text: str, target: str, glossary) -> str:
    from skills.translation import prompts
    from skills.translation.glossary import relevant_entries

    entries = relevant_entries(glossary, text, target)
    messages = prompts.translation_messages(text, target, entries)
    options = getattr(prompts, "request_options", None)
    kwargs = options(text) if options else {}
    reply = llm.complete(messages, **kwargs).text
    try:
        from skills.translation.reply_cleanup import clean_translation
    except ImportError:  # the code before the clean-up existed
        return reply.strip()
    translation = clean_translation(reply, text, target)
    missing_of = getattr(prompts, "glossary_missing", None)
    missing = missing_of(translation, entries) if missing_of and translation else []
    if missing:  # as the skill does: once more with the renderings it dropped
        again = llm.complete(prompts.glossary_repair(messages, translation, missing), **kwargs)
        second = clean_translation(again.text, text, target)
        if second and len(missing_of(second, entries)) < len(missing):
            translation = second
    return translation


def bare_translate(llm, text: str, target: str) -> str:
    name = "English" if target == "en" else "Chinese"
    messages = [{"role": "user", "content": f"Translate into {name}: {text}"}]
    return llm.complete(messages, temperature=0, max_tokens=200).text.strip()


def main() -> None:
    from sacrebleu import corpus_chrf
    from scoring import must_missing

    from assistant.config import load_settings
    from assistant.llm import client_from_settings
    from skills.translation.glossary import GlossaryEntry

    parser = argparse.ArgumentParser()
    parser.add_argument("--per-direction", type=int, default=0, help="first N rows each way")
    parser.add_argument("--glossary-rows", type=int, default=12, help="first N g rows")
    parser.add_argument("--file", default="translation.tsv")
    parser.add_argument("--no-bare", action="store_true")
    parser.add_argument("--out", default="")
    args = parser.parse_args()
    rows = read_tsv(DATA / args.file)
    glossary = [
        GlossaryEntry(i, g["source"], g["target"], "")
        for i, g in enumerate(read_tsv(DATA / "glossary.tsv"), 1)
    ]
    if args.per_direction:
        kept, seen = [], {}
        for row in rows:
            key = row["id"][0] + row["direction"]
            limit = args.glossary_rows if row["id"].startswith("g") else args.per_direction
            if seen.get(key, 0) < limit:
                kept.append(row)
                seen[key] = seen.get(key, 0) + 1
        rows = kept
    llm = client_from_settings(load_settings(), None)
    load_start = os.getloadavg()
    results = []
    for row in rows:
        target = row["direction"].split("-")[1]
        is_glossary = row["id"].startswith("g")
        out = {"id": row["id"], "direction": row["direction"]}
        started = time.monotonic()
        out["ting"] = ting_translate(llm, row["source"], target, glossary)
        out["ting_s"] = round(time.monotonic() - started, 2)
        if not args.no_bare:
            out["bare"] = bare_translate(llm, row["source"], target)
        out["reference"], out["must"], out["glossary_row"] = (
            row["reference"],
            row["must"],
            is_glossary,
        )
        results.append(out)
        print(json.dumps(out, ensure_ascii=False), flush=True)
    systems = ["ting"] + ([] if args.no_bare else ["bare"])
    lines = []
    for system in systems:
        for direction in ("zh-en", "en-zh"):
            plain = [r for r in results if r["direction"] == direction and not r["glossary_row"]]
            if not plain:
                continue
            chrf = corpus_chrf([r[system] for r in plain], [[r["reference"] for r in plain]])
            must_ok = sum(not must_missing(r[system], r["must"]) for r in plain)
            wrong = sum(wrong_language(r[system], direction[-2:]) for r in plain)
            lines.append(
                f"{system:5} {direction} n={len(plain)} chrF={chrf.score:.1f} "
                f"must={must_ok}/{len(plain)} wrong-language={wrong}"
            )
        gl = [r for r in results if r["glossary_row"]]
        if gl:
            ok = sum(not must_missing(r[system], r["must"]) for r in gl)
            lines.append(f"{system:5} glossary adherence {ok}/{len(gl)}")
    lines.append(f"load {load_start} -> {os.getloadavg()}")
    print("\n".join(lines))
    if args.out:
        Path(args.out).write_text(json.dumps(results, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
