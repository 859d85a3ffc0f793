"""The interpreter window: two people, two languages, one screen.

Two columns (the pair's first language | second, e.g. 中文 | English) in large text;
each finished sentence appears in the column of the language it was spoken in, its
translation beside it in the other column once it arrives, and the live partial line
shows what is being heard. Start / Stop, a "speak translations" toggle, and Save
(Markdown or SRT; the session is also kept in the history as a bilingual transcript).

Start runs the translation skill's live interpreter
(``skills.translation.interpreter.session_factory.run_desktop_session``) on the runner's
session pool, over the app's open ``MicrophoneStream`` (the one the push-to-talk uses,
so the device is opened once) or a file replayed at real time
(``start_session(input_file=...)``). The session reports its events (``events.py``) on
its own threads; ``InterpreterFeed`` turns them into a Qt signal.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal
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
    from assistant.frontend.app import App
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

    def show_lines(self, lines: list[tuple[str, bool]]) -> None:
        """Replace the column's text: (text, translated) per sentence, in order."""
        html = "".join(
            f'<p style="color:{"#555555" if translated else "#111111"}; margin-bottom:8px">'
            f"{_escape(text)}</p>"
            for text, translated in lines
        )
        bar = self.lines.verticalScrollBar()
        follow = bar.value() >= bar.maximum() - 4
        self.lines.setHtml(html)
        if follow:
            bar.setValue(bar.maximum())


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class InterpreterFeed(QObject):
    """The session's ``emit`` (called on its threads) as a Qt signal."""

    event = Signal(object)  # one event of skills.translation.interpreter.events


class InterpreterWindow(QMainWindow):
    start_requested = Signal()
    stop_requested = Signal()
    session_started = Signal()
    session_finished = Signal(dict)  # {"status": ok|error, "sentences", "translated", "id", ...}
    saved = Signal(str)  # the path a transcript was written to

    def __init__(
        self,
        app: App,
        runner: TaskRunner,
        microphone: Callable[[], Any] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.app = app
        self.runner = runner
        self.microphone = microphone  # the app's open MicrophoneStream, or None
        self.setWindowTitle(tr("Ting — Interpreter"))
        self.resize(960, 600)
        self.languages = app.settings.languages
        # one row per sentence: {"sentence", "language", "heard", "target", "translation"}
        self.transcript: list[dict[str, Any]] = []
        self.saved_transcript: Any = None  # the finished session's BilingualTranscript
        self.history_id: int | None = None
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
        self.save_button.setEnabled(False)
        controls.addWidget(self.start_button)
        controls.addWidget(self.speak_toggle)
        controls.addStretch(1)
        controls.addWidget(self.save_button)
        layout.addLayout(controls)
        self.setCentralWidget(host)
        self.running = False
        self.stopping = False
        self._cancel: Any = None
        self.feed = InterpreterFeed(self)
        self.feed.event.connect(self._on_session_event)
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
        """The sentence being spoken, in its language's column only (its language is
        detected on each partial, so it may move between columns while it grows)."""
        for lang, column in self.columns.items():
            column.partial.setText(text if lang == language else "")

    def _clear_partials(self) -> None:
        for column in self.columns.values():
            column.partial.clear()

    def add_exchange(self, language: str, heard: str, translation: str) -> None:
        """One finished utterance in ``language`` and its translation into the other."""
        other = next((lang for lang in self.languages if lang != language), language)
        self.transcript.append(
            {
                "sentence": len(self.transcript) + 1,
                "language": language,
                "heard": heard,
                "target": other,
                "translation": translation,
            }
        )
        self._clear_partials()
        self._render()
        self.save_button.setEnabled(True)

    def _render(self) -> None:
        """Each sentence in its column, its translation (or … while it comes) in the other."""
        lines: dict[str, list[tuple[str, bool]]] = {lang: [] for lang in self.columns}
        for row in self.transcript:
            if row["language"] in lines:
                lines[row["language"]].append((row["heard"], False))
            if row["target"] in lines and row["target"] != row["language"]:
                lines[row["target"]].append((row["translation"] or "…", True))
        for language, column in self.columns.items():
            column.show_lines(lines[language])

    def _on_session_event(self, event: Any) -> None:
        from skills.translation.interpreter.events import (
            Listening,
            Notice,
            PartialText,
            SourceText,
            TranslationText,
        )

        if isinstance(event, PartialText):
            self.set_partial(event.lang, event.text)
        elif isinstance(event, SourceText):
            other = next((x for x in self.languages if x != event.lang), event.lang)
            self.transcript.append(
                {
                    "sentence": event.sentence,
                    "language": event.lang,
                    "heard": event.text,
                    "target": other,
                    "translation": "",
                }
            )
            self._clear_partials()  # a partial may have shown it in the other column
            self._render()
        elif isinstance(event, TranslationText):
            for row in self.transcript:
                if row["sentence"] == event.sentence:
                    row["translation"] = event.text
                    row["target"] = event.lang
            self._render()
        elif isinstance(event, Notice):
            self.notice.setText(event.text)
        elif isinstance(event, Listening) and self.notice.text() == tr("Loading the speech model…"):
            self.notice.setText(tr("Listening… speak in either language."))

    # -- controls ---------------------------------------------------------------------

    def _toggle(self) -> None:
        if self.running:
            self.stop_session()
        else:
            self.start_session()

    def start_session(self, input_file: str | Path | None = None) -> bool:
        """Start interpreting the microphone (or ``input_file`` replayed at real time)."""
        if self.running:
            return False
        from assistant.skill import CancelToken

        self.running, self.stopping = True, False
        self.transcript.clear()
        self.saved_transcript = None
        self.history_id = None
        self._render()
        for column in self.columns.values():
            column.partial.clear()
        self.notice.setStyleSheet("color: #8a6d1d;")
        self.notice.setText(tr("Loading the speech model…"))
        self.start_button.setText(tr("Stop"))
        self.speak_toggle.setEnabled(False)
        self.save_button.setEnabled(False)
        cancel = CancelToken()
        self._cancel = cancel
        speak = self.speak_toggle.isChecked()
        stream = self.microphone() if self.microphone is not None else None
        self.runner.call(
            lambda: self._run_session(cancel, stream, input_file, speak),
            "interpreter session",
            on_success=self._session_done,
            on_failure=self._session_failed,
            long_running=True,
        )
        self.start_requested.emit()
        return True

    def _run_session(
        self, cancel: Any, stream: Any, input_file: str | Path | None, speak: bool
    ) -> dict[str, Any]:
        """On the session pool: the skill's session, until stopped."""
        from skills.translation.interpreter.session_factory import run_desktop_session

        return run_desktop_session(
            self.app,
            pair=(self.languages[0], self.languages[1]),
            speak=speak,
            emit=self.feed.event.emit,
            cancel=cancel,
            microphone=stream,
            input_file=str(input_file) if input_file else None,
        )

    def stop_session(self) -> None:
        """Stop listening; what was heard is still transcribed and translated."""
        if self._cancel is not None and self.running:
            self.stopping = True
            self._cancel.cancel()
            self.start_button.setEnabled(False)
            self.notice.setText(tr("Finishing the last sentence…"))
            self.stop_requested.emit()

    def _session_done(self, outcome: dict[str, Any]) -> None:
        self.saved_transcript = outcome.get("transcript")
        self.history_id = outcome.get("id")
        if self.history_id is not None:
            self.notice.setText(
                tr(
                    "Saved in the history as #{id}: {count} sentence(s), {translated} translated.",
                    id=self.history_id,
                    count=outcome.get("sentences", 0),
                    translated=outcome.get("translated", 0),
                )
            )
        self._end_session()
        self.session_finished.emit({k: v for k, v in outcome.items() if k != "transcript"})

    def _session_failed(self, message: str) -> None:
        self.notice.setStyleSheet("color: #b03a2e;")
        self.notice.setText(message)
        self._end_session()
        self.session_finished.emit({"status": "error", "error": message})

    def _end_session(self) -> None:
        self.running = self.stopping = False
        self._cancel = None
        self.start_button.setText(tr("Start"))
        self.start_button.setEnabled(capture_available())
        self.speak_toggle.setEnabled(True)
        self.save_button.setEnabled(bool(self.transcript))
        for column in self.columns.values():
            column.partial.clear()

    def closeEvent(self, event: Any) -> None:  # noqa: N802 (Qt's name)
        self.stop_session()
        super().closeEvent(event)

    # -- saving -----------------------------------------------------------------------

    def bilingual_transcript(self) -> Any:
        """The session's ``BilingualTranscript`` (built from the rows shown if none ran)."""
        if self.saved_transcript is not None:
            return self.saved_transcript
        from skills.translation.interpreter.transcript import (
            BilingualTranscript,
            InterpretedSentence,
        )

        transcript = BilingualTranscript((self.languages[0], self.languages[1]), "interpreter")
        for index, row in enumerate(self.transcript, start=1):
            transcript.add(
                InterpretedSentence(
                    index,
                    row["language"],
                    row["heard"],
                    0.0,
                    0.0,
                    row["target"],
                    row["translation"] or None,
                )
            )
        return transcript

    def transcript_text(self, fmt: str = "md") -> str:
        from skills.translation.interpreter.transcript import to_markdown, to_srt

        transcript = self.bilingual_transcript()
        return to_srt(transcript) if fmt == "srt" else to_markdown(transcript)

    def choose_save(self) -> None:
        name, chosen = QFileDialog.getSaveFileName(
            self,
            tr("Save transcript…"),
            "interpreter.md",
            "Markdown (*.md);;SubRip subtitles (*.srt)",
        )
        if name:
            self.save_to(Path(name))

    def save_to(self, path: Path) -> None:
        """Markdown, or SRT subtitles when ``path`` ends in .srt."""
        text = self.transcript_text("srt" if path.suffix.lower() == ".srt" else "md")
        self.runner.call(
            lambda: path.write_text(text, encoding="utf-8"),
            "save transcript",
            on_success=lambda _n: self._saved(path),
            on_failure=self._session_failed_save,
        )

    def _saved(self, path: Path) -> None:
        self.notice.setStyleSheet("")
        self.notice.setText(tr("Saved {path}", path=str(path)))
        self.saved.emit(str(path))

    def _session_failed_save(self, message: str) -> None:
        self.notice.setStyleSheet("color: #b03a2e;")
        self.notice.setText(message)
