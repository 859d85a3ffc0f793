"""The talk key on Wayland through the XDG GlobalShortcuts portal: Ting's client against a
portal stand-in on the private session bus (real D-Bus, see fixtures_voice), and the
clear way out when no portal offers shortcuts."""

from __future__ import annotations

import threading

import pytest
from fixtures_core import assert_clean_failure
from fixtures_voice import ListenProcess, say_into_sink

from voice.hotkey import GlobalHotkey, HotkeyUnavailable
from voice.portal_shortcuts import portal_trigger

GUARD_S = 30  # a guard against a hang only; nothing waits on a clock otherwise


@pytest.fixture
def wayland_without_x(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WAYLAND_DISPLAY", "wayland-ting-test")
    monkeypatch.delenv("DISPLAY", raising=False)


def test_triggers_are_written_the_way_the_portal_reads_them() -> None:
    assert portal_trigger("<ctrl>+<alt>+space") == "CTRL+ALT+space"
    assert portal_trigger("<cmd>+<shift>+t") == "LOGO+SHIFT+t"
    assert portal_trigger("<f9>") == "f9"


def test_the_portal_binds_the_key_and_reports_down_and_up(
    portal_stand_in, wayland_without_x
) -> None:
    down, up = threading.Event(), threading.Event()
    hotkey = GlobalHotkey("<ctrl>+<alt>+space", down.set, up.set).start()
    try:
        assert hotkey.backend == "portal"
        session, shortcuts = portal_stand_in.bound.get(timeout=GUARD_S)
        [(shortcut_id, props)] = shortcuts
        assert shortcut_id == "talk"
        assert props["preferred_trigger"] == ("s", "CTRL+ALT+space")
        assert "Ting" in props["description"][1]
        assert hotkey._portal.trigger_description == "CTRL+ALT+space"
        portal_stand_in.press()
        assert down.wait(GUARD_S) and not up.is_set()
        portal_stand_in.release()
        assert up.wait(GUARD_S)
        portal_stand_in.press("another-programs-key")  # not ours: ignored
        down.clear()
        portal_stand_in.press()
        assert down.wait(GUARD_S)
    finally:
        hotkey.stop()
    assert portal_stand_in.closed.get(timeout=GUARD_S) == session  # the session is closed


def test_without_the_shortcuts_portal_the_message_says_bind_ting_trigger(
    portal_without_shortcuts, wayland_without_x
) -> None:
    with pytest.raises(HotkeyUnavailable) as caught:
        GlobalHotkey("<ctrl>+<alt>+space", lambda: None).start()
    text = caught.value.user_message()
    assert "no GlobalShortcuts portal" in text and "Wayland" in text
    assert "ting trigger" in text


def test_without_a_session_bus_the_message_says_bind_ting_trigger(
    wayland_without_x, monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", f"unix:path={tmp_path}/no-bus")
    with pytest.raises(HotkeyUnavailable) as caught:
        GlobalHotkey("<ctrl>+<alt>+space", lambda: None).start()
    assert "no D-Bus session bus" in caught.value.user_message()
    assert "ting trigger" in caught.value.user_message()


@pytest.mark.audio
@pytest.mark.slow
def test_ting_listen_talks_while_the_portal_key_is_held(
    portal_stand_in,
    listen_env,
    pulse_sink,
    asterisk_clips,
    half_second_of_silence,
) -> None:
    clip, expected = asterisk_clips["vm-nomore"]  # "No more messages."
    env = dict(listen_env, WAYLAND_DISPLAY="wayland-ting-test")
    env.pop("DISPLAY", None)
    listen = ListenProcess(env, "--transcribe-only", "--language", "en", "--mode", "hold")
    try:
        hotkey = listen.next_event("hotkey")
        assert hotkey["backend"] == "portal" and hotkey["mode"] == "hold"
        listen.next_event("ready")
        portal_stand_in.press()
        assert listen.next_event("state")["state"] == "listening"
        say_into_sink(pulse_sink, clip, half_second_of_silence)
        portal_stand_in.release()
        heard = listen.next_event("heard")
        assert heard["text"].lower().rstrip(".") == expected.lower().rstrip("."), heard
    finally:
        code = listen.close()
    assert code == 0, listen.stderr()


def test_ting_listen_without_any_hotkey_says_how_to_bind_one(
    listen_env, pulse_sink, ting, tmp_path
) -> None:
    env = dict(listen_env, WAYLAND_DISPLAY="wayland-ting-test")
    env["DBUS_SESSION_BUS_ADDRESS"] = f"unix:path={tmp_path}/no-bus"
    env.pop("DISPLAY", None)
    listen = ListenProcess(env, "--transcribe-only", "--language", "en")
    try:
        warning = listen.next_event("warning")
        assert "ting trigger" in warning["text"]
        listen.next_event("ready")  # Enter and `ting trigger` still work
    finally:
        code = listen.close()
    assert code == 0, listen.stderr()
    assert_clean_failure(ting("trigger"), mentions="not running")
