"""From a file to stored notes: transcribe (if audio), summarize, store, render.

Runs inside the skill (so the runtime records the exchange in the history, where it is
searchable) and yields the events the CLI, the UI and ``--json`` show.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.errors import (
    AudioError,
    ProviderAuthError,
    ProviderError,
    ProviderNotConfigured,
    SkillError,
    UsageError,
    one_line,
)
from assistant.events import Event, Progress, Result
from skills.meeting_notes.audio_stream import check_readable_file
from skills.meeting_notes.notes_model import MeetingNotes, TranscriptLine
from skills.meeting_notes.offline_notes import default_title, guess_language, offline_notes
from skills.meeting_notes.rendering import render_markdown
from skills.meeting_notes.transcript_files import TEXT_SUFFIXES, read_transcript_file
from voice.audio_files import damaged_message

if TYPE_CHECKING:
    from assistant.skill import SkillContext
    from skills.meeting_notes.meeting_store import MeetingStore

LANGUAGE_CHOICES = ("auto", "zh", "en")


# a file named as audio is read as audio, whatever it holds: a text file renamed .wav
# is a mistake to report, not a transcript to make notes of
AUDIO_SUFFIXES = (".wav", ".mp3", ".m4a", ".ogg", ".oga", ".opus", ".flac", ".webm", ".mp4", ".aac")


def looks_like_text(path: Path) -> bool:
    if path.suffix.lower() in TEXT_SUFFIXES:
        return True
    if path.suffix.lower() in AUDIO_SUFFIXES:
        return False
    with path.open("rb") as fh:
        head = fh.read(4096)
    if not head or b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start > len(head) - 4  # only a character cut at the end of the sample
    return True


def make_notes(
    ctx: SkillContext,
    store: MeetingStore,
    *,
    path: Path,
    language: str = "auto",
    title: str | None = None,
    notes_language: str | None = None,
    speaker_channels: tuple[str, str] | None = None,
    recording_id: int | None = None,
    part_chars: int | None = None,
) -> Iterator[Event]:
    if language not in LANGUAGE_CHOICES:
        raise UsageError(f"language must be one of {', '.join(LANGUAGE_CHOICES)}, not {language!r}")
    path = path.expanduser()
    check_readable_file(path)
    # the name as notes, progress and the database show it: a file may be named with
    # bytes that are not UTF-8 (which no text column or JSON line can hold) or a newline
    shown = one_line(str(path))
    source_hash: str | None = None
    job_key: str | None = None
    duration: float | None = None
    chunk_counts: dict[str, int] = {}
    corrections: list[dict[str, Any]] = []
    cut = None  # the audio ended before the length its header declares
    damaged = 0.0  # seconds of it left silent for damaged packets
    if looks_like_text(path):
        kind = "transcript"
        lines = read_transcript_file(path)
        spoken = guess_language(" ".join(t.text for t in lines[:200]))
        meeting_language = spoken if language == "auto" else language
        stamps = [t.end or t.start for t in lines if t.start is not None]
        duration = max((s for s in stamps if s is not None), default=None)
        yield Progress("transcript", f"read {len(lines)} lines from {one_line(path.name)}")
    else:
        from skills.meeting_notes.transcription import ChunkedTranscriber

        kind = "recording" if recording_id is not None else "audio"
        transcriber = ChunkedTranscriber(
            path,
            store=store,
            recognizer=ctx.service("asr"),
            cancel=ctx.cancel,
            language=language,
            speaker_channels=speaker_channels,
        )
        outcome = yield from transcriber.run()
        lines, meeting_language, duration = outcome.lines, outcome.language, outcome.duration
        source_hash, job_key = outcome.source_hash, outcome.job_key
        cut = outcome.ends_early
        damaged = outcome.damaged_s
        chunk_counts = {
            "total": outcome.chunks_total,
            "transcribed": outcome.chunks_transcribed,
            "reused": outcome.chunks_reused,
        }
        if not lines:
            read = f"{duration:.0f} s of audio" + (f"; {cut.message()}" if cut else "")
            raise AudioError(f"no speech was found in {path} ({read})")
        if meeting_language == "zh":
            lines, corrections = yield from _corrected_by_model(ctx, lines)
    ctx.cancel.raise_if_cancelled()
    written_language = notes_language or meeting_language
    notes = yield from _notes_for(
        ctx,
        store,
        lines,
        language=written_language,
        spoken_language=meeting_language,
        title=title or "",
        name=one_line(path.stem),
        duration=duration,
        job_key=job_key,
        part_chars=part_chars,
    )
    # the notes cover only what was read: they say so wherever they are shown or kept
    said = [cut.message()] if cut else []
    said += [m] if (m := damaged_message(damaged)) else []
    problems = [*said, *notes.problems]
    notes = dataclasses.replace(notes, source=shown, problems=problems)
    markdown = render_markdown(notes)
    meeting_id = store.save_meeting(
        notes,
        markdown=markdown,
        source_path=shown,
        source_hash=source_hash,
        source_kind=kind,
        history_id=ctx.history_id,
        recording_id=recording_id,
    )
    payload: dict[str, Any] = {
        "meeting_id": meeting_id,
        "title": notes.title,
        "language": notes.language,
        "offline": notes.offline,
        "duration": duration,
        "source": shown,
        "kind": kind,
        "problems": notes.problems,
        "truncated": cut.to_dict() if cut else None,
        "damaged_seconds": round(damaged, 3),
        "notes": notes.to_dict(),
    }
    if chunk_counts:
        payload["chunks"] = chunk_counts
    if corrections:
        payload["transcript_corrections"] = corrections
    yield Result(text=markdown, payload=payload)


def _corrected_by_model(
    ctx: SkillContext, lines: list[TranscriptLine]
) -> Generator[Progress, None, tuple[list[TranscriptLine], list[dict[str, Any]]]]:
    """A Mandarin transcript's misheard words fixed by the language model where one is
    configured (skills.meeting_notes.transcript_correction: only edits that sound like
    what was heard are made); as heard when there is none or it fails."""
    from skills.meeting_notes.transcript_correction import correct_transcript
    from voice.vocabulary import VocabularyStore

    try:
        llm = ctx.llm()
    except ProviderNotConfigured:
        return lines, []
    words = [w.word for w in VocabularyStore(ctx.history).all_words()]
    outcome = yield from correct_transcript(lines, llm, vocabulary=words, cancel=ctx.cancel)
    if outcome.edits or outcome.refused:
        yield Progress(
            "corrected",
            f"{len(outcome.edits)} misheard word(s) corrected, {outcome.refused} proposal(s) "
            "refused (not a sound-alike)",
        )
    return outcome.lines, [e.to_dict() for e in outcome.edits]


def _notes_for(
    ctx: SkillContext,
    store: MeetingStore,
    lines: list[TranscriptLine],
    *,
    language: str,
    spoken_language: str | None = None,
    title: str,
    name: str,
    duration: float | None,
    job_key: str | None,
    part_chars: int | None,
) -> Generator[Progress, None, MeetingNotes]:
    from skills.meeting_notes.summarizer import PART_CHARS, ModelSummarizer

    def offline(reason: str, problems: list[str] | None = None) -> MeetingNotes:
        return offline_notes(
            lines,
            language=language,
            title=title or default_title(language, name),
            duration=duration,
            reason=reason,
            problems=problems or [],
        )

    try:
        llm = ctx.llm()
    except ProviderNotConfigured:
        yield Progress("summarizing", "no language model configured: writing offline notes")
        return offline("no language model configured")
    summarizer = ModelSummarizer(
        llm,
        cancel=ctx.cancel,
        language=language,
        spoken_language=spoken_language,
        store=store,
        job_key=job_key,
        part_chars=part_chars or PART_CHARS,
    )
    try:
        outcome = yield from summarizer.summarize(lines)
    except ProviderAuthError as exc:
        return offline(f"the language model refused: {exc.message}")
    except ProviderError as exc:
        yield Progress("summarizing", f"the language model failed: {exc.message}")
        return offline(f"the language model failed: {exc.message}")
    found = outcome.notes
    return MeetingNotes(
        title=title or found.title or default_title(language, name),
        language=language,
        summary=found.summary,
        decisions=found.decisions,
        action_items=found.action_items,
        open_questions=found.open_questions,
        transcript=lines,
        duration=duration,
        offline=False,
        problems=outcome.problems,
    )


def notes_for_latest_recording(ctx: SkillContext, store: MeetingStore) -> Iterator[Event]:
    """``ting ask "summarize the meeting"``: the last recording's notes (made if needed)."""
    store.settle_stale_recordings()
    recording = store.latest_recording()
    if recording is None:
        raise SkillError(
            "there is no meeting recording yet",
            hint="record one with `ting meeting record`, or make notes from a file with "
            "`ting meeting notes FILE`",
        )
    existing = store.meeting_for_recording(recording.id)
    if existing is not None:
        notes = existing.notes()
        yield Result(
            text=render_markdown(notes),
            payload={"meeting_id": existing.id, "title": notes.title, "reused": True},
        )
        return
    channels = tuple(recording.channels) if len(recording.channels) == 2 else None
    yield from make_notes(
        ctx,
        store,
        path=Path(recording.path),
        title=recording.title,
        speaker_channels=channels,  # type: ignore[arg-type]
        recording_id=recording.id,
    )
