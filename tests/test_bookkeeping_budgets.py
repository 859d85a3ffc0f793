"""Budgets, recurring entries and the matcher's rules: the pure parts as tables, the
stores on a real SQLite ledger."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from pathlib import Path

import pytest

from assistant.errors import UsageError
from assistant.history import HistoryStore
from skills.bookkeeping.bills.categories import STRONG, WEAK, Categorised
from skills.bookkeeping.bills.importing import apply_plan, build_plan
from skills.bookkeeping.bills.matching import EntrySide, RowSide, match, words_agree
from skills.bookkeeping.budget_intents import (
    BudgetQuery,
    BudgetSet,
    parse_budget,
    parse_import,
    parse_recurring,
)
from skills.bookkeeping.budgets import BudgetBook
from skills.bookkeeping.ledger import Ledger
from skills.bookkeeping.parser import ExpenseParser
from skills.bookkeeping.recurring import RecurringBook

TODAY = dt.date(2026, 11, 20)
BILLS = Path(__file__).resolve().parent / "data" / "bills"


@pytest.fixture
def ledger(tmp_path: Path) -> Ledger:
    store = HistoryStore(tmp_path / "ting.db")
    yield Ledger(store)
    store.close()


def say(ledger: Ledger, text: str, day: dt.date = TODAY) -> None:
    ledger.add(ExpenseParser().parse(text, day), key=uuid.uuid4().hex, utterance=text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("把餐饮预算设成两千", BudgetSet("food", Decimal(2000), None)),
        ("交通预算改成五百块", BudgetSet("transport", Decimal(500), "CNY")),
        ("我的购物预算是1500元", BudgetSet("shopping", Decimal(1500), "CNY")),
        ("set my food budget to 2000", BudgetSet("food", Decimal(2000), None)),
        ("travel budget 3000 a month", BudgetSet("travel", Decimal(3000), None)),
        ("这个月餐饮预算还剩多少", BudgetQuery("food", dt.date(2026, 11, 1))),
        ("上个月交通预算超了吗", BudgetQuery("transport", dt.date(2026, 10, 1))),
        ("预算情况", BudgetQuery(None, TODAY)),
        ("how much of my travel budget is left", BudgetQuery("travel", TODAY)),
        ("budget status", BudgetQuery(None, TODAY)),
        ("午饭35", None),
        ("预算用英语怎么说 budget", BudgetQuery(None, TODAY)),
    ],
)
def test_spoken_budgets(text: str, expected: object) -> None:
    assert parse_budget(text, TODAY) == expected


@pytest.mark.parametrize(
    ("text", "mentions"),
    [("预算两千", "which category"), ("把餐饮预算设成负两千", "negative")],
)
def test_spoken_budgets_that_cannot_be_set_say_why(text: str, mentions: str) -> None:
    with pytest.raises(UsageError, match=mentions):
        parse_budget(text, TODAY)


@pytest.mark.parametrize(
    ("text", "day", "amount", "category"),
    [
        ("每月一号房租四千五", 1, 4500, "housing"),
        ("每个月15号还房贷三千二", 15, 3200, "housing"),
        ("每月月底交网费一百", 31, 100, "utilities"),
        ("every month on the 1st rent 4500", 1, 4500, "housing"),
        ("rent 4500 on the 1st of every month", 1, 4500, "housing"),
    ],
)
def test_spoken_recurring_entries(text: str, day: int, amount: int, category: str) -> None:
    found = parse_recurring(text, TODAY, ExpenseParser())
    assert found is not None
    assert (found.day, found.entry.amount, found.entry.category) == (day, amount, category)


def test_a_recurring_entry_needs_a_real_day_and_one_amount() -> None:
    with pytest.raises(UsageError, match="no day 32"):
        parse_recurring("每月32号房租4500", TODAY, ExpenseParser())
    with pytest.raises(UsageError, match="one amount"):
        parse_recurring("每月1号房租4500水费100", TODAY, ExpenseParser())
    assert parse_recurring("午饭35", TODAY, ExpenseParser()) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("导入支付宝账单", (True, None)),
        ("import ~/Downloads/alipay.csv bill", (True, "~/Downloads/alipay.csv")),
        ('把"/tmp/a b.csv"这个账单导入', (True, "/tmp/a b.csv")),
        ("import this", (False, None)),
    ],
)
def test_import_requests_in_words(text: str, expected: tuple) -> None:
    assert parse_import(text) == expected


def test_a_budget_counts_the_months_spending_net_of_refunds(ledger: Ledger) -> None:
    book = BudgetBook(ledger)
    book.set("shopping", Decimal(600), "CNY")
    data = build_plan(BILLS / "alipay_2026-10_gbk.csv", ledger).to_data()
    apply_plan(ledger, data, "k")
    (status,) = book.status(dt.date(2026, 10, 15))
    # 400 cardigan − 100 of it refunded + 45.60 box; the flask refunded in full is in neither
    assert status.spent == Decimal("345.60") and status.left == Decimal("254.40")
    assert book.status(dt.date(2026, 11, 1))[0].spent == 0


def test_warnings_come_once_per_threshold_crossed(ledger: Ledger) -> None:
    book = BudgetBook(ledger)
    book.set("food", Decimal(100), "CNY")

    def add(text: str) -> list[str]:
        entries = ExpenseParser().parse(text, TODAY)
        watch = book.watch([(e.category, e.currency, e.date) for e in entries])
        ledger.add(entries, key=uuid.uuid4().hex)
        return watch.warnings()

    assert add("午饭70") == []
    (eighty,) = add("咖啡15")
    assert "85.00 CNY of 100.00 CNY spent (85%), 15.00 CNY left" in eighty
    assert add("饼干1") == []
    (over,) = add("晚饭60")
    assert "(146%)" in over and "46.00 CNY over" in over
    assert add("打车20") == []  # another category, no budget


def test_a_recurring_entry_on_the_31st_falls_on_the_last_day_of_a_short_month(
    ledger: Ledger,
) -> None:
    book = RecurringBook(ledger)
    (fee,) = ExpenseParser().parse("网费100", TODAY)
    kept = book.add(fee, 31)
    assert book.due(dt.date(2027, 2, 27)) == []
    assert book.due(dt.date(2027, 2, 28)) == [(kept, dt.date(2027, 2, 28))]
    book.recorded(kept.id, dt.date(2027, 2, 28))
    assert book.due(dt.date(2027, 2, 28)) == []
    assert [when for _, when in book.due(dt.date(2027, 3, 31))] == [dt.date(2027, 3, 31)]
    book.remove(kept.id)
    assert book.all() == []


# -- the matcher's rules, as a table ------------------------------------------------------


def row(
    key: str, when: str, amount: str, text: str, category: str, strength: str = STRONG
) -> RowSide:
    return RowSide(
        key=key,
        kind="expense",
        amount=Decimal(amount),
        currency="CNY",
        time=dt.datetime.fromisoformat(when),
        text=text,
        category=Categorised(category, strength, text),
    )


def entry(
    i: int, day: str, amount: str, category: str, item: str, kind: str = "expense"
) -> EntrySide:
    return EntrySide(i, kind, Decimal(amount), "CNY", dt.date.fromisoformat(day), category, item)


def test_the_matcher_merges_pairs_that_agree_and_asks_about_weak_ones() -> None:
    rows = [
        row("coffee", "2026-11-02 09:00", "18", "瑞幸咖啡 瑞幸咖啡订单", "food"),
        row("taxi", "2026-11-02 18:00", "18", "滴滴出行 快车", "transport"),
        row("shop", "2026-11-03 15:00", "200", "永辉超市", "shopping", WEAK),
        row("late", "2026-11-09 12:00", "50", "某餐厅", "food"),
    ]
    entries = [
        entry(1, "2026-11-02", "18", "transport", "打车"),
        entry(2, "2026-11-03", "200", "other", ""),
        entry(3, "2026-11-05", "50", "food", "午饭"),  # four days off: never the same
        entry(4, "2026-11-02", "18", "food", "咖啡", kind="income"),  # another kind
    ]
    found = {(m.row_key, m.entry_id, m.sure) for m in match(rows, entries)}
    assert found == {("taxi", 1, True), ("shop", 2, False)}


def test_meal_times_tell_lunch_from_dinner() -> None:
    rows = [
        row("evening", "2026-11-02 18:40", "35", "外婆家", "food"),
        row("noon", "2026-11-02 12:05", "35", "杭帮菜", "food"),
    ]
    entries = [
        entry(1, "2026-11-02", "35", "food", "午饭"),
        entry(2, "2026-11-02", "35", "food", "晚饭"),
    ]
    assert {(m.row_key, m.entry_id, m.sure) for m in match(rows, entries)} == {
        ("noon", 1, True),
        ("evening", 2, True),
    }


@pytest.mark.parametrize(
    ("item", "text", "agree"),
    [
        ("咖啡", "瑞幸咖啡 订单", True),
        ("房租", "王建国 转账 10月房租", True),
        ("书", "当当网 图书", True),
        ("groceries", "永辉超市", False),
        ("parking", "ETCP parking fee", True),
        ("", "anything", False),
    ],
)
def test_words_agree(item: str, text: str, agree: bool) -> None:
    assert words_agree(item, text) is agree
