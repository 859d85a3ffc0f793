"""Reading audio files (wav, flac, ogg, mp3, m4a, …) into 16 kHz mono float32 via PyAV."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from assistant.errors import AudioError, UsageError

if TYPE_CHECKING:
    import numpy as np

SAMPLE_RATE = 16_000


def read_audio_file(path: str | Path, sample_rate: int = SAMPLE_RATE) -> np.ndarray:
    """Decode ``path`` to mono float32 at ``sample_rate``; a clear error for bad files."""
    import av
    import numpy as np
    from faster_whisper import decode_audio

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
        audio = decode_audio(str(file), sampling_rate=sample_rate)
    except PermissionError:
        raise AudioError(f"cannot read {file}: permission denied") from None
    except IndexError:  # PyAV found streams, none of them audio (an image, a video)
        raise AudioError(f"{file} has no audio stream") from None
    except (av.FFmpegError, ValueError, EOFError) as exc:
        reason = getattr(exc, "strerror", None) or type(exc).__name__
        raise AudioError(f"{file} is not a readable audio file ({reason})") from None
    except OSError as exc:
        raise AudioError(f"cannot read {file}: {exc.strerror or exc}") from None
    audio = np.asarray(audio, dtype=np.float32)
    if audio.size == 0:
        raise AudioError(f"{file} holds no audio samples")
    return audio
