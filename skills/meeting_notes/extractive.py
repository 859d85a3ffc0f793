"""The offline summary: the most central sentences of a transcript, for Chinese and English.

Each sentence becomes a TF-IDF vector over its words (Latin script) and character
bigrams (CJK, so no dictionary is needed). A sentence is central when it is similar to
many others; with unit vectors, its summed similarity to all sentences is its dot
product with their sum, so scoring is linear in the transcript's length. The top
sentences are taken, near-duplicates skipped, and returned in the order they were said.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_RUN = re.compile(f"[{_CJK}]+")
_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*|\d+(?:[.:]\d+)?")
_SENTENCE_END = re.compile(r"(?<=[。！？!?；;])\s*|(?<=[.])\s+(?=\S)|\n+")

ENGLISH_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "but",
        "if",
        "so",
        "of",
        "to",
        "in",
        "on",
        "at",
        "by",
        "for",
        "with",
        "from",
        "as",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "it",
        "its",
        "this",
        "that",
        "these",
        "those",
        "i",
        "you",
        "he",
        "she",
        "we",
        "they",
        "me",
        "him",
        "her",
        "us",
        "them",
        "my",
        "your",
        "our",
        "their",
        "do",
        "does",
        "did",
        "doing",
        "have",
        "has",
        "had",
        "having",
        "will",
        "would",
        "shall",
        "should",
        "can",
        "could",
        "may",
        "might",
        "must",
        "not",
        "no",
        "yes",
        "ok",
        "okay",
        "um",
        "uh",
        "uhm",
        "hmm",
        "yeah",
        "just",
        "like",
        "well",
        "really",
        "very",
        "also",
        "then",
        "than",
        "there",
        "here",
        "what",
        "which",
        "who",
        "whom",
        "when",
        "where",
        "why",
        "how",
        "all",
        "any",
        "some",
        "more",
        "most",
        "other",
        "such",
        "only",
        "own",
        "same",
        "too",
        "s",
        "t",
        "don't",
        "i'm",
        "it's",
        "that's",
        "we're",
        "you're",
        "i'll",
        "we'll",
        "let's",
        "let",
        "please",
        "thank",
        "thanks",
        "right",
        "got",
        "get",
        "gonna",
        "going",
    ]
)
CHINESE_FILLERS = ("嗯", "啊", "呃", "哦", "那个", "就是", "然后", "这个", "对对", "好的")

MIN_TOKENS = 3  # a sentence with fewer content tokens is too thin to summarize with


def split_sentences(text: str) -> list[str]:
    """Sentences of ``text``: split after 。！？!?；; and after a full stop before a space."""
    return [s.strip() for s in _SENTENCE_END.split(text) if s and s.strip()]


def sentence_tokens(sentence: str) -> list[str]:
    """Content tokens: lower-cased Latin words (no stopwords) and CJK character bigrams."""
    tokens: list[str] = []
    for word in _LATIN_WORD.findall(sentence):
        low = word.lower().strip("'’-")
        if len(low) > 1 and low not in ENGLISH_STOPWORDS:
            tokens.append(low)
    cjk_text = sentence
    for filler in CHINESE_FILLERS:
        cjk_text = cjk_text.replace(filler, " ")
    for run in _CJK_RUN.findall(cjk_text):
        if len(run) == 1:
            continue
        tokens.extend(run[i : i + 2] for i in range(len(run) - 1))
    return tokens


def _unit_tfidf(counts: list[Counter[str]]) -> list[dict[str, float]]:
    n = len(counts)
    document_frequency: Counter[str] = Counter()
    for c in counts:
        document_frequency.update(c.keys())
    vectors: list[dict[str, float]] = []
    for c in counts:
        vec = {
            tok: (1 + math.log(tf)) * (math.log((1 + n) / (1 + document_frequency[tok])) + 1)
            for tok, tf in c.items()
        }
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        vectors.append({tok: v / norm for tok, v in vec.items()})
    return vectors


def _dot(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b.get(tok, 0.0) for tok, v in a.items())


def centrality_scores(sentences: Sequence[str]) -> list[float]:
    """Each sentence's mean similarity to the others, damped for very short sentences."""
    counts = [Counter(sentence_tokens(s)) for s in sentences]
    vectors = _unit_tfidf(counts)
    total: dict[str, float] = {}
    for vec in vectors:
        for tok, v in vec.items():
            total[tok] = total.get(tok, 0.0) + v
    others = max(1, len(sentences) - 1)
    scores: list[float] = []
    for vec, c in zip(vectors, counts, strict=True):
        size = sum(c.values())
        if size == 0:
            scores.append(0.0)
            continue
        similarity = (_dot(vec, total) - 1.0) / others  # minus the sentence itself
        scores.append(similarity * min(1.0, size / (2 * MIN_TOKENS)))
    return scores


def default_summary_size(sentence_count: int) -> int:
    return max(1, min(8, round(math.sqrt(sentence_count))))


def central_sentences(
    sentences: Sequence[str], limit: int | None = None, *, max_overlap: float = 0.6
) -> list[int]:
    """Indices of the most central sentences, in spoken order, without near-duplicates."""
    if not sentences:
        return []
    limit = default_summary_size(len(sentences)) if limit is None else limit
    counts = [Counter(sentence_tokens(s)) for s in sentences]
    vectors = _unit_tfidf(counts)
    scores = centrality_scores(sentences)
    ranked = sorted(range(len(sentences)), key=lambda i: (-scores[i], i))
    chosen: list[int] = []
    for i in ranked:
        if len(chosen) >= limit:
            break
        if sum(counts[i].values()) < MIN_TOKENS and len(sentences) > limit:
            continue
        if any(_dot(vectors[i], vectors[j]) > max_overlap for j in chosen):
            continue
        chosen.append(i)
    return sorted(chosen)
