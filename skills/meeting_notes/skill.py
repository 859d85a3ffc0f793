"""The meeting-notes skill: the thin shell the runtime calls."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from assistant.errors import SkillError
from assistant.events import Event
from assistant.skill import Request, SkillContext


class MeetingNotesSkill:
    name = "meeting_notes"
    description = (
        "Turns a meeting recording or transcript into notes: summary, decisions, action "
        "items, open questions and the timed transcript."
    )

    def run(self, request: Request, ctx: SkillContext) -> Iterator[Event]:
        from skills.meeting_notes.meeting_store import MeetingStore
        from skills.meeting_notes.notes_pipeline import make_notes, notes_for_latest_recording

        store = MeetingStore(ctx.history)
        options = request.options
        if options.get("path"):
            channels = options.get("speaker_channels")
            yield from make_notes(
                ctx,
                store,
                path=Path(options["path"]),
                language=options.get("language") or "auto",
                title=options.get("title"),
                notes_language=options.get("notes_language"),
                speaker_channels=tuple(channels) if channels else None,  # type: ignore[arg-type]
                recording_id=options.get("recording_id"),
                part_chars=options.get("part_chars"),
            )
            return
        yield from notes_for_latest_recording(ctx, store)

    def apply(self, action: str, data: dict[str, Any], ctx: SkillContext) -> Iterator[Event]:
        raise SkillError(f"the meeting_notes skill has no action {action!r}")
        yield  # pragma: no cover
