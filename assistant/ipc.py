"""Talking to the running Ting (the tray app, or `ting listen`) over a local socket.

The app (``ui.instance_server``; any long-running Ting may serve it) listens on
``ting.sock`` in ``runtime_dir()`` (a folder only the user can enter; the socket itself
is user-only too). A client sends one JSON line ``{"command": NAME}`` and reads one JSON
line back, then the app closes the connection:

* ``status``  → ``{"running": true, "state": "idle"|"listening"|"thinking"|"error", "pid": N,
  …}`` (the app adds ``tray``, ``windows``, ``speech_model``, ``voice`` and ``exchanges``,
  the count of exchanges it finished since it started)
* ``trigger`` → ``{"ok": bool, "state": ..., "error"?: str}`` (toggles talking)
* ``show``    → ``{"ok": true}`` (a second ``ting`` hands over: the first shows its window)
* ``quit``    → ``{"ok": true}`` (the app exits)

``watch`` keeps the connection open: the app answers at once with the ``status`` line,
then writes a new status line each time the status changes (never the same line twice
in a row), until the client closes the connection or the app quits. On quit the app
writes a last ``{"running": false}`` line and closes the connection. A server that
cannot watch (``ting listen``) answers ``{"ok": false, "error": …}`` and closes.
``watch_status`` / ``wait_status`` are the client; ``ting status --watch`` prints it.

Only one app runs per user: it holds an exclusive ``flock`` on ``ting.lock`` for its
whole life, so two that start at once cannot both listen. Started by a service manager
that passes ``NOTIFY_SOCKET`` (systemd ``Type=notify``), the app says ``READY=1`` there
once it listens (``notify_service_manager``).
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import time
from collections import deque
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

from assistant.errors import TingError

COMMANDS = ("status", "trigger", "dictate", "edit", "show", "quit", "watch")
STOPPED: dict[str, Any] = {"running": False}  # a watcher's last line when the app quits
SOCKET_NAME = "ting.sock"
LOCK_NAME = "ting.lock"
MAX_LINE = 64 * 1024


class InstanceNotRunning(TingError):
    """No Ting app answers on the local socket."""

    exit_code = 3

    def __init__(self) -> None:
        super().__init__(
            "Ting is not running", hint="start the app with `ting`, or `ting listen` in a terminal"
        )


def socket_path() -> Path:
    from assistant.paths import runtime_dir

    return runtime_dir() / SOCKET_NAME


def lock_path() -> Path:
    from assistant.paths import runtime_dir

    return runtime_dir() / LOCK_NAME


def acquire_instance_lock(path: Path | None = None) -> IO[bytes] | None:
    """The open, exclusively locked lock file; None if another instance holds it.

    Keep the returned file open for the life of the app: closing it (or exiting, or
    being killed) releases the lock.
    """
    path = path or lock_path()
    handle = open(path, "a+b")  # noqa: SIM115 (held open on purpose)
    os.chmod(path, 0o600)
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        return None
    handle.seek(0)
    handle.truncate()
    handle.write(str(os.getpid()).encode())
    handle.flush()
    return handle


def encode(message: dict[str, Any]) -> bytes:
    return (json.dumps(message, ensure_ascii=False) + "\n").encode("utf-8")


def decode(line: bytes) -> dict[str, Any]:
    value = json.loads(line.decode("utf-8"))
    if not isinstance(value, dict):
        raise ValueError("a message must be a JSON object")
    return value


def _connect(path: Path, timeout: float | None) -> socket.socket:
    client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    client.settimeout(timeout)
    try:
        client.connect(str(path))
    except (FileNotFoundError, ConnectionRefusedError):
        client.close()
        raise InstanceNotRunning() from None
    except OSError as exc:
        client.close()
        raise TingError(f"cannot reach the running Ting at {path}: {exc.strerror}") from None
    return client


def send_command(command: str, *, path: Path | None = None, timeout: float = 3.0) -> dict[str, Any]:
    """Send one command to the running app and return its answer (for ``watch``: the
    first status line only; see ``watch_status``)."""
    if command not in COMMANDS:
        raise ValueError(f"unknown command {command!r}")
    path = path or socket_path()
    with _connect(path, timeout) as client:
        try:
            client.sendall(encode({"command": command}))
            data = b""
            while not data.endswith(b"\n"):
                chunk = client.recv(4096)
                if not chunk:
                    break
                data += chunk
                if len(data) > MAX_LINE:
                    break
        except TimeoutError:
            raise TingError("the running Ting did not answer in time") from None
        except OSError as exc:
            raise TingError(f"the running Ting closed the connection ({exc.strerror})") from None
    if not data.strip():
        raise TingError("the running Ting closed the connection without an answer")
    try:
        return decode(data.split(b"\n", 1)[0].strip())
    except ValueError:
        raise TingError("the running Ting sent an answer that is not JSON") from None


class WatchEnded(TingError):
    """The watch ended before the status a caller waited for: the app quit or vanished."""


class WatchTimeout(TingError):
    """The awaited status did not come in time; ``last`` is the last status seen."""

    def __init__(self, seconds: float, last: dict[str, Any] | None) -> None:
        super().__init__(f"the running Ting did not reach the awaited status in {seconds:g} s")
        self.last = last


def watch_status(
    until: Callable[[dict[str, Any]], bool] | None = None,
    *,
    timeout: float | None = None,
    path: Path | None = None,
) -> Iterator[dict[str, Any]]:
    """The app's status now, then each time it changes (the ``watch`` command).

    Blocks on the socket between lines (no polling). Ends after the first status for
    which ``until`` is true (``until`` only sees a running app's statuses). With no
    ``until`` it ends when the app quits, after yielding its last line ``STOPPED``.
    ``timeout`` bounds the whole watch (None: no bound).

    Raises ``InstanceNotRunning`` when no app listens, ``WatchTimeout`` when time runs
    out, ``WatchEnded`` when the app quits (or is killed) before ``until`` was met, and
    ``TingError`` when the server cannot watch (``ting listen``).
    """
    path = path or socket_path()
    deadline = None if timeout is None else time.monotonic() + timeout
    last: dict[str, Any] | None = None
    with _connect(path, timeout) as client:
        try:
            client.sendall(encode({"command": "watch"}))
            buffer = b""
            while True:
                while b"\n" not in buffer:
                    if deadline is not None:
                        left = deadline - time.monotonic()
                        if left <= 0:
                            raise TimeoutError
                        client.settimeout(left)
                    chunk = client.recv(4096)
                    if not chunk:
                        if last == STOPPED:
                            return
                        raise WatchEnded("the running Ting closed the connection")
                    buffer += chunk
                    if len(buffer) > MAX_LINE:
                        raise TingError("the running Ting sent a line that is too long")
                line, buffer = buffer.split(b"\n", 1)
                try:
                    status = decode(line.strip())
                except ValueError:
                    raise TingError("the running Ting sent a status that is not JSON") from None
                if last is None and status.get("ok") is False:
                    error = status.get("error") or "refused"
                    raise TingError(f"the running Ting cannot be watched: {error}")
                last = status
                if status == STOPPED and until is not None:
                    raise WatchEnded("Ting quit")  # ``until`` sees running statuses only
                yield status
                if until is not None and until(status):
                    return
        except TimeoutError:
            assert timeout is not None
            raise WatchTimeout(timeout, last) from None
        except OSError as exc:
            raise WatchEnded(f"the running Ting closed the connection ({exc.strerror})") from None


def wait_status(
    until: Callable[[dict[str, Any]], bool], *, timeout: float, path: Path | None = None
) -> dict[str, Any]:
    """Block until the app's status satisfies ``until`` and return that status (see
    ``watch_status`` for the errors)."""
    # the watch ends at the first status ``until`` accepts (its last), or raises
    (status,) = deque(watch_status(until, timeout=timeout, path=path), maxlen=1)
    return status


def notify_service_manager(message: str = "READY=1") -> bool:
    """Tell a service manager (systemd ``Type=notify``: ``$NOTIFY_SOCKET``) ``message``.

    False when there is none or it cannot be reached; never raises.
    """
    address = os.environ.get("NOTIFY_SOCKET", "")
    if not address:
        return False
    if address.startswith("@"):
        address = "\0" + address[1:]  # an abstract socket
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
            sock.sendto(message.encode(), address)
    except OSError:
        return False
    return True


def status() -> dict[str, Any]:
    """``{"running": true, "state": …}`` from the app, or ``{"running": false}``."""
    try:
        return send_command("status")
    except InstanceNotRunning:
        return {"running": False}
