"""Confirmation cards with the real skills: bookkeeping entries and diff previews (offscreen).

Nothing is written until the card's Save / Apply; an edit in the card is what lands.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fixtures_ui import ChatScript, save_screenshot

pytest.importorskip("PySide6")


def open_chat(qtbot: Any, core_app: Any, task_runner: Any) -> Any:
    from ui.chat_window import ChatWindow

    window = ChatWindow(core_app, task_runner)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.history_shown, timeout=5000):
        window.show()
    return window


def last_card(window: Any) -> Any:
    from ui.confirmation_cards import ConfirmationCard

    layout = window.conversation_layout
    widgets = [layout.itemAt(i).widget() for i in range(layout.count())]
    cards = [w for w in widgets if isinstance(w, ConfirmationCard)]
    assert cards, "no confirmation card was shown"
    return cards[-1]


def ledger_amounts(core_app: Any) -> list[tuple[float, str, str]]:
    from skills.bookkeeping.ledger import Ledger

    return sorted(
        (float(e.amount), e.currency, e.category) for e in Ledger(core_app.history).entries()
    )


@pytest.fixture
def bookkeeping_installed(core_app: Any) -> None:
    if not core_app.registry.has("bookkeeping"):
        pytest.skip("the bookkeeping skill is not installed in this build")


def test_expense_card_edits_then_saves(
    qtbot: Any, core_app: Any, task_runner: Any, bookkeeping_installed: None
) -> None:
    from ui.confirmation_cards import ExpenseEntriesCard

    window = open_chat(qtbot, core_app, task_runner)
    with qtbot.waitSignal(window.exchange_finished, timeout=20_000) as finished:
        window.submit("午饭35，打车20")
    assert finished.args[0]["status"] == "needs_confirmation", finished.args[0]
    card = last_card(window)
    assert isinstance(card, ExpenseEntriesCard)
    assert [round(r.amount.value()) for r in card.rows] == [35, 20]
    assert ledger_amounts(core_app) == []  # nothing written before Save
    card.rows[0].amount.setValue(38.5)
    card.rows[0].item.setText("午饭 (加了饮料)")
    save_screenshot(window, "chat_expense_card")
    with qtbot.waitSignal(window.confirmation_finished, timeout=20_000) as confirmed:
        card.confirm_button.click()
    assert confirmed.args[0]["ok"], confirmed.args[0]
    amounts = ledger_amounts(core_app)
    assert [a for a, _c, _k in amounts] == [20.0, 38.5]
    assert {c for _a, c, _k in amounts} == {"CNY"}
    assert not card.confirm_button.isEnabled()
    assert card.outcome.isVisible() and card.outcome.text()
    save_screenshot(window, "chat_expense_card_saved")


def test_expense_card_discard_writes_nothing(
    qtbot: Any, core_app: Any, task_runner: Any, bookkeeping_installed: None
) -> None:
    window = open_chat(qtbot, core_app, task_runner)
    with qtbot.waitSignal(window.exchange_finished, timeout=20_000):
        window.submit("coffee 4.5 dollars")
    card = last_card(window)
    with qtbot.waitSignal(window.confirmation_finished, timeout=5000) as decided:
        card.discard_button.click()
    assert decided.args[0]["discarded"]
    assert card.outcome.text() == "Discarded: nothing was written."
    assert ledger_amounts(core_app) == []


GREET = 'def hello(name):\n    return "hello " + name\n'
RENAME_PATCH = """--- a/greet.py
+++ b/greet.py
@@ -1,2 +1,2 @@
-def hello(name):
+def hi(name):
     return "hello " + name
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    (root / "greet.py").write_text(GREET, encoding="utf-8")
    monkeypatch.chdir(root)  # the diff skill edits the current folder by default
    return root


@pytest.mark.parametrize("choice", ["apply", "reject"])
def test_diff_card_apply_or_reject(
    qtbot: Any, provider_env: Any, core_app: Any, task_runner: Any, project: Path, choice: str
) -> None:
    from ui.confirmation_cards import DiffPreviewCard

    if not core_app.registry.has("diff"):
        pytest.skip("the diff skill is not installed in this build")
    script = ChatScript(provider_env, route_to="diff")
    script.answer(RENAME_PATCH)
    window = open_chat(qtbot, core_app, task_runner)
    with qtbot.waitSignal(window.exchange_finished, timeout=30_000) as finished:
        window.submit("in greet.py rename the function hello to hi")
    assert finished.args[0]["status"] == "needs_confirmation", finished.args[0]
    card = last_card(window)
    assert isinstance(card, DiffPreviewCard)
    shown = card.diff_view.toPlainText()
    assert "-def hello(name):" in shown and "+def hi(name):" in shown
    assert (project / "greet.py").read_text(encoding="utf-8") == GREET
    if choice == "apply":
        save_screenshot(window, "chat_diff_card")
        with qtbot.waitSignal(window.confirmation_finished, timeout=20_000) as confirmed:
            card.confirm_button.click()
        assert confirmed.args[0]["ok"], confirmed.args[0]
        assert (project / "greet.py").read_text(encoding="utf-8").startswith("def hi(name):")
        assert "modified greet.py" in card.outcome.text()
    else:
        with qtbot.waitSignal(window.confirmation_finished, timeout=5000):
            card.discard_button.click()
        assert (project / "greet.py").read_text(encoding="utf-8") == GREET
        assert card.outcome.text() == "Rejected: no file was changed."
