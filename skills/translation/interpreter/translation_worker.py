"""Translating finished sentences on a worker thread, so the source transcript never waits.

Sentences are translated one at a time, in the order they were heard, each with the
last few (source, translation) pairs as context, never the whole conversation. When
the provider fails, the sentence stays at the head of the queue, the user is told once
why translation paused, and the worker retries with a growing pause; when the provider
answers again it says so and catches up on every sentence it missed, in order. A
provider that cannot work at all (none set up, key refused) stops translation for the
session with one notice; the source transcript goes on regardless.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from assistant.errors import Cancelled, ProviderAuthError, ProviderError, ProviderNotConfigured
from skills.translation.prompts import CONTEXT_SENTENCES, ContextPair

if TYPE_CHECKING:
    from assistant.llm import LLMClient
    from assistant.skill import CancelToken
    from skills.translation.glossary import GlossaryEntry

RETRY_DELAYS_S = (0.5, 1.0, 2.0, 3.0)  # then every 3 s


@dataclass(frozen=True)
class SourceSentence:
    index: int
    lang: str
    text: str
    target_lang: str
    audio_end_s: float


class SentenceTranslator(Protocol):
    def translate(self, text: str, target_lang: str, context: Sequence[ContextPair]) -> str: ...


class ProviderSentenceTranslator:
    """One sentence per request to the configured provider, glossary terms included."""

    def __init__(
        self, llm: LLMClient, glossary: Sequence[GlossaryEntry], cancel: CancelToken
    ) -> None:
        self.llm = llm
        self.glossary = list(glossary)
        self.cancel = cancel
        self.first_token_s: list[float] = []  # the provider's own latency, per request

    def translate(self, text: str, target_lang: str, context: Sequence[ContextPair]) -> str:
        from skills.translation.glossary import relevant_entries
        from skills.translation.prompts import request_options, translation_messages
        from skills.translation.reply_cleanup import clean_translation

        terms = relevant_entries(self.glossary, text, target_lang)
        messages = translation_messages(text, target_lang, terms, context, interpreting=True)
        completion = self.llm.complete(
            messages, cancel=self.cancel, stage="translating", **request_options(text)
        )
        if completion.first_token_s is not None:
            self.first_token_s.append(completion.first_token_s)
        translation = clean_translation(completion.text, text, target_lang)
        if not translation:
            raise ProviderError("the provider returned an empty translation")
        return translation


class TranslationWorker:
    def __init__(
        self,
        translator: SentenceTranslator,
        *,
        on_translation: Callable[[SourceSentence, str], None],
        on_notice: Callable[[str], None],
        retry_delays_s: Sequence[float] = RETRY_DELAYS_S,
        context_size: int = CONTEXT_SENTENCES,
    ) -> None:
        self.translator = translator
        self.on_translation = on_translation
        self.on_notice = on_notice
        self.retry_delays_s = tuple(retry_delays_s)
        self.context_size = context_size
        self._pending: deque[SourceSentence] = deque()
        self._context: deque[ContextPair] = deque(maxlen=context_size)
        self._wake = threading.Condition()
        self._closed = False  # no more sentences will come
        self._stopped = False  # give up now
        self.stopped_reason: str | None = None  # set when translation stopped for good
        self.last_error: str | None = None
        self._thread = threading.Thread(target=self._run, name="ting-translate", daemon=True)

    def start(self) -> TranslationWorker:
        self._thread.start()
        return self

    def submit(self, sentence: SourceSentence) -> None:
        with self._wake:
            self._pending.append(sentence)
            self._wake.notify_all()

    def pending(self) -> list[SourceSentence]:
        with self._wake:
            return list(self._pending)

    def finish(self, drain_timeout_s: float) -> list[SourceSentence]:
        """No more sentences: translate what is queued (up to the timeout); returns the rest."""
        with self._wake:
            self._closed = True
            self._wake.notify_all()
        self._thread.join(drain_timeout_s)
        left = self.pending()
        self.stop()
        return left

    def stop(self) -> None:
        with self._wake:
            self._stopped = True
            self._wake.notify_all()
        if self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join(5.0)

    def _sleep(self, seconds: float) -> bool:
        """Wait ``seconds`` (or until stopped); True if stopped."""
        with self._wake:
            if not self._stopped:
                self._wake.wait(seconds)
            return self._stopped

    def _run(self) -> None:
        failures = 0
        while True:
            with self._wake:
                while not self._pending and not self._closed and not self._stopped:
                    self._wake.wait()
                if self._stopped or (not self._pending and self._closed):
                    return
                sentence = self._pending[0]
                context = list(self._context)
            try:
                translation = self.translator.translate(
                    sentence.text, sentence.target_lang, context
                )
            except Cancelled:
                return
            except (ProviderNotConfigured, ProviderAuthError) as exc:
                self.stopped_reason = exc.user_message()
                self.on_notice(f"translation stopped: {exc.user_message()}")
                with self._wake:
                    self._stopped = True
                return
            except ProviderError as exc:
                self.last_error = exc.user_message()
                delay = self.retry_delays_s[min(failures, len(self.retry_delays_s) - 1)]
                if failures == 0:
                    self.on_notice(
                        f"translation paused: {exc.user_message()}; the transcript goes on "
                        "and missed sentences will be translated when the provider is back"
                    )
                failures += 1
                if self._sleep(delay):
                    return
                continue
            with self._wake:
                if self._pending and self._pending[0] is sentence:
                    self._pending.popleft()
                self._context.append(ContextPair(sentence.text, translation))
                behind = len(self._pending)
            if failures:
                self.on_notice(
                    f"translation resumed after {failures} failed tr{'y' if failures == 1 else 'ies'}"
                    + (f"; catching up on {behind} more sentence(s)" if behind else "")
                )
                failures = 0
                self.last_error = None
            self.on_translation(sentence, translation)
