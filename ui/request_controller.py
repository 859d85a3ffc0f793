"""Where a request from the desktop app goes: typed in the chat window or heard by the
voice session, it runs through the runtime here, one at a time.

The chat window and the voice overlay both listen to the same ``RequestController``:
``started(request)`` before its first event, ``event(event)`` for each event of the
run, ``finished(outcome)`` after the last one and ``busy_changed`` around it. A
confirmation (a card's Save or Apply) runs here too, so there is only ever one task.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from assistant.events import Delta, Event, Failed, NeedsConfirmation, Progress, Result
from assistant.skill import Request

if TYPE_CHECKING:
    from assistant.frontend.app import App
    from ui.workers import EventStreamTask, TaskRunner

CONVERSATION_TURNS = 12  # earlier turns sent along with a chat request


class RequestController(QObject):
    started = Signal(object)  # the Request, before any of its events
    event = Signal(object)  # each event of the running request
    # {"status": ok|error|cancelled|needs_confirmation, "text", "skill", "input", "elapsed",
    #  "origin"}
    finished = Signal(dict)
    busy_changed = Signal(bool)

    def __init__(self, app: App, runner: TaskRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.app = app
        self.runner = runner
        self.conversation: list[dict[str, str]] = []  # chat turns, sent with each request
        self.current: Request | None = None  # the last request run (kept after it ends)
        self.answer = ""  # the streamed answer to the current request, so far
        self.task: EventStreamTask | None = None
        self._outcome: dict[str, Any] = {}
        self._started_at = 0.0

    @property
    def busy(self) -> bool:
        return self.task is not None

    @property
    def shown_elsewhere(self) -> bool:
        """Whether the current request is one the chat window leaves out."""
        return self.current is not None and bool(self.current.options.get("shown_elsewhere"))

    def submit(
        self,
        text: str,
        origin: str = "typed",
        options: dict[str, Any] | None = None,
        *,
        skill: str | None = None,
    ) -> bool:
        """Run ``text`` through the runtime (routed, or by ``skill``); False if something
        is running already. ``options`` go with the request (a voice request's text as
        heard); ``skill`` is for a request the window makes itself, e.g.
        importing a dropped bill. A request whose options have ``shown_elsewhere`` (dictation, an edit of
        the selection: the overlay and the edit card show them) is left out of the chat
        window."""
        if self.busy or not text.strip():
            return False
        request = Request(
            text=text,
            origin=origin,
            skill=skill,
            options={"conversation": self.conversation[-CONVERSATION_TURNS:], **(options or {})},
        )
        self.current = request
        self.answer = ""
        self._outcome = {"input": text, "skill": None, "origin": origin}
        self.started.emit(request)
        runtime = self.app.runtime
        self._begin(
            self.runner.stream(
                lambda cancel: runtime.run(request, cancel=cancel),
                f"run {text[:40]!r}",
                on_event=self._on_event,
                on_finished=self._on_finished,
            )
        )
        return True

    def confirm(
        self,
        proposal: NeedsConfirmation,
        data: dict[str, Any],
        *,
        on_event: Callable[[Event], Any],
        on_finished: Callable[[], Any],
    ) -> bool:
        """Do what ``proposal`` proposed (with the user's ``data``); False if busy."""
        if self.busy:
            return False
        runtime = self.app.runtime
        spoken = self.current is not None and self.current.origin == "voice"
        origin = "voice" if spoken else "typed"

        def finished() -> None:
            self._end()
            on_finished()

        self._begin(
            self.runner.stream(
                lambda cancel: runtime.confirm(
                    proposal.skill, proposal.action, data, origin=origin, cancel=cancel
                ),
                f"confirm {proposal.skill}.{proposal.action}",
                on_event=on_event,
                on_finished=finished,
            )
        )
        return True

    def cancel(self) -> None:
        if self.task is not None:
            self.task.cancel()

    def _begin(self, task: EventStreamTask) -> None:
        self.task = task
        self._started_at = time.monotonic()
        self.busy_changed.emit(True)

    def _end(self) -> float:
        self.task = None
        self.busy_changed.emit(False)
        return time.monotonic() - self._started_at

    def _on_event(self, event: Event) -> None:
        outcome = self._outcome
        if isinstance(event, Progress) and event.stage == "routed":
            outcome["skill"] = event.message.split(" ", 1)[0]
        elif isinstance(event, Delta):
            self.answer += event.text
        elif isinstance(event, Result):
            outcome.update(status="ok", text=event.text or self.answer)
        elif isinstance(event, NeedsConfirmation):
            outcome.update(status="needs_confirmation", text=event.preview)
        elif isinstance(event, Failed):
            status = "cancelled" if event.kind == "cancelled" else "error"
            outcome.update(status=status, text=event.error)
        self.event.emit(event)

    def _on_finished(self) -> None:
        elapsed = self._end()
        outcome = self._outcome
        if outcome.get("status") == "ok" and outcome.get("skill") == "chat":
            self.conversation.append({"role": "user", "content": outcome["input"]})
            self.conversation.append({"role": "assistant", "content": outcome.get("text", "")})
        self.finished.emit(
            {
                "status": outcome.get("status", "error"),
                "text": outcome.get("text", ""),
                "skill": outcome.get("skill"),
                "input": outcome.get("input", ""),
                "elapsed": elapsed,
                "origin": outcome.get("origin", "typed"),
            }
        )
