"""Reading a long audio file: Ting's reader against faster-whisper's ``decode_audio``.

Ting decodes files itself (``voice.audio_files.read_audio``: damaged packets left silent,
NaN samples made silence, how much was damaged counted), where faster-whisper's
``decode_audio`` would stop at the first damaged packet. Both give 16 kHz mono samples;
this bench makes one long recording per format from the Mandarin clips (ffmpeg), reads it
with each, alternately, and reports the median time, the ratio and whether the samples
are identical.

Usage: python bench/bench_audio_decode.py [--minutes 60] [--runs 3] [--formats mp3 flac]
       [--out bench/results_audio.md]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

CLIPS = HERE.parent / "tests" / "data" / "audio" / "zh"
# as a phone or a recorder would write them: 44.1 kHz stereo
ENCODINGS = {
    "mp3": ["-c:a", "libmp3lame", "-q:a", "4"],
    "m4a": ["-c:a", "aac", "-b:a", "128k"],
    "ogg": ["-c:a", "libopus", "-b:a", "64k"],
    "flac": ["-c:a", "flac"],
    "wav": ["-c:a", "pcm_s16le"],
}


def long_recording(folder: Path, minutes: float, fmt: str) -> Path:
    """The clips joined over and over to ``minutes``, 44.1 kHz stereo, in ``fmt``."""
    clips = sorted(CLIPS.glob("*.flac"))
    listing = folder / "clips.txt"
    one_round = folder / "round.wav"
    if not one_round.exists():
        listing.write_text("".join(f"file '{c}'\n" for c in clips), encoding="utf-8")
        subprocess.run(
            ["ffmpeg", "-loglevel", "error", "-y", "-f", "concat", "-safe", "0"]
            + ["-i", str(listing), "-ar", "44100", "-ac", "2", str(one_round)],
            check=True,
        )
    out = folder / f"long.{fmt}"
    subprocess.run(
        ["ffmpeg", "-loglevel", "error", "-y", "-stream_loop", "-1", "-i", str(one_round)]
        + ["-t", str(minutes * 60), *ENCODINGS[fmt], str(out)],
        check=True,
    )
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=60.0)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--formats", nargs="*", default=["mp3", "m4a", "flac"])
    parser.add_argument("--out", type=Path, help="append the table to this Markdown file")
    args = parser.parse_args()

    import numpy as np
    from faster_whisper.audio import decode_audio

    from voice.audio_files import read_audio

    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-decode-") as scratch:
        for fmt in args.formats:
            path = long_recording(Path(scratch), args.minutes, fmt)
            times: dict[str, list[float]] = {"ting": [], "plain": []}
            same = True
            for _ in range(args.runs):
                for name in ("plain", "ting"):  # alternately, so load drifts hit both
                    started = time.perf_counter()
                    if name == "ting":
                        ours = read_audio(path)
                        samples = ours.samples
                    else:
                        samples = plain = decode_audio(str(path))
                    times[name].append(time.perf_counter() - started)
                    del samples
                same = same and np.array_equal(ours.samples, plain) and ours.damaged_s == 0
                del ours, plain
            ting, plain = statistics.median(times["ting"]), statistics.median(times["plain"])
            rows.append((fmt, path.stat().st_size, ting, plain, same, times))
            print(
                f"{fmt}: ting {ting:.2f} s, decode_audio {plain:.2f} s, ratio {ting / plain:.2f}, "
                f"identical {same}",
                flush=True,
            )
    lines = [
        f"{args.minutes:g} min of the Mandarin clips looped, 44.1 kHz stereo; median of "
        f"{args.runs} runs each, alternating; {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.1f} at the end.",
        "",
        "| format | size | ting `read_audio` | faster-whisper `decode_audio` (baseline) "
        "| ratio | same samples |",
        "|---|---|---|---|---|---|",
    ]
    for fmt, size, ting, plain, same, _times in rows:
        lines.append(
            f"| {fmt} | {size / 1e6:.0f} MB | {ting:.2f} s | {plain:.2f} s | "
            f"{ting / plain:.2f} | {'yes' if same else 'NO'} |"
        )
    table = "\n".join(lines)
    print(table)
    if args.out:
        with args.out.open("a", encoding="utf-8") as fh:
            fh.write("\n" + table + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
