"""The ``watch`` command: the real ``QLocalServer`` of the desktop controller, read by the
real client (``assistant.ipc.watch_status``) and by ``ting status --watch``.

The server lives on this (the GUI) thread, so every client runs on a thread of its own
and hands its lines over through a queued signal; the test blocks in ``qtbot.waitSignal``
(the event loop runs, the server answers) until the next line arrives.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fixtures_core import ROOT, TING, assert_clean_failure
from fixtures_ui import ChatScript
from PySide6.QtCore import QObject, Signal, Slot

from assistant.errors import TingError
from assistant.ipc import (
    STOPPED,
    InstanceNotRunning,
    WatchEnded,
    WatchTimeout,
    send_command,
    wait_status,
    watch_status,
)

LINE_TIMEOUT_MS = 20_000  # a failure bound only: lines come within an event-loop turn
END = object()  # the reader's source is exhausted


class Reader(QObject):
    """Runs ``source`` (an iterable that blocks) on a thread; its items arrive here."""

    _item = Signal(object)  # from the reader thread (queued to this object's thread)
    arrived = Signal()

    def __init__(self, source: Callable[[], Iterable[Any]]) -> None:
        super().__init__()
        self.items: list[Any] = []
        self._taken = 0
        self._item.connect(self._keep)
        self._source = source
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            for item in self._source():
                self._item.emit(item)
        except BaseException as exc:  # handed to the test, which asserts on it
            self._item.emit(exc)
        self._item.emit(END)

    @Slot(object)
    def _keep(self, item: Any) -> None:
        self.items.append(item)
        self.arrived.emit()

    def next(self, qtbot: Any) -> Any:
        """The next item; waits (the event loop running) until there is one."""
        if self._taken == len(self.items):  # no item can arrive between this and the wait
            with qtbot.waitSignal(self.arrived, timeout=LINE_TIMEOUT_MS):
                pass
        item = self.items[self._taken]
        self._taken += 1
        return item

    def next_status(self, qtbot: Any) -> dict[str, Any]:
        item = self.next(qtbot)
        assert isinstance(item, dict), item
        return item


@pytest.fixture
def controller(
    qtbot: Any, provider_env: Any, core_app: Any, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Any]:
    """The desktop controller serving its socket in this test's TING_HOME; ``quit`` does
    everything but end the test session's QApplication."""
    from PySide6.QtWidgets import QApplication

    from ui.app import DesktopController

    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)  # the socket follows TING_HOME
    monkeypatch.setattr(QApplication, "quit", staticmethod(lambda: None))
    controller = DesktopController(core_app, use_tray=False)
    controller.serve_instance_commands()
    yield controller
    controller.shutdown()


def in_thread(call: Callable[[], Any]) -> Reader:
    return Reader(lambda: [call()])


def test_a_watcher_gets_the_status_then_each_change_and_a_clean_close(
    qtbot: Any, controller: Any, provider_env: Any, core_app: Any
) -> None:
    watcher = Reader(watch_status)
    first = watcher.next_status(qtbot)
    assert first == controller.handle_command("status")
    assert first["running"] is True and first["pid"] == os.getpid()
    assert (first["state"], first["windows"], first["exchanges"]) == ("idle", [], 0)

    # a "may have changed" that changed nothing writes nothing; the next line is the change
    controller.status_changed.emit()
    controller.set_state("idle")
    controller.set_state("thinking")
    assert watcher.next_status(qtbot)["state"] == "thinking"
    controller.set_state("thinking")
    controller.set_state("idle")
    assert watcher.next_status(qtbot)["state"] == "idle"

    # a window shown and hidden (the overlay; no one told the controller but Qt)
    overlay = controller.overlay()
    overlay.show()
    assert watcher.next_status(qtbot)["windows"] == ["overlay"]
    overlay.hide()
    assert watcher.next_status(qtbot)["windows"] == []

    # a typed exchange: busy, then finished (and counted); the last line says it all
    script = ChatScript(provider_env, route_to="chat")
    script.answer("Hello to you too.")
    assert controller.chat_window().submit("hello there")
    lines = []
    while not lines or lines[-1]["exchanges"] < 1:
        lines.append(watcher.next_status(qtbot))
    assert lines[-1]["exchanges"] == 1 and lines[-1]["state"] == "idle"
    assert any(line["state"] == "thinking" for line in lines)
    row = core_app.history.list(limit=1)[0]
    assert (row.input_text, row.status) == ("hello there", "ok")

    # never the same line twice in a row
    everything = [item for item in watcher.items if isinstance(item, dict)]
    assert all(a != b for a, b in zip(everything, everything[1:], strict=False))

    # `quit` over the socket (from another thread: this one serves it): the watcher gets
    # the last line, then the connection closes cleanly (no error, the watch just ends)
    quitter = in_thread(lambda: send_command("quit"))
    assert quitter.next(qtbot) == {"ok": True}
    assert watcher.next(qtbot) == STOPPED
    assert watcher.next(qtbot) is END
    with pytest.raises(InstanceNotRunning):
        send_command("status")  # the socket is gone


def wait_for_watchers(qtbot: Any, server: Any, count: int) -> None:
    while server.watchers != count:  # no event runs between this check and the wait
        with qtbot.waitSignal(server.watchers_changed, timeout=LINE_TIMEOUT_MS):
            pass


def test_watchers_come_and_go_and_waiting_is_bounded(qtbot: Any, controller: Any) -> None:
    server = controller.instance_server
    waiting = in_thread(lambda: wait_status(lambda s: s["state"] == "error", timeout=30))
    wait_for_watchers(qtbot, server, 1)

    # a second watcher that gives up: it is forgotten when its connection closes
    patient = in_thread(lambda: wait_status(lambda s: False, timeout=0.3))
    error = patient.next(qtbot)
    assert isinstance(error, WatchTimeout), error
    assert error.last is not None and error.last["state"] == "idle"
    wait_for_watchers(qtbot, server, 1)

    controller.set_state("error", "the microphone is gone")
    assert waiting.next_status(qtbot)["state"] == "error"
    assert waiting.next(qtbot) is END
    wait_for_watchers(qtbot, server, 0)

    # a wait the app's quitting cuts short says so instead of timing out
    cut_short = in_thread(lambda: wait_status(lambda s: s["state"] == "listening", timeout=30))
    wait_for_watchers(qtbot, server, 1)
    controller.quit()
    error = cut_short.next(qtbot)
    assert isinstance(error, WatchEnded) and "quit" in str(error), error
    assert server.watchers == 0


def test_ting_status_watch_prints_json_lines_until_the_app_quits_or_ctrl_c(
    qtbot: Any, controller: Any, ting_home: Path
) -> None:
    import json

    env = {**os.environ, "TING_HOME": str(ting_home)}
    env.pop("XDG_RUNTIME_DIR", None)

    def start() -> tuple[subprocess.Popen[str], Reader]:
        proc = subprocess.Popen(
            [*TING, "status", "--watch"],
            env=env,
            cwd=str(ROOT),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert proc.stdout is not None
        return proc, Reader(lambda: (json.loads(line) for line in proc.stdout))

    bar, bar_lines = start()
    interrupted, interrupted_lines = start()
    assert bar_lines.next_status(qtbot)["state"] == "idle"
    assert interrupted_lines.next_status(qtbot)["state"] == "idle"

    controller.set_state("thinking")
    assert bar_lines.next_status(qtbot)["state"] == "thinking"
    assert interrupted_lines.next_status(qtbot)["state"] == "thinking"

    # Ctrl-C: exit 0, nothing on stderr
    interrupted.send_signal(signal.SIGINT)
    assert interrupted_lines.next(qtbot) is END
    assert interrupted.wait(30) == 0
    assert interrupted.stderr is not None and interrupted.stderr.read() == ""

    # the app quits: the last line says so, exit 0, no traceback
    controller.quit()
    assert bar_lines.next(qtbot) == STOPPED
    assert bar_lines.next(qtbot) is END
    assert bar.wait(30) == 0
    assert bar.stderr is not None and bar.stderr.read() == ""


def test_ting_status_watch_with_no_app_is_one_clear_line(ting: Any) -> None:
    ran = ting("status", "--watch", env={"XDG_RUNTIME_DIR": None})
    assert_clean_failure(ran, code=3, mentions="not running")
    assert ran.out == ""
    with pytest.raises(InstanceNotRunning):
        next(watch_status(timeout=5))


def test_a_server_that_cannot_watch_says_so(tmp_path: Path) -> None:
    """``ting listen``'s server answers ``watch`` like any command it does not serve."""
    from assistant.frontend.trigger_server import TriggerServer

    def listen_handler(command: str) -> dict[str, Any]:
        if command == "status":
            return {"running": True, "state": "idle", "pid": os.getpid(), "app": "listen"}
        return {"ok": False, "error": f"{command} is not supported by ting listen"}

    path = tmp_path / "ting.sock"
    with TriggerServer(listen_handler, path):
        assert send_command("status", path=path)["app"] == "listen"
        with pytest.raises(TingError, match="cannot be watched: watch is not supported"):
            next(watch_status(path=path, timeout=10))


def test_a_watch_that_ends_without_the_last_line_is_an_error(tmp_path: Path) -> None:
    """An app that vanishes (killed) closes the connection without ``STOPPED``."""
    import socket

    from assistant.ipc import encode

    path = tmp_path / "ting.sock"
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as server:
        server.bind(str(path))
        server.listen(1)

        def serve_one() -> None:
            client, _ = server.accept()
            with client:
                client.recv(4096)
                client.sendall(encode({"running": True, "state": "idle"}))

        threading.Thread(target=serve_one, daemon=True).start()
        watch = watch_status(path=path, timeout=10)
        assert next(watch) == {"running": True, "state": "idle"}
        with pytest.raises(WatchEnded, match="closed the connection"):
            next(watch)


if sys.platform != "linux":  # pragma: no cover
    pytestmark = pytest.mark.skip("Unix sockets as the app uses them")
