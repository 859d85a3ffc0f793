"""Key release → text latency, Ting's live decoding against plain faster-whisper.

Each asterisk prompt (human speech, with its known words) is played in real time into
the PulseAudio null sink and captured through ``MicrophoneStream`` — the app's own
capture path. The "key" goes down before the clip starts and comes up after it ends
plus ``--release-after`` seconds of silence (people let go a moment after they stop).
Every clip is played twice, once for each live mode below.

Compared, on the same clips:

* **ting live, partial text** — ``LiveTranscription`` as ``ting listen`` runs it: a
  partial transcript every second of speech (fewer on a slow CPU; on a decode worker
  of its own), a draft as soon as the speaker pauses, the tail on release; latency
  from release to the final text;
* **ting live, no partial text** — the same without partials (what a caller that shows
  no partial text gets: decoding only at pauses);
* **ting after release** — ``SpeechRecognizer.transcribe`` on the whole captured
  utterance after release (trimmed encoder window, VAD gate, greedy), no incremental
  work;
* **plain faster-whisper** (the baseline) — ``WhisperModel(...).transcribe(audio)``
  with its defaults (30 s window, beam 5, language detection), int8 on CPU, the same
  model files, on the whole captured utterance after release. It runs in a child
  process (its own peak RSS) that imports nothing of Ting's, twice: with libgomp's
  default wait policy (its threads spin while waiting) and with
  ``OMP_WAIT_POLICY=PASSIVE``, which Ting sets (``voice/__init__.py``).

``--busy N`` runs N processes that each keep a core busy (a Python loop) beside the
bench, for figures on a machine that is doing other work too; with ``--busy 2`` both
cores of a 2-core machine are contended.

Needs a PulseAudio server with the null sink (``source voice/testing_audio.sh``).
Usage: python bench/bench_voice.py [--clips 24] [--busy N] [--out bench/results_voice.md]
"""

from __future__ import annotations

import argparse
import atexit
import gzip
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import wave
from pathlib import Path

from assistant.textmatch import word_error_rate

ROOT = Path(__file__).resolve().parent.parent

SOUNDS = Path("/usr/share/asterisk/sounds/en")
TRANSCRIPTS = Path("/usr/share/doc/asterisk-core-sounds-en/core-sounds-en.txt.gz")
SR = 16_000


def pick_clips(count: int) -> list[tuple[Path, str, float]]:
    """``count`` prompts between 1 and 8 s, spread evenly over the sorted list."""
    found = []
    with gzip.open(TRANSCRIPTS, "rt", encoding="utf-8", errors="replace") as fh:
        for line in fh:
            if line.startswith(";") or ":" not in line:
                continue
            name, text = (p.strip() for p in line.split(":", 1))
            path = SOUNDS / f"{name}.wav"
            if not text or text.startswith("[") or "/" in name or not path.exists():
                continue
            with wave.open(str(path)) as w:
                seconds = w.getnframes() / w.getframerate()
            if 1.0 <= seconds <= 8.0:
                found.append((path, text, seconds))
    found.sort(key=lambda c: c[0].name)
    step = max(1, len(found) // count)
    return found[::step][:count]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "CPU model unknown"


def busy_note(busy: int) -> str:
    if not busy:
        return ""
    return f", and {busy} process{'es' if busy > 1 else ''} spinning beside the bench (--busy)"


def stop_spinners(spinners: list[subprocess.Popen]) -> None:
    for spinner in spinners:
        spinner.kill()
        spinner.wait()


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# -- the baseline, in a child process ------------------------------------------------


def plain_worker(model_dir: str) -> int:
    """Child: plain faster-whisper. Reads .npy paths on stdin, answers one JSON line each."""
    import numpy as np
    from faster_whisper import WhisperModel

    model = WhisperModel(model_dir, device="cpu", compute_type="int8", cpu_threads=2)
    list(model.transcribe(np.zeros(SR, dtype=np.float32))[0])  # warm, like Ting's prime()
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        audio = np.load(line.strip())
        started = time.perf_counter()
        segments, _ = model.transcribe(audio)
        text = " ".join(s.text.strip() for s in segments)
        took = time.perf_counter() - started
        print(json.dumps({"s": took, "text": text, "rss": peak_rss_mib()}), flush=True)
    return 0


class PlainBaseline:
    def __init__(self, model_dir: Path, wait_policy: str | None) -> None:
        env = dict(os.environ)
        env.pop("OMP_WAIT_POLICY", None)
        if wait_policy:
            env["OMP_WAIT_POLICY"] = wait_policy
        self.proc = subprocess.Popen(
            [sys.executable, __file__, "--plain-worker", str(model_dir)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        assert json.loads(self._line())["ready"]
        self.rss = 0.0

    def _line(self) -> str:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("the plain faster-whisper worker died")
        return line

    def transcribe(self, npy: Path) -> tuple[float, str]:
        assert self.proc.stdin is not None
        self.proc.stdin.write(f"{npy}\n")
        self.proc.stdin.flush()
        answer = json.loads(self._line())
        self.rss = max(self.rss, answer["rss"])
        return answer["s"], answer["text"]

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=60)


# -- the run -------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clips", type=int, default=24)
    parser.add_argument("--release-after", type=float, default=0.3)
    parser.add_argument("--sink", default=os.environ.get("TING_TEST_SINK", "ting_test_sink"))
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--busy", type=int, default=0, help="processes spinning beside it")
    parser.add_argument("--plain-worker", metavar="MODEL_DIR", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.plain_worker:
        return plain_worker(args.plain_worker)

    sys.path.insert(0, str(ROOT))
    import numpy as np

    from voice.asr import LIVE_DECODING, SpeechRecognizer
    from voice.capture import MicrophoneStream
    from voice.model_files import prepare_bundled_model
    from voice.streaming import LiveTranscription

    spinners = [
        subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(args.busy)
    ]
    atexit.register(stop_spinners, spinners)  # also when the run fails or is interrupted
    load_start = os.getloadavg()
    scratch = Path(tempfile.mkdtemp(prefix="ting-bench-voice-"))
    model_dir = prepare_bundled_model(scratch)
    recognizer = SpeechRecognizer("base", cache_dir=scratch)
    recognizer.warm()
    recognizer.wait_warm()
    clips = pick_clips(args.clips)
    silence = scratch / "release-gap.wav"
    with wave.open(str(silence), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(SR)
        w.writeframes(b"\0\0" * int(args.release_after * SR))
    baselines = {
        "plain_spin": PlainBaseline(model_dir, None),
        "plain": PlainBaseline(model_dir, "PASSIVE"),
    }

    def say_and_release(stream: MicrophoneStream, live: LiveTranscription, clip: Path) -> dict:
        live.start()
        subprocess.run(["paplay", f"--device={args.sink}", str(clip)], check=True)
        subprocess.run(["paplay", f"--device={args.sink}", str(silence)], check=True)
        end = stream.position
        released = time.perf_counter()
        final = live.stop(end)
        latency = time.perf_counter() - released
        assert live.transcriber is not None
        return {
            "s": latency,
            "text": final.text,
            "reused": live.transcriber.reused_draft,
            "waited": live.release_wait_s,
            "decodes": live.transcriber.decodes,
            "audio": stream.read(live.begin or 0, end),
        }

    rows, loads = [], []
    with MicrophoneStream("") as stream:
        stream.wait_for(SR, timeout=30)  # the stream has been open a while, as in the app
        for n, (path, text, seconds) in enumerate(clips):
            partials: list[str] = []
            live_p = say_and_release(
                stream,
                LiveTranscription(recognizer, stream, language="auto", on_partial=partials.append),
                path,
            )
            live_n = say_and_release(stream, LiveTranscription(recognizer, stream), path)
            utterance = live_n["audio"]
            started = time.perf_counter()
            after = recognizer.transcribe(utterance, "auto", profile=LIVE_DECODING)
            after_s = time.perf_counter() - started
            npy = scratch / f"clip{n}.npy"
            np.save(npy, utterance)
            row = {
                "name": path.stem,
                "text": text,
                "seconds": utterance.size / SR,
                "live_p": live_p,
                "live_n": live_n,
                "partials": len(partials),
                "after": {"s": after_s, "text": after.text},
            }
            for key, baseline in baselines.items():
                took, heard = baseline.transcribe(npy)
                row[key] = {"s": took, "text": heard}
            rows.append(row)
            loads.append(os.getloadavg()[0])
            print(
                f"{path.stem:28s} {seconds:4.1f}s  live+partials {live_p['s'] * 1000:5.0f} ms"
                f" ({row['partials']} partials, {live_p['decodes']} decodes)"
                f"  live {live_n['s'] * 1000:5.0f} ms (reused={live_n['reused']})"
                f"  after {after_s * 1000:5.0f}  plain {row['plain']['s'] * 1000:5.0f}"
                f"  plain-spin {row['plain_spin']['s'] * 1000:5.0f}  load {loads[-1]:.1f}"
                f"  | {live_p['text']}"
                + (
                    f"  | no partials: {live_n['text']}" if live_n["text"] != live_p["text"] else ""
                ),
                flush=True,
            )
    rss = {"ting": peak_rss_mib(), **{k: b.rss for k, b in baselines.items()}}
    stop_spinners(spinners)
    for baseline in baselines.values():
        baseline.close()

    shutil.rmtree(scratch, ignore_errors=True)  # the joined model copy and the clips
    table = render(rows, args, rss, load_start, loads)
    print(table)
    if args.out:
        args.out.write_text(table, encoding="utf-8")
    return 0


def render(
    rows: list[dict],
    args: argparse.Namespace,
    rss: dict[str, float],
    load_start: tuple[float, float, float],
    loads: list[float],
) -> str:
    audio_s = sum(r["seconds"] for r in rows)

    def line(label: str, key: str) -> str:
        lat = [r[key]["s"] * 1000 for r in rows]
        err = statistics.mean(word_error_rate(r["text"], r[key]["text"]) for r in rows)
        rtf = sum(r[key]["s"] for r in rows) / audio_s
        return (
            f"| {label} | {percentile(lat, 0.5):.0f} | {percentile(lat, 0.95):.0f} | "
            f"{max(lat):.0f} | {err:.1%} | {rtf:.3f} |"
        )

    def reuse(key: str) -> str:
        reused = sum(1 for r in rows if r[key]["reused"])
        waited = [r[key]["waited"] * 1000 for r in rows]
        return (
            f"draft reused on release for {reused} of {len(rows)} clips; waiting for a "
            f"decode still running at release p50 {percentile(waited, 0.5):.0f} ms, "
            f"max {max(waited):.0f} ms (included above)"
        )

    load_end = os.getloadavg()
    return "\n".join(
        [
            "# Voice: key release → text",
            "",
            f"{len(rows)} asterisk prompts (human speech, 1–8 s, {audio_s:.0f} s of captured "
            "audio in all) played in real time into the PulseAudio null sink and captured "
            "through `MicrophoneStream`; key down before each clip, up "
            f"{args.release_after:.1f} s after it ends. Latency is from key release to the "
            "final text. WER against the prompts' published words. RTF: time after release "
            "÷ audio time. Run: `python bench/bench_voice.py --out bench/results_voice.md` "
            "(with `source voice/testing_audio.sh` first).",
            "",
            "| method | p50 ms | p95 ms | max ms | mean WER | RTF |",
            "|---|---|---|---|---|---|",
            line("**ting live, partial text every 1 s** (as `ting listen`)", "live_p"),
            line("ting live, no partial text (decode at pauses)", "live_n"),
            line("ting, whole utterance after release (trimmed window, greedy)", "after"),
            line(
                "plain faster-whisper `transcribe` after release (baseline), "
                "`OMP_WAIT_POLICY=PASSIVE`",
                "plain",
            ),
            line("plain faster-whisper, libgomp default wait policy (spinning)", "plain_spin"),
            "",
            f"* Live with partials: {reuse('live_p')}. Partial texts per clip: mean "
            f"{statistics.mean(r['partials'] for r in rows):.1f}; Whisper calls per clip: "
            f"mean {statistics.mean(r['live_p']['decodes'] for r in rows):.1f}.",
            f"* Live without partials: {reuse('live_n')}.",
            f"* Peak RSS: {rss['ting']:.0f} MiB for the Ting process (recognizer, capture, "
            f"VAD); {rss['plain']:.0f} MiB and {rss['plain_spin']:.0f} MiB for the plain "
            "faster-whisper worker processes.",
            f"* Machine: {platform.machine()} ({cpu_model()}), {os.cpu_count()} cores shared "
            f"with other work{busy_note(args.busy)}. Load average (1 min) at the start "
            f"{load_start[0]:.1f}, during the run min {min(loads):.1f} / median "
            f"{statistics.median(loads):.1f} / max {max(loads):.1f}, at the end {load_end[0]:.1f} / {load_end[1]:.1f} / "
            f"{load_end[2]:.1f} (1/5/15 min). Whisper base, int8 (Ting's live decodes on 1 CPU "
            "thread, plain faster-whisper on 2), CTranslate2 "
            + __import__("ctranslate2").__version__
            + ", faster-whisper "
            + __import__("faster_whisper").__version__
            + ".",
            "",
        ]
    )


if __name__ == "__main__":
    sys.exit(main())
