"""The bookkeeping skill through the real composition root: runtime, history, ledger on
a real SQLite file, and (for model proposals) a real OpenAI-compatible server on
loopback. Nothing is written before a confirmation."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest

from assistant.errors import UsageError
from assistant.events import Failed, NeedsConfirmation, Result
from assistant.frontend.app import App
from assistant.skill import Request
from skills.bookkeeping.intents import is_undo, parse_correction, parse_question
from skills.bookkeeping.ledger import Ledger

TODAY = dt.date(2024, 5, 15)  # a Wednesday


@pytest.fixture
def app() -> App:
    return App.from_environment()


def ask(app: App, text: str, *, today: dt.date = TODAY, origin: str = "voice") -> list[Any]:
    request = Request(text=text, origin=origin, skill="bookkeeping")
    return [e for e in app.runtime.run(request, today=today) if e.type != "progress"]


def confirm(app: App, proposal: NeedsConfirmation, data: dict | None = None) -> list[Any]:
    events = app.runtime.confirm(proposal.skill, proposal.action, data or proposal.data)
    return [e for e in events if e.type != "progress"]


def only(events: list[Any], kind: type) -> Any:
    assert len(events) == 1 and isinstance(events[0], kind), events
    return events[0]


def record(app: App, text: str, today: dt.date = TODAY) -> Result:
    proposal = only(ask(app, text, today=today), NeedsConfirmation)
    return only(confirm(app, proposal), Result)


def ledger(app: App) -> Ledger:
    return Ledger(app.history)


def test_a_sentence_is_proposed_then_written_once_after_confirmation(app: App) -> None:
    proposal = only(ask(app, "早饭12，午饭35，晚上打车48"), NeedsConfirmation)
    assert proposal.skill == "bookkeeping" and proposal.action == "add_entries"
    assert [e["item"] for e in proposal.data["entries"]] == ["早饭", "午饭", "打车"]
    assert "午饭" in proposal.preview and "35.00 CNY" in proposal.preview
    assert ledger(app).count() == 0  # run wrote nothing

    result = only(confirm(app, proposal), Result)
    assert len(result.payload["entry_ids"]) == 3
    rows = ledger(app).entries()
    asked = app.history.get(proposal.data["history_id"])
    assert asked is not None and asked.input_text == "早饭12，午饭35，晚上打车48"
    assert asked.status == "needs_confirmation"
    assert {(e.utterance, e.history_id) for e in rows} == {("早饭12，午饭35，晚上打车48", asked.id)}

    # the same confirmation again (a retry, a double click) writes nothing more
    again = only(confirm(app, proposal), Result)
    assert again.payload["already_recorded"] is True
    assert ledger(app).count() == 3


def test_the_ui_may_edit_the_entries_and_they_are_checked_again(app: App) -> None:
    proposal = only(ask(app, "健身房年卡2999"), NeedsConfirmation)
    edited = json.loads(json.dumps(proposal.data))
    edited["entries"][0]["category"] = "entertainment"
    only(confirm(app, proposal, edited), Result)
    assert ledger(app).entries()[0].category == "entertainment"

    bad = json.loads(json.dumps(proposal.data))
    bad["confirmation_id"] = "other"
    bad["entries"][0]["amount"] = -5
    failed = only(confirm(app, proposal, bad), Failed)
    assert "negative" in failed.error
    assert ledger(app).count() == 1


def test_no_amount_and_no_provider_is_a_clear_failure(app: App) -> None:
    failed = only(ask(app, "今天吃了顿好的"), Failed)
    assert "no amount" in failed.error
    assert ledger(app).count() == 0


@pytest.mark.parametrize("text", ["撤销刚才那笔", "undo that", "删掉刚才那笔", "scratch that"])
def test_undo_by_voice_asks_first_then_removes_the_last_batch(app: App, text: str) -> None:
    record(app, "午饭35")
    record(app, "打车20，咖啡18")
    proposal = only(ask(app, text), NeedsConfirmation)
    assert proposal.action == "undo" and "打车" in proposal.preview and "咖啡" in proposal.preview
    assert ledger(app).count() == 3  # asking wrote nothing
    only(confirm(app, proposal), Result)
    assert [e.item for e in ledger(app).entries()] == ["午饭"]
    # the same undo confirmed again is refused: the ledger changed since it was proposed
    failed = only(confirm(app, proposal), Failed)
    assert "changed" in failed.error
    assert [e.item for e in ledger(app).entries()] == ["午饭"]


def test_undo_with_nothing_recorded(app: App) -> None:
    failed = only(ask(app, "撤销刚才那笔"), Failed)
    assert "nothing to undo" in failed.error


@pytest.mark.parametrize(
    ("text", "field", "value"),
    [
        ("不对，是四十五", "amount", Decimal(45)),
        ("no, it was 45", "amount", Decimal(45)),
        ("不对，应该是45美元", "currency", "USD"),
        ("改成交通", "category", "transport"),
        ("change it to transport", "category", "transport"),
        ("不对，是昨天", "date", dt.date(2024, 5, 14)),
    ],
)
def test_spoken_corrections_amend_the_last_entry(
    app: App, text: str, field: str, value: Any
) -> None:
    record(app, "早饭12，午饭35")
    proposal = only(ask(app, text), NeedsConfirmation)
    assert proposal.action == "amend_entry"
    assert getattr(ledger(app).last_entry(), field) != value  # not yet
    only(confirm(app, proposal), Result)
    last = ledger(app).last_entry()
    assert last.item == "午饭" and getattr(last, field) == value
    others = [e for e in ledger(app).entries() if e.item == "早饭"]
    assert [(e.amount, e.date, e.category) for e in others] == [(Decimal(12), TODAY, "food")]


def test_a_category_correction_is_remembered_for_that_item(app: App) -> None:
    record(app, "健身房年卡2999")
    assert ledger(app).last_entry().category == "health"
    only(confirm(app, only(ask(app, "改成娱乐"), NeedsConfirmation)), Result)
    proposal = only(ask(app, "健身房年卡1999"), NeedsConfirmation)
    assert proposal.data["entries"][0]["category"] == "entertainment"


def test_a_correction_to_an_unknown_category_is_refused(app: App) -> None:
    record(app, "午饭35")
    failed = only(ask(app, "改成宠物"), Failed)
    assert "not a category" in failed.error and "food" in failed.error
    assert ledger(app).last_entry().category == "food"


def test_questions_are_answered_from_the_ledger_with_sql(app: App) -> None:
    record(app, "午饭35，打车20，晚饭 $12.5")  # 2024-05-15
    record(app, "上周五聚餐300，上周一地铁4块")  # 2024-05-10, 2024-05-06
    record(app, "上个月5号工资8000，上个月10号奖金1000")  # April
    record(app, "4月20号吃火锅200")

    food = only(ask(app, "这个月吃饭花了多少"), Result)
    assert food.payload["question"]["category"] == "food"
    assert food.payload["totals"] == [
        {"currency": "CNY", "amount": 335, "count": 2},
        {"currency": "USD", "amount": 12.5, "count": 1},
    ]
    assert "335.00 CNY" in food.text

    transport = only(ask(app, "how much did I spend on transport last week"), Result)
    assert transport.payload["question"]["start"] == "2024-05-06"
    assert transport.payload["totals"] == [{"currency": "CNY", "amount": 4, "count": 1}]

    income = only(ask(app, "上个月收入多少"), Result)
    assert income.payload["question"] == {
        "kind": "income",
        "category": None,
        "start": "2024-04-01",
        "end": "2024-04-30",
        "period": "last month",
    }
    assert income.payload["totals"] == [{"currency": "CNY", "amount": 9000, "count": 2}]
    none = only(ask(app, "去年花了多少"), Result)
    assert none.payload["totals"] == [] and "没有记录" in none.text


@pytest.mark.parametrize(
    ("text", "undo"),
    [
        ("撤销刚才那笔", True),
        ("撤回", True),
        ("刚才那笔不要了", True),
        ("undo", True),
        ("delete the last one", True),
        ("取消订阅", False),
        ("cancel netflix 15", False),
        ("午饭35", False),
    ],
)
def test_undo_phrases(text: str, undo: bool) -> None:
    assert is_undo(text) is undo


@pytest.mark.parametrize(
    ("text", "changes"),
    [
        ("不对，是四十五", {"amount": Decimal(45)}),
        ("错了，是三十五块五", {"amount": Decimal("35.5"), "currency": "CNY"}),
        ("no, it was 45", {"amount": Decimal(45)}),
        ("actually it was $45", {"amount": Decimal(45), "currency": "USD"}),
        ("改成交通", {"category": "transport"}),
        ("改成打车", {"category": "transport"}),
        ("make it groceries", {"category": "food"}),
        ("改成收入", {"kind": "income", "category": "other"}),
        ("改成昨天", {"date": "2024-05-14"}),
        ("午饭35", None),
        ("这个月吃饭花了多少", None),
    ],
)
def test_correction_phrases(text: str, changes: dict | None) -> None:
    found = parse_correction(text, TODAY)
    assert (found.changes if found else None) == changes


@pytest.mark.parametrize(
    ("text", "mentions"),
    [
        ("不对，是四百多", "'四百多' is not an exact amount"),
        ("不对，是15k左右", "'15k左右' is not an exact amount"),
        ("no, it was about 45", "'about 45' is not an exact amount"),
        ("改成45,00 zł", "zł is not a currency Ting records"),
    ],
)
def test_a_correction_to_an_unsure_amount_is_refused(text: str, mentions: str) -> None:
    with pytest.raises(UsageError) as info:
        parse_correction(text, TODAY)
    assert mentions in info.value.user_message()


@pytest.mark.parametrize(
    ("text", "kind", "category", "start", "end"),
    [
        ("这个月吃饭花了多少", "expense", "food", "2024-05-01", "2024-05-31"),
        (
            "how much did I spend on transport last week",
            "expense",
            "transport",
            "2024-05-06",
            "2024-05-12",
        ),
        ("上个月收入多少", "income", None, "2024-04-01", "2024-04-30"),
        ("今天花了多少钱", "expense", None, "2024-05-15", "2024-05-15"),
        ("最近7天打车花了多少", "expense", "transport", "2024-05-09", "2024-05-15"),
        ("what did I spend on food this year", "expense", "food", "2024-01-01", "2024-12-31"),
        ("上个月工资收入多少", "income", "salary", "2024-04-01", "2024-04-30"),
        ("how much", "expense", None, "2024-05-01", "2024-05-31"),
        ("午饭35", None, None, None, None),
    ],
)
def test_question_phrases(text: str, kind: str, category: str | None, start: str, end: str) -> None:
    q = parse_question(text, TODAY)
    if kind is None:
        assert q is None
        return
    assert q is not None
    assert (q.kind, q.category, q.period.start.isoformat(), q.period.end.isoformat()) == (
        kind,
        category,
        start,
        end,
    )


# -- model proposals, against a real OpenAI-compatible server on loopback ---------------


def test_with_a_provider_the_model_may_propose_entries(provider_env: Any) -> None:
    provider_env.queue_reply(
        json.dumps(
            {
                "entries": [
                    {
                        "amount": 12.5,
                        "currency": "USD",
                        "category": "food",
                        "item": "lunch",
                        "date": "2024-05-15",
                        "kind": "expense",
                    }
                ]
            }
        )
    )
    app = App.from_environment()
    proposal = only(ask(app, "lunch was twelve fifty"), NeedsConfirmation)
    assert proposal.data["source"] == "model"
    assert proposal.data["entries"] == [
        {
            "amount": 12.5,
            "currency": "USD",
            "category": "food",
            "item": "lunch",
            "date": "2024-05-15",
            "kind": "expense",
        }
    ]
    assert "model" in proposal.preview
    system = provider_env.requests[0]["messages"][0]["content"]
    assert "2024-05-15" in system and '"entries"' in system
    assert ledger(app).count() == 0
    only(confirm(app, proposal), Result)
    assert ledger(app).count() == 1


@pytest.mark.parametrize(
    ("reply", "message"),
    [
        ("sure! lunch was 12.50", "not JSON"),
        (
            '{"entries": [{"amount": -3, "currency": "USD", "category": "food", "item": "x", "date": "2024-05-15", "kind": "expense"}]}',
            "greater than 0",
        ),
        (
            '{"entries": [{"amount": 3, "currency": "USD", "category": "pets", "item": "x", "date": "2024-05-15", "kind": "expense"}]}',
            "category",
        ),
        (
            '{"entries": [{"amount": 3, "currency": "USD", "category": "salary", "item": "x", "date": "2024-05-15", "kind": "expense"}]}',
            "not an expense category",
        ),
        (
            '{"entries": [{"amount": 3, "currency": "USD", "category": "food", "item": "x", "date": "2024-05-15", "kind": "expense", "note": "?"}]}',
            "not allowed",
        ),
        ('{"entries": []}', "no amount"),
    ],
)
def test_a_bad_model_proposal_is_refused_and_nothing_written(
    provider_env: Any, reply: str, message: str
) -> None:
    provider_env.queue_reply(reply)
    app = App.from_environment()
    failed = only(ask(app, "lunch was twelve fifty"), Failed)
    assert message in failed.error
    assert ledger(app).count() == 0


def test_rules_come_first_even_with_a_provider(provider_env: Any) -> None:
    app = App.from_environment()
    proposal = only(ask(app, "午饭35"), NeedsConfirmation)
    assert proposal.data["source"] == "rules"
    assert provider_env.requests == []
