"""The running app's end of the local socket (see ``assistant.ipc``).

A ``QLocalServer`` on the GUI thread: each connection sends one JSON line, the
``handler`` (the desktop controller) answers it, the answer goes back as one JSON line
and the connection closes. The socket is user-only (``UserAccessOption``) inside the
user-only runtime folder.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from assistant.ipc import COMMANDS, MAX_LINE, decode, encode

log = logging.getLogger("ting.ui")

CommandHandler = Callable[[str], dict[str, Any]]


class InstanceServer(QObject):
    command_received = Signal(str)

    def __init__(self, path: Path, handler: CommandHandler, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.path = path
        self.handler = handler
        self.server = QLocalServer(self)
        self.server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self.server.newConnection.connect(self._accept)
        self._clients: dict[QLocalSocket, bytes] = {}

    def listen(self) -> None:
        """Listen on ``path``; a stale socket file left by a crashed app is replaced.

        Call only while holding the instance lock: then no other app owns the file.
        """
        QLocalServer.removeServer(str(self.path))
        if not self.server.listen(str(self.path)):
            raise OSError(f"cannot listen on {self.path}: {self.server.errorString()}")
        self.path.chmod(0o600)

    def close(self) -> None:
        self.server.close()
        QLocalServer.removeServer(str(self.path))

    def _accept(self) -> None:
        while self.server.hasPendingConnections():
            client = self.server.nextPendingConnection()
            self._clients[client] = b""
            client.readyRead.connect(lambda c=client: self._read(c))
            client.disconnected.connect(lambda c=client: self._forget(c))

    def _forget(self, client: QLocalSocket) -> None:
        self._clients.pop(client, None)
        client.deleteLater()

    def _read(self, client: QLocalSocket) -> None:
        buffer = self._clients.get(client, b"") + bytes(client.readAll().data())
        if b"\n" not in buffer:
            if len(buffer) > MAX_LINE:
                self._reply(client, {"ok": False, "error": "message too long"})
            else:
                self._clients[client] = buffer
            return
        line = buffer.split(b"\n", 1)[0]
        try:
            command = str(decode(line).get("command", ""))
        except (ValueError, UnicodeDecodeError, json.JSONDecodeError):
            self._reply(client, {"ok": False, "error": "not a JSON object"})
            return
        if command not in COMMANDS:
            self._reply(client, {"ok": False, "error": f"unknown command {command!r}"})
            return
        try:
            answer = self.handler(command)
        except Exception as exc:  # the app must keep serving
            log.exception("instance command %s failed", command)
            answer = {"ok": False, "error": f"internal error ({type(exc).__name__})"}
        self._reply(client, answer)
        self.command_received.emit(command)

    def _reply(self, client: QLocalSocket, answer: dict[str, Any]) -> None:
        client.write(encode(answer))
        client.flush()
        client.disconnectFromServer()
