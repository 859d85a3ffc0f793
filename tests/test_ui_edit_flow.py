"""The app's edit of the selection, from a spoken instruction to the card's buttons: the
real RequestController, runtime, edit and translation skills, the scripted provider, and
a real Qt field (its own process) on the suite's X display whose selection is edited.

The card itself is on Qt's offscreen platform here (its clicks move no X focus); the
text goes out through the real X11 keyboard and clipboard to the field, which keeps the
keyboard focus as it would while the user clicks a card that takes none.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fixtures_dictation import TextTarget, x11_display, x11_env

pytest.importorskip("PySide6")

ORIGINAL = "明天下午三点开会，记得带报告。"
ENGLISH = "The meeting is at 3 pm tomorrow; remember to bring the report."
WAIT_MS = 60_000


@pytest.fixture
def edit_setup(qtbot, ting_home: Path, provider_env, task_runner, monkeypatch) -> Any:
    from assistant.frontend.app import App
    from ui.insertion_controller import InsertionController
    from ui.request_controller import RequestController
    from ui.voice_overlay import VoiceOverlay
    from voice.text_output.typist import TextOutput

    env = x11_env(x11_display(), ting_home)
    target = TextTarget(env)
    target.set(ORIGINAL)
    assert target.select_all_by_keys(env) == ORIGINAL
    app = App.from_environment()
    app.services["text_output"] = TextOutput.for_session(env)
    monkeypatch.setenv("DISPLAY", env["DISPLAY"])  # the X11 clipboard's owner process
    requests = RequestController(app, task_runner)
    overlay = VoiceOverlay()
    qtbot.addWidget(overlay)
    insertions = InsertionController(app, task_runner, requests, lambda: overlay)
    yield insertions, target, provider_env, app
    if insertions.card is not None:
        insertions.card.close()
    # a confirmed edit's worker may still be recording it: the history it writes must not
    # be closed under it (a segfault in sqlite, seen once in CI)
    assert task_runner.shutdown(10_000), "background tasks did not stop"
    app.service("text_output").close()
    app.history.close()
    target.close()


def choose(qtbot, card: Any, button: str, state: str) -> None:
    card.buttons[button].click()
    qtbot.waitUntil(lambda: card.state in (state, "failed"), timeout=WAIT_MS)
    assert card.state == state, card.outcome.text()


def run_edit(qtbot, insertions: Any, instruction: str) -> Any:
    assert insertions.edit(instruction)
    card = insertions.card
    qtbot.waitUntil(lambda: card.state in ("proposed", "failed"), timeout=WAIT_MS)
    assert card.state == "proposed", card.outcome.text()
    return card


@pytest.mark.display
def test_replace_then_undo_puts_the_original_back(qtbot, edit_setup) -> None:
    insertions, target, provider, app = edit_setup
    provider.queue_reply(ENGLISH, chunk_size=6)
    card = run_edit(qtbot, insertions, "翻译成英文")
    assert card.result.toPlainText() == ENGLISH and card.original.text() == ORIGINAL
    assert target.text() == ORIGINAL  # nothing changes before Replace
    choose(qtbot, card, "replace", "replaced")
    assert target.wait_text(ENGLISH) == ENGLISH
    choose(qtbot, card, "undo", "undone")
    assert target.wait_text(ORIGINAL) == ORIGINAL
    skills = [(e.skill, e.status) for e in app.history.list(10)]
    assert ("edit", "needs_confirmation") in skills and ("edit", "ok") in skills
    assert [e.output_text for e in app.history.search("meeting")][-1] == ENGLISH


@pytest.mark.display
def test_cancel_leaves_the_selection_as_it_was(qtbot, edit_setup) -> None:
    insertions, target, provider, _app = edit_setup
    provider.queue_reply("Meeting tomorrow at 3 pm. Bring the report.")
    card = run_edit(qtbot, insertions, "改短一点")
    card.buttons["cancel"].click()
    assert not card.isVisible()
    qtbot.wait(300)  # a stray paste would have arrived by now
    assert target.text() == ORIGINAL


@pytest.mark.display
def test_copy_leaves_the_result_on_the_clipboard(qtbot, edit_setup) -> None:
    import subprocess

    insertions, target, provider, _app = edit_setup
    provider.queue_reply(ENGLISH)
    card = run_edit(qtbot, insertions, "translate into English")
    choose(qtbot, card, "copy", "copied")
    assert target.text() == ORIGINAL
    pasted = subprocess.run(
        ["xclip", "-selection", "clipboard", "-o"],
        env=x11_env(x11_display(), Path(".")),
        capture_output=True,
        text=True,
        timeout=10,
    )
    assert pasted.stdout == ENGLISH
