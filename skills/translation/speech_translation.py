"""Speech in any language into English text, offline: Whisper's own ``translate`` task.

Uses the recognizer's loaded model (never a second one) and the same gates as
transcription: Silero VAD picks the speech, lines Whisper invents on silence are
dropped. ``voice.asr.SpeechRecognizer.transcribe`` has no ``task`` parameter yet; when
it gets one, this module becomes a call to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

    from voice.asr import DecodeProfile, SpeechRecognizer


@dataclass(frozen=True)
class SpeechTranslation:
    text: str  # English
    source_lang: str


def translate_speech_to_english(
    recognizer: SpeechRecognizer, audio: np.ndarray, profile: DecodeProfile | None = None
) -> SpeechTranslation:
    """English for the speech in ``audio``; ``profile`` defaults to file decoding (beam 5),
    the live interpreter passes its faster one."""
    import numpy as np
    from faster_whisper.vad import collect_chunks

    from voice.asr import (
        FILE_DECODING,
        is_invented_line,
        join_segment_texts,
        max_new_tokens,
        speech_chunks,
    )
    from voice.audio_files import SAMPLE_RATE

    audio = np.asarray(audio, dtype=np.float32).reshape(-1)
    chunks = speech_chunks(audio, recognizer.vad)
    if not chunks:
        return SpeechTranslation("", "")
    pieces, _ = collect_chunks(audio, chunks)
    speech = np.concatenate(pieces)
    profile = profile or FILE_DECODING
    source_lang = recognizer.detect_language(speech, profile)
    with recognizer.decoding(profile) as model:  # the model is shared with transcription
        segments, _info = model.transcribe(
            speech,
            language=source_lang,
            task="translate",
            beam_size=profile.beam_size,
            vad_filter=False,
            condition_on_previous_text=False,
            max_new_tokens=max_new_tokens(speech.size / SAMPLE_RATE),
        )
        segments = list(segments)
    texts = [s.text.strip() for s in segments if s.text.strip() and not is_invented_line(s.text)]
    return SpeechTranslation(join_segment_texts(texts), source_lang)
