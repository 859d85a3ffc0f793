"""`ting expense import|budget|recurring` and the spoken forms, run as a user runs them:
real subprocesses on a real data folder, the bill files of tests/data/bills."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fixtures_core import assert_clean_failure

BILLS = Path(__file__).resolve().parent / "data" / "bills"
ALIPAY_OCT = str(BILLS / "alipay_2026-10_gbk.csv")
WECHAT_OCT = str(BILLS / "wechat_2026-10.csv")
WECHAT_NOV = str(BILLS / "wechat_2026-11.xlsx")


def entries(ting) -> list[dict]:
    ran = ting("expense", "list", "--json")
    assert ran.code == 0, ran
    return json.loads(ran.out)["entries"]


def imported(ting, *args: str) -> dict:
    ran = ting("expense", "import", *args, "--json")
    assert ran.code == 0, ran
    return json.loads(ran.out)


def test_import_twice_adds_nothing_and_one_undo_takes_it_back(ting) -> None:
    assert ting("expense", "add", "午饭35", "--yes", "--today", "2026-10-05").code == 0
    first = imported(ting, ALIPAY_OCT, "--yes")
    assert first["written"] and len(first["added"]) == 8 and len(first["merged"]) == 1
    assert first["summary"]["skipped_because"]["refunded in full"] == 2
    count = len(entries(ting))
    again = imported(ting, ALIPAY_OCT, "--yes")
    assert again["written"] is False and again["summary"]["add"] == 0
    assert len(entries(ting)) == count
    undo = ting("expense", "undo", "--yes")
    assert undo.code == 0 and "Undo the import of alipay_2026-10_gbk.csv" in undo.out
    assert [(e["item"], e["amount"]) for e in entries(ting)] == [("午饭", 35)]


def test_a_spoken_lunch_and_its_bill_row_are_one_entry(ting) -> None:
    assert ting("expense", "add", "昨天夜宵六十八", "--yes", "--today", "2026-10-07").code == 0
    result = imported(ting, WECHAT_OCT, "--yes")
    assert len(result["merged"]) == 1 and result["merge"][0]["sure"] is True
    suppers = [e for e in entries(ting) if e["amount"] == 68]
    assert len(suppers) == 1 and suppers[0]["item"] == "夜宵"
    assert suppers[0]["date"] == "2026-10-07"  # the bill's date, 00:41 the next day


def test_without_a_terminal_or_yes_nothing_is_written(ting) -> None:
    ran = ting("expense", "import", ALIPAY_OCT)
    assert ran.code == 3 and "confirm with --yes" in ran.err
    assert "Merge with what you said" not in ran.out and "add 9" in ran.out
    dry = ting("expense", "import", ALIPAY_OCT, "--dry-run", "--yes")
    assert dry.code == 0 and "Dry run: nothing was written" in dry.err
    plan = imported(ting, ALIPAY_OCT)  # --json without --yes: the plan, not written
    assert plan["written"] is False and len(plan["add"]) == 9
    assert entries(ting) == []


@pytest.mark.parametrize(
    ("name", "args", "mentions"),
    [
        ("bad_alipay_truncated.csv", (), "cut short"),
        ("bad_wechat_truncated.xlsx", (), "cut short"),
        ("bad_unknown_layout.csv", (), "not a bill layout Ting knows"),
        ("bad_not_a_bill.xlsx", (), "not a bill Ting knows"),
        ("bank_other_hk.csv", (), "--map date=COLUMN"),
        ("wechat_2026-10.csv", ("--source", "alipay"), "is a WeChat Pay bill, not an Alipay bill"),
        (
            "bank_cmb_2026.csv",
            ("--map", "date=记账日期,amount=余额"),
            "has no header row with the columns 记账日期, 余额",
        ),
        ("bank_cmb_2026.csv", ("--source", "paypal"), "--source must be one of"),
    ],
)
def test_bad_bills_are_one_clear_line_and_write_nothing(
    ting, name: str, args: tuple, mentions: str
) -> None:
    assert ting("expense", "add", "午饭35", "--yes").code == 0
    ran = ting("expense", "import", str(BILLS / name), *args, "--yes")
    assert_clean_failure(ran, code=2, mentions=mentions)
    assert [e["item"] for e in entries(ting)] == ["午饭"]


def test_wechat_csv_then_xlsx_overlapping_books_each_row_once(ting) -> None:
    imported(ting, WECHAT_OCT, "--yes")
    second = imported(ting, WECHAT_NOV, "--yes")
    assert len(second["added"]) == 3
    assert sum(s["reason"].startswith("already imported") for s in second["skip"]) == 3


def test_a_bank_mapping_is_shown_once_then_remembered(ting) -> None:
    first = ting("expense", "import", str(BILLS / "bank_cmb_2026.csv"), "--yes")
    assert first.code == 0 and "columns (remembered for this bank once you say yes)" in first.out
    again = ting("expense", "import", str(BILLS / "bank_cmb_2026.csv"), "--dry-run")
    assert again.code == 0 and "columns (remembered" not in again.out and "add 0" in again.out


def test_budgets_set_list_and_warn_at_80_and_100_percent(ting) -> None:
    ran = ting("expense", "budget", "set", "餐饮", "100", "--monthly", "--json")
    assert ran.code == 0, ran
    assert json.loads(ran.out)["budget"]["category"] == "food"
    eighty = ting("expense", "add", "lunch 85 yuan", "--yes")
    assert (
        eighty.code == 0 and "Budget warning: food budget" in eighty.out and "(85%)" in eighty.out
    )
    quiet = ting("expense", "add", "咖啡5", "--yes")
    assert "Budget warning" not in quiet.out and "预算提醒" not in quiet.out  # 90%: nothing crossed
    over = ting("expense", "add", "晚饭20", "--yes")
    assert "预算提醒" in over.out and "（110%）" in over.out and "超出 10.00 CNY" in over.out
    listed = json.loads(ting("expense", "budget", "list", "--json").out)["budgets"]
    assert [(b["category"], b["spent"], b["left"]) for b in listed] == [("food", 110, -10)]
    assert_clean_failure(
        ting("expense", "budget", "set", "salary", "100"),
        code=2,
        mentions="unknown category 'salary'",
    )
    assert_clean_failure(
        ting("expense", "budget", "set", "food", "--", "-5"), code=2, mentions="negative"
    )
    assert_clean_failure(
        ting("expense", "budget", "set", "food", "lots"), code=2, mentions="an amount like 2000"
    )
    assert ting("expense", "budget", "remove", "food").code == 0
    assert json.loads(ting("expense", "budget", "list", "--json").out)["budgets"] == []


def test_spoken_budgets_go_through_ting_ask(ting) -> None:
    set_ = ting("ask", "把餐饮预算设成两千", "--skill", "bookkeeping", "--yes")
    assert set_.code == 0 and "餐饮预算已设为每月 2,000.00 CNY" in set_.out
    assert ting("expense", "add", "午饭35", "--yes").code == 0
    left = ting("ask", "这个月餐饮预算还剩多少", "--skill", "bookkeeping", "--json")
    result = [e for e in left.json_lines() if e["type"] == "result"][0]
    assert result["payload"]["budgets"][0]["left"] == 1965
    assert "还剩 1,965.00 CNY" in result["text"]
    english = ting("ask", "how much of my travel budget is left", "--skill", "bookkeeping")
    assert english.code == 0 and "no travel budget yet" in english.out


def test_a_recurring_entry_is_proposed_on_its_day_and_recorded_once(ting) -> None:
    kept = ting("ask", "每月一号房租四千五", "--skill", "bookkeeping", "--yes")
    assert kept.code == 0 and "every month on day 1" in kept.out
    assert (
        json.loads(ting("expense", "recurring", "list", "--json").out)["recurring"][0]["amount"]
        == 4500
    )
    due = ting("expense", "recurring", "due", "--today", "2026-11-03", "--yes")
    assert due.code == 0 and "Recorded 1 entry" in due.out
    assert [(e["date"], e["item"], e["amount"]) for e in entries(ting)] == [
        ("2026-11-01", "房租", 4500)
    ]
    again = ting("expense", "recurring", "due", "--today", "2026-11-20", "--yes")
    assert "Nothing recurring is due" in again.out
    december = ting("expense", "recurring", "due", "--today", "2026-12-01", "--yes")
    assert "Recorded 1 entry" in december.out


@pytest.mark.parametrize(
    "text",
    [
        "把餐饮预算设成两千",
        "这个月餐饮预算还剩多少",
        "how much of my travel budget is left",
        "set my food budget to 2000",
        "每月一号房租四千五",
        "导入支付宝账单",
    ],
)
def test_budget_and_import_requests_route_to_bookkeeping(ting, text: str) -> None:
    ran = ting("route", text, "--json", "--offline")
    assert ran.code == 0 and json.loads(ran.out)["skill"] == "bookkeeping", ran.out
