"""Fixtures for the voice tests: the real Whisper model (loaded once), real clips."""

from __future__ import annotations

import gzip
import wave
from pathlib import Path

import pytest

AUDIO_DATA = Path(__file__).resolve().parent / "data" / "audio"
ASTERISK_SOUNDS = Path("/usr/share/asterisk/sounds/en")
ASTERISK_TRANSCRIPTS = Path("/usr/share/doc/asterisk-core-sounds-en/core-sounds-en.txt.gz")


@pytest.fixture(scope="session")
def asterisk_clips() -> dict[str, tuple[Path, str]]:
    """name → (wav path, what the speaker says), from Debian's asterisk prompts."""
    if not ASTERISK_TRANSCRIPTS.exists() or not ASTERISK_SOUNDS.is_dir():
        pytest.fail(
            "the English test speech is missing: apt-get install asterisk-core-sounds-en-wav"
        )
    clips: dict[str, tuple[Path, str]] = {}
    with gzip.open(ASTERISK_TRANSCRIPTS, "rt", encoding="utf-8", errors="replace") as fh:
        for line in fh:
            if line.startswith(";") or ":" not in line:
                continue
            name, words = (part.strip() for part in line.split(":", 1))
            path = ASTERISK_SOUNDS / f"{name}.wav"
            if words and not words.startswith("[") and path.exists():
                clips[name] = (path, words)
    return clips


@pytest.fixture(scope="session")
def whisper_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A model cache for the whole run, holding the bundled model joined once."""
    from voice.model_files import prepare_bundled_model

    cache = tmp_path_factory.mktemp("model-cache")
    prepare_bundled_model(cache)
    return cache


@pytest.fixture(scope="session")
def whisper_model_dir(whisper_cache: Path) -> Path:
    from voice.model_files import BUNDLED_FOLDER

    return whisper_cache / BUNDLED_FOLDER


@pytest.fixture(scope="session")
def recognizer(whisper_cache: Path):
    """The real SpeechRecognizer over the bundled base model, loaded once per run."""
    from voice.asr import SpeechRecognizer

    engine = SpeechRecognizer("base", cache_dir=whisper_cache)
    engine.warm()
    engine.wait_warm()
    return engine


@pytest.fixture
def ting_uses_test_model(ting_home: Path, whisper_model_dir: Path) -> Path:
    """Point this test's TING_HOME at the session's model folder (the asr_model setting)."""
    from assistant.config import save_setting

    save_setting("asr_model", str(whisper_model_dir), ting_home / "config.toml")
    return whisper_model_dir


def write_wav(path: Path, samples, sample_rate: int = 16_000) -> Path:
    """Write float samples in [-1, 1] as 16-bit mono PCM."""
    import numpy as np

    pcm = (np.clip(np.asarray(samples, dtype=np.float32), -1, 1) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(sample_rate)
        out.writeframes(pcm.tobytes())
    return path


def _plucked_chords(sample_rate: int, seconds_per_chord: float = 1.0):
    """Guitar-like chords (Karplus–Strong strings): C, F, G, C."""
    import numpy as np

    rng = np.random.default_rng(7)
    chords = [(262, 330, 392), (349, 440, 523), (392, 494, 587), (262, 330, 392)]
    n = int(sample_rate * seconds_per_chord)
    out = []
    for chord in chords:
        mix = np.zeros(n, dtype=np.float32)
        for freq in chord:
            period = int(sample_rate / freq)
            buf = rng.uniform(-1, 1, period).astype(np.float32)
            string = np.empty(n, dtype=np.float32)
            for i in range(n):
                string[i] = buf[i % period]
                buf[i % period] = 0.996 * 0.5 * (buf[i % period] + buf[(i + 1) % period])
            mix += string
        out.append(mix / len(chord))
    return np.concatenate(out) * 0.6


@pytest.fixture(scope="session")
def non_speech_clips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Clips with no speech in them: silence, noise, hum and music (seeded, generated)."""
    import numpy as np

    sr = 16_000
    rng = np.random.default_rng(1234)
    folder = tmp_path_factory.mktemp("non-speech")
    white = rng.normal(0, 0.1, 3 * sr)
    pink = np.cumsum(rng.normal(0, 1, 3 * sr))
    pink = np.diff(pink, prepend=0) * 0.02 + np.convolve(
        rng.normal(0, 0.05, 3 * sr), np.ones(8) / 8, mode="same"
    )
    t = np.arange(3 * sr) / sr
    clips = {
        "silence": np.zeros(3 * sr),
        "white-noise": white,
        "pink-noise": pink,
        "hum-50hz": 0.2 * np.sin(2 * np.pi * 50 * t) + 0.1 * np.sin(2 * np.pi * 150 * t),
        "music": _plucked_chords(sr),
    }
    return {name: write_wav(folder / f"{name}.wav", data) for name, data in clips.items()}


@pytest.fixture(scope="session")
def pulse_sink() -> str:
    """The PulseAudio null sink whose monitor is the default source (voice/testing_audio.sh).

    Skips on a developer machine with no such server; fails in CI, where tests/run.sh
    starts one.
    """
    import os
    import shutil
    import subprocess

    sink = os.environ.get("TING_TEST_SINK", "ting_test_sink")
    if shutil.which("pactl"):
        probe = subprocess.run(
            ["pactl", "list", "short", "sinks"], capture_output=True, text=True, timeout=10
        )
        if probe.returncode == 0 and sink in probe.stdout:
            return sink
    from fixtures_core import require_service

    require_service("TING_TEST_PULSEAUDIO", "PulseAudio with the ting_test_sink null sink")
    pytest.fail("TING_TEST_PULSEAUDIO is set but pactl finds no ting_test_sink")


def play_into_sink(sink: str, path: Path):
    """Start playing ``path`` into the null sink; returns the running paplay process."""
    import subprocess

    return subprocess.Popen(["paplay", f"--device={sink}", str(path)])
