"""The real app in a real X session: Xvfb + a window manager + a system-tray host.

Runs `ting` (python -m assistant) as a user would, on the display tests/run_services.sh
started (TING_TEST_DISPLAY), and talks to it only through its local socket and the X
server: the icon is embedded by the tray host, a second `ting` hands over to the first,
`ting trigger` is answered, the socket is user-only, a killed app leaves nothing that
blocks the next start, and `quit` ends it cleanly.

Nothing here polls: the app says READY=1 on a notify socket (as to systemd) once it
listens, and every wait after that is a blocking read of the status it pushes (the
`watch` command, ``assistant.ipc.wait_status``); the timeouts only bound a failure.
"""

from __future__ import annotations

import itertools
import json
import os
import select
import signal
import socket
import stat
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fixtures_ui import ARTIFACTS

from assistant.textmatch import words

ROOT = Path(__file__).resolve().parent.parent
START_DEADLINE_S = 60.0  # generous: only how long we wait for "running", not a target
_notify_names = itertools.count()


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
        self.ready_socket: socket.socket | None = None

    def start(self) -> subprocess.Popen[str]:
        """Start the app with a notify socket of its own (abstract, this test's) on which
        it says READY=1 once it listens."""
        self.close_ready_socket()
        name = f"ting-test-ready-{os.getpid()}-{next(_notify_names)}"
        self.ready_socket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.ready_socket.bind("\0" + name)
        self.env["NOTIFY_SOCKET"] = "@" + name
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

    def wait_ready(self) -> None:
        """Block until the app says READY=1 (it listens), or it exits."""
        assert self.proc is not None and self.ready_socket is not None
        exited = os.pidfd_open(self.proc.pid)  # readable once the process has ended
        try:
            readable, _, _ = select.select([self.ready_socket, exited], [], [], START_DEADLINE_S)
        finally:
            os.close(exited)
        assert readable, f"the app did not say READY=1 in {START_DEADLINE_S:g} s"
        if self.ready_socket in readable:
            assert self.ready_socket.recv(256) == b"READY=1"
        else:
            raise AssertionError(f"the app ended before it was ready\n{self.output()}")

    def wait_status(
        self, until: Callable[[dict[str, Any]], Any], what: str, timeout: float = 180.0
    ) -> dict[str, Any]:
        """The app's first status for which ``until`` holds, read from its pushes."""
        from assistant.ipc import WatchEnded, WatchTimeout, wait_status

        try:
            return wait_status(lambda status: bool(until(status)), timeout=timeout)
        except WatchTimeout as exc:
            raise AssertionError(f"timed out waiting for {what}; last status {exc.last}") from None
        except WatchEnded:
            raise AssertionError(
                f"the app ended while waiting for {what}\n{self.output()}"
            ) from None

    def wait_running(self) -> dict[str, Any]:
        self.wait_ready()
        return self.wait_status(lambda s: s["tray"]["geometry"], "a tray icon", START_DEADLINE_S)

    def output(self) -> str:
        if self.proc is None or self.proc.poll() is None:
            return ""
        out, err = self.proc.communicate()
        return f"exit {self.proc.returncode}\nstdout: {out}\nstderr: {err}"

    def close_ready_socket(self) -> None:
        if self.ready_socket is not None:
            self.ready_socket.close()
            self.ready_socket = None

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        self.close_ready_socket()


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

    # quit ends the app cleanly and removes the socket; a status bar's
    # `ting status --watch` prints the last status, then the app's last line, and exits 0
    bar = subprocess.Popen(
        [sys.executable, "-m", "assistant", "status", "--watch"],
        env=running_app.env,
        cwd=str(ROOT),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert bar.stdout is not None
    assert json.loads(bar.stdout.readline())["running"] is True
    assert running_app.command("quit") == {"ok": True}
    assert running_app.proc.wait(30) == 0
    out, err = bar.communicate(timeout=30)
    assert (bar.returncode, err) == (0, "")
    assert json.loads(out.splitlines()[-1]) == {"running": False}
    assert not sock.exists()


@pytest.mark.display
def test_a_killed_app_does_not_block_the_next_start(
    running_app: RunningApp, ting_home: Path
) -> None:
    from assistant.ipc import WatchEnded, status, watch_status

    first = running_app.wait_running()
    assert running_app.proc is not None
    watch = watch_status(timeout=60)
    assert next(watch)["pid"] == first["pid"]
    os.kill(running_app.proc.pid, signal.SIGKILL)
    running_app.proc.wait(10)
    with pytest.raises(WatchEnded, match="closed the connection"):
        next(watch)  # no last line from a killed app: the watcher hears of it at once
    assert (ting_home / "run" / "ting.sock").exists()  # stale: nobody listens on it
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


def _finished_rows() -> list[dict[str, Any]]:
    """The app's finished exchanges, read once it said (``exchanges``) they finished."""
    import sqlite3

    from assistant.paths import database_path

    with sqlite3.connect(database_path()) as con:
        con.row_factory = sqlite3.Row
        rows = [dict(r) for r in con.execute("select * from exchanges order by id")]
    return [r for r in rows if r["status"] != "running"]


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

        def ready(status: dict[str, Any]) -> bool:
            voice = status["voice"]
            if status["speech_model"] == "failed" or voice.get("hotkey_problem"):
                return True  # no use waiting: the assertion below says what went wrong
            loaded = status["speech_model"] == "loaded"
            return bool(voice.get("microphone") and voice.get("hotkey") and loaded)

        status = app.wait_status(ready, "microphone, hotkey and model", 120)
        assert status["speech_model"] == "loaded" and status["voice"]["hotkey"], status

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
        app.wait_status(lambda s: s["exchanges"] >= 1, "the first exchange")
        rows = _finished_rows()
        assert len(rows) == 1 and rows[0]["origin"] == "voice", rows
        # word for word; punctuation is left out (a comma after "I'm sorry" comes and
        # goes with where the live decoder's last draft ended)
        assert words(rows[0]["input_text"]) == words(said)
        app.wait_status(lambda s: "overlay" in s["windows"], "the overlay")
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
            app.wait_status(lambda s: s["state"] == "listening", "hotkey down", 30)
            said = speak("vm-sorry")
        finally:
            subprocess.run(["xdotool", "keyup", "space", "alt", "ctrl"], env=xdo, check=True)
        app.wait_status(lambda s: s["exchanges"] >= 2, "the second exchange")
        rows = _finished_rows()[1:]
        assert len(rows) == 1 and rows[0]["origin"] == "voice", rows
        assert words(rows[0]["input_text"]) == words(said)
        assert app.command("quit") == {"ok": True}
        assert app.proc is not None and app.proc.wait(60) == 0
    finally:
        app.stop()
