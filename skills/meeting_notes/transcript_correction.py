"""A Mandarin meeting transcript corrected by the language model, within what it says.

Whisper's errors in Chinese are mostly characters that sound like the right ones
(停滞 → 停制, 燕之屋 → 燕植物). Where a language model is configured, it reads the
transcript in parts (with the personal vocabulary) and proposes edits as JSON:
``{"edits": [{"line": 3, "from": "停制", "to": "停滞"}]}``. Each edit is checked here
before it is made (``check_edit``): ``from`` must be in that line, ``to`` must have as
many characters and sound like it (at least half of its syllables the same, toneless:
voice.pinyin_match), so a model can fix a misheard word but cannot add, drop or reword
anything. A proposal that fails it but keeps the length (the built-in model answers with
whole lines) is cut into the stretches it changes, each made only where every character
sounds like the one it replaces (``changed_runs``). Edits that fail are counted, not made.

The transcript as heard stays in the meeting's stored chunks; the notes' transcript is
the corrected one, and the result lists every edit made.
"""

from __future__ import annotations

import json
import re
from collections.abc import Generator, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from assistant.errors import Cancelled, ProviderError
from assistant.events import Progress
from skills.meeting_notes.notes_model import TranscriptLine

if TYPE_CHECKING:
    from assistant.llm import LLMClient
    from assistant.skill import CancelToken

PART_LINES = 40
MAX_EDIT_CHARS = 8

PROMPT = (
    "You fix speech-recognition errors in a Mandarin meeting transcript. The recognizer "
    "writes characters that sound like the right ones but are wrong in context "
    "(同音字, e.g. 停制 for 停滞, 燕植物 for 燕之屋). Fix only such errors: replace a "
    "wrong word by the word that sounds the same (or nearly) and fits. Never add, drop, "
    "reorder or rephrase anything, never touch punctuation or numbers. Words these "
    "speakers use: <VOCABULARY>. Reply with JSON only, no prose: "
    '{"edits": [{"line": <line number>, "from": "<exact text in that line>", '
    '"to": "<replacement, same number of characters>"}]}, and {"edits": []} when '
    "nothing is wrong."
)


@dataclass(frozen=True)
class Edit:
    line: int
    heard: str
    written: str

    def to_dict(self) -> dict[str, Any]:
        return {"line": self.line, "from": self.heard, "to": self.written}


def check_edit(text: str, heard: str, written: str) -> bool:
    """Whether replacing ``heard`` by ``written`` in ``text`` is a homophone fix the
    audio supports (module docstring)."""
    from voice.pinyin_match import is_chinese_word, syllables

    if not heard or heard == written or heard not in text:
        return False
    if len(written) != len(heard) or len(heard) > MAX_EDIT_CHARS:
        return False
    if not is_chinese_word(written) or not is_chinese_word(heard):
        return False
    a, b = syllables(heard), syllables(written)
    exact = sum(x == y and x is not None for x, y in zip(a, b, strict=True))
    return 2 * exact >= len(heard)


def parse_edits(answer: str) -> list[tuple[int, str, str]]:
    """The edits in a model's answer (JSON, maybe inside a code fence); [] when none."""
    match = re.search(r"\{.*\}", answer, re.DOTALL)
    if not match:
        return []
    try:
        data = json.loads(match.group())
    except ValueError:
        return []
    out = []
    for item in data.get("edits", []) if isinstance(data, dict) else []:
        if not isinstance(item, dict):
            continue
        try:
            out.append((int(item["line"]), str(item["from"]), str(item["to"])))
        except (KeyError, TypeError, ValueError):
            continue
    return out


def apply_edits(
    lines: Sequence[TranscriptLine], proposed: list[tuple[int, str, str]], first: int = 1
) -> tuple[list[TranscriptLine], list[Edit], int]:
    """``lines`` with the proposed edits that pass ``check_edit`` made (numbered from
    ``first``); returns the lines, the edits made and how many were refused."""
    out = list(lines)
    made: list[Edit] = []
    refused = 0
    for number, heard, written in proposed:
        index = number - first
        if not 0 <= index < len(out):
            refused += 1
            continue
        text = out[index].text
        if check_edit(text, heard, written):
            out[index] = replace(out[index], text=text.replace(heard, written, 1))
            made.append(Edit(number, heard, written))
            continue
        runs = changed_runs(heard, written) if heard in text else []
        kept = [(at, a, b) for at, a, b in runs if every_character_sounds_alike(a, b)]
        refused += len(runs) - len(kept) if runs else 1
        if kept:
            fixed = list(heard)
            for at, a, b in kept:
                fixed[at : at + len(a)] = b
            out[index] = replace(out[index], text=text.replace(heard, "".join(fixed), 1))
            made += [Edit(number, a, b) for _at, a, b in kept]
    return out, made, refused


def every_character_sounds_alike(heard: str, written: str) -> bool:
    """Whether each character of ``written`` sounds like (near_form) the one it replaces:
    the rule for a stretch cut out of a whole-line proposal, stricter than check_edit's
    half, since no unchanged neighbour is there to count."""
    from voice.pinyin_match import is_chinese_word, near_form, syllables

    if len(heard) != len(written) or not is_chinese_word(heard) or not is_chinese_word(written):
        return False
    pairs = zip(syllables(heard), syllables(written), strict=True)
    return all(a and b and near_form(a) == near_form(b) for a, b in pairs)


def changed_runs(heard: str, written: str) -> list[tuple[int, str, str]]:
    """The stretches where a same-length rewrite differs, as (offset, heard, written).

    The built-in model answers with whole lines as "from" and "to" (停制 → 停滞 inside
    the sentence); each changed stretch is checked on its own, so the sound-alike rule
    applies to the characters it changes and not to the unchanged ones around them
    (every_character_sounds_alike)."""
    if len(heard) != len(written):
        return []
    runs: list[tuple[int, str, str]] = []
    start = None
    for i, (a, b) in enumerate(zip(heard + "\0", written + "\0", strict=True)):
        if a != b and start is None:
            start = i
        elif a == b and start is not None:
            runs.append((start, heard[start:i], written[start:i]))
            start = None
    return runs


@dataclass(frozen=True)
class CorrectionOutcome:
    lines: list[TranscriptLine]
    edits: list[Edit]
    refused: int


def correct_transcript(
    lines: Sequence[TranscriptLine],
    llm: LLMClient,
    *,
    vocabulary: Sequence[str] = (),
    cancel: CancelToken | None = None,
) -> Generator[Progress, None, CorrectionOutcome]:
    """The model's homophone fixes over ``lines``, part by part (module docstring). A
    part whose call fails is left as heard."""
    words = "、".join(list(vocabulary)[:60]) or "(none given)"
    system = PROMPT.replace("<VOCABULARY>", words)
    out = list(lines)
    edits: list[Edit] = []
    refused = 0
    parts = max(1, -(-len(lines) // PART_LINES))
    for part in range(parts):
        if cancel is not None and cancel.cancelled:
            raise Cancelled()
        start = part * PART_LINES
        chunk = out[start : start + PART_LINES]
        yield Progress(
            "correcting", f"checking the transcript for misheard words: part {part + 1} of {parts}",
            part, parts,
        )  # fmt: skip
        numbered = "\n".join(f"{start + i + 1}. {line.text}" for i, line in enumerate(chunk))
        try:
            answer = llm.complete(
                [{"role": "system", "content": system}, {"role": "user", "content": numbered}],
                cancel=cancel,
                temperature=0,
            ).text
        except ProviderError:
            continue
        fixed, made, bad = apply_edits(chunk, parse_edits(answer), first=start + 1)
        out[start : start + len(chunk)] = fixed
        edits += made
        refused += bad
    return CorrectionOutcome(out, edits, refused)
