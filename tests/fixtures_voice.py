"""Fixtures for the voice tests: the real Whisper model (loaded once), real clips."""

from __future__ import annotations

import gzip
import json
import os
import queue
import subprocess
import sys
import threading
import wave
from pathlib import Path

import pytest
from fixtures_core import ROOT

AUDIO_DATA = Path(__file__).resolve().parent / "data" / "audio"
ASTERISK_SOUNDS = Path("/usr/share/asterisk/sounds/en")
ASTERISK_TRANSCRIPTS = Path("/usr/share/doc/asterisk-core-sounds-en/core-sounds-en.txt.gz")


@pytest.fixture(scope="session")
def asterisk_clips() -> dict[str, tuple[Path, str]]:
    """name → (wav path, what the speaker says), from Debian's asterisk prompts."""
    if not ASTERISK_TRANSCRIPTS.exists() or not ASTERISK_SOUNDS.is_dir():
        pytest.fail(
            "the English test speech is missing: "
            "apt-get install asterisk-core-sounds-en asterisk-core-sounds-en-wav"
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


class PortalStandIn:
    """A small ``org.freedesktop.portal.Desktop`` with the GlobalShortcuts interface, on
    the private session bus that tests/run.sh starts (dbus-run-session).

    An external peer, like the scripted OpenAI server: Ting's portal client talks to it
    over real D-Bus. It answers CreateSession/BindShortcuts through Request objects'
    Response signals, as xdg-desktop-portal does; a test then sends ``press``/``release``
    (Activated/Deactivated), as the desktop does when the user holds the bound key.
    ``shortcuts=False`` stands for a portal without GlobalShortcuts (older desktops).
    """

    def __init__(self, *, shortcuts: bool = True) -> None:
        import queue
        import threading

        from jeepney import message_bus
        from jeepney.io.blocking import open_dbus_connection

        from voice.portal_shortcuts import PORTAL_BUS

        self.shortcuts = shortcuts
        self.conn = open_dbus_connection("SESSION")
        owned = self.conn.send_and_get_reply(message_bus.RequestName(PORTAL_BUS, 4))
        if owned.body[0] != 1:  # DO_NOT_QUEUE: somebody (a real portal) has the name
            self.conn.close()
            pytest.skip("a real desktop portal owns the name on this bus")
        self.bound: queue.Queue[tuple[str, list]] = queue.Queue()
        self.closed: queue.Queue[str] = queue.Queue()
        self.session = ""
        self._send_lock = threading.Lock()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="portal-stand-in", daemon=True)
        self._thread.start()

    def _send(self, message) -> None:
        with self._send_lock:
            self.conn.send(message)

    def _serve(self) -> None:
        from jeepney import MessageType

        while not self._stopping.is_set():
            try:
                message = self.conn.receive(timeout=0.2)
            except TimeoutError:
                continue
            except OSError:
                return
            if message.header.message_type == MessageType.method_call:
                self._answer(message)

    def _answer(self, call) -> None:
        from jeepney import (
            DBusAddress,
            HeaderFields,
            new_error,
            new_method_return,
            new_signal,
        )

        from voice.portal_shortcuts import PORTAL_PATH, REQUEST, SESSION, SHORTCUTS

        fields = call.header.fields
        interface, member = fields.get(HeaderFields.interface), fields.get(HeaderFields.member)
        sender = fields[HeaderFields.sender][1:].replace(".", "_")

        def respond(token: str, results: dict) -> None:
            request = f"{PORTAL_PATH}/request/{sender}/{token}"
            self._send(new_method_return(call, "o", (request,)))
            address = DBusAddress(request, interface=REQUEST)
            self._send(new_signal(address, "Response", "ua{sv}", (0, results)))

        if (interface, member) == ("org.freedesktop.DBus.Properties", "Get"):
            if self.shortcuts and tuple(call.body) == (SHORTCUTS, "version"):
                self._send(new_method_return(call, "v", (("u", 1),)))
            else:
                error = "org.freedesktop.DBus.Error.UnknownInterface"
                self._send(new_error(call, error, "s", (f"no {call.body[0]} here",)))
        elif self.shortcuts and (interface, member) == (SHORTCUTS, "CreateSession"):
            options = call.body[0]
            self.session = f"{PORTAL_PATH}/session/{sender}/{options['session_handle_token'][1]}"
            respond(options["handle_token"][1], {"session_handle": ("s", self.session)})
        elif self.shortcuts and (interface, member) == (SHORTCUTS, "BindShortcuts"):
            session, shortcuts, _parent, options = call.body
            bound = [
                (sid, {**props, "trigger_description": ("s", props["preferred_trigger"][1])})
                for sid, props in shortcuts
            ]
            respond(options["handle_token"][1], {"shortcuts": ("a(sa{sv})", bound)})
            self.bound.put((session, shortcuts))
        elif (interface, member) == (SESSION, "Close"):
            self._send(new_method_return(call))
            self.closed.put(fields[HeaderFields.path])
        else:
            error = "org.freedesktop.DBus.Error.UnknownMethod"
            self._send(new_error(call, error, "s", (f"{interface}.{member}",)))

    def _shortcut_signal(self, member: str, shortcut_id: str) -> None:
        import time

        from jeepney import DBusAddress, new_signal

        from voice.portal_shortcuts import PORTAL_PATH, SHORTCUTS

        address = DBusAddress(PORTAL_PATH, interface=SHORTCUTS)
        stamp = int(time.monotonic() * 1000)
        self._send(new_signal(address, member, "osta{sv}", (self.session, shortcut_id, stamp, {})))

    def press(self, shortcut_id: str = "talk") -> None:
        self._shortcut_signal("Activated", shortcut_id)

    def release(self, shortcut_id: str = "talk") -> None:
        self._shortcut_signal("Deactivated", shortcut_id)

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join(timeout=5)
        self.conn.close()


def _require_session_bus() -> None:
    import os

    if not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        from fixtures_core import require_service

        require_service("DBUS_SESSION_BUS_ADDRESS", "a private D-Bus session bus")


@pytest.fixture
def portal_stand_in():
    """The GlobalShortcuts portal stand-in on the private session bus."""
    _require_session_bus()
    portal = PortalStandIn()
    yield portal
    portal.stop()


@pytest.fixture
def portal_without_shortcuts():
    _require_session_bus()
    portal = PortalStandIn(shortcuts=False)
    yield portal
    portal.stop()


# -- `ting listen` as a subprocess ------------------------------------------------


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
    import numpy as np

    return write_wav(tmp_path_factory.mktemp("silence") / "silence.wav", np.zeros(8000))


def say_into_sink(sink: str, clip: Path, silence: Path) -> None:
    assert play_into_sink(sink, clip).wait(timeout=60) == 0
    # played after the clip, so once it is done the whole clip has been captured
    assert play_into_sink(sink, silence).wait(timeout=60) == 0
