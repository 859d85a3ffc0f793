"""Translating the clipboard's text: `ting translate --clipboard` and a request that points
at the clipboard, read through xclip on a real X display (Xvfb, tests/run_services.sh),
translated by the scripted OpenAI-compatible server; and each way reading can fail."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from fixtures_core import assert_clean_failure
from scripted_provider import Reply

from assistant.errors import SkillError, UsageError
from skills.translation.clipboard import clipboard_commands, read_clipboard_text
from skills.translation.request_parser import parse_translation_request


@pytest.mark.parametrize(
    ("request_text", "target", "from_clipboard", "text"),
    [
        ("把剪贴板里的内容翻成英文", "en", True, ""),
        ("把剪贴板翻成日文", "ja", True, ""),
        ("把我刚才复制的翻成英文", "en", True, ""),
        ("translate the clipboard into French", "fr", True, ""),
        ("translate what I just copied", None, True, ""),
        ("what's the text on the clipboard in German", "de", True, ""),
        # the word itself, not the clipboard
        ("how do you say clipboard in Chinese", "zh", False, "clipboard"),
        ("剪贴板用英语怎么说", "en", False, "剪贴板"),
    ],
)
def test_requests_that_point_at_the_clipboard(
    request_text: str, target: str | None, from_clipboard: bool, text: str
) -> None:
    ask = parse_translation_request(request_text)
    assert (ask.target_lang, ask.from_clipboard, ask.text) == (target, from_clipboard, text)


@pytest.mark.parametrize(
    ("env", "platform", "tools"),
    [
        ({"WAYLAND_DISPLAY": "wayland-0", "DISPLAY": ":0"}, "linux", ["wl-paste", "xclip", "xsel"]),
        ({"DISPLAY": ":0"}, "linux", ["xclip", "xsel"]),
        ({}, "linux", []),
        ({}, "darwin", ["pbpaste"]),
        ({}, "win32", ["powershell"]),
    ],
)
def test_clipboard_tools_for_the_session(env: dict, platform: str, tools: list[str]) -> None:
    assert [c[0] for c in clipboard_commands(env, platform)] == tools


def test_no_desktop_session_or_no_tool_is_one_clear_reason(tmp_path: Path) -> None:
    with pytest.raises(SkillError, match="no desktop session") as no_session:
        read_clipboard_text({"PATH": str(tmp_path)})
    with pytest.raises(SkillError, match=r"no clipboard tool found") as no_tool:
        read_clipboard_text({"DISPLAY": ":0", "PATH": str(tmp_path)})  # nothing installed
    assert "install xclip or xsel" in no_tool.value.user_message()
    assert "standard input" in no_session.value.user_message()


@pytest.fixture
def x_clipboard() -> Iterator:
    """Put text on the test display's clipboard (xclip serves it until the test ends)."""
    display = os.environ.get("TING_TEST_DISPLAY", "")
    if not display or not shutil.which("xclip"):
        if os.environ.get("CI"):
            pytest.fail("xclip and an X display are required in CI (see tests/run.sh)")
        pytest.skip("no X display with xclip (tests/run_services.sh starts one)")
    owners: list[subprocess.Popen] = []

    def copy(text: str) -> dict[str, str]:
        owner = subprocess.Popen(
            ["xclip", "-selection", "clipboard", "-in", "-quiet"],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=dict(os.environ, DISPLAY=display),
        )
        assert owner.stdin is not None
        owner.stdin.write(text.encode("utf-8"))
        owner.stdin.close()
        owners.append(owner)
        env = {"DISPLAY": display, "WAYLAND_DISPLAY": None}
        for _ in range(100):  # until the new owner answers (xclip -quiet serves at once)
            got = subprocess.run(
                ["xclip", "-selection", "clipboard", "-out"],
                capture_output=True,
                env=dict(os.environ, DISPLAY=display),
            )
            if got.stdout.decode("utf-8") == text:
                break
        else:
            pytest.fail("xclip did not start serving the clipboard")
        return env

    yield copy
    for owner in owners:
        owner.terminate()
        owner.wait(5)


def _tagged(body: dict) -> Reply:
    system = body["messages"][0]["content"]
    tag = "ZH" if "into Chinese" in system else "EN"
    return Reply(text=f"{tag}<{body['messages'][-1]['content']}>")


def test_translate_clipboard_from_the_cli_and_from_a_request(ting, provider, x_clipboard) -> None:
    provider.responder = _tagged
    env = {**x_clipboard("明天下午三点开会"), **provider.env}
    ran = ting("translate", "--clipboard", "--json", env=env)
    assert ran.code == 0, ran.err
    assert ran.json_lines()[-1]["payload"]["translation"] == "EN<明天下午三点开会>"
    row = ting("history", "list", "--json").json_lines()[0]["exchanges"][0]
    assert row["input"] == "明天下午三点开会"  # the text itself, searchable later

    env = {**x_clipboard("Send the invoice today."), **provider.env}
    ran = ting("ask", "把剪贴板里的翻成中文", "--json", env=env)
    assert ran.code == 0, ran.err
    events = ran.json_lines()
    assert any("from the clipboard: Send the invoice today." in str(e) for e in events)
    assert events[-1]["payload"]["translation"] == "ZH<Send the invoice today.>"


def test_empty_clipboard_and_bad_combinations_are_one_line(ting, x_clipboard) -> None:
    env = x_clipboard("")
    assert_clean_failure(
        ting("translate", "--clipboard", env=env), code=2, mentions="the clipboard holds no text"
    )
    assert_clean_failure(
        ting("translate", "hello", "--clipboard", env=env),
        code=2,
        mentions="give one of TEXT, --clipboard or --audio FILE",
    )
    with pytest.raises(UsageError):
        read_clipboard_text({"DISPLAY": env["DISPLAY"], "PATH": os.environ["PATH"]})


def test_clipboard_without_a_display_is_one_line(ting) -> None:
    ran = ting("translate", "--clipboard", env={"DISPLAY": None, "WAYLAND_DISPLAY": None})
    assert_clean_failure(ran, code=1, mentions="no desktop session")
