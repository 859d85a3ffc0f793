"""The live interpreter's pipeline, on the caller's thread, fed by a capture thread.

::

    source thread ──blocks──▶ Silero (per frame) ──▶ SentenceSegmenter
                                                        │ in speech: every
                                                        │ partial_interval_s → partial
                                                        │ a pause begins → Whisper
                                                        │ sentence ended → its text
                                                        ▼
                                         "source" event ──▶ TranslationWorker (thread)
                                                                   │
                                                   "translation" event ──▶ speaker

Events go to ``emit`` as the frozen dataclasses of ``events.py`` (``PartialText``,
``SourceText``, ``TranslationText``, ``Notice``); times are seconds from the first
sample of the audio (``emitted_s`` on the wall clock of the session). At real-time
pace a partial transcript is skipped while the pipeline is behind the audio, so a
finished sentence is never kept waiting; with ``fast`` replay partials are made at fixed
audio positions (repeatable). The Whisper model is used from this thread only.

Where the time goes after a sentence's last word (measured in bench/results_interpreter.md):
``end_silence_s`` of pause before the sentence is known to be over, then one Whisper
pass. So the pass starts early: as soon as a pause has lasted ``pad_s`` (the audio a
finished sentence is cut with), the sentence so far is decoded (the "early final"); if
the pause then lasts long enough, that text is the sentence's final text (the audio is
the same), and if the speaker goes on it is shown as a partial. Language detection and
decoding share one encoder pass (``voice.trimmed_encoder``), and partials decode once,
with no temperature fallback, so a partial still running when a sentence ends costs
less.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from assistant.errors import Cancelled
from skills.translation.interpreter.audio_sources import SAMPLE_RATE, AudioBlock, BlockQueue
from skills.translation.interpreter.events import (
    InterpreterEvent,
    Notice,
    PartialText,
    SourceText,
    TranslationText,
)
from skills.translation.interpreter.partials import BackgroundPartials, PartialRequest
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
from voice.asr import LIVE_DECODING, LIVE_FINAL_DECODING, DecodeProfile

if TYPE_CHECKING:
    import numpy as np

    from assistant.history import HistoryStore
    from assistant.skill import CancelToken
    from skills.translation.interpreter.translation_worker import TranslationWorker
    from voice.asr import Transcript

Emit = Callable[[InterpreterEvent], None]


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
    # real-time pace: decode a sentence when its pause begins, not when the pause is long
    # enough to end it (off with ``fast`` replay, where the queued audio already says)
    early_final: bool = True
    segmenter: SegmenterSettings = SegmenterSettings()
    final_profile: DecodeProfile = LIVE_FINAL_DECODING
    # a partial is thrown away a moment later: one decode, no fallback temperatures
    partial_profile: DecodeProfile = DecodeProfile(
        beam_size=1, min_window_s=LIVE_DECODING.min_window_s, temperatures=(0.0,)
    )


@dataclass(frozen=True)
class EarlyFinal:
    """A sentence decoded when its pause began: ``span`` is its padded sample range."""

    span: tuple[int, int]
    heard: Transcript
    asr_s: float


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
        partial_recognizer: Any | None = None,
        offline_translator: Callable[[np.ndarray], str] | None = None,
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
        # no provider: speech into English by Whisper's translate task, on this thread
        self.offline_translator = offline_translator if self.worker is None else None
        self.recorder = recorder_factory(self.transcript) if recorder_factory else None
        self._blocks: list[AudioBlock] = []
        self._next_index = 1
        self._last_partial_at = 0  # sample position of the last partial attempt
        self._last_partial_text = ""
        self._early: EarlyFinal | None = None
        # real-time partials on a second, low-priority model (see partials.py); without
        # one (or with fast replay) partials are decoded here, between blocks
        self.partial_recognizer = None if fast else partial_recognizer
        self._partials: BackgroundPartials | None = None
        self._partial_lock = threading.Lock()  # sentence serial + last partial shown
        self._serial = 0  # sentences ended so far (a partial for an older one is dropped)
        self._last_partial_end_s = 0.0
        # per finished sentence, for the bench: Whisper seconds, whether the early final
        # was used, how far behind the audio the pipeline was when the sentence ended
        self.timings: list[dict[str, Any]] = []

    # -- output --------------------------------------------------------------------------

    def _clock(self) -> float:
        started = self.source.started_at or time.monotonic()
        return round(time.monotonic() - started, 3)

    def emit(self, event: InterpreterEvent) -> None:
        self._emit(dataclasses.replace(event, emitted_s=self._clock()))

    def notice(self, message: str) -> None:
        with self._lock:
            self.transcript.notices.append(message)
        self.emit(Notice(message))

    def _translated(self, sentence: SourceSentence, translation: str) -> None:
        """Called on the worker thread for each translation, in sentence order."""
        with self._lock:
            self.transcript.set_translation(sentence.index, translation)
            if self.recorder is not None:
                self.recorder.save()
        self.emit(
            TranslationText(
                sentence=sentence.index,
                lang=sentence.target_lang,
                text=translation,
                source_lang=sentence.lang,
                audio_end_s=sentence.audio_end_s,
            )
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
        detector = StreamingSpeechDetector()
        segmenter = SentenceSegmenter(self.settings.segmenter)
        blocks = BlockQueue()
        if self.worker is not None:
            self.worker.start()
        if self.partial_recognizer is not None:
            self._partials = BackgroundPartials(
                self.partial_recognizer,
                self.settings.partial_profile,
                self._partial_heard,
                on_error=self.notice,  # the session goes on without partials
            ).start()
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
                        self._finish_sentence(ended, segmenter.samples_seen)
                if segmenter.in_speech:
                    if not self._maybe_early_final(segmenter, blocks):
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
            if self._partials is not None:
                self._partials.stop()
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

    def _decode(self, audio: np.ndarray, language: str, profile: DecodeProfile):
        started = time.monotonic()
        heard = self.recognizer.transcribe(audio, language, profile=profile, gate=False)
        return heard, round(time.monotonic() - started, 3)

    def _finish_sentence(self, ended: SentenceEnded, audio_seen: int | None = None) -> None:
        behind_s = (
            None if audio_seen is None else round(self._clock() - audio_seen / SAMPLE_RATE, 3)
        )
        early, self._early = self._early, None
        with self._partial_lock:
            self._serial += 1
            self._last_partial_text = ""
            self._last_partial_end_s = 0.0
        if early is not None and early.span == (ended.start, ended.end):
            heard, asr_s = early.heard, early.asr_s  # decoded when the pause began
        else:
            audio = self._audio(ended.start, ended.end)
            if audio.size < FRAME_SAMPLES:
                return
            # the language is detected on the whole sentence (the partials' guess, made on
            # a second or two, is often wrong); it shares the decode's encoder pass
            heard, asr_s = self._decode(audio, "auto", self.settings.final_profile)
            early = None
        self.timings.append(
            {
                "sentence": self._next_index,
                "asr_s": asr_s,
                "early": early is not None,
                "behind_s": behind_s,
                "kept": bool(heard.text.strip()),
            }
        )
        text = heard.text.strip()
        if not text:
            return  # noise, or a line Whisper invents on silence: no sentence
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
            SourceText(
                sentence=index,
                lang=heard.language,
                text=text,
                audio_start_s=start_s,
                audio_end_s=end_s,
            )
        )
        sentence = SourceSentence(index, heard.language, text, target, end_s)
        if self.worker is not None:
            self.worker.submit(sentence)
        elif self.offline_translator is not None and target == "en" and heard.language != "en":
            english = self.offline_translator(self._audio(ended.start, ended.end)).strip()
            if english:
                self._translated(sentence, english)

    def _maybe_early_final(self, segmenter: SentenceSegmenter, blocks: BlockQueue) -> bool:
        """Decode the sentence when its pause has lasted ``pad_s``; True if it did."""
        s = self.settings
        if self.fast or not s.early_final:
            return False
        if segmenter.silent_frames * FRAME_SAMPLES < s.segmenter.pad_s * SAMPLE_RATE:
            return False
        if blocks.backlog_s * SAMPLE_RATE >= segmenter.frames_to_end() * FRAME_SAMPLES:
            return False  # the audio already queued says whether the sentence is over
        pending = segmenter.pending()
        if pending is None:
            return False
        span = (pending.start, pending.end)
        if self._early is not None and self._early.span == span:
            return False  # decoded already, the pause goes on
        audio = self._audio(*span)
        if audio.size < FRAME_SAMPLES:
            return False
        heard, asr_s = self._decode(audio, "auto", s.final_profile)
        self._early = EarlyFinal(span, heard, asr_s)
        self._last_partial_at = segmenter.samples_seen
        # shown at once: if the speaker goes on it was a partial, if not the same text comes
        # back as the sentence's source line as soon as the pause is long enough
        self._show_partial(self._serial, heard, pending.speech_end / SAMPLE_RATE)
        return True

    def _show_partial(self, serial: int, heard: Transcript, audio_end_s: float) -> None:
        text = heard.text.strip()
        with self._partial_lock:
            if serial != self._serial or not text or text == self._last_partial_text:
                return  # its sentence is over, or nothing new
            if audio_end_s < self._last_partial_end_s:
                return  # a later partial is on screen already
            self._last_partial_text = text
            self._last_partial_end_s = audio_end_s
            self.emit(
                PartialText(
                    sentence=self._next_index,
                    lang=heard.language,
                    text=text,
                    audio_end_s=round(audio_end_s, 3),
                )
            )

    def _partial_heard(self, request: PartialRequest, heard: Transcript) -> None:
        """On the partials thread: show it unless its sentence ended meanwhile."""
        self._show_partial(request.serial, heard, request.audio_end_s)

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
        pad = int(s.segmenter.pad_s * SAMPLE_RATE)
        if self._partials is not None:
            if not self._partials.idle:
                return  # still on the last one (or loading): try again with newer audio
            self._last_partial_at = now
            request = PartialRequest(
                self._serial,
                self._next_index,
                self._audio(max(0, speech_start - pad), now),
                now / SAMPLE_RATE,
            )
            self._partials.submit(request)
            return
        self._last_partial_at = now
        if not self.fast and blocks.backlog_s > s.max_partial_backlog_s:
            return  # behind the audio: the finished sentence matters more
        audio = self._audio(max(0, speech_start - pad), now)
        # detected on each partial: it shares the decode's encoder pass, so it costs only
        # Whisper's language head (people answering in turn switch language)
        heard, _ = self._decode(audio, "auto", s.partial_profile)
        self._show_partial(self._serial, heard, now / SAMPLE_RATE)
