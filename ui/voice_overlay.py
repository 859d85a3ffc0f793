"""The voice bubble: a small always-on-top window while Ting listens.

It shows the input level, the partial transcript as it grows, then what was heard, the
skill it was routed to and the result (or that a confirmation waits in the chat
window). It takes no focus and does no work: the voice session and the request
controller (the spoken request's run) feed it.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt, QTimer
from PySide6.QtGui import QColor, QGuiApplication, QPainter
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from assistant.events import Delta, Event, Failed, NeedsConfirmation, Progress, Result
from ui.i18n import tr
from ui.state_icons import state_icon

HIDE_AFTER_MS = 6000
RESULT_CHARS = 600


def _clip(text: str) -> str:
    text = text.strip()
    return text if len(text) <= RESULT_CHARS else text[: RESULT_CHARS - 1] + "…"


class LevelMeter(QWidget):
    """Input level 0..1 as a horizontal bar (RMS in, drawn with a little headroom)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.level = 0.0
        self.setFixedHeight(8)
        self.setMinimumWidth(120)

    def set_level(self, level: float) -> None:
        self.level = max(0.0, min(1.0, level))
        self.update()

    def paintEvent(self, _event: object) -> None:  # noqa: N802 (Qt's name)
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor("#d9dee5"))
        rect = QRectF(self.rect())
        painter.drawRoundedRect(rect, 4, 4)
        if self.level > 0:
            filled = QRectF(rect.x(), rect.y(), rect.width() * self.level, rect.height())
            painter.setBrush(QColor("#2e9e5b" if self.level < 0.85 else "#d08b17"))
            painter.drawRoundedRect(filled, 4, 4)
        painter.end()


class VoiceOverlay(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowFlags(
            Qt.WindowType.Tool
            | Qt.WindowType.FramelessWindowHint
            | Qt.WindowType.WindowStaysOnTopHint
            | Qt.WindowType.WindowDoesNotAcceptFocus
        )
        self.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
        self.setObjectName("VoiceOverlay")
        self.setStyleSheet(
            "QFrame#VoiceOverlay { background: #ffffff; border: 1px solid #c9ced6;"
            " border-radius: 12px; }"
            "QLabel#OverlayStatus { font-weight: 600; }"
            "QLabel#OverlayPartial { font-size: 15px; }"
            "QLabel#OverlayMeta { color: #666666; }"
        )
        self.setFixedWidth(420)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 12, 14, 12)
        top = QHBoxLayout()
        self.icon = QLabel()
        self.icon.setPixmap(state_icon("listening").pixmap(24, 24))
        top.addWidget(self.icon)
        self.status = QLabel(tr("Listening…"))
        self.status.setObjectName("OverlayStatus")
        top.addWidget(self.status, 1)
        layout.addLayout(top)
        self.meter = LevelMeter()
        layout.addWidget(self.meter)
        self.partial = QLabel("")
        self.partial.setObjectName("OverlayPartial")
        self.partial.setWordWrap(True)
        layout.addWidget(self.partial)
        self.meta = QLabel("")
        self.meta.setObjectName("OverlayMeta")
        self.meta.setWordWrap(True)
        layout.addWidget(self.meta)
        self.result = QLabel("")
        self.result.setWordWrap(True)
        self.result.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.result)
        self._hide_timer = QTimer(self)
        self._hide_timer.setSingleShot(True)
        self._hide_timer.setInterval(HIDE_AFTER_MS)
        self._hide_timer.timeout.connect(self.hide)

    # -- what the voice session and runtime report ------------------------------------

    def start_listening(self, status: str = "") -> None:
        self._hide_timer.stop()
        self._set_icon("listening")
        self.status.setText(status or tr("Listening…"))
        self.meter.show()
        self.meter.set_level(0.0)
        for label in (self.partial, self.meta, self.result):
            label.clear()
        self._show_near_top()

    def set_level(self, level: float) -> None:
        self.meter.set_level(level)

    def set_partial(self, text: str) -> None:
        self.partial.setText(text)
        self._fit()

    def set_transcribing(self) -> None:
        """Key released: the last words are being decoded."""
        self._set_icon("thinking")
        self.status.setText(tr("Transcribing…"))
        self.meter.set_level(0.0)

    def set_heard(self, text: str) -> None:
        self._set_icon("thinking")
        self.status.setText(tr("Heard"))
        self.meter.hide()
        self.partial.setText(text)
        self._fit()

    def set_routed(self, skill: str) -> None:
        self.meta.setText(tr("Routed to {skill}", skill=skill))
        self._fit()

    def set_result(self, text: str, *, error: bool = False, final: bool = True) -> None:
        """The answer (``final=False`` while it still streams in)."""
        self._set_icon("error" if error else ("idle" if final else "thinking"))
        if final:
            self.status.setText(tr("Failed") if error else tr("Done"))
        self.result.setStyleSheet("color: #b03a2e;" if error else "")
        self.result.setText(_clip(text))
        self._fit()
        self._hide_timer.start()

    def set_confirmation(self, preview: str) -> None:
        """What waits for a Save/Apply in the chat window."""
        self._set_icon("thinking")
        self.status.setText(tr("Needs your confirmation"))
        self.result.setStyleSheet("")
        self.result.setText(_clip(preview) + "\n" + tr("Confirm or discard it in the chat window."))
        self._fit()
        self._hide_timer.start()

    def show_run_event(self, event: Event, answer: str) -> None:
        """One event of the spoken request's run; ``answer`` is its text streamed so far."""
        if isinstance(event, Progress):
            if event.stage == "routed":
                self.set_routed(event.message.split(" ", 1)[0])
        elif isinstance(event, Delta):
            self.set_result(answer, final=False)
        elif isinstance(event, Result):
            self.set_result(event.text or answer)
        elif isinstance(event, NeedsConfirmation):
            self.set_confirmation(event.preview)
        elif isinstance(event, Failed):
            cancelled = event.kind == "cancelled"
            self.set_result(tr("Cancelled.") if cancelled else event.error, error=not cancelled)

    def show_message(self, text: str) -> None:
        self._set_icon("error")
        self.status.setText(tr("Ting"))
        self.meter.hide()
        self.partial.setText(text)
        self.meta.clear()
        self.result.clear()
        self._show_near_top()
        self._hide_timer.start()

    def _fit(self) -> None:
        for label in (self.partial, self.meta, self.result):
            label.setVisible(bool(label.text()))
        self.adjustSize()

    def _set_icon(self, state: str) -> None:
        self.icon.setPixmap(state_icon(state).pixmap(24, 24))

    def _show_near_top(self) -> None:
        self._fit()
        screen = QGuiApplication.primaryScreen()
        if screen is not None:
            area = screen.availableGeometry()
            self.move(area.center().x() - self.width() // 2, area.top() + 48)
        self.show()
