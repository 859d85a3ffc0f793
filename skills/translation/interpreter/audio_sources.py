"""Where the interpreter's audio comes from: the microphone, or a file replayed.

Every source runs on its own thread and hands 16 kHz mono float32 blocks to a
``BlockQueue``; the pipeline reads them in order. ``FileReplay`` paces the blocks at
real time (block *n* is handed over when the wall clock reaches its end, as a
microphone would) or, with ``fast``, as quickly as the pipeline takes them.
``Microphone`` uses sounddevice; ``SharedMicrophone`` takes its blocks from an open
``voice.capture.MicrophoneStream`` that another user (the desktop app's push-to-talk)
keeps open. While the interpreter speaks a translation aloud the ``CaptureGate`` is
closed and the microphone's blocks are replaced by silence (so the timeline keeps its
length but Ting never transcribes its own voice).
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from assistant.errors import AudioError

if TYPE_CHECKING:
    import numpy as np

SAMPLE_RATE = 16_000
BLOCK_SECONDS = 0.1


@dataclass(frozen=True)
class AudioBlock:
    samples: np.ndarray
    start_sample: int


class BlockQueue:
    """Blocks in capture order; ``None`` after the last one. Knows how far behind we are."""

    def __init__(self) -> None:
        self._queue: queue.Queue[AudioBlock | None] = queue.Queue()
        self._queued_samples = 0
        self._lock = threading.Lock()
        self.error: BaseException | None = None

    def put(self, block: AudioBlock | None) -> None:
        if block is not None:
            with self._lock:
                self._queued_samples += block.samples.size
        self._queue.put(block)

    def get(self, timeout: float | None = None) -> AudioBlock | None:
        block = self._queue.get(timeout=timeout)
        if block is not None:
            with self._lock:
                self._queued_samples -= block.samples.size
        return block

    @property
    def backlog_s(self) -> float:
        """Seconds of audio captured but not yet taken by the pipeline."""
        with self._lock:
            return self._queued_samples / SAMPLE_RATE


class CaptureGate:
    """Closed while Ting speaks (and ``tail_s`` after), so its own voice is not heard."""

    def __init__(self, tail_s: float = 0.3) -> None:
        self.tail_s = tail_s
        self._speaking = 0
        self._reopen_at = 0.0
        self._lock = threading.Lock()

    def speaking_started(self) -> None:
        with self._lock:
            self._speaking += 1

    def speaking_finished(self) -> None:
        with self._lock:
            self._speaking = max(0, self._speaking - 1)
            self._reopen_at = time.monotonic() + self.tail_s

    def is_open(self, now: float | None = None) -> bool:
        with self._lock:
            if self._speaking:
                return False
            return (now if now is not None else time.monotonic()) >= self._reopen_at


class FileReplay:
    """A decoded file handed over block by block, at real-time pace or as fast as taken."""

    def __init__(
        self,
        audio: np.ndarray,
        *,
        fast: bool = False,
        block_s: float = BLOCK_SECONDS,
        description: str | None = None,
    ):
        self.audio = audio
        self.description = description or ("file replay (fast)" if fast else "file replay")
        self.fast = fast
        self.block_samples = int(block_s * SAMPLE_RATE)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.started_at: float | None = None  # monotonic time of sample 0

    def start(self, blocks: BlockQueue) -> None:
        self.started_at = time.monotonic()
        self._thread = threading.Thread(
            target=self._run, args=(blocks,), name="ting-replay", daemon=True
        )
        self._thread.start()

    def _run(self, blocks: BlockQueue) -> None:
        assert self.started_at is not None
        total = self.audio.size
        for start in range(0, total, self.block_samples):
            if self._stop.is_set():
                break
            end = min(total, start + self.block_samples)
            if not self.fast:
                due = self.started_at + end / SAMPLE_RATE
                delay = due - time.monotonic()
                if delay > 0 and self._stop.wait(delay):
                    break
            blocks.put(AudioBlock(self.audio[start:end], start))
        blocks.put(None)

    def stop(self) -> None:
        self._stop.set()


class Microphone:
    """The default (or named) input device through sounddevice, 16 kHz mono."""

    def __init__(
        self,
        device: str | None = None,
        *,
        gate: CaptureGate | None = None,
        block_s: float = BLOCK_SECONDS,
    ) -> None:
        self.device = device or None
        self.gate = gate
        self.block_samples = int(block_s * SAMPLE_RATE)
        self._stream: Any = None
        self._position = 0
        self._blocks: BlockQueue | None = None
        self.started_at: float | None = None

    @property
    def description(self) -> str:
        return f"microphone ({self.device or 'default input'})"

    def start(self, blocks: BlockQueue) -> None:
        import numpy as np

        try:
            import sounddevice as sd
        except OSError as exc:  # PortAudio library missing
            raise AudioError(f"no audio input: {exc} (install libportaudio2)") from None
        self._blocks = blocks

        def on_audio(indata: Any, frames: int, _time: Any, _status: Any) -> None:
            samples = np.array(indata[:, 0], dtype=np.float32)
            if self.gate is not None and not self.gate.is_open():
                samples[:] = 0.0  # Ting is speaking: keep the timeline, drop the sound
            blocks.put(AudioBlock(samples, self._position))
            self._position += frames

        try:
            self._stream = sd.InputStream(
                samplerate=SAMPLE_RATE,
                channels=1,
                dtype="float32",
                blocksize=self.block_samples,
                device=self.device,
                callback=on_audio,
            )
            self._stream.start()
        except Exception as exc:  # PortAudioError, ValueError for a bad device name
            raise AudioError(f"cannot open the microphone: {exc}") from None
        self.started_at = time.monotonic()

    def stop(self) -> None:
        if self._stream is not None:
            try:
                self._stream.stop()
                self._stream.close()
            finally:
                self._stream = None
                if self._blocks is not None:
                    self._blocks.put(None)


class SharedMicrophone:
    """Blocks of ``block_s`` from an open ``voice.capture.MicrophoneStream``.

    The stream calls back on its audio thread with blocks of its own size; they are
    gathered into blocks like ``Microphone``'s. ``stop`` ends the block stream; the
    microphone stream itself stays open for whoever else uses it.
    """

    def __init__(
        self,
        stream: Any,
        *,
        gate: CaptureGate | None = None,
        description: str = "microphone",
        on_started: Callable[[], None] | None = None,
        block_s: float = BLOCK_SECONDS,
    ) -> None:
        self.stream = stream
        self.gate = gate
        self.description = description
        self.on_started = on_started
        self.block_samples = int(block_s * SAMPLE_RATE)
        self.started_at: float | None = None
        self._blocks: BlockQueue | None = None
        self._pending: list[Any] = []
        self._pending_size = 0
        self._position = 0
        self._lock = threading.Lock()

    def start(self, blocks: BlockQueue) -> None:
        self._blocks = blocks
        self.stream.open()
        self.started_at = time.monotonic()
        self.stream.add_listener(self._on_block)
        if self.on_started is not None:
            self.on_started()

    def _on_block(self, samples: Any) -> None:  # the audio thread: keep it quick
        import numpy as np

        with self._lock:
            if self._blocks is None:
                return
            self._pending.append(samples)
            self._pending_size += samples.size
            if self._pending_size < self.block_samples:
                return
            block = np.concatenate(self._pending).astype(np.float32, copy=False)
            self._pending, self._pending_size = [], 0
            if self.gate is not None and not self.gate.is_open():
                block = np.zeros_like(block)
            self._blocks.put(AudioBlock(block, self._position))
            self._position += block.size

    def stop(self) -> None:
        self.stream.remove_listener(self._on_block)
        with self._lock:
            blocks, self._blocks = self._blocks, None
        if blocks is not None:
            blocks.put(None)
