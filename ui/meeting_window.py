"""The meeting window: record (or import) a meeting, watch progress with an ETA, cancel,
read the notes and the transcript, export them.

A file goes to the ``meeting_notes`` skill through the runtime
(``Request(skill="meeting_notes", options={"path": ...})``, as ``ting meeting notes
PATH`` does) and its progress events drive the bar; the notes, the timed transcript and
the exports (Markdown notes, plain text, SRT subtitles) come from its result. Record
runs the skill's ``record_meeting`` (the microphone, plus what the computer plays when
PulseAudio/PipeWire has a monitor), as ``ting meeting record`` does, on the runner's
session pool; Stop ends the recording and notes are made from it. Without the skill
installed, Record and Import are off.
"""

from __future__ import annotations

import time
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

from assistant.console import format_elapsed
from assistant.events import Delta, Event, Failed, NeedsConfirmation, Progress, Result
from assistant.skill import Request
from ui.i18n import tr

if TYPE_CHECKING:
    from assistant.frontend.app import App
    from ui.workers import EventStreamTask, TaskRunner

AUDIO_SUFFIXES = "*.wav *.mp3 *.m4a *.ogg *.flac *.opus *.webm *.mp4"


def estimate_remaining(elapsed: float, done: int, total: int) -> float | None:
    if done <= 0 or total <= done:
        return None
    return elapsed / done * (total - done)


class MeetingWindow(QMainWindow):
    task_finished = Signal(dict)  # like ChatWindow.exchange_finished
    progress_changed = Signal(int)  # percent
    recording_report = Signal(str, dict)  # the recorder's reports, from its thread
    recorded = Signal(dict)  # {"path", "seconds", "recording_id", "channels"}
    exported = Signal(str)

    def __init__(self, app: App, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.app = app
        self.runner = runner
        self.current_task: EventStreamTask | None = None
        self.source: Path | None = None
        self.setWindowTitle(tr("Ting — Meeting notes"))
        self.resize(760, 560)

        host = QWidget()
        layout = QVBoxLayout(host)
        buttons = QHBoxLayout()
        self.record_button = QPushButton(tr("Record"))
        self.record_button.clicked.connect(self.toggle_recording)
        self.pause_button = QPushButton(tr("Pause"))
        self.pause_button.setEnabled(False)
        self.pause_button.clicked.connect(self.toggle_pause)
        self.recorder: Any = None
        self.recording_id: int | None = None
        self.import_button = QPushButton(tr("Import audio…"))
        self.cancel_button = QPushButton(tr("Cancel"))
        self.cancel_button.setEnabled(False)
        self.export_button = QPushButton(tr("Export notes…"))
        self.export_button.setEnabled(False)
        for button in (
            self.record_button,
            self.pause_button,
            self.import_button,
            self.cancel_button,
        ):
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
        self.recording_report.connect(self._on_recording_report)
        self.notes_markdown = ""
        self.notes: Any = None  # the skill's MeetingNotes, for the exports
        if not self.notes_skill_installed:
            for button in (self.record_button, self.import_button):
                button.setEnabled(False)
                button.setToolTip(
                    tr("Meeting notes need the meeting_notes skill, which is not installed.")
                )

    @property
    def notes_skill_installed(self) -> bool:
        return self.app.registry.has("meeting_notes")

    # -- recording ---------------------------------------------------------------------

    @property
    def recording(self) -> bool:
        return self.recorder is not None

    def toggle_recording(self) -> None:
        if self.recording:
            self.stop_recording()
        else:
            self.start_recording()

    def start_recording(self, *, system_output: bool = True) -> bool:
        """Record the microphone (and the system's output) until ``stop_recording``."""
        if self.recording or self.current_task is not None or not self.notes_skill_installed:
            return False
        from skills.meeting_notes.meeting_store import MeetingStore
        from skills.meeting_notes.recorder import MeetingRecorder
        from skills.meeting_notes.recordings import new_recording_path, record_meeting

        recorder = MeetingRecorder(
            new_recording_path(),
            input_device=self.app.settings.input_device,
            report=lambda stage, info: self.recording_report.emit(stage, dict(info)),
        )
        self.recorder = recorder
        history = self.app.history

        def record() -> Any:
            return record_meeting(
                MeetingStore(history),
                recorder,
                system_output=system_output,
                on_started=lambda rid: self.recording_report.emit("started", {"recording_id": rid}),
            )

        self.runner.call(
            record,
            "record a meeting",
            on_success=self._recorded,
            on_failure=self._recording_failed,
            long_running=True,
        )
        self.record_button.setText(tr("Stop recording"))
        self.pause_button.setEnabled(True)
        self.import_button.setEnabled(False)
        self.export_button.setEnabled(False)
        self.status.setStyleSheet("")
        self.status.setText(tr("Starting the recording…"))
        self.progress.setRange(0, 0)
        return True

    def toggle_pause(self) -> None:
        if self.recorder is not None:
            self.recorder.toggle_pause()
            paused = self.recorder.state.paused
            self.pause_button.setText(tr("Resume") if paused else tr("Pause"))

    def stop_recording(self) -> None:
        if self.recorder is not None:
            self.recorder.stop()
            self.record_button.setEnabled(False)
            self.pause_button.setEnabled(False)

    def _on_recording_report(self, stage: str, info: dict[str, Any]) -> None:
        if stage == "started":
            self.recording_id = info.get("recording_id")
            return
        recorded = format_elapsed(float(info.get("recorded", 0.0)))
        if stage == "paused":
            self.status.setText(tr("Paused at {time}.", time=recorded))
        else:
            self.status.setText(tr("Recording… {time}", time=recorded))

    def _end_recording(self) -> None:
        self.recorder = None
        self.record_button.setText(tr("Record"))
        self.record_button.setEnabled(True)
        self.pause_button.setText(tr("Pause"))
        self.pause_button.setEnabled(False)
        self.import_button.setEnabled(True)

    def _recorded(self, recorded: Any) -> None:
        self._end_recording()
        self.recorded.emit(
            {
                "path": str(recorded.path),
                "seconds": str(recorded.seconds),
                "recording_id": str(recorded.recording_id),
                "channels": str(recorded.channels),
            }
        )
        if recorded.seconds < 1.0:
            self._fail(tr("The recording is shorter than a second: no notes made."))
            return
        channels = recorded.speaker_channels
        self.process_file(
            recorded.path,
            recording_id=recorded.recording_id,
            speaker_channels=list(channels) if channels else None,
        )

    def _recording_failed(self, message: str) -> None:
        self._end_recording()
        self._fail(message)
        self.task_finished.emit({"status": "error", "text": message, "input": "recording"})

    def choose_file(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self,
            tr("Import audio…"),
            "",
            f"{tr('Audio files')} ({AUDIO_SUFFIXES});;{tr('Text files')} (*.txt *.md)",
        )
        if name:
            self.process_file(Path(name))

    def process_file(
        self,
        path: Path,
        *,
        recording_id: int | None = None,
        speaker_channels: list[str] | None = None,
    ) -> bool:
        """Start turning ``path`` into notes (or a transcript); False if busy."""
        if self.current_task is not None or self.recording:
            return False
        self.source = path
        self.notes_markdown = ""
        self.notes = None
        self._stage = ""
        self._stage_started = time.monotonic()
        self.notes_view.clear()
        self.transcript_view.clear()
        self.progress.setRange(0, 0)  # busy until the first counted step
        self.status.setStyleSheet("")
        self._started = time.monotonic()
        runtime = self.app.runtime
        options = {
            "path": str(path.expanduser().resolve()),
            "language": "auto",
            "recording_id": recording_id,
            "speaker_channels": speaker_channels,
        }
        request = Request(
            text=f"meeting notes: {path.name}",
            origin="typed",
            skill="meeting_notes",
            options=options,
        )
        self.status.setText(tr("Writing notes…"))
        self.current_task = self.runner.stream(
            lambda cancel: runtime.run(request, cancel=cancel),
            f"meeting {path.name}",
            on_event=self._on_event,
            on_finished=self._on_finished,
        )
        self.import_button.setEnabled(False)
        self.record_button.setEnabled(False)
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
            if event.stage != self._stage:  # each stage (transcribing, summarizing) its own ETA
                self._stage, self._stage_started = event.stage, time.monotonic()
            if event.done is not None and event.total:
                percent = int(100 * event.done / event.total)
                self.progress.setRange(0, 100)
                self.progress.setValue(percent)
                self.progress_changed.emit(percent)
                stage_elapsed = time.monotonic() - self._stage_started
                remaining = estimate_remaining(stage_elapsed, event.done, event.total)
                if remaining is None:  # the first step of a stage, or its last
                    self.progress.setFormat(f"{percent}%")
                else:
                    self.progress.setFormat(
                        tr(
                            "{percent}% · about {eta} left",
                            percent=percent,
                            eta=format_elapsed(remaining),
                        )
                    )
            self.status.setText(f"{event.message or event.stage} · {format_elapsed(elapsed)}")
        elif isinstance(event, Delta):
            self.notes_markdown += event.text
            self.notes_view.setMarkdown(self.notes_markdown)
        elif isinstance(event, Result):
            self.notes_markdown = event.text or self.notes_markdown
            self.notes_view.setMarkdown(self.notes_markdown)
            self.tabs.setCurrentWidget(self.notes_view)
            notes = (event.payload or {}).get("notes")
            if isinstance(notes, dict):
                from skills.meeting_notes.notes_model import MeetingNotes
                from skills.meeting_notes.rendering import render

                self.notes = MeetingNotes.from_dict(notes)
                self.transcript_view.setPlainText(render(self.notes, "txt"))
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
        self.record_button.setEnabled(self.notes_skill_installed)
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
            self,
            tr("Export notes…"),
            suggested,
            "Markdown (*.md);;Text (*.txt);;SubRip subtitles (*.srt)",
        )
        if name:
            self.export_to(Path(name))

    def export_text(self, fmt: str) -> str:
        """The notes as Markdown (``md``), plain text (``txt``) or SRT (``srt``)."""
        if self.notes is None:
            return self.notes_markdown
        from skills.meeting_notes.rendering import render

        return render(self.notes, fmt)

    def export_to(self, path: Path) -> None:
        """Markdown, or by the file's suffix plain text (.txt) or SRT subtitles (.srt)."""
        suffix = path.suffix.lower().lstrip(".")
        text = self.export_text(suffix if suffix in ("txt", "srt") else "md")
        self.runner.call(
            lambda: path.write_text(text, encoding="utf-8"),
            "export notes",
            on_success=lambda _n: self._exported(path),
            on_failure=self._fail,
        )

    def _exported(self, path: Path) -> None:
        self.status.setStyleSheet("")
        self.status.setText(tr("Exported to {path}", path=str(path)))
        self.exported.emit(str(path))

    def closeEvent(self, event: Any) -> None:  # noqa: N802 (Qt's name)
        self.stop_recording()
        self.cancel()
        super().closeEvent(event)
