"""Reading audio files (wav, flac, ogg, mp3, m4a, …) into 16 kHz mono float32 via PyAV."""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.console import format_elapsed
from assistant.errors import AudioError, UsageError

if TYPE_CHECKING:
    import av
    import numpy as np

SAMPLE_RATE = 16_000


@dataclass(frozen=True)
class DecodedAudio:
    """A file's audio as ``read_audio`` decoded it: 16 kHz mono float32 samples, and how
    many seconds of them are silence standing in for packets that could not be decoded."""

    samples: np.ndarray
    damaged_s: float = 0.0


def read_audio_file(path: str | Path, sample_rate: int = SAMPLE_RATE) -> np.ndarray:
    """Decode ``path`` to mono float32 at ``sample_rate``; a clear error for bad files."""
    return read_audio(path, sample_rate).samples


def read_audio(path: str | Path, sample_rate: int = SAMPLE_RATE) -> DecodedAudio:
    """``read_audio_file``'s samples, with the seconds left silent for damaged packets."""
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
    except UndecodableAudio as exc:
        raise AudioError(f"{file} is not a readable audio file ({exc.reason})") from None
    except PermissionError:
        raise AudioError(f"cannot read {file}: permission denied") from None
    except IndexError:  # PyAV found streams, none of them audio (an image, a video)
        raise AudioError(f"{file} has no audio stream") from None
    except (av.FFmpegError, ValueError, EOFError) as exc:
        raise AudioError(f"{file} is not a readable audio file ({_reason(exc)})") from None
    except OSError as exc:
        raise AudioError(f"cannot read {file}: {exc.strerror or exc}") from None
    if audio.samples.size == 0:
        raise AudioError(f"{file} holds no audio samples")
    return audio


def _reason(exc: BaseException) -> str:
    return getattr(exc, "strerror", None) or type(exc).__name__


def _decode(file: Path, sample_rate: int) -> DecodedAudio:
    """faster_whisper's ``decode_audio`` (16-bit, so an ordinary file reads exactly as
    Whisper's own reader has it), but with a float file's NaN and infinite samples made
    silence before they are converted: swresample turns each into a full-scale 16-bit
    sample, and a few of them are enough for Whisper to hear words that were not said."""
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
        frames = FrameReader(container)
        for frame in frames:
            frame.pts = None
            fifo.write(frame)
            # resampled in large groups, as decode_audio does (checking each group for
            # NaN costs a fraction of checking each frame)
            if fifo.samples >= 500_000:
                resample(finite_frame(fifo.read()))
    if fifo.samples:
        resample(finite_frame(fifo.read()))
    resample(None)
    if not pieces:
        return DecodedAudio(np.zeros(0, dtype=np.float32))
    samples = np.concatenate(pieces).astype(np.float32) / 32768.0
    return DecodedAudio(samples, frames.damaged_s)


class UndecodableAudio(Exception):
    """No packet of the file's audio stream could be decoded (``reason``: the first error)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# a failed packet counts for its bytes rather than its own duration when they would hold
# this many of its durations: a raw stream's parser (MP3, ADTS, FLAC) hands a damaged
# stretch over as one packet whose duration is one frame's
_MERGED_PACKET = 3.0
# a gap in the timestamps shorter than this is rounding, not audio that is missing
_GAP_TOLERANCE_S = 0.005


class FrameReader:
    """The first audio stream's frames, as ffmpeg reads them, past damaged packets.

    ``container.decode()`` is a generator that ends at the first error, so packets are
    decoded one at a time and a packet that fails is skipped. What it held is replaced
    by silence of the same length, so that everything after it keeps its time (segment
    and meeting timestamps): its length is the gap in the timestamps where the container
    has them (MP4, Ogg, FLAC), else the packet's duration, or what its bytes hold at the
    stream's byte rate when the parser joined a damaged stretch into one packet (MP3).
    ``damaged_s`` adds up the silence given. Raises ``UndecodableAudio`` when packets
    failed and none decoded: a file of some other kind, not a damaged one.
    """

    def __init__(self, container: av.container.InputContainer) -> None:
        self.container = container
        self.stream = container.streams.audio[0]
        self.damaged_s = 0.0

    def __iter__(self) -> Iterator[av.AudioFrame]:
        import av

        good_bytes = 0
        good_s = 0.0
        lost_s = 0.0  # failed packets since the last frame
        failed = False  # a packet failed since the last frame
        expected_s: float | None = None  # where the next frame starts, by the last one
        last: av.AudioFrame | None = None
        first_error: BaseException | None = None
        # the frames' time base, as a float once (a Fraction per frame costs 10 % of an MP3)
        base = float(self.stream.time_base) if self.stream.time_base else None
        for packet in self.container.demux(self.stream):
            try:
                frames = packet.decode()
            except (av.FFmpegError, OSError) as exc:
                first_error = first_error or exc
                if not _is_tag(bytes(packet)):
                    failed = True
                    lost_s += self._packet_seconds(packet, good_bytes, good_s)
                elif expected_s is not None and packet.duration and packet.time_base:
                    expected_s += float(packet.duration * packet.time_base)  # a frame's slot
                continue
            if frames:
                good_bytes += packet.size
            for frame in frames:
                start = frame.pts * base if frame.pts is not None and base else None
                if start is not None and expected_s is not None:
                    gap = start - expected_s
                    # only where a packet failed: a whole file may jump in its timestamps
                    # too (a paused recording, an edit list), and it holds no damage
                    if failed and gap > _GAP_TOLERANCE_S:
                        lost_s = max(lost_s, gap)
                if lost_s:
                    yield self._silence(last or frame, lost_s)
                lost_s = 0.0
                failed = False
                seconds = frame.samples / frame.sample_rate
                good_s += seconds
                if start is not None:
                    expected_s = start + seconds
                elif expected_s is not None:
                    expected_s += seconds
                last = frame
                yield frame
        # what failed after the last frame is not made silence: nothing comes after it to
        # keep in time, and it is as often bytes appended to a whole file as lost audio
        if last is None and first_error is not None:
            raise UndecodableAudio(_reason(first_error))

    def _packet_seconds(self, packet: av.Packet, good_bytes: int, good_s: float) -> float:
        own = (
            float(packet.duration * packet.time_base)
            if packet.duration and packet.time_base
            else 0.0
        )
        if good_bytes and good_s and packet.size:
            by_bytes = packet.size * good_s / good_bytes
            if not own or by_bytes > _MERGED_PACKET * own:
                return by_bytes
        return own

    def _silence(self, like: av.AudioFrame, seconds: float) -> av.AudioFrame:
        import av

        samples = round(seconds * like.sample_rate)
        self.damaged_s += samples / like.sample_rate
        frame = av.AudioFrame(format=like.format.name, layout=like.layout.name, samples=samples)
        for plane in frame.planes:
            plane.update(bytes(plane.buffer_size))
        frame.sample_rate = like.sample_rate
        return frame


def _is_tag(data: bytes) -> bool:
    """Whether a packet the decoder refused is a tag, not audio: an ID3 tag or a
    Xing/Info/VBRI frame in the middle of MP3s joined with ``cat``."""
    return data[:3] in (b"ID3", b"TAG") or any(
        tag in data[4:40] for tag in (b"Xing", b"Info", b"VBRI")
    )


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
        finite_samples(samples), format=frame.format.name, layout=frame.layout.name
    )
    fixed.sample_rate = frame.sample_rate
    return fixed


def finite_samples(samples: np.ndarray) -> np.ndarray:
    """``samples`` with NaN and infinite values made silence (a damaged float file: one
    of them poisons the whole spectrogram of its part, and Whisper then hears nothing or
    another language)."""
    import numpy as np

    if not np.isfinite(samples).all():
        samples = np.nan_to_num(samples, nan=0.0, posinf=0.0, neginf=0.0)
    return samples


def damaged_message(damaged_s: float) -> str | None:
    """The one line that says part of a file was left silent, or None for none worth saying."""
    if damaged_s < 0.05:  # shown to a tenth of a second: less would read "0.0 s"
        return None
    return (
        f"{format_elapsed(damaged_s)} of the file could not be read (damaged) and was left silent"
    )


# Decoders end a whole file within a frame or two of what its header says (0.04 s at most
# over every clip in tests/data/audio); more missing than this is a file cut short.
ENDS_EARLY_SLACK_S = 0.25


@dataclass(frozen=True)
class EndsEarly:
    """A file whose audio stops before the length its header declares (a truncated
    download or copy): what was read and what the header promised, in seconds."""

    read_s: float
    declared_s: float

    def message(self) -> str:
        return (
            f"the file ends early (truncated?): transcribed the first "
            f"{format_elapsed(self.read_s)} of {format_elapsed(self.declared_s)}"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "read_seconds": round(self.read_s, 3),
            "declared_seconds": round(self.declared_s, 3),
        }


def ends_early(path: str | Path, read_s: float) -> EndsEarly | None:
    """An ``EndsEarly`` when ``read_s`` seconds fall short of the length ``path``'s header
    declares; None when they do not, or when the file declares no length to trust."""
    declared = declared_length(Path(path))
    if declared is None or read_s >= declared - ENDS_EARLY_SLACK_S:
        return None
    return EndsEarly(read_s, declared)


def declared_length(path: Path) -> float | None:
    """The length in seconds the file's header states, where a header states it: a WAV's
    data size, FLAC's sample count, an MP3's Xing/Info/VBRI frame count (for a file
    shorter than that header's byte count), an MP4's track duration. None for anything
    else: FFmpeg's own figure for a WAV is clamped to the bytes present, and for an MP3
    without such a header it is a guess from the bitrate, so neither can tell a cut file
    from a whole one."""
    import av

    try:
        with path.open("rb") as fh:
            head = fh.read(12)
            if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
                return _wav_declared_length(fh)
        with av.open(str(path), mode="r", metadata_errors="ignore") as container:
            if not container.streams.audio:
                return None
            stream = container.streams.audio[0]
            formats = set(container.format.name.split(","))
            if not formats & {"flac", "mp3", "mp4", "m4a"}:
                return None
            if "mp3" in formats:
                return _mp3_declared_length(path)
            if stream.duration is None or stream.time_base is None:
                return None
            return float(stream.duration * stream.time_base) or None
    except (OSError, av.FFmpegError, ValueError, IndexError, struct.error):
        return None  # unreadable: the decoder says so in its own words


# data sizes written by tools that could not seek back to fill in the real one
# (0: not yet written; 0xFFFFFFFF: FFmpeg to a pipe; 0x7FFFF000: SoX to a pipe)
_WAV_SIZE_UNKNOWN = (0, 0xFFFFFFFF, 0x7FFFF000)
# PCM, IEEE float, A-law, µ-law, extensible: one block is one sample of each channel
_WAV_PLAIN_FORMATS = (1, 3, 6, 7, 0xFFFE)


def _wav_declared_length(fh: Any) -> float | None:
    rate = block = 0
    while len(header := fh.read(8)) == 8:
        chunk, size = header[:4], struct.unpack("<I", header[4:])[0]
        if chunk == b"fmt ":
            fmt = fh.read(size)
            tag, _channels, rate = struct.unpack("<HHI", fmt[:8])
            block = struct.unpack("<H", fmt[12:14])[0]
            if tag not in _WAV_PLAIN_FORMATS:
                return None
            fh.seek(size & 1, 1)
        elif chunk == b"data":
            if not rate or not block or size in _WAV_SIZE_UNKNOWN:
                return None
            return size // block / rate
        else:
            fh.seek(size + (size & 1), 1)
    return None


def _mp3_declared_length(path: Path) -> float | None:
    """The length an MP3's Xing/Info or VBRI header counts (its frames less the encoder
    delay and padding of a LAME tag, as FFmpeg has it), only for a file shorter than
    the byte count the same header states. A whole file can read shorter than its frame
    count (the header of the first of several files joined with ``cat``, a placeholder
    a killed encoder never filled in, a damaged stretch), and FFmpeg's own length falls
    back to a bitrate guess when the counts do not match; the byte count is the one sure
    sign that bytes are missing."""
    size = path.stat().st_size
    with path.open("rb") as fh:
        head = fh.read(10)
        start = 0
        if head[:3] == b"ID3" and len(head) == 10:  # skip an ID3v2 tag (sizes are 7-bit)
            tag = 0
            for byte in head[6:10]:
                tag = tag << 7 | (byte & 0x7F)
            start = 10 + tag + (10 if head[5] & 0x10 else 0)
        fh.seek(start)
        data = fh.read(8192)
    sync = next(
        (i for i in range(len(data) - 3) if data[i] == 0xFF and data[i + 1] & 0xE0 == 0xE0),
        None,
    )
    if sync is None:
        return None
    frame = data[sync:]
    version = (frame[1] >> 3) & 3  # 3: MPEG-1, 2: MPEG-2, 0: MPEG-2.5
    layer = (frame[1] >> 1) & 3  # 1: III, 2: II, 3: I
    rate_index = (frame[2] >> 2) & 3
    if version == 1 or layer == 0 or rate_index == 3:
        return None
    rate = (44_100, 48_000, 32_000)[rate_index] >> {3: 0, 2: 1, 0: 2}[version]
    per_frame = 384 if layer == 3 else 1152 if layer == 2 or version == 3 else 576
    mono = frame[3] >> 6 == 3
    tag_at = 4 + ((17 if mono else 32) if version == 3 else (9 if mono else 17))
    frames = byte_count = padding = 0
    if frame[tag_at : tag_at + 4] in (b"Xing", b"Info"):
        flags = int.from_bytes(frame[tag_at + 4 : tag_at + 8], "big")
        at = tag_at + 8
        if flags & 1:
            frames = int.from_bytes(frame[at : at + 4], "big")
            at += 4
        if flags & 2:
            byte_count = int.from_bytes(frame[at : at + 4], "big")
            at += 4
        at += (100 if flags & 4 else 0) + (4 if flags & 8 else 0)
        if frame[at : at + 4] in (b"LAME", b"Lavf", b"Lavc"):  # delay and padding: 12 bits each
            delays = int.from_bytes(frame[at + 21 : at + 24], "big")
            padding = (delays >> 12) + (delays & 0xFFF)
    elif frame[36:40] == b"VBRI":
        byte_count, frames = struct.unpack(">II", frame[46:54])
    if frames <= 0 or byte_count <= 0 or size - start >= byte_count:
        return None
    return (frames * per_frame - padding) / rate
