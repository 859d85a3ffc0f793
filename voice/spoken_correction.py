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
from dataclasses import dataclass

_SAYS_WORD = re.compile(
    r"^\s*(?:(?:不对|不是|错了|说错了|听错了|你听错了)[，,。!！\s]*)+"
    r"(?:是|应该是|我说的是|我说的)\s*"
    r"(?P<word>[\u3400-\u4dbf\u4e00-\u9fffA-Za-z][\u3400-\u4dbf\u4e00-\u9fffA-Za-z ]{1,23})"
    r"[\s。.!！]*$"
)
_NUMERAL_ONLY = re.compile(r"^[零〇一二两三四五六七八九十百千万亿点半块钱元毛角]+$")


@dataclass(frozen=True)
class HeardCorrection:
    word: str  # the word meant, for the vocabulary
    heard: str  # what was heard in its place
    corrected_text: str  # the last transcript with the word in place


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
        from voice.vocabulary import VocabularyStore

        VocabularyStore(history).add(correction.word)
    return correction
