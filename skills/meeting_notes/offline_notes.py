"""Notes without a language model: extractive summary plus pattern-matched items."""

from __future__ import annotations

import re
from collections.abc import Sequence

from skills.meeting_notes.extractive import central_sentences
from skills.meeting_notes.meeting_patterns import (
    find_action_items,
    find_decisions,
    find_open_questions,
    transcript_sentences,
)
from skills.meeting_notes.notes_model import MeetingNotes, TranscriptLine

_CJK = re.compile(r"[\u3400-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]")


def guess_language(text: str) -> str:
    """``zh`` when CJK characters outnumber a third of the Latin letters, else ``en``."""
    cjk = len(_CJK.findall(text))
    latin = len(_LATIN.findall(text))
    return "zh" if cjk and cjk * 3 >= latin else "en"


def default_title(language: str, name: str = "") -> str:
    if language.startswith("zh"):
        return f"会议纪要：{name}" if name else "会议纪要"
    return f"Meeting notes: {name}" if name else "Meeting notes"


def offline_notes(
    lines: Sequence[TranscriptLine],
    *,
    language: str,
    title: str,
    duration: float | None = None,
    reason: str = "",
    source: str = "",
    problems: Sequence[str] = (),
) -> MeetingNotes:
    sentences = transcript_sentences(lines)
    texts = [s.text for s in sentences]
    summary = [texts[i] for i in central_sentences(texts)]
    return MeetingNotes(
        title=title,
        language=language,
        summary=summary,
        decisions=find_decisions(sentences),
        action_items=find_action_items(sentences),
        open_questions=find_open_questions(sentences),
        transcript=list(lines),
        duration=duration,
        offline=True,
        offline_reason=reason,
        problems=list(problems),
        source=source,
    )
