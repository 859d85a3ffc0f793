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

import pytest
from fixtures_ui import ARTIFACTS

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
