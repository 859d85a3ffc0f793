"""Reading a text transcript: SRT, WebVTT, or plain lines (optionally ``[mm:ss] Name: text``)."""

from __future__ import annotations

import re
from pathlib import Path

from assistant.errors import UsageError
from skills.meeting_notes.notes_model import TranscriptLine

TEXT_SUFFIXES = (".txt", ".md", ".srt", ".vtt", ".text")
MAX_TRANSCRIPT_BYTES = 20 * 1024 * 1024

_CUE_TIME = re.compile(
    r"(?P<a>(?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3})\s*-->\s*(?P<b>(?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3})"
)
_STAMPED = re.compile(r"^\[?(?P<t>(?:\d+:)?\d{1,2}:\d{2}(?:[.,]\d+)?)\]?\s+(?P<rest>.+)$")
_SPEAKER = re.compile(
    r"^(?P<name>[^\s:：]{1,24}(?: [^\s:：]{1,24})?)\s*(?::\s+|：\s*)(?P<text>.+)$"
)


def parse_clock(text: str) -> float:
    """``01:02:03,500`` / ``02:03.5`` / ``2:03`` → seconds."""
    parts = text.replace(",", ".").split(":")
    seconds = 0.0
    for part in parts:
        seconds = seconds * 60 + float(part)
    return seconds


def _split_speaker(text: str) -> tuple[str | None, str]:
    m = _SPEAKER.match(text)
    if m and not m.group("name").startswith("http"):
        return m.group("name"), m.group("text").strip()
    return None, text.strip()


def parse_transcript(text: str) -> list[TranscriptLine]:
    """Lines of a transcript in any of the supported text forms (empty list for none)."""
    text = text.lstrip("\ufeff")
    if _CUE_TIME.search(text):
        return _parse_cues(text)
    lines: list[TranscriptLine] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        start: float | None = None
        if m := _STAMPED.match(line):
            start = parse_clock(m.group("t"))
            line = m.group("rest").strip()
        speaker, body = _split_speaker(line)
        if body:
            lines.append(TranscriptLine(body, start=start, speaker=speaker))
    # a line's end is the next line's start
    timed = [i for i, t in enumerate(lines) if t.start is not None]
    for a, b in zip(timed, timed[1:], strict=False):
        line = lines[a]
        lines[a] = TranscriptLine(line.text, line.start, lines[b].start, line.speaker)
    return lines


def _parse_cues(text: str) -> list[TranscriptLine]:
    lines: list[TranscriptLine] = []
    for block in re.split(r"\n\s*\n", text.replace("\r\n", "\n")):
        rows = [r.strip() for r in block.strip().split("\n") if r.strip()]
        for i, row in enumerate(rows):
            m = _CUE_TIME.search(row)
            if not m:
                continue
            body = " ".join(re.sub(r"<[^>]+>", "", r) for r in rows[i + 1 :]).strip()
            if body:
                speaker, body = _split_speaker(body)
                lines.append(
                    TranscriptLine(
                        body, parse_clock(m.group("a")), parse_clock(m.group("b")), speaker
                    )
                )
            break
    return lines


def read_transcript_file(path: Path) -> list[TranscriptLine]:
    """A transcript file's lines; clear errors for unreadable, binary or empty files."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}") from None
    if size == 0:
        raise UsageError(f"{path} is empty (0 bytes)")
    if size > MAX_TRANSCRIPT_BYTES:
        raise UsageError(f"{path} is too large for a transcript ({size // 2**20} MiB)")
    data = path.read_bytes()
    if b"\x00" in data[:4096]:
        raise UsageError(f"{path} is not a text transcript (it holds binary data)")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError:
            raise UsageError(f"{path} is not UTF-8 or GB18030 text") from None
    lines = parse_transcript(text)
    if not lines:
        raise UsageError(f"{path} holds no transcript text")
    return lines
