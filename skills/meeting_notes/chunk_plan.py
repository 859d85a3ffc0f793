"""Cutting a long recording into transcription chunks at pauses (VAD boundaries).

Pure planning over sample indices; the VAD itself is passed in as a function, so the
same code runs on Silero's regions in production and on a table of regions in tests.

A chunk holds at most ``max_speech`` samples of speech (about one Whisper window), is
cut in the middle of a pause, never inside a speech region unless one region alone is
longer than the analysis window, and covers the timeline without gaps or overlaps.
The planner works on a sliding buffer (``window`` samples) so an hour of audio never
has to be in memory at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

Region = tuple[int, int]  # [start, end) in samples

SAMPLE_RATE = 16_000
DEFAULT_MAX_SPEECH = 28 * SAMPLE_RATE  # one Whisper window (30 s) with room for padding
DEFAULT_WINDOW = 120 * SAMPLE_RATE  # audio looked at per planning step
EDGE_GUARD = SAMPLE_RATE // 2  # speech this close to the buffer's end may continue past it


@dataclass(frozen=True)
class PlannedChunk:
    """One chunk: ``[start, end)`` of the whole timeline, and the speech regions in it."""

    index: int
    start: int
    end: int
    speech: tuple[Region, ...]

    @property
    def speech_samples(self) -> int:
        return sum(e - s for s, e in self.speech)

    def to_dict(self) -> dict[str, object]:
        return {
            "index": self.index,
            "start": self.start,
            "end": self.end,
            "speech": [list(r) for r in self.speech],
        }

    @classmethod
    def from_dict(cls, d: dict[str, object]) -> PlannedChunk:
        speech = tuple((int(s), int(e)) for s, e in d["speech"])  # type: ignore[union-attr]
        return cls(int(d["index"]), int(d["start"]), int(d["end"]), speech)  # type: ignore[arg-type]


def choose_cut(
    regions: Sequence[Region],
    buffer_len: int,
    *,
    max_speech: int = DEFAULT_MAX_SPEECH,
    at_end: bool = False,
) -> int:
    """Where the next chunk ends inside a buffer of ``buffer_len`` samples (0 < cut ≤ len).

    ``regions`` are the speech regions found in the buffer, in order. ``at_end`` says the
    buffer ends the recording (nothing follows it).
    """
    if buffer_len <= 0:
        raise ValueError("the buffer is empty")
    if not regions:
        return buffer_len
    if at_end and sum(e - s for s, e in regions) <= max_speech:
        return buffer_len
    # the longest run of whole regions from the start that stays within max_speech
    taken = 0
    speech = 0
    for start, end in regions:
        if taken and speech + (end - start) > max_speech:
            break
        speech += end - start
        taken += 1
    last_start, last_end = regions[taken - 1]
    runs_past_buffer = not at_end and last_end >= buffer_len - EDGE_GUARD
    if runs_past_buffer:
        if taken > 1:  # end before the region that may continue into the next buffer
            return _middle(regions[taken - 2][1], last_start)
        if last_start > EDGE_GUARD:  # silence, then speech to the end: cut before it
            return last_start
        return buffer_len  # one region fills the whole buffer: a hard cut is unavoidable
    if taken < len(regions):
        return _middle(last_end, regions[taken][0])
    if at_end:
        return buffer_len
    # every region fits and the buffer ends in silence: cut in that silence
    return _middle(last_end, buffer_len)


def _middle(a: int, b: int) -> int:
    return a + max(0, b - a) // 2 if b > a else a


def regions_before(regions: Sequence[Region], cut: int) -> tuple[Region, ...]:
    """The parts of ``regions`` that lie before ``cut``."""
    return tuple((s, min(e, cut)) for s, e in regions if s < cut and min(e, cut) > s)


class ChunkPlanner:
    """Feed audio blocks in order; get chunks back as soon as their end is known.

    ``find_speech(buffer) -> regions`` is the VAD (Silero in production). ``first_index``
    and ``offset`` let a resumed run continue a plan after its finished chunks.
    """

    def __init__(
        self,
        find_speech: Callable[[object], Sequence[Region]],
        *,
        max_speech: int = DEFAULT_MAX_SPEECH,
        window: int = DEFAULT_WINDOW,
        offset: int = 0,
        first_index: int = 0,
    ) -> None:
        if window <= 2 * EDGE_GUARD:
            raise ValueError("the planning window is too short")
        self.find_speech = find_speech
        self.max_speech = max_speech
        self.window = window
        self.offset = offset  # timeline position of the buffer's first sample
        self.next_index = first_index
        self._blocks: list[object] = []
        self._buffered = 0

    def feed(self, block: object) -> Iterator[PlannedChunk]:
        size = len(block)  # type: ignore[arg-type]
        if size == 0:
            return
        self._blocks.append(block)
        self._buffered += size
        while self._buffered >= self.window:
            yield self._cut(at_end=False)

    def finish(self) -> Iterator[PlannedChunk]:
        while self._buffered > 0:
            yield self._cut(at_end=True)

    def _buffer(self):
        import numpy as np

        if len(self._blocks) > 1:
            self._blocks = [np.concatenate(self._blocks)]
        return self._blocks[0]

    def _cut(self, *, at_end: bool) -> PlannedChunk:
        buffer = self._buffer()
        regions = [(int(s), int(e)) for s, e in self.find_speech(buffer)]
        cut = choose_cut(regions, len(buffer), max_speech=self.max_speech, at_end=at_end)
        cut = max(1, min(cut, len(buffer)))
        inside = regions_before(regions, cut)
        chunk = PlannedChunk(
            index=self.next_index,
            start=self.offset,
            end=self.offset + cut,
            speech=tuple((self.offset + s, self.offset + e) for s, e in inside),
        )
        self.next_index += 1
        self.offset += cut
        rest = buffer[cut:]
        self._blocks = [rest] if len(rest) else []
        self._buffered = len(rest)
        return chunk
