"""Decoding while the user is still talking, so that on key release only the tail is left.

``IncrementalTranscriber`` is fed the growing utterance (``update``, at pauses in the
speech, from a worker thread) and does two things each time:

* **commit** — when Silero VAD finds a pause (``cut_silence_s``) after at least
  ``min_commit_s`` of speech, the audio up to the middle of that pause is transcribed
  once and its text is final; later work starts after it (with that text as the prompt);
* **draft** — the audio after the last commit is transcribed as a draft. A draft read
  just after the next word began (Silero sees a pause only ~0.15 s in) ends before that
  word's sound, so that it too can be committed once the speaker goes on.

When to call ``update`` is ``should_update``'s answer: at once when the speech has just
stopped (a short pause after words the draft does not cover yet) — people let go of
the key a moment after their last word, so a draft started then is usually the final
text by the time the key comes up. Partial text while the speaker goes on (what a UI
shows) is ``preview``'s, when ``should_preview`` says so: display only, it neither
commits nor drafts, so it can run beside ``update`` on the model's second worker. The
language is detected once per utterance (on the first decode that hears
``LANGUAGE_AFTER_S`` of speech) and reused by every later decode.

On ``finish`` (key released) the draft is reused as it is when no speech came after it
(people let go of the key a moment after they stop talking); otherwise only the audio
since the last commit is decoded. Either way the work left after release is bounded by
the length of speech since the last pause, not by the length of the utterance.

``LiveTranscription`` runs this over a ``MicrophoneStream`` in background threads.
"""

from __future__ import annotations

import atexit
import logging
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from voice.asr import (
    LIVE_DECODING,
    LIVE_FINAL_DECODING,
    DecodeProfile,
    Segment,
    Transcript,
    VadSettings,
    speech_chunks,
)
from voice.audio_files import SAMPLE_RATE

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    import numpy as np

    from voice.asr import SpeechRecognizer
    from voice.capture import MicrophoneStream

# Finer than the file VAD: a 300 ms pause is enough to commit what came before it.
CUTTING_VAD = VadSettings(min_silence_duration_ms=300, speech_pad_ms=100)
# Watching the end of the buffer for "the speech just stopped": no padding, so a
# region's end is where the voice stopped; only the last TAIL_S seconds are looked at.
TAIL_VAD = VadSettings(min_silence_duration_ms=100, speech_pad_ms=0)
TAIL_S = 2.0
# The language is kept for the rest of the utterance once found on this much speech;
# on less, each decode asks again (half a second of "To call…" was heard as Chinese,
# and kept, the whole sentence came out empty).
LANGUAGE_AFTER_S = 1.5
QUIET_DB = 40.0  # see quiet_between
TAIL_RING_S = 0.3
# A draft is committed at a pause at least this long once the speaker goes on: short
# enough to catch the pause after a comma, so only the last phrase is left to decode at
# release (bench/results_voice.md).
COMMIT_PAUSE_S = 0.15
# A sound after this much quiet past the voice's end is the next word, not the last
# one ringing on (the closure before a final "t" is shorter); see _draft_end.
NEW_WORD_QUIET_S = 0.1
# and the draft ends this much before that sound: a word's soft attack (an "h", an "f")
# is quieter than the threshold, and Silero may start it up to ~30 ms early
NEW_WORD_LEAD_S = 0.05
SILERO_SLACK_S = 0.05  # Silero's starts and ends move by about a window (32 ms)


FRAME = SAMPLE_RATE // 100  # 10 ms, the unit of quiet_between and sound_onset


def _loudness(audio: np.ndarray) -> tuple[np.ndarray, float]:
    """The level (dB) of each whole 10 ms frame of ``audio``, and the level from which a
    frame counts as audible: within ``QUIET_DB`` of the loudest frame and clearly above
    the noise floor (the quietest frames)."""
    import numpy as np

    usable = audio.size // FRAME * FRAME
    power = np.square(audio[:usable], dtype=np.float64).reshape(-1, FRAME).mean(axis=1)
    level = 10 * np.log10(power + 1e-12)
    if not level.size:
        return level, 0.0
    floor = float(np.percentile(level, 10))
    return level, max(float(level.max()) - QUIET_DB, floor + 10.0)


def quiet_between(audio: np.ndarray, start: int, stop: int) -> bool:
    """Whether nothing audible (see ``_loudness``) lies between samples ``start`` and
    ``stop`` of ``audio``.

    Silero places the end of speech up to ~0.2 s before the sound really stops (a
    trailing "s" or "t" is not voice: 10% of the asterisk prompts ring on for more than
    90 ms past it), so a draft cut there would lose the last consonant ("your respon").
    Only the ``TAIL_RING_S`` after the voice's end is worth looking at: a sound later
    than that which Silero does not call voice is not a word (the click of the key being
    let go, say).
    """
    level, threshold = _loudness(audio)
    stop = min(stop, level.size * FRAME)
    if start >= stop:
        return True
    return bool((level[max(0, start) // FRAME : -(-stop // FRAME)] < threshold).all())


def sound_onset(audio: np.ndarray, at: int) -> int:
    """Where the sound heard at sample ``at`` of ``audio`` began (``at`` moved back over
    the audible 10 ms frames before it), or, when it is quiet there, where the next
    sound begins (``at`` when none follows). Silero starts a word up to ~30 ms before or
    after its sound does."""
    import numpy as np

    level, threshold = _loudness(audio)
    i = at // FRAME
    if i >= level.size:
        i = level.size - 1
        if i < 0 or level[i] < threshold:
            return at
    if level[i] < threshold:
        later = np.flatnonzero(level[i:] >= threshold)
        return (i + int(later[0])) * FRAME if later.size else at
    while i > 0 and level[i - 1] >= threshold:
        i -= 1
    return i * FRAME


@dataclass
class _Draft:
    text: str
    segments: list[Segment]
    covered: int  # sample index (in the utterance) the draft's audio ended at
    voice_end: int | None = None  # where the voice last stopped before ``covered``
    # cut where a new sound began after a quiet (see _draft_end): what follows is not
    # the last word ringing on, and Silero may not call it voice yet (a breath)
    before_sound: bool = False


@dataclass
class IncrementalTranscriber:
    recognizer: SpeechRecognizer
    language: str = "auto"
    profile: DecodeProfile = LIVE_DECODING  # partial text (preview)
    final_profile: DecodeProfile = LIVE_FINAL_DECODING  # text that is kept
    cut_silence_s: float = 0.3
    min_commit_s: float = 1.0
    pause_s: float = 0.1  # this much silence after words: decode now (see should_update)
    detected_language: str = ""  # found once enough speech was heard (LANGUAGE_AFTER_S)
    committed: list[Transcript] = field(default_factory=list)
    commit_at: int = 0  # samples of the utterance already committed
    decodes: int = 0  # how many Whisper calls so far (for the bench)
    _draft: _Draft | None = None
    _offsets: list[int] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)  # one update at a time
    # held only while the committed text, commit_at and the draft change or are read
    # together (preview reads them while an update decodes)
    _state_lock: threading.Lock = field(default_factory=threading.Lock)

    # -- helpers ---------------------------------------------------------------------

    @property
    def committed_text(self) -> str:
        from voice.asr import join_segment_texts

        return join_segment_texts([t.text for t in self.committed])

    def _language(self) -> str:
        if self.language != "auto":
            return self.language
        return self.detected_language or "auto"

    def _decode(
        self,
        audio: np.ndarray,
        chunks: list[dict[str, int]] | None = None,
        context: str | None = None,
        *,
        final: bool = True,
    ) -> Transcript:
        with self._state_lock:
            self.decodes += 1
        result = self.recognizer.transcribe(
            audio,
            self._language(),
            profile=self.final_profile if final else self.profile,
            context=self.committed_text if context is None else context,
            chunks=chunks,
        )
        heard = sum(c["end"] - c["start"] for c in chunks) if chunks else audio.size
        if (
            not self.detected_language
            and result.text
            and result.language
            and heard >= LANGUAGE_AFTER_S * SAMPLE_RATE
        ):
            self.detected_language = result.language
        return result

    def _voice_end(self, audio: np.ndarray, commit_at: int | None = None) -> int | None:
        """Where the voice last stopped in ``audio`` (Silero, no padding; only the last
        ``TAIL_S`` after the last commit are looked at); None when no voice is there."""
        commit_at = self.commit_at if commit_at is None else commit_at
        start = max(commit_at, audio.size - int(TAIL_S * SAMPLE_RATE))
        chunks = speech_chunks(audio[start:], TAIL_VAD)
        return start + chunks[-1]["end"] if chunks else None

    def should_update(self, audio: np.ndarray) -> bool:
        """Whether ``update`` is worth calling now on the utterance ``audio``: when the
        speech stopped ``pause_s`` ago after words the draft has not seen (the draft made
        now is most likely the final text)."""
        with self._lock:
            voice_end = self._voice_end(audio)
            if voice_end is None or audio.size - voice_end < int(self.pause_s * SAMPLE_RATE):
                return False
            draft = self._draft
            if self._holds(draft, audio, voice_end):
                return False
            if draft is not None and draft.before_sound and draft.covered >= voice_end:
                return False  # no voice since the sound the draft was cut before
            # not while a last consonant still rings on past the voice (see
            # quiet_between): the draft would cut it off
            ring_end = voice_end + int(TAIL_RING_S * SAMPLE_RATE)
            return quiet_between(audio, audio.size - SAMPLE_RATE // 20, ring_end)

    def should_preview(self, audio: np.ndarray, every_s: float, previewed: int = 0) -> bool:
        """Whether partial text is due: the speaker is still talking, and ``every_s`` of
        audio came since the last draft, commit or preview (``previewed``: the sample
        count the last ``preview`` was made on). In a pause it is ``update``'s turn."""
        with self._state_lock:
            commit_at = self.commit_at
            covered = self._draft.covered if self._draft is not None else commit_at
        if audio.size - max(covered, previewed) < int(every_s * SAMPLE_RATE):
            return False
        voice_end = self._voice_end(audio, commit_at)
        return voice_end is not None and audio.size - voice_end < int(self.pause_s * SAMPLE_RATE)

    def preview(self, audio: np.ndarray) -> str:
        """Partial text of the utterance so far (committed + a decode of the rest), for
        display only: nothing is committed or kept as a draft, and it runs beside
        ``update`` (the recognizer's second worker) instead of holding it up."""
        from voice.asr import join_segment_texts

        with self._state_lock:
            start, committed = self.commit_at, self.committed_text
        region = audio[start:]
        gate = speech_chunks(region, self.recognizer.vad)
        text = self._decode(region, gate, context=committed, final=False).text if gate else ""
        return join_segment_texts([committed, text])

    @staticmethod
    def _holds(
        draft: _Draft | None, audio: np.ndarray, voice_end: int, until: int | None = None
    ) -> bool:
        """Whether ``draft`` holds everything said up to ``voice_end`` (where Silero says
        the voice stopped) and the sound that rang on after it: it was made on audio
        reaching past that end, and nothing audible follows it (up to ``until``, where
        the next word begins, if that comes first). The sound is what decides, not how
        far past the end: Silero's end moves by up to ~0.25 s as audio comes in (the
        draft of "…joined the conference" was made 0.1 s past the end seen then, 0.03 s
        past the one seen at release, and was decoded again for nothing)."""
        if draft is None or draft.covered < voice_end:
            return False
        ring_end = voice_end + int(TAIL_RING_S * SAMPLE_RATE)
        return quiet_between(audio, draft.covered, min(ring_end, until or ring_end))

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
            self._commit_pause_draft(audio)
            region = audio[self.commit_at :]
            chunks = speech_chunks(region, CUTTING_VAD)
            cut = self._cut_point(chunks, region.size)
            if cut is not None and cut > 0:
                piece = self._decode(region[:cut])
                self._commit(piece, self.commit_at + cut)
                region = audio[self.commit_at :]
                chunks = [
                    {"start": c["start"] - cut, "end": c["end"] - cut}
                    for c in chunks
                    if c["start"] >= cut
                ]
            end = self._draft_end(audio)
            region = region[: end - self.commit_at]
            gate = speech_chunks(region, self.recognizer.vad) if chunks else []
            cut = end < audio.size
            if gate:
                draft = self._decode(region, gate)
                voice_end = self._voice_end(audio[:end])
                made = _Draft(draft.text, draft.segments, end, voice_end, before_sound=cut)
            else:
                made = _Draft("", [], covered=end, before_sound=cut)
            with self._state_lock:
                self._draft = made
            return join_segment_texts([self.committed_text, made.text])

    def _draft_end(self, audio: np.ndarray) -> int:
        """Where a draft of ``audio`` should end: at its end, unless a new word has just
        begun after a pause (sound at the end, after ``NEW_WORD_QUIET_S`` of quiet that
        came after the voice stopped). Then the draft stops before that word's sound, so
        that it can be committed once the speaker goes on: Silero sees the pause only
        ~0.15 s in, and a draft started then may already hold the next word's first
        10 ms (pbx-invalidpark's 0.29 s pause before "Please")."""
        voice_end = self._voice_end(audio)
        onset = sound_onset(audio, audio.size)
        quiet_from = onset - int(NEW_WORD_QUIET_S * SAMPLE_RATE)
        cut = onset - int(NEW_WORD_LEAD_S * SAMPLE_RATE)
        if voice_end is None or onset >= audio.size or quiet_from < voice_end:
            return audio.size
        if cut <= self.commit_at or not quiet_between(audio, quiet_from, onset):
            return audio.size
        return cut

    def _commit_pause_draft(self, audio: np.ndarray) -> None:
        """A draft made in a pause is final once the speaker goes on: commit it as it is
        (its audio ended in silence, a safe place to cut) instead of decoding it again.
        A pause shorter than ``COMMIT_PAUSE_S`` is no place to cut (the "d-b" inside
        "goodbye" came out as "good bye"), nor is a draft made before the last sound
        stopped ringing (see quiet_between)."""
        draft = self._draft
        if draft is None or not draft.text:
            return
        # (VAD from the voice's end, not the draft's: a word begun just before the draft
        # was made is too short for VAD to have seen it then)
        start = draft.covered if draft.voice_end is None else draft.voice_end
        heard = speech_chunks(audio[start:], TAIL_VAD)
        if not heard or start + heard[-1]["end"] <= draft.covered:
            return  # nothing said since: it may still be the final text
        if draft.voice_end is not None:
            resumed = start + heard[0]["start"]
            if resumed - draft.voice_end < int(COMMIT_PAUSE_S * SAMPLE_RATE):
                return
            if draft.before_sound:
                # its end was checked when it was cut: quiet before it, sound after
                if resumed < draft.covered - SILERO_SLACK_S * SAMPLE_RATE:
                    return  # Silero heard the next word begin well inside the draft
            else:
                # (the next word's sound begins up to ~30 ms before or after Silero
                # says it does)
                onset = sound_onset(audio, resumed)
                if onset < draft.covered:
                    return  # the draft ends inside a word
                if not self._holds(draft, audio, draft.voice_end, until=onset):
                    return
        seconds = (draft.covered - self.commit_at) / SAMPLE_RATE
        self._commit(
            Transcript(draft.text, self._language(), seconds, draft.segments), draft.covered
        )

    def _commit(self, piece: Transcript, until: int) -> None:
        """``piece`` (the audio from ``commit_at`` to ``until``) is final."""
        with self._state_lock:
            self._offsets.append(self.commit_at)
            self.committed.append(piece)
            self.commit_at = until
            self._draft = None

    def finish(self, audio: np.ndarray) -> Transcript:
        """The final transcript of the whole utterance (key released)."""
        from voice.asr import join_segment_texts

        with self._lock:
            region = audio[self.commit_at :]
            # Where the voice really stopped (no padding): the draft is the final text
            # when it was made on audio that already held that stop and a little
            # silence after it — nothing was said since.
            voiced = speech_chunks(region, TAIL_VAD)
            voice_end = self.commit_at + voiced[-1]["end"] if voiced else self.commit_at
            draft = self._draft
            if draft is not None and (not voiced or self._holds(draft, audio, voice_end)):
                tail = Transcript(draft.text, self._language(), 0.0, draft.segments)
                self.reused_draft = True
            else:
                chunks = speech_chunks(region, self.recognizer.vad) if voiced else []
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

    ``start(at)`` begins (pre-roll included, see ``MicrophoneStream.mark``). A draft
    worker looks at the new audio every ``poll_s`` and calls ``update`` as soon as the
    speaker pauses (``should_update``). Only when someone listens through
    ``on_partial``, a second worker makes partial text (``preview``) every ``step_s`` of
    speech, never more often than every ``PARTIAL_DUTY`` × the last preview's time (a
    slow or busy CPU gets fewer). The two decode side by side (the live model has two
    workers), so the draft started when the voice stops never waits behind a partial.
    ``stop()`` waits for the draft worker only, and returns the final transcript; a
    partial still decoding then is dropped (its thread ends on its own, and is waited
    for at exit).
    """

    PARTIAL_DUTY = 2.0

    def __init__(
        self,
        recognizer: SpeechRecognizer,
        stream: MicrophoneStream,
        *,
        language: str = "auto",
        step_s: float = 1.0,
        poll_s: float = 0.1,
        pre_roll_s: float = 0.5,
        on_partial: Callable[[str], None] | None = None,
    ) -> None:
        self.recognizer = recognizer
        self.stream = stream
        self.language = language
        self.step_s = step_s
        self.poll = int(poll_s * SAMPLE_RATE)
        self.pre_roll_s = pre_roll_s
        self.on_partial = on_partial
        self.transcriber: IncrementalTranscriber | None = None
        self.begin: int | None = None
        self._stopping = threading.Event()
        self._workers: list[threading.Thread] = []
        self._error: BaseException | None = None
        self._shown_lock = threading.Lock()
        self._shown = 0  # the partial text on screen was made on this many samples
        self.release_wait_s = 0.0  # how long stop() waited for a running draft
        self.last_preview_s = 0.0  # how long the last partial text took

    def start(self, at: int | None = None) -> int:
        self.stream.open()
        self.begin = self.stream.mark(self.pre_roll_s, at)
        self.transcriber = IncrementalTranscriber(self.recognizer, self.language)
        self._stopping.clear()
        self._workers = [threading.Thread(target=self._drafts, name="ting-live-asr", daemon=True)]
        if self.on_partial is not None:
            self._workers.append(
                threading.Thread(target=self._previews, name="ting-live-partial", daemon=True)
            )
        for worker in self._workers:
            worker.start()
        _running.add(self)
        return self.begin

    def _audio(self, seen: int) -> np.ndarray | None:
        """The utterance so far once ``poll`` more samples than ``seen`` came in; None
        when stopping (or the stream closed)."""
        assert self.begin is not None
        while not self._stopping.is_set():
            if self.stream.wait_for(self.begin + seen + self.poll, timeout=0.25):
                return None if self._stopping.is_set() else self.stream.read(self.begin)
            if not self.stream.is_open:
                return None
        return None

    def _show(self, text: str, made_on: int) -> None:
        """Partial text to ``on_partial``, unless newer text is shown or the key is up."""
        with self._shown_lock:
            if self.on_partial is None or self._stopping.is_set() or made_on <= self._shown:
                return
            self._shown = made_on
            self.on_partial(text)

    def _drafts(self) -> None:
        assert self.transcriber is not None
        seen = 0
        try:
            while (audio := self._audio(seen)) is not None:
                seen = audio.size
                if not self.transcriber.should_update(audio):
                    continue
                self._show(self.transcriber.update(audio), audio.size)
        except BaseException as exc:  # reported by stop()
            self._error = exc

    def _previews(self) -> None:
        assert self.transcriber is not None
        seen = previewed = 0
        try:
            while (audio := self._audio(seen)) is not None:
                seen = audio.size
                every = max(self.step_s, self.PARTIAL_DUTY * self.last_preview_s)
                if not self.transcriber.should_preview(audio, every, previewed):
                    continue
                started = time.perf_counter()
                text = self.transcriber.preview(audio)
                self.last_preview_s = time.perf_counter() - started
                previewed = audio.size
                self._show(text, audio.size)
        except BaseException:  # partial text only: the draft worker reports what matters
            log.debug("partial text failed", exc_info=True)

    def stop(self, end: int | None = None) -> Transcript:
        """Key released (at ring position ``end``, default now): the final text."""
        assert self.begin is not None and self.transcriber is not None, "not started"
        audio = self.stream.read(self.begin, end)
        with self._shown_lock:
            self._stopping.set()
        waited = time.perf_counter()
        if self._workers:
            self._workers[0].join()  # the draft worker; a partial still decoding is dropped
        self.release_wait_s = time.perf_counter() - waited
        if self._error is not None:
            raise self._error
        return self.transcriber.finish(audio)

    def join(self, timeout: float | None = None) -> None:
        """Wait for both workers (a dropped partial's decode included) to end."""
        self._stopping.set()
        for worker in self._workers:
            worker.join(timeout)
        _running.discard(self)


# Live transcriptions whose workers may still be decoding: waited for at exit, since
# finalizing the interpreter while CTranslate2 runs on a daemon thread crashes in native
# code (as for the warm-up load, see SpeechRecognizer._let_warm_finish).
_running: weakref.WeakSet[LiveTranscription] = weakref.WeakSet()


@atexit.register
def _join_running() -> None:
    for live in list(_running):
        live.join(timeout=30)
