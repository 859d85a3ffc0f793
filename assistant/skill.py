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
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from assistant.cancel import CancelToken
from assistant.errors import SkillError

if TYPE_CHECKING:
    from assistant.config import Settings
    from assistant.events import Event
    from assistant.history import HistoryStore
    from assistant.llm import LLMClient


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
    service_provider: Callable[[str], Any] | None = None  # the composition root's engines

    def llm(self) -> LLMClient:
        """The provider client; raises ProviderNotConfigured with what to set."""
        return self.llm_factory()

    def current_date(self) -> _dt.date:
        return self.today or _dt.date.today()

    def service(self, name: str) -> Any:
        """A shared engine (``asr``: the speech recognizer), built once per process."""
        if self.service_provider is None:
            raise SkillError(f"the {name} service is not available in this session")
        return self.service_provider(name)


@runtime_checkable
class Skill(Protocol):
    name: str
    description: str

    def run(self, request: Request, ctx: SkillContext) -> Iterator[Event]: ...

    def apply(self, action: str, data: dict[str, Any], ctx: SkillContext) -> Iterator[Event]: ...
