"""Reading audio files (wav, flac, ogg, mp3, m4a, …) into 16 kHz mono float32 via PyAV."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from assistant.errors import AudioError, UsageError

if TYPE_CHECKING:
    import av
    import numpy as np

SAMPLE_RATE = 16_000


def read_audio_file(path: str | Path, sample_rate: int = SAMPLE_RATE) -> np.ndarray:
    """Decode ``path`` to mono float32 at ``sample_rate``; a clear error for bad files."""
    import av

    file = Path(path)
    if not file.exists():
        raise UsageError(f"no such file: {file}")
    if file.is_dir():
        raise UsageError(f"{file} is a folder, not an audio file")
    try:
        size = file.stat().st_size
    except OSError as exc:
        raise AudioError(f"cannot read {file}: {exc.strerror}") from None
    if size == 0:
        raise AudioError(f"{file} is empty (0 bytes)")
    try:
        audio = _decode(file, sample_rate)
    except AudioError:
        raise
    except PermissionError:
        raise AudioError(f"cannot read {file}: permission denied") from None
    except IndexError:  # PyAV found streams, none of them audio (an image, a video)
        raise AudioError(f"{file} has no audio stream") from None
    except (av.FFmpegError, ValueError, EOFError) as exc:
        reason = getattr(exc, "strerror", None) or type(exc).__name__
        raise AudioError(f"{file} is not a readable audio file ({reason})") from None
    except OSError as exc:
        raise AudioError(f"cannot read {file}: {exc.strerror or exc}") from None
    if audio.size == 0:
        raise AudioError(f"{file} holds no audio samples")
    return audio


def _decode(file: Path, sample_rate: int) -> np.ndarray:
    """faster_whisper's ``decode_audio`` (16-bit, so an ordinary file reads exactly as
    Whisper's own reader has it), but with a float file's NaN and infinite samples made
    silence before they are converted: swresample turns each into a full-scale 16-bit
    sample, and 2 % of them made 你好，我是小明 come out as "I'll walk in, I'll be"."""
    import av
    import numpy as np

    resampler = av.AudioResampler(format="s16", layout="mono", rate=sample_rate)
    fifo = av.AudioFifo()
    pieces: list[np.ndarray] = []

    def resample(frame: av.AudioFrame | None) -> None:
        pieces.extend(out.to_ndarray().reshape(-1) for out in resampler.resample(frame))

    with av.open(str(file), mode="r", metadata_errors="ignore") as container:
        if not container.streams.audio:
            raise AudioError(f"{file} has no audio stream")
        frames = container.decode(audio=0)
        while True:
            try:
                frame = next(frames)
            except StopIteration:
                break
            except av.error.InvalidDataError:
                continue  # one damaged packet: skip it, as ffmpeg does
            frame.pts = None
            fifo.write(finite_frame(frame))
            if fifo.samples >= 500_000:  # resampled in large groups, as decode_audio does
                resample(fifo.read())
    if fifo.samples:
        resample(fifo.read())
    resample(None)
    if not pieces:
        return np.zeros(0, dtype=np.float32)
    return np.concatenate(pieces).astype(np.float32) / 32768.0


FLOAT_FORMATS = ("flt", "fltp", "dbl", "dblp")


def finite_frame(frame: av.AudioFrame) -> av.AudioFrame:
    """``frame``, or a copy whose NaN and infinite samples are silence (a damaged float
    file: one of them poisons the whole spectrogram it lands in)."""
    import av
    import numpy as np

    if frame.format.name not in FLOAT_FORMATS:
        return frame
    samples = frame.to_ndarray()
    if np.isfinite(samples).all():
        return frame
    fixed = av.AudioFrame.from_ndarray(
        np.nan_to_num(samples, nan=0.0, posinf=0.0, neginf=0.0),
        format=frame.format.name,
        layout=frame.layout.name,
    )
    fixed.sample_rate = frame.sample_rate
    return fixed
