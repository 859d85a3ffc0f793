"""Where a transcript sounds like a vocabulary word: pinyin spans, and the homophone pass.

Whisper's Mandarin errors are mostly characters that sound the same or nearly so
(燕之屋 → 燕植物, 停滞 → 停制, 太乙 → 太以). With the user's words at hand, a span of the
transcript whose syllables are those of a word is the evidence:

* ``relevant_words`` — vocabulary words worth showing the decoder (in its prompt): some
  span of the transcript shares at least half of the word's syllables, in order, or the
  word is already there. Loose on purpose: it only decides what context a second decode
  gets, and that decode is kept only if it takes one of the words up (``voice.asr``).
* ``correct_homophones`` — the replacement itself, strong evidence only: a span with
  the word's syllables (toneless), all of them the same or at most one a near sound
  (zh/z, in/ing …), and never a two-character span that differs by a near sound alone;
  nor a span that is itself a common word (北京 for a vocabulary word 背景, 出现 for 初现)
  or that cuts through one (是实 of 这是实时 for 事实): words as ``jieba`` segments them.

Pure functions over strings; pinyin from ``pypinyin`` (its phrase dictionary picks the
reading of a character in context).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

# A span jieba's dictionary counts this often is a word people say (北京 34,488, 出现
# 25,633), not a mishearing of a vocabulary word (停制 3, 冰台 2, 烟锅 41).
COMMON_WORD_COUNT = 100
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")
_HAS_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")

# near sounds people (and Whisper) confuse; each pair is folded to its first member
_INITIALS = (("zh", "z"), ("ch", "c"), ("sh", "s"), ("n", "l"), ("h", "f"), ("r", "l"))
_FINALS = (("iang", "ian"), ("uang", "uan"), ("ang", "an"), ("eng", "en"), ("ing", "in"))


@lru_cache(maxsize=4096)
def near_form(syllable: str) -> str:
    """A toneless syllable with the near sounds folded (zhi → zi, jing → jin, nan → lan)."""
    head = syllable
    for a, b in _INITIALS:
        if head.startswith(a):
            head = b + head[len(a) :]
            break
    for a, b in _FINALS:
        if head.endswith(a):
            return head[: -len(a)] + b
    return head


def syllables(text: str) -> list[str | None]:
    """One toneless pinyin syllable per character of ``text``; None for a character that
    is not a Chinese character (Latin, digits, punctuation, space)."""
    from pypinyin import lazy_pinyin

    out: list[str | None] = [None] * len(text)
    for match in _CJK_RUN.finditer(text):
        run = match.group()
        sounds = lazy_pinyin(run, errors="default")
        if len(sounds) != len(run):  # (pypinyin keeps one syllable per character)
            sounds = [lazy_pinyin(ch)[0] for ch in run]
        for i, sound in enumerate(sounds):
            out[match.start() + i] = sound
    return out


def is_chinese_word(word: str) -> bool:
    return bool(word) and all(_HAS_CJK.match(ch) for ch in word)


@dataclass(frozen=True)
class Correction:
    start: int  # character offsets in the text before the correction
    end: int
    heard: str
    word: str

    def to_dict(self) -> dict[str, object]:
        return {"heard": self.heard, "word": self.word, "start": self.start}


@dataclass(frozen=True)
class _Scored:
    exact: int  # syllables the same (toneless)
    near: int  # syllables the same only with near sounds folded


def _score(span: list[str | None], word: list[str]) -> _Scored | None:
    exact = near = 0
    for heard, wanted in zip(span, word, strict=True):
        if heard is None:
            return None
        if heard == wanted:
            exact += 1
        elif near_form(heard) == near_form(wanted):
            near += 1
    return _Scored(exact, near)


def _spans(sounds: list[str | None], length: int):
    for start in range(len(sounds) - length + 1):
        yield start, sounds[start : start + length]


def relevant_words(text: str, words: list[str], limit: int = 12) -> list[str]:
    """The words of ``words`` that ``text`` may have meant (see the module docstring),
    most similar first, at most ``limit``. Latin words: one that occurs in ``text``
    ignoring case, or differs from one of its words by a letter or two."""
    sounds = syllables(text)
    scored: list[tuple[float, int, str]] = []
    lowered = text.lower()
    latin = re.findall(r"[A-Za-z][A-Za-z0-9'+.-]*", text)
    for order, word in enumerate(words):
        if is_chinese_word(word):
            if len(word) < 2:
                continue
            if word in text:
                scored.append((1.0, order, word))
                continue
            wanted = [s for s in syllables(word) if s is not None]
            best = 0.0
            for _start, span in _spans(sounds, len(wanted)):
                score = _score(span, wanted)
                if score is not None and 2 * score.exact >= len(wanted):
                    best = max(best, (score.exact + 0.5 * score.near) / len(wanted))
            if best:
                scored.append((best, order, word))
        elif word.lower() in lowered or any(_close_latin(word, w) for w in latin):
            scored.append((1.0, order, word))
    scored.sort(key=lambda s: (-s[0], s[1]))
    return [w for _, _, w in scored[:limit]]


def _close_latin(word: str, heard: str) -> bool:
    from difflib import SequenceMatcher

    if len(word) < 4 or word[0].lower() != heard[:1].lower():
        return False
    return SequenceMatcher(None, word.lower(), heard.lower()).ratio() >= 0.8


def correct_homophones(text: str, words: list[str]) -> tuple[str, list[Correction]]:
    """``text`` with each span that sounds like a vocabulary word (strong evidence only,
    see the module docstring) replaced by it, and the replacements made. Longer words
    first; a span is replaced once; a word already written right is left alone."""
    sounds = syllables(text)
    taken = [False] * len(text)
    found: list[Correction] = []
    segmented: _Segmented | None = None  # only once a span sounds like a word
    chinese = sorted(
        (w for w in words if is_chinese_word(w) and len(w) >= 2), key=len, reverse=True
    )
    for word in chinese:
        wanted = [s for s in syllables(word) if s is not None]
        n = len(wanted)
        for start, span in _spans(sounds, n):
            end = start + n
            heard = text[start:end]
            if heard == word or any(taken[start:end]):
                continue
            score = _score(span, wanted)
            if score is None or score.exact + score.near < n or score.near > 1:
                continue
            if n == 2 and score.near:
                continue  # two characters, one only near: too easily another real word
            if _inside_longer_word(text, start, end, words):
                continue
            if segmented is None:
                segmented = _Segmented.of(text)
            if not segmented.may_replace(start, end):
                continue
            found.append(Correction(start, end, heard, word))
            for i in range(start, end):
                taken[i] = True
    if not found:
        return text, []
    found.sort(key=lambda c: c.start)
    out, at = [], 0
    for c in found:
        out.append(text[at : c.start])
        out.append(c.word)
        at = c.end
    out.append(text[at:])
    return "".join(out), found


@dataclass(frozen=True)
class _Segmented:
    """``text`` cut into words by jieba's dictionary (no HMM guesses)."""

    text: str
    cuts: frozenset[int]

    @classmethod
    def of(cls, text: str) -> _Segmented:
        at, cuts = 0, {0}
        for token in load_word_list().lcut(text, HMM=False):
            at += len(token)
            cuts.add(at)
        return cls(text, frozenset(cuts))

    def may_replace(self, start: int, end: int) -> bool:
        if start not in self.cuts or end not in self.cuts:
            return False  # the span would cut a word in two
        return (load_word_list().get_FREQ(self.text[start:end]) or 0) < COMMON_WORD_COUNT


@lru_cache(maxsize=1)
def load_word_list():  # jieba, its dictionary read once (~1 s; SpeechRecognizer.warm)
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)  # not "Building prefix dict…" on stderr
    jieba.initialize()
    return jieba


def _inside_longer_word(text: str, start: int, end: int, words: list[str]) -> bool:
    """Whether ``text[start:end]`` lies inside a vocabulary word written right there."""
    for word in words:
        if len(word) <= end - start:
            continue
        at = text.find(word, max(0, end - len(word)))
        while at != -1 and at <= start:
            if at + len(word) >= end:
                return True
            at = text.find(word, at + 1)
    return False


def sounds_like_span(text: str, word: str) -> tuple[int, int] | None:
    """The span of ``text`` that sounds most like ``word`` (at least half of its
    syllables the same, the rest near or not), as (start, end) offsets; None when none
    does, or when ``word`` is written there already."""
    if not is_chinese_word(word) or len(word) < 2 or word in text:
        return None
    sounds = syllables(text)
    wanted = [s for s in syllables(word) if s is not None]
    best: tuple[float, int] | None = None
    for start, span in _spans(sounds, len(wanted)):
        score = _score(span, wanted)
        if score is None or 2 * score.exact < len(wanted):
            continue
        value = score.exact + 0.5 * score.near
        if best is None or value > best[0]:
            best = (value, start)
    return None if best is None else (best[1], best[1] + len(wanted))
