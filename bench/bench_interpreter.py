"""Interpreter benchmark: source and translation lag at real-time pace, side by side with a
baseline that re-transcribes fixed windows.

    flock /tmp/ting-bench.lock python bench/bench_interpreter.py [--clips 6]
        [--provider-delay 0.4] [--window 3] [--label "run 1"] [--out FILE]

Audio: Debian's asterisk prompts (real human English, 8 kHz), joined with 1.2 s pauses,
plus one eSpeak Mandarin sentence, replayed at real-time pace (``FileReplay``, the
same path as ``ting interpret --input FILE``). The provider is the scripted
OpenAI-compatible server on loopback, answering each sentence after
``--provider-delay`` seconds (a typical hosted model's time to first token), so the
provider's own time to first token is measured separately from Ting's lag.
``--local-model HOME``: the built-in model instead, through the server that
``bench/local_server.py start`` runs in that data folder.

* Ting: the real session (``build_session`` from the app: Silero segmenter, Whisper
  ``base`` per sentence decoded as its pause begins, partials on a second low-priority
  model, translation worker), lag = ``emitted_s - audio_end_s``.
* Baseline: every ``--window`` seconds of audio, transcribe that fixed window (language
  detected each time) and translate it inline before reading on; lag = emitted time
  minus the window's end. Words cut at window edges are what its text quality pays.
"""

from __future__ import annotations

import argparse
import difflib
import gzip
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

ASTERISK = Path("/usr/share/asterisk/sounds/en")
TRANSCRIPTS = Path("/usr/share/doc/asterisk-core-sounds-en/core-sounds-en.txt.gz")
CLIPS = [
    "conf-onlyperson",
    "conf-waitforleader",
    "vm-msgforwarded",
    "conf-placeintoconf",
    "agent-newlocation",
    "vm-newpassword",
    "conf-getconfno",
    "vm-mismatch",
]
SR = 16_000
PAUSE_S = 1.2


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+|[\u4e00-\u9fff]", text.lower())


def word_accuracy(heard: str, said: str) -> float:
    return difflib.SequenceMatcher(None, words(heard), words(said)).ratio()


def build_audio(count: int, folder: Path) -> tuple[Any, list[str], list[float]]:
    """The joined audio, what each sentence says, and where each clip ends (s)."""
    import numpy as np

    from voice.audio_files import read_audio_file

    said: dict[str, str] = {}
    with gzip.open(TRANSCRIPTS, "rt", encoding="utf-8", errors="replace") as fh:
        for line in fh:
            if ":" in line and not line.startswith(";"):
                name, text = (p.strip() for p in line.split(":", 1))
                said.setdefault(name, text)
    mandarin = folder / "zh.wav"
    subprocess.run(
        [
            "espeak-ng",
            "-v",
            "cmn-latn-pinyin",
            "-s",
            "110",
            "-w",
            str(mandarin),
            "你好，我是小明。",
        ],
        check=True,
    )
    pause = np.zeros(int(PAUSE_S * SR), dtype=np.float32)
    parts, texts, ends = [pause[: SR // 2]], [], []
    position = SR // 2
    names = CLIPS[:count]

    def add(clip: Any, text: str) -> None:
        nonlocal position
        parts.extend([clip, pause])
        texts.append(text)
        ends.append((position + clip.size) / SR)
        position += clip.size + pause.size

    for i, name in enumerate(names):
        add(read_audio_file(ASTERISK / f"{name}.wav"), said[name])
        if i == len(names) // 2:
            add(read_audio_file(mandarin), "你好，我是小明。")
    return np.concatenate(parts), texts, ends


class Provider:
    """The scripted server, answering every request after a fixed delay."""

    def __init__(self, delay_s: float) -> None:
        from scripted_provider import Reply, ScriptedProvider

        self.server = ScriptedProvider().start()

        def respond(body: dict) -> Reply:
            system = body["messages"][0]["content"]
            tag = "ZH" if "into Chinese" in system else "EN"
            text = f"{tag}<{body['messages'][-1]['content']}>"
            return Reply(text=text, delay_before_first_token=delay_s, chunk_size=8)

        self.server.responder = respond

    @property
    def env(self) -> dict[str, str]:
        return self.server.env

    def client(self) -> Any:
        from assistant.llm import LLMClient, RetryPolicy

        return LLMClient(
            base_url=self.server.base_url,
            api_key=self.server.api_key,
            model=self.server.model,
            retry=RetryPolicy(attempts=1),
        )

    def stop(self) -> None:
        self.server.stop()


class LocalModel:
    """The built-in model's shared server, started beforehand by ``bench/local_server.py
    start`` in ``shared_home``: this run's data folder borrows its models and run folders,
    so Ting (and the baseline) talk to that server as a user's app would."""

    def __init__(self, shared_home: Path, home: Path) -> None:
        for name in ("models", "run"):
            target = shared_home / name
            if not target.is_dir():
                raise SystemExit(f"{target} is missing: run `python bench/local_server.py start`")
            link = home / name
            if link.is_dir() and not link.is_symlink():
                shutil.rmtree(link)  # made empty by this run's set-up before the server's
            link.symlink_to(target)
        self.env = {"TING_PROVIDER": "local"}

    def client(self) -> Any:
        from assistant.config import load_settings
        from assistant.llm import client_from_settings

        return client_from_settings(load_settings(), None)

    def stop(self) -> None:
        pass


def run_ting(audio_path: Path, provider: Any) -> dict[str, Any]:
    from assistant.frontend.app import App
    from assistant.skill import CancelToken
    from skills.translation.interpreter.session_factory import build_session

    for key, value in provider.env.items():
        os.environ[key] = value
    app = App.from_environment()
    events: list[dict[str, Any]] = []
    lock = threading.Lock()

    def collect(event: Any) -> None:
        with lock:
            events.append(event.to_dict())

    session, finish = build_session(
        app,
        pair=("zh", "en"),
        input_file=str(audio_path),
        fast=False,
        speak=False,
        speak_to=None,
        device=None,
        drain_timeout_s=30,
        emit=collect,
    )
    started = time.monotonic()
    transcript = session.run(CancelToken())
    finish()
    wall = time.monotonic() - started
    translator = session.worker.translator if session.worker else None
    return {
        "events": events,
        "timings": session.timings,
        "texts": [s.text for s in transcript.sentences],
        "ttft": list(getattr(translator, "first_token_s", [])),
        "wall": wall,
    }


def run_baseline(audio: Any, window_s: float, provider: Any) -> dict[str, Any]:
    """Fixed windows, transcribed as each fills up, each translated inline."""
    from skills.translation.interpreter.audio_sources import BlockQueue, FileReplay
    from skills.translation.prompts import translation_messages
    from voice.asr import LIVE_DECODING, SpeechRecognizer

    recognizer = SpeechRecognizer("base", candidate_languages=("zh", "en"))
    recognizer.load()
    recognizer.prime()
    llm = provider.client()
    source = FileReplay(audio, fast=False)
    blocks = BlockQueue()
    window = int(window_s * SR)
    buffered: list[Any] = []
    size = 0
    position = 0
    windows: list[tuple[float, float, float]] = []  # (end, source shown, translation shown)
    texts: list[str] = []
    import numpy as np

    source.start(blocks)
    while True:
        block = blocks.get()
        final = block is None
        if block is not None:
            buffered.append(block.samples)
            size += block.samples.size
        if size >= window or (final and size):
            chunk = np.concatenate(buffered)
            piece, rest = chunk[:window], chunk[window:]
            buffered, size = [rest], rest.size
            position += piece.size
            end_s = position / SR
            heard = recognizer.transcribe(piece, "auto", profile=LIVE_DECODING)
            assert source.started_at is not None
            if heard.text:
                shown = time.monotonic() - source.started_at
                texts.append(heard.text)
                target = "zh" if heard.language == "en" else "en"
                llm.complete(translation_messages(heard.text, target))
                windows.append((end_s, shown, time.monotonic() - source.started_at))
        if final:
            break
    return {"windows": windows, "texts": texts}


def baseline_lags(windows: list[tuple[float, float, float]], sentence_ends: list[float]):
    """Per sentence: from its end in the audio to when the window holding that end was
    shown (source) and translated; the fair comparison with Ting's per-sentence lag."""
    source, translation = [], []
    for end in sentence_ends:
        window = next((w for w in windows if w[0] >= end - 0.05), None)
        if window is not None:
            source.append(window[1] - end)
            translation.append(window[2] - end)
    return source, translation


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clips", type=int, default=6)
    parser.add_argument("--provider-delay", type=float, default=0.4)
    parser.add_argument("--window", type=float, default=3.0)
    parser.add_argument("--label", default="")
    parser.add_argument(
        "--local-model",
        type=Path,
        default=None,
        metavar="HOME",
        help="translate with the built-in model's server running in this data folder "
        "(bench/local_server.py start) instead of the scripted one",
    )
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results_interpreter.md")
    args = parser.parse_args()
    load_before = os.getloadavg()

    home = Path(tempfile.mkdtemp(prefix="ting-bench-interp-"))
    os.environ["TING_HOME"] = str(home)
    from voice.model_files import prepare_bundled_model

    prepare_bundled_model(home / "models")  # the bundled model, as a user's first run does
    audio, said, sentence_ends = build_audio(args.clips, home)
    from fixtures_voice import write_wav

    audio_path = write_wav(home / "bench.wav", audio)
    duration = audio.size / SR
    provider = (
        LocalModel(args.local_model, home) if args.local_model else Provider(args.provider_delay)
    )

    ting = run_ting(audio_path, provider)
    events = ting["events"]
    sources = [e for e in events if e["type"] == "source"]
    translations = [e for e in events if e["type"] == "translation"]
    partials = [e for e in events if e["type"] == "partial"]
    source_lag = [e["emitted_s"] - e["audio_end_s"] for e in sources]
    translation_lag = [e["emitted_s"] - e["audio_end_s"] for e in translations]
    ting_accuracy = word_accuracy(" ".join(ting["texts"]), " ".join(said))

    baseline = run_baseline(audio, args.window, provider)
    baseline["source_lag"], baseline["translation_lag"] = baseline_lags(
        baseline["windows"], sentence_ends
    )
    window_lag = [w[1] - w[0] for w in baseline["windows"]]
    base_accuracy = word_accuracy(" ".join(baseline["texts"]), " ".join(said))
    provider.stop()

    load = os.getloadavg()
    rows = [
        ("source lag p50 (s)", percentile(source_lag, 50), percentile(baseline["source_lag"], 50)),
        ("source lag p95 (s)", percentile(source_lag, 95), percentile(baseline["source_lag"], 95)),
        ("source lag max (s)", max(source_lag), max(baseline["source_lag"])),
        (
            "translation lag p50 (s)",
            percentile(translation_lag, 50),
            percentile(baseline["translation_lag"], 50),
        ),
        (
            "translation lag p95 (s)",
            percentile(translation_lag, 95),
            percentile(baseline["translation_lag"], 95),
        ),
        ("lines shown", len(sources), len(baseline["texts"])),
        ("lag from the window's own end, p50 (s)", float("nan"), percentile(window_lag, 50)),
        ("word match with what was said", ting_accuracy, base_accuracy),
    ]
    ttft = ting["ttft"]
    provider_said = (
        "the built-in 1.5B model (its shared llama.cpp server on loopback, on the same 2 cores"
        " as Whisper)"
        if args.local_model
        else f"the scripted server on loopback answering after {args.provider_delay} s"
    )
    title = f"## {args.label}" if args.label else "# Interpreter: lag at real-time pace"
    lines = [
        title,
        "",
        f"Audio: {len(said)} sentences ({len(said) - 1} asterisk prompts, human English, and one"
        f" eSpeak Mandarin sentence) with {PAUSE_S} s pauses, {duration:.1f} s, replayed at"
        f" real-time pace. Provider: {provider_said}. Lag is measured from where the sentence (or window) ends"
        " in the audio to when the line holding it was emitted (for the baseline: the window"
        " that holds the sentence's end, so the wait for the window to fill counts).",
        "",
        f"| measure | Ting (VAD sentences + worker) | baseline ({args.window:g} s fixed windows, inline) |",
        "|---|---|---|",
    ]
    for name, ours, theirs in rows:
        fmt = "{:.0f}" if name == "lines shown" else "{:.2f}"
        shown = [("—" if value != value else fmt.format(value)) for value in (ours, theirs)]
        lines.append(f"| {name} | {shown[0]} | {shown[1]} |")
    lines += [
        "",
        f"Provider's own time to first token (client side, per request): p50 "
        f"{percentile(ttft, 50):.2f} s, p95 {percentile(ttft, 95):.2f} s ({len(ttft)} requests);"
        " it is part of the translation lag above.",
        f"Partial transcripts shown: {len(partials)} (on a second copy of the model at the"
        " lowest CPU priority, skipped while it is busy; one more per sentence when its pause"
        " begins).",
        "Targets: source p95 ≤ 2 s, translation p95 ≤ 3 s.",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} CPUs shared with other work (1-minute"
        f" load average {load_before[0]:.1f} at the start, {load[0]:.1f} at the end), Python"
        f" {platform.python_version()}, Whisper base int8 (CTranslate2), beam 1, 5 s minimum"
        " encoder window.",
        "",
        "| sentence | source lag (s) | translation lag (s) | Whisper (s) | decoded as the pause"
        " began |",
        "|---|---|---|---|---|",
    ]
    timings = [t for t in ting["timings"] if t["kept"]]
    for i, source in enumerate(sources):
        timing = timings[i] if i < len(timings) else {}
        translated = next(
            (e for e in translations if e.get("sentence") == source.get("sentence")), None
        )
        lines.append(
            f"| {source['text'][:40]} | {source_lag[i]:.2f} | "
            + (f"{translated['emitted_s'] - translated['audio_end_s']:.2f}" if translated else "—")
            + f" | {timing.get('asr_s', float('nan')):.2f} | "
            + ("yes" if timing.get("early") else "no")
            + " |"
        )
    lines.append("")
    text = "\n".join(lines)
    print(text)
    args.out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
