"""The card for an edit of the selection: the rewrite as it streams in, then Replace /
Copy / Cancel; after Replace, Undo.

A small frameless window that never takes the keyboard focus (so that the program the
selection is in keeps it, and Replace pastes there), placed near the top of the screen.
It does no work: ``chosen`` says which button was pressed ("replace", "copy", "cancel",
"undo", "close"), and the desktop controller runs the action and reports back with
``show_outcome``.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPlainTextEdit, QPushButton, QVBoxLayout

from ui.i18n import tr

ORIGINAL_CHARS = 300


def _clip(text: str, limit: int) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


class EditCard(QFrame):
    chosen = Signal(str)  # replace | copy | cancel | undo | close

    def __init__(self) -> None:
        super().__init__(None)
        self.setWindowFlags(
            Qt.WindowType.Tool
            | Qt.WindowType.FramelessWindowHint
            | Qt.WindowType.WindowStaysOnTopHint
            | Qt.WindowType.WindowDoesNotAcceptFocus
        )
        self.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
        self.setObjectName("EditCard")
        self.setStyleSheet(
            "QFrame#EditCard { background: #ffffff; border: 1px solid #c9ced6;"
            " border-radius: 12px; }"
            "QLabel#EditTitle { font-weight: 600; }"
            "QLabel#EditOriginal { color: #666666; }"
            "QLabel#EditOutcome { color: #555555; }"
        )
        self.setFixedWidth(480)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 12, 14, 12)
        self.title = QLabel()
        self.title.setObjectName("EditTitle")
        self.title.setWordWrap(True)
        layout.addWidget(self.title)
        self.original = QLabel()
        self.original.setObjectName("EditOriginal")
        self.original.setWordWrap(True)
        self.original.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.original)
        self.result = QPlainTextEdit()
        self.result.setReadOnly(True)
        self.result.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.result.setFixedHeight(120)
        layout.addWidget(self.result)
        self.outcome = QLabel()
        self.outcome.setObjectName("EditOutcome")
        self.outcome.setWordWrap(True)
        layout.addWidget(self.outcome)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.buttons: dict[str, QPushButton] = {}
        for name, text in (
            ("replace", "Replace"),
            ("copy", "Copy"),
            ("cancel", "Cancel"),
            ("undo", "Undo"),
            ("close", "Close"),
        ):
            button = QPushButton(tr(text))
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.clicked.connect(lambda _checked=False, n=name: self._choose(n))
            buttons.addWidget(button)
            self.buttons[name] = button
        layout.addLayout(buttons)
        self.state = "idle"
        self._show_buttons()

    # -- what the controller reports -----------------------------------------------------

    def start(self, instruction: str, original: str = "") -> None:
        """A new edit: its instruction, and the selected text once it is read."""
        self.state = "working"
        self.title.setText(tr("Edit: {instruction}", instruction=instruction))
        self.original.setText(_clip(original, ORIGINAL_CHARS))
        self.original.setVisible(bool(original))
        self.result.clear()
        self.outcome.clear()
        self.outcome.hide()
        self._show_buttons()
        self._show_near_top()

    def set_original(self, text: str) -> None:
        self.original.setText(_clip(text, ORIGINAL_CHARS))
        self.original.setVisible(bool(text))

    def append(self, text: str) -> None:
        """Streamed text of the rewrite."""
        self.result.moveCursor(self.result.textCursor().MoveOperation.End)
        self.result.insertPlainText(text)

    def propose(self, replacement: str) -> None:
        """The finished rewrite: Replace, Copy or Cancel."""
        self.state = "proposed"
        self.result.setPlainText(replacement)
        self._show_buttons()

    def show_outcome(self, state: str, message: str) -> None:
        """After an action: ``replaced`` (Undo offered), ``copied``, ``cancelled``,
        ``undone`` or ``failed``."""
        self.state = state
        self.outcome.setText(message)
        self.outcome.setStyleSheet("color: #b03a2e;" if state == "failed" else "")
        self.outcome.show()
        self._show_buttons()

    # -- inside ----------------------------------------------------------------------

    def _choose(self, name: str) -> None:
        if name in ("cancel", "close"):
            self.hide()
        self.chosen.emit(name)

    def _show_buttons(self) -> None:
        visible = {
            "idle": (),
            "working": ("cancel",),
            "proposed": ("replace", "copy", "cancel"),
            "replaced": ("undo", "close"),
            "copied": ("close",),
            "undone": ("close",),
            "cancelled": ("close",),
            "failed": ("close",),
        }[self.state]
        for name, button in self.buttons.items():
            button.setVisible(name in visible)
        self.adjustSize()

    def _show_near_top(self) -> None:
        self.adjustSize()
        screen = QGuiApplication.primaryScreen()
        if screen is not None:
            area = screen.availableGeometry()
            self.move(area.center().x() - self.width() // 2, area.top() + 48)
        self.show()
