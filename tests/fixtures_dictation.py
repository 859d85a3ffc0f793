"""Fixtures for text output, dictation and editing: real windows to type into.

* ``TextTarget``: a small Qt program with one text field (tests/text_target.py), on the
  suite's X display or on a headless sway (Wayland);
* ``TerminalTarget``: a real terminal emulator (xterm, st, foot) running
  tests/terminal_reader.py, which records every byte the terminal sends its program;
* ``sway_session``: sway with its headless backend, which offers the virtual-keyboard
  protocol wtype uses (sway will not run as root: as root it runs as nobody).
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from fixtures_core import ROOT, TING, Ran, read_within, require_service

GUARD_S = 60.0  # a guard against a hang only
WAIT_S = GUARD_S - 10  # the target window's own wait for a text (answered within GUARD_S)


def x11_display() -> str:
    display = os.environ.get("TING_TEST_DISPLAY", "")
    if not display:
        require_service("TING_TEST_DISPLAY", "an X display with a window manager")
    return display


def x11_env(display: str, home: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(DISPLAY=display, TING_HOME=str(home), LC_ALL="C.UTF-8")
    for name in ("QT_QPA_PLATFORM", "WAYLAND_DISPLAY", "TING_NO_GUI", "SWAYSOCK"):
        env.pop(name, None)
    return env


def run_ting(
    env: dict[str, str], *args: str, input: str | None = None, timeout: float = 120
) -> Ran:
    proc = subprocess.run(
        [*TING, *args],
        env=env,
        cwd=str(ROOT),
        input=input,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    return Ran(proc.returncode, proc.stdout, proc.stderr)


class TextTarget:
    """The Qt text field as its own process; every question is a line on its stdin."""

    def __init__(self, env: dict[str, str], *, multiline: bool = False) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, str(ROOT / "tests" / "text_target.py")]
            + (["--multiline"] if multiline else []),
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        self._lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        ready = self._answer()
        assert ready.get("ready"), ready
        self.window = ready["window"]

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self._lines.put(line)
        self._lines.put(None)

    def _answer(self) -> dict:
        line = self._lines.get(timeout=GUARD_S)
        assert line is not None, "the target window ended"
        return json.loads(line)

    def ask(self, command: str) -> dict:
        assert self.proc.stdin is not None
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()
        return self._answer()

    def text(self) -> str:
        return self.ask("text")["text"]

    def wait_text(self, expected: str) -> str:
        """The field's text once it is ``expected`` (or what it is after WAIT_S): keys
        and pastes reach the window as X events, which Qt may handle after a question
        on stdin that was sent later (a run read '' a moment after Ting had typed)."""
        return self.ask(f"wait-text {WAIT_S} {json.dumps(expected)}")["text"]

    def set(self, value: str) -> None:
        self.ask("set " + json.dumps(value))

    def select_all_by_keys(self, env: dict[str, str]) -> str:
        """Select the field's text as a person does, with Ctrl+A on the keyboard (which
        also makes it the PRIMARY selection); returns what is selected."""
        subprocess.run(["xdotool", "key", "ctrl+a"], env=env, check=True, timeout=10)
        return self.ask(f"wait-selected {WAIT_S}")["selected"]

    def close(self) -> None:
        if self.proc.poll() is None:
            try:
                assert self.proc.stdin is not None
                self.proc.stdin.write("quit\n")
                self.proc.stdin.flush()
                self.proc.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait()


class TerminalTarget:
    """A terminal emulator whose program records what the terminal sends it: the
    program streams every byte back over a socket, and a thread here keeps them."""

    def __init__(self, command: list[str], env: dict[str, str], folder: Path) -> None:
        import socket

        # abstract (a leading NUL, which the program adds): no path to outgrow a socket
        # address or to need rights on
        name = f"ting-terminal-{os.getpid()}-{id(self)}"
        self._listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._listener.bind("\0" + name)
        self._listener.listen(1)
        self._listener.settimeout(GUARD_S)
        self._bytes = b""
        self._arrived = threading.Condition()
        reader = [sys.executable, str(ROOT / "tests" / "terminal_reader.py"), name]
        self.proc = subprocess.Popen(
            [*command, *reader],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            self._connection, _ = self._listener.accept()  # the program is running
        except TimeoutError:
            ended = self.proc.poll() is not None
            self.close()
            raise AssertionError(
                f"{command[0]} {'ended before' if ended else 'did not start'} its program"
            ) from None
        self._thread = threading.Thread(target=self._keep, daemon=True)
        self._thread.start()

    def _keep(self) -> None:
        while chunk := self._connection.recv(65536):
            with self._arrived:
                self._bytes += chunk
                self._arrived.notify_all()

    def received(self) -> bytes:
        with self._arrived:
            return self._bytes

    def wait_for(self, size: int) -> str:
        """What arrived, once at least ``size`` bytes did (terminals send a pasted line
        end as CR)."""
        with self._arrived:
            self._arrived.wait_for(lambda: len(self._bytes) >= size, timeout=GUARD_S)
            return self._bytes.decode("utf-8", errors="replace").replace("\r", "\n")

    def clear(self) -> None:
        with self._arrived:
            self._bytes = b""

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._listener.close()
        if hasattr(self, "_connection"):
            self._connection.close()


# -- a headless Wayland compositor -------------------------------------------------------


SWAY_CONFIG = """\
output HEADLESS-1 resolution 1280x800
xwayland disable
default_border none
"""


class SwaySession:
    def __init__(self) -> None:
        # not under pytest's tmp_path: as nobody, sway could not reach into root's 0700
        # folders there
        import tempfile

        folder = Path(tempfile.mkdtemp(prefix="ting-sway-"))
        self.folder = folder
        self.runtime = folder / "xdg"
        self.runtime.mkdir(mode=0o700)
        # sway runs its config's exec once it is up, with SWAYSOCK and WAYLAND_DISPLAY
        # set: that command says so through a FIFO
        started = folder / "started"
        os.mkfifo(started)
        config = folder / "sway.conf"
        config.write_text(
            SWAY_CONFIG + f'exec printf \'%s %s\' "$SWAYSOCK" "$WAYLAND_DISPLAY" > {started}\n'
        )
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "XDG_RUNTIME_DIR": str(self.runtime),
            "HOME": str(folder),
            "WLR_BACKENDS": "headless",
            "WLR_LIBINPUT_NO_DEVICES": "1",
            "WLR_RENDERER": "pixman",
        }
        command = ["sway", "-c", str(config)]
        if os.geteuid() == 0:  # sway refuses to run as root
            os.chown(self.runtime, 65534, 65534)
            os.chown(folder, 65534, 65534)
            os.chown(started, 65534, 65534)
            command = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *command]
        self.log = folder / "sway.log"
        with self.log.open("wb") as log:
            self.proc = subprocess.Popen(command, env=env, stdout=log, stderr=log)
        try:
            self.swaysock, self.wayland_display = read_within(started.read_text, GUARD_S).split()
        except (TimeoutError, ValueError):
            log_tail = self.log.read_text()[-2000:]
            with contextlib.suppress(OSError):  # lets the reading thread end, if it waits
                os.close(os.open(started, os.O_WRONLY | os.O_NONBLOCK))
            self.close()
            raise AssertionError(f"sway did not start:\n{log_tail}") from None

    def env(self, home: Path) -> dict[str, str]:
        env = dict(os.environ)
        for name in ("DISPLAY", "TING_NO_GUI"):
            env.pop(name, None)
        env.update(
            XDG_RUNTIME_DIR=str(self.runtime),
            WAYLAND_DISPLAY=self.wayland_display,
            SWAYSOCK=self.swaysock,
            QT_QPA_PLATFORM="wayland",
            TING_HOME=str(home),
            LC_ALL="C.UTF-8",
        )
        return env

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.folder, ignore_errors=True)


def require_wayland_tools() -> None:
    missing = [
        t for t in ("sway", "wtype", "wl-copy", "wl-paste", "foot") if shutil.which(t) is None
    ]
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"{', '.join(missing)} missing in CI (tests/run.sh installs them)")
        pytest.skip(f"{', '.join(missing)} not installed (tests/run.sh installs them)")


@pytest.fixture(scope="module")
def sway_session() -> Iterator[SwaySession]:
    require_wayland_tools()
    session = SwaySession()
    try:
        yield session
    finally:
        session.close()


@pytest.fixture
def x11_target(ting_home: Path) -> Iterator[tuple[TextTarget, dict[str, str]]]:
    env = x11_env(x11_display(), ting_home)
    target = TextTarget(env)
    try:
        yield target, env
    finally:
        target.close()


@pytest.fixture
def empty_desktop(tmp_path: Path):
    """A display of its own with a window manager and no window on it."""
    x11_display()  # only where the suite's display exists (the same packages)
    # Xvfb picks a free display and writes its number to -displayfd once it accepts
    # clients; openbox runs its --startup command once it manages the screen
    read_end, write_end = os.pipe()
    xvfb = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_end), "-screen", "0", "800x600x24", "-nolisten", "tcp"],
        pass_fds=(write_end,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_end)
    with os.fdopen(read_end) as said:
        try:
            number = read_within(said.readline, GUARD_S).strip()
        except TimeoutError:
            xvfb.terminate()  # it hung: its end of the pipe closes, and the read ends
            number = ""
    if not number:  # it exited (the pipe's end) or hung
        xvfb.terminate()
        raise AssertionError("Xvfb did not start")
    display = f":{number}"
    env = {**os.environ, "DISPLAY": display}
    managing = tmp_path / "openbox-up"
    os.mkfifo(managing)
    wm = subprocess.Popen(
        ["openbox", "--startup", f"sh -c 'echo up > {managing}'"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert read_within(managing.read_text, GUARD_S).strip() == "up"
    except TimeoutError:
        with contextlib.suppress(OSError):  # lets the reading thread end
            os.close(os.open(managing, os.O_WRONLY | os.O_NONBLOCK))
        wm.terminate()
        xvfb.terminate()
        raise AssertionError("openbox did not start") from None
    assert (
        "_NET_SUPPORTED"
        in subprocess.run(
            ["xprop", "-root", "_NET_SUPPORTED"], env=env, capture_output=True, text=True
        ).stdout
    )
    try:
        yield display
    finally:
        wm.terminate()
        xvfb.terminate()
        wm.wait(10)
        xvfb.wait(10)


class RemoteDesktopStandIn:
    """A small ``org.freedesktop.portal.Desktop`` with the RemoteDesktop interface on the
    private session bus (as the GlobalShortcuts stand-in in fixtures_voice): answers
    CreateSession, SelectDevices and Start through Request objects' Response signals as
    xdg-desktop-portal does, hands out a restore token, and records the keys it is sent.
    ``decline=True`` stands for a user who says no in the desktop's dialog."""

    INTERFACE = "org.freedesktop.portal.RemoteDesktop"

    def __init__(self, *, decline: bool = False) -> None:
        from jeepney import message_bus
        from jeepney.io.blocking import open_dbus_connection

        from voice.portal_shortcuts import PORTAL_BUS

        self.decline = decline
        self.conn = open_dbus_connection("SESSION")
        owned = self.conn.send_and_get_reply(message_bus.RequestName(PORTAL_BUS, 4))
        if owned.body[0] != 1:
            self.conn.close()
            pytest.skip("a real desktop portal owns the name on this bus")
        self.selected: list[dict] = []  # SelectDevices options, per session
        self.keys: list[tuple[int, int]] = []  # (keysym, state)
        self.closed: list[str] = []
        self.session = ""
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

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
        from jeepney import DBusAddress, HeaderFields, new_error, new_method_return, new_signal

        from voice.portal_shortcuts import PORTAL_PATH, REQUEST, SESSION

        fields = call.header.fields
        interface, member = fields.get(HeaderFields.interface), fields.get(HeaderFields.member)
        sender = fields[HeaderFields.sender][1:].replace(".", "_")

        def respond(token: str, results: dict, code: int = 0) -> None:
            request = f"{PORTAL_PATH}/request/{sender}/{token}"
            self.conn.send(new_method_return(call, "o", (request,)))
            address = DBusAddress(request, interface=REQUEST)
            self.conn.send(new_signal(address, "Response", "ua{sv}", (code, results)))

        if (interface, member) == ("org.freedesktop.DBus.Properties", "Get"):
            if tuple(call.body) == (self.INTERFACE, "version"):
                self.conn.send(new_method_return(call, "v", (("u", 2),)))
            else:
                error = "org.freedesktop.DBus.Error.UnknownInterface"
                self.conn.send(new_error(call, error, "s", (f"no {call.body[0]} here",)))
        elif (interface, member) == (self.INTERFACE, "CreateSession"):
            options = call.body[0]
            self.session = f"{PORTAL_PATH}/session/{sender}/{options['session_handle_token'][1]}"
            respond(options["handle_token"][1], {"session_handle": ("s", self.session)})
        elif (interface, member) == (self.INTERFACE, "SelectDevices"):
            _session, options = call.body
            self.selected.append({k: v[1] for k, v in options.items()})
            respond(options["handle_token"][1], {})
        elif (interface, member) == (self.INTERFACE, "Start"):
            _session, _parent, options = call.body
            if self.decline:
                respond(options["handle_token"][1], {}, code=1)
            else:
                results = {"devices": ("u", 1), "restore_token": ("s", "token-from-the-desktop")}
                respond(options["handle_token"][1], results)
        elif (interface, member) == (self.INTERFACE, "NotifyKeyboardKeysym"):
            _session, _options, keysym, state = call.body
            self.keys.append((keysym, state))
            self.conn.send(new_method_return(call))
        elif (interface, member) == (SESSION, "Close"):
            self.conn.send(new_method_return(call))
            self.closed.append(fields[HeaderFields.path])
        else:
            error = "org.freedesktop.DBus.Error.UnknownMethod"
            self.conn.send(new_error(call, error, "s", (f"{interface}.{member}",)))

    def stop(self) -> None:
        from jeepney import message_bus

        from voice.portal_shortcuts import PORTAL_BUS

        self._stopping.set()
        self._thread.join(timeout=5)
        # give the name back and wait for the bus to say so: the next test's stand-in
        # (or the shortcuts one) asks for it at once
        self.conn.send_and_get_reply(message_bus.ReleaseName(PORTAL_BUS), timeout=5)
        self.conn.close()


@pytest.fixture
def remote_desktop_portal():
    if not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        require_service("DBUS_SESSION_BUS_ADDRESS", "a private D-Bus session bus")
    portal = RemoteDesktopStandIn()
    yield portal
    portal.stop()
