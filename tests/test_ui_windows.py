"""Meeting, interpreter, voice overlay and fallback windows; the event loop never stalls
while long work runs (offscreen, real recognizer, real runtime, scripted provider)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fixtures_ui import ChatScript, EventLoopWatch, save_screenshot

pytest.importorskip("PySide6")

IVR_PROMPT = Path("/usr/share/asterisk/sounds/en/basic-pbx-ivr-main.wav")
STALL_LIMIT_S = 0.5  # generous: a blocked loop shows up as seconds, not milliseconds


@pytest.fixture
def speech_file(tmp_path: Path) -> Path:
    if not IVR_PROMPT.exists():
        pytest.skip("asterisk-core-sounds-en-wav is not installed (tests/run.sh installs it)")
    return IVR_PROMPT


@pytest.mark.slow
@pytest.mark.audio
def test_meeting_record_then_notes_with_progress_and_exports(
    qtbot: Any,
    core_app: Any,
    task_runner: Any,
    recognizer: Any,
    pulse_sink: str,
    asterisk_clips: dict[str, tuple[Path, str]],
    tmp_path: Path,
) -> None:
    """Record (the null sink's monitor is the microphone), speak, stop: the meeting_notes
    skill transcribes the recording with progress and writes offline notes (no provider);
    Markdown, text and SRT exports; the event loop stays live throughout."""
    from fixtures_voice import play_into_sink

    from ui.meeting_window import MeetingWindow

    core_app.services["asr"] = recognizer
    window = MeetingWindow(core_app, task_runner)
    assert window.notes_skill_installed
    qtbot.addWidget(window)
    window.show()
    percents: list[int] = []
    window.progress_changed.connect(percents.append)
    reports: list[str] = []
    window.recording_report.connect(lambda stage, _info: reports.append(stage))
    clips = [asterisk_clips[name] for name in ("conf-onlyperson", "vm-sorry", "invalid")]
    with EventLoopWatch(50) as watch:
        assert window.start_recording(system_output=False)
        qtbot.waitUntil(lambda: "recording" in reports, timeout=60_000)
        for clip, _said in clips:
            player = play_into_sink(pulse_sink, clip)
            qtbot.waitUntil(lambda p=player: p.poll() is not None, timeout=60_000)
        assert window.status.text().startswith("Recording…")
        save_screenshot(window, "meeting_window_recording")
        with qtbot.waitSignal(window.task_finished, timeout=300_000) as done:
            window.record_button.click()  # Stop recording: notes are made from it
            qtbot.waitUntil(lambda: bool(percents), timeout=120_000)
            save_screenshot(window, "meeting_window_progress")
    outcome = done.args[0]
    assert outcome["status"] == "ok", outcome
    assert percents[-1] == 100 or window.progress.value() == 100
    transcript = window.transcript_view.toPlainText().lower()
    assert "only person in this conference" in transcript, transcript
    assert "not a valid extension" in transcript, transcript
    assert "only person" in window.notes_markdown.lower()
    assert window.export_button.isEnabled()
    assert watch.longest_gap < 1.0, f"event loop stalled {watch.longest_gap:.2f} s"
    save_screenshot(window, "meeting_window_notes")
    exports = {}
    for name in ("notes.md", "notes.txt", "notes.srt"):
        with qtbot.waitSignal(window.exported, timeout=10_000):
            window.export_to(tmp_path / name)
        exports[name] = (tmp_path / name).read_text(encoding="utf-8")
    assert exports["notes.md"].startswith("# ")
    assert exports["notes.srt"].startswith("1\n00:00:")
    assert "only person in this conference" in exports["notes.txt"].lower()
    # the recording and the notes are the skill's: in its store and in the history
    from skills.meeting_notes.meeting_store import MeetingStore

    store = MeetingStore(core_app.history)
    recording = store.latest_recording()
    assert recording is not None and store.meeting_for_recording(recording.id) is not None


@pytest.mark.slow
def test_meeting_import_cancel_keeps_the_window_usable(
    qtbot: Any, core_app: Any, task_runner: Any, recognizer: Any, speech_file: Path
) -> None:
    from ui.meeting_window import MeetingWindow

    core_app.services["asr"] = recognizer
    window = MeetingWindow(core_app, task_runner)
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(window.task_finished, timeout=240_000) as done:
        assert window.process_file(speech_file)
        qtbot.waitUntil(lambda: window.cancel_button.isEnabled(), timeout=10_000)
        window.cancel_button.click()
    assert done.args[0]["status"] == "cancelled", done.args[0]
    assert window.status.text() == "Cancelled."
    assert not window.export_button.isEnabled()
    assert window.import_button.isEnabled() and window.record_button.isEnabled()


def test_chat_event_loop_stays_live_while_the_model_is_silent(
    qtbot: Any, provider_env: Any, core_app: Any, task_runner: Any
) -> None:
    from ui.chat_window import ChatWindow

    script = ChatScript(provider_env)
    script.answer("Finally, an answer.", delay_before_first_token=3.0)
    window = ChatWindow(core_app, task_runner)
    qtbot.addWidget(window)
    window.show()
    with EventLoopWatch() as watch, qtbot.waitSignal(window.exchange_finished, timeout=30_000):
        window.submit("take your time and think")
    assert watch.ticks > 50  # the timer really ran during the 3 s silence
    assert watch.longest_gap < STALL_LIMIT_S, f"event loop stalled {watch.longest_gap:.2f} s"


def test_interpreter_window_columns_and_save(
    qtbot: Any, core_app: Any, task_runner: Any, tmp_path: Path
) -> None:
    from ui.interpreter_window import InterpreterWindow

    window = InterpreterWindow(core_app, task_runner)
    qtbot.addWidget(window)
    window.show()
    assert list(window.columns) == ["zh", "en"]
    assert window.start_button.isEnabled()  # this build has capture and the interpreter
    # the display contract a live session drives
    window.add_exchange(
        "zh", "我们明天上午十点开会。", "We have a meeting at ten tomorrow morning."
    )
    window.add_exchange("en", "Sounds good, see you then.", "好的，到时候见。")
    # a partial whose detected language changes moves columns instead of staying in both
    window.set_partial("en", "na wo xian")
    window.set_partial("zh", "那我先把议程发给")
    assert window.columns["zh"].partial.text() == "那我先把议程发给"
    assert window.columns["en"].partial.text() == ""
    assert "我们明天上午十点开会" in window.columns["zh"].lines.toPlainText()
    assert "好的，到时候见" in window.columns["zh"].lines.toPlainText()
    assert "ten tomorrow" in window.columns["en"].lines.toPlainText()
    save_screenshot(window, "interpreter_window")
    from skills.translation.interpreter.events import SourceText

    window._on_session_event(
        SourceText(
            sentence=3, lang="zh", text="那我先把议程发给你。", audio_start_s=0.0, audio_end_s=1.0
        )
    )
    assert [c.partial.text() for c in window.columns.values()] == ["", ""]
    target = tmp_path / "interpreter.md"
    with qtbot.waitSignal(window.saved, timeout=10_000):
        window.save_to(target)
    saved = target.read_text(encoding="utf-8")
    assert "Chinese: 我们明天上午十点开会。" in saved
    assert "→ English: We have a meeting at ten tomorrow morning." in saved


def _tagged_translation(body: dict) -> Any:
    """A fake translation that shows what was asked: ZH<text> or EN<text>."""
    from scripted_provider import Reply

    system = body["messages"][0]["content"]
    tag = "ZH" if "into Chinese" in system else "EN"
    return Reply(text=f"{tag}<{body['messages'][-1]['content']}>", chunk_size=3)


@pytest.mark.slow
@pytest.mark.audio
def test_live_interpreter_from_the_microphone_fills_both_columns(
    qtbot: Any,
    provider_env: Any,
    core_app: Any,
    task_runner: Any,
    recognizer: Any,
    pulse_sink: str,
    asterisk_clips: dict[str, tuple[Path, str]],
    tmp_path: Path,
) -> None:
    """Start, speak (asterisk prompts played into the null sink, captured through the
    app's MicrophoneStream), stop: each sentence in the English column, its translation
    from the scripted provider in the 中文 column; the session is in the history and
    saves as Markdown and SRT."""
    from fixtures_voice import play_into_sink, write_wav

    from ui.interpreter_window import InterpreterWindow

    provider_env.responder = _tagged_translation
    core_app.services["asr"] = recognizer
    window = InterpreterWindow(core_app, task_runner)
    qtbot.addWidget(window)
    window.show()
    first, said_first = asterisk_clips["conf-onlyperson"]
    second, said_second = asterisk_clips["vm-sorry"]
    pause = write_wav(tmp_path / "pause.wav", np.zeros(int(1.5 * 16_000)))
    partials: list[str] = []
    window.feed.event.connect(lambda e: partials.append(e.text) if e.type == "partial" else None)
    with EventLoopWatch(50) as watch:
        assert window.start_session()
        qtbot.waitUntil(lambda: "Listening" in window.notice.text(), timeout=120_000)
        for clip in (first, pause, second, pause):
            player = play_into_sink(pulse_sink, clip)
            qtbot.waitUntil(lambda p=player: p.poll() is not None, timeout=60_000)
        qtbot.waitUntil(lambda: len(window.transcript) >= 2, timeout=180_000)
        qtbot.waitUntil(
            lambda: all(row["translation"] for row in window.transcript), timeout=60_000
        )
        save_screenshot(window, "interpreter_window_live")
        with qtbot.waitSignal(window.session_finished, timeout=120_000) as finished:
            window.start_button.click()  # Stop
    outcome = finished.args[0]
    assert outcome["status"] == "ok" and outcome["sentences"] >= 2, outcome
    english = window.columns["en"].lines.toPlainText().lower()
    chinese = window.columns["zh"].lines.toPlainText()
    assert "only person in this conference" in english, english
    assert "did not understand your response" in english, english
    assert chinese.count("ZH<") >= 2, chinese
    assert "only person in this conference" in chinese.lower()
    assert watch.longest_gap < 1.0, f"event loop stalled {watch.longest_gap:.2f} s"
    # kept in the history as a bilingual transcript, saved as Markdown and SRT
    row = core_app.history.get(outcome["id"])
    assert row is not None and row.output["kind"] == "interpreter_session"
    assert row.origin == "voice" and row.status == "ok"
    markdown, srt = tmp_path / "session.md", tmp_path / "session.srt"
    for target in (markdown, srt):
        with qtbot.waitSignal(window.saved, timeout=10_000):
            window.save_to(target)
    assert "→ Chinese: ZH<" in markdown.read_text(encoding="utf-8")
    cues = srt.read_text(encoding="utf-8")
    assert cues.startswith("1\n00:00:") and "ZH<" in cues


def test_a_spoken_correction_is_shown_even_when_its_word_could_not_be_kept(
    qtbot: Any, core_app: Any
) -> None:
    from ui.app import DesktopController

    controller = DesktopController(core_app, use_tray=False)
    qtbot.addWidget(controller.fallback)
    controller._voice_corrected("我明天去滨海新区开会", "滨海新区")
    overlay = controller.overlay()
    assert overlay.partial.text() == "我明天去滨海新区开会"
    assert overlay.result.text() == "Added 滨海新区 to your words."
    controller._voice_corrected("我明天去滨海新区开会", "滨海新区", "the database is locked")
    assert overlay.result.text() == ("Could not add 滨海新区 to your words: the database is locked")
    save_screenshot(overlay, "voice_overlay_correction_not_kept")
    controller.runner.shutdown()


def test_voice_overlay_shows_each_stage(qtbot: Any) -> None:
    from ui.voice_overlay import VoiceOverlay

    overlay = VoiceOverlay()
    qtbot.addWidget(overlay)
    overlay.start_listening()
    overlay.set_level(0.6)
    overlay.set_partial("昨天午饭花了")
    save_screenshot(overlay, "voice_overlay_listening")
    overlay.set_heard("昨天午饭花了三十五")
    overlay.set_routed("bookkeeping")
    overlay.set_result("Record 1 entry? 午饭 35.00 CNY (confirm in the chat window)")
    assert overlay.isVisible()
    assert overlay.meta.text() == "Routed to bookkeeping"
    save_screenshot(overlay, "voice_overlay_result")


def test_fallback_window_when_no_tray(qtbot: Any, core_app: Any) -> None:
    from ui.app import DesktopController

    controller = DesktopController(core_app, use_tray=False)
    assert controller.tray is None and controller.fallback is not None
    qtbot.addWidget(controller.fallback)
    controller.fallback.show()
    controller.set_state("thinking")
    assert controller.fallback.state_label.text() == "Ting is thinking"
    width = controller.fallback.width()
    detail = (
        "no audio input device was found (plug in a microphone, or check that"
        " PulseAudio/PipeWire is running)"
    )
    controller.set_state("error", detail)
    assert controller.fallback.state_label.text() == f"Ting ran into a problem — {detail}"
    save_screenshot(controller.fallback, "fallback_window_error")
    assert controller.fallback.width() <= max(width, 600)  # the line wraps, not the window
    label = controller.fallback.state_label
    assert label.height() >= label.heightForWidth(label.width())  # and is not cut off
    talk = controller.fallback.buttons["talk"]
    assert talk.height() >= talk.sizeHint().height()
    triggered: list[str] = []
    controller.actions.triggered.disconnect()
    controller.actions.triggered.connect(triggered.append)
    controller.fallback.buttons["settings"].click()
    assert triggered == ["settings"]
    save_screenshot(controller.fallback, "fallback_window")
    controller.runner.shutdown()


def test_state_icons_are_distinct(qapp: Any) -> None:
    from ui.state_icons import STATES, draw_state_pixmap

    images = {state: draw_state_pixmap(state, 32).toImage() for state in STATES}
    assert len({img.pixelColor(2, 16).name() for img in images.values()}) == len(STATES)
    strip = draw_state_pixmap("idle", 64)
    from PySide6.QtGui import QPainter, QPixmap

    canvas = QPixmap(64 * len(STATES), 64)
    canvas.fill()
    painter = QPainter(canvas)
    for index, state in enumerate(STATES):
        painter.drawPixmap(64 * index, 0, draw_state_pixmap(state, 64))
    painter.end()
    assert not strip.isNull()
    save_screenshot(_Label(canvas), "state_icons")


class _Label:
    """Lets save_screenshot grab a pixmap."""

    def __init__(self, pixmap: Any) -> None:
        self.pixmap = pixmap

    def grab(self) -> Any:
        return self.pixmap
