"""The chat window over the real runtime, history and the scripted provider (offscreen)."""

from __future__ import annotations

from typing import Any

import pytest
from fixtures_ui import ChatScript, save_screenshot

from assistant.router_model import is_routing_prompt

pytest.importorskip("PySide6")


def chat_requests(provider: Any) -> list[dict[str, Any]]:
    return [r for r in provider.requests if not is_routing_prompt(r["messages"][0]["content"])]


@pytest.fixture
def chat_window(qtbot: Any, provider_env: Any, core_app: Any, task_runner: Any) -> Any:
    from ui.chat_window import ChatWindow

    window = ChatWindow(core_app, task_runner)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.history_shown, timeout=5000):  # the first listing
        window.show()
    return window


@pytest.fixture
def script(provider_env: Any) -> ChatScript:
    return ChatScript(provider_env)


def test_answer_streams_as_markdown_and_is_recorded(
    qtbot: Any, script: ChatScript, chat_window: Any, provider_env: Any, core_app: Any
) -> None:
    script.answer(
        "**Paris** is the capital of France.\n\n- population: about 2.1 million\n- river: Seine",
        chunk_size=5,
    )
    seen: list[str] = []
    chat_window.busy_changed.connect(lambda busy: seen.append(f"busy={busy}"))
    with qtbot.waitSignal(chat_window.exchange_finished, timeout=20_000) as finished:
        chat_window.input.setText("What is the capital of France?")
        chat_window.send_button.click()
    outcome = finished.args[0]
    assert outcome["status"] == "ok", outcome
    assert outcome["skill"] == "chat"
    assert seen == ["busy=True", "busy=False"]
    answer = chat_window._answer
    assert answer.markdown.startswith("**Paris**")
    # rendered as Markdown: the bold markers are gone, the list is a list
    rendered = answer.body.toPlainText()
    assert "**" not in rendered and "Paris is the capital" in rendered
    assert "population: about 2.1 million" in rendered
    assert answer.body.toHtml().count("<li") == 2
    assert not chat_window.progress.isVisible()
    # the exchange is in the real history, and the sidebar shows it
    rows = core_app.history.list(5)
    assert rows[0].input_text == "What is the capital of France?"
    assert rows[0].status == "ok" and rows[0].origin == "typed"
    qtbot.waitUntil(lambda: chat_window.sidebar.shown_ids() == [rows[0].id], timeout=5000)
    save_screenshot(chat_window, "chat_window_answer")


def test_copy_button_copies_the_markdown(
    qtbot: Any, script: ChatScript, chat_window: Any, provider_env: Any
) -> None:
    from PySide6.QtWidgets import QApplication

    script.answer("Use `git log --oneline`.")
    with qtbot.waitSignal(chat_window.exchange_finished, timeout=20_000):
        chat_window.submit("how do I list commits briefly")
    chat_window._answer.copy_button.click()
    assert QApplication.clipboard().text() == "Use `git log --oneline`."


def test_follow_up_sends_the_conversation(
    qtbot: Any, script: ChatScript, chat_window: Any, provider_env: Any
) -> None:
    script.answer("Hello! I am Ting.")
    script.answer("You said hello.")
    with qtbot.waitSignal(chat_window.exchange_finished, timeout=20_000):
        chat_window.submit("hello there, who are you?")
    with qtbot.waitSignal(chat_window.exchange_finished, timeout=20_000):
        chat_window.submit("what did I just say?")
    second = chat_requests(provider_env)[-1]["messages"]
    contents = [m["content"] for m in second[1:]]
    assert contents == ["hello there, who are you?", "Hello! I am Ting.", "what did I just say?"]


def test_cancel_during_a_long_silence_stops_the_task(
    qtbot: Any, script: ChatScript, chat_window: Any, provider_env: Any, core_app: Any
) -> None:
    script.answer("never shown", delay_before_first_token=30)
    with qtbot.waitSignal(chat_window.exchange_finished, timeout=20_000) as finished:
        chat_window.submit("think very hard about the meaning of life")
        qtbot.waitUntil(chat_window.progress.isVisible, timeout=5000)
        # a heartbeat arrives while the model is silent: the progress line shows it
        qtbot.waitUntil(
            lambda: "waiting for the model" in chat_window.progress.text.text(), timeout=10_000
        )
        assert not chat_window.progress.text.text().split("·")[0].rstrip().endswith(" s")
        save_screenshot(chat_window, "chat_window_progress")
        chat_window.progress.cancel_button.click()
    assert finished.args[0]["status"] == "cancelled"
    assert chat_window._answer.error_label.text() == "Cancelled."
    assert core_app.history.list(1)[0].status == "cancelled"


def test_provider_failure_is_one_readable_line(
    qtbot: Any, script: ChatScript, chat_window: Any, provider_env: Any
) -> None:
    script.answer(status=401, error_message="invalid api key")
    with qtbot.waitSignal(chat_window.exchange_finished, timeout=20_000) as finished:
        chat_window.submit("tell me a joke about compilers")
    assert finished.args[0]["status"] == "error"
    message = chat_window._answer.error_label.text()
    assert "\n" not in message and "Traceback" not in message and message


def test_history_search_finds_cjk_and_latin(
    qtbot: Any, chat_window: Any, provider_env: Any, core_app: Any
) -> None:
    first = core_app.history.start("昨天午饭花了三十五", origin="typed", skill="bookkeeping")
    core_app.history.finish(first, status="ok", output_text="记下了")
    second = core_app.history.start("translate good morning", origin="typed", skill="translation")
    core_app.history.finish(second, status="ok", output_text="早上好")
    search = chat_window.sidebar.search
    with qtbot.waitSignal(chat_window.history_shown, timeout=5000) as shown:
        search.setText("午饭")
    assert shown.args[0] == [first]
    with qtbot.waitSignal(chat_window.history_shown, timeout=5000) as shown:
        search.setText("morn")
    assert shown.args[0] == [second]
    with qtbot.waitSignal(chat_window.history_shown, timeout=5000) as shown:
        search.setText("nothing-like-this")
    assert shown.args[0] == []
    assert chat_window.sidebar.list.item(0).text() == "No matches."
    with qtbot.waitSignal(chat_window.history_shown, timeout=5000) as shown:
        search.clear()
    assert shown.args[0] == [second, first]
    # choosing an exchange shows it in the conversation
    before = chat_window.conversation_layout.count()
    chat_window.sidebar.exchange_chosen.emit(first)
    qtbot.waitUntil(lambda: chat_window.conversation_layout.count() == before + 2, timeout=5000)
    save_screenshot(chat_window, "chat_window_history")


def test_chinese_ui_text(
    qtbot: Any,
    provider_env: Any,
    core_app: Any,
    task_runner: Any,
    ui_language: Any,
) -> None:
    from ui.chat_window import ChatWindow

    script = ChatScript(provider_env)
    ui_language("zh")
    window = ChatWindow(core_app, task_runner)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.history_shown, timeout=5000):
        window.show()
    script.answer("巴黎是**法国**的首都。")
    with qtbot.waitSignal(window.history_shown, timeout=20_000):  # listed after the answer
        window.submit("法国的首都是哪里？")
    assert window.send_button.text() == "发送"
    assert window.sidebar.search.placeholderText() == "搜索历史记录…"
    assert "巴黎是法国的首都" in window._answer.body.toPlainText()
    save_screenshot(window, "chat_window_zh")
