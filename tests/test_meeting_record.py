"""`ting meeting record` against a real PulseAudio server (a null sink whose monitor is
the default source: what paplay plays into the sink is what the recorder hears)."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import wave
from pathlib import Path

import numpy as np
import pytest
from fixtures_core import ROOT, TING, require_service

pytestmark = pytest.mark.audio

CLIP = Path("/usr/share/asterisk/sounds/en/demo-thanks.wav")  # "Goodbye. Thank you for trying…"


@pytest.fixture(autouse=True)
def _pulseaudio():
    require_service("TING_TEST_PULSEAUDIO", "PulseAudio with a null sink")


class Recorder:
    def __init__(self, ting_home: Path, *args: str) -> None:
        env = dict(os.environ, TING_HOME=str(ting_home))
        self.proc = subprocess.Popen(
            [*TING, "meeting", "record", "--json", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=str(ROOT),
        )
        self.events: list[dict] = []

    def wait_for(self, stage: str, at_least: float = 0.0) -> dict:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            event = json.loads(line)
            self.events.append(event)
            if event["stage"] == stage and event.get("recorded", 0.0) >= at_least:
                return event
        raise AssertionError(f"no {stage} event; stderr: {self.proc.stderr.read()}")

    def signal(self, sig: int) -> None:
        self.proc.send_signal(sig)


def _play(path: Path) -> None:
    subprocess.run(["paplay", str(path)], check=True, timeout=60)


def _tone(path: Path, volume: float = 0.5) -> Path:
    subprocess.run(
        [
            "sox",
            "-n",
            "-r",
            "16000",
            "-c",
            "1",
            "-b",
            "16",
            str(path),
            "synth",
            "1.5",
            "sine",
            "1000",
            "vol",
            str(volume),
        ],
        check=True,
    )
    return path


def _read_wav(path: Path) -> tuple[np.ndarray, int]:
    with wave.open(str(path)) as w:
        assert w.getframerate() == 16000 and w.getsampwidth() == 2
        frames = w.readframes(w.getnframes())
        channels = w.getnchannels()
    return np.frombuffer(frames, "<i2").reshape(-1, channels) / 32768.0, channels


def test_record_pause_resume_and_stop(tmp_path, ting_home):
    tone = _tone(tmp_path / "tone.wav")
    recorder = Recorder(ting_home, "--title", "Standup", "--no-notes")
    started = recorder.wait_for("recording")
    assert started["channels"] == ["Me", "Them"]
    _play(CLIP)
    recorder.signal(signal.SIGUSR1)
    recorder.wait_for("paused")
    _play(tone)  # heard while paused: must not be in the file
    # silence while still paused, so the tone's tail still in the capture path (its
    # buffers lag more on a busy machine) arrives before the resume
    _play(_tone(tmp_path / "silence.wav", volume=0.0))
    recorder.signal(signal.SIGUSR1)
    recorder.wait_for("resumed")
    recorder.signal(signal.SIGINT)
    stopped = recorder.wait_for("stopped")
    assert recorder.proc.wait(timeout=30) == 0

    path = Path(stopped["path"])
    audio, channels = _read_wav(path)
    assert channels == 2
    assert path.stat().st_size == 44 + audio.shape[0] * 4  # the header is final
    assert audio.shape[0] == round(stopped["recorded"] * 16000)
    window = 8000  # 0.5 s
    rms = [
        np.sqrt(np.mean(audio[i : i + window] ** 2, axis=0)) for i in range(0, len(audio), window)
    ]
    assert max(r[0] for r in rms) > 0.02 and max(r[1] for r in rms) > 0.02  # speech on both
    for i in range(0, len(audio) - window, window):
        spectrum = np.abs(np.fft.rfft(audio[i : i + window, 0]))
        tone_share = spectrum[990 // 2 : 1010 // 2 + 1].sum() ** 2 / max(1e-12, (spectrum**2).sum())
        assert tone_share < 0.5, (
            f"the 1 kHz tone played while paused is in the file at {i / 16000} s"
        )

    conn = sqlite3.connect(ting_home / "ting.db")
    row = conn.execute(
        "select title, status, channels, duration from meeting_recordings"
    ).fetchone()
    assert row == ("Standup", "stopped", '["Me", "Them"]', stopped["recorded"])


@pytest.mark.slow
def test_killed_recorder_keeps_its_audio_and_ask_makes_notes(ting_home, ting_uses_test_model, ting):
    recorder = Recorder(ting_home, "--no-notes")
    recorder.wait_for("recording")
    _play(CLIP)
    last = recorder.wait_for("recording", at_least=recorder.events[-1].get("recorded", 0) + 1.0)
    recorder.signal(signal.SIGKILL)
    recorder.proc.wait(timeout=30)
    path = Path(recorder.events[0]["path"])
    kept = (path.stat().st_size - 44) / 4 / 16000
    assert kept >= last["recorded"]  # everything written before the kill is on disk

    ran = ting("ask", "整理一下刚才的会议", "--json", timeout=240)
    assert ran.code == 0, ran.err
    result = [e for e in ran.json_lines() if e["type"] == "result"][-1]
    assert result["payload"]["kind"] == "recording"
    heard = " ".join(t["text"] for t in result["payload"]["notes"]["transcript"]).lower()
    assert "thank you for trying" in heard or "asterisk" in heard, heard
    conn = sqlite3.connect(ting_home / "ting.db")
    status, duration = conn.execute("select status, duration from meeting_recordings").fetchone()
    assert status == "interrupted" and duration == pytest.approx(kept, abs=0.01)
    with wave.open(str(path)) as w:  # the header was repaired
        assert w.getnframes() == round(kept * 16000)
