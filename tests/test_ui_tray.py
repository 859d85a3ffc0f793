"""The real app in a real X session: Xvfb + a window manager + a system-tray host.

Runs `ting` (python -m assistant) as a user would, on the display tests/run_services.sh
started (TING_TEST_DISPLAY), and talks to it only through its local socket and the X
server: the icon is embedded by the tray host, a second `ting` hands over to the first,
`ting trigger` is answered, the socket is user-only, a killed app leaves nothing that
blocks the next start, and `quit` ends it cleanly.
"""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fixtures_ui import ARTIFACTS

from assistant.textmatch import words

ROOT = Path(__file__).resolve().parent.parent
START_DEADLINE_S = 60.0  # generous: only how long we wait for "running", not a target


def tray_display() -> str:
    display = os.environ.get("TING_TEST_DISPLAY", "")
    if display:
        return display
    if os.environ.get("CI"):
        pytest.fail("an X display with a tray host is required in CI (see tests/run.sh)")
    pytest.skip("no X display with a tray host (tests/run_services.sh starts one)")


class RunningApp:
    def __init__(self, display: str, home: Path) -> None:
        self.display = display
        self.home = home
        self.env = dict(os.environ)
        self.env.update(DISPLAY=display, TING_HOME=str(home), TING_NO_ASR_WARM="1")
        for name in ("QT_QPA_PLATFORM", "TING_NO_GUI", "WAYLAND_DISPLAY"):
            self.env.pop(name, None)
        self.proc: subprocess.Popen[str] | None = None

    def start(self) -> subprocess.Popen[str]:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "assistant"],
            env=self.env,
            cwd=str(ROOT),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        return self.proc

    def ting(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "assistant", *args],
            env=self.env,
            cwd=str(ROOT),
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def command(self, name: str) -> dict[str, Any]:
        """Send one command over the socket, from this test process (same TING_HOME)."""
        from assistant.ipc import send_command

        return send_command(name)

    def wait_running(self) -> dict[str, Any]:
        from assistant.ipc import status

        deadline = time.monotonic() + START_DEADLINE_S
        while time.monotonic() < deadline:
            assert self.proc is not None and self.proc.poll() is None, self.output()
            answer = status()
            if answer.get("running") and answer["tray"]["geometry"]:
                return answer
            time.sleep(0.05)  # polling a real process; the assertion is on state, not time
        raise AssertionError(f"the app did not come up with a tray icon: {status()}")

    def output(self) -> str:
        if self.proc is None or self.proc.poll() is None:
            return ""
        out, err = self.proc.communicate()
        return f"exit {self.proc.returncode}\nstdout: {out}\nstderr: {err}"

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)


@pytest.fixture
def running_app(ting_home: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[RunningApp]:
    display = tray_display()
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)  # runtime_dir() follows TING_HOME
    app = RunningApp(display, ting_home)
    app.start()
    try:
        yield app
    finally:
        app.stop()


def screenshot_tray(display: str, geometry: list[int], name: str) -> Path:
    """The tray icon as the X server shows it (ImageMagick `import` of the root window)."""
    x, y, w, h = geometry
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    pad = 40
    crop = f"{w + 2 * pad}x{h + 2 * pad}+{max(0, x - pad)}+{max(0, y - pad)}"
    subprocess.run(
        ["import", "-display", display, "-window", "root", "-crop", crop, str(path)],
        check=True,
        timeout=30,
    )
    return path


@pytest.mark.display
def test_tray_icon_handover_trigger_and_quit(running_app: RunningApp, ting_home: Path) -> None:
    status = running_app.wait_running()
    assert status["state"] == "idle"
    x, y, w, h = status["tray"]["geometry"]
    assert w > 0 and h > 0  # the tray host embedded the icon and gave it a place
    screenshot_tray(running_app.display, status["tray"]["geometry"], "tray_icon_idle")

    # user-only socket in a user-only folder
    run_dir = ting_home / "run"
    assert stat.S_IMODE(run_dir.stat().st_mode) == 0o700
    sock = run_dir / "ting.sock"
    assert stat.S_ISSOCK(sock.stat().st_mode)
    assert stat.S_IMODE(sock.stat().st_mode) & 0o077 == 0

    # a second `ting` hands over: it exits 0 and the first shows its chat window
    second = running_app.ting()
    assert second.returncode == 0, second
    assert "already running" in second.stderr
    assert "chat" in running_app.command("status")["windows"]
    assert running_app.proc is not None and running_app.proc.poll() is None

    # trigger is answered with the state (voice capture decides ok/error)
    answer = running_app.command("trigger")
    assert set(answer) >= {"ok", "state"}
    if not answer["ok"]:
        assert answer["error"]

    # quit ends the app cleanly and removes the socket
    assert running_app.command("quit") == {"ok": True}
    assert running_app.proc.wait(30) == 0
    assert not sock.exists()


@pytest.mark.display
def test_a_killed_app_does_not_block_the_next_start(
    running_app: RunningApp, ting_home: Path
) -> None:
    first = running_app.wait_running()
    assert running_app.proc is not None
    os.kill(running_app.proc.pid, signal.SIGKILL)
    running_app.proc.wait(10)
    assert (ting_home / "run" / "ting.sock").exists()  # stale: nobody listens on it
    from assistant.ipc import status

    assert status() == {"running": False}
    running_app.start()
    second = running_app.wait_running()
    assert second["pid"] != first["pid"]
    assert running_app.command("quit") == {"ok": True}
    assert running_app.proc.wait(30) == 0


@pytest.mark.display
def test_kill_quits_the_app_cleanly(running_app: RunningApp, ting_home: Path) -> None:
    """`kill PID` (what a logout or a service manager sends) shuts down like Quit."""
    running_app.wait_running()
    assert running_app.proc is not None
    running_app.proc.send_signal(signal.SIGTERM)
    assert running_app.proc.wait(30) == 0, running_app.output()
    assert not (ting_home / "run" / "ting.sock").exists()


def _history_rows(home: Path) -> list[dict[str, Any]]:
    import sqlite3

    from assistant.paths import database_path

    db = database_path()
    if not db.exists():
        return []
    try:
        with sqlite3.connect(db) as con:
            con.row_factory = sqlite3.Row
            return [dict(r) for r in con.execute("select * from exchanges order by id")]
    except sqlite3.OperationalError:  # the app is still creating its tables
        return []


def _wait(predicate: Any, what: str, timeout: float = 180.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)  # polling a real process; the assertion is on state, not time
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.display
@pytest.mark.audio
@pytest.mark.slow
def test_the_running_app_talks_through_trigger_and_the_hotkey(
    ting_home: Path,
    monkeypatch: pytest.MonkeyPatch,
    ting_uses_test_model: Path,
    pulse_sink: str,
    asterisk_clips: dict[str, tuple[Path, str]],
    tmp_path: Path,
) -> None:
    """The real app on the X display: `ting trigger` starts and stops talking while an
    asterisk prompt plays into the null sink; then the global hotkey (held with xdotool,
    hold mode) does the same. Each utterance lands in the history as a voice exchange,
    and the overlay is photographed from the X server while it shows the answer."""
    import shutil

    from fixtures_voice import play_into_sink, write_wav

    from assistant.config import save_setting

    display = tray_display()
    if not shutil.which("xdotool"):
        pytest.fail("xdotool is needed to press the hotkey on the test display")
    runtime = os.environ.get("XDG_RUNTIME_DIR", "")
    pulse = Path(runtime) / "pulse" / "native"
    if runtime and pulse.exists() and "PULSE_SERVER" not in os.environ:
        # the app's runtime folder follows TING_HOME here; PulseAudio stays where it is
        monkeypatch.setenv("PULSE_SERVER", f"unix:{pulse}")
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    save_setting("asr_language", "en", ting_home / "config.toml")
    save_setting("hotkey", "<ctrl>+<alt>+space", ting_home / "config.toml")
    save_setting("hotkey_mode", "hold", ting_home / "config.toml")
    silence = write_wav(tmp_path / "silence.wav", np.zeros(8000))
    app = RunningApp(display, ting_home)
    app.env.pop("TING_NO_ASR_WARM")  # warm the model and open the microphone at start
    app.start()
    try:
        app.wait_running()
        seen: list[dict[str, Any]] = [{}]

        def ready() -> bool:
            status = seen[0] = app.command("status")
            voice = status["voice"]
            loaded = status["speech_model"] == "loaded"
            return bool(voice.get("microphone") and voice.get("hotkey") and loaded)

        try:
            _wait(ready, "microphone, hotkey and model", 120)
        except AssertionError:
            raise AssertionError(f"not ready: {seen[0]}") from None

        def speak(name: str) -> str:
            clip, said = asterisk_clips[name]
            assert play_into_sink(pulse_sink, clip).wait(60) == 0
            assert play_into_sink(pulse_sink, silence).wait(60) == 0
            return said

        # 1. `ting trigger` (a desktop shortcut bound to it does exactly this)
        started = app.ting("trigger")
        assert started.returncode == 0, started.stderr
        assert app.command("status")["state"] == "listening"
        said = speak("conf-onlyperson")
        assert app.ting("trigger").returncode == 0
        rows = _wait(
            lambda: [r for r in _history_rows(ting_home) if r["status"] != "running"],
            "the first exchange",
        )
        assert rows[0]["origin"] == "voice"
        # word for word; punctuation is left out (a comma after "I'm sorry" comes and
        # goes with where the live decoder's last draft ended)
        assert words(rows[0]["input_text"]) == words(said)
        _wait(lambda: app.command("status")["windows"].count("overlay"), "the overlay")
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                "import",
                "-display",
                display,
                "-window",
                "root",
                str(ARTIFACTS / "desktop_after_trigger.png"),
            ],
            check=True,
            timeout=30,
        )

        # 2. the global hotkey, held while speaking (hold mode)
        xdo = {**app.env}
        subprocess.run(["xdotool", "keydown", "ctrl+alt+space"], env=xdo, check=True)
        try:
            _wait(lambda: app.command("status")["state"] == "listening", "hotkey down", 30)
            said = speak("vm-sorry")
        finally:
            subprocess.run(["xdotool", "keyup", "space", "alt", "ctrl"], env=xdo, check=True)
        rows = _wait(
            lambda: [r for r in _history_rows(ting_home) if r["status"] != "running"][1:],
            "the second exchange",
        )
        assert rows[0]["origin"] == "voice"
        assert words(rows[0]["input_text"]) == words(said)
        assert app.command("quit") == {"ok": True}
        assert app.proc is not None and app.proc.wait(60) == 0
    finally:
        app.stop()
