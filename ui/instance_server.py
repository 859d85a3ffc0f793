"""The running app's end of the local socket (see ``assistant.ipc``).

A ``QLocalServer`` on the GUI thread: each connection sends one JSON line, the
``handler`` (the desktop controller) answers it, the answer goes back as one JSON line
and the connection closes. The socket is user-only (``UserAccessOption``) inside the
user-only runtime folder.

``watch`` is the exception: the client gets the ``status`` line at once and stays
connected as a watcher. ``status_changed()`` (the controller connects its signals to
it) rechecks the status once per turn of the event loop and writes the new line to
each watcher whose last line differs. ``close()`` writes ``STOPPED`` to the watchers
and closes their connections.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal, Slot
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from assistant.ipc import COMMANDS, MAX_LINE, STOPPED, decode, encode

log = logging.getLogger("ting.ui")

CommandHandler = Callable[[str], dict[str, Any]]

# a watcher that stops reading is dropped once this much is waiting for it
MAX_WATCHER_BACKLOG = 16 * MAX_LINE


class InstanceServer(QObject):
    command_received = Signal(str)
    watchers_changed = Signal(int)  # how many clients are watching now

    def __init__(self, path: Path, handler: CommandHandler, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.path = path
        self.handler = handler
        self.server = QLocalServer(self)
        self.server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self.server.newConnection.connect(self._accept)
        self._clients: dict[QLocalSocket, bytes] = {}
        self._watchers: dict[QLocalSocket, bytes] = {}  # the last line each was sent
        self._recheck = QTimer(self)  # coalesces many changes in one turn into one line
        self._recheck.setSingleShot(True)
        self._recheck.setInterval(0)
        self._recheck.timeout.connect(self._push_status)

    @property
    def watchers(self) -> int:
        return len(self._watchers)

    def listen(self) -> None:
        """Listen on ``path``; a stale socket file left by a crashed app is replaced.

        Call only while holding the instance lock: then no other app owns the file.
        """
        QLocalServer.removeServer(str(self.path))
        if not self.server.listen(str(self.path)):
            raise OSError(f"cannot listen on {self.path}: {self.server.errorString()}")
        self.path.chmod(0o600)

    def close(self) -> None:
        """Stop listening; watchers get ``STOPPED`` and a closed connection."""
        self._recheck.stop()
        watchers = list(self._watchers)
        self._watchers.clear()
        for client in watchers:
            self._send(client, encode(STOPPED))
            client.disconnectFromServer()
            if client.state() != QLocalSocket.LocalSocketState.UnconnectedState:
                client.waitForDisconnected(500)  # the event loop may already be ending
        if watchers:
            self.watchers_changed.emit(0)
        self.server.close()
        QLocalServer.removeServer(str(self.path))

    @Slot()
    def status_changed(self) -> None:
        """Something the status shows may have changed: recheck it (once, after the
        event being handled) and tell the watchers if it did."""
        if self._watchers and not self._recheck.isActive():
            self._recheck.start()

    def _push_status(self) -> None:
        if not self._watchers:
            return
        line = self._status_line()
        for client, last in list(self._watchers.items()):
            if line != last:
                self._watchers[client] = line
                self._send(client, line)

    def _status_line(self) -> bytes:
        try:
            return encode(self.handler("status"))
        except Exception as exc:  # the app must keep serving
            log.exception("instance status failed")
            return encode({"ok": False, "error": f"internal error ({type(exc).__name__})"})

    def _send(self, client: QLocalSocket, line: bytes) -> None:
        client.write(line)
        client.flush()
        if client.bytesToWrite() > MAX_WATCHER_BACKLOG:
            log.warning("a status watcher stopped reading; its connection is closed")
            client.abort()  # disconnected → _forget

    def _accept(self) -> None:
        while self.server.hasPendingConnections():
            client = self.server.nextPendingConnection()
            self._clients[client] = b""
            client.readyRead.connect(lambda c=client: self._read(c))
            client.disconnected.connect(lambda c=client: self._forget(c))

    def _forget(self, client: QLocalSocket) -> None:
        self._clients.pop(client, None)
        if self._watchers.pop(client, None) is not None:
            self.watchers_changed.emit(len(self._watchers))
        client.deleteLater()

    def _read(self, client: QLocalSocket) -> None:
        if client in self._watchers:
            client.readAll()  # a watcher has nothing more to say
            return
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
        if command == "watch":
            self._watch(client)
            self.command_received.emit(command)
            return
        try:
            answer = self.handler(command)
        except Exception as exc:  # the app must keep serving
            log.exception("instance command %s failed", command)
            answer = {"ok": False, "error": f"internal error ({type(exc).__name__})"}
        self._reply(client, answer)
        self.command_received.emit(command)

    def _watch(self, client: QLocalSocket) -> None:
        self._clients.pop(client, None)
        line = self._status_line()
        self._watchers[client] = line
        self._send(client, line)
        if client in self._watchers:  # not dropped while sending
            self.watchers_changed.emit(len(self._watchers))

    def _reply(self, client: QLocalSocket, answer: dict[str, Any]) -> None:
        client.write(encode(answer))
        client.flush()
        client.disconnectFromServer()
