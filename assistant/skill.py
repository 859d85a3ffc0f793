"""What a skill is and what it is handed.

A skill is an object with a ``name``, a one-line ``description``, a ``run`` method that
turns a ``Request`` into a stream of events, and an ``apply`` method that does what a
``NeedsConfirmation`` event proposed, once the user said yes. Skills are discovered as
plugins (see ``assistant.registry``); they never build their own dependencies: the
``SkillContext`` hands them the settings, the history store, the provider client and
the cancel token.
"""

from __future__ import annotations

import datetime as _dt
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from assistant.errors import Cancelled, SkillError

if TYPE_CHECKING:
    from assistant.config import Settings
    from assistant.events import Event
    from assistant.history import HistoryStore
    from assistant.llm import LLMClient


class CancelToken:
    """Set from any thread; checked by long work at every step."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self._callbacks: list[Callable[[], None]] = []
        self._lock = threading.Lock()

    def cancel(self) -> None:
        with self._lock:
            if self._event.is_set():
                return
            self._event.set()
            callbacks = list(self._callbacks)
        for cb in callbacks:
            try:
                cb()
            except Exception:  # a callback must not stop the others
                pass

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def raise_if_cancelled(self) -> None:
        if self._event.is_set():
            raise Cancelled()

    def wait(self, timeout: float) -> bool:
        """Sleep up to ``timeout`` seconds; True if cancelled meanwhile."""
        return self._event.wait(timeout)

    def on_cancel(self, callback: Callable[[], None]) -> None:
        with self._lock:
            if not self._event.is_set():
                self._callbacks.append(callback)
                return
        callback()


@dataclass(frozen=True)
class Request:
    """One thing the user asked. ``origin`` is where it came from: voice, typed or cli."""

    text: str
    origin: str = "cli"
    skill: str | None = None  # forced skill (e.g. `ting translate`), else routed
    options: dict[str, Any] = field(default_factory=dict)


@dataclass
class SkillContext:
    """Everything a skill may use, built once by the composition root."""

    settings: Settings
    history: HistoryStore
    llm_factory: Callable[[], LLMClient]
    cancel: CancelToken = field(default_factory=CancelToken)
    today: _dt.date | None = None
    history_id: int | None = None  # the exchange row this run belongs to
    services: dict[str, Any] = field(default_factory=dict)  # e.g. "asr": lazily built engine

    def llm(self) -> LLMClient:
        """The provider client; raises ProviderNotConfigured with what to set."""
        return self.llm_factory()

    def current_date(self) -> _dt.date:
        return self.today or _dt.date.today()

    def service(self, name: str) -> Any:
        factory = self.services.get(name)
        if factory is None:
            raise SkillError(f"the {name} service is not available in this session")
        return factory() if callable(factory) else factory


@runtime_checkable
class Skill(Protocol):
    name: str
    description: str

    def run(self, request: Request, ctx: SkillContext) -> Iterator[Event]: ...

    def apply(self, action: str, data: dict[str, Any], ctx: SkillContext) -> Iterator[Event]: ...
