"""The live interpreter's pipeline, on the caller's thread, fed by a capture thread.

::

    source thread ──blocks──▶ Silero (per frame) ──▶ SentenceSegmenter
                                                        │ in speech: every
                                                        │ partial_interval_s → partial
                                                        │ sentence ended → Whisper
                                                        ▼
                                         "source" event ──▶ TranslationWorker (thread)
                                                                   │
                                                   "translation" event ──▶ speaker

Events go to ``emit`` as dicts: ``{"type": "partial"|"source"|"translation"|"notice",
"lang", "text", "audio_end_s", "emitted_s", "sentence"}``; times are seconds from the
first sample of the audio (``emitted_s`` on the wall clock of the session). At real-time
pace a partial transcript is skipped while the pipeline is behind the audio, so a
finished sentence is never kept waiting; with ``fast`` replay partials are made at fixed
audio positions (repeatable). The Whisper model is used from this thread only.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from assistant.errors import Cancelled
from skills.translation.interpreter.audio_sources import SAMPLE_RATE, AudioBlock, BlockQueue
from skills.translation.interpreter.segmenter import (
    FRAME_SAMPLES,
    SegmenterSettings,
    SentenceEnded,
    SentenceSegmenter,
    StreamingSpeechDetector,
)
from skills.translation.interpreter.transcript import BilingualTranscript, InterpretedSentence
from skills.translation.interpreter.translation_worker import SourceSentence
from skills.translation.languages import other_language

if TYPE_CHECKING:
    import numpy as np

    from assistant.history import HistoryStore
    from assistant.skill import CancelToken
    from skills.translation.interpreter.translation_worker import TranslationWorker

Emit = Callable[[dict[str, Any]], None]


class AudioSource:  # the shape FileReplay and Microphone share
    started_at: float | None
    description: str

    def start(self, blocks: BlockQueue) -> None: ...

    def stop(self) -> None: ...


@dataclass(frozen=True)
class PipelineSettings:
    # A partial costs a whole encoder pass (~0.5-1.5 s on two cores); one still running
    # when the sentence ends holds up its final transcript, so they are kept sparse.
    partial_interval_s: float = 1.5  # a partial transcript per this much new speech
    min_partial_speech_s: float = 1.2  # no partial for less speech than this
    max_partial_backlog_s: float = 0.3  # real-time pace: skip a partial when this far behind
    segmenter: SegmenterSettings = SegmenterSettings()


class SessionRecorder:
    """Keeps the session's history row up to date (a killed session keeps what was said)."""

    def __init__(self, history: HistoryStore, transcript: BilingualTranscript, origin: str):
        self.history = history
        self.transcript = transcript
        self.started = time.monotonic()
        self.exchange_id = history.start(
            transcript.title(), origin=origin, skill="translation", route_source="interpreter"
        )

    def save(self, status: str = "running", error: str | None = None) -> None:
        self.history.finish(
            self.exchange_id,
            status=status,
            output_text=self.transcript.plain_text(),
            output=self.transcript.to_dict(),
            error=error,
            duration_ms=int((time.monotonic() - self.started) * 1000),
        )


class InterpreterSession:
    def __init__(
        self,
        *,
        source: Any,
        recognizer: Any,
        pair: tuple[str, str],
        emit: Emit,
        worker_factory: Callable[[Callable[[SourceSentence, str], None]], TranslationWorker | None]
        | None = None,
        recorder_factory: Callable[[BilingualTranscript], SessionRecorder | None] | None = None,
        on_translation: Callable[[SourceSentence, str], None] | None = None,
        fast: bool = False,
        settings: PipelineSettings | None = None,
        drain_timeout_s: float = 30.0,
    ) -> None:
        self.source = source
        self.recognizer = recognizer
        self.pair = pair
        self._emit = emit
        self.fast = fast
        self.settings = settings or PipelineSettings()
        self.drain_timeout_s = drain_timeout_s
        self.transcript = BilingualTranscript(pair, getattr(source, "description", "audio"))
        self._lock = threading.Lock()  # transcript + recorder, shared with the worker thread
        self._speak = on_translation
        self.worker = worker_factory(self._translated) if worker_factory else None
        self.recorder = recorder_factory(self.transcript) if recorder_factory else None
        self._blocks: list[AudioBlock] = []
        self._next_index = 1
        self._last_partial_at = 0  # sample position of the last partial attempt
        self._partial_lang: str | None = None  # the language partials are decoded in
        self._last_language: str | None = None  # of the last finished sentence
        self._last_partial_text = ""

    # -- output --------------------------------------------------------------------------

    def _clock(self) -> float:
        started = self.source.started_at or time.monotonic()
        return round(time.monotonic() - started, 3)

    def emit(self, event: dict[str, Any]) -> None:
        event = dict(event, emitted_s=self._clock())
        self._emit(event)

    def notice(self, message: str) -> None:
        with self._lock:
            self.transcript.notices.append(message)
        self.emit({"type": "notice", "text": message})

    def _translated(self, sentence: SourceSentence, translation: str) -> None:
        """Called on the worker thread for each translation, in sentence order."""
        with self._lock:
            self.transcript.set_translation(sentence.index, translation)
            if self.recorder is not None:
                self.recorder.save()
        self.emit(
            {
                "type": "translation",
                "sentence": sentence.index,
                "lang": sentence.target_lang,
                "text": translation,
                "source_lang": sentence.lang,
                "audio_end_s": sentence.audio_end_s,
            }
        )
        if self._speak is not None:
            self._speak(sentence, translation)

    # -- audio buffer --------------------------------------------------------------------

    def _audio(self, start: int, end: int) -> np.ndarray:
        import numpy as np

        pieces = []
        for block in self._blocks:
            b_start, b_end = block.start_sample, block.start_sample + block.samples.size
            if b_end <= start or b_start >= end:
                continue
            pieces.append(
                block.samples[max(0, start - b_start) : min(block.samples.size, end - b_start)]
            )
        if not pieces:
            return np.zeros(0, dtype=np.float32)
        return np.concatenate(pieces)

    def _trim(self, keep_from: int) -> None:
        while (
            self._blocks and self._blocks[0].start_sample + self._blocks[0].samples.size < keep_from
        ):
            self._blocks.pop(0)

    # -- the loop ------------------------------------------------------------------------

    def run(self, cancel: CancelToken) -> BilingualTranscript:
        from voice.asr import LIVE_DECODING

        self.live_profile = LIVE_DECODING
        detector = StreamingSpeechDetector()
        segmenter = SentenceSegmenter(self.settings.segmenter)
        blocks = BlockQueue()
        if self.worker is not None:
            self.worker.start()
        status, error = "ok", None
        self.source.start(blocks)
        stopping = False
        try:
            while True:
                if cancel.cancelled and not stopping:
                    # asked to stop (Ctrl-C on the microphone): finish what was heard
                    stopping = True
                    self.source.stop()
                try:
                    block = blocks.get(timeout=0.25)
                except Exception:  # queue.Empty: check for cancel, wait again
                    continue
                if block is None:
                    break
                self._blocks.append(block)
                for probability in detector.feed(block.samples):
                    ended = segmenter.push(probability)
                    if ended is not None:
                        self._finish_sentence(ended)
                if segmenter.in_speech:
                    self._maybe_partial(segmenter, blocks)
                    assert segmenter.speech_start is not None
                    pad = int(self.settings.segmenter.pad_s * SAMPLE_RATE)
                    self._trim(segmenter.speech_start * FRAME_SAMPLES - pad)
                else:
                    self._trim(
                        segmenter.samples_seen
                        - int(self.settings.segmenter.pad_s * SAMPLE_RATE)
                        - FRAME_SAMPLES
                    )
            ended = segmenter.flush()
            if ended is not None:
                self._finish_sentence(ended)
        except (Cancelled, KeyboardInterrupt):  # a second Ctrl-C: stop at once
            status, error = "cancelled", "stopped by the user"
        finally:
            self.source.stop()
            self._close_worker(drain=status == "ok")
            if self.recorder is not None:
                with self._lock:
                    try:
                        self.recorder.save(status, error)
                    except Exception:  # the transcript was shown; a failed save is reported
                        if status == "ok":
                            raise
        return self.transcript

    def _close_worker(self, *, drain: bool) -> None:
        if self.worker is None:
            return
        if not drain:
            self.worker.stop()
            return
        left = self.worker.finish(self.drain_timeout_s)
        if left:
            reason = self.worker.stopped_reason or self.worker.last_error or "no answer in time"
            self.notice(f"{len(left)} sentence(s) were not translated: {reason}")

    # -- sentences -----------------------------------------------------------------------

    def _target(self, lang: str) -> str:
        return other_language(lang, self.pair)

    def _finish_sentence(self, ended: SentenceEnded) -> None:
        audio = self._audio(ended.start, ended.end)
        # the language is detected again on the whole sentence: the partials' guess, made
        # on a second or two, is often wrong (it costs one more encoder pass per sentence)
        self._partial_lang = None
        self._last_partial_text = ""
        if audio.size < FRAME_SAMPLES:
            return
        heard = self.recognizer.transcribe(audio, "auto", profile=self.live_profile, gate=False)
        text = heard.text.strip()
        if not text:
            return  # noise, or a line Whisper invents on silence: no sentence
        self._last_language = heard.language
        index = self._next_index
        self._next_index += 1
        start_s = round(ended.start / SAMPLE_RATE, 3)
        end_s = round(ended.speech_end / SAMPLE_RATE, 3)
        target = self._target(heard.language)
        with self._lock:
            self.transcript.add(
                InterpretedSentence(index, heard.language, text, start_s, end_s, target)
            )
            if self.recorder is not None:
                self.recorder.save()
        self.emit(
            {
                "type": "source",
                "sentence": index,
                "lang": heard.language,
                "text": text,
                "audio_start_s": start_s,
                "audio_end_s": end_s,
            }
        )
        if self.worker is not None:
            self.worker.submit(SourceSentence(index, heard.language, text, target, end_s))

    def _maybe_partial(self, segmenter: SentenceSegmenter, blocks: BlockQueue) -> None:
        s = self.settings
        assert segmenter.speech_start is not None
        now = segmenter.samples_seen
        speech_start = segmenter.speech_start * FRAME_SAMPLES
        since = max(self._last_partial_at, speech_start)
        if now - speech_start < s.min_partial_speech_s * SAMPLE_RATE:
            return
        if (
            now - since < s.partial_interval_s * SAMPLE_RATE
            and self._last_partial_at > speech_start
        ):
            return
        if segmenter.silent_frames > 3:
            return  # a pause: the sentence may be ending, and its final transcript comes first
        self._last_partial_at = now
        if not self.fast and blocks.backlog_s > s.max_partial_backlog_s:
            return  # behind the audio: the finished sentence matters more
        pad = int(s.segmenter.pad_s * SAMPLE_RATE)
        audio = self._audio(max(0, speech_start - pad), now)
        if self._partial_lang is None:
            # the language of the sentence before (people answer in turn, but a detection
            # costs an encoder pass that would hold up the final transcript); detected
            # only for the first sentence of a session
            self._partial_lang = self._last_language or self.recognizer.detect_language(
                audio, self.live_profile
            )
        heard = self.recognizer.transcribe(
            audio, self._partial_lang, profile=self.live_profile, gate=False
        )
        text = heard.text.strip()
        if not text or text == self._last_partial_text:
            return
        self._last_partial_text = text
        self.emit(
            {
                "type": "partial",
                "sentence": self._next_index,
                "lang": self._partial_lang,
                "text": text,
                "audio_end_s": round(now / SAMPLE_RATE, 3),
            }
        )
