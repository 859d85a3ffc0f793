"""The personal vocabulary in the windows: the settings window's "Your words" box, and
the chat window's Correct on a voice request (offscreen, real history database)."""

from __future__ import annotations

from typing import Any

import pytest
from fixtures_ui import ChatScript

pytest.importorskip("PySide6")

pytest_plugins = ["fixtures_ui"]


def _own_words(core_app: Any) -> list[str]:
    from voice.vocabulary import VocabularyStore

    return sorted(w.word for w in VocabularyStore(core_app.history).own_words())


def _settings_showing(qtbot: Any, core_app: Any, task_runner: Any) -> Any:
    """The settings window, open on the stored words (燕之屋)."""
    from ui.settings_window import SettingsWindow

    window = SettingsWindow(core_app, task_runner)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.vocabulary.toPlainText() == "燕之屋", timeout=10_000)
    return window


def test_the_settings_window_edits_your_words(qtbot: Any, core_app: Any, task_runner: Any) -> None:
    from voice.vocabulary import VocabularyStore

    VocabularyStore(core_app.history).add("燕之屋")
    window = _settings_showing(qtbot, core_app, task_runner)
    window.vocabulary.setPlainText("滨海新区\n豆本豆，Kubernetes")
    with qtbot.waitSignal(window.saved, timeout=10_000):
        window.save_button.click()
    assert _own_words(core_app) == ["Kubernetes", "滨海新区", "豆本豆"]
    # a bad word fails the save with its reason and writes nothing
    window.vocabulary.setPlainText("滨海新区\n好")
    with qtbot.waitSignal(window.save_failed, timeout=10_000) as failed:
        window.save_button.click()
    assert "two characters" in failed.args[0]
    assert _own_words(core_app) == ["Kubernetes", "滨海新区", "豆本豆"]


def test_correcting_a_voice_request_adds_the_word(
    qtbot: Any, provider_env: Any, core_app: Any, task_runner: Any
) -> None:
    from ui.chat_window import ChatWindow, UserBubble

    script = ChatScript(provider_env)
    window = ChatWindow(core_app, task_runner)
    qtbot.addWidget(window)
    window.show()
    script.answer("好的")
    with qtbot.waitSignal(window.exchange_finished, timeout=20_000):
        window.submit("吃燕窝就选燕植物", origin="voice")
    [bubble] = [b for b in window.findChildren(UserBubble)]
    assert bubble.correct_button is not None
    bubble.correct_button.click()
    assert window.input.text() == "吃燕窝就选燕植物"
    window.input.setText("吃燕窝就选燕之屋")
    script.answer("好的")
    with qtbot.waitSignal(window.words_learned, timeout=10_000) as learned:
        window.send_button.click()
    assert learned.args[0] == ["燕之屋"]
    qtbot.waitUntil(lambda: not window.busy, timeout=20_000)
    assert _own_words(core_app) == ["燕之屋"]
    typed = [b for b in window.findChildren(UserBubble) if b.correct_button is None]
    assert [b.label.text() for b in typed] == ["吃燕窝就选燕之屋"]


def test_a_save_the_database_refuses_half_way_changes_no_word(
    qtbot: Any, core_app: Any, task_runner: Any
) -> None:
    """Words added and removed in one save are written together or not at all (here a
    trigger refuses one insert; in life a lock held too long or a full disk)."""
    from voice.vocabulary import VocabularyStore

    VocabularyStore(core_app.history).add("燕之屋")
    with core_app.history.transaction() as conn:
        conn.execute(
            "create trigger refuse before insert on vocabulary_words"
            " when new.word = '燕窝' begin select raise(abort, 'disk full'); end"
        )
    window = _settings_showing(qtbot, core_app, task_runner)
    window.vocabulary.setPlainText("滨海新区\n燕窝")
    with qtbot.waitSignal(window.save_failed, timeout=10_000):
        window.save_button.click()
    assert _own_words(core_app) == ["燕之屋"]
