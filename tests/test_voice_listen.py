"""`ting listen` end to end: a real subprocess, speech played into the null sink, Enter
and `ting trigger` as the talk key, the transcript printed as JSON."""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest
from fixtures_core import ROOT, assert_clean_failure
from fixtures_voice import play_into_sink, write_wav

pytestmark = [pytest.mark.audio, pytest.mark.slow]


class ListenProcess:
    def __init__(self, env: dict[str, str], *args: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "assistant", "listen", "--json", *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=str(ROOT),
        )
        self.events: queue.Queue[dict | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            if line.strip():
                self.events.put(json.loads(line))
        self.events.put(None)

    def next_event(self, kind: str, timeout: float = 120) -> dict:
        while True:
            event = self.events.get(timeout=timeout)  # a guard against a hang only
            assert event is not None, f"ting listen ended before {kind!r}: {self.stderr()}"
            if event["type"] == kind:
                return event

    def press_enter(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write("\n")
        self.proc.stdin.flush()

    def close(self) -> int:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        return self.proc.wait(timeout=60)

    def stderr(self) -> str:
        if self.proc.poll() is None:
            return "(still running)"
        return self.proc.stderr.read() if self.proc.stderr else ""


@pytest.fixture
def listen_env(ting_home: Path, ting_uses_test_model, pulse_sink) -> dict[str, str]:
    env = dict(os.environ)
    env["TING_HOME"] = str(ting_home)
    env.pop("DISPLAY", None)  # no global hotkey in this test: Enter and the socket
    return env


@pytest.fixture(scope="module")
def half_second_of_silence(tmp_path_factory) -> Path:
    return write_wav(tmp_path_factory.mktemp("silence") / "silence.wav", np.zeros(8000))


def _say_into_sink(sink: str, clip: Path, silence: Path) -> None:
    assert play_into_sink(sink, clip).wait(timeout=60) == 0
    # played after the clip, so once it is done the whole clip has been captured
    assert play_into_sink(sink, silence).wait(timeout=60) == 0


def test_enter_starts_and_stops_and_the_transcript_is_printed(
    listen_env, pulse_sink, asterisk_clips, half_second_of_silence, ting
) -> None:
    clip, expected = asterisk_clips["cannot-complete-as-dialed"]
    listen = ListenProcess(listen_env, "--transcribe-only", "--no-hotkey", "--language", "en")
    try:
        ready = listen.next_event("ready")
        assert ready["device"]
        status = ting("status", "--json")
        assert status.code == 0 and json.loads(status.out)["state"] == "idle", status
        listen.press_enter()
        assert listen.next_event("state")["state"] == "listening"
        _say_into_sink(pulse_sink, clip, half_second_of_silence)
        listen.press_enter()
        heard = listen.next_event("heard")
        assert heard["text"].lower().rstrip(".") == expected.lower().rstrip("."), heard
        assert heard["language"] == "en" and heard["latency_ms"] >= 0
    finally:
        code = listen.close()
    assert code == 0, listen.stderr()


def test_ting_trigger_toggles_a_running_listen(
    listen_env, pulse_sink, asterisk_clips, half_second_of_silence, ting
) -> None:
    clip, expected = asterisk_clips["vm-nomore"]  # "No more messages."
    listen = ListenProcess(listen_env, "--transcribe-only", "--no-hotkey", "--language", "en")
    try:
        listen.next_event("ready")
        ran = ting("trigger")
        assert ran.code == 0, ran.err
        assert listen.next_event("state")["state"] == "listening"
        _say_into_sink(pulse_sink, clip, half_second_of_silence)
        assert ting("trigger").code == 0
        heard = listen.next_event("heard")
        assert heard["text"].lower().rstrip(".") == expected.lower().rstrip("."), heard
    finally:
        listen.close()
    # with nothing running, `ting trigger` says so in one line
    assert_clean_failure(ting("trigger"), mentions="not running")
