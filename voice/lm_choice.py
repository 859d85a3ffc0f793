"""Choosing among Mandarin decodes with the built-in language model.

Whisper base knows little written Chinese: decodes of the same speech under different
settings (beam or greedy, prompt or none, the encoder window) each get different words
wrong, as homophones a reader would never write (语音识别 / 运营识别, 城市虽然 / 尝试虽然),
and Whisper's own log-probability does not tell which is right. The built-in Qwen model
(packaged weights, no network) does know Chinese: ``DecodeChooser`` scores each distinct
decode by its mean log-probability per character and the likeliest is kept. It runs in
the recognizer's process on llama.cpp (the same weights file as the local model server,
so the pages are shared), loaded on first use; without the weights it chooses nothing
and the first decode stands.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from assistant.textmatch import without_punctuation

log = logging.getLogger(__name__)

# What the model reads before each decode: a transcript is what it is asked to expect.
PREFIX = "以下是一段普通话语音的文字记录：\n"
# Tokens scored per window (a long text is scored in windows, each after PREFIX); the
# context holds PREFIX and one window, and its logits (n_ctx × 152k floats) are the
# main memory cost.
WINDOW_TOKENS = 192
CONTEXT_TOKENS = 256


def scoring_text(text: str) -> str:
    """The characters the model scores: punctuation, symbols and spaces dropped, since
    decodes differ in them for reasons that say nothing of the words (a prompt gives
    full-width commas, none ASCII ones)."""
    return without_punctuation(text)


class DecodeChooser:
    """Mean per-character log-probability of a text under the built-in model; the
    model is loaded on the first ``choose`` that has two different texts to compare."""

    def __init__(self, model_path: Callable[[], Path | None], threads: int = 2) -> None:
        self._model_path = model_path
        self._threads = threads
        self._llm: Any = None
        self._after_prefix: Any = None  # the model's state once it has read PREFIX
        self._failed = False
        self._lock = threading.Lock()

    @classmethod
    def for_built_in_model(
        cls, local_model: str, threads: int = 2, cache_dir: Path | None = None
    ) -> DecodeChooser:
        """The chooser over the built-in model's weights (joined from their packages on
        first use into ``cache_dir``, the data folder's model cache unless given, as the
        local model server does); none installed: it never chooses."""

        def path() -> Path | None:
            from assistant.local_model.weights import prepare_weights, spec_for
            from assistant.paths import model_cache_dir

            return prepare_weights(spec_for(local_model), cache_dir or model_cache_dir())

        return cls(path, threads)

    def _load(self) -> Any:
        if self._llm is None and not self._failed:
            try:
                path = self._model_path()
                if path is None:
                    raise FileNotFoundError("no weights")
                from llama_cpp import Llama

                self._llm = Llama(
                    str(path),
                    n_ctx=CONTEXT_TOKENS,
                    n_batch=CONTEXT_TOKENS,
                    logits_all=True,
                    n_threads=self._threads,
                    verbose=False,
                )
            except Exception as exc:  # no weights, no runtime: the first decode stands
                self._failed = True
                log.warning("Mandarin decodes are not compared (built-in model: %s)", exc)
        return self._llm

    @property
    def available(self) -> bool:
        with self._lock:
            return self._load() is not None

    def score(self, text: str) -> float:
        """Mean log-probability per character of ``scoring_text(text)``."""
        return self.scores([text])[scoring_text(text)]

    def scores(self, texts: list[str]) -> dict[str, float]:
        """``score`` of each of ``texts``, by their ``scoring_text``. The start they all
        share is read once (decodes of one sentence mostly differ in a word or two, and
        reading is what costs: ~40 tokens a second on two cores)."""
        keys = list(dict.fromkeys(scoring_text(t) for t in texts))
        out = {key: float("-inf") for key in keys if not key}
        keys = [key for key in keys if key]
        if not keys:
            return out
        with self._lock:
            llm = self._load()
            if llm is None:
                raise RuntimeError("the built-in model is not available")
            prefix = llm.tokenize(PREFIX.encode(), add_bos=True)
            if self._after_prefix is None:
                llm.reset()
                llm.eval(prefix)
                self._after_prefix = llm.save_state()
            head = os.path.commonprefix(keys) if len(keys) > 1 else ""
            head_tokens = self._tokens(llm, head)
            rests = {key: self._tokens(llm, key[len(head) :]) for key in keys}
            if head_tokens and len(head_tokens) + max(map(len, rests.values())) <= WINDOW_TOKENS:
                llm.load_state(self._after_prefix)
                shared = self._read(llm, head_tokens)
                after_head = llm.n_tokens
                for key in keys:
                    llm.n_tokens = after_head  # the next eval drops what came after it
                    out[key] = (shared + self._read(llm, rests[key])) / len(key)
                return out
            for key in keys:
                tokens = self._tokens(llm, key)
                total = 0.0
                for start in range(0, len(tokens), WINDOW_TOKENS):
                    llm.load_state(self._after_prefix)  # PREFIX is read once, not per text
                    total += self._read(llm, tokens[start : start + WINDOW_TOKENS])
                out[key] = total / len(key)
        return out

    @staticmethod
    def _tokens(llm: Any, text: str) -> list[int]:
        return llm.tokenize(text.encode(), add_bos=False, special=False) if text else []

    @staticmethod
    def _read(llm: Any, tokens: list[int]) -> float:
        """The log-probability of ``tokens`` read after what the model has read so far."""
        import numpy as np

        if not tokens:
            return 0.0
        start = llm.n_tokens
        llm.eval(tokens)
        # logits at position i predict token i + 1
        rows = np.asarray(llm.scores[start - 1 : start + len(tokens) - 1], dtype=np.float64)
        top = rows.max(axis=1, keepdims=True)
        log_norm = (top + np.log(np.exp(rows - top).sum(axis=1, keepdims=True)))[:, 0]
        return float((rows[np.arange(len(tokens)), tokens] - log_norm).sum())

    def choose(self, texts: list[str]) -> int:
        """The index of the likeliest of ``texts`` (decodes of the same speech; the
        first is the one that stands when they say the same or nothing can be scored).
        A text longer or shorter than the first by more than a word or two is not a
        candidate: the model judges words, not whether the audio held them (a mean per
        character favours a phrase said twice, or a decode that dropped a sentence)."""
        keys = [scoring_text(t) for t in texts]
        first = keys[0]
        if not first:
            return 0  # nothing heard stays nothing (the others may have made words up)
        slack = max(3, len(first) // 8)
        candidates: dict[str, int] = {}
        for i, key in enumerate(keys):
            if key and abs(len(key) - len(first)) <= slack:
                candidates.setdefault(key, i)
        if len(candidates) < 2:
            return 0
        try:
            scores = self.scores(list(candidates))
        except Exception as exc:  # a scoring failure must not cost the user the text
            log.warning("Mandarin decodes could not be compared: %s", exc)
            return 0
        best = max(candidates, key=lambda k: (scores[k], k == first))
        return candidates[best]
