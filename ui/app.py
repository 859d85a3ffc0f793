"""The desktop app: ``run_app(app)`` is what plain ``ting`` starts where a display exists.

``DesktopController`` owns the tray (or the fallback window), the windows (built on
first use), the task runner, the local instance server and the app state shown by the
icon: ``idle``, ``listening``, ``thinking`` or ``error``. The speech model warms in the
background after the icon is up (``TING_NO_ASR_WARM=1`` skips that).

``status_changed`` is emitted whenever something ``handle_command("status")`` shows may
have changed (the app state, the speech model, the voice session, a window shown or
hidden, an exchange finished, settings saved); the instance server pushes the new status
to ``watch`` clients from it.
"""

from __future__ import annotations

import contextlib
import importlib.util
import logging
import os
import sys
import time
from typing import IO, TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, QTimer, Signal, Slot
from PySide6.QtWidgets import QApplication, QSystemTrayIcon, QWidget

from assistant.ipc import (
    InstanceNotRunning,
    acquire_instance_lock,
    notify_service_manager,
    send_command,
    socket_path,
)
from ui.i18n import tr
from ui.request_controller import RequestController
from ui.tray import AppActions, FallbackWindow, TrayIcon
from ui.voice_bridge import VoiceSession, voice_session_for
from ui.workers import TaskRunner

if TYPE_CHECKING:
    from assistant.events import Event
    from assistant.frontend.app import App
    from ui.chat_window import ChatWindow
    from ui.voice_overlay import VoiceOverlay

log = logging.getLogger("ting.ui")

LONG_TASK_SECONDS = 10.0  # a task this long gets a notification when it ends
HANDOVER_ATTEMPTS = 30  # x 100 ms: a starting first instance gets 3 s to listen
# QSystemTrayIcon has no signal for a tray host embedding the icon (its geometry turning
# valid), so while status watchers are connected and the icon has no place yet, the
# status is rechecked this often; for at most TRAY_PLACE_LIMIT_S after the icon was
# shown (a StatusNotifierItem host never gives the icon a geometry at all).
TRAY_RECHECK_MS = 200
# what the bubble says while an utterance for each purpose is spoken ("": "Listening…")
LISTENING_STATUS = {"dictate": "Dictating…", "edit": "Say how to change the selection…"}
TRAY_PLACE_LIMIT_S = 60.0


class DesktopController(QObject):
    state_changed = Signal(str)
    icon_shown = Signal()
    status_changed = Signal()  # what the status command shows may have changed

    def __init__(self, app: App, *, use_tray: bool | None = None) -> None:
        super().__init__()
        self.app = app
        self.runner = TaskRunner(self)
        self.actions = AppActions(self)
        self.actions.triggered.connect(self.perform)
        if use_tray is None:
            use_tray = QSystemTrayIcon.isSystemTrayAvailable()
        self.tray: TrayIcon | None = TrayIcon(self.actions, self) if use_tray else None
        self.fallback: FallbackWindow | None = None if use_tray else FallbackWindow(self.actions)
        self.windows: dict[str, QWidget] = {}
        self._signal_wakeup: tuple[Any, ...] = ()  # see _quit_on_signals
        self.state = "idle"
        self.state_detail = ""
        self.speech_model_state = "off"  # off | loading | loaded | failed
        self.exchanges = 0  # exchanges (typed, voice, tasks) finished since the start
        self.instance_server: Any = None
        self._icon_shown_at: float | None = None
        self._tray_recheck = QTimer(self)
        self._tray_recheck.setInterval(TRAY_RECHECK_MS)
        self._tray_recheck.timeout.connect(self._recheck_tray)
        self.state_changed.connect(self._status_touched)
        self.icon_shown.connect(self._status_touched)
        self.requests = RequestController(app, self.runner, self)
        self.requests.event.connect(self._request_event)
        self.requests.busy_changed.connect(self._chat_busy)
        self.requests.finished.connect(self._exchange_finished)
        self.voice: VoiceSession | None = None
        self._build_voice_session()
        from ui.insertion_controller import InsertionController

        self.insertions = InsertionController(app, self.runner, self.requests, self.overlay, self)

    # -- start and stop ----------------------------------------------------------------

    def show(self) -> None:
        if self.tray is not None:
            self.tray.show()
        else:
            assert self.fallback is not None
            self.fallback.show()
        self._icon_shown_at = time.monotonic()
        self.icon_shown.emit()
        if os.environ.get("TING_NO_ASR_WARM") != "1":
            QTimer.singleShot(0, self.warm_speech_model)
            if self.voice is not None:  # the stream stays open from now on (pre-roll)
                QTimer.singleShot(0, self.voice.open)

    def serve_instance_commands(self) -> None:
        from ui.instance_server import InstanceServer

        self.instance_server = InstanceServer(socket_path(), self.handle_command, self)
        self.status_changed.connect(self.instance_server.status_changed)
        self.instance_server.watchers_changed.connect(self._watch_tray)
        self.instance_server.listen()

    def shutdown(self) -> None:
        self._tray_recheck.stop()
        if self.voice is not None:
            self.voice.close()
        for window in self.windows.values():
            window.close()
        self.runner.shutdown()
        if self.instance_server is not None:
            self.instance_server.close()
        if self.tray is not None:
            self.tray.hide()

    def warm_speech_model(self) -> None:
        """Load the app's recognizer's model (``service("asr")``) off the GUI thread, once."""
        if self.speech_model_state != "off":
            return
        if importlib.util.find_spec("voice.asr") is None:
            return
        recognizer = self.app.service("asr")
        self._set_speech_model_state("loading")

        def loaded(_result: object) -> None:
            self._set_speech_model_state("loaded")

        def failed(message: str) -> None:
            self._set_speech_model_state("failed")
            log.warning("speech model did not load: %s", message)

        self.runner.call(
            lambda: (recognizer.warm(), recognizer.wait_warm()),
            "warm the speech model",
            on_success=loaded,
            on_failure=failed,
        )

    def _set_speech_model_state(self, state: str) -> None:
        self.speech_model_state = state
        self.status_changed.emit()

    # -- state -------------------------------------------------------------------------

    def set_state(self, state: str, detail: str = "") -> None:
        self.state, self.state_detail = state, detail
        if self.tray is not None:
            self.tray.set_state(state, detail)
        if self.fallback is not None:
            self.fallback.set_state(state, detail)
        self.state_changed.emit(state)

    def notify(self, title: str, message: str, *, error: bool = False) -> None:
        if self.tray is not None:
            self.tray.notify(title, message, error=error)
        elif self.fallback is not None:
            self.fallback.notify(title, message, error=error)

    # -- commands (menu, fallback window, local socket) --------------------------------

    def handle_command(self, command: str) -> dict[str, Any]:
        if command == "status":
            return {
                "running": True,
                "state": self.state,
                "pid": os.getpid(),
                "tray": self.tray_status(),
                "windows": sorted(n for n, w in self.windows.items() if w.isVisible()),
                "speech_model": self.speech_model_state,
                "voice": self.voice_status(),
                "exchanges": self.exchanges,
            }
        if command == "show":
            self.perform("chat")
            return {"ok": True}
        if command == "trigger":
            return self.toggle_talk()
        if command in ("dictate", "edit"):
            return self.toggle_voice(command)
        if command == "quit":
            QTimer.singleShot(0, self.quit)
            return {"ok": True}
        return {"ok": False, "error": f"unknown command {command!r}"}

    def tray_status(self) -> dict[str, Any]:
        """Whether the icon is up and, once a tray host embedded it, where it is."""
        if self.tray is None:
            return {"available": False, "visible": False, "geometry": None}
        rect = self.tray.tray.geometry()
        return {
            "available": True,
            "visible": self.tray.tray.isVisible(),
            "geometry": [rect.x(), rect.y(), rect.width(), rect.height()]
            if rect.isValid()
            else None,
        }

    # -- pushing the status to watchers -----------------------------------------------

    @Slot()
    def _status_touched(self, *_args: object) -> None:
        self.status_changed.emit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        """The app's windows: shown or hidden changes the status's ``windows``."""
        if event.type() in (QEvent.Type.Show, QEvent.Type.Hide):
            self.status_changed.emit()
        return False

    def _tray_placed(self) -> bool:
        return self.tray is None or self.tray.tray.geometry().isValid()

    def _tray_still_settling(self) -> bool:
        shown = self._icon_shown_at
        return shown is None or time.monotonic() - shown < TRAY_PLACE_LIMIT_S

    def _watch_tray(self, watchers: int) -> None:
        if watchers and not self._tray_placed() and self._tray_still_settling():
            self._tray_recheck.start()
        else:
            self._tray_recheck.stop()

    def _recheck_tray(self) -> None:
        self.status_changed.emit()
        server = self.instance_server
        self._watch_tray(server.watchers if server is not None else 0)  # stops once placed

    def perform(self, action: str) -> None:
        if action == "talk":
            self.toggle_talk()
        elif action in ("dictate", "edit"):
            self.toggle_voice(action)
        elif action in ("chat", "history"):
            chat = self.chat_window()
            self._raise(chat)
            if action == "history":
                chat.sidebar.search.setFocus()
        elif action == "settings":
            self._raise(self._window("settings"))
        elif action == "interpreter":
            self._raise(self._window("interpreter"))
        elif action == "meeting":
            self._raise(self._window("meeting"))
        elif action == "quit":
            self.quit()

    def quit(self) -> None:
        self.shutdown()
        QApplication.quit()

    def toggle_talk(self) -> dict[str, Any]:
        """Tray, chat window, `ting trigger`: start talking, or stop (then the text runs)."""
        return self.toggle_voice("talk")

    def toggle_voice(self, purpose: str) -> dict[str, Any]:
        """Start or stop an utterance for ``purpose``: talk (a request), dictate (typed
        into the focused window) or edit (an instruction for the selected text)."""
        if self.voice is None:
            message = tr("Voice input is not available in this build.")
            self.overlay().show_message(message)
            return {"ok": False, "state": self.state, "error": message}
        state = self.voice.toggle(purpose)
        return {"ok": True, "state": state}

    def voice_status(self) -> dict[str, Any]:
        voice = self.voice
        if voice is None:
            return {"available": False}
        device = voice.stream.device.name if voice.stream is not None else None
        return {
            "available": True,
            "state": voice.state,
            "microphone": device,
            "hotkey": bool(voice.hotkey),
            "hotkey_problem": voice.hotkey_problem,
        }

    # -- voice -------------------------------------------------------------------------

    def _build_voice_session(self) -> None:
        voice = voice_session_for(self.app, self.runner)
        self.voice = voice
        if voice is None:
            return
        voice.state_changed.connect(self._voice_state)
        voice.level.connect(self._voice_level)
        voice.partial.connect(self._voice_partial)
        voice.heard.connect(self._voice_heard)
        voice.corrected.connect(self._voice_corrected)
        voice.failed.connect(self._voice_failed)
        for changed in (voice.state_changed, voice.ready, voice.hotkey_changed, voice.failed):
            changed.connect(self._status_touched)

    def overlay(self) -> VoiceOverlay:
        from ui.voice_overlay import VoiceOverlay

        overlay = self.windows.get("overlay")
        if overlay is None:
            overlay = VoiceOverlay()
            self._keep_window("overlay", overlay)
        assert isinstance(overlay, VoiceOverlay)
        return overlay

    def _voice_state(self, state: str) -> None:
        overlay = self.overlay()
        purpose = self.voice.purpose if self.voice is not None else "talk"
        if state == "starting":
            overlay.start_listening(tr("Opening the microphone…"))
        elif state == "listening":
            status = LISTENING_STATUS.get(purpose)
            overlay.start_listening(tr(status) if status else "")
            if purpose == "dictate":
                self.insertions.dictation_started()
            self.set_state("listening")
        elif state == "thinking":
            overlay.set_transcribing()
            self.set_state("thinking")
        elif state == "idle" and self.state in ("listening", "thinking") and not self.requests.busy:
            self.set_state("idle")
        chat = self.windows.get("chat")
        if chat is not None:
            chat.set_listening(state in ("starting", "listening"))  # type: ignore[attr-defined]

    def _voice_level(self, level: float) -> None:
        self.overlay().set_level(level)

    def _voice_partial(self, text: str) -> None:
        if self.voice is not None and self.voice.state == "listening":
            self.overlay().set_partial(text)

    def _voice_heard(self, text: str) -> None:
        overlay = self.overlay()
        purpose = self.voice.heard_purpose if self.voice is not None else "talk"
        if purpose in ("dictate", "edit") and text.strip():
            overlay.set_heard(text)
            if purpose == "dictate":
                self.insertions.dictated(text)
            else:
                self.insertions.edit(text)
            return
        self.chat_window()  # a spoken request shows there too, with any card to confirm
        if not text.strip():
            overlay.set_result(tr("Heard nothing."))
            if not self.requests.busy:
                self.set_state("idle")
            return
        overlay.set_heard(text)
        if self.requests.busy:
            overlay.set_result(tr("Still working on the last request; try again."), error=True)
            return
        heard = self.voice.last_heard_raw if self.voice is not None else None
        self.requests.submit(text, origin="voice", options={"heard": heard} if heard else None)

    def _voice_corrected(self, text: str, word: str, not_kept: str = "") -> None:
        overlay = self.overlay()
        overlay.set_heard(text)
        if not_kept:
            overlay.set_result(
                tr("Could not add {word} to your words: {reason}", word=word, reason=not_kept),
                error=True,
            )
        else:
            overlay.set_result(tr("Added {word} to your words.", word=word))
        if not self.requests.busy:
            self.set_state("idle")

    def _voice_failed(self, message: str) -> None:
        self.overlay().show_message(message)
        self.set_state("error", message[:120])

    def _request_event(self, event: Event) -> None:
        """A spoken request's run is shown in the overlay too; a card to confirm raises
        the chat window."""
        from assistant.events import NeedsConfirmation

        request = self.requests.current
        if request is None or request.origin != "voice" or self.requests.shown_elsewhere:
            return
        self.overlay().show_run_event(event, self.requests.answer)
        if isinstance(event, NeedsConfirmation):
            self._raise(self.chat_window())

    def _settings_saved(self, changes: dict[str, Any]) -> None:
        self._apply_settings(changes)
        self.status_changed.emit()

    def _apply_settings(self, changes: dict[str, Any]) -> None:
        voice = self.voice
        if voice is None:
            return
        if "input_device" in changes and voice.stream is not None:
            voice.close()
            self._build_voice_session()
            if self.voice is not None:
                self.voice.open()
            return
        if voice.talk is not None:
            voice.talk.language = self.app.settings.asr_language
        if {"hotkey", "hotkey_mode", "dictation_hotkey", "edit_hotkey"} & set(
            changes
        ) and voice.is_open:
            voice.start_hotkey()

    # -- windows -----------------------------------------------------------------------

    def chat_window(self) -> ChatWindow:
        window = self.windows.get("chat")
        if window is None:
            from ui.chat_window import ChatWindow

            window = ChatWindow(
                self.app,
                self.runner,
                voice_available=self.voice is not None,
                requests=self.requests,
            )
            window.talk_requested.connect(self.toggle_talk)
            window.confirmation_finished.connect(self._confirmation_finished)
            self._keep_window("chat", window)
        return window  # type: ignore[return-value]

    def _window(self, name: str) -> QWidget:
        window = self.windows.get(name)
        if window is None:
            if name == "settings":
                from ui.settings_window import SettingsWindow

                window = SettingsWindow(self.app, self.runner)
                window.saved.connect(self._settings_saved)
            elif name == "interpreter":
                from ui.interpreter_window import InterpreterWindow

                window = InterpreterWindow(self.app, self.runner, self.microphone_stream)
            elif name == "meeting":
                from ui.meeting_window import MeetingWindow

                window = MeetingWindow(self.app, self.runner)
                window.task_finished.connect(self._exchange_finished)
            else:
                raise ValueError(name)
            self._keep_window(name, window)
        return window

    def _keep_window(self, name: str, window: QWidget) -> None:
        self.windows[name] = window
        window.installEventFilter(self)  # shown / hidden: see eventFilter

    def microphone_stream(self) -> Any:
        """The open microphone stream the push-to-talk uses (None until it is open)."""
        return self.voice.stream if self.voice is not None else None

    @staticmethod
    def _raise(window: QWidget) -> None:
        window.show()
        window.raise_()
        window.activateWindow()

    def _chat_busy(self, busy: bool) -> None:
        if busy:
            self.set_state("thinking")
        elif self.state == "thinking":
            self.set_state("idle")

    def _confirmation_finished(self, outcome: dict[str, Any]) -> None:
        if not outcome.get("discarded"):  # a confirmed proposal ran: one more exchange
            self.exchanges += 1
            self.status_changed.emit()

    def _exchange_finished(self, outcome: dict[str, Any]) -> None:
        self.exchanges += 1
        self.status_changed.emit()
        status = outcome.get("status")
        title = (outcome.get("input") or "")[:48]
        if status == "error":
            self.set_state("error", outcome.get("text", "")[:120])
        long_task = outcome.get("elapsed", 0.0) >= LONG_TASK_SECONDS
        chat = self.windows.get("chat")
        watching = chat is not None and chat.isActiveWindow()
        if long_task and not watching and status in ("ok", "needs_confirmation", "error"):
            if status == "error":
                self.notify(tr("Failed: {title}", title=title), outcome.get("text", ""), error=True)
            else:
                text = (outcome.get("text") or "").strip().replace("\n", " ")
                self.notify(tr("Finished: {title}", title=title), text[:200])


def hand_over_to_running_instance() -> bool:
    """Ask the running app to show itself; True if one answered."""
    for _ in range(HANDOVER_ATTEMPTS):
        try:
            send_command("show")
            return True
        except InstanceNotRunning:
            time.sleep(0.1)  # it holds the lock but is not listening yet
    return False


def _quit_on_signals(controller: DesktopController) -> None:
    """``kill PID`` (SIGTERM) or Ctrl-C in the terminal quits cleanly: windows close,
    work is cancelled, the microphone is released. Python runs its signal handlers only
    between bytecodes, so the signal also writes a byte to a socket Qt's loop watches:
    the loop wakes, runs a little Python, and the handler runs (no polling timer)."""
    import signal
    import socket

    from PySide6.QtCore import QSocketNotifier

    reader, writer = socket.socketpair()
    reader.setblocking(False)
    writer.setblocking(False)
    signal.set_wakeup_fd(writer.fileno())
    notifier = QSocketNotifier(reader.fileno(), QSocketNotifier.Type.Read, controller)

    def drain() -> None:
        with contextlib.suppress(OSError):
            reader.recv(64)

    notifier.activated.connect(drain)
    controller._signal_wakeup = (reader, writer, notifier)  # kept alive with the app

    def stop(signum: int, frame: object) -> None:
        QTimer.singleShot(0, controller.quit)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)


def run_app(app: App) -> int:
    """Start the desktop app, or hand over to the one already running. Returns an exit code."""
    lock: IO[bytes] | None = acquire_instance_lock()
    if lock is None:
        if hand_over_to_running_instance():
            sys.stderr.write("Ting is already running; its window was brought up.\n")
            return 0
        sys.stderr.write("ting: another Ting holds the lock but does not answer\n")
        return 1
    started = time.monotonic()
    qt_app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(qt_app, QApplication)
    qt_app.setApplicationName("ting")
    qt_app.setApplicationDisplayName(tr("Ting"))
    qt_app.setQuitOnLastWindowClosed(False)
    controller = DesktopController(app)
    controller.serve_instance_commands()
    controller.show()
    log.info("icon shown %.0f ms after start", (time.monotonic() - started) * 1000)
    notify_service_manager("READY=1")  # listening: `ting status` and friends answered now
    _quit_on_signals(controller)
    try:
        return int(qt_app.exec())
    finally:
        controller.shutdown()
        lock.close()
