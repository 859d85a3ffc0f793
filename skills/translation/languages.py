"""Language codes, the names people use for them, and a cheap guess at a text's language.

Pure: no I/O. ``LANGUAGE_NAMES`` maps a code to the words that name it in Chinese and
English; ``language_code`` reads one of those words back; ``guess_text_language`` tells
Chinese, Japanese, Korean, Russian and "Latin script" text apart by its characters.
"""

from __future__ import annotations

import re

# code -> (English name, Chinese name, other spellings that mean it)
LANGUAGE_NAMES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "zh": (
        "Chinese",
        "中文",
        ("汉语", "普通话", "华语", "国语", "中国话", "简体中文", "mandarin", "chinese", "中"),
    ),
    "en": ("English", "英文", ("英语", "英国话", "english", "英")),
    "ja": ("Japanese", "日文", ("日语", "日本语", "日本话", "japanese", "日")),
    "ko": ("Korean", "韩文", ("韩语", "韩国话", "朝鲜语", "korean", "韩")),
    "fr": ("French", "法文", ("法语", "french", "法")),
    "de": ("German", "德文", ("德语", "german", "德")),
    "es": ("Spanish", "西班牙文", ("西班牙语", "西语", "spanish", "西")),
    "ru": ("Russian", "俄文", ("俄语", "russian", "俄")),
    "it": ("Italian", "意大利文", ("意大利语", "意语", "italian")),
    "pt": ("Portuguese", "葡萄牙文", ("葡萄牙语", "葡语", "portuguese")),
    "yue": ("Cantonese", "粤语", ("广东话", "白话", "cantonese")),
}

_BY_WORD: dict[str, str] = {}
for _code, (_english, _chinese, _others) in LANGUAGE_NAMES.items():
    for _word in (_code, _english, _chinese, *_others):
        _BY_WORD[_word.lower()] = _code

# Names that may stand in running text, longest first so "西班牙语" wins over "西".
# One-character names (中, 英 …) only count in the "中译英" shape, handled by the parser.
LANGUAGE_WORDS: tuple[str, ...] = tuple(
    sorted((w for w in _BY_WORD if len(w) > 1 and w not in LANGUAGE_NAMES), key=len, reverse=True)
)


def language_code(word: str) -> str | None:
    """The code for a language name or code ("英语", "French", "ja"); None if unknown."""
    return _BY_WORD.get(word.strip().lower())


def english_name(code: str) -> str:
    return LANGUAGE_NAMES[code][0] if code in LANGUAGE_NAMES else code


def chinese_name(code: str) -> str:
    return LANGUAGE_NAMES[code][1] if code in LANGUAGE_NAMES else code


def _count(text: str, low: int, high: int) -> int:
    return sum(1 for ch in text if low <= ord(ch) <= high)


def guess_text_language(text: str) -> str:
    """The language of ``text``: "zh", "ja", "ko", "ru" or "en" (any Latin script)."""
    if _count(text, 0x3040, 0x30FF):
        return "ja"
    if _count(text, 0xAC00, 0xD7AF) or _count(text, 0x1100, 0x11FF):
        return "ko"
    han = _count(text, 0x3400, 0x4DBF) + _count(text, 0x4E00, 0x9FFF) + _count(text, 0xF900, 0xFAFF)
    latin_words = len(re.findall(r"[A-Za-z\u00c0-\u024f]+", text))
    if han and han >= latin_words:
        return "zh"
    if _count(text, 0x0400, 0x04FF) and not latin_words:
        return "ru"
    return "en" if latin_words or not han else "zh"


def other_language(source: str, pair: tuple[str, str]) -> str:
    """The pair's other language; for text in neither, the pair's first (the user's own)."""
    first, second = pair
    if source == first:
        return second
    if source == second:
        return first
    return first
