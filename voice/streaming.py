"""Decoding while the user is still talking, so that on key release only the tail is left.

``IncrementalTranscriber`` is fed the growing utterance (``update``, about once a
second, from a worker thread) and does two things each time:

* **commit** — when Silero VAD finds a pause (``cut_silence_s``) after at least
  ``min_commit_s`` of speech, the audio up to the middle of that pause is transcribed
  once and its text is final; later work starts after it (with that text as the prompt);
* **draft** — the audio after the last commit is transcribed as a draft (the partial
  text a UI shows).

On ``finish`` (key released) the draft is reused as it is when no speech came after it
(people let go of the key a moment after they stop talking); otherwise only the audio
since the last commit is decoded. Either way the work left after release is bounded by
the length of speech since the last pause, not by the length of the utterance.

``LiveTranscription`` runs this over a ``MicrophoneStream`` in a background thread.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from voice.asr import LIVE_DECODING, DecodeProfile, Segment, Transcript, VadSettings, speech_chunks
from voice.audio_files import SAMPLE_RATE

if TYPE_CHECKING:
    import numpy as np

    from voice.asr import SpeechRecognizer
    from voice.capture import MicrophoneStream

# Finer than the file VAD: a 300 ms pause is enough to commit what came before it.
CUTTING_VAD = VadSettings(min_silence_duration_ms=300, speech_pad_ms=100)


@dataclass
class _Draft:
    text: str
    segments: list[Segment]
    covered: int  # absolute sample index the draft's audio ended at
    speech_end: int  # absolute sample index where its last speech ended


@dataclass
class IncrementalTranscriber:
    recognizer: SpeechRecognizer
    language: str = "auto"
    profile: DecodeProfile = LIVE_DECODING
    cut_silence_s: float = 0.3
    min_commit_s: float = 1.0
    committed: list[Transcript] = field(default_factory=list)
    commit_at: int = 0  # samples of the utterance already committed
    decodes: int = 0  # how many Whisper calls so far (for the bench)
    _draft: _Draft | None = None
    _offsets: list[int] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # -- helpers ---------------------------------------------------------------------

    @property
    def committed_text(self) -> str:
        from voice.asr import join_segment_texts

        return join_segment_texts([t.text for t in self.committed])

    def _language(self) -> str:
        for piece in self.committed:
            if piece.language:
                return piece.language
        return self.language

    def _decode(self, audio: np.ndarray, chunks: list[dict[str, int]] | None = None) -> Transcript:
        self.decodes += 1
        return self.recognizer.transcribe(
            audio,
            self._language(),
            profile=self.profile,
            context=self.committed_text,
            chunks=chunks,
        )

    def _cut_point(self, chunks: list[dict[str, int]], region_size: int) -> int | None:
        """The latest pause worth committing at (middle of it), relative to the region."""
        gap = int(self.cut_silence_s * SAMPLE_RATE)
        best = None
        for i, chunk in enumerate(chunks):
            next_start = chunks[i + 1]["start"] if i + 1 < len(chunks) else region_size
            if next_start - chunk["end"] < gap:
                continue
            speech = sum(c["end"] - c["start"] for c in chunks[: i + 1])
            if speech >= self.min_commit_s * SAMPLE_RATE:
                best = (chunk["end"] + next_start) // 2 if i + 1 < len(chunks) else chunk["end"]
        return best

    # -- the two entry points --------------------------------------------------------

    def update(self, audio: np.ndarray) -> str:
        """Work on the utterance so far; returns the text so far (committed + draft)."""
        from voice.asr import join_segment_texts

        with self._lock:
            region = audio[self.commit_at :]
            chunks = speech_chunks(region, CUTTING_VAD)
            cut = self._cut_point(chunks, region.size)
            if cut is not None and cut > 0:
                piece = self._decode(region[:cut])
                self._offsets.append(self.commit_at)
                self.committed.append(piece)
                self.commit_at += cut
                region = audio[self.commit_at :]
                chunks = [
                    {"start": c["start"] - cut, "end": c["end"] - cut}
                    for c in chunks
                    if c["start"] >= cut
                ]
            gate = speech_chunks(region, self.recognizer.vad) if chunks else []
            if gate:
                draft = self._decode(region, gate)
                self._draft = _Draft(
                    draft.text,
                    draft.segments,
                    covered=audio.size,
                    speech_end=self.commit_at + gate[-1]["end"],
                )
            else:
                self._draft = _Draft("", [], covered=audio.size, speech_end=self.commit_at)
            return join_segment_texts([self.committed_text, self._draft.text])

    def finish(self, audio: np.ndarray) -> Transcript:
        """The final transcript of the whole utterance (key released)."""
        from voice.asr import join_segment_texts

        with self._lock:
            region = audio[self.commit_at :]
            chunks = speech_chunks(region, self.recognizer.vad)
            draft = self._draft
            tail_speech_end = self.commit_at + chunks[-1]["end"] if chunks else self.commit_at
            pad = int(0.15 * SAMPLE_RATE)
            if draft is not None and (not chunks or tail_speech_end <= draft.speech_end + pad):
                tail = Transcript(draft.text, self._language(), 0.0, draft.segments)
                self.reused_draft = True
            else:
                tail = self._decode(region, chunks) if chunks else None
                self.reused_draft = False
            pieces = list(zip(self._offsets, self.committed, strict=True))
            if tail is not None:
                pieces.append((self.commit_at, tail))
            segments = [
                Segment(s.start + offset / SAMPLE_RATE, s.end + offset / SAMPLE_RATE, s.text)
                for offset, piece in pieces
                for s in piece.segments
            ]
            text = join_segment_texts([piece.text for _, piece in pieces])
            language = next((p.language for _, p in pieces if p.language and p.text), "")
            if not text:
                language = "" if self.language == "auto" else self.language
            return Transcript(text, language, audio.size / SAMPLE_RATE, segments)

    reused_draft: bool = False


class LiveTranscription:
    """One utterance from a kept-open stream, decoded while it is being spoken.

    ``start(at)`` begins (pre-roll included, see ``MicrophoneStream.mark``); a worker
    thread calls ``update`` every ``step_s`` seconds of new audio and reports partial
    text through ``on_partial``; ``stop()`` returns the final transcript.
    """

    def __init__(
        self,
        recognizer: SpeechRecognizer,
        stream: MicrophoneStream,
        *,
        language: str = "auto",
        step_s: float = 1.0,
        pre_roll_s: float = 0.5,
        on_partial: Callable[[str], None] | None = None,
    ) -> None:
        self.recognizer = recognizer
        self.stream = stream
        self.language = language
        self.step = int(step_s * SAMPLE_RATE)
        self.pre_roll_s = pre_roll_s
        self.on_partial = on_partial
        self.transcriber: IncrementalTranscriber | None = None
        self.begin: int | None = None
        self._stopping = threading.Event()
        self._worker: threading.Thread | None = None
        self._error: BaseException | None = None
        self.release_wait_s = 0.0  # how long stop() waited for a running update

    def start(self, at: int | None = None) -> int:
        self.stream.open()
        self.begin = self.stream.mark(self.pre_roll_s, at)
        self.transcriber = IncrementalTranscriber(self.recognizer, self.language)
        self._stopping.clear()
        self._worker = threading.Thread(target=self._run, name="ting-live-asr", daemon=True)
        self._worker.start()
        return self.begin

    def _run(self) -> None:
        assert self.begin is not None and self.transcriber is not None
        done = 0
        try:
            while not self._stopping.is_set():
                target = self.begin + done + self.step
                if not self.stream.wait_for(target, timeout=0.25):
                    if not self.stream.is_open:
                        return
                    continue
                if self._stopping.is_set():
                    return
                audio = self.stream.read(self.begin)
                done = audio.size
                partial = self.transcriber.update(audio)
                if self.on_partial is not None:
                    self.on_partial(partial)
        except BaseException as exc:  # reported by stop()
            self._error = exc

    def stop(self, end: int | None = None) -> Transcript:
        """Key released (at ring position ``end``, default now): the final text."""
        assert self.begin is not None and self.transcriber is not None, "not started"
        audio = self.stream.read(self.begin, end)
        self._stopping.set()
        waited = time.perf_counter()
        if self._worker is not None:
            self._worker.join()
        self.release_wait_s = time.perf_counter() - waited
        if self._error is not None:
            raise self._error
        return self.transcriber.finish(audio)
