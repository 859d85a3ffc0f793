"""Voice editing of the selection: `ting edit INSTRUCTION` against a real Qt field on the
suite's display (the text selected with Ctrl+A, as a person does), the scripted
OpenAI-compatible server answering for the translation skill and the model."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from fixtures_core import assert_clean_failure
from fixtures_dictation import TextTarget, run_ting, x11_display, x11_env

from skills.editing.rewriting import clean_rewrite, translation_language

ORIGINAL = "明天下午三点开会，记得带报告。"
ENGLISH = "The meeting is at 3 pm tomorrow; remember to bring the report."


@pytest.mark.parametrize(
    ("instruction", "target"),
    [
        ("翻译成英文", "英文"),
        ("翻成中文", "中文"),
        ("把这段翻译成日语", "日语"),
        ("翻译成地道的英文", "英文"),
        ("用英语怎么说", "英语"),
        ("translate into French", "French"),
        ("translate to plain English", "English"),
        ("改正式一点", None),
        ("fix the grammar", None),
        ("把时间改成下周三", None),
        ("make it shorter", None),
        ("把英文改成中文标点", None),
    ],
)
def test_translation_instructions_are_told_from_rewrites(instruction, target) -> None:
    assert translation_language(instruction) == target


@pytest.mark.parametrize(
    ("answer", "original", "clean"),
    [
        ("Meet at 3.", "x", "Meet at 3."),
        ('"Meet at 3."', "x", "Meet at 3."),
        ("“下周三开会。”", "明天开会。", "下周三开会。"),
        ("```\nline one\nline two\n```", "x", "line one\nline two"),
        ("Here is the revised text:\nMeet at 3.", "x", "Meet at 3."),
        ("修改后的文本：\n下周三开会。", "x", "下周三开会。"),
        ('"Quoted" stays', "x", '"Quoted" stays'),
        ('"He said hi"', '"he said hi"', '"He said hi"'),  # the original was quoted too
    ],
)
def test_the_edited_text_is_taken_out_of_the_models_answer(answer, original, clean) -> None:
    assert clean_rewrite(answer, original) == clean


@pytest.fixture
def selected(ting_home: Path):
    env = x11_env(x11_display(), ting_home)
    target = TextTarget(env)
    try:
        target.set(ORIGINAL)
        assert target.select_all_by_keys(env) == ORIGINAL
        yield target, env
    finally:
        target.close()


def xdotool(env: dict[str, str], *keys: str) -> None:
    subprocess.run(["xdotool", "key", *keys], env=env, check=True, timeout=10)


@pytest.mark.display
def test_a_translation_replaces_the_selection_and_one_undo_puts_it_back(selected, provider) -> None:
    target, env = selected
    provider.queue_reply(ENGLISH)
    ran = run_ting({**env, **provider.env}, "edit", "--yes", "--json", "翻译成英文")
    assert ran.code == 0, ran
    events = ran.json_lines()
    [proposal] = [e for e in events if e["type"] == "needs_confirmation"]
    assert proposal["data"]["original"] == ORIGINAL and proposal["data"]["by"] == "translation"
    assert "English" in provider.requests[0]["messages"][0]["content"]
    assert provider.requests[0]["messages"][-1]["content"] == ORIGINAL
    [result] = [e for e in events if e["type"] == "result"]
    assert result["payload"]["method"] == "paste"
    assert target.text() == ENGLISH
    xdotool(env, "ctrl+z")  # the program's own undo: the replacement was one paste
    assert target.text() == ORIGINAL
    rows = run_ting(env, "history", "search", "meeting", "--json").json_lines()[0]["exchanges"]
    assert {r["skill"] for r in rows} == {"edit"}


@pytest.mark.display
def test_a_rewrite_goes_to_the_model_and_its_quotes_are_dropped(selected, provider) -> None:
    target, env = selected
    provider.queue_reply("“下周三下午三点开会，记得带报告。”")
    ran = run_ting({**env, **provider.env}, "edit", "--yes", "把时间改成下周三")
    assert ran.code == 0, ran
    body = provider.requests[0]["messages"]
    assert (
        "Instruction: 把时间改成下周三" in body[-1]["content"] and ORIGINAL in body[-1]["content"]
    )
    assert target.text() == "下周三下午三点开会，记得带报告。"


@pytest.mark.display
def test_without_a_yes_nothing_is_replaced(selected, provider) -> None:
    target, env = selected
    provider.queue_reply(ENGLISH)
    ran = run_ting({**env, **provider.env}, "edit", "翻译成英文", input="")
    assert ran.code == 3 and ENGLISH in ran.out
    assert "confirm with --yes" in ran.err
    assert target.text() == ORIGINAL


@pytest.mark.display
def test_with_no_provider_it_says_what_to_set_and_changes_nothing(selected) -> None:
    target, env = selected
    ran = run_ting(env, "edit", "--yes", "fix the grammar")
    assert ran.code != 0 and "Traceback" not in ran.err
    assert "provider" in ran.err.lower() or "api key" in ran.err.lower()
    assert target.text() == ORIGINAL


@pytest.mark.display
def test_with_nothing_selected_it_says_so(ting_home: Path, empty_desktop: str) -> None:
    env = x11_env(empty_desktop, ting_home)
    ran = run_ting(env, "edit", "--yes", "翻译成英文")
    assert_clean_failure(ran, code=1, mentions="nothing is selected")
    ran = run_ting(env, "edit", "--yes", "--selection", "clipboard", "翻译成英文")
    assert_clean_failure(ran, code=1, mentions="nothing is selected")


def test_edit_with_no_desktop_is_one_line(ting) -> None:
    ran = ting("edit", "--yes", "翻译成英文", env={"DISPLAY": None, "WAYLAND_DISPLAY": None})
    assert ran.code != 0 and "Traceback" not in ran.err
    assert "no desktop session" in ran.err
