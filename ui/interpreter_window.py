"""The interpreter window: two people, two languages, one screen.

Two columns (the pair's first language | second, e.g. 中文 | English) in large text;
each finished utterance appears in the column of the language it was spoken in with
its translation beside it, and the live partial line shows what is being heard. Start /
Stop, a "speak translations" toggle, and Save (a plain-text transcript).

The window is driven through ``add_exchange`` and ``set_partial``; the live session that
calls them needs microphone capture and speech translation from ``voice`` and
``skills.translation``. Where that session is missing, Start is disabled and the
window says why, rather than showing anything that is not really heard.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from ui.i18n import tr
from ui.voice_bridge import capture_available

if TYPE_CHECKING:
    from assistant.app import App
    from ui.workers import TaskRunner

LANGUAGE_TITLES = {
    "zh": "中文",
    "en": "English",
    "ja": "日本語",
    "ko": "한국어",
    "fr": "Français",
    "de": "Deutsch",
    "es": "Español",
    "ru": "Русский",
    "it": "Italiano",
    "pt": "Português",
}
TEXT_POINT_SIZE = 17


class InterpreterColumn(QWidget):
    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        heading = QLabel(title)
        heading.setStyleSheet("font-size: 15px; font-weight: 600;")
        heading.setFixedHeight(26)  # CJK and Latin titles line up
        layout.addWidget(heading)
        self.lines = QTextBrowser()
        font = self.lines.font()
        font.setPointSize(TEXT_POINT_SIZE)
        self.lines.setFont(font)
        layout.addWidget(self.lines, 1)
        self.partial = QLabel("")
        partial_font = QFont(font)
        partial_font.setItalic(True)
        self.partial.setFont(partial_font)
        self.partial.setStyleSheet("color: #666666;")
        self.partial.setWordWrap(True)
        # room for two lines even when empty, so both columns keep the same height
        self.partial.setMinimumHeight(int(self.partial.fontMetrics().lineSpacing() * 2.6))
        layout.addWidget(self.partial)

    def add_line(self, text: str, *, translated: bool) -> None:
        colour = "#555555" if translated else "#111111"
        self.lines.append(f'<p style="color:{colour}; margin-bottom:8px">{_escape(text)}</p>')


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class InterpreterWindow(QMainWindow):
    start_requested = Signal()
    stop_requested = Signal()

    def __init__(self, app: App, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.app = app
        self.runner = runner
        self.setWindowTitle(tr("Ting — Interpreter"))
        self.resize(960, 600)
        self.languages = app.settings.languages
        self.transcript: list[dict[str, str]] = []
        host = QWidget()
        layout = QVBoxLayout(host)
        columns = QGridLayout()
        self.columns: dict[str, InterpreterColumn] = {}
        for index, language in enumerate(self.languages):
            column = InterpreterColumn(LANGUAGE_TITLES.get(language, language))
            self.columns[language] = column
            columns.addWidget(column, 0, index)
        layout.addLayout(columns, 1)
        self.notice = QLabel("")
        self.notice.setWordWrap(True)
        self.notice.setStyleSheet("color: #8a6d1d;")
        layout.addWidget(self.notice)
        controls = QHBoxLayout()
        self.start_button = QPushButton(tr("Start"))
        self.speak_toggle = QCheckBox(tr("Speak translations"))
        self.save_button = QPushButton(tr("Save transcript…"))
        controls.addWidget(self.start_button)
        controls.addWidget(self.speak_toggle)
        controls.addStretch(1)
        controls.addWidget(self.save_button)
        layout.addLayout(controls)
        self.setCentralWidget(host)
        self.running = False
        self.session: Any = None
        self.start_button.clicked.connect(self._toggle)
        self.save_button.clicked.connect(self.choose_save)
        if not capture_available():
            self.start_button.setEnabled(False)
            self.notice.setText(
                tr(
                    "Live interpreting needs the microphone capture and translation parts, "
                    "which this build does not have yet."
                )
            )

    # -- what a live session reports --------------------------------------------------

    def set_partial(self, language: str, text: str) -> None:
        column = self.columns.get(language)
        if column is not None:
            column.partial.setText(text)

    def add_exchange(self, language: str, heard: str, translation: str) -> None:
        """One finished utterance in ``language`` and its translation into the other."""
        other = next((lang for lang in self.languages if lang != language), language)
        if language in self.columns:
            self.columns[language].partial.clear()
            self.columns[language].add_line(heard, translated=False)
        if other in self.columns:
            self.columns[other].add_line(translation, translated=True)
        self.transcript.append({"language": language, "heard": heard, "translation": translation})

    # -- controls ---------------------------------------------------------------------

    def _toggle(self) -> None:
        self.running = not self.running
        self.start_button.setText(tr("Stop") if self.running else tr("Start"))
        (self.start_requested if self.running else self.stop_requested).emit()

    def transcript_text(self) -> str:
        lines = []
        for item in self.transcript:
            lines.append(f"[{item['language']}] {item['heard']}\n  → {item['translation']}")
        return "\n".join(lines) + ("\n" if lines else "")

    def choose_save(self) -> None:
        name, _ = QFileDialog.getSaveFileName(
            self, tr("Save transcript…"), "interpreter.txt", "Text (*.txt)"
        )
        if name:
            self.save_to(Path(name))

    def save_to(self, path: Path) -> None:
        text = self.transcript_text()
        self.runner.call(lambda: path.write_text(text, encoding="utf-8"), "save transcript")
