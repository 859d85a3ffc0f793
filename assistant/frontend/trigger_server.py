"""The serving end of ``ting trigger`` / ``ting status`` without Qt (for ``ting listen``).

Speaks the protocol of ``assistant.ipc`` (one JSON line in, one JSON line out) on the
user-only socket in ``runtime_dir()``, holding the per-user instance lock so only one
Ting serves at a time. The handler is called on the server's thread.
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from assistant.errors import TingError

CommandHandler = Callable[[str], dict[str, Any]]


class AlreadyRunning(TingError):
    def __init__(self) -> None:
        super().__init__(
            "another Ting (the app or ting listen) is already running",
            hint="use `ting trigger` to talk to it, or quit it first",
        )


class TriggerServer:
    def __init__(self, handler: CommandHandler, path: Path | None = None) -> None:
        from assistant import ipc

        self.handler = handler
        self.path = path or ipc.socket_path()
        self._lock_file: IO[bytes] | None = None
        self._socket: socket.socket | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> TriggerServer:
        from assistant import ipc

        lock_file = ipc.acquire_instance_lock(self.path.parent / ipc.LOCK_NAME)
        if lock_file is None:
            raise AlreadyRunning()
        self._lock_file = lock_file
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()  # stale, from a Ting that died: we hold the lock now
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        old_mask = os.umask(0o177)  # the socket is created user-only (0600)
        try:
            server.bind(str(self.path))
        finally:
            os.umask(old_mask)
        os.chmod(self.path, 0o600)
        server.listen(8)
        server.settimeout(0.5)
        self._socket = server
        self._thread = threading.Thread(target=self._serve, name="ting-trigger", daemon=True)
        self._thread.start()
        return self

    def _serve(self) -> None:
        server = self._socket
        while server is not None and self._socket is server:
            try:
                client, _ = server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with client:
                self._answer(client)

    def _answer(self, client: socket.socket) -> None:
        from assistant import ipc

        client.settimeout(3)
        data = b""
        try:
            while not data.endswith(b"\n") and len(data) <= ipc.MAX_LINE:
                chunk = client.recv(4096)
                if not chunk:
                    break
                data += chunk
            try:
                message = ipc.decode(data.strip())
                command = message.get("command")
                if command not in ipc.COMMANDS:
                    answer: dict[str, Any] = {"ok": False, "error": f"unknown command {command!r}"}
                else:
                    answer = self.handler(command)
            except ValueError:
                answer = {"ok": False, "error": "the request is not a JSON object"}
            except TingError as exc:
                answer = {"ok": False, "error": exc.user_message()}
            client.sendall(ipc.encode(answer))
        except OSError:
            return

    def close(self) -> None:
        server, self._socket = self._socket, None
        if server is not None:
            server.close()
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()
        if self._thread is not None:
            self._thread.join(timeout=2)
        if self._lock_file is not None:
            self._lock_file.close()
            self._lock_file = None

    def __enter__(self) -> TriggerServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()
