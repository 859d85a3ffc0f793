"""`ting type`: text into the focused window of real programs, on X11 (the suite's Xvfb +
openbox) and on Wayland (sway, headless), through the real keyboard and clipboard paths.

The tables at the top check the pure parts: which method, which paste keystroke, how
many Backspaces remove a text, which session this is.
"""

from __future__ import annotations

import base64
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from fixtures_core import assert_clean_failure
from fixtures_dictation import (
    SwaySession,
    TerminalTarget,
    TextTarget,
    run_ting,
    x11_display,
    x11_env,
)

from voice.text_output.portal_keyboard import keysym_for
from voice.text_output.typist import (
    backspaces_for,
    choose_method,
    desktop_session,
    paste_plan,
)
from voice.text_output.x11_keyboard import FocusedWindow
from voice.text_output.x11_selection import SelectionContents

ENGLISH = "Hello, world"
CHINESE = "今天下午三点开会，记得带上报告。好吗？“好的”！"
EMOJI = "好的👍🏽 see you 🎉 🇨🇳 👨‍👩‍👧"


def long_text(size: int = 2000) -> str:
    """2,000 characters of mixed English, Chinese, punctuation, emoji and line ends."""
    parts = [
        "The quick brown fox jumps over the lazy dog. ",
        "明天上午十点在三楼会议室讨论预算，请准时参加。",
        "Price: $12.50 (tax incl.) — ok? ",
        "🎉👍 ",
        "\n",
        "「引号」与‘单引号’；冒号：省略号……",
    ]
    out = ""
    i = 0
    while len(out) < size:
        out += parts[i % len(parts)]
        i += 1
    return out[:size]


# -- the pure parts ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "requested", "can_type", "method"),
    [
        ("hello", "auto", True, "keys"),
        ("hello", "auto", False, "paste"),
        ("你好", "auto", True, "paste"),
        ("café", "auto", True, "paste"),
        ("line\nbreak", "auto", True, "paste"),
        ("x" * 24, "auto", True, "keys"),
        ("x" * 25, "auto", True, "paste"),
        ("你好", "keys", True, "keys"),
        ("hello", "paste", True, "paste"),
    ],
)
def test_the_method_auto_chooses(text, requested, can_type, method) -> None:
    assert choose_method(text, requested, can_type) == method


@pytest.mark.parametrize(
    ("session", "app", "keys", "selection"),
    [
        ("x11", "gedit", ("ctrl", "v"), "CLIPBOARD"),
        ("x11", "xterm", ("shift", "insert"), "PRIMARY"),
        ("x11", "urxvt", ("shift", "insert"), "PRIMARY"),
        ("x11", "st-256color", ("ctrl", "shift", "v"), "CLIPBOARD"),
        ("x11", "gnome-terminal-server", ("ctrl", "shift", "v"), "CLIPBOARD"),
        ("wayland", "foot", ("ctrl", "shift", "v"), "CLIPBOARD"),
        ("wayland", "org.kde.konsole", ("ctrl", "shift", "v"), "CLIPBOARD"),
        ("wayland", "firefox", ("ctrl", "v"), "CLIPBOARD"),
        ("macos", "Terminal", ("super", "v"), "CLIPBOARD"),
        ("windows", "notepad", ("ctrl", "v"), "CLIPBOARD"),
    ],
)
def test_each_window_gets_the_paste_keystroke_it_expects(session, app, keys, selection) -> None:
    plan = paste_plan(session, FocusedWindow(1, app, ""))
    assert (plan.keys, plan.selection) == (keys, selection)


def test_an_unknown_window_gets_ctrl_v() -> None:
    assert paste_plan("wayland", None).keys == ("ctrl", "v")


@pytest.mark.parametrize(
    ("text", "presses"),
    [
        ("hello", 5),
        ("你好，世界。", 6),
        ("e\u0301", 1),  # e + combining acute
        ("👍🏽", 1),  # thumbs up + skin tone
        ("🇨🇳🇺🇸", 2),  # two flags
        ("👨‍👩‍👧", 1),  # a family joined by zero-width joiners
        ("❤️", 1),  # heart + variation selector
        ("a\nb", 3),
    ],
)
def test_backspaces_remove_what_a_person_sees_as_characters(text, presses) -> None:
    assert backspaces_for(text) == presses


@pytest.mark.parametrize(
    ("env", "platform", "session"),
    [
        ({"DISPLAY": ":0"}, "linux", "x11"),
        ({"WAYLAND_DISPLAY": "wayland-0", "DISPLAY": ":0"}, "linux", "wayland"),
        ({"XDG_SESSION_TYPE": "wayland"}, "linux", "wayland"),
        ({}, "linux", "none"),
        ({}, "darwin", "macos"),
        ({}, "win32", "windows"),
    ],
)
def test_the_session_is_read_from_the_environment(env, platform, session) -> None:
    assert desktop_session(env, platform) == session


def test_text_is_offered_in_the_targets_programs_ask_for() -> None:
    contents = SelectionContents.of_text("naïve")
    assert {"UTF8_STRING", "STRING", "TEXT", "text/plain;charset=utf-8"} <= set(contents.targets())
    assert contents.get("STRING").data == "naïve".encode("latin-1")
    again = SelectionContents.from_json(contents.to_json())
    assert again.text() == "naïve" and again.items == contents.items
    chinese = SelectionContents.of_text("你好")
    assert "STRING" not in chinese.targets()  # STRING is Latin-1: never offered for this
    assert chinese.text() == "你好"


@pytest.mark.parametrize(
    ("char", "keysym"),
    [("a", 0x61), ("é", 0xE9), ("\n", 0xFF0D), ("你", 0x1000000 + 0x4F60), ("😀", 0x101F600)],
)
def test_characters_become_keysyms_for_the_portal(char, keysym) -> None:
    assert keysym_for(char) == keysym


# -- bad input ----------------------------------------------------------------------------


def test_with_no_desktop_it_says_there_is_nothing_to_type_into(ting) -> None:
    ran = ting("type", "hello", env={"DISPLAY": None, "WAYLAND_DISPLAY": None})
    assert_clean_failure(ran, code=3, mentions="no desktop session")


@pytest.mark.parametrize(
    ("args", "stdin", "mentions"),
    [
        (["type", ""], None, "empty"),
        (["type", "-"], "a\x00b", "NUL"),
        (["type", "--method", "shout", "hi"], None, "shout"),
        (["type", "--backend", "telepathy", "hi"], None, "telepathy"),
    ],
)
def test_bad_input_is_one_line(ting, args, stdin, mentions) -> None:
    ran = ting(*args, input=stdin, env={"DISPLAY": None, "WAYLAND_DISPLAY": None})
    assert_clean_failure(ran, code=2, mentions=mentions)


def test_standard_input_that_is_not_utf8_is_refused(ting_home: Path) -> None:
    from fixtures_core import ROOT, TING

    proc = subprocess.run(
        [*TING, "type", "-"], input=b"\xff\xfe bad", capture_output=True, cwd=str(ROOT)
    )
    ran_err = proc.stderr.decode()
    assert proc.returncode == 2 and "not UTF-8" in ran_err and "Traceback" not in ran_err


# -- X11 ----------------------------------------------------------------------------------


def typed(env: dict[str, str], text: str, *options: str) -> dict:
    ran = run_ting(env, "type", "--json", *options, "-", input=text)
    assert ran.code == 0, ran
    [answer] = ran.json_lines()
    assert answer["chars"] == len(text)
    return answer


@pytest.mark.display
@pytest.mark.parametrize(
    ("text", "method"),
    [
        (ENGLISH, "keys"),
        (CHINESE, "paste"),
        (EMOJI, "paste"),
        (long_text(), "paste"),
    ],
    ids=["english", "chinese", "emoji", "2000-chars"],
)
def test_x11_text_arrives_exactly_in_a_qt_field(ting_home: Path, text: str, method: str) -> None:
    env = x11_env(x11_display(), ting_home)
    target = TextTarget(env, multiline=True)
    try:
        answer = typed(env, text)
        assert target.text() == text
        assert (answer["method"], answer["backend"]) == (method, "xtest")
        assert answer["target"] == "text_target.py"
    finally:
        target.close()


@pytest.mark.display
def test_x11_keys_type_what_the_layout_lacks(x11_target) -> None:
    target, env = x11_target
    text = "Grüße, 你好 😀! " + "".join(chr(0x4E00 + i) for i in range(30))  # > the spare keys
    answer = typed(env, text, "--method", "keys")
    assert target.text() == text
    assert (answer["method"], answer["backend"]) == ("keys", "xtest")


@pytest.mark.display
def test_x11_xdotool_types_and_pastes(x11_target) -> None:
    """xdotool, where python-xlib cannot be used. (Its own typing of characters the
    layout lacks drops some under load: its fixed pause between keys is too short for a
    busy client to read the remapped key. Auto pastes everything with it: a command per
    text costs more than a paste.)"""
    target, env = x11_target
    answer = typed(env, ENGLISH, "--backend", "xdotool", "--method", "keys")
    assert (answer["method"], answer["backend"]) == ("keys", "xdotool")
    assert target.text() == ENGLISH
    target.set("")
    answer = typed(env, CHINESE, "--backend", "xdotool")
    assert (answer["method"], answer["backend"]) == ("paste", "xdotool")
    assert target.text() == CHINESE


@pytest.mark.display
def test_x11_every_type_of_the_previous_clipboard_comes_back(x11_target) -> None:
    target, env = x11_target
    copied = target.ask("copy-rich")["copied"]
    assert {"text/html", "text/plain", "application/x-qt-image"} <= set(copied)
    before = clipboard_types(env)
    assert {"text/html", "image/png", "UTF8_STRING"} <= set(before)
    answer = typed(env, CHINESE)
    assert answer["clipboard_restored"] is True
    assert target.text() == CHINESE
    after = clipboard_types(env)
    for kind in ("text/html", "image/png", "UTF8_STRING"):
        assert after.get(kind) == before[kind], kind


def clipboard_types(env: dict[str, str], selection: str = "clipboard") -> dict[str, bytes]:
    """What xclip reads from the selection, per type it lists."""

    def read(target: str) -> bytes:
        return subprocess.run(
            ["xclip", "-selection", selection, "-t", target, "-o"],
            env=env,
            capture_output=True,
            timeout=10,
        ).stdout

    names = read("TARGETS").decode().split()
    return {n: read(n) for n in names if n not in ("TARGETS", "TIMESTAMP", "MULTIPLE")}


def set_selection(
    env: dict[str, str], selection: str, data: bytes, kind: str = "UTF8_STRING"
) -> None:
    # xclip serves the selection from the background until another program takes it
    subprocess.run(
        ["xclip", "-selection", selection, "-t", kind, "-i"],
        env=env,
        input=data,
        timeout=10,
        check=True,
    )


@pytest.mark.display
@pytest.mark.parametrize(
    ("terminal", "app", "selection"),
    [
        (["xterm", "-u8", "-e"], "xterm", "primary"),
        (["stterm", "-e"], "st-256color", "clipboard"),
    ],
)
def test_x11_terminals_get_their_paste_keys(
    ting_home: Path, tmp_path: Path, terminal: list[str], app: str, selection: str
) -> None:
    if shutil.which(terminal[0]) is None:
        pytest.fail(f"{terminal[0]} is not installed (tests/run.sh installs it)")
    env = x11_env(x11_display(), ting_home)
    set_selection(env, selection, b"what was selected before")
    term = TerminalTarget(terminal, env, tmp_path)
    try:
        text = CHINESE + "\n" + long_text(600)
        answer = typed(env, text)
        assert (answer["method"], answer["target"]) == ("paste", app)
        assert term.wait_for(len(text.encode())) == text
        assert clipboard_types(env, selection)["UTF8_STRING"] == b"what was selected before"
        term.clear()
        typed(env, "ls -la")  # short ASCII is typed
        assert term.wait_for(6) == "ls -la"
    finally:
        term.close()


@pytest.mark.display
def test_x11_with_no_focused_window_it_says_so_and_leaves_the_text_on_the_clipboard(
    ting_home: Path, empty_desktop: str
) -> None:
    env = x11_env(empty_desktop, ting_home)
    ran = run_ting(env, "type", CHINESE)
    assert_clean_failure(ran, code=3, mentions="no window has the keyboard focus")
    assert "on the clipboard" in ran.err
    assert clipboard_types(env)["UTF8_STRING"].decode() == CHINESE


# -- Wayland (sway, headless) -----------------------------------------------------------------


@pytest.fixture
def wayland_env(sway_session: SwaySession, ting_home: Path) -> dict[str, str]:
    return sway_session.env(ting_home)


@pytest.mark.parametrize(
    ("text", "method"),
    [(ENGLISH, "paste"), (CHINESE, "paste"), (EMOJI, "paste"), (long_text(), "paste")],
    ids=["english", "chinese", "emoji", "2000-chars"],
)
def test_wayland_text_arrives_exactly_in_a_qt_field(wayland_env, text: str, method: str) -> None:
    subprocess.run(
        ["wl-copy"], input=b"previous wayland text", env=wayland_env, check=True, timeout=10
    )
    target = TextTarget(wayland_env, multiline=True)
    try:
        answer = typed(wayland_env, text)
        assert target.text() == text
        assert (answer["method"], answer["backend"]) == (method, "wtype")
        paste = subprocess.run(["wl-paste", "-n"], env=wayland_env, capture_output=True, timeout=10)
        assert paste.stdout == b"previous wayland text"
    finally:
        target.close()


def test_wayland_keys_type_chinese_too(wayland_env) -> None:
    target = TextTarget(wayland_env)
    try:
        answer = typed(wayland_env, "keys 你好 😀", "--method", "keys")
        assert answer["backend"] == "wtype" and target.text() == "keys 你好 😀"
    finally:
        target.close()


def test_wayland_an_image_on_the_clipboard_comes_back(wayland_env) -> None:
    png = base64.b64decode(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
    )
    subprocess.run(
        ["wl-copy", "--type", "image/png"], input=png, env=wayland_env, check=True, timeout=10
    )
    target = TextTarget(wayland_env)
    try:
        typed(wayland_env, CHINESE)
        assert target.text() == CHINESE
    finally:
        target.close()
    kinds = subprocess.run(
        ["wl-paste", "--list-types"], env=wayland_env, capture_output=True, text=True, timeout=10
    ).stdout.split()
    assert "image/png" in kinds
    back = subprocess.run(
        ["wl-paste", "--type", "image/png"], env=wayland_env, capture_output=True, timeout=10
    ).stdout
    assert back == png


def test_wayland_foot_gets_ctrl_shift_v(wayland_env, tmp_path: Path) -> None:
    term = TerminalTarget(["foot", "--"], wayland_env, tmp_path)
    try:
        text = CHINESE + "\n" + long_text(300)
        answer = typed(wayland_env, text)
        assert answer["target"] == "foot"
        assert term.wait_for(len(text.encode())) == text
    finally:
        term.close()


def test_wayland_with_nothing_focused_it_says_so(wayland_env) -> None:
    from voice.text_output.wayland import sway_focused_window

    deadline = time.monotonic() + 30  # the last test's window may still be closing
    while sway_focused_window(wayland_env) is not None and time.monotonic() < deadline:
        time.sleep(0.05)
    ran = run_ting(wayland_env, "type", CHINESE)
    assert_clean_failure(ran, code=3, mentions="no window has the keyboard focus")
    paste = subprocess.run(["wl-paste", "-n"], env=wayland_env, capture_output=True, timeout=10)
    assert paste.stdout.decode() == CHINESE


# -- the RemoteDesktop portal (GNOME, KDE) ---------------------------------------------------


def test_the_portal_keyboard_asks_once_and_sends_keysyms(remote_desktop_portal, ting_home) -> None:
    """Ting's client against a portal stand-in on the private session bus: the desktop's
    side cannot run here (GNOME's or KDE's portal backend needs their compositor)."""
    from voice.text_output.portal_keyboard import PortalKeyboard

    portal = remote_desktop_portal
    keyboard = PortalKeyboard()
    try:
        keyboard.press_keys(("ctrl", "v"))
        keyboard.type_text("Hi 你")
    finally:
        keyboard.close()
    assert portal.selected[0]["types"] == 1 and portal.selected[0]["persist_mode"] == 2
    assert "restore_token" not in portal.selected[0]
    ctrl, v = 0xFFE3, ord("v")
    assert portal.keys[:4] == [(ctrl, 1), (v, 1), (v, 0), (ctrl, 0)]
    assert portal.keys[4:] == [
        (ord("H"), 1), (ord("H"), 0), (ord("i"), 1), (ord("i"), 0), (0x20, 1), (0x20, 0),
        (0x1004F60, 1), (0x1004F60, 0),
    ]  # fmt: skip
    assert portal.closed  # the session is closed with the keyboard
    # the next session hands the desktop's token back, so that it need not ask again
    PortalKeyboard().close()
    assert portal.selected[1]["restore_token"] == "token-from-the-desktop"


def test_a_declined_portal_dialog_is_one_clear_line(ting_home) -> None:
    from fixtures_dictation import RemoteDesktopStandIn

    from voice.portal_shortcuts import PortalUnavailable
    from voice.text_output.portal_keyboard import PortalKeyboard

    if not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        pytest.skip("no private session bus (tests/run.sh starts one)")
    portal = RemoteDesktopStandIn(decline=True)
    try:
        with pytest.raises(PortalUnavailable) as caught:
            PortalKeyboard()
        assert "declined" in caught.value.user_message()
    finally:
        portal.stop()
