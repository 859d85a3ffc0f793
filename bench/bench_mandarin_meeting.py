"""Mandarin on a longer recording: what comparing decodes (voice.lm_choice) costs and
buys, sentence by sentence, in the meeting path (``--path meeting``: what
``ting meeting notes`` runs, whose chunks are compared as its time budget allows, every
one with ``asr_compare_decodes = all``) or the recording as one file (``--path file``:
``ting transcribe``, compared by default). The real clips of tests/data/audio/zh
(``--set``), repeated ``--rounds`` times in a shuffled order with pauses between them
(``--pause MIN MAX`` seconds), make one recording; it is transcribed in each of
``--modes`` (comparison off, the app's default, ``all``; ``--decodes``: the beam sizes of
the decodes compared with Ting's own, ``--temperatures`` their fallback) and by plain
faster-whisper, in turn, with CTranslate2's sampling seeded alike for each, and the wall
time, real-time factor and CER are printed.

    python bench/bench_mandarin_meeting.py [--path meeting|file] [--rounds 3]
        [--pause 1.5 2.5] [--modes off default all plain] [--decodes 1]
        [--temperatures 0] [--isa GENERIC]

With 1.5-2.5 s pauses most chunks' recordings run past 30 s, with 0.3-0.6 s they fit.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench_mandarin import CLIPS, SR, load_clips, meeting_text  # noqa: E402

from assistant.textmatch import character_errors  # noqa: E402


def recording(
    rounds: int, folder: Path, pause: tuple[float, float] = (1.5, 2.5), which: str = "all"
) -> tuple[Path, str, float]:
    import wave

    import numpy as np

    from voice.audio_files import read_audio_file

    rng = random.Random(7)
    order = [c for _ in range(rounds) for c in load_clips(which)]
    rng.shuffle(order)
    pieces, text = [], ""
    for clip in order:
        pieces.append(np.zeros(int(rng.uniform(*pause) * SR), dtype=np.float32))
        pieces.append(read_audio_file(CLIPS / clip["file"]))
        text += clip["text"]
    audio = np.concatenate(pieces)
    path = folder / "mandarin-meeting.wav"
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(SR)
        out.writeframes((np.clip(audio, -1, 1) * 32767).astype("<i2").tobytes())
    return path, text, audio.size / SR


def transcribe(
    recognizer, path: Path, home: Path, name: str, how: str = "meeting"
) -> tuple[str, float]:
    started = time.perf_counter()
    if how == "file":
        text = recognizer.transcribe_file(path, "zh").text
    else:
        text = meeting_text(recognizer, path, home / f"{name}.db")
    return text, time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--runs", type=int, default=2, help="runs of each, alternating")
    parser.add_argument("--pause", type=float, nargs=2, default=[1.5, 2.5])
    parser.add_argument(
        "--path",
        default="meeting",
        choices=["meeting", "file"],
        help="the meeting path, or the recording as one file (ting transcribe)",
    )
    parser.add_argument("--set", default="all", choices=["all", "dev", "heldout", "test"])
    parser.add_argument(
        "--decodes", type=int, nargs="+", help="beam sizes of the compared decodes (the app's)"
    )
    parser.add_argument(
        "--temperatures",
        type=float,
        nargs="+",
        help="fallback temperatures of the compared decodes (the app's)",
    )
    parser.add_argument(
        "--modes",
        nargs="+",
        default=["off", "default", "all", "plain"],
        choices=["off", "default", "all", "plain"],
        help="comparison off, the app's default (meetings: as the time budget allows), "
        "asr_compare_decodes = all, and plain faster-whisper (beam 5, → Simplified)",
    )
    parser.add_argument("--isa", choices=["GENERIC", "AVX", "AVX2", "AVX512"])
    parser.add_argument("--cache", default=str(Path(tempfile.gettempdir()) / "ting-bench-cache"))
    args = parser.parse_args()
    if args.isa:
        os.environ["CT2_FORCE_CPU_ISA"] = args.isa
    import ctranslate2

    import voice.asr as asr
    from voice.asr import SpeechRecognizer
    from voice.lm_choice import DecodeChooser
    from voice.model_files import prepare_bundled_model

    home = Path(tempfile.mkdtemp(prefix="bench-mandarin-meeting-"))
    os.environ["TING_HOME"] = str(home)
    cache = Path(args.cache)
    prepare_bundled_model(cache)
    recognizer = SpeechRecognizer("base", cache_dir=cache)
    chooser = DecodeChooser.for_built_in_model("1.5b", recognizer.cpu_threads, cache)
    path, reference, seconds = recording(args.rounds, home, tuple(args.pause), args.set)
    recognizer.prime()
    from dataclasses import replace

    name = "FILE_DECODING" if args.path == "file" else "MEETING_DECODING"
    base = getattr(asr, name)
    off = replace(base, compare_decodes=())
    on = replace(
        base,
        compare_decodes=tuple(args.decodes or base.compare_decodes),
        compare_temperatures=tuple(args.temperatures or base.compare_temperatures),
    )
    assert chooser.available, "the built-in model's weights are needed"
    print(f"recording: {seconds:.1f} s, {len(reference)} characters of reference text")
    print("| run | comparison | wall time | RTF | CER | load before |")
    print("|---|---|---|---|---|---|")
    plain = None
    for run in range(args.runs):
        for mode in args.modes:
            # the same samples at each temperature fallback, so the modes differ only by
            # the comparison
            ctranslate2.set_random_seed(run + 1)
            load = os.getloadavg()[0]
            if mode == "plain":
                from faster_whisper import WhisperModel

                from voice.asr import to_simplified

                plain = plain or WhisperModel(
                    str(recognizer.model_folder()),
                    device="cpu",
                    compute_type="int8",
                    local_files_only=True,
                )
                started = time.perf_counter()
                text = to_simplified(
                    "".join(s.text.strip() for s in plain.transcribe(str(path))[0])
                )
                spent = time.perf_counter() - started
            else:
                recognizer.chooser = None if mode == "off" else chooser
                recognizer.compare_everywhere = mode == "all"
                setattr(asr, name, off if mode == "off" else on)
                text, spent = transcribe(recognizer, path, home, f"r{run}-{mode}", args.path)
            edits, chars = character_errors(reference, text)
            print(
                f"| {run + 1} | {mode} | {spent:.1f} s | "
                f"{spent / seconds:.3f} | {100 * edits / chars:.1f}% ({edits}/{chars}) | "
                f"{load:.1f} |",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
