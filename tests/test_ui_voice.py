"""The desktop app's voice, end to end, with real parts: real speech (Debian's asterisk
prompts) played into the PulseAudio null sink, captured by the app's MicrophoneStream,
decoded live by the real Whisper model, routed and run by the real runtime (the scripted
provider answers on loopback), recorded in the real SQLite history.

In process (offscreen Qt): the desktop controller is driven as the tray, the chat
window's Talk button and `ting trigger` drive it (``toggle_talk``); the overlay is
inspected and photographed. The event loop is watched while Whisper decodes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fixtures_ui import ChatScript, EventLoopWatch, save_screenshot
from fixtures_voice import play_into_sink, write_wav

pytest.importorskip("PySide6")

pytestmark = [pytest.mark.audio, pytest.mark.slow]

STALL_LIMIT_S = 1.0  # generous: a blocked loop shows up as seconds
WAIT_MS = 180_000  # only a guard against a hang (two shared cores, a real model)


def _words(text: str) -> str:
    from assistant.textmatch import words

    return " ".join(words(text))


@pytest.fixture(scope="module")
def half_second_of_silence(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_wav(tmp_path_factory.mktemp("silence") / "silence.wav", np.zeros(8000))


@pytest.fixture
def controller(
    qtbot: Any, provider_env: Any, core_app: Any, recognizer: Any, pulse_sink: str
) -> Any:
    """The desktop controller over the real app (the scripted provider set in its
    environment), the session's model, the null sink's monitor as the microphone; no
    global hotkey (keys are another test's business)."""
    from ui.app import DesktopController

    core_app.services["asr"] = recognizer  # the app's one engine: the loaded test model
    core_app.settings.hotkey = ""
    core_app.settings.asr_language = "en"
    controller = DesktopController(core_app, use_tray=False)
    assert controller.voice is not None, "this build has microphone capture"
    with qtbot.waitSignal(controller.voice.ready, timeout=60_000):
        controller.voice.open()
    yield controller
    controller.shutdown()


def say(qtbot: Any, sink: str, clip: Path, silence: Path) -> None:
    """Play ``clip`` then a little silence into the sink, keeping the event loop running."""
    for path in (clip, silence):
        player = play_into_sink(sink, path)
        qtbot.waitUntil(lambda p=player: p.poll() is not None, timeout=60_000)
        assert player.returncode == 0


def test_talk_hears_routes_runs_and_records_a_voice_exchange(
    qtbot: Any,
    controller: Any,
    core_app: Any,
    provider_env: Any,
    pulse_sink: str,
    asterisk_clips: dict[str, tuple[Path, str]],
    half_second_of_silence: Path,
) -> None:
    clip, said = asterisk_clips["conf-onlyperson"]  # You are currently the only person …
    script = ChatScript(provider_env, route_to="chat")
    script.answer("Then you have the room to yourself.")
    voice = controller.voice
    partials: list[str] = []
    levels: list[float] = []
    states: list[str] = []
    voice.partial.connect(partials.append)
    voice.level.connect(levels.append)
    controller.state_changed.connect(states.append)
    overlay_partials: list[str] = []

    with EventLoopWatch(50) as watch:
        answer = controller.toggle_talk()  # what tray Talk, the Talk button and trigger do
        assert answer == {"ok": True, "state": "listening"}
        assert controller.state == "listening"
        overlay = controller.windows["overlay"]
        assert overlay.isVisible() and overlay.status.text() == "Listening…"
        say(qtbot, pulse_sink, clip, half_second_of_silence)
        qtbot.waitUntil(lambda: bool(partials), timeout=WAIT_MS)
        qtbot.waitUntil(lambda: bool(overlay.partial.text()), timeout=10_000)
        overlay_partials.append(overlay.partial.text())
        save_screenshot(overlay, "voice_overlay_live_partial")
        chat = controller.chat_window()
        with qtbot.waitSignal(chat.exchange_finished, timeout=WAIT_MS) as finished:
            controller.toggle_talk()  # stop: the final text runs like a typed message
        qtbot.waitUntil(lambda: controller.state == "idle", timeout=10_000)

    outcome = finished.args[0]
    assert outcome["status"] == "ok" and outcome["skill"] == "chat", outcome
    assert _words(outcome["input"]) == _words(said), outcome
    assert max(levels) > 0.3  # the meter saw the speech
    assert overlay_partials[0] and set(_words(overlay_partials[0]).split()) & set(
        _words(said).split()
    )
    # the overlay went on to what was heard, where it went and the answer
    assert _words(overlay.partial.text()) == _words(said)
    assert overlay.meta.text() == "Routed to chat"
    assert overlay.result.text() == "Then you have the room to yourself."
    save_screenshot(overlay, "voice_overlay_answer")
    # the icon followed: listening, thinking (decode, then the run), idle
    assert states[0] == "listening" and "thinking" in states and states[-1] == "idle"
    # the chat window shows it as a spoken message; the history records it as voice
    latest = core_app.history.list(1)[0]
    assert latest.origin == "voice" and latest.skill == "chat"
    assert _words(latest.input_text) == _words(said)
    assert latest.output_text == "Then you have the room to yourself."
    assert watch.ticks > 20
    assert watch.longest_gap < STALL_LIMIT_S, f"event loop stalled {watch.longest_gap:.2f} s"


def test_event_loop_never_stalls_while_speech_is_decoded(
    qtbot: Any,
    controller: Any,
    pulse_sink: str,
    asterisk_clips: dict[str, tuple[Path, str]],
    half_second_of_silence: Path,
) -> None:
    """A 50 ms timer keeps ticking while Whisper decodes live and after release
    (structural: the decode runs on the voice threads, not a speed benchmark)."""
    clip, said = asterisk_clips["queue-youarenext"]  # 5.4 s
    core_app = controller.app
    core_app.settings.hotkey = ""
    voice = controller.voice
    heard: list[str] = []
    voice.heard.disconnect()  # transcription only: nothing is run for this utterance
    voice.heard.connect(heard.append)
    partials: list[str] = []
    voice.partial.connect(partials.append)
    with EventLoopWatch(50) as watch:
        controller.toggle_talk()
        say(qtbot, pulse_sink, clip, half_second_of_silence)
        controller.toggle_talk()
        qtbot.waitUntil(lambda: bool(heard), timeout=WAIT_MS)
    import difflib

    # the words, give or take one (this test is about the loop, not the model's accuracy)
    assert difflib.SequenceMatcher(None, _words(heard[0]), _words(said)).ratio() > 0.8, heard
    assert partials  # decoding ran while the clip played (how often depends on the CPU)
    assert watch.ticks > 60
    assert watch.longest_gap < STALL_LIMIT_S, f"event loop stalled {watch.longest_gap:.2f} s"
    assert voice.last_latency_s is not None


def test_a_talk_with_no_microphone_says_why(qtbot: Any, core_app: Any) -> None:
    """A named input device that does not exist: one clear line, error state, no hang."""
    from ui.app import DesktopController

    core_app.settings.input_device = "no such microphone 4711"
    core_app.settings.hotkey = ""
    controller = DesktopController(core_app, use_tray=False)
    try:
        with qtbot.waitSignal(controller.voice.failed, timeout=60_000) as failed:
            assert controller.toggle_talk()["ok"]
        assert "no such microphone 4711" in failed.args[0] or "no audio input" in failed.args[0]
        assert controller.state == "error"
        overlay = controller.windows["overlay"]
        assert failed.args[0] in overlay.partial.text()
        assert controller.voice.state == "idle"
    finally:
        controller.shutdown()
