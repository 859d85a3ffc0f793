"""The bilingual transcript of an interpreter session, and its Markdown and SRT forms. Pure.

Stored in the history row of the session as ``output`` (``to_dict``); ``from_dict``
reads it back for ``ting interpret export``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any

from skills.translation.languages import english_name

TRANSCRIPT_KIND = "interpreter_session"


@dataclass(frozen=True)
class InterpretedSentence:
    index: int
    lang: str
    text: str
    start_s: float
    end_s: float
    target_lang: str
    translation: str | None = None  # None: not translated (provider down, none set up)


@dataclass
class BilingualTranscript:
    pair: tuple[str, str]
    source: str  # "microphone" or the replayed file
    sentences: list[InterpretedSentence] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)

    def add(self, sentence: InterpretedSentence) -> None:
        self.sentences.append(sentence)

    def set_translation(self, index: int, translation: str) -> None:
        for i, sentence in enumerate(self.sentences):
            if sentence.index == index:
                self.sentences[i] = replace(sentence, translation=translation)
                return
        raise KeyError(index)

    @property
    def translated_count(self) -> int:
        return sum(1 for s in self.sentences if s.translation is not None)

    def title(self) -> str:
        a, b = self.pair
        return f"Interpreter session {english_name(a)}↔{english_name(b)} ({self.source})"

    def plain_text(self) -> str:
        """Searchable text: each sentence and its translation on their own lines."""
        lines: list[str] = []
        for s in self.sentences:
            lines.append(f"[{s.lang}] {s.text}")
            if s.translation is not None:
                lines.append(f"[{s.target_lang}] {s.translation}")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": TRANSCRIPT_KIND,
            "pair": list(self.pair),
            "source": self.source,
            "sentences": [asdict(s) for s in self.sentences],
            "notices": list(self.notices),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> BilingualTranscript:
        pair = data["pair"]
        return cls(
            pair=(pair[0], pair[1]),
            source=data.get("source", ""),
            sentences=[InterpretedSentence(**s) for s in data.get("sentences", [])],
            notices=list(data.get("notices", [])),
        )


def _clock(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes:02d}:{secs:02d}"


def to_markdown(transcript: BilingualTranscript) -> str:
    lines = [f"# {transcript.title()}", ""]
    for s in transcript.sentences:
        lines.append(f"**{_clock(s.start_s)}** · {english_name(s.lang)}: {s.text}  ")
        if s.translation is not None:
            lines.append(f"→ {english_name(s.target_lang)}: {s.translation}")
        else:
            lines.append(f"→ {english_name(s.target_lang)}: *(not translated)*")
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def _srt_time(seconds: float) -> str:
    millis = max(0, round(seconds * 1000))
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d},{millis:03d}"


def to_srt(transcript: BilingualTranscript) -> str:
    """One cue per sentence: the words heard, and under them the translation."""
    cues: list[str] = []
    for number, s in enumerate(transcript.sentences, start=1):
        end = max(s.end_s, s.start_s + 0.5)
        body = s.text if s.translation is None else f"{s.text}\n{s.translation}"
        cues.append(f"{number}\n{_srt_time(s.start_s)} --> {_srt_time(end)}\n{body}\n")
    return "\n".join(cues)
