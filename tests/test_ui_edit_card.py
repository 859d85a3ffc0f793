"""The edit card on its own (offscreen): what it shows and offers at each step, and that
it never takes the keyboard focus (the program with the selection must keep it)."""

from __future__ import annotations

from typing import Any

import pytest
from fixtures_ui import save_screenshot

pytest.importorskip("PySide6")


def visible_buttons(card: Any) -> list[str]:
    return [name for name, button in card.buttons.items() if button.isVisible()]


def test_the_card_offers_each_step_and_reports_the_choice(qtbot) -> None:
    from PySide6.QtCore import Qt

    from ui.edit_card import EditCard

    card = EditCard()
    qtbot.addWidget(card)
    assert card.testAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
    assert card.windowFlags() & Qt.WindowType.WindowDoesNotAcceptFocus
    card.start("翻译成英文", "明天下午三点开会")
    assert card.isVisible() and visible_buttons(card) == ["cancel"]
    assert "翻译成英文" in card.title.text() and card.original.text() == "明天下午三点开会"
    card.append("The meeting ")
    card.append("is at 3 pm tomorrow.")
    assert card.result.toPlainText() == "The meeting is at 3 pm tomorrow."
    card.propose("The meeting is at 3 pm tomorrow.")
    assert visible_buttons(card) == ["replace", "copy", "cancel"]
    save_screenshot(card, "edit_card_proposed")
    with qtbot.waitSignal(card.chosen) as chosen:
        card.buttons["replace"].click()
    assert chosen.args == ["replace"]
    card.show_outcome("replaced", "Replaced. One Undo puts the original back.")
    assert visible_buttons(card) == ["undo", "close"]
    with qtbot.waitSignal(card.chosen) as chosen:
        card.buttons["undo"].click()
    assert chosen.args == ["undo"]
    card.show_outcome("undone", "Undone: the original is back.")
    assert visible_buttons(card) == ["close"]


def test_cancel_hides_the_card(qtbot) -> None:
    from ui.edit_card import EditCard

    card = EditCard()
    qtbot.addWidget(card)
    card.start("fix the grammar", "he go home")
    card.propose("He goes home.")
    with qtbot.waitSignal(card.chosen) as chosen:
        card.buttons["cancel"].click()
    assert chosen.args == ["cancel"] and not card.isVisible()
