"""How close a transcript is to what was said: used by ``ting --smoke`` (is the model
hearing?), and by the speech tests and benches (word error rate against known prompts);
``without_punctuation`` also by the recognizer, to compare decodes by their words."""

from __future__ import annotations

import re

_WORD = re.compile(r"[a-z0-9']+")


def words(text: str) -> list[str]:
    """Lower-case English words and numbers; punctuation and case do not count."""
    return _WORD.findall(text.lower())


def word_recall(expected: str, heard: str) -> float:
    """Share of the expected words found in what was heard (each heard word used once)."""
    wanted = words(expected)
    if not wanted:
        return 1.0
    pool = words(heard)
    found = 0
    for word in wanted:
        if word in pool:
            pool.remove(word)
            found += 1
    return found / len(wanted)


def word_error_rate(expected: str, heard: str) -> float:
    """Word-level edit distance (substitutions, insertions, deletions) over the expected
    word count."""
    ref, hyp = words(expected), words(heard)
    row = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        prev, row[0] = row[0], i
        for j, h in enumerate(hyp, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (r != h))
    return row[-1] / max(1, len(ref))


def numerals_as_digits(text: str) -> str:
    """Each run of Chinese numeral characters that reads as a number, as Arabic digits
    (二十六 → 26, 一二 → 12), so that "26年" and "二十六年" compare equal. Applied to both
    sides of a comparison, a run that is not a number (一二线 → 12线) changes both alike."""
    from assistant.chinese_numerals import NUMERAL_CHARS, chinese_to_int

    def value(match: re.Match[str]) -> str:
        try:
            return str(chinese_to_int(match.group()))
        except ValueError:
            return match.group()

    return re.sub(f"[{NUMERAL_CHARS}]+", value, text)


def without_punctuation(text: str) -> str:
    """``text`` with punctuation, symbols and spaces dropped."""
    import unicodedata

    return "".join(
        ch
        for ch in text
        if not ch.isspace() and not unicodedata.category(ch).startswith(("P", "S"))
    )


def said_forms(text: str) -> str:
    """``text`` as compared with what someone said: NFKC, lower-cased, Chinese numerals
    as digits."""
    import unicodedata

    return numerals_as_digits(unicodedata.normalize("NFKC", text).lower())


def characters_for_cer(text: str) -> list[str]:
    """The characters a character error rate counts: punctuation, symbols and spaces
    dropped, Latin letters lower-cased, Chinese numerals as digits."""
    return list(without_punctuation(said_forms(text)))


def edit_distance(ref: list[str], hyp: list[str]) -> int:
    row = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        prev, row[0] = row[0], i
        for j, h in enumerate(hyp, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (r != h))
    return row[-1]


def character_errors(expected: str, heard: str) -> tuple[int, int]:
    """(character edits, reference characters) after ``characters_for_cer`` on both:
    summed over clips, their ratio is the character error rate of a set."""
    ref = characters_for_cer(expected)
    return edit_distance(ref, characters_for_cer(heard)), len(ref)


def character_error_rate(expected: str, heard: str) -> float:
    edits, total = character_errors(expected, heard)
    return edits / max(1, total)
