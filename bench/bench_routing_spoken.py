"""Routing the spoken form of the fresh table: speech in, Ting's recognizer, the router.

    python bench/bench_routing_spoken.py [--half dev|held-out|all] [--rows]

Every ``spoken=yes`` row of ``tests/data/routing_fresh.tsv`` is synthesized with
``ting say --out`` (Piper's bundled English voice for English rows, eSpeak NG for
Chinese ones), transcribed by Ting's own recognizer (the Whisper ``base`` model from its
packages, as ``ting listen`` would, language "auto"), and the transcript routed offline.
The same rows typed are routed beside it. Audio and transcripts are kept in
``bench/out/routing_spoken/`` (synthesis is the slow part; a second run reuses them).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

OUT = ROOT / "bench" / "out" / "routing_spoken"


def synthesize(rows: list[dict[str, str]], ting: str) -> dict[str, Path]:
    """A wav per row (made once, by ``ting say``, keyed by the text and language)."""
    OUT.mkdir(parents=True, exist_ok=True)
    wavs: dict[str, Path] = {}
    for row in rows:
        key = hashlib.sha1(f"{row['lang']}\0{row['text']}".encode()).hexdigest()[:16]
        wav = OUT / f"{key}.wav"
        if not wav.exists():
            voice = "piper" if row["lang"] == "en" else "espeak"
            subprocess.run(
                [
                    ting,
                    "say",
                    row["text"],
                    "--out",
                    str(wav),
                    "--language",
                    row["lang"],
                    "--voice",
                    voice,
                ],
                check=True,
                capture_output=True,
            )
        wavs[row["text"]] = wav
    return wavs


def transcribe(rows: list[dict[str, str]], wavs: dict[str, Path], mode: str) -> dict[str, str]:
    """Transcripts by Ting's recognizer, cached beside the audio. ``mode`` "auto" lets
    the recognizer choose between the two languages of the pair (``ting listen``'s
    default); "given" tells it the row's language (``asr_language`` set)."""
    cache_file = OUT / "transcripts.json"
    cache = json.loads(cache_file.read_text(encoding="utf-8")) if cache_file.exists() else {}

    def key(row: dict[str, str]) -> str:
        return f"{wavs[row['text']].name}:{mode}"

    todo = [row for row in rows if key(row) not in cache]
    if todo:
        from assistant.frontend.app import App

        recognizer = App.from_environment().service("asr")
        for row in todo:
            language = "auto" if mode == "auto" else row["lang"]
            cache[key(row)] = recognizer.transcribe_file(wavs[row["text"]], language).text
            cache_file.write_text(json.dumps(cache, ensure_ascii=False, indent=0), "utf-8")
    return {row["text"]: cache[key(row)] for row in rows}


def char_error_rate(reference: str, heard: str) -> tuple[int, int]:
    """(edits, reference length) over characters, ignoring case, spaces and punctuation."""
    import unicodedata

    def clean(s: str) -> str:
        s = unicodedata.normalize("NFKC", s).lower()
        return "".join(ch for ch in s if ch.isalnum())

    a, b = clean(reference), clean(heard)
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1], len(a)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--half", choices=("dev", "held-out", "all"), default="all")
    parser.add_argument("--rows", action="store_true", help="list every row")
    args = parser.parse_args()
    from bench_routing_fresh import load_rows, pct

    from assistant.router import Router

    ting = shutil.which("ting", path=str(Path(sys.executable).parent)) or "ting"
    rows = [r for r in load_rows() if r["spoken"] == "yes"]
    if args.half != "all":
        rows = [r for r in rows if r["half"] == args.half]
    started = time.monotonic()
    wavs = synthesize(rows, ting)
    heard = {mode: transcribe(rows, wavs, mode) for mode in ("auto", "given")}
    router = Router().warm()
    print(
        f"{len(rows)} spoken rows ({args.half}); synthesis and recognition "
        f"{time.monotonic() - started:.0f} s; load average {os.getloadavg()[0]:.1f}"
    )
    print()
    print("| rows | typed | spoken, language auto | CER | spoken, language given | CER |")
    print("|---|---|---|---|---|---|")
    groups = [("all", rows)] + [
        (
            f"{lang}, {'Piper (joe-us)' if lang == 'en' else 'eSpeak NG'}",
            [r for r in rows if r["lang"] == lang],
        )
        for lang in sorted({r["lang"] for r in rows})
    ]
    listing = []
    for label, group in groups:
        typed = sum(router.local_decision(r["text"]).skill == r["skill"] for r in group)
        cells = [f"{label} ({len(group)})", pct(typed, len(group))]
        for mode in ("auto", "given"):
            right = edits = length = 0
            for r in group:
                transcript = heard[mode][r["text"]].strip()
                skill = router.local_decision(transcript).skill if transcript else "chat"
                right += skill == r["skill"]
                e, n = char_error_rate(r["text"], transcript)
                edits, length = edits + e, length + n
                if label == "all":
                    mark = "  " if skill == r["skill"] else "XX"
                    listing.append(
                        f"{mark} {mode:5} {r['skill']:13} -> {skill:13} | "
                        f"{r['text']} | {transcript}"
                    )
            cells += [pct(right, len(group)), f"{edits / max(1, length):.0%}"]
        print("| " + " | ".join(cells) + " |")
    if args.rows:
        print()
        print("\n".join(listing))


if __name__ == "__main__":
    main()
