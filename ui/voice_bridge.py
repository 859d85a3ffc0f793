"""Where the desktop app meets the voice side (capture → live ASR → runtime).

``VoiceSession`` composes the voice package the way ``ting listen`` does: one
``MicrophoneStream`` kept open (ring buffer with pre-roll), one ``PushToTalk`` over it
and the app's one ``SpeechRecognizer``. Every way in drives that same ``PushToTalk``:
the tray's Talk, the chat window's Talk button and ``ting trigger`` call ``toggle()``;
the global hotkey (``GlobalHotkey``, pynput) calls ``press``/``release`` in hold mode
and ``toggle`` in toggle mode, straight from its own thread (so the press position in
the ring is taken when the key went down).

The voice package calls back on its own threads (PortAudio's audio thread, the live
decoder, the release thread, pynput); the session re-emits everything as Qt signals,
which Qt queues to the GUI thread: ``level`` (0..1), ``partial``, ``heard`` (the final
text of one utterance), ``failed`` (one line), ``state_changed`` (idle, starting,
listening, thinking) and ``listening_changed``.

An utterance has a purpose, given when talking starts (``purpose``) and kept, from the
key's release, in ``heard_purpose`` for the text that release brings: ``talk`` (a request, the talk key ``hotkey``),
``dictate`` (typed into the focused window, ``dictation_hotkey``) or ``edit`` (an
instruction for the selected text, ``edit_hotkey``). All three keys follow
``hotkey_mode``.

Nothing here imports ``voice`` (numpy, sounddevice, faster-whisper) at module level:
opening the stream and starting the hotkey run on the task runner's I/O pool.
"""

from __future__ import annotations

import importlib.util
import logging
import math
import threading
import time
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

if TYPE_CHECKING:
    from assistant.frontend.app import App
    from ui.workers import TaskRunner

log = logging.getLogger("ting.ui")

LEVEL_EVERY_S = 0.05  # at most this often a level signal while listening
LEVEL_FLOOR_DBFS = -60.0  # this quiet or quieter shows as an empty meter

IDLE, STARTING, LISTENING, THINKING = "idle", "starting", "listening", "thinking"


def capture_available() -> bool:
    """Whether this build has microphone capture and live decoding (without importing them)."""
    return all(
        importlib.util.find_spec(name) is not None
        for name in ("voice.capture", "voice.push_to_talk", "voice.streaming")
    )


def level_from_block(block: Any) -> float:
    """0..1 for one block of float samples: its RMS in dBFS, -60 dB → 0, 0 dB → 1."""
    import numpy as np

    if block.size == 0:
        return 0.0
    rms = float(np.sqrt(np.mean(np.square(block, dtype=np.float64))))
    if rms <= 0:
        return 0.0
    dbfs = 20 * math.log10(rms)
    return max(0.0, min(1.0, (dbfs - LEVEL_FLOOR_DBFS) / -LEVEL_FLOOR_DBFS))


def error_line(exc: BaseException) -> str:
    from assistant.errors import TingError

    if isinstance(exc, TingError):
        return exc.user_message()
    return f"{type(exc).__name__}: {exc}"


class VoiceSession(QObject):
    level = Signal(float)  # 0..1
    partial = Signal(str)
    heard = Signal(str)  # the final transcript of one utterance ("" when nothing was said)
    # a spoken correction of the last transcript ("不对，是滨海新区"): the transcript
    # corrected and the word, which went into the vocabulary (voice.spoken_correction)
    corrected = Signal(str, str, str)  # the text corrected, the word, why it was not kept
    failed = Signal(str)
    listening_changed = Signal(bool)
    state_changed = Signal(str)  # idle | starting | listening | thinking
    ready = Signal()  # the stream is open: talking starts at once from now on
    hotkey_changed = Signal(str)  # "" when on, else why the hotkey is off

    def __init__(self, app: App, runner: TaskRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.app = app
        self.runner = runner
        self.stream: Any = None  # voice.capture.MicrophoneStream, once open
        self.talk: Any = None  # voice.push_to_talk.PushToTalk, once the stream is open
        self.hotkey: Any = None
        self.hotkey_problem = ""
        self.hotkeys: dict[str, Any] = {}  # purpose -> GlobalHotkey
        self.purpose = "talk"  # of the utterance being spoken (or the last one)
        self.heard_purpose = "talk"  # of the utterance whose text comes next
        self.state = IDLE
        self.last_latency_s: float | None = None
        self.last_language = ""
        self._opening = False
        self._start_when_open = False
        self._lock = threading.Lock()
        self._last_level_at = 0.0
        self._last_heard: str | None = None
        # the last transcript's text as heard and its corrections, when the vocabulary
        # corrected it (for the history: the request's "heard" option)
        self.last_heard_raw: dict[str, Any] | None = None

    # -- the stream: opened once, off the GUI thread -----------------------------------

    @property
    def is_open(self) -> bool:
        return self.talk is not None

    def open(self) -> None:
        """Open the microphone stream (and the hotkey) in the background; idempotent."""
        if self.talk is not None or self._opening:
            return
        self._opening = True
        self.runner.call(
            self._open_blocking,
            "open the microphone",
            on_success=self._opened,
            on_failure=self._open_failed,
        )

    def _open_blocking(self) -> Any:
        from voice.capture import MicrophoneStream
        from voice.push_to_talk import PushToTalk

        settings = self.app.settings
        stream = MicrophoneStream(settings.input_device).open()
        stream.add_listener(self._on_block)
        talk = PushToTalk(
            self.app.service("asr"),
            stream,
            language=settings.asr_language,
            on_heard=self._on_heard,
            on_partial=self.partial.emit,
            on_state=self._on_state,
            on_error=lambda exc: self.failed.emit(error_line(exc)),
        )
        return stream, talk

    def _opened(self, result: Any) -> None:
        self.stream, self.talk = result
        self._opening = False
        assert self.stream.device is not None
        log.info("microphone open: %s", self.stream.device.name)
        self.ready.emit()
        self.start_hotkey()
        if self._start_when_open:
            self._start_when_open = False
            self.start(self.purpose)

    def _open_failed(self, message: str) -> None:
        self._opening = False
        self._start_when_open = False
        self._set_state(IDLE)
        self.failed.emit(message)

    # -- the hotkey --------------------------------------------------------------------

    def start_hotkey(self) -> None:
        """Watch the talk, dictation and edit keys (hold or toggle per ``hotkey_mode``),
        off the GUI thread."""
        self.stop_hotkey()
        settings = self.app.settings
        mode = settings.hotkey_mode
        keys = {
            purpose: combination
            for purpose, combination in (
                ("talk", settings.hotkey),
                ("dictate", settings.dictation_hotkey),
                ("edit", settings.edit_hotkey),
            )
            if combination
        }
        if not keys:
            return

        def start() -> dict[str, Any]:
            from assistant.errors import TingError
            from voice.hotkey import GlobalHotkey

            started: dict[str, Any] = {}
            problems = []
            for purpose, combination in keys.items():
                if mode == "toggle":
                    hotkey = GlobalHotkey(combination, lambda p=purpose: self.toggle(p))
                else:
                    hotkey = GlobalHotkey(
                        combination, lambda p=purpose: self.press(p), self.release_in_background
                    )
                try:
                    started[purpose] = hotkey.start()
                except TingError as exc:
                    problems.append(exc)
            if problems and not started:
                raise problems[0]
            return started

        def started(hotkeys: dict[str, Any]) -> None:
            self.hotkeys = hotkeys
            self.hotkey = hotkeys.get("talk") or next(iter(hotkeys.values()), None)
            self.hotkey_problem = ""
            log.info("hotkeys %s (%s)", {p: keys[p] for p in hotkeys}, mode)
            self.hotkey_changed.emit("")

        def failed(message: str) -> None:
            self.hotkey_problem = message
            log.warning("%s", message)
            self.hotkey_changed.emit(message)

        self.runner.call(start, "start the hotkeys", on_success=started, on_failure=failed)

    def stop_hotkey(self) -> None:
        hotkeys, self.hotkeys, self.hotkey = self.hotkeys, {}, None
        for hotkey in hotkeys.values():
            hotkey.stop()

    # -- talking (any thread) ----------------------------------------------------------

    def start(self, purpose: str = "talk") -> None:
        """Start listening; before the stream is open, as soon as it is."""
        if self.talk is None:
            self.purpose = purpose
            self._start_when_open = True
            self._set_state(STARTING)
            self.open()
            return
        self.press(purpose)

    def stop(self) -> None:
        """Stop listening; the final text comes through ``heard``."""
        if self.talk is None:
            if self._start_when_open:
                self._start_when_open = False
                self._set_state(IDLE)
            return
        self.release_in_background()

    def toggle(self, purpose: str = "talk") -> str:
        if self.state in (LISTENING, STARTING):
            self.stop()
        elif self.state == IDLE:
            self.start(purpose)
        return self.state

    def press(self, purpose: str = "talk") -> None:
        talk = self.talk
        if talk is None:
            self.start(purpose)
            return
        if talk.state != IDLE:
            return  # already listening (or still decoding): the purpose stays
        self.purpose = purpose
        try:
            talk.press()
        except Exception as exc:  # the stream died (device unplugged …)
            self.failed.emit(error_line(exc))

    def release_in_background(self) -> None:
        """Release on a thread of its own: the final decode must not block the caller
        (the GUI thread, or pynput's listener thread)."""
        talk = self.talk
        if talk is None or talk.state != LISTENING:
            return
        threading.Thread(target=talk.release, name="ting-release", daemon=True).start()

    # -- callbacks from the voice threads ----------------------------------------------

    def _on_block(self, block: Any) -> None:  # PortAudio's thread: keep it quick
        if self.state != LISTENING:
            return
        now = time.monotonic()
        if now - self._last_level_at < LEVEL_EVERY_S:
            return
        self._last_level_at = now
        self.level.emit(level_from_block(block))

    def _set_state(self, state: str) -> None:
        with self._lock:
            was_listening = self.state == LISTENING
            self.state = state
        self.state_changed.emit(state)
        if was_listening != (state == LISTENING):
            self.listening_changed.emit(state == LISTENING)

    def _on_state(self, state: str) -> None:
        if state == THINKING:
            self.heard_purpose = self.purpose  # kept for the text the release brings
        self._set_state(state)

    def _on_heard(self, transcript: Any, latency: float) -> None:
        self.last_latency_s = latency
        self.last_language = transcript.language
        self.last_heard_raw = (
            {"raw_text": transcript.raw_text, "corrections": transcript.corrections}
            if getattr(transcript, "corrections", None)
            else None
        )
        correction = None
        if transcript.text:
            from voice.spoken_correction import take_correction

            try:
                correction = take_correction(self.app.history, transcript.text, self._last_heard)
            except Exception as exc:  # the request still goes through as it was said
                log.warning("spoken correction failed: %s", exc)
            self._last_heard = correction.corrected_text if correction else transcript.text
        if correction is not None:
            self.corrected.emit(correction.corrected_text, correction.word, correction.not_kept)
        else:
            self.heard.emit(transcript.text)

    # -- end ---------------------------------------------------------------------------

    def close(self) -> None:
        """Stop the hotkey, end a running utterance, close the stream."""
        self.stop_hotkey()
        talk, stream = self.talk, self.stream
        self.talk = None
        self._start_when_open = False
        if talk is not None and talk.state == LISTENING:
            try:
                talk.release()
            except Exception:  # closing anyway
                log.exception("releasing on close failed")
        if stream is not None:
            stream.remove_listener(self._on_block)
            stream.close()
        self.stream = None


def voice_session_for(app: App, runner: TaskRunner) -> VoiceSession | None:
    """A ``VoiceSession`` for this app, or None where this build has no capture."""
    if not capture_available():
        return None
    return VoiceSession(app, runner)
