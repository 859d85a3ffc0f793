"""A spoken correction of a word the recognizer got wrong: "不对，是滨海新区".

Said right after a voice request, it names the word that was meant. When the word
sounds like a span of what was just heard (``voice.pinyin_match.sounds_like_span``), it
goes into the personal vocabulary (so the next time it is heard right) and the last
transcript is shown corrected. Anything else is left to the router: "不对，是四十五"
stays the bookkeeping amount correction it is (a number is never a vocabulary word, and
"交通" does not sound like anything in "午饭花了三十五块").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

_SAYS_WORD = re.compile(
    r"^\s*(?:(?:不对|不是|错了|说错了|听错了|你听错了)[，,。!！\s]*)+"
    r"(?:是|应该是|我说的是|我说的)\s*"
    r"(?P<word>[\u3400-\u4dbf\u4e00-\u9fffA-Za-z][\u3400-\u4dbf\u4e00-\u9fffA-Za-z ]{1,23})"
    r"[\s。.!！]*$"
)
_NUMERAL_ONLY = re.compile(r"^[零〇一二两三四五六七八九十百千万亿点半块钱元毛角]+$")


_NUMERALS = set("零〇一二两三四五六七八九十百千万亿0123456789")
# small words a name or a term does not start with (a span after one is not widened)
_FUNCTION_CHARS = set("的了是在我你他她它们和与及就都也还又把被给去来到从说要会能很这那个一")


@dataclass(frozen=True)
class HeardCorrection:
    word: str  # the word meant, for the vocabulary
    heard: str  # what was heard in its place
    corrected_text: str  # the last transcript with the word in place
    # why the word could not go into the vocabulary (a locked or read-only database);
    # the correction of the last transcript stands all the same
    not_kept: str = ""


def spoken_correction(text: str, last_heard: str | None) -> HeardCorrection | None:
    """The correction ``text`` makes to ``last_heard`` (the transcript of the voice
    request just before it), or None when it is not one (module docstring)."""
    from voice.pinyin_match import sounds_like_span

    if not last_heard:
        return None
    match = _SAYS_WORD.match(text)
    if match is None:
        return None
    word = match.group("word").strip()
    if re.search(r"[\u3400-\u4dbf\u4e00-\u9fff]", word):
        word = "".join(word.split())  # Whisper may write "滨海 新区": a Chinese word has no spaces
    if _NUMERAL_ONLY.match(word):
        return None
    span = sounds_like_span(last_heard, word)
    if span is None:
        return None
    start, end = span
    return HeardCorrection(
        word=word,
        heard=last_heard[start:end],
        corrected_text=last_heard[:start] + word + last_heard[end:],
    )


def take_correction(history, text: str, last_heard: str | None) -> HeardCorrection | None:
    """``spoken_correction``, and when it is one, its word added to the vocabulary in
    ``history``'s database (what ``ting listen`` and the app call on each voice request)."""
    correction = spoken_correction(text, last_heard)
    if correction is not None:
        from assistant.errors import TingError
        from voice.vocabulary import VocabularyStore

        try:
            VocabularyStore(history).add(correction.word)
        except TingError as exc:  # said, not typed: the session goes on, the user is told
            return replace(correction, not_kept=exc.user_message())
    return correction


def typed_corrections(heard: str, typed: str) -> list[str]:
    """The words a user typed over a transcript to fix it (the chat window's Correct):
    each span they replaced with Chinese that sounds like it (at least half of its
    syllables the same or near). A two-character span takes in the character before it
    unless that is a small function word (燕植物 → 燕之屋 gives 燕之屋, 去冰台 → 去滨海
    gives 滨海). One character changed gives nothing: which neighbour belongs to the word
    cannot be told without a dictionary (仅仰 → 敬仰 is not 人敬), and a wrong half-word
    would then be "heard" everywhere. Numbers are not words; a rewritten sentence gives
    none."""
    from difflib import SequenceMatcher

    from voice.pinyin_match import is_chinese_word, near_form, syllables
    from voice.vocabulary import MAX_WORD_CHARS

    words: list[str] = []
    for op, a0, a1, b0, b1 in SequenceMatcher(None, heard, typed, autojunk=False).get_opcodes():
        if op != "replace" or a1 - a0 != b1 - b0 or b1 - b0 < 2:
            continue
        if any(ch in _NUMERALS for ch in typed[b0:b1] + heard[a0:a1]):
            continue
        before = typed[b0 - 1] if b0 > 0 else ""
        if b1 - b0 == 2 and is_chinese_word(before) and before not in _FUNCTION_CHARS:
            a0, b0 = a0 - 1, b0 - 1
        old, new = heard[a0:a1], typed[b0:b1]
        if len(new) < 2 or not is_chinese_word(new) or not is_chinese_word(old):
            continue
        if len(new) > MAX_WORD_CHARS:  # a rewritten phrase, not a word: the store refuses
            continue  # it, and with it every other word of this correction
        alike = sum(
            near_form(x) == near_form(y)
            for x, y in zip(syllables(old), syllables(new), strict=True)
            if x and y
        )
        if 2 * alike >= len(new) and new not in words:
            words.append(new)
    return words
