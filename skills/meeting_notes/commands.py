"""``ting meeting notes|list|show|export|record``.

Imported when the CLI starts (through the plugin hook): only click and the core here;
numpy, PyAV, faster-whisper and openai are imported when a command runs.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from assistant.errors import Cancelled, UsageError, one_line

FORMAT_CHOICES = ("md", "txt", "srt")


def write_notes(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` all at once, or say in one line why it cannot."""
    from assistant.atomic_write import write_atomically

    path = path.expanduser()
    if path.is_dir():
        raise UsageError(f"cannot write {path}: it is a folder (name a file in it)")
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise UsageError(f"cannot write {path}: the folder {folder} does not exist")
    try:
        write_atomically(path, text)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror}") from None


def parse_channel_names(text: str | None) -> tuple[str, str] | None:
    if text is None:
        return None
    names = [n.strip() for n in text.split(",")]
    if len(names) != 2 or not all(names):
        raise UsageError(f"--channels takes two names like Me,Them, not {text!r}")
    return names[0], names[1]


def _store():
    from assistant.cli_kit import get_app
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
    from assistant.cli_kit import emit_json, get_app
    from assistant.console import EventPrinter
    from assistant.events import Failed, Progress, Result
    from assistant.skill import CancelToken, Request
    from skills.meeting_notes.audio_stream import check_readable_file
    from skills.meeting_notes.progress_view import ProgressBarView

    check_readable_file(path.expanduser())
    if out is not None and not out.expanduser().parent.is_dir():
        raise UsageError(f"cannot write {out}: its folder does not exist")
    if out is not None and out.expanduser().is_dir():
        raise UsageError(f"cannot write {out}: it is a folder (name a file in it)")
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
    request = Request(
        text=f"meeting notes: {one_line(path.name)}", skill="meeting_notes", options=options
    )
    events = app.runtime.run(request, cancel=cancel)
    json_printer = EventPrinter(as_json=True) if as_json else None
    view = None if as_json else ProgressBarView()
    code = 0
    notices: list[str] = []  # a cut or damaged file, said with the notes (a failure says it)
    try:
        for event in events:
            if json_printer is not None:
                json_printer.show(event)
            elif view is not None:
                view.show(event)
            if isinstance(event, Progress) and event.stage in ("truncated", "damaged"):
                notices.append(event.message)
            elif isinstance(event, Failed):
                code = 130 if event.kind == "cancelled" else 1
                if json_printer is not None:  # the one clear line on stderr too
                    sys.stderr.write(f"ting: {event.error}\n")
            elif isinstance(event, Result):
                for notice in notices:
                    sys.stderr.write(f"ting: {notice}\n")
                sys.stderr.flush()
                if out is not None:
                    write_notes(out, event.text)
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
        stopped = "stopped; the finished parts are kept: run the same command again to continue"
        if json_printer is not None:
            json_printer.show(Failed(stopped, kind="cancelled"))
        raise Cancelled(stopped) from None  # exits at once (transcription._abandon)
    finally:
        if view is not None:
            view.close()
    return code


def run_recording(
    *, title: str | None, make_notes: bool, system_output: bool, language: str, as_json: bool
) -> int:
    from assistant.cli_kit import emit_json, get_app
    from assistant.errors import AudioError
    from skills.meeting_notes.meeting_store import MeetingStore
    from skills.meeting_notes.recorder import KeyToggle, MeetingRecorder, recorder_signals
    from skills.meeting_notes.recordings import new_recording_path, record_meeting
    from skills.meeting_notes.rendering import clock

    app = get_app()
    path = new_recording_path()
    tty = sys.stderr.isatty() and not as_json

    def report(stage: str, info: dict) -> None:
        if as_json:
            emit_json({"type": "progress", "stage": stage, **info})
        elif tty:
            seconds = info.get("recorded", 0.0)
            state = {"paused": "paused  ", "resumed": "recording"}.get(stage, "recording")
            sys.stderr.write(f"\r\x1b[2K{state} {clock(seconds)}  (p: pause/resume, Ctrl-C: stop)")
            sys.stderr.flush()

    def started(_recording_id: int) -> None:
        if not as_json:
            click.echo(f"recording to {path} (p: pause/resume, Ctrl-C: stop)", err=True)

    def run_with_keys() -> float:
        with recorder_signals(recorder), KeyToggle(recorder):
            return recorder.run()

    recorder = MeetingRecorder(path, input_device=app.settings.input_device, report=report)
    recorded = record_meeting(
        MeetingStore(app.history),
        recorder,
        title=title,
        system_output=system_output,
        on_started=started,
        run=run_with_keys,
    )
    seconds = recorded.seconds
    if tty:
        sys.stderr.write("\r\x1b[2K")
    if as_json:
        emit_json(
            {
                "type": "progress",
                "stage": "stopped",
                "recording_id": recorded.recording_id,
                "path": str(path),
                "recorded": seconds,
                "paused_seconds": round(recorded.paused_seconds, 3),
            }
        )
    else:
        click.echo(f"recorded {clock(seconds)} to {path} (recording {recorded.recording_id})")
    if not make_notes:
        return 0
    if seconds < 1.0:
        raise AudioError("the recording is shorter than a second: no notes made")
    return run_notes(
        path=path,
        out=None,
        language=language,
        notes_language=None,
        title=title,
        as_json=as_json,
        speaker_channels=recorded.speaker_channels,
        recording_id=recorded.recording_id,
    )


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

    @meeting.command("record")
    @click.option("--title", default=None, help="The meeting's title.")
    @click.option(
        "--notes/--no-notes", default=True, show_default=True, help="Make notes when it stops."
    )
    @click.option(
        "--system-output/--no-system-output",
        default=True,
        show_default=True,
        help="Also record what the computer plays (the default sink's monitor).",
    )
    @click.option("--language", type=click.Choice(["auto", "zh", "en"]), default="auto")
    @click.option("--json", "as_json", is_flag=True, help="Events as JSON lines on stdout.")
    def record(
        title: str | None, notes: bool, system_output: bool, language: str, as_json: bool
    ) -> None:
        """Record a meeting: the microphone and (where available) the system's output.

        p or space (or SIGUSR1) pauses and resumes; Ctrl-C stops. The audio is written
        to the data folder as it comes; the notes are made when it stops.
        """
        sys.exit(
            run_recording(
                title=title,
                make_notes=notes,
                system_output=system_output,
                language=language,
                as_json=as_json,
            )
        )

    @meeting.command("list")
    @click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 10_000))
    @click.option("--json", "as_json", is_flag=True)
    def list_meetings(limit: int, as_json: bool) -> None:
        """The stored meeting notes, newest first."""
        from assistant.cli_kit import emit_json
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
        from assistant.cli_kit import emit_json
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
            write_notes(out, text)
            click.echo(f"wrote {out}")
