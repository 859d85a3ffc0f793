"""Reading long audio in pieces: 16 kHz float32 blocks straight from the decoder.

An hour of audio is 230 MB as float32; ``iter_audio_blocks`` never holds more than one
block (plus the decoder's own buffers), so memory stays flat however long the file is.
Bad files raise the same clear errors as ``voice.audio_files`` (missing, empty, not
audio, corrupt).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.errors import AudioError, UsageError
from voice.audio_files import FrameReader, UndecodableAudio, finite_samples

if TYPE_CHECKING:
    import numpy as np

SAMPLE_RATE = 16_000
BLOCK_SECONDS = 10.0


def check_readable_file(path: Path) -> int:
    """The file's size; UsageError/AudioError for missing, folder, unreadable or empty."""
    if not path.exists():
        raise UsageError(f"no such file: {path}")
    if path.is_dir():
        raise UsageError(f"{path} is a folder, not an audio file or transcript")
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            fh.read(1)
    except PermissionError:
        raise AudioError(f"cannot read {path}: permission denied") from None
    except OSError as exc:
        raise AudioError(f"cannot read {path}: {exc.strerror or exc}") from None
    if size == 0:
        raise AudioError(f"{path} is empty (0 bytes)")
    return size


def file_fingerprint(path: Path) -> str:
    """SHA-256 of the file's bytes (the key its checkpoints are stored under)."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(4 * 1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def _bad_file(path: Path, exc: BaseException) -> AudioError:
    import av

    stream_not_found = getattr(av.error, "StreamNotFoundError", None)  # absent in PyAV 18
    if stream_not_found is not None and isinstance(exc, stream_not_found):
        return AudioError(f"{path} has no audio stream")
    reason = getattr(exc, "strerror", None) or type(exc).__name__
    return AudioError(f"{path} is not a readable audio file ({reason})")


def probe_audio(path: Path) -> tuple[float | None, int]:
    """(duration in seconds if the container says, channel count) without decoding."""
    import av

    try:
        with av.open(str(path), mode="r", metadata_errors="ignore") as container:
            if not container.streams.audio:
                raise AudioError(f"{path} has no audio stream")
            stream = container.streams.audio[0]
            duration: float | None = None
            if stream.duration is not None and stream.time_base is not None:
                duration = float(stream.duration * stream.time_base)
            elif container.duration is not None:
                duration = container.duration / 1_000_000
            return duration, int(stream.codec_context.channels or 1)
    except AudioError:
        raise
    except (av.error.FFmpegError, IndexError, ValueError) as exc:
        raise _bad_file(path, exc) from None
    except OSError as exc:
        raise AudioError(f"cannot read {path}: {exc.strerror or exc}") from None


def iter_audio_blocks(
    path: Path, *, stereo: bool = False, block_seconds: float = BLOCK_SECONDS
) -> AudioBlocks:
    """16 kHz float32 blocks of about ``block_seconds``: shape (n,) mono, or (n, 2)."""
    return AudioBlocks(path, stereo=stereo, block_seconds=block_seconds)


class AudioBlocks:
    """The blocks of ``iter_audio_blocks``; once they are all read, ``damaged_s`` is how
    many seconds of them are silence standing in for damaged packets (``FrameReader``)."""

    def __init__(self, path: Path, *, stereo: bool, block_seconds: float) -> None:
        self.path = path
        self.stereo = stereo
        self.block_seconds = block_seconds
        self.damaged_s = 0.0

    def __iter__(self) -> Iterator[np.ndarray]:
        import av
        import numpy as np

        path, stereo = self.path, self.stereo
        block = int(self.block_seconds * SAMPLE_RATE)
        resampler = av.AudioResampler(
            format="flt", layout="stereo" if stereo else "mono", rate=SAMPLE_RATE
        )
        pending: list[np.ndarray] = []
        pending_samples = 0
        produced = 0
        try:
            with av.open(str(path), mode="r", metadata_errors="ignore") as container:
                if not container.streams.audio:
                    raise AudioError(f"{path} has no audio stream")
                reader = FrameReader(container)
                frames = iter(reader)
                while True:
                    frame = next(frames, None)
                    if frame is not None:
                        frame.pts = None
                    for out in resampler.resample(frame):
                        # packed float: shape (1, n * channels)
                        array = finite_samples(out.to_ndarray())
                        samples = array.reshape(-1, 2) if stereo else array.reshape(-1)
                        pending.append(samples)
                        pending_samples += len(samples)
                    while pending_samples >= block:
                        joined = np.concatenate(pending)
                        yield joined[:block]
                        produced += block
                        rest = joined[block:]
                        pending, pending_samples = ([rest], len(rest)) if len(rest) else ([], 0)
                    if frame is None:
                        break
                self.damaged_s = reader.damaged_s
        except AudioError:
            raise
        except UndecodableAudio as exc:
            raise AudioError(f"{path} is not a readable audio file ({exc.reason})") from None
        except (av.error.FFmpegError, IndexError, ValueError) as exc:
            raise _bad_file(path, exc) from None
        except OSError as exc:
            raise AudioError(f"cannot read {path}: {exc.strerror or exc}") from None
        if pending_samples:
            yield np.concatenate(pending)
            produced += pending_samples
        if produced == 0:
            raise AudioError(f"{path} holds no audio samples")


def mono(block: np.ndarray) -> np.ndarray:
    """The mix of a (n, 2) block, or the block itself when it is mono."""
    return block.mean(axis=1, dtype="float32") if block.ndim == 2 else block
