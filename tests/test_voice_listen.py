"""`ting listen` end to end: a real subprocess, speech played into the null sink, Enter
and `ting trigger` as the talk key, the transcript printed as JSON."""

from __future__ import annotations

import json

import pytest
from fixtures_core import assert_clean_failure
from fixtures_voice import ListenProcess, say_into_sink

pytestmark = [pytest.mark.audio, pytest.mark.slow]


def test_enter_starts_and_stops_and_the_transcript_is_printed(
    listen_env, pulse_sink, asterisk_clips, half_second_of_silence, ting
) -> None:
    clip, expected = asterisk_clips["cannot-complete-as-dialed"]
    listen = ListenProcess(listen_env, "--transcribe-only", "--no-hotkey", "--language", "en")
    try:
        ready = listen.next_event("ready")
        assert ready["device"]
        status = ting("status", "--json")
        assert status.code == 0 and json.loads(status.out)["state"] == "idle", status
        listen.press_enter()
        assert listen.next_event("state")["state"] == "listening"
        say_into_sink(pulse_sink, clip, half_second_of_silence)
        listen.press_enter()
        heard = listen.next_event("heard")
        assert heard["text"].lower().rstrip(".") == expected.lower().rstrip("."), heard
        assert heard["language"] == "en" and heard["latency_ms"] >= 0
    finally:
        code = listen.close()
    assert code == 0, listen.stderr()


def test_ting_trigger_toggles_a_running_listen(
    listen_env, pulse_sink, asterisk_clips, half_second_of_silence, ting
) -> None:
    clip, expected = asterisk_clips["vm-nomore"]  # "No more messages."
    listen = ListenProcess(listen_env, "--transcribe-only", "--no-hotkey", "--language", "en")
    try:
        listen.next_event("ready")
        ran = ting("trigger")
        assert ran.code == 0, ran.err
        assert listen.next_event("state")["state"] == "listening"
        say_into_sink(pulse_sink, clip, half_second_of_silence)
        assert ting("trigger").code == 0
        heard = listen.next_event("heard")
        assert heard["text"].lower().rstrip(".") == expected.lower().rstrip("."), heard
    finally:
        listen.close()
    # with nothing running, `ting trigger` says so in one line
    assert_clean_failure(ting("trigger"), mentions="not running")


def test_listen_with_missing_model_files_fails_in_one_line(ting, ting_home, tmp_path) -> None:
    from assistant.config import save_setting

    save_setting("asr_model", str(tmp_path / "no-model-here"), ting_home / "config.toml")
    ran = ting("listen", "--no-hotkey", "--transcribe-only", input="")
    assert_clean_failure(ran, code=1, mentions="does not exist")


@pytest.mark.parametrize("mode", ["hold", "toggle"])
def test_the_global_hotkey_on_x11_in_hold_and_toggle_mode(
    mode, listen_env, pulse_sink, asterisk_clips, half_second_of_silence
) -> None:
    import os
    import shutil
    import subprocess

    from fixtures_core import require_service

    require_service("TING_TEST_DISPLAY", "an X display (Xvfb)")
    if not shutil.which("xdotool"):
        pytest.fail("xdotool is needed to press the hotkey on the test display")
    display = os.environ["TING_TEST_DISPLAY"]
    env = dict(listen_env, DISPLAY=display)
    env.pop("WAYLAND_DISPLAY", None)
    clip, expected = asterisk_clips["vm-nomore"]  # "No more messages."

    def xdotool(*args: str) -> None:
        subprocess.run(["xdotool", *args], env={**os.environ, "DISPLAY": display}, check=True)

    listen = ListenProcess(
        env,
        "--transcribe-only",
        "--language",
        "en",
        "--mode",
        mode,
        "--hotkey",
        "<ctrl>+<alt>+space",
    )
    try:
        hotkey = listen.next_event("hotkey")
        assert hotkey["backend"] == "pynput" and hotkey["mode"] == mode
        listen.next_event("ready")
        if mode == "hold":
            xdotool("keydown", "ctrl+alt+space")
        else:
            xdotool("key", "ctrl+alt+space")
        try:
            assert listen.next_event("state")["state"] == "listening"
            say_into_sink(pulse_sink, clip, half_second_of_silence)
        finally:
            if mode == "hold":
                xdotool("keyup", "space", "alt", "ctrl")
        if mode == "toggle":
            xdotool("key", "ctrl+alt+space")
        heard = listen.next_event("heard")
        assert heard["text"].lower().rstrip(".") == expected.lower().rstrip("."), heard
    finally:
        code = listen.close()
    assert code == 0, listen.stderr()


def test_listen_closed_while_the_model_is_still_loading_exits_cleanly(listen_env, ting) -> None:
    """Ctrl+D right after start: the model is still loading on its thread. Finalizing the
    interpreter under CTranslate2's load crashed with SIGSEGV every time; exit waits."""
    env = {k: v for k, v in listen_env.items() if k not in ("TING_HOME",)}
    for _ in range(3):
        ran = ting("listen", "--no-hotkey", "--transcribe-only", "--json", input="", env=env)
        assert ran.code == 0, (ran.code, ran.err)
        assert "Traceback" not in ran.err
