"""The tray icon (state, menu, notifications) and the small window used where no tray exists.

Both present the same actions through ``AppActions``; the desktop controller listens to
its signals and decides what each does. Neither does any work itself.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction, QIcon
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QSystemTrayIcon,
    QVBoxLayout,
    QWidget,
)

from ui.i18n import tr
from ui.state_icons import STATES, state_icon

MENU_ACTIONS = (
    "talk",
    "dictate",
    "edit",
    "chat",
    "interpreter",
    "meeting",
    "history",
    "settings",
    "quit",
)
_ACTION_TEXT = {
    "talk": "Talk",
    "dictate": "Dictate",
    "edit": "Edit selection",
    "chat": "Chat",
    "interpreter": "Interpreter",
    "meeting": "Meeting",
    "history": "History",
    "settings": "Settings",
    "quit": "Quit",
}
# One sentence per state: the state names are not all adjectives ("error").
_STATE_TEXT = {
    "idle": "Ting is ready",
    "listening": "Ting is listening",
    "thinking": "Ting is thinking",
    "error": "Ting ran into a problem",
}


def state_text(state: str) -> str:
    return tr(_STATE_TEXT[state])


class AppActions(QObject):
    """What a person can ask for from the tray or the fallback window."""

    triggered = Signal(str)  # one of MENU_ACTIONS


class TrayIcon(QObject):
    """The QSystemTrayIcon: state icon and tooltip, the menu, notifications."""

    def __init__(self, actions: AppActions, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.actions = actions
        self._icons: dict[str, QIcon] = {}  # drawn when a state is first shown
        self.tray = QSystemTrayIcon(self.icon("idle"), self)
        self.menu = QMenu()
        self.menu_actions: dict[str, QAction] = {}
        for name in MENU_ACTIONS:
            if name == "quit":
                self.menu.addSeparator()
            action = self.menu.addAction(tr(_ACTION_TEXT[name]))
            action.triggered.connect(lambda _checked=False, n=name: actions.triggered.emit(n))
            self.menu_actions[name] = action
        self.tray.setContextMenu(self.menu)
        self.tray.activated.connect(self._activated)
        self.state = "idle"
        self.set_state("idle")

    def show(self) -> None:
        self.tray.show()

    def hide(self) -> None:
        self.tray.hide()

    def icon(self, state: str) -> QIcon:
        if state not in self._icons:
            self._icons[state] = state_icon(state)
        return self._icons[state]

    def set_state(self, state: str, detail: str = "") -> None:
        self.state = state
        self.tray.setIcon(self.icon(state))
        tip = state_text(state)
        self.tray.setToolTip(f"{tip}\n{detail}" if detail else tip)
        self.menu_actions["talk"].setText(tr("Stop talking" if state == "listening" else "Talk"))

    def notify(self, title: str, message: str, *, error: bool = False) -> None:
        icon = (
            QSystemTrayIcon.MessageIcon.Warning
            if error
            else QSystemTrayIcon.MessageIcon.Information
        )
        self.tray.showMessage(title, message, icon, 8000)

    def _activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (
            QSystemTrayIcon.ActivationReason.Trigger,
            QSystemTrayIcon.ActivationReason.DoubleClick,
        ):
            self.actions.triggered.emit("chat")
        elif reason == QSystemTrayIcon.ActivationReason.MiddleClick:
            self.actions.triggered.emit("talk")


class FallbackWindow(QWidget):
    """A small always-available window with the tray's state and menu, for trayless desktops."""

    def __init__(self, actions: AppActions, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.actions = actions
        self.setWindowTitle(tr("Ting"))
        self.icons = {state: state_icon(state) for state in STATES}
        self.setWindowIcon(self.icons["idle"])
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.icon_label = QLabel()
        top.addWidget(self.icon_label)
        self.state_label = QLabel()
        self.state_label.setStyleSheet("font-size: 15px; font-weight: 600;")
        # an error's detail can be a long sentence: it wraps instead of widening the window
        self.state_label.setWordWrap(True)
        top.addWidget(self.state_label, 1)
        layout.addLayout(top)
        note = QLabel(tr("No system tray was found; Ting runs in this small window."))
        note.setWordWrap(True)
        note.setStyleSheet("color: #666666;")
        layout.addWidget(note)
        grid = QGridLayout()
        self.buttons: dict[str, QPushButton] = {}
        for index, name in enumerate(MENU_ACTIONS):
            button = QPushButton(tr(_ACTION_TEXT[name]))
            button.clicked.connect(lambda _checked=False, n=name: actions.triggered.emit(n))
            grid.addWidget(button, index // 4, index % 4)
            self.buttons[name] = button
        layout.addLayout(grid)
        self.setWindowFlag(Qt.WindowType.WindowStaysOnTopHint, False)
        self.setMinimumWidth(520)  # the buttons' row; a long state line wraps within it
        self.state = "idle"
        self.set_state("idle")

    def set_state(self, state: str, detail: str = "") -> None:
        self.state = state
        self.icon_label.setPixmap(self.icons[state].pixmap(32, 32))
        text = state_text(state)
        self.state_label.setText(f"{text} — {detail}" if detail else text)
        self.setWindowIcon(self.icons[state])
        self.buttons["talk"].setText(tr("Stop talking" if state == "listening" else "Talk"))
        self._fit_height()

    def _fit_height(self) -> None:
        """A wrapped line needs more height at this width; a top-level window does not
        ask its layout for that by itself, and the line would be cut off."""
        self.layout().activate()
        needed = max(self.heightForWidth(self.width()), self.minimumSizeHint().height())
        if needed > self.height():
            self.resize(self.width(), needed)

    def notify(self, title: str, message: str, *, error: bool = False) -> None:
        self.state_label.setText(f"{title}: {message}"[:120])
        self._fit_height()

    def closeEvent(self, event: object) -> None:  # noqa: N802 (Qt's name)
        # with no tray, this window is the app: closing it quits
        self.actions.triggered.emit("quit")
