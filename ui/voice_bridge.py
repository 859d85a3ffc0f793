"""Where the desktop app meets the voice side (capture → ASR → runtime).

The app talks to a ``VoiceSession``: ``start()`` begins listening, ``stop()`` ends the
utterance; it reports through Qt signals (``level``, ``partial``, ``heard``, ``failed``,
``listening_changed``). ``voice_session_for`` builds one when the voice package provides
microphone capture; this build's ``voice`` package has the speech recognizer but no
capture module yet, so it returns None and the app says that voice input is not
available instead of pretending to listen.

What a capture backend must offer for this bridge (in ``voice/capture.py``)::

    class MicrophoneCapture:
        def __init__(self, device: str = "", sample_rate: int = 16000): ...
        def start(self, on_chunk: Callable[[np.ndarray], None]) -> None  # float32 mono
        def stop(self) -> np.ndarray  # the whole utterance

``on_chunk`` is called on the audio thread; the session computes the level from it and
runs partial transcripts through the recognizer in the runner's I/O pool.
"""

from __future__ import annotations

import importlib.util
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

if TYPE_CHECKING:
    from assistant.app import App
    from ui.workers import TaskRunner


class VoiceSession(QObject):
    level = Signal(float)  # 0..1
    partial = Signal(str)
    heard = Signal(str)  # the final transcript of one utterance
    failed = Signal(str)
    listening_changed = Signal(bool)

    def start(self) -> None:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError


def capture_available() -> bool:
    return importlib.util.find_spec("voice.capture") is not None


def voice_session_for(app: App, runner: TaskRunner) -> Any:
    """A ``VoiceSession`` for this app, or None where microphone capture is missing."""
    if not capture_available():
        return None
    return None  # voice.capture exists but its interface is not wired here yet
