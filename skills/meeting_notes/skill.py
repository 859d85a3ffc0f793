"""The meeting-notes skill: the thin shell the runtime calls."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from assistant.errors import Declined, SkillError
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
        from skills.meeting_notes.routing import names_a_meeting

        if not names_a_meeting(request.text):
            # no meeting, recording or file in the request: not meeting notes
            raise Declined(
                "the request names no meeting, call or recording (say e.g. 整理一下刚才的会议, "
                "or give a file: ting meeting notes FILE)"
            )
        yield from notes_for_latest_recording(ctx, store)

    def apply(self, action: str, data: dict[str, Any], ctx: SkillContext) -> Iterator[Event]:
        raise SkillError(f"the meeting_notes skill has no action {action!r}")
        yield  # pragma: no cover
