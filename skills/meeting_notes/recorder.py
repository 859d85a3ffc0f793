"""``ting meeting record``: the microphone and the system's output, to disk as it comes.

* Channel 1 ("Me") is the microphone (``voice.capture.MicrophoneStream``); channel 2
  ("Them") is the PulseAudio/PipeWire monitor of the default sink, read with ``parec``,
  when there is one. Without it the recording is mono (the microphone only).
* ``GrowingWavWriter`` appends 16-bit frames to a WAV file and rewrites the header's
  sizes and fsyncs about every second, so a crash or SIGKILL loses at most that second;
  ``repair_wav_header`` fixes the sizes of a file whose writer died.
* Pause/resume: SIGUSR1, or the p/space key on a terminal; audio heard while paused is
  dropped. Ctrl-C (SIGINT), SIGTERM or q stops cleanly: the header is final, the row in
  ``meeting_recordings`` says stopped.
"""

from __future__ import annotations

import contextlib
import os
import queue
import shutil
import signal
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.errors import AudioError

if TYPE_CHECKING:
    import numpy as np

SAMPLE_RATE = 16_000
HEADER_BYTES = 44
SYNC_EVERY_S = 1.0
MAX_SKEW_S = 1.0  # one source this far ahead: the other one is padded with silence


class GrowingWavWriter:
    """A 16-bit PCM WAV file that is valid (header sizes right) at least every second."""

    def __init__(self, path: Path, channels: int, rate: int = SAMPLE_RATE) -> None:
        self.path = path
        self.channels = channels
        self.rate = rate
        self.frames = 0
        self._fh = path.open("wb")
        self._fh.write(wav_header(channels, rate, 0))
        self._last_sync = time.monotonic()

    @property
    def seconds(self) -> float:
        return self.frames / self.rate

    def write(self, pcm: np.ndarray) -> None:
        """int16 frames, shape (n,) or (n, channels)."""
        self._fh.write(pcm.astype("<i2").tobytes())
        self.frames += pcm.shape[0]
        if time.monotonic() - self._last_sync >= SYNC_EVERY_S:
            self.sync()

    def sync(self) -> None:
        self._fh.flush()
        position = self._fh.tell()
        self._fh.seek(0)
        self._fh.write(wav_header(self.channels, self.rate, self.frames))
        self._fh.seek(position)
        self._fh.flush()
        os.fsync(self._fh.fileno())
        self._last_sync = time.monotonic()

    def close(self) -> None:
        if not self._fh.closed:
            self.sync()
            self._fh.close()


def wav_header(channels: int, rate: int, frames: int) -> bytes:
    data = frames * channels * 2
    return (
        b"RIFF"
        + struct.pack("<I", 36 + data)
        + b"WAVE"
        + b"fmt "
        + struct.pack("<IHHIIHH", 16, 1, channels, rate, rate * channels * 2, channels * 2, 16)
        + b"data"
        + struct.pack("<I", data)
    )


def repair_wav_header(path: Path) -> float:
    """Make the header's sizes match the data in a file written by GrowingWavWriter
    (its writer may have died between syncs); returns the duration in seconds."""
    with path.open("r+b") as fh:
        head = fh.read(HEADER_BYTES)
        if len(head) < HEADER_BYTES or head[:4] != b"RIFF" or head[36:40] != b"data":
            raise AudioError(f"{path} is not a recording made by ting meeting record")
        channels, rate = struct.unpack("<HI", head[22:28])
        size = os.fstat(fh.fileno()).st_size
        frames = (size - HEADER_BYTES) // (channels * 2)
        if struct.unpack("<I", head[40:44])[0] != frames * channels * 2:
            fh.seek(0)
            fh.write(wav_header(channels, rate, frames))
            fh.flush()
            os.fsync(fh.fileno())
    return frames / rate


class SystemOutputSource:
    """The monitor of PulseAudio's/PipeWire's default sink, through ``parec`` (16 kHz s16)."""

    def __init__(self, device: str) -> None:
        self.device = device
        self._proc: subprocess.Popen[bytes] | None = None

    @classmethod
    def find(cls) -> SystemOutputSource | None:
        if not shutil.which("parec") or not shutil.which("pactl"):
            return None
        try:
            sink = subprocess.run(
                ["pactl", "get-default-sink"], capture_output=True, text=True, timeout=5
            )
        except (OSError, subprocess.TimeoutExpired):
            return None
        name = sink.stdout.strip()
        if sink.returncode != 0 or not name:
            return None
        return cls(f"{name}.monitor")

    def start(self, deliver: Callable[[bytes], None]) -> None:
        self._proc = subprocess.Popen(
            [
                "parec",
                f"--device={self.device}",
                "--format=s16le",
                f"--rate={SAMPLE_RATE}",
                "--channels=1",
                "--raw",
                "--latency-msec=50",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        stream = self._proc.stdout
        assert stream is not None

        def pump() -> None:
            while chunk := stream.read1(3200):
                deliver(chunk)

        threading.Thread(target=pump, name="ting-monitor", daemon=True).start()

    def stop(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            self._proc.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._proc.wait(timeout=3)


@dataclass
class RecorderState:
    paused: bool = False
    stopping: bool = False


class MeetingRecorder:
    """Mic (+ system output) → ``GrowingWavWriter``; ``run`` blocks until stopped."""

    def __init__(
        self,
        path: Path,
        *,
        input_device: str = "",
        system_output: SystemOutputSource | None = None,
        report: Callable[[str, dict[str, Any]], None] = lambda stage, info: None,
    ) -> None:
        self.path = path
        self.input_device = input_device
        self.system_output = system_output
        self.report = report
        self.state = RecorderState()
        self._mic: queue.Queue[np.ndarray] = queue.Queue()
        self._monitor: queue.Queue[bytes] = queue.Queue()
        self.paused_seconds = 0.0

    @property
    def channels(self) -> list[str]:
        return ["Me", "Them"] if self.system_output is not None else ["Me"]

    def toggle_pause(self) -> None:
        self.state.paused = not self.state.paused

    def stop(self) -> None:
        self.state.stopping = True

    def run(self) -> float:
        """Record until ``stop()`` (or Ctrl-C); returns the seconds written."""
        import numpy as np

        from voice.capture import MicrophoneStream

        stereo = self.system_output is not None
        writer = GrowingWavWriter(self.path, 2 if stereo else 1)
        microphone = MicrophoneStream(self.input_device)
        microphone.add_listener(self._mic.put)
        try:
            microphone.open()
            if self.system_output is not None:
                self.system_output.start(self._monitor.put)
            self.report("recording", {"path": str(self.path), "channels": self.channels})
            mic_pending = np.zeros(0, dtype=np.float32)
            mon_pending = np.zeros(0, dtype=np.int16)
            was_paused = False
            last_report = time.monotonic()
            paused_since = 0.0
            while not self.state.stopping:
                time.sleep(0.1)
                mic_pending = np.concatenate([mic_pending, *_drain(self._mic)])
                chunks = _drain(self._monitor)
                if chunks:
                    raw = b"".join(chunks)
                    raw = raw[: len(raw) - len(raw) % 2]
                    mon_pending = np.concatenate([mon_pending, np.frombuffer(raw, "<i2")])
                if self.state.paused != was_paused:
                    was_paused = self.state.paused
                    if was_paused:
                        paused_since = time.monotonic()
                    else:
                        self.paused_seconds += time.monotonic() - paused_since
                        # drained just now, so heard before the resume: still paused audio
                        mic_pending = mic_pending[:0]
                        mon_pending = mon_pending[:0]
                    writer.sync()
                    self.report("paused" if was_paused else "resumed", {"recorded": writer.seconds})
                if self.state.paused:
                    mic_pending = mic_pending[:0]
                    mon_pending = mon_pending[:0]
                    continue
                mic_pcm = (np.clip(mic_pending, -1, 1) * 32767).astype(np.int16)
                if stereo:
                    frames = min(len(mic_pcm), len(mon_pending))
                    longest = max(len(mic_pcm), len(mon_pending))
                    if longest - frames > MAX_SKEW_S * SAMPLE_RATE:
                        frames = longest  # one side stalled: pad it with silence
                    both = np.zeros((frames, 2), dtype=np.int16)
                    both[: min(frames, len(mic_pcm)), 0] = mic_pcm[:frames]
                    both[: min(frames, len(mon_pending)), 1] = mon_pending[:frames]
                    writer.write(both)
                    mic_pending = mic_pending[frames:]
                    mon_pending = mon_pending[frames:]
                else:
                    writer.write(mic_pcm)
                    mic_pending = mic_pending[:0]
                if time.monotonic() - last_report >= 1.0:
                    last_report = time.monotonic()
                    self.report("recording", {"recorded": writer.seconds})
        finally:
            microphone.close()
            if self.system_output is not None:
                self.system_output.stop()
            writer.close()
        return writer.seconds


def _drain(q: queue.Queue[Any]) -> list[Any]:
    items = []
    while True:
        try:
            items.append(q.get_nowait())
        except queue.Empty:
            return items


class KeyToggle:
    """On a terminal: p or space toggles pause, q stops (stdin in cbreak mode)."""

    def __init__(self, recorder: MeetingRecorder) -> None:
        self.recorder = recorder
        self._saved: Any = None

    def __enter__(self) -> KeyToggle:
        if not sys.stdin.isatty():
            return self
        import termios
        import tty

        fd = sys.stdin.fileno()
        self._saved = termios.tcgetattr(fd)
        tty.setcbreak(fd)

        def read_keys() -> None:
            while not self.recorder.state.stopping:
                key = os.read(fd, 1)
                if key in (b"p", b" "):
                    self.recorder.toggle_pause()
                elif key in (b"q", b"\x1b"):
                    self.recorder.stop()
                elif not key:
                    return

        threading.Thread(target=read_keys, name="ting-keys", daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._saved is not None:
            import termios

            termios.tcsetattr(sys.stdin.fileno(), termios.TCSADRAIN, self._saved)


@contextlib.contextmanager
def recorder_signals(recorder: MeetingRecorder):
    """SIGUSR1 toggles pause; SIGTERM and SIGINT stop the recording cleanly."""
    previous = {
        sig: signal.getsignal(sig) for sig in (signal.SIGUSR1, signal.SIGTERM, signal.SIGINT)
    }
    signal.signal(signal.SIGUSR1, lambda *_: recorder.toggle_pause())
    signal.signal(signal.SIGTERM, lambda *_: recorder.stop())
    signal.signal(signal.SIGINT, lambda *_: recorder.stop())
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
