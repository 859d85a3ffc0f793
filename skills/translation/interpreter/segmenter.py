"""Cutting a live audio stream into sentences with Silero VAD, as the audio arrives.

Two parts:

* ``StreamingSpeechDetector`` runs faster-whisper's bundled Silero model one 32 ms frame
  (512 samples at 16 kHz) at a time, carrying the model's state between calls, so each
  frame gets the same speech probability it would get in a whole-file pass.
* ``SentenceSegmenter`` is the pure state machine over those probabilities: speech
  starts above ``threshold``; a sentence ends after ``end_silence_s`` below
  ``threshold - 0.15`` (``short_end_silence_s`` when it holds less than
  ``short_speech_s`` of speech); a sentence longer than ``max_sentence_s`` is cut at its
  quietest recent frame. It reports ``SentenceEnded`` with sample positions (padded by
  ``pad_s``) and says while speech is going on (``in_speech``) so partial transcripts
  can be made.

This is the streaming VAD segmenter the interpreter needs; it belongs in ``voice/``
once that package has one (see the report on issue 8).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

SAMPLE_RATE = 16_000
FRAME_SAMPLES = 512  # Silero's window at 16 kHz (32 ms)
_CONTEXT_SAMPLES = 64


class StreamingSpeechDetector:
    """Speech probability per 512-sample frame, fed any number of samples at a time."""

    def __init__(self) -> None:
        import numpy as np
        from faster_whisper.vad import get_vad_model

        self._session: Any = get_vad_model().session
        self._h = np.zeros((1, 1, 128), dtype=np.float32)
        self._c = np.zeros((1, 1, 128), dtype=np.float32)
        self._context = np.zeros(_CONTEXT_SAMPLES, dtype=np.float32)
        self._pending = np.zeros(0, dtype=np.float32)

    def feed(self, samples: np.ndarray) -> list[float]:
        """Probabilities of the whole frames completed by ``samples`` (maybe none)."""
        import numpy as np

        self._pending = np.concatenate([self._pending, np.asarray(samples, dtype=np.float32)])
        count = self._pending.size // FRAME_SAMPLES
        if count == 0:
            return []
        frames = self._pending[: count * FRAME_SAMPLES].reshape(count, FRAME_SAMPLES)
        self._pending = self._pending[count * FRAME_SAMPLES :]
        contexts = np.empty((count, _CONTEXT_SAMPLES), dtype=np.float32)
        contexts[0] = self._context
        if count > 1:
            contexts[1:] = frames[:-1, -_CONTEXT_SAMPLES:]
        self._context = frames[-1, -_CONTEXT_SAMPLES:].copy()
        batch = np.concatenate([contexts, frames], axis=1)
        out, self._h, self._c = self._session.run(
            None, {"input": batch, "h": self._h, "c": self._c}
        )
        return [float(p) for p in np.asarray(out).reshape(-1)[:count]]


@dataclass(frozen=True)
class SegmenterSettings:
    threshold: float = 0.5
    end_silence_s: float = 0.55  # a pause this long ends a sentence
    min_speech_s: float = 0.25  # shorter bursts are noise
    pad_s: float = 0.2  # audio kept before the start and after the end
    max_sentence_s: float = 12.0  # a longer sentence is cut at a quiet frame
    # A lone syllable (对, 嗯, yes) is not ended by a pause of end_silence_s: decoded on
    # its own Whisper mishears it or hears nothing ("对，这就是我…" lost its 对), while
    # with the sentence that follows it is kept. Only such short ones wait longer.
    short_speech_s: float = 1.0
    short_end_silence_s: float = 1.0

    @property
    def neg_threshold(self) -> float:
        return max(self.threshold - 0.15, 0.01)


@dataclass(frozen=True)
class SentenceEnded:
    """A finished sentence: ``start``/``end`` are sample positions in the stream (padded)."""

    start: int
    end: int
    speech_end: int  # where speech stopped (unpadded): the sentence's "audio end"
    forced: bool = False  # cut because it grew past max_sentence_s


class SentenceSegmenter:
    """Pure state machine over per-frame speech probabilities (one call per frame)."""

    def __init__(self, settings: SegmenterSettings | None = None) -> None:
        self.settings = settings or SegmenterSettings()
        self.frame_index = 0  # frames seen
        self.speech_start: int | None = None  # frame where the current sentence began
        self._last_speech_frame = 0
        self._quietest: tuple[float, int] | None = None  # (prob, frame) in the current run

    @property
    def in_speech(self) -> bool:
        return self.speech_start is not None

    @property
    def silent_frames(self) -> int:
        """Frames since speech last went on (0 while speaking or outside a sentence)."""
        if self.speech_start is None:
            return 0
        return self.frame_index - self._last_speech_frame

    @property
    def samples_seen(self) -> int:
        return self.frame_index * FRAME_SAMPLES

    def pending(self) -> SentenceEnded | None:
        """The sentence ``push`` will report if the pause going on now lasts long enough
        (the same positions, so work started on it early can be matched); None outside
        speech, while speech goes on, or for a burst too short to be a sentence."""
        if self.speech_start is None or self.silent_frames == 0:
            return None
        return self._sentence(self.speech_start, self._last_speech_frame, forced=False)

    def frames_to_end(self) -> int:
        """Frames of silence still needed to end the current sentence."""
        return max(0, self._end_frames() - self.silent_frames)

    def _end_frames(self) -> int:
        """The pause, in frames, that ends the current sentence."""
        s = self.settings
        speech = self._last_speech_frame - (self.speech_start or 0)
        if speech < self._frames(s.short_speech_s):
            return max(self._frames(s.end_silence_s), self._frames(s.short_end_silence_s))
        return self._frames(s.end_silence_s)

    def _frames(self, seconds: float) -> int:
        return max(1, round(seconds * SAMPLE_RATE / FRAME_SAMPLES))

    def _sentence(self, start_frame: int, end_frame: int, *, forced: bool) -> SentenceEnded | None:
        if end_frame - start_frame < self._frames(self.settings.min_speech_s):
            return None
        pad = int(self.settings.pad_s * SAMPLE_RATE)
        start = max(0, start_frame * FRAME_SAMPLES - pad)
        speech_end = end_frame * FRAME_SAMPLES
        end = speech_end if forced else speech_end + pad
        return SentenceEnded(start, end, speech_end, forced)

    def push(self, probability: float) -> SentenceEnded | None:
        """Take one frame's probability; a finished sentence when this frame ends one."""
        s = self.settings
        i = self.frame_index
        self.frame_index += 1
        if self.speech_start is None:
            if probability >= s.threshold:
                self.speech_start = i
                self._last_speech_frame = i + 1
                self._quietest = None
            return None
        # hysteresis: speech goes on while above neg_threshold, resumes above threshold
        if probability >= s.threshold or (
            probability >= s.neg_threshold and self._last_speech_frame == i
        ):
            self._last_speech_frame = i + 1
        if self.frame_index - self._last_speech_frame >= self._end_frames():
            start, end = self.speech_start, self._last_speech_frame
            self.speech_start = None
            return self._sentence(start, end, forced=False)
        # remember the quietest frame of the last seconds, to cut a run-on sentence there
        if i - self.speech_start > self._frames(s.max_sentence_s / 2) and (
            self._quietest is None or probability <= self._quietest[0]
        ):
            self._quietest = (probability, i)
        if i + 1 - self.speech_start >= self._frames(s.max_sentence_s):
            cut = self._quietest[1] if self._quietest else i + 1
            start = self.speech_start
            self.speech_start = cut
            self._last_speech_frame = max(self._last_speech_frame, cut)
            self._quietest = None
            return self._sentence(start, cut, forced=True)
        return None

    def flush(self) -> SentenceEnded | None:
        """The stream ended: the sentence in progress, if any, ends here."""
        if self.speech_start is None:
            return None
        start, end = self.speech_start, max(self._last_speech_frame, self.speech_start + 1)
        self.speech_start = None
        return self._sentence(start, min(end, self.frame_index), forced=False)
