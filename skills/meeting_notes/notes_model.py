"""What meeting notes are made of: transcript lines, action items and the notes themselves.

Plain frozen dataclasses with ``to_dict``/``from_dict`` so that they go into SQLite as
JSON and come back unchanged. No I/O here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class TranscriptLine:
    """One timed line of the transcript (times in seconds; None for a plain text file)."""

    text: str
    start: float | None = None
    end: float | None = None
    speaker: str | None = None

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"text": self.text}
        if self.start is not None:
            d["start"] = round(self.start, 2)
        if self.end is not None:
            d["end"] = round(self.end, 2)
        if self.speaker:
            d["speaker"] = self.speaker
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> TranscriptLine:
        return cls(
            text=str(d["text"]),
            start=d.get("start"),
            end=d.get("end"),
            speaker=d.get("speaker"),
        )


@dataclass(frozen=True)
class ActionItem:
    """Something somebody will do: ``what``, and ``owner``/``due`` when they were said."""

    what: str
    owner: str | None = None
    due: str | None = None
    at: float | None = None  # seconds into the meeting where it was said

    def to_dict(self) -> dict[str, Any]:
        return {"what": self.what, "owner": self.owner, "due": self.due, "at": self.at}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ActionItem:
        return cls(
            what=str(d.get("what") or "").strip(),
            owner=(str(d["owner"]).strip() or None) if d.get("owner") else None,
            due=(str(d["due"]).strip() or None) if d.get("due") else None,
            at=d.get("at") if isinstance(d.get("at"), (int, float)) else None,
        )


@dataclass(frozen=True)
class MeetingNotes:
    """The notes a person would have written, plus the transcript they came from.

    ``offline`` is True when no language model wrote them (extractive summary and
    pattern-matched items); ``problems`` lists parts that could not be summarized.
    """

    title: str
    language: str
    summary: list[str]
    decisions: list[str]
    action_items: list[ActionItem]
    open_questions: list[str]
    transcript: list[TranscriptLine]
    duration: float | None = None
    offline: bool = True
    offline_reason: str = ""
    problems: list[str] = field(default_factory=list)
    source: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "language": self.language,
            "summary": list(self.summary),
            "decisions": list(self.decisions),
            "action_items": [a.to_dict() for a in self.action_items],
            "open_questions": list(self.open_questions),
            "transcript": [t.to_dict() for t in self.transcript],
            "duration": self.duration,
            "offline": self.offline,
            "offline_reason": self.offline_reason,
            "problems": list(self.problems),
            "source": self.source,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> MeetingNotes:
        return cls(
            title=d["title"],
            language=d["language"],
            summary=list(d.get("summary", [])),
            decisions=list(d.get("decisions", [])),
            action_items=[ActionItem.from_dict(a) for a in d.get("action_items", [])],
            open_questions=list(d.get("open_questions", [])),
            transcript=[TranscriptLine.from_dict(t) for t in d.get("transcript", [])],
            duration=d.get("duration"),
            offline=bool(d.get("offline", True)),
            offline_reason=d.get("offline_reason", ""),
            problems=list(d.get("problems", [])),
            source=d.get("source", ""),
        )
