"""Meeting-notes benchmark: the whole pipeline on a ≥10-minute meeting, side by side
with plain faster-whisper ``transcribe`` on the same file; real-time factor and peak RSS.

    nice python bench/bench_meeting.py [--minutes 10] [--out bench/results_meeting.md]

The meeting is assembled at run time from Debian's asterisk prompts (a human speaker,
known words; see tests/data/meeting/build_meeting.py) with pauses of 1.5–2.5 s, as a
16 kHz mono WAV in a temp folder. Each contender runs in its own process so that its
peak RSS (``wait4``'s ``ru_maxrss``) is its own; the model files are the bundled
``base`` (int8, 2 CPU threads) for all of them:

* ``ting meeting notes FILE --json`` (fresh data folder: plan + transcription + offline
  notes + storing, model load included);
* plain ``WhisperModel.transcribe(FILE)`` with faster-whisper's defaults (beam 5, no
  VAD), the baseline the issue names;
* the same with ``vad_filter=True`` (faster-whisper's own Silero gating).

Word recall is the share of the prompts' words found in the output.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "data" / "meeting"))

from build_meeting import RATE, _read_clip, asterisk_texts, build_meeting, word_recall  # noqa: E402

PLAIN = """
import json, sys, time
from faster_whisper import WhisperModel
started = time.monotonic()
model = WhisperModel(sys.argv[1], device="cpu", compute_type="int8", cpu_threads=2,
                     local_files_only=True)
segments, info = model.transcribe(sys.argv[2], vad_filter=sys.argv[3] == "vad")
text = " ".join(s.text.strip() for s in segments)
print(json.dumps({"text": text, "language": info.language,
                  "seconds": time.monotonic() - started}))
"""


def build_long_meeting(path: Path, minutes: float) -> tuple[str, float]:
    texts = asterisk_texts()
    sounds = Path("/usr/share/asterisk/sounds/en")
    names = sorted(
        n
        for n, t in texts.items()
        if len(t) > 40 and not t.startswith(("[", ".")) and (sounds / f"{n}.wav").exists()
    )
    clips, said, seconds = [], [], 0.0
    while seconds < minutes * 60:
        for name in names:
            clip = _read_clip(sounds / f"{name}.wav")
            clips.append(clip)
            said.append(texts[name])
            seconds += len(clip) / RATE + 2.0
            if seconds >= minutes * 60:
                break
    spoken = build_meeting(path, clips, said, gap_s=1.5)
    return " ".join(s.text for s in spoken), spoken[-1].end + 1.0


def run_measured(command: list[str], env: dict[str, str]) -> tuple[float, float, int, str, int]:
    """(wall s, CPU s, peak RSS in MiB, stdout, exit code) of one child process."""
    started = time.monotonic()
    with tempfile.TemporaryFile("w+") as out:
        proc = subprocess.Popen(command, stdout=out, stderr=subprocess.DEVNULL, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.monotonic() - started
        out.seek(0)
        text = out.read()
    cpu = usage.ru_utime + usage.ru_stime
    return wall, cpu, usage.ru_maxrss // 1024, text, os.waitstatus_to_exitcode(status)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results_meeting.md")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="ting-bench-meeting-"))
    audio = work / "meeting.wav"
    expected, duration = build_long_meeting(audio, args.minutes)
    print(f"meeting: {duration / 60:.1f} min in {audio}", flush=True)

    from voice.model_files import BUNDLED_FOLDER, prepare_bundled_model

    cache = Path(os.environ.get("TING_BENCH_MODEL_CACHE", work / "models"))
    prepare_bundled_model(cache)
    model_dir = cache / BUNDLED_FOLDER

    home = work / "home"
    home.mkdir()
    from assistant.config import save_setting

    save_setting("asr_model", str(model_dir), home / "config.toml")
    env = dict(os.environ, TING_HOME=str(home))
    for key in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "TING_MODEL"):
        env.pop(key, None)

    rows = []
    wall, cpu, rss, out, code = run_measured(
        [
            sys.executable,
            "-m",
            "assistant",
            "meeting",
            "notes",
            str(audio),
            "--json",
            "--language",
            "en",
        ],
        env,
    )
    assert code == 0, out[-2000:]
    result = [json.loads(x) for x in out.splitlines() if x.strip()][-1]
    heard = " ".join(t["text"] for t in result["payload"]["notes"]["transcript"])
    recall = word_recall(expected, heard)
    rows.append(("ting meeting notes (whole pipeline)", wall, cpu, rss, recall))
    print(rows[-1], flush=True)
    for label, mode in (
        ("faster-whisper transcribe, defaults", "plain"),
        ("faster-whisper transcribe, vad_filter=True", "vad"),
    ):
        wall, cpu, rss, out, code = run_measured(
            [sys.executable, "-c", PLAIN, str(model_dir), str(audio), mode], env
        )
        assert code == 0, out[-2000:]
        heard = json.loads(out.splitlines()[-1])["text"]
        rows.append((label, wall, cpu, rss, word_recall(expected, heard)))
        print(rows[-1], flush=True)

    load = os.getloadavg()
    lines = [
        "# Meeting notes benchmark",
        "",
        f"`nice python bench/bench_meeting.py --minutes {args.minutes:g}` on "
        f"{platform.machine()}, {os.cpu_count()} CPU cores (shared with other work: load "
        f"average {load[0]:.1f} at the end), Whisper `base` int8, 2 threads. The meeting: "
        f"{duration / 60:.1f} min of asterisk prompts (human speech) with 1.5–2.5 s pauses, "
        "16 kHz mono WAV.",
        "",
        "| contender | wall time | RTF (wall) | CPU time | RTF (CPU / 2 cores) | peak RSS "
        "| word recall |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for label, wall, cpu, rss, recall in rows:
        lines.append(
            f"| {label} | {wall:.1f} s | {wall / duration:.3f}× | {cpu:.1f} s "
            f"| {cpu / 2 / duration:.3f}× | {rss} MiB | {recall:.1%} |"
        )
    lines += [
        "",
        "Wall time includes process start and model load for every contender. Real-time "
        "factor = time / audio duration (lower is faster). The machine is shared, so wall "
        "time depends on the other work running; CPU time / 2 cores is what the run would "
        "take on two idle cores.",
    ]
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
