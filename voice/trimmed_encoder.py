"""A faster-whisper model that encodes only the audio it was given, not a padded 30 s.

faster-whisper pads every window to 3000 mel frames (30 s) before the encoder, so a
one-second command costs as much as thirty seconds of speech (about 1.8 s of encoder
time on two CPU cores for ``base``). CTranslate2's Whisper encoder accepts shorter
inputs, so this subclass cuts the zero padding off again, keeping ``PAD_FRAMES`` of it
and never going below ``min_frames`` (the same idea as whisper.cpp's ``audio_ctx``).

A window much shorter than the audio Whisper was trained on makes the decoder loop
("No. No. No. …") on one-word clips; a floor of 5–10 s stops that on the asterisk
prompts (measured: 0 frames floor looped on 3 of 20 clips, 500 on none with a token
bound, 1000 on none) while still costing a fraction of the 30 s window.

The last encoded window is remembered: "auto" language runs Whisper's language head and
then the decode on the same audio, and the second encoder pass (0.4-0.9 s on two shared
cores, most of a short sentence's cost) is then skipped.

Both the floor and the remembered window are per thread: a model loaded with two
workers decodes for two threads at once (live partial text beside the draft).

Imported only when the model is loaded (it imports faster_whisper at the top).
"""

from __future__ import annotations

import threading

import numpy as np
from faster_whisper import WhisperModel

PAD_FRAMES = 100  # 1 s of the padding kept after the audio (10 ms per frame)


class _PerThread(threading.local):
    min_frames: int = 1000  # set per call by SpeechRecognizer.decoding
    last: tuple[np.ndarray, object] | None = None  # (trimmed features, encoder output)


class TrimmedEncoderWhisper(WhisperModel):
    def __init__(self, *args, **kwargs) -> None:
        self._per_thread = _PerThread()
        super().__init__(*args, **kwargs)

    @property
    def min_frames(self) -> int:
        return self._per_thread.min_frames

    @min_frames.setter
    def min_frames(self, frames: int) -> None:
        self._per_thread.min_frames = frames

    def encode(self, features: np.ndarray):  # type: ignore[override]
        batch = features if features.ndim == 3 else features[np.newaxis]
        if batch.shape[0] == 1:
            filled = np.flatnonzero(np.any(batch[0] != 0, axis=0))
            end = int(filled[-1]) + 1 if filled.size else 2
            end = min(batch.shape[-1], max(self.min_frames, end + PAD_FRAMES))
            end += end % 2  # the encoder's convolution has stride 2
            batch = np.ascontiguousarray(batch[..., :end])
        last = self._per_thread.last
        if last is not None and np.array_equal(last[0], batch):
            return last[1]  # type: ignore[return-value]
        output = super().encode(batch)
        self._per_thread.last = (batch.copy(), output)
        return output
