"""Microphone capture: an input stream kept open, feeding a ring buffer.

The stream runs all the time the app (or ``ting listen``) runs, so when the talk key goes
down the last ``pre_roll_s`` seconds are already in the ring and the first word is never
cut, however fast the user started speaking. Audio is 16 kHz mono float32; a device
that refuses 16 kHz is opened at its own rate and resampled (PyAV's resampler).

``MicrophoneStream`` is the always-open stream; ``MicrophoneCapture`` is the small
start/stop interface the desktop app's voice bridge uses on top of it.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from assistant.errors import AudioError

if TYPE_CHECKING:
    import numpy as np

SAMPLE_RATE = 16_000
DEFAULT_PRE_ROLL_S = 0.5
ChunkListener = Callable[["np.ndarray"], None]


def _sounddevice() -> Any:
    try:
        import sounddevice
    except OSError as exc:  # the PortAudio library itself is missing
        raise AudioError(
            f"audio capture is unavailable: {exc}",
            hint="install PortAudio (Debian: apt-get install libportaudio2)",
        ) from None
    return sounddevice


@dataclass(frozen=True)
class InputDevice:
    index: int
    name: str
    channels: int
    default_rate: float
    is_default: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "name": self.name,
            "channels": self.channels,
            "default_rate": self.default_rate,
            "default": self.is_default,
        }


def input_devices() -> list[InputDevice]:
    """Every device that can record, the system default marked."""
    sd = _sounddevice()
    try:
        devices = sd.query_devices()
        default_in = sd.default.device[0]
    except sd.PortAudioError as exc:
        raise AudioError(f"cannot list audio devices: {exc}") from None
    if default_in is None or default_in < 0:
        with contextlib.suppress(sd.PortAudioError):
            default_in = sd.query_hostapis(0)["default_input_device"]
    return [
        InputDevice(i, d["name"], d["max_input_channels"], d["default_samplerate"], i == default_in)
        for i, d in enumerate(devices)
        if d["max_input_channels"] > 0
    ]


def find_input_device(name: str = "") -> InputDevice:
    """The device for the ``input_device`` setting: "" (default), an index, or a name.

    A name matches exactly first, then as a case-insensitive part of a device name.
    """
    devices = input_devices()
    if not devices:
        raise AudioError(
            "no audio input device was found",
            hint="plug in a microphone, or check that PulseAudio/PipeWire is running",
        )
    wanted = name.strip()
    if not wanted:
        for device in devices:
            if device.is_default:
                return device
        return devices[0]
    if wanted.isdigit():
        for device in devices:
            if device.index == int(wanted):
                return device
    exact = [d for d in devices if d.name == wanted]
    partial = [d for d in devices if wanted.lower() in d.name.lower()]
    if exact or partial:
        return (exact or partial)[0]
    names = ", ".join(repr(d.name) for d in devices)
    raise AudioError(f"no input device named {wanted!r}", hint=f"available: {names}")


class AudioRing:
    """The last ``capacity`` samples, addressed by absolute position (samples since start)."""

    def __init__(self, capacity: int) -> None:
        import numpy as np

        self._buffer = np.zeros(capacity, dtype=np.float32)
        self._capacity = capacity
        self._written = 0
        self._lock = threading.Lock()

    @property
    def position(self) -> int:
        """How many samples were ever written (the position of the next one)."""
        return self._written

    @property
    def oldest(self) -> int:
        return max(0, self._written - self._capacity)

    def write(self, samples: np.ndarray) -> None:
        n = int(samples.shape[0])
        if n == 0:
            return
        with self._lock:
            if n >= self._capacity:
                samples = samples[-self._capacity :]
                self._written += n - self._capacity
                n = self._capacity
            start = self._written % self._capacity
            first = min(n, self._capacity - start)
            self._buffer[start : start + first] = samples[:first]
            if first < n:
                self._buffer[: n - first] = samples[first:]
            self._written += n

    def read(self, begin: int, end: int | None = None) -> np.ndarray:
        """Samples ``[begin, end)``; the part already overwritten is left out."""
        import numpy as np

        with self._lock:
            end = self._written if end is None else min(end, self._written)
            begin = max(begin, self._written - self._capacity)
            if end <= begin:
                return np.zeros(0, dtype=np.float32)
            a, b = begin % self._capacity, end % self._capacity
            if a < b or end - begin == 0:
                return self._buffer[a:b].copy()
            return np.concatenate((self._buffer[a:], self._buffer[:b]))


class StreamResampler:
    """Device-rate float32 blocks → 16 kHz, block by block (PyAV's libswresample)."""

    def __init__(self, rate_in: int, rate_out: int = SAMPLE_RATE) -> None:
        import av

        self.rate_in = rate_in
        self._resampler = av.AudioResampler(format="flt", layout="mono", rate=rate_out)
        self._pts = 0

    def __call__(self, block: np.ndarray) -> np.ndarray:
        import av
        import numpy as np

        frame = av.AudioFrame.from_ndarray(
            np.ascontiguousarray(block, dtype=np.float32).reshape(1, -1),
            format="flt",
            layout="mono",
        )
        frame.sample_rate = self.rate_in
        frame.pts = self._pts
        self._pts += block.shape[0]
        out = [f.to_ndarray().reshape(-1) for f in self._resampler.resample(frame)]
        return np.concatenate(out) if out else np.zeros(0, dtype=np.float32)


class MicrophoneStream:
    """An input stream kept open, 16 kHz mono, written into a ring buffer.

    ``open()`` starts it; ``mark(pre_roll_s)`` gives the ring position a new utterance
    starts at (already ``pre_roll_s`` in the past); ``read(begin)`` returns audio since.
    Listeners get every new 16 kHz block on the audio thread (keep them quick).
    """

    def __init__(
        self,
        device: str = "",
        *,
        ring_seconds: float = 60.0,
        block_ms: int = 20,
        device_rate: int | None = None,
    ) -> None:
        self.device_name = device
        self.ring = AudioRing(int(ring_seconds * SAMPLE_RATE))
        self.block_ms = block_ms
        self.forced_device_rate = device_rate
        self.device: InputDevice | None = None
        self.device_rate = SAMPLE_RATE
        self.overflows = 0
        self._stream: Any = None
        self._resampler: StreamResampler | None = None
        self._listeners: list[ChunkListener] = []
        self._listeners_lock = threading.Lock()
        self._new_audio = threading.Condition()

    # -- life ------------------------------------------------------------------------

    @property
    def is_open(self) -> bool:
        return self._stream is not None

    def open(self) -> MicrophoneStream:
        if self._stream is not None:
            return self
        sd = _sounddevice()
        self.device = find_input_device(self.device_name)
        rates = [self.forced_device_rate] if self.forced_device_rate else [SAMPLE_RATE]
        native = int(self.device.default_rate)
        if native not in rates:
            rates.append(native)
        last_error: Exception | None = None
        for rate in rates:
            try:
                stream = sd.InputStream(
                    samplerate=rate,
                    channels=1,
                    dtype="float32",
                    device=self.device.index,
                    blocksize=int(rate * self.block_ms / 1000),
                    callback=self._on_block,
                )
                self.device_rate = rate
                self._resampler = StreamResampler(rate) if rate != SAMPLE_RATE else None
                stream.start()
            except sd.PortAudioError as exc:
                last_error = exc
                if "sample rate" in str(exc).lower():
                    continue  # try the device's own rate and resample
                raise _open_error(self.device, exc) from None
            self._stream = stream
            return self
        raise AudioError(
            f"input device {self.device.name!r} accepts neither 16000 Hz nor {native} Hz "
            f"({last_error})"
        )

    def close(self) -> None:
        stream, self._stream = self._stream, None
        if stream is not None:
            with contextlib.suppress(Exception):
                stream.stop()
            with contextlib.suppress(Exception):
                stream.close()
        with self._new_audio:
            self._new_audio.notify_all()

    def __enter__(self) -> MicrophoneStream:
        return self.open()

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- audio thread ----------------------------------------------------------------

    def _on_block(self, indata: np.ndarray, frames: int, time: Any, status: Any) -> None:
        if status and status.input_overflow:
            self.overflows += 1
        block = indata[:, 0]
        if self._resampler is not None:
            block = self._resampler(block)
        else:
            block = block.copy()
        self.ring.write(block)
        with self._listeners_lock:
            listeners = list(self._listeners)
        for listener in listeners:
            listener(block)
        with self._new_audio:
            self._new_audio.notify_all()

    # -- for users -------------------------------------------------------------------

    def add_listener(self, listener: ChunkListener) -> None:
        with self._listeners_lock:
            self._listeners.append(listener)

    def remove_listener(self, listener: ChunkListener) -> None:
        with self._listeners_lock, contextlib.suppress(ValueError):
            self._listeners.remove(listener)

    @property
    def position(self) -> int:
        return self.ring.position

    def mark(self, pre_roll_s: float = DEFAULT_PRE_ROLL_S, at: int | None = None) -> int:
        """Where an utterance begins that starts now (or at ring position ``at``, e.g.
        recorded by a hotkey thread when the key went down): ``pre_roll_s`` before it."""
        pressed = self.ring.position if at is None else at
        return max(self.ring.oldest, pressed - int(pre_roll_s * SAMPLE_RATE))

    def read(self, begin: int, end: int | None = None) -> np.ndarray:
        return self.ring.read(begin, end)

    def wait_for(self, position: int, timeout: float) -> bool:
        """Block until the ring has reached ``position`` (or the stream closed / timeout)."""
        with self._new_audio:
            return (
                self._new_audio.wait_for(
                    lambda: self.ring.position >= position or self._stream is None, timeout
                )
                and self.ring.position >= position
            )

    def level_dbfs(self, seconds: float = 0.1) -> float:
        """The loudness of the last ``seconds``, in dB below full scale (-100 for silence)."""
        import numpy as np

        recent = self.ring.read(self.ring.position - int(seconds * SAMPLE_RATE))
        if recent.size == 0:
            return -100.0
        rms = float(np.sqrt(np.mean(np.square(recent, dtype=np.float64))))
        return max(-100.0, 20 * float(np.log10(rms)) if rms > 0 else -100.0)


def _open_error(device: InputDevice, exc: Exception) -> AudioError:
    text = str(exc)
    low = text.lower()
    if "unavailable" in low or "busy" in low:
        return AudioError(
            f"input device {device.name!r} is busy or unavailable ({text})",
            hint="close the other program using it, or choose another input_device",
        )
    return AudioError(f"cannot open input device {device.name!r}: {text}")


class MicrophoneCapture:
    """Start/stop capture of one utterance, with pre-roll, over a kept-open stream.

    ``start(on_chunk)`` begins an utterance (``pre_roll_s`` before now) and passes every
    new block to ``on_chunk`` (audio thread); ``stop()`` returns the whole utterance.
    """

    def __init__(
        self,
        device: str = "",
        sample_rate: int = SAMPLE_RATE,
        *,
        stream: MicrophoneStream | None = None,
        pre_roll_s: float = DEFAULT_PRE_ROLL_S,
    ) -> None:
        if sample_rate != SAMPLE_RATE:
            raise AudioError(f"capture delivers {SAMPLE_RATE} Hz audio, not {sample_rate} Hz")
        self.stream = stream or MicrophoneStream(device)
        self.pre_roll_s = pre_roll_s
        self._begin: int | None = None
        self._listener: ChunkListener | None = None

    def open(self) -> None:
        self.stream.open()

    def close(self) -> None:
        self.stream.close()

    @property
    def active(self) -> bool:
        return self._begin is not None

    @property
    def begin(self) -> int | None:
        return self._begin

    def start(self, on_chunk: ChunkListener | None = None, *, at: int | None = None) -> int:
        """Begin an utterance now (or at ring position ``at``), pre-roll included."""
        self.stream.open()
        self._begin = self.stream.mark(self.pre_roll_s, at)
        if on_chunk is not None:
            self._listener = on_chunk
            self.stream.add_listener(on_chunk)
        return self._begin

    def stop(self) -> np.ndarray:
        import numpy as np

        if self._begin is None:
            return np.zeros(0, dtype=np.float32)
        begin, self._begin = self._begin, None
        if self._listener is not None:
            self.stream.remove_listener(self._listener)
            self._listener = None
        return self.stream.read(begin)
