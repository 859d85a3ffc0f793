"""Long audio → timed transcript, in chunks cut at pauses, checkpointed, resumable.

Two passes over the file, both streamed (memory stays flat for an hour of audio):

1. plan: Silero VAD over a sliding window finds the speech; ``ChunkPlanner`` cuts the
   timeline at pauses into chunks of about one Whisper window of speech. The plan is
   stored with the job (keyed by the file's SHA-256, the language asked for and the
   model), so a second run does not redo it.
2. transcribe: each chunk's speech goes through the local Whisper engine; each finished
   chunk is written to ``meeting_chunks`` in its own transaction. A run that was
   stopped (Ctrl-C, SIGKILL, power cut) starts again at the first chunk not written.

Progress: one event per chunk with "part i of n", percent and an ETA (from the speech
seconds done per wall second in this run), and a heartbeat at least every second while
Whisper works on a chunk.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import json
import os
import queue
import sys
import threading
import time
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.errors import Cancelled, one_line
from assistant.events import Progress
from skills.meeting_notes.audio_stream import (
    SAMPLE_RATE,
    iter_audio_blocks,
    mono,
    probe_audio,
)
from skills.meeting_notes.chunk_plan import (
    DEFAULT_MAX_SPEECH,
    DEFAULT_WINDOW,
    ChunkPlanner,
    PlannedChunk,
)
from skills.meeting_notes.notes_model import TranscriptLine
from skills.meeting_notes.rendering import clock
from voice.audio_files import EndsEarly, damaged_message, ends_early

if TYPE_CHECKING:
    import numpy as np

    from assistant.skill import CancelToken
    from skills.meeting_notes.meeting_store import MeetingStore
    from voice.asr import SpeechRecognizer

# Part of the resume key: raised when decoding changes what a chunk comes out as, so a
# transcript saved by an older Ting is made again rather than resumed.
PLAN_VERSION = "4"
HEARTBEAT_S = 1.0
# One short-lived daemon thread per chunk runs Whisper, so that a cancel returns at once
# (CTranslate2 cannot be interrupted mid-call) and nothing holds the process open: a
# persistent worker costs no less CPU but makes Ctrl-C wait for the chunk in flight. A
# chunk abandoned by a cancel makes the process leave at exit without finalizing
# (``_abandon``).
WORKER_THREAD_NAME = "ting-meeting-asr"
# A meeting's transcription is held to this real-time factor (bench/README.md). Comparing
# Mandarin decodes (voice.lm_choice) costs up to twice the decode again on two cores, so
# a chunk is compared only while the run is expected to stay within it (CompareBudget).
MEETING_RTF = 0.25
# ... or within this many seconds in all: a recording of a sentence or two takes a few
# seconds either way, and nobody waits on a real-time factor there.
SHORT_WAIT_S = 10.0
# seconds of work per second of speech before this run has measured its own
OWN_RATE_GUESS = 0.3


@dataclass(frozen=True)
class TranscriptionOutcome:
    lines: list[TranscriptLine]
    language: str
    duration: float
    source_hash: str
    job_key: str
    chunks_total: int
    chunks_transcribed: int  # by this run
    chunks_reused: int  # finished by an earlier run
    ends_early: EndsEarly | None = None  # the audio stopped before its header's length
    damaged_s: float = 0.0  # seconds left silent for packets that could not be decoded


def job_key_for(source_hash: str, language: str, model: str) -> str:
    return hashlib.sha256(f"{source_hash}|{language}|{model}|{PLAN_VERSION}".encode()).hexdigest()[
        :32
    ]


def format_eta(seconds: float | None) -> str:
    if seconds is None:
        return "ETA …"
    return f"ETA {clock(seconds)}"


def _run_with_heartbeats(
    work: Callable[[], Any],
    cancel: CancelToken,
    heartbeat: Callable[[float], Progress],
) -> Generator[Progress, None, Any]:
    """Run ``work`` on a worker thread; yield a heartbeat every second until it is done."""
    results: queue.Queue[tuple[bool, Any]] = queue.Queue(maxsize=1)

    def target() -> None:
        try:
            results.put((True, work()))
        except BaseException as exc:  # handed to the caller's thread
            results.put((False, exc))

    started = time.monotonic()
    worker = threading.Thread(target=target, name=WORKER_THREAD_NAME, daemon=True)
    worker.start()
    try:
        while True:
            if cancel.cancelled:
                raise Cancelled()
            try:
                ok, value = results.get(timeout=HEARTBEAT_S)
            except queue.Empty:
                yield heartbeat(time.monotonic() - started)
                continue
            if ok:
                return value
            raise value
    except (Cancelled, GeneratorExit, KeyboardInterrupt):
        if worker.is_alive():
            _abandon(worker)
        raise


_abandoned: list[threading.Thread] = []


def _abandon(worker: threading.Thread) -> None:
    """A cancelled chunk goes on in ``worker`` (CTranslate2 cannot be interrupted)."""
    if not _abandoned:
        atexit.register(_exit_without_finalizing)
    _abandoned.append(worker)


def _exit_without_finalizing() -> None:
    """At exit after a cancel, with Whisper still inside a chunk: finishing the
    interpreter under it crashes in native code (SIGSEGV), and waiting for it can take
    half a minute. Every finished chunk and the history row are committed already, so
    leave at once, with the cancelled exit code."""
    if any(t.is_alive() for t in _abandoned):
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()
        os._exit(Cancelled.exit_code)


def label_speaker(
    stereo: np.ndarray, start: float, end: float, channel_names: tuple[str, str]
) -> str | None:
    """Which channel was louder over ``[start, end)`` seconds of a (n, 2) block."""
    import numpy as np

    a, b = int(start * SAMPLE_RATE), max(int(end * SAMPLE_RATE), int(start * SAMPLE_RATE) + 1)
    piece = stereo[max(0, a) : b]
    if piece.size == 0:
        return None
    energy = np.sqrt(np.mean(np.square(piece, dtype=np.float64), axis=0))
    if float(energy.max()) < 1e-4:
        return None
    return channel_names[int(np.argmax(energy))]


def _normalized_word(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


def split_segment_sentences(segments: Sequence[Any]) -> list[tuple[float, float, str]]:
    """Whisper segments cut into sentences, each given a share of the segment's time
    proportional to its length (Whisper base often returns 20 s as one segment)."""
    from skills.meeting_notes.extractive import split_sentences

    out: list[tuple[float, float, str]] = []
    for seg in segments:
        sentences = split_sentences(seg.text) or [seg.text]
        total = sum(len(s) for s in sentences) or 1
        cursor = float(seg.start)
        span = max(0.0, float(seg.end) - float(seg.start))
        for sentence in sentences:
            share = span * len(sentence) / total
            out.append((cursor, cursor + share, sentence))
            cursor += share
    return out


@dataclass
class CompareBudget:
    """Whether the next chunk of a meeting may be compared too: only while this run,
    with that chunk's comparison and Ting's own decode of the speech after it, is
    expected to end within ``rtf`` × the audio it transcribes (or ``floor_s``). What
    each kind of chunk costs per second of speech is measured as the run goes (a guess
    until then), so a fast machine compares every chunk and a slow or busy one the
    first few, and the time it was given is not left unspent."""

    rtf: float = MEETING_RTF
    floor_s: float = SHORT_WAIT_S
    # [seconds of work, seconds of speech] of the chunks decoded once / compared
    own: list[float] = field(default_factory=lambda: [0.0, 0.0])
    compared: list[float] = field(default_factory=lambda: [0.0, 0.0])

    def allows(self, spent_s: float, audio_s: float, speech_s: float, after_s: float) -> bool:
        """``spent_s``: the run so far; ``audio_s``: all the audio it transcribes;
        ``speech_s``: the next chunk's speech; ``after_s``: the speech after it."""
        own = self.own[0] / self.own[1] if self.own[1] else OWN_RATE_GUESS
        # a second decode and the model's reading: up to twice as much again, seen on
        # two cores (bench/README.md); a guess too low would overrun the meeting's time
        compared = self.compared[0] / self.compared[1] if self.compared[1] else 3 * own
        expected = spent_s + compared * speech_s + own * after_s
        return expected <= max(self.rtf * audio_s, self.floor_s)

    def record(self, speech_s: float, seconds: float, compared: bool) -> None:
        kind = self.compared if compared else self.own
        kind[0] += seconds
        kind[1] += speech_s


class ChunkedTranscriber:
    """One file's chunked, checkpointed transcription (see the module docstring)."""

    def __init__(
        self,
        path: Path,
        *,
        store: MeetingStore,
        recognizer: SpeechRecognizer,
        cancel: CancelToken,
        language: str = "auto",
        speaker_channels: tuple[str, str] | None = None,
        max_speech: int = DEFAULT_MAX_SPEECH,
        window: int = DEFAULT_WINDOW,
        on_chunk_done: Callable[[int], None] | None = None,
        compare_budget: CompareBudget | None = None,
    ) -> None:
        self.path = path
        self.store = store
        self.recognizer = recognizer
        self.cancel = cancel
        self.language = language
        self.speaker_channels = speaker_channels
        self.max_speech = max_speech
        self.window = window
        self.on_chunk_done = on_chunk_done
        # Mandarin chunks compared as the budget allows (asr_compare_decodes "files",
        # the default); "all" compares every one, "off" none (no chooser)
        self.compare_budget = compare_budget or CompareBudget()
        self.started = time.monotonic()

    # -- the whole run -----------------------------------------------------------------

    def run(self) -> Generator[Progress, None, TranscriptionOutcome]:
        yield self._progress("hashing", f"reading {one_line(self.path.name)}")
        duration_hint, channels = probe_audio(self.path)
        stereo = self.speaker_channels is not None and channels >= 2
        source_hash = yield from self._fingerprint()
        labels = "|" + ",".join(self.speaker_channels) if stereo and self.speaker_channels else ""
        job_key = job_key_for(source_hash, self.language + labels, self.recognizer.model_name)
        job = self.store.ensure_job(
            job_key,
            source_hash=source_hash,
            source_path=one_line(str(self.path)),  # text SQLite can store
            language=self.language,
            model=self.recognizer.model_name,
        )
        if job["plan_json"]:
            plan = [PlannedChunk.from_dict(d) for d in json.loads(job["plan_json"])]
            duration = float(job["duration"])
            damaged = float(job.get("damaged_seconds") or 0.0)
        else:
            plan, duration, damaged = yield from self._plan(duration_hint)
            self.store.save_plan(job_key, [c.to_dict() for c in plan], duration, damaged)
        cut = ends_early(self.path, duration)
        if cut is not None:
            yield self._progress("truncated", cut.message())
        said_damaged = damaged_message(damaged)
        if said_damaged:
            yield self._progress("damaged", said_damaged)
        finished = self.store.finished_chunks(job_key)
        reused = sum(1 for c in plan if c.index in finished)
        language = job["language"] or (None if self.language == "auto" else self.language)
        transcribed = 0
        if reused < len(plan):
            transcribed, language = yield from self._transcribe(
                plan, finished, job_key, language, stereo, duration
            )
            finished = self.store.finished_chunks(job_key)
        lines = self._lines(plan, finished)
        yield self._progress(
            "transcribed",
            f"transcript ready: {len(lines)} lines from {clock(duration)} of audio",
            len(plan),
            len(plan),
        )
        return TranscriptionOutcome(
            lines=lines,
            language=language or "en",
            duration=duration,
            source_hash=source_hash,
            job_key=job_key,
            chunks_total=len(plan),
            chunks_transcribed=transcribed,
            chunks_reused=reused,
            ends_early=cut,
            damaged_s=damaged,
        )

    def _fingerprint(self) -> Generator[Progress, None, str]:
        """``file_fingerprint`` with progress each second (hours of WAV are gigabytes)."""
        digest = hashlib.sha256()
        size = max(1, self.path.stat().st_size)
        done = 0
        last_report = time.monotonic()
        with self.path.open("rb") as fh:
            while chunk := fh.read(4 * 1024 * 1024):
                self.cancel.raise_if_cancelled()
                digest.update(chunk)
                done += len(chunk)
                if time.monotonic() - last_report >= HEARTBEAT_S:
                    last_report = time.monotonic()
                    yield self._progress(
                        "hashing",
                        f"reading {one_line(self.path.name)}: {done >> 20} of {size >> 20} MiB",
                        done >> 20,
                        size >> 20,
                    )
        return digest.hexdigest()

    def _progress(
        self, stage: str, message: str, done: int | None = None, total: int | None = None
    ) -> Progress:
        return Progress(stage, message, done, total, time.monotonic() - self.started)

    # -- pass 1: the plan --------------------------------------------------------------

    def _plan(
        self, duration_hint: float | None
    ) -> Generator[Progress, None, tuple[list[PlannedChunk], float, float]]:
        from voice.asr import speech_chunks

        def find_speech(buffer: np.ndarray) -> list[tuple[int, int]]:
            return [(r["start"], r["end"]) for r in speech_chunks(buffer, self.recognizer.vad)]

        planner = ChunkPlanner(find_speech, max_speech=self.max_speech, window=self.window)
        plan: list[PlannedChunk] = []
        position = 0
        total = int(duration_hint) if duration_hint else None
        last_report = 0.0
        blocks = iter_audio_blocks(self.path)
        for block in blocks:
            self.cancel.raise_if_cancelled()
            plan.extend(planner.feed(block))
            position += len(block)
            now = time.monotonic()
            if now - last_report >= HEARTBEAT_S:
                last_report = now
                seconds = position / SAMPLE_RATE
                of = f" of {clock(duration_hint)}" if duration_hint else ""
                yield self._progress(
                    "planning",
                    f"finding speech: {clock(seconds)}{of}",
                    int(seconds) if total else None,
                    total,
                )
        plan.extend(planner.finish())
        return plan, position / SAMPLE_RATE, blocks.damaged_s

    # -- pass 2: transcription ---------------------------------------------------------

    def _chunk_audio(self, stereo: bool) -> Iterator[tuple[int, np.ndarray]]:
        """(timeline offset, block) pairs of the file, in order."""
        offset = 0
        for block in iter_audio_blocks(self.path, stereo=stereo):
            yield offset, block
            offset += len(block)

    def _transcribe(
        self,
        plan: list[PlannedChunk],
        finished: dict[int, dict[str, Any]],
        job_key: str,
        language: str | None,
        stereo: bool,
        duration: float,
    ) -> Generator[Progress, None, tuple[int, str | None]]:
        import numpy as np

        total = len(plan)
        speech_left = sum(c.speech_samples for c in plan if c.index not in finished)
        speech_done = 0
        run_started = time.monotonic()
        first = next(c for c in plan if c.index not in finished)
        first_todo = first.index
        audio_s = duration - first.start / SAMPLE_RATE  # what this run transcribes
        previous = finished.get(first_todo - 1)
        context = (
            " ".join(s["text"] for s in json.loads(previous["segments_json"])) if previous else ""
        )
        blocks = self._chunk_audio(stereo)
        buffer: np.ndarray | None = None
        buffer_start = 0
        transcribed = 0
        done = len(finished)
        for chunk in plan:
            self.cancel.raise_if_cancelled()
            # bring the buffer up to the end of this chunk, dropping what is behind it
            while buffer is None or buffer_start + len(buffer) < chunk.end:
                try:
                    offset, block = next(blocks)
                except StopIteration:
                    break
                if buffer is None:
                    buffer, buffer_start = block, offset
                else:
                    buffer = np.concatenate([buffer, block])
            if chunk.index in finished:
                if buffer is not None:
                    buffer, buffer_start = buffer[chunk.end - buffer_start :], chunk.end
                continue
            assert buffer is not None
            audio = buffer[chunk.start - buffer_start : chunk.end - buffer_start]
            buffer, buffer_start = buffer[chunk.end - buffer_start :], chunk.end
            eta = None
            elapsed_run = time.monotonic() - run_started
            if speech_done and elapsed_run > 0:
                eta = (speech_left - speech_done) / (speech_done / elapsed_run)
            percent = 100 * chunk.end / max(1, int(duration * SAMPLE_RATE))
            where = f"{clock(chunk.start / SAMPLE_RATE)}–{clock(chunk.end / SAMPLE_RATE)}"
            message = f"transcribing part {chunk.index + 1} of {total} ({where})"

            def heartbeat(
                waited: float, message: str = message, eta: float | None = eta, done: int = done
            ) -> Progress:
                left = None if eta is None else max(0.0, eta - waited)
                return self._progress(
                    "transcribing",
                    f"{message} · {waited:.0f} s on this part · {format_eta(left)}",
                    done,
                    total,
                )

            yield self._progress("transcribing", f"{message} · {format_eta(eta)}", done, total)
            chunk_started = time.monotonic()
            lang_for_chunk = language or "auto"
            speech_s = chunk.speech_samples / SAMPLE_RATE
            compare = self.recognizer.chooser is not None and (
                self.recognizer.compare_everywhere
                or self.compare_budget.allows(
                    time.monotonic() - self.started,
                    audio_s,
                    speech_s,
                    (speech_left - speech_done - chunk.speech_samples) / SAMPLE_RATE,
                )
            )
            found_language, segments, prompt = yield from _run_with_heartbeats(
                lambda a=audio, c=chunk, lang=lang_for_chunk, ctx=context, cmp=compare: (
                    self._transcribe_chunk(a, c, lang, ctx, cmp)
                ),
                self.cancel,
                heartbeat,
            )
            taken = time.monotonic() - chunk_started
            self.compare_budget.record(speech_s, taken, compare and found_language == "zh")
            if language is None and segments:
                language = found_language
                self.store.set_job_language(job_key, language)
            self.store.save_chunk(
                job_key,
                chunk.index,
                start_s=chunk.start / SAMPLE_RATE,
                end_s=chunk.end / SAMPLE_RATE,
                language=found_language,
                segments=segments,
                seconds_taken=taken,
            )
            if self.on_chunk_done is not None:
                self.on_chunk_done(chunk.index)
            transcribed += 1
            done += 1
            speech_done += chunk.speech_samples
            if segments:
                context = prompt or " ".join(s["text"] for s in segments)
            yield self._progress(
                "transcribed_part",
                f"part {chunk.index + 1} of {total} done · {percent:.0f}%",
                done,
                total,
            )
        return transcribed, language

    def _transcribe_chunk(
        self,
        audio: np.ndarray,
        chunk: PlannedChunk,
        language: str,
        context: str,
        compare: bool = False,
    ) -> tuple[str, list[dict[str, Any]], str | None]:
        """The chunk's language, its sentences, and what the next chunk is to be
        prompted with when not their text (``Transcript.prompt_text``). ``compare``:
        Mandarin decodes compared (voice.lm_choice)."""
        if not chunk.speech:
            return language, [], None
        from voice.asr import COMPARED_AUDIO_S, FILE_DECODING, MEETING_DECODING

        # the chunk as recorded, with its speech regions (decoded joined); times come
        # back on the chunk's clock
        regions = [{"start": s - chunk.start, "end": e - chunk.start} for s, e in chunk.speech]
        recorded = mono(audio[: regions[-1]["end"]])
        # a recording of a sentence or two is decoded as `ting transcribe` decodes it
        # (its comparison has a beam-5 decode too, which a meeting's long chunks skip)
        short = recorded.size <= COMPARED_AUDIO_S * SAMPLE_RATE
        transcript = self.recognizer.transcribe(
            recorded,
            language,
            profile=FILE_DECODING if short else MEETING_DECODING,
            context=context,
            chunks=regions,
            compare=compare,
        )
        offset = chunk.start / SAMPLE_RATE
        segments: list[dict[str, Any]] = []
        for seg_start, seg_end, text in split_segment_sentences(transcript.segments):
            start, end = offset + seg_start, offset + seg_end
            if _normalized_word(text) == "you":
                continue  # Whisper's favourite invention on a breath or a click
            item: dict[str, Any] = {"start": start, "end": max(start, end), "text": text}
            if audio.ndim == 2 and self.speaker_channels:
                speaker = label_speaker(
                    audio,
                    start - chunk.start / SAMPLE_RATE,
                    end - chunk.start / SAMPLE_RATE,
                    self.speaker_channels,
                )
                if speaker:
                    item["speaker"] = speaker
            segments.append(item)
        return transcript.language, segments, transcript.prompt_text

    @staticmethod
    def _lines(
        plan: list[PlannedChunk], finished: dict[int, dict[str, Any]]
    ) -> list[TranscriptLine]:
        lines: list[TranscriptLine] = []
        for chunk in plan:
            row = finished.get(chunk.index)
            if row is None:
                continue
            for seg in json.loads(row["segments_json"]):
                lines.append(
                    TranscriptLine(seg["text"], seg["start"], seg["end"], seg.get("speaker"))
                )
        return lines
