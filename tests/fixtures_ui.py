"""Fixtures for the Qt tests: offscreen widgets over the real core, screenshots.

Widget tests run on Qt's ``offscreen`` platform (set here before pytest-qt builds the
QApplication) against the real runtime, the real SQLite history in the test's
TING_HOME and the scripted provider on loopback. The tray test needs a real X display
with a tray host and runs the app in a subprocess (see test_ui_tray.py).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"


class ChatScript:
    """Replies for the skill a test talks to; the router's question to the model gets
    ``route_to`` (the scripted provider pops its queue before asking a responder, so a
    router call would otherwise take a reply meant for the skill)."""

    def __init__(self, provider: Any, route_to: str = "chat") -> None:
        from scripted_provider import Reply

        self._reply_class = Reply
        self.provider = provider
        self.route_to = route_to
        self.replies: list[Any] = []
        provider.responder = self._respond

    def answer(self, text: str = "", **kw: Any) -> None:
        self.replies.append(self._reply_class(text=text, **kw))

    def _respond(self, body: dict[str, Any]) -> Any:
        from assistant.router_model import is_routing_prompt

        system = body["messages"][0]["content"] if body.get("messages") else ""
        if is_routing_prompt(system):
            return self._reply_class(f'{{"skill": "{self.route_to}"}}')
        return self.replies.pop(0) if self.replies else None


class EventLoopWatch:
    """Measures the longest gap between ticks of a 20 ms timer on the GUI thread.

    A gap much longer than the interval means the event loop was blocked (a widget did
    work it should have handed to a worker).
    """

    def __init__(self, interval_ms: int = 20) -> None:
        import time

        from PySide6.QtCore import QTimer

        self._clock = time.monotonic
        self.timer = QTimer()
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self._tick)
        self.last = 0.0
        self.longest_gap = 0.0
        self.ticks = 0

    def _tick(self) -> None:
        now = self._clock()
        if self.last:
            self.longest_gap = max(self.longest_gap, now - self.last)
        self.last = now
        self.ticks += 1

    def __enter__(self) -> EventLoopWatch:
        self.last = self._clock()
        self.timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.timer.stop()
        self._tick()


def save_screenshot(widget: Any, name: str) -> Path:
    """Grab ``widget`` into tests/artifacts/NAME.png (git-ignored) and return the path."""
    from PySide6.QtWidgets import QApplication

    for _ in range(3):  # layout requests travel up one parent per pass
        QApplication.processEvents()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    assert widget.grab().save(str(path)), f"could not save {path}"
    return path


@pytest.fixture
def ui_language(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Set the UI language for one test (``ui_language("zh")``); English afterwards."""
    from ui.i18n import set_language

    def choose(language: str) -> None:
        set_language(language)

    set_language("en")
    yield choose
    set_language("en")


@pytest.fixture
def core_app(ting_home: Path) -> Iterator[Any]:
    """The real composition root for this test's TING_HOME (and its environment)."""
    from assistant.frontend.app import App

    app = App.from_environment()
    yield app
    if "history" in app.__dict__:
        app.history.close()


@pytest.fixture
def task_runner(qapp: Any) -> Iterator[Any]:
    from ui.workers import TaskRunner

    runner = TaskRunner()
    yield runner
    assert runner.shutdown(10_000), "background tasks did not stop"
