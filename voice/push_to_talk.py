"""Push-to-talk: key down → listen (with pre-roll), key up → final text, thread-safe.

Every way in (Enter in ``ting listen``, the global hotkey, ``ting trigger`` over the
socket, the tray) calls ``press``/``release``/``toggle`` on one ``PushToTalk``; it runs
a ``LiveTranscription`` per utterance and hands the result to ``on_heard``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from voice.streaming import LiveTranscription

if TYPE_CHECKING:
    from voice.asr import SpeechRecognizer, Transcript
    from voice.capture import MicrophoneStream

IDLE, LISTENING, THINKING = "idle", "listening", "thinking"


class PushToTalk:
    def __init__(
        self,
        recognizer: SpeechRecognizer,
        stream: MicrophoneStream,
        *,
        language: str = "auto",
        on_heard: Callable[[Transcript, float], None] | None = None,
        on_partial: Callable[[str], None] | None = None,
        on_state: Callable[[str], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
    ) -> None:
        self.recognizer = recognizer
        self.stream = stream
        self.language = language
        self.on_heard = on_heard
        self.on_partial = on_partial
        self.on_state = on_state
        self.on_error = on_error
        self.state = IDLE
        self._live: LiveTranscription | None = None
        self._lock = threading.Lock()

    def _set_state(self, state: str) -> None:
        self.state = state
        if self.on_state is not None:
            self.on_state(state)

    def press(self, at: int | None = None) -> bool:
        """Start listening (no-op while already listening or still thinking)."""
        with self._lock:
            if self.state != IDLE:
                return False
            at = self.stream.position if at is None else at
            self._live = LiveTranscription(
                self.recognizer, self.stream, language=self.language, on_partial=self.on_partial
            )
            self._live.start(at)
            self._set_state(LISTENING)
            return True

    def release(self, at: int | None = None) -> Transcript | None:
        """Stop listening and return the final text (also given to ``on_heard``)."""
        with self._lock:
            if self.state != LISTENING or self._live is None:
                return None
            live, self._live = self._live, None
            end = self.stream.position if at is None else at
            self._set_state(THINKING)
        released = time.perf_counter()
        try:
            transcript = live.stop(end)
        except BaseException as exc:
            self._set_state(IDLE)
            if self.on_error is not None:
                self.on_error(exc)
                return None
            raise
        latency = time.perf_counter() - released
        self._set_state(IDLE)
        if self.on_heard is not None:
            self.on_heard(transcript, latency)
        return transcript

    def toggle(self) -> str:
        """Press when idle, release when listening; returns the state after."""
        if self.state == IDLE:
            self.press()
        elif self.state == LISTENING:
            threading.Thread(target=self.release, name="ting-release", daemon=True).start()
        return self.state
