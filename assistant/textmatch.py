"""How close a transcript is to what was said: used by ``ting --smoke`` (is the model
hearing?), and by the speech tests and benches (word error rate against known prompts)."""

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
