"""Mandarin recognition: character error rate on real human speech, every Ting path
against plain faster-whisper on the same clips.

    python bench/bench_mandarin.py [--set dev|heldout|test|all] [--vocabulary]
                                   [--compare files|all|off] [--isa GENERIC|AVX|AVX2|AVX512]
                                   [--out FILE]

The clips are tests/data/audio/zh (clips.json: the published text of each, its set and
its domain words; where each came from is in tests/data/audio/SOURCES.md). Compared:

* **plain faster-whisper** (the baseline): ``WhisperModel.transcribe`` with the
  library's defaults (beam 5, 30 s window, language detection), the same bundled model
  files, int8, output converted to Simplified characters; and the same told ``zh``;
* **ting transcribe**: ``SpeechRecognizer.transcribe_file`` (what ``ting transcribe``
  runs), ``--language zh`` and ``auto``;
* **ting live**: ``IncrementalTranscriber`` (what ``ting listen`` runs) fed the clip in
  0.1 s steps with 0.3 s of silence before and after, drafts at pauses, ``finish`` at
  the end;
* **ting meeting**: ``ChunkedTranscriber`` (what ``ting meeting notes`` runs) over the
  clip, language ``auto``;
* **ting interpreter**: ``InterpreterSession`` over the clip replayed as fast as it
  goes (``ting interpret --input FILE --fast``), the source sentences joined.

Ting's recognizer compares its Mandarin decodes with the built-in language model
(voice.lm_choice) where the app does by default (``--compare files``: files);
``--compare all`` also in the live path, the interpreter and meetings (the setting
asr_compare_decodes = all), ``--compare off`` nowhere (the figures before it). ``--isa`` forces CTranslate2's CPU kernels (CT2_FORCE_CPU_ISA): Whisper's output
moves with them, so a change is checked under more than the machine's own.

With ``--vocabulary`` the recognizer sees a personal vocabulary holding the domain
words of every clip in clips.json (what a user would have added), as ``ting vocab add``
would store them.

CER: character edits / reference characters, summed over the clips of a set, after
dropping punctuation and spaces and writing Chinese numerals as digits on both sides
(``assistant.textmatch.characters_for_cer``). Traditional characters are counted in
every output.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.textmatch import character_errors  # noqa: E402

CLIPS = ROOT / "tests" / "data" / "audio" / "zh"
# dev: tuned on; heldout: measured on, looked at; test: added 2026-12-07, never tuned on
SETS = ["dev", "heldout", "test"]
SR = 16_000

METHODS = (
    ("plain", "plain faster-whisper, its defaults (beam 5), → Simplified (baseline)"),
    ("plain_zh", "plain faster-whisper, language zh, → Simplified"),
    ("file_zh", "ting transcribe --language zh"),
    ("file_auto", "ting transcribe (auto)"),
    ("live", "ting listen (live drafts, auto)"),
    ("meeting", "ting meeting notes (chunked, auto)"),
    ("interpreter", "ting interpret (sentences, auto)"),
)


def load_clips(which: str) -> list[dict]:
    clips = json.loads((CLIPS / "clips.json").read_text(encoding="utf-8"))["clips"]
    return [c for c in clips if which == "all" or c["set"] == which]


def all_domain_words() -> list[str]:
    words: list[str] = []
    for clip in load_clips("all"):
        words += [w for w in clip["vocabulary"] if w not in words]
    return words


def clip_seconds(path: Path) -> float:
    from voice.audio_files import read_audio_file

    return read_audio_file(path).size / SR


def traditional_count(text: str) -> int:
    from voice.asr import to_simplified

    return sum(a != b for a, b in zip(text, to_simplified(text), strict=False))


def meeting_text(recognizer, path: Path, database: Path) -> str:
    """What the meeting path (``ChunkedTranscriber``, as ``ting meeting notes`` runs it)
    hears in ``path``, its lines joined."""
    from assistant.history import HistoryStore
    from assistant.skill import CancelToken
    from skills.meeting_notes.meeting_store import MeetingStore
    from skills.meeting_notes.transcription import ChunkedTranscriber

    store = MeetingStore(HistoryStore(database))
    run = ChunkedTranscriber(
        path, store=store, recognizer=recognizer, cancel=CancelToken(), language="auto"
    ).run()
    try:
        while True:
            next(run)
    except StopIteration as done:
        outcome = done.value
    return "".join(line.text for line in outcome.lines)


class Contenders:
    def __init__(self, cache: Path, vocabulary: list[str] | None, compare: str = "files") -> None:
        from voice.asr import SpeechRecognizer
        from voice.model_files import BUNDLED_FOLDER, prepare_bundled_model

        prepare_bundled_model(cache)
        self.model_dir = cache / BUNDLED_FOLDER
        self.recognizer = SpeechRecognizer("base", cache_dir=cache)
        self.vocabulary = vocabulary
        if vocabulary:
            self.recognizer.set_vocabulary(vocabulary)
        if compare != "off":
            from voice.lm_choice import DecodeChooser

            self.recognizer.compare_everywhere = compare == "all"
            self.recognizer.chooser = DecodeChooser.for_built_in_model(
                "1.5b", self.recognizer.cpu_threads, cache
            )
        self._plain = None
        self.last_release_s = 0.0  # the live path's work after the last sample (finish)

    def plain(self, path: Path, language: str | None) -> str:
        from faster_whisper import WhisperModel

        from voice.asr import to_simplified

        if self._plain is None:
            self._plain = WhisperModel(
                str(self.model_dir), device="cpu", compute_type="int8", local_files_only=True
            )
        segments, _info = self._plain.transcribe(str(path), language=language)
        return to_simplified("".join(s.text.strip() for s in segments))

    def file(self, path: Path, language: str) -> str:
        return self.recognizer.transcribe_file(path, language).text

    def live(self, path: Path) -> str:
        import numpy as np

        from voice.audio_files import read_audio_file
        from voice.streaming import IncrementalTranscriber

        quiet = np.zeros(int(0.3 * SR), dtype=np.float32)
        audio = np.concatenate([quiet, read_audio_file(path), quiet])
        transcriber = IncrementalTranscriber(self.recognizer, "auto")
        step = SR // 10
        for end in range(step, audio.size + 1, step):
            if transcriber.should_update(audio[:end]):
                transcriber.update(audio[:end])
        started = time.perf_counter()
        text = transcriber.finish(audio).text
        self.last_release_s = time.perf_counter() - started
        return text

    def meeting(self, path: Path, home: Path) -> str:
        return meeting_text(self.recognizer, path, home / f"{path.stem}.db")

    def interpreter(self, path: Path) -> str:
        from assistant.skill import CancelToken
        from skills.translation.interpreter.audio_sources import FileReplay
        from skills.translation.interpreter.events import SourceText
        from skills.translation.interpreter.pipeline import InterpreterSession
        from voice.audio_files import read_audio_file

        events: list = []
        session = InterpreterSession(
            source=FileReplay(read_audio_file(path), fast=True),
            recognizer=self.recognizer,
            pair=("zh", "en"),
            emit=events.append,
            fast=True,
        )
        session.run(CancelToken())
        return "".join(e.text for e in events if isinstance(e, SourceText))


def run(args: argparse.Namespace) -> dict:
    vocabulary = all_domain_words() if args.vocabulary else None
    home = Path(tempfile.mkdtemp(prefix="bench-mandarin-"))
    os.environ["TING_HOME"] = str(home)
    contenders = Contenders(Path(args.cache), vocabulary, compare=args.compare)
    wanted = [m for m, _ in METHODS if not args.only or m in args.only]
    rows: list[dict] = []
    for clip in load_clips(args.set):
        path = CLIPS / clip["file"]
        row = {"file": clip["file"], "set": clip["set"], "text": clip["text"], "out": {}}
        for method in wanted:
            started = time.perf_counter()
            if method == "plain":
                text = contenders.plain(path, None)
            elif method == "plain_zh":
                text = contenders.plain(path, "zh")
            elif method == "file_zh":
                text = contenders.file(path, "zh")
            elif method == "file_auto":
                text = contenders.file(path, "auto")
            elif method == "live":
                text = contenders.live(path)
            elif method == "meeting":
                text = contenders.meeting(path, home)
            else:
                text = contenders.interpreter(path)
            edits, total = character_errors(clip["text"], text)
            seconds = time.perf_counter() - started
            row["seconds"] = clip_seconds(path)
            row["out"][method] = {
                "text": text,
                "edits": edits,
                "chars": total,
                "traditional": traditional_count(text),
                "s": round(seconds, 3),
                **({"release_s": round(contenders.last_release_s, 3)} if method == "live" else {}),
            }
            print(f"{clip['file']:32} {method:12} {edits:2}/{total:2}  {text}", flush=True)
        rows.append(row)
    return {
        "set": args.set,
        "vocabulary": vocabulary or [],
        "methods": wanted,
        "rows": rows,
        "load": os.getloadavg(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
    }


def cer_table(result: dict) -> str:
    labels = dict(METHODS)
    sets = sorted({r["set"] for r in result["rows"]}, key=SETS.index)
    head = "| method | " + " | ".join(f"CER {s}" for s in sets) + " | Traditional chars |"
    lines = [head, "|---" * (len(sets) + 2) + "|"]
    for method in result["methods"]:
        cells = []
        trad = 0
        for s in sets:
            outs = [r["out"][method] for r in result["rows"] if r["set"] == s]
            edits = sum(o["edits"] for o in outs)
            chars = sum(o["chars"] for o in outs)
            trad += sum(o["traditional"] for o in outs)
            cells.append(f"{100 * edits / max(1, chars):.1f}% ({edits}/{chars})")
        lines.append(f"| {labels[method]} | " + " | ".join(cells) + f" | {trad} |")
    return "\n".join(lines)


def timing_lines(result: dict) -> str:
    """Time per clip (all in one process, model load not counted; the first call of a
    method pays its warm-up)."""
    rows = result["rows"]
    audio = sum(r["seconds"] for r in rows)
    out = []
    for method in result["methods"]:
        spent = sum(r["out"][method]["s"] for r in rows)
        out.append(f"{method} {spent:.1f} s for {audio:.1f} s of audio (RTF {spent / audio:.2f})")
    if "live" in result["methods"]:
        release = sorted(r["out"]["live"]["release_s"] for r in rows)
        out.append(
            "live, work after the last sample (finish): "
            + ", ".join(f"{1000 * s:.0f}" for s in release)
            + " ms"
        )
    return "; ".join(out)


def texts_table(result: dict) -> str:
    lines = ["| clip | set | reference | " + " | ".join(result["methods"]) + " |"]
    lines.append("|---" * (len(result["methods"]) + 3) + "|")
    for r in result["rows"]:
        cells = [f"{r['out'][m]['text']} ({r['out'][m]['edits']})" for m in result["methods"]]
        lines.append(f"| {r['file']} | {r['set']} | {r['text']} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--set", choices=[*SETS, "all"], default="all")
    parser.add_argument("--compare", choices=["files", "all", "off"], default="files")
    parser.add_argument("--isa", choices=["GENERIC", "AVX", "AVX2", "AVX512"])
    parser.add_argument("--vocabulary", action="store_true", help="the clips' domain words")
    parser.add_argument("--only", nargs="*", help="only these methods")
    parser.add_argument("--cache", default=str(Path(tempfile.gettempdir()) / "ting-bench-cache"))
    parser.add_argument("--json", type=Path, help="write the raw results here")
    parser.add_argument("--out", type=Path, help="append the tables to this Markdown file")
    args = parser.parse_args()
    if args.isa:  # read when CTranslate2 loads, before any model is
        os.environ["CT2_FORCE_CPU_ISA"] = args.isa
    result = run(args)
    tables = cer_table(result) + "\n\n" + texts_table(result) + "\n\nTimes: " + timing_lines(result)
    print()
    print(tables)
    print(f"\nload average {result['load'][0]:.1f} / {result['load'][1]:.1f}")
    if args.json:
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    if args.out:
        with args.out.open("a", encoding="utf-8") as fh:
            fh.write(tables + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
