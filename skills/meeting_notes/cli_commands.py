"""``ting meeting notes|list|show|export|record``.

Imported when the CLI starts (through the plugin hook): only click and the core here;
numpy, PyAV, faster-whisper and openai are imported when a command runs.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

import click

from assistant.errors import Cancelled, UsageError

FORMAT_CHOICES = ("md", "txt", "srt")


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` all at once: a temp file beside it, fsync, rename."""
    path = path.expanduser()
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise UsageError(f"cannot write {path}: the folder {folder} does not exist")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=folder)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def parse_channel_names(text: str | None) -> tuple[str, str] | None:
    if text is None:
        return None
    names = [n.strip() for n in text.split(",")]
    if len(names) != 2 or not all(names):
        raise UsageError(f"--channels takes two names like Me,Them, not {text!r}")
    return names[0], names[1]


def _store():
    from assistant.cli import get_app
    from skills.meeting_notes.meeting_store import MeetingStore

    return MeetingStore(get_app().history)


def run_notes(
    *,
    path: Path,
    out: Path | None,
    language: str,
    notes_language: str | None,
    title: str | None,
    as_json: bool,
    speaker_channels: tuple[str, str] | None = None,
    recording_id: int | None = None,
) -> int:
    """Run the notes pipeline through the runtime (recorded in the history); exit code."""
    from assistant.cli import emit_json, get_app
    from assistant.console import EventPrinter
    from assistant.events import Failed, Result
    from assistant.skill import CancelToken, Request
    from skills.meeting_notes.audio_stream import check_readable_file
    from skills.meeting_notes.progress_view import ProgressBarView

    check_readable_file(path.expanduser())
    if out is not None and not out.expanduser().parent.is_dir():
        raise UsageError(f"cannot write {out}: its folder does not exist")
    app = get_app()
    cancel = CancelToken()
    options = {
        "path": str(path.expanduser().resolve()),
        "language": language,
        "notes_language": notes_language,
        "title": title,
        "speaker_channels": list(speaker_channels) if speaker_channels else None,
        "recording_id": recording_id,
    }
    request = Request(text=f"meeting notes: {path.name}", skill="meeting_notes", options=options)
    events = app.runtime.run(request, cancel=cancel)
    json_printer = EventPrinter(as_json=True) if as_json else None
    view = None if as_json else ProgressBarView()
    code = 0
    try:
        for event in events:
            if json_printer is not None:
                json_printer.show(event)
            elif view is not None:
                view.show(event)
            if isinstance(event, Failed):
                code = 130 if event.kind == "cancelled" else 1
            elif isinstance(event, Result):
                if out is not None:
                    write_atomically(out, event.text)
                    if as_json:
                        emit_json({"type": "saved", "path": str(out)})
                    else:
                        meeting_id = event.payload.get("meeting_id")
                        click.echo(f"notes written to {out} (meeting {meeting_id})")
                elif not as_json:
                    sys.stdout.write(event.text)
                    sys.stdout.flush()
    except KeyboardInterrupt:
        cancel.cancel()
        events.close()
        if view is not None:
            view.close()
        raise Cancelled(
            "stopped; the finished parts are kept: run the same command again to continue"
        ) from None
    finally:
        if view is not None:
            view.close()
    return code


def register(cli: click.Group) -> None:
    @cli.group("meeting")
    def meeting() -> None:
        """Meeting notes: record, transcribe, summarize; list, show and export notes."""

    @meeting.command("notes")
    @click.argument("source", type=click.Path(path_type=Path))
    @click.option(
        "--out", "-o", type=click.Path(path_type=Path), help="Write the notes here (Markdown)."
    )
    @click.option(
        "--language",
        type=click.Choice(["auto", "zh", "en"]),
        default="auto",
        show_default=True,
        help="The meeting's spoken language.",
    )
    @click.option(
        "--notes-language",
        type=click.Choice(["zh", "en"]),
        default=None,
        help="Write the notes in this language (default: the meeting's).",
    )
    @click.option("--title", default=None, help="The meeting's title (default: the model's).")
    @click.option(
        "--channels",
        default=None,
        metavar="LEFT,RIGHT",
        help="Two-channel audio: label who spoke by channel (recordings use Me,Them).",
    )
    @click.option("--json", "as_json", is_flag=True, help="Events as JSON lines on stdout.")
    def notes(
        source: Path,
        out: Path | None,
        language: str,
        notes_language: str | None,
        title: str | None,
        channels: str | None,
        as_json: bool,
    ) -> None:
        """Notes from an audio file (wav/flac/ogg/mp3/m4a) or a text transcript.

        Long audio is transcribed in chunks that are saved as they finish: stop it with
        Ctrl-C and run the same command again to continue where it stopped.
        """
        sys.exit(
            run_notes(
                path=source,
                out=out,
                language=language,
                notes_language=notes_language,
                title=title,
                as_json=as_json,
                speaker_channels=parse_channel_names(channels),
            )
        )

    @meeting.command("list")
    @click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 10_000))
    @click.option("--json", "as_json", is_flag=True)
    def list_meetings(limit: int, as_json: bool) -> None:
        """The stored meeting notes, newest first."""
        from assistant.cli import emit_json
        from skills.meeting_notes.rendering import clock

        meetings = _store().meetings(limit)
        if as_json:
            emit_json({"meetings": [m.summary_dict() for m in meetings]})
            return
        if not meetings:
            click.echo("no meeting notes yet (make some with `ting meeting notes FILE`)")
            return
        for m in meetings:
            length = clock(m.duration) if m.duration else "--:--"
            offline = " [offline]" if m.offline else ""
            click.echo(
                f"{m.id:>4}  {m.created_at[:16].replace('T', ' ')}  {length:>8}  {m.title}{offline}"
            )

    def _meeting_or_fail(meeting_id: int):
        found = _store().meeting(meeting_id)
        if found is None:
            raise UsageError(
                f"no meeting with id {meeting_id}", hint="`ting meeting list` shows them"
            )
        return found

    @meeting.command("show")
    @click.argument("meeting_id", type=int)
    @click.option("--json", "as_json", is_flag=True)
    def show(meeting_id: int, as_json: bool) -> None:
        """One meeting's notes (Markdown, or JSON with --json)."""
        from assistant.cli import emit_json
        from skills.meeting_notes.rendering import render_markdown

        found = _meeting_or_fail(meeting_id)
        if as_json:
            emit_json({**found.summary_dict(), "notes": json.loads(found.notes_json)})
            return
        sys.stdout.write(render_markdown(found.notes()))

    @meeting.command("export")
    @click.argument("meeting_id", type=int)
    @click.option(
        "--format", "fmt", type=click.Choice(FORMAT_CHOICES), default="md", show_default=True
    )
    @click.option(
        "--out", "-o", type=click.Path(path_type=Path), help="Write here instead of stdout."
    )
    def export(meeting_id: int, fmt: str, out: Path | None) -> None:
        """One meeting's notes as Markdown, plain text or SRT subtitles."""
        from skills.meeting_notes.rendering import render

        text = render(_meeting_or_fail(meeting_id).notes(), fmt)
        if out is None:
            sys.stdout.write(text)
        else:
            write_atomically(out, text)
            click.echo(f"wrote {out}")
