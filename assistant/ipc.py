"""Talking to the running Ting (the tray app, or `ting listen`) over a local socket.

The app (``ui.instance_server``; any long-running Ting may serve it) listens on ``ting.sock`` in ``runtime_dir()`` (a
folder only the user can enter; the socket itself is user-only too). A client sends
one JSON line ``{"command": NAME}`` and reads one JSON line back:

* ``status``  → ``{"running": true, "state": "idle"|"listening"|"thinking"|"error", "pid": N}``
* ``trigger`` → ``{"ok": bool, "state": ..., "error"?: str}`` (toggles talking)
* ``show``    → ``{"ok": true}`` (a second ``ting`` hands over: the first shows its window)
* ``quit``    → ``{"ok": true}`` (the app exits)

Only one app runs per user: it holds an exclusive ``flock`` on ``ting.lock`` for its
whole life, so two that start at once cannot both listen.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
from pathlib import Path
from typing import IO, Any

from assistant.errors import TingError

COMMANDS = ("status", "trigger", "show", "quit")
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


def send_command(command: str, *, path: Path | None = None, timeout: float = 3.0) -> dict[str, Any]:
    """Send one command to the running app and return its answer."""
    if command not in COMMANDS:
        raise ValueError(f"unknown command {command!r}")
    path = path or socket_path()
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
        client.settimeout(timeout)
        try:
            client.connect(str(path))
        except (FileNotFoundError, ConnectionRefusedError):
            raise InstanceNotRunning() from None
        except OSError as exc:
            raise TingError(f"cannot reach the running Ting at {path}: {exc.strerror}") from None
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
        return decode(data.strip())
    except ValueError:
        raise TingError("the running Ting sent an answer that is not JSON") from None


def status() -> dict[str, Any]:
    """``{"running": true, "state": …}`` from the app, or ``{"running": false}``."""
    try:
        return send_command("status")
    except InstanceNotRunning:
        return {"running": False}
