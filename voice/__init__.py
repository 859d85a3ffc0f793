"""Voice: capture, VAD, ASR (faster-whisper), TTS, hotkeys. No Qt.

Importing this package is cheap: heavy modules load inside the functions that use them.
"""

from __future__ import annotations


def doctor_checks() -> list[tuple[str, bool | str, str, str]]:
    """``ting doctor``'s voice lines: (name, ok, detail, how to fix)."""
    from voice.doctor import voice_checks

    return voice_checks()
