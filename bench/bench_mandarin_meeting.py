"""Mandarin meeting notes: what comparing decodes (voice.lm_choice) would cost and buy
on a longer recording. The app does not compare meeting chunks (MEETING_DECODING); this
bench is why: "on" compares each chunk whose recording is at most ``--window`` seconds,
as ``ting transcribe`` does a short file. The real clips of tests/data/audio/zh, repeated ``--rounds``
times in a shuffled order with pauses between them (``--pause MIN MAX`` seconds), make
one recording; the
meeting path (``ChunkedTranscriber``, what ``ting meeting notes`` runs) transcribes it
with the comparison and without, alternately, and its wall time, real-time factor and
CER are printed.

    python bench/bench_mandarin_meeting.py [--rounds 3] [--pause 1.5 2.5] [--isa GENERIC]

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
    rounds: int, folder: Path, pause: tuple[float, float] = (1.5, 2.5)
) -> tuple[Path, str, float]:
    import wave

    import numpy as np

    from voice.audio_files import read_audio_file

    rng = random.Random(7)
    order = [c for _ in range(rounds) for c in load_clips("all")]
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


def transcribe(recognizer, path: Path, home: Path, name: str) -> tuple[str, float]:
    started = time.perf_counter()
    text = meeting_text(recognizer, path, home / f"{name}.db")
    return text, time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--runs", type=int, default=2, help="runs of each, alternating")
    parser.add_argument("--pause", type=float, nargs=2, default=[1.5, 2.5])
    parser.add_argument("--window", type=float, default=60.0, help="longest chunk compared")
    parser.add_argument("--isa", choices=["GENERIC", "AVX", "AVX2", "AVX512"])
    parser.add_argument("--cache", default=str(Path(tempfile.gettempdir()) / "ting-bench-cache"))
    args = parser.parse_args()
    if args.isa:
        os.environ["CT2_FORCE_CPU_ISA"] = args.isa
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
    path, reference, seconds = recording(args.rounds, home, tuple(args.pause))
    recognizer.prime()
    # what "on" means: meeting chunks decoded and compared as a short file is
    asr.MEETING_DECODING = asr.FILE_DECODING
    asr.COMPARED_AUDIO_S = args.window
    assert chooser.available, "the built-in model's weights are needed"
    print(f"recording: {seconds:.1f} s, {len(reference)} characters of reference text")
    print("| run | comparison | wall time | RTF | CER | load before |")
    print("|---|---|---|---|---|---|")
    for run in range(args.runs):
        for compare in (False, True):
            recognizer.chooser = chooser if compare else None
            load = os.getloadavg()[0]
            text, spent = transcribe(recognizer, path, home, f"r{run}-{compare}")
            edits, chars = character_errors(reference, text)
            print(
                f"| {run + 1} | {'on' if compare else 'off'} | {spent:.1f} s | "
                f"{spent / seconds:.3f} | {100 * edits / chars:.1f}% ({edits}/{chars}) | "
                f"{load:.1f} |",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
