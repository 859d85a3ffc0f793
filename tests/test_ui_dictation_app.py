"""Dictation in the running app, end to end: the real `ting` on the suite's display, a
real Qt field with the focus, `ting trigger dictate` as the dictation key while an
asterisk prompt plays into the null sink; the words land in the field and in the
history (skill dictation, origin voice)."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
from fixtures_dictation import TextTarget, x11_env
from test_ui_tray import RunningApp, tray_display


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower())


@pytest.mark.display
@pytest.mark.audio
@pytest.mark.slow
def test_the_app_types_what_is_dictated_into_the_focused_window(
    ting_home: Path,
    monkeypatch: pytest.MonkeyPatch,
    ting_uses_test_model: Path,
    pulse_sink: str,
    asterisk_clips: dict[str, tuple[Path, str]],
    half_second_of_silence: Path,
) -> None:
    from fixtures_voice import say_into_sink

    from assistant.config import save_setting

    display = tray_display()
    runtime = os.environ.get("XDG_RUNTIME_DIR", "")
    pulse = Path(runtime) / "pulse" / "native"
    if runtime and pulse.exists() and "PULSE_SERVER" not in os.environ:
        monkeypatch.setenv("PULSE_SERVER", f"unix:{pulse}")  # see test_ui_tray
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    save_setting("asr_language", "en", ting_home / "config.toml")
    for key in ("hotkey", "dictation_hotkey", "edit_hotkey"):
        save_setting(key, "", ting_home / "config.toml")  # ting trigger only
    target = TextTarget(x11_env(display, ting_home))
    app = RunningApp(display, ting_home)
    app.env.pop("TING_NO_ASR_WARM")  # warm the model and open the microphone at start
    app.start()
    try:
        app.wait_running()

        def ready(status: dict[str, Any]) -> bool:
            if status["speech_model"] == "failed":
                return True
            return bool(status["voice"].get("microphone")) and status["speech_model"] == "loaded"

        status = app.wait_status(ready, "microphone and model", 120)
        assert status["speech_model"] == "loaded", status
        clip, said = asterisk_clips["vm-nomore"]  # "No more messages."
        started = app.ting("trigger", "dictate")
        assert started.returncode == 0, started.stderr
        assert app.command("status")["state"] == "listening"
        say_into_sink(pulse_sink, clip, half_second_of_silence)
        assert app.ting("trigger", "dictate").returncode == 0
        app.wait_status(lambda s: s["exchanges"] >= 1, "the dictated exchange")
        typed = target.text()
        assert words(typed) == words(said), typed
        history = json.loads(app.ting("history", "list", "--json").stdout)["exchanges"]
        assert [(e["skill"], e["origin"], e["output"]) for e in history] == [
            ("dictation", "voice", typed)
        ]
        # the chat window was not involved
        assert "chat" not in app.command("status")["windows"]
    finally:
        app.stop()
        target.close()
