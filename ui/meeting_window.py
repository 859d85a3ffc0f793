"""The meeting window: import (or record) a meeting, watch progress with an ETA, cancel,
read the notes, export them.

With the ``meeting_notes`` skill installed, an imported file goes to it through the
runtime (``Request(text=PATH, skill="meeting_notes")``, as ``ting meeting notes PATH``
does) and its progress events drive the bar. Without it, the window still transcribes
the file with the local speech recognizer, piece by piece (progress, ETA and cancel
between pieces), and shows the transcript, saying that notes need the skill.
Recording needs microphone capture from ``voice``; until that exists the button is
disabled with the reason.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QProgressBar,
    QPushButton,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from assistant.events import Delta, Event, Failed, NeedsConfirmation, Progress, Result
from assistant.skill import CancelToken, Request
from ui.i18n import format_elapsed, tr

if TYPE_CHECKING:
    from assistant.app import App
    from ui.workers import EventStreamTask, TaskRunner

PIECE_SECONDS = 30.0
AUDIO_SUFFIXES = "*.wav *.mp3 *.m4a *.ogg *.flac *.opus *.webm *.mp4"


def transcribe_in_pieces(
    recognizer: Any, path: Path, cancel: CancelToken, piece_seconds: float = PIECE_SECONDS
) -> Iterator[Event]:
    """Transcribe ``path`` in pieces with the local recognizer; progress after each piece."""
    from voice.audio_files import SAMPLE_RATE, read_audio_file

    started = time.monotonic()
    yield Progress("loading", f"reading {path.name}", elapsed=0.0)
    audio = read_audio_file(path)
    step = int(piece_seconds * SAMPLE_RATE)
    total = max(1, -(-audio.size // step))
    texts: list[str] = []
    language = ""
    for index in range(total):
        cancel.raise_if_cancelled()
        piece = audio[index * step : (index + 1) * step]
        context = " ".join(texts)[-200:]
        transcript = recognizer.transcribe(piece, context=context)
        if transcript.text:
            texts.append(transcript.text)
            language = language or transcript.language
        yield Progress(
            "transcribing",
            tr("Transcribing {name}…", name=path.name),
            done=index + 1,
            total=total,
            elapsed=time.monotonic() - started,
        )
    cancel.raise_if_cancelled()
    separator = "" if language == "zh" else " "
    yield Result(
        text=separator.join(texts),
        payload={"language": language, "duration": audio.size / SAMPLE_RATE, "file": str(path)},
    )


def estimate_remaining(elapsed: float, done: int, total: int) -> float | None:
    if done <= 0 or total <= done:
        return None
    return elapsed / done * (total - done)


class MeetingWindow(QMainWindow):
    task_finished = Signal(dict)  # like ChatWindow.exchange_finished
    progress_changed = Signal(int)  # percent

    def __init__(
        self,
        app: App,
        runner: TaskRunner,
        recognizer_factory: Callable[[], Any] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.app = app
        self.runner = runner
        self.recognizer_factory = recognizer_factory
        self.current_task: EventStreamTask | None = None
        self.source: Path | None = None
        self.piece_seconds = PIECE_SECONDS
        self.setWindowTitle(tr("Ting — Meeting notes"))
        self.resize(760, 560)

        host = QWidget()
        layout = QVBoxLayout(host)
        buttons = QHBoxLayout()
        self.record_button = QPushButton(tr("Record"))
        self.record_button.setEnabled(False)
        self.record_button.setToolTip(
            tr("Recording needs microphone capture, which this build does not have yet.")
        )
        self.import_button = QPushButton(tr("Import audio…"))
        self.cancel_button = QPushButton(tr("Cancel"))
        self.cancel_button.setEnabled(False)
        self.export_button = QPushButton(tr("Export notes…"))
        self.export_button.setEnabled(False)
        for button in (self.record_button, self.import_button, self.cancel_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.export_button)
        layout.addLayout(buttons)
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.setValue(0)
        self.progress.setTextVisible(True)
        layout.addWidget(self.progress)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        self.tabs = QTabWidget()
        self.notes_view = QTextBrowser()
        self.transcript_view = QTextBrowser()
        self.tabs.addTab(self.notes_view, tr("Notes"))
        self.tabs.addTab(self.transcript_view, tr("Transcript"))
        layout.addWidget(self.tabs, 1)
        self.setCentralWidget(host)
        self.import_button.clicked.connect(self.choose_file)
        self.cancel_button.clicked.connect(self.cancel)
        self.export_button.clicked.connect(self.choose_export)
        self.notes_markdown = ""

    @property
    def notes_skill_installed(self) -> bool:
        return self.app.registry.has("meeting_notes")

    def choose_file(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self,
            tr("Import audio…"),
            "",
            f"{tr('Audio files')} ({AUDIO_SUFFIXES});;{tr('Text files')} (*.txt *.md)",
        )
        if name:
            self.process_file(Path(name))

    def process_file(self, path: Path) -> bool:
        """Start turning ``path`` into notes (or a transcript); False if busy."""
        if self.current_task is not None:
            return False
        self.source = path
        self.notes_markdown = ""
        self.notes_view.clear()
        self.transcript_view.clear()
        self.progress.setRange(0, 0)  # busy until the first counted step
        self.status.setStyleSheet("")
        self._started = time.monotonic()
        if self.notes_skill_installed:
            runtime = self.app.runtime
            request = Request(text=str(path), origin="typed", skill="meeting_notes")
            self.status.setText(tr("Writing notes…"))
            source: Callable[[CancelToken], Iterator[Event]] = lambda cancel: runtime.run(  # noqa: E731
                request, cancel=cancel
            )
            writes = True
        else:
            recognizer = self.recognizer_factory() if self.recognizer_factory else None
            if recognizer is None:
                self._fail(tr("Speech recognition is not available: {reason}", reason="voice.asr"))
                return False
            self.status.setText(tr("Transcribing {name}…", name=path.name))
            piece = self.piece_seconds
            source = lambda cancel: transcribe_in_pieces(recognizer, path, cancel, piece)  # noqa: E731
            writes = False
        self.current_task = self.runner.stream(
            source,
            f"meeting {path.name}",
            on_event=self._on_event,
            on_finished=self._on_finished,
            writes=writes,
        )
        self.import_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.export_button.setEnabled(False)
        self._outcome: dict[str, Any] = {"status": "error", "text": "", "input": path.name}
        return True

    def cancel(self) -> None:
        if self.current_task is not None:
            self.current_task.cancel()
            self.cancel_button.setEnabled(False)

    def _on_event(self, event: Event) -> None:
        if isinstance(event, Progress):
            elapsed = time.monotonic() - self._started
            if event.done is not None and event.total:
                percent = int(100 * event.done / event.total)
                self.progress.setRange(0, 100)
                self.progress.setValue(percent)
                self.progress_changed.emit(percent)
                remaining = estimate_remaining(elapsed, event.done, event.total)
                eta = format_elapsed(remaining) if remaining is not None else "—"
                self.progress.setFormat(
                    tr("{percent}% · about {eta} left", percent=percent, eta=eta)
                )
            self.status.setText(f"{event.message or event.stage} · {format_elapsed(elapsed)}")
        elif isinstance(event, Delta):
            self.notes_markdown += event.text
            self.notes_view.setMarkdown(self.notes_markdown)
        elif isinstance(event, Result):
            if self.notes_skill_installed:
                self.notes_markdown = event.text or self.notes_markdown
                self.notes_view.setMarkdown(self.notes_markdown)
                transcript = (event.payload or {}).get("transcript")
                if isinstance(transcript, str):
                    self.transcript_view.setPlainText(transcript)
            else:
                self.transcript_view.setPlainText(event.text)
                self.notes_markdown = f"# {self.source.name if self.source else ''}\n\n{event.text}"
                self.notes_view.setMarkdown(
                    tr(
                        "Notes need the meeting_notes skill, which is not installed; "
                        "the transcript is shown instead."
                    )
                )
                self.tabs.setCurrentWidget(self.transcript_view)
            self._outcome.update(status="ok", text=event.text)
        elif isinstance(event, NeedsConfirmation):
            self.notes_view.setMarkdown(event.preview)
            self._outcome.update(status="needs_confirmation", text=event.preview)
        elif isinstance(event, Failed):
            cancelled = event.kind.lower() == "cancelled"
            self._outcome.update(status="cancelled" if cancelled else "error", text=event.error)
            self._fail(tr("Cancelled.") if cancelled else event.error)

    def _fail(self, message: str) -> None:
        self.progress.setRange(0, 100)
        self.progress.setValue(0)
        self.progress.setFormat("")
        self.status.setStyleSheet("color: #b03a2e;")
        self.status.setText(message)

    def _on_finished(self) -> None:
        self.current_task = None
        self.import_button.setEnabled(True)
        self.cancel_button.setEnabled(False)
        done = self._outcome["status"] == "ok"
        self.export_button.setEnabled(done)
        if done:
            self.progress.setRange(0, 100)
            self.progress.setValue(100)
            self.progress.setFormat("100%")
        self._outcome["elapsed"] = time.monotonic() - self._started
        if done:
            self.status.setText(
                tr("Done in {elapsed}.", elapsed=format_elapsed(self._outcome["elapsed"]))
            )
        self.task_finished.emit(dict(self._outcome))

    # -- export ------------------------------------------------------------------------

    def choose_export(self) -> None:
        suggested = (self.source.stem if self.source else "meeting") + "-notes.md"
        name, _ = QFileDialog.getSaveFileName(
            self, tr("Export notes…"), suggested, "Markdown (*.md)"
        )
        if name:
            self.export_to(Path(name))

    def export_to(self, path: Path) -> None:
        text = self.notes_markdown
        self.runner.call(
            lambda: path.write_text(text, encoding="utf-8"),
            "export notes",
            on_success=lambda _n: self.status.setText(str(path)),
            on_failure=self._fail,
        )
