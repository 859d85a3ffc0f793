"""The event stream every skill emits: a tagged union of small frozen dataclasses.

The CLI (``--json`` prints ``event.to_dict()`` one per line), the history writer and
the UI all consume the same stream. ``type`` in the dict form is one of
``progress``, ``delta``, ``result``, ``needs_confirmation``, ``error``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Progress:
    """Where a long task is: ``stage`` is a short machine name, ``message`` is for people.

    ``done``/``total`` are counts when known (3 of 7 parts), else None.
    ``elapsed`` is seconds since the task started.
    """

    stage: str
    message: str = ""
    done: int | None = None
    total: int | None = None
    elapsed: float | None = None

    type = "progress"

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"type": self.type, "stage": self.stage, "message": self.message}
        if self.done is not None:
            d["done"] = self.done
        if self.total is not None:
            d["total"] = self.total
        if self.elapsed is not None:
            d["elapsed"] = round(self.elapsed, 3)
        return d


@dataclass(frozen=True)
class Delta:
    """A piece of streamed text output."""

    text: str

    type = "delta"

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.type, "text": self.text}


@dataclass(frozen=True)
class Result:
    """The final answer. ``text`` is what a person reads; ``payload`` is structured data."""

    text: str = ""
    payload: dict[str, Any] = field(default_factory=dict)

    type = "result"

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.type, "text": self.text, "payload": self.payload}


@dataclass(frozen=True)
class NeedsConfirmation:
    """The skill wants to write something (money, files) and needs a yes first.

    ``preview`` is the human-readable preview; ``action`` names what the skill will do
    and ``data`` is everything it needs to do it (editable by the UI before confirming).
    Nothing has been written when this event is emitted. To go ahead, a consumer calls
    ``Runtime.confirm(skill, action, data)``.
    """

    skill: str
    action: str
    preview: str
    data: dict[str, Any] = field(default_factory=dict)

    type = "needs_confirmation"

    def to_dict(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "skill": self.skill,
            "action": self.action,
            "preview": self.preview,
            "data": self.data,
        }


@dataclass(frozen=True)
class Failed:
    """The task failed; ``error`` is a one-line user-facing message."""

    error: str
    kind: str = "error"

    type = "error"

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.type, "error": self.error, "kind": self.kind}


Event = Progress | Delta | Result | NeedsConfirmation | Failed
