"""What a live interpreter session reports: small frozen dataclasses, like the events of
``assistant.events``. ``ting interpret --json`` prints ``event.to_dict()`` one per line;
the interpreter window shows them.

Times are seconds from the first sample of the audio; ``emitted_s`` is when the
session reported it, on the session's clock (set by ``InterpreterSession.emit``).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, ClassVar


class _AsDict:
    type: ClassVar[str]

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"type": self.type}
        for f in fields(self):  # type: ignore[arg-type]
            value = getattr(self, f.name)
            if f.name == "emitted_s" and value is None:
                continue
            d[f.name] = value
        return d


@dataclass(frozen=True)
class PartialText(_AsDict):
    """The sentence being spoken, as heard so far (replaced by the next one)."""

    sentence: int
    lang: str
    text: str
    audio_end_s: float
    emitted_s: float | None = None

    type = "partial"


@dataclass(frozen=True)
class SourceText(_AsDict):
    """A finished sentence, in the language it was spoken in."""

    sentence: int
    lang: str
    text: str
    audio_start_s: float
    audio_end_s: float
    emitted_s: float | None = None

    type = "source"


@dataclass(frozen=True)
class TranslationText(_AsDict):
    """A finished sentence's translation into the other language of the pair."""

    sentence: int
    lang: str
    text: str
    source_lang: str
    audio_end_s: float
    emitted_s: float | None = None

    type = "translation"


@dataclass(frozen=True)
class Notice(_AsDict):
    """Something the people listening should know (translation off, partials off, …)."""

    text: str
    emitted_s: float | None = None

    type = "notice"


@dataclass(frozen=True)
class Listening(_AsDict):
    """The audio is flowing: the model is loaded and the microphone (or file) started."""

    emitted_s: float | None = None

    type = "started"


InterpreterEvent = PartialText | SourceText | TranslationText | Notice | Listening
