"""The meeting window: record (or import) a meeting, watch progress with an ETA, cancel,
read the notes and the transcript, export them.

With the ``meeting_notes`` skill installed, a file goes to it through the runtime
(``Request(skill="meeting_notes", options={"path": ...})``, as ``ting meeting notes
PATH`` does) and its progress events drive the bar; the notes, the timed transcript and
the exports (Markdown notes, plain text, SRT subtitles) come from its result. Record
uses the skill's ``MeetingRecorder`` (the microphone, plus what the computer plays when
PulseAudio/PipeWire has a monitor) on the runner's session pool, registered in its
``MeetingStore`` like ``ting meeting record``; Stop ends the recording and notes are
made from it. Without the skill, an imported file is still transcribed with the local
speech recognizer, piece by piece (progress, ETA and cancel between pieces).
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
    from ting.app import App
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
    recording_report = Signal(str, dict)  # the recorder's reports, from its thread
    recorded = Signal(dict)  # {"path", "seconds", "recording_id", "channels"}
    exported = Signal(str)

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
            self.record_button.setEnabled(False)
            self.record_button.setToolTip(tr("Recording needs the meeting_notes skill."))

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
        if self.recording or self.current_task is not None:
            return False
        import datetime as _dt

        from assistant.paths import data_dir
        from skills.meeting_notes.recorder import MeetingRecorder, SystemOutputSource

        folder = data_dir() / "recordings"
        stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        path = folder / f"meeting-{stamp}.wav"
        recorder = MeetingRecorder(
            path,
            input_device=self.app.settings.input_device,
            system_output=None,  # found on the worker: it runs pactl
            report=lambda stage, info: self.recording_report.emit(stage, dict(info)),
        )
        self.recorder = recorder
        history = self.app.history

        def record() -> dict[str, Any]:
            from skills.meeting_notes.meeting_store import MeetingStore

            store = MeetingStore(history)
            store.settle_stale_recordings()
            folder.mkdir(parents=True, exist_ok=True)
            if system_output:
                recorder.system_output = SystemOutputSource.find()
            recording_id = store.start_recording(None, str(path), recorder.channels)
            self.recording_report.emit("started", {"recording_id": recording_id})
            try:
                seconds = recorder.run()
            except Exception:
                store.finish_recording(recording_id, duration=0.0, status="failed")
                raise
            store.finish_recording(recording_id, duration=seconds, status="stopped")
            return {
                "path": path,
                "seconds": seconds,
                "recording_id": recording_id,
                "channels": recorder.channels,
            }

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

    def _recorded(self, outcome: dict[str, Any]) -> None:
        self._end_recording()
        self.recorded.emit({k: str(v) for k, v in outcome.items()})
        if outcome["seconds"] < 1.0:
            self._fail(tr("The recording is shorter than a second: no notes made."))
            return
        channels = outcome["channels"]
        self.process_file(
            Path(outcome["path"]),
            recording_id=outcome["recording_id"],
            speaker_channels=channels if len(channels) == 2 else None,
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
        if self.notes_skill_installed:
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
            if self.notes_skill_installed:
                self.notes_markdown = event.text or self.notes_markdown
                self.notes_view.setMarkdown(self.notes_markdown)
                self.tabs.setCurrentWidget(self.notes_view)
                notes = (event.payload or {}).get("notes")
                if isinstance(notes, dict):
                    from skills.meeting_notes.notes_model import MeetingNotes
                    from skills.meeting_notes.rendering import render

                    self.notes = MeetingNotes.from_dict(notes)
                    self.transcript_view.setPlainText(render(self.notes, "txt"))
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
