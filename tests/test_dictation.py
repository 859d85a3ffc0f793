"""Dictation: what is said is typed into the focused window.

The tables check the pure part (spoken punctuation and commands, the space between two
pieces); the rest runs the real thing: the dictation skill through `ting ask --skill
dictation` into a Qt field on the suite's display, and `ting dictate` end to end, a
recording played into the null sink, talking started and stopped with `ting trigger`.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from fixtures_core import ROOT, assert_clean_failure
from fixtures_dictation import TextTarget, run_ting, x11_display, x11_env
from fixtures_voice import ListenProcess, say_into_sink

from skills.dictation import last_insertion
from skills.dictation.spoken_text import DELETE_LAST, dictated, joined


@pytest.mark.parametrize(
    ("heard", "typed"),
    [
        # Chinese marks, with and without Whisper's own marks around them
        ("你好逗号我是小明句号", "你好，我是小明。"),
        ("你好,逗号,我是小明。句号。", "你好，我是小明。"),
        ("今天几点开会问号", "今天几点开会？"),
        ("太好了感叹号", "太好了！"),
        ("注意冒号明天放假", "注意：明天放假"),
        ("苹果顿号香蕉顿号橘子", "苹果、香蕉、橘子"),
        ("第一行换行第二行", "第一行\n第二行"),
        ("第一段另起一段第二段", "第一段\n\n第二段"),
        ("他说左引号你好右引号", "他说“你好”"),
        # English marks; multi-word ones may come with Whisper's marks between the words
        ("Hello comma, how are you question mark?", "Hello, how are you?"),
        ("Hello, comma, how are you, question, Mark?", "Hello, how are you?"),
        ("This is great period.", "This is great."),
        (
            "Dear Anna comma, New Line, thanks for the report period.",
            "Dear Anna,\nThanks for the report.",
        ),
        ("one new paragraph two", "one\n\nTwo"),
        ("wait dash what", "wait — what"),
        ("he said open quote hi close quote and left", "he said “hi” and left"),
        ("see you comma Bob exclamation mark", "see you, Bob!"),
        ("stop full stop", "stop."),
        # words that only contain a mark's name are left alone
        (
            "The commander periodically checks the colonnade.",
            "The commander periodically checks the colonnade.",
        ),
        ("a plain sentence.", "a plain sentence."),
        ("", ""),
    ],
)
def test_spoken_punctuation_becomes_marks(heard: str, typed: str) -> None:
    assert dictated(heard).text == typed
    assert dictated(heard).command is None


@pytest.mark.parametrize(
    "heard",
    [
        "Delete that.",
        "delete that",
        "Scratch that!",
        "删掉刚才那句",
        "删掉刚才那句。",
        "删除刚才那句话",
        "撤销刚才那句",
    ],
)
def test_delete_commands_are_recognised_when_they_are_the_whole_utterance(heard: str) -> None:
    assert dictated(heard).command == DELETE_LAST


def test_a_sentence_that_mentions_deleting_is_just_typed() -> None:
    said = dictated("Please delete that file tomorrow.")
    assert said.command is None and said.text == "Please delete that file tomorrow."


@pytest.mark.parametrize(
    ("previous", "text", "typed"),
    [
        ("", "Hello.", "Hello."),
        ("Hello.", "How are you?", " How are you?"),
        ("Hello,", "world", " world"),
        ("你好。", "我是小明。", "我是小明。"),
        ("你好。", "OK.", "OK."),
        ("Done.", "好的。", "好的。"),
        ("line\n", "Next", "Next"),
        ("word ", "next", "next"),
        ("Hello", ", world", ", world"),
        ("Hello", "\nNext", "\nNext"),
    ],
)
def test_a_space_goes_between_two_pieces_of_english_only(previous, text, typed) -> None:
    assert joined(previous, text) == typed


def test_the_last_insertion_skips_what_was_deleted(tmp_path: Path) -> None:
    from assistant.history import HistoryStore

    history = HistoryStore(tmp_path / "ting.db")
    first = history.record(
        "你好", "你好", skill="dictation", origin="voice", output={"typed": "你好"}
    )
    second = history.record(
        "再见", "再见", skill="dictation", origin="voice", output={"typed": "再见"}
    )
    history.record("translate x", "y", skill="translation")
    assert last_insertion(history) == (second, "再见")
    history.record(
        "删掉刚才那句",
        "deleted: 再见",
        skill="dictation",
        origin="voice",
        output={"deleted": "再见", "deleted_id": second, "backspaces": 2},
    )
    assert last_insertion(history) == (first, "你好")
    failed = history.record("x", "", skill="dictation", output={"typed": "x"}, status="error")
    assert failed and last_insertion(history) == (first, "你好")


# -- the skill into a real window --------------------------------------------------------------


def dictate_text(env: dict[str, str], text: str) -> dict:
    ran = run_ting(env, "ask", "--skill", "dictation", "--json", text)
    assert ran.code == 0, ran
    [result] = [e for e in ran.json_lines() if e["type"] == "result"]
    return result


@pytest.mark.display
def test_dictated_text_lands_in_the_window_and_delete_that_takes_it_back(ting_home: Path) -> None:
    env = x11_env(x11_display(), ting_home)
    target = TextTarget(env, multiline=True)
    try:
        first = dictate_text(env, "你好逗号我是小明句号")
        assert first["text"] == "你好，我是小明。"
        assert first["payload"]["method"] == "paste"
        dictate_text(env, "明天见感叹号")
        assert target.wait_text("你好，我是小明。明天见！") == "你好，我是小明。明天见！"
        deleted = dictate_text(env, "删掉刚才那句")
        assert deleted["payload"]["deleted"] == "明天见！"
        assert target.wait_text("你好，我是小明。") == "你好，我是小明。"
        dictate_text(env, "Delete that.")
        assert target.wait_text("") == ""
        nothing = run_ting(env, "ask", "--skill", "dictation", "delete that")
        assert nothing.code != 0 and "nothing dictated to delete" in nothing.err
    finally:
        target.close()
    found = run_ting(env, "history", "search", "小明", "--json").json_lines()[0]["exchanges"]
    # the insertion, and the "delete that" that took it back
    assert {e["skill"] for e in found} == {"dictation"}
    assert [e["output"] for e in found] == ["deleted: 你好，我是小明。", "你好，我是小明。"]


# -- `ting dictate` end to end -------------------------------------------------------------------


class DictateProcess(ListenProcess):
    def __init__(self, env: dict[str, str], *args: str) -> None:
        import queue
        import threading

        self.proc = subprocess.Popen(
            [sys.executable, "-m", "assistant", "dictate", "--json", *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=str(ROOT),
        )
        self.events: queue.Queue[dict | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def next_event_or_error(self, kind: str, timeout: float = 120) -> dict:
        while True:
            event = self.events.get(timeout=timeout)  # a guard against a hang only
            assert event is not None, f"ting dictate ended before {kind!r}: {self.stderr()}"
            assert event["type"] != "error", event
            if event["type"] == kind:
                return event


@pytest.mark.audio
@pytest.mark.slow
@pytest.mark.display
def test_ting_dictate_types_what_was_said_into_the_focused_window(
    listen_env, pulse_sink, asterisk_clips, half_second_of_silence, ting_home: Path
) -> None:
    # listen_env's model and sink, on the display (the suite's Qt tests set offscreen)
    env = x11_env(x11_display(), ting_home)
    clip, expected = asterisk_clips["vm-nomore"]  # "No more messages."
    target = TextTarget(env)
    dictation = DictateProcess(env, "--no-hotkey", "--language", "en")
    try:
        dictation.next_event("ready")
        assert run_ting(env, "trigger").code == 0
        assert dictation.next_event("state")["state"] == "listening"
        say_into_sink(pulse_sink, clip, half_second_of_silence)
        assert run_ting(env, "trigger").code == 0
        heard = dictation.next_event("heard")
        typed = dictation.next_event_or_error("typed")
        assert typed["text"] == heard["text"]
        assert typed["text"].lower().rstrip(".") == expected.lower().rstrip(".")
        assert target.wait_text(typed["text"]) == typed["text"]
        assert typed["method"] in ("keys", "paste") and typed["backend"] == "xtest"
    finally:
        code = dictation.close()
        target.close()
    assert code == 0, dictation.stderr()
    rows = json.loads(run_ting(env, "history", "list", "--json").out)["exchanges"]
    assert rows[0]["skill"] == "dictation" and rows[0]["origin"] == "voice"
    assert rows[0]["output"] == typed["text"]


@pytest.mark.display
def test_a_dictation_the_vocabulary_corrected_keeps_the_text_as_heard(
    x11_target, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `ting listen` hands the session's request what was heard (the vocabulary's
    # corrections) since the mandarin merge; the dictation session must take it too
    from assistant.config import Settings
    from assistant.frontend.app import App
    from assistant.frontend.dictate import DictateOptions, DictationSession

    target, env = x11_target
    for name in ("DISPLAY", "TING_HOME", "LC_ALL"):
        monkeypatch.setenv(name, env[name])
    for name in ("QT_QPA_PLATFORM", "WAYLAND_DISPLAY", "TING_NO_GUI", "SWAYSOCK"):
        monkeypatch.delenv(name, raising=False)
    heard = {"raw_text": "燕植物真好吃", "corrections": [{"heard": "燕植物", "word": "燕之屋"}]}
    app = App(Settings(provider="remote"))
    session = DictationSession(DictateOptions(as_json=True), app)
    session.output = app.service("text_output")
    try:
        assert session._run_request(app, "燕之屋真好吃", heard) == 0
    finally:
        session.output.close()
    assert target.wait_text("燕之屋真好吃") == "燕之屋真好吃"
    [row] = app.history.list(1)
    assert (row.skill, row.origin, row.heard) == ("dictation", "voice", heard)


def test_dictate_with_no_desktop_says_so_in_one_line(ting) -> None:
    ran = ting("dictate", "--no-hotkey", input="", env={"DISPLAY": None, "WAYLAND_DISPLAY": None})
    assert_clean_failure(ran, mentions="no desktop session")
