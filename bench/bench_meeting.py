"""Meeting-notes benchmark: the whole pipeline on a ≥10-minute meeting, side by side
with plain faster-whisper ``transcribe`` on the same file; real-time factor and peak RSS.

    nice python bench/bench_meeting.py [--minutes 10] [--rounds 2] [--out bench/results_meeting.md]

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
from dataclasses import dataclass
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
    parser.add_argument("--rounds", type=int, default=2, help="runs of ting and the baseline")
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

    from assistant.config import save_setting

    base_env = dict(os.environ)
    for key in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "TING_MODEL", "TING_HOME"):
        base_env.pop(key, None)

    ting_command = [
        sys.executable,
        "-m",
        "assistant",
        "meeting",
        "notes",
        str(audio),
        "--json",
        "--language",
        "en",
    ]
    contenders = {
        TING: ting_command,
        PLAIN_DEFAULTS: [sys.executable, "-c", PLAIN, str(model_dir), str(audio), "plain"],
        PLAIN_VAD: [sys.executable, "-c", PLAIN, str(model_dir), str(audio), "vad"],
    }
    # the machine is shared: ting and the plain baseline alternate, each `--rounds` times,
    # so both see the same mix of other work; faster-whisper's own VAD runs once, last
    order = [name for _ in range(args.rounds) for name in (TING, PLAIN_DEFAULTS)] + [PLAIN_VAD]
    runs: list[Run] = []
    for name in order:
        if name == TING:
            home = work / f"home-{len(runs)}"  # a fresh data folder: nothing to resume
            home.mkdir()
            save_setting("asr_model", str(model_dir), home / "config.toml")
            env = dict(base_env, TING_HOME=str(home))
        else:
            env = base_env
        load_before = os.getloadavg()[0]
        wall, cpu, rss, out, code = run_measured(contenders[name], env)
        assert code == 0, out[-2000:]
        if name == TING:
            result = [json.loads(x) for x in out.splitlines() if x.strip()][-1]
            heard = " ".join(t["text"] for t in result["payload"]["notes"]["transcript"])
        else:
            heard = json.loads(out.splitlines()[-1])["text"]
        run = Run(name, wall, cpu, rss, word_recall(expected, heard), load_before)
        runs.append(run)
        print(run, flush=True)
    end_load = os.getloadavg()
    args.out.write_text(report(runs, duration, args, end_load), encoding="utf-8")
    print(args.out.read_text(encoding="utf-8"))


TING = "ting meeting notes (whole pipeline)"
PLAIN_DEFAULTS = "faster-whisper transcribe, defaults"
PLAIN_VAD = "faster-whisper transcribe, vad_filter=True"


@dataclass(frozen=True)
class Run:
    name: str
    wall: float
    cpu: float
    rss: int
    recall: float
    load_before: float


def report(runs: list[Run], duration: float, args: argparse.Namespace, end_load) -> str:
    def best(name: str) -> Run:
        return min((r for r in runs if r.name == name), key=lambda r: r.wall)

    lines = [
        "# Meeting notes benchmark",
        "",
        f"`nice python bench/bench_meeting.py --minutes {args.minutes:g} --rounds "
        f"{args.rounds}` on {platform.machine()}, {os.cpu_count()} CPU cores shared with "
        f"other work, Whisper `base` int8, 2 threads. The meeting: {duration / 60:.1f} min "
        "of asterisk prompts (human speech) with 1.5–2.5 s pauses, 16 kHz mono WAV.",
        "",
        "Best run of each (lowest wall time):",
        "",
        "| contender | wall time | RTF (wall) | CPU time | RTF (CPU / 2 cores) | peak RSS "
        "| word recall |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name in (TING, PLAIN_DEFAULTS, PLAIN_VAD):
        r = best(name)
        lines.append(
            f"| {name} | {r.wall:.1f} s | {r.wall / duration:.3f}× | {r.cpu:.1f} s "
            f"| {r.cpu / 2 / duration:.3f}× | {r.rss} MiB | {r.recall:.1%} |"
        )
    lines += [
        "",
        "Every run, in the order they ran (load average = 1-minute `uptime` load just "
        "before the run; 2.0 means the two cores were already busy with other work):",
        "",
        "| # | contender | load before | wall time | RTF (wall) | CPU time | peak RSS |",
        "|---:|---|---:|---:|---:|---:|---:|",
    ]
    for i, r in enumerate(runs, 1):
        lines.append(
            f"| {i} | {r.name} | {r.load_before:.1f} | {r.wall:.1f} s "
            f"| {r.wall / duration:.3f}× | {r.cpu:.1f} s | {r.rss} MiB |"
        )
    lines += [
        "",
        f"`uptime` load average at the end: {end_load[0]:.2f}, {end_load[1]:.2f}, "
        f"{end_load[2]:.2f}.",
        "",
        "Wall time includes process start and model load for every contender. Real-time "
        "factor = time / audio duration (lower is faster). CPU time / 2 cores is what the "
        "run would take if it kept both cores busy.",
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
