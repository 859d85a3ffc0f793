"""Builds synthetic meetings at test time from real human recordings with known text.

English: Debian's ``asterisk-core-sounds-en-wav`` prompts (8 kHz recordings of a human
speaker), whose words are in ``core-sounds-en.txt.gz``, laid end to end with pauses.
Mandarin: no human Mandarin recording with a transcript is reachable here, so the
Mandarin meeting is made of the voice tests' two eSpeak NG clips (``tests/data/audio``,
see its SOURCES.md: machine speech, recognized only in part by Whisper ``base``).

The output is a 16 kHz WAV (mono, or two channels with alternate speakers on the left
and the right, the way ``ting meeting record`` writes mic and system output) plus the
list of what was said when. Nothing big is committed: callers write into a temp folder.
"""

from __future__ import annotations

import gzip
import re
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np

SOUNDS = Path("/usr/share/asterisk/sounds/en")
TRANSCRIPTS = Path("/usr/share/doc/asterisk-core-sounds-en/core-sounds-en.txt.gz")
RATE = 16_000

# prompts that read like things said in a meeting, in the order they are "said"
ENGLISH_MEETING = [
    "vm-newuser",
    "demo-moreinfo",
    "followme/status",
    "queue-periodic-announce",
    "ss-noservice",
    "priv-introsaved",
    "demo-thanks",
]

AUDIO_DATA = Path(__file__).resolve().parent.parent / "audio"
MANDARIN_MEETING = [
    ("zh-nihao-xiaoming.wav", "你好，我是小明。"),
    ("zh-fanyi.wav", "帮我翻译一下。"),
]


@dataclass(frozen=True)
class SpokenLine:
    start: float
    end: float
    text: str
    channel: int


def asterisk_texts() -> dict[str, str]:
    texts: dict[str, str] = {}
    with gzip.open(TRANSCRIPTS, "rt", encoding="utf-8") as fh:
        for line in fh:
            if line.startswith(";") or ":" not in line:
                continue
            name, text = line.split(":", 1)
            texts[name.strip()] = re.sub(r"\s*\(.*?\)\s*", " ", text).strip()
    return texts


def _read_clip(path: Path) -> np.ndarray:
    from faster_whisper import decode_audio

    return decode_audio(str(path), sampling_rate=RATE)


def write_wav(path: Path, samples: np.ndarray) -> None:
    """float32 samples, (n,) or (n, channels), as 16-bit PCM at 16 kHz."""
    pcm = (np.clip(samples, -1.0, 1.0) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1 if pcm.ndim == 1 else pcm.shape[1])
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(pcm.tobytes())


def build_meeting(
    path: Path,
    clips: list[np.ndarray],
    texts: list[str],
    *,
    gap_s: float = 1.5,
    stereo: bool = False,
    repeat: int = 1,
) -> list[SpokenLine]:
    rng = np.random.default_rng(1)
    parts: list[np.ndarray] = []
    spoken: list[SpokenLine] = []
    cursor = 0
    for turn in range(repeat):
        for i, (clip, text) in enumerate(zip(clips, texts, strict=True)):
            gap = int((gap_s + 0.5 * ((i + turn) % 3)) * RATE)
            silence = (rng.standard_normal(gap) * 0.002).astype(np.float32)  # room noise
            parts.append(silence)
            cursor += gap
            channel = (i + turn) % 2 if stereo else 0
            spoken.append(SpokenLine(cursor / RATE, (cursor + len(clip)) / RATE, text, channel))
            if stereo:
                both = np.zeros((len(clip), 2), dtype=np.float32)
                both[:, channel] = clip
                both[:, 1 - channel] = clip * 0.05  # a little echo on the other channel
                parts.append(both)
            else:
                parts.append(clip)
            cursor += len(clip)
    tail = np.zeros(RATE, dtype=np.float32)
    parts.append(tail)
    if stereo:
        parts = [p if p.ndim == 2 else np.repeat(p[:, None], 2, axis=1) for p in parts]
    write_wav(path, np.concatenate(parts))
    return spoken


def english_meeting(path: Path, *, stereo: bool = False, repeat: int = 1, gap_s: float = 1.5):
    texts = asterisk_texts()
    clips = [_read_clip(SOUNDS / f"{name}.wav") for name in ENGLISH_MEETING]
    said = [texts[name] for name in ENGLISH_MEETING]
    return build_meeting(path, clips, said, stereo=stereo, repeat=repeat, gap_s=gap_s)


def mandarin_meeting(path: Path):
    clips = [_read_clip(AUDIO_DATA / name) for name, _ in MANDARIN_MEETING]
    return build_meeting(path, clips, [text for _, text in MANDARIN_MEETING], gap_s=1.2)


def word_recall(expected: str, heard: str) -> float:
    """Share of the expected words (or CJK characters) that appear in what was heard."""

    def words(text: str) -> list[str]:
        text = text.lower().replace("-", " ")
        return re.findall(r"[a-z0-9']+|[\u4e00-\u9fff]", text)

    want = words(expected)
    got = set(words(heard))
    return sum(1 for w in want if w in got) / max(1, len(want))
