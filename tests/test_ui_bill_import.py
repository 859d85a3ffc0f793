"""A bill dropped on the chat window becomes an import card; a budget answer carries its
chart. Real core (a real ledger in this test's data folder), real widgets (offscreen);
screenshots in tests/artifacts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from fixtures_ui import save_screenshot

pytest.importorskip("PySide6")

pytest_plugins = ["fixtures_ui"]

BILLS = Path(__file__).resolve().parent / "data" / "bills"


def open_chat(qtbot: Any, core_app: Any, task_runner: Any) -> Any:
    from ui.chat_window import ChatWindow

    window = ChatWindow(core_app, task_runner)
    qtbot.addWidget(window)
    window.resize(1000, 760)
    with qtbot.waitSignal(window.history_shown, timeout=5000):
        window.show()
    return window


def widgets_of(window: Any, kind: type) -> list[Any]:
    layout = window.conversation_layout
    found = [layout.itemAt(i).widget() for i in range(layout.count())]
    return [w for w in found if isinstance(w, kind)]


def drop(window: Any, path: Path) -> None:
    from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
    from PySide6.QtGui import QDragEnterEvent, QDropEvent

    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    enter = QDragEnterEvent(
        window.rect().center(),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    window.dragEnterEvent(enter)
    assert enter.isAccepted(), "the chat window refused a dropped file"
    event = QDropEvent(
        QPointF(window.rect().center()),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    window.dropEvent(event)


def entries(core_app: Any) -> list[Any]:
    from skills.bookkeeping.ledger import Ledger

    return Ledger(core_app.history).entries()


def test_a_dropped_bill_is_previewed_as_a_card_and_imported_on_yes(
    qtbot: Any, core_app: Any, task_runner: Any
) -> None:
    from skills.bookkeeping.ledger import Ledger
    from skills.bookkeeping.parser import ExpenseParser
    from ui.confirmation_cards import BillImportCard

    ledger = Ledger(core_app.history)
    parser = ExpenseParser()
    ledger.add(parser.parse("午饭35", dt.date(2026, 10, 5)), key="lunch", utterance="午饭35")
    ledger.add(
        parser.parse("看电影花了129", dt.date(2026, 10, 11)), key="movie", utterance="看电影花了129"
    )
    window = open_chat(qtbot, core_app, task_runner)
    with qtbot.waitSignal(window.exchange_finished, timeout=30_000) as finished:
        drop(window, BILLS / "alipay_2026-10_gbk.csv")
    assert finished.args[0]["status"] == "needs_confirmation", finished.args[0]
    (card,) = widgets_of(window, BillImportCard)
    assert "alipay_2026-10_gbk.csv" in card.title.text()
    assert "add 7, merge 1, ask 1, skip 7" in card.summary.text()
    assert len(card.questions) == 1 and not card.questions[0][0].isChecked()
    assert "看电影" in card.questions[0][0].text() and "猫眼电影" in card.questions[0][0].text()
    assert len(entries(core_app)) == 2  # nothing written before Import
    card.questions[0][0].setChecked(True)  # yes: the 129 row is the movie said two days late
    save_screenshot(window, "chat_bill_import_card")
    with qtbot.waitSignal(window.confirmation_finished, timeout=30_000) as confirmed:
        card.confirm_button.click()
    assert confirmed.args[0]["ok"], confirmed.args[0]
    assert "added 7, merged 2" in card.outcome.text()
    rows = entries(core_app)
    assert len(rows) == 9 and len([e for e in rows if e.amount == 129]) == 1
    save_screenshot(window, "chat_bill_import_done")


def test_a_dropped_file_that_is_not_a_bill_is_one_error_line(
    qtbot: Any, core_app: Any, task_runner: Any
) -> None:
    window = open_chat(qtbot, core_app, task_runner)
    with qtbot.waitSignal(window.exchange_finished, timeout=30_000) as finished:
        drop(window, BILLS / "bad_not_a_bill.xlsx")
    assert finished.args[0]["status"] == "error"
    assert "not a bill Ting knows" in finished.args[0]["text"]
    assert entries(core_app) == []


def test_a_budget_answer_shows_the_chart_with_budget_lines(
    qtbot: Any, core_app: Any, task_runner: Any
) -> None:
    from decimal import Decimal

    from skills.bookkeeping.budgets import BudgetBook
    from skills.bookkeeping.ledger import Ledger
    from skills.bookkeeping.parser import ExpenseParser

    ledger = Ledger(core_app.history)
    today = dt.date.today()
    book = BudgetBook(ledger)
    book.set("food", Decimal(300), "CNY")
    book.set("transport", Decimal(200), "CNY")
    ledger.add(ExpenseParser().parse("午饭35，晚饭88，打车46", today), key="k", utterance="x")
    window = open_chat(qtbot, core_app, task_runner)
    with qtbot.waitSignal(window.exchange_finished, timeout=30_000) as finished:
        window.submit("这个月预算还剩多少")
    assert finished.args[0]["status"] == "ok", finished.args[0]
    answer = window._answer
    assert "餐饮预算 300.00 CNY：已花 123.00 CNY（41%），还剩 177.00 CNY" in answer.markdown
    assert answer.chart.pixmap().width() == 560  # drawn 800 wide, fitted to the chat
    save_screenshot(window, "chat_budget_chart")


def test_a_recurring_entry_due_today_is_proposed_when_the_chat_opens(
    qapp: Any, qtbot: Any, core_app: Any, task_runner: Any
) -> None:
    from skills.bookkeeping.ledger import Ledger
    from skills.bookkeeping.parser import ExpenseParser
    from skills.bookkeeping.recurring import RecurringBook
    from ui.chat_window import ChatWindow
    from ui.confirmation_cards import ExpenseEntriesCard

    today = dt.date.today()
    ledger = Ledger(core_app.history)
    (rent,) = ExpenseParser().parse("房租4500", today)
    RecurringBook(ledger).add(rent, today.day, "每月房租四千五")
    window = ChatWindow(core_app, task_runner)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.recurring_checked, timeout=10_000):
        window.show()
    (card,) = widgets_of(window, ExpenseEntriesCard)
    assert [round(r.amount.value()) for r in card.rows] == [4500]
    assert core_app.history.list(10) == []  # looking was not an exchange
    with qtbot.waitSignal(window.confirmation_finished, timeout=20_000) as confirmed:
        card.confirm_button.click()
    assert confirmed.args[0]["ok"], confirmed.args[0]
    assert [(e.item, e.date) for e in entries(core_app)] == [("房租", today)]
    assert RecurringBook(ledger).due(today) == []
