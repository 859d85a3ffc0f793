"""Bill imports on a real SQLite ledger, from the bill files in tests/data/bills (built to
the published layouts of each export; SOURCES.md says where each is documented).

What must hold: the same bills imported twice add nothing; a spoken entry and its bill
row end as one entry; refunds and transfers are booked as the exports mean them; one
undo takes an import back; bad files change nothing.
"""

from __future__ import annotations

import datetime as dt
import shutil
import uuid
from decimal import Decimal
from pathlib import Path

import pytest

from assistant.errors import UsageError
from assistant.history import HistoryStore
from skills.bookkeeping.bills.importing import apply_plan, build_plan, parse_mapping
from skills.bookkeeping.bills.reading import MappingNeeded, read_bill
from skills.bookkeeping.bills.rows import CLOSED, EXPENSE, INCOME, NEUTRAL, PENDING
from skills.bookkeeping.bills.store import BillStore
from skills.bookkeeping.ledger import Ledger
from skills.bookkeeping.parser import ExpenseParser

BILLS = Path(__file__).resolve().parent / "data" / "bills"
ALIPAY_OCT = BILLS / "alipay_2026-10_gbk.csv"
ALIPAY_NOV = BILLS / "alipay_2026-11_utf8.csv"
ALIPAY_WEB = BILLS / "alipay_web_2019-12_gbk.txt"
WECHAT_OCT = BILLS / "wechat_2026-10.csv"
WECHAT_NOV = BILLS / "wechat_2026-11.xlsx"
BANK_CMB = BILLS / "bank_cmb_2026.csv"
BANK_ICBC = BILLS / "bank_icbc_2026-11.csv"


@pytest.fixture
def ledger(tmp_path: Path) -> Ledger:
    store = HistoryStore(tmp_path / "ting.db")
    yield Ledger(store)
    store.close()


def say(ledger: Ledger, text: str, day: dt.date) -> list[int]:
    entries = ExpenseParser().parse(text, day)
    return ledger.add(entries, key=uuid.uuid4().hex, utterance=text).entry_ids


def run_import(ledger: Ledger, path: Path, *, accept: bool = True, **kwargs) -> tuple[dict, object]:
    plan = build_plan(path, ledger, **kwargs)
    data = plan.to_data()
    for item in data["merge"]:
        item["accept"] = item["accept"] or accept
    return data, apply_plan(ledger, data, uuid.uuid4().hex)


def live(ledger: Ledger) -> list[tuple[str, str, Decimal, str, str]]:
    return sorted(
        (e.date.isoformat(), e.kind, e.amount, e.category, e.item) for e in ledger.entries()
    )


# -- reading the layouts --------------------------------------------------------------


def test_the_current_alipay_layout_in_gbk_reads_as_alipay_means_it() -> None:
    bill = read_bill(ALIPAY_OCT)
    assert bill.source == "alipay" and bill.layout == "alipay-2023" and "GBK" in bill.label
    assert bill.period == (dt.date(2026, 10, 1), dt.date(2026, 10, 31))
    assert len(bill.rows) == 16
    by_goods = {r.goods: r for r in bill.rows}
    lunch = by_goods["老娘舅(文三路店)消费"]
    assert (lunch.direction, lunch.amount, lunch.method, lunch.txn_id) == (
        EXPENSE,
        Decimal("35.00"),
        "花呗",
        "2026100522001104561234560005",  # the tab Alipay puts after long numbers is gone
    )
    refund = by_goods["退款-不锈钢保温杯"]
    assert refund.refund and refund.direction == INCOME
    assert refund.refund_of == "2026101222001104561234560012"
    assert by_goods["不锈钢保温杯"].state == CLOSED
    assert by_goods["蓝牙耳机"].state == PENDING
    assert by_goods["余额宝-单次转入"].direction == NEUTRAL


def test_the_current_alipay_layout_in_utf8_with_a_bom_reads_the_same_way() -> None:
    bill = read_bill(ALIPAY_NOV)
    assert bill.layout == "alipay-2023" and "UTF-8" in bill.label
    assert [r.amount for r in bill.rows][-1] == Decimal("120.00")


def test_the_older_website_layout_keeps_fees_and_refunds_on_the_row() -> None:
    bill = read_bill(ALIPAY_WEB)
    assert bill.layout == "alipay-web"
    rows = {r.goods: r for r in bill.rows}
    assert rows["转账"].fee == Decimal("2.00")
    assert rows["加湿器"].refunded == Decimal("159.00")
    assert rows["转入到余额宝"].direction == NEUTRAL  # 资金状态 资金转移, 收/支 empty
    assert rows["圣诞树装饰"].state == CLOSED  # closed with no 资金状态: never paid


def test_wechat_csv_and_xlsx_read_alike() -> None:
    csv_bill, xlsx_bill = read_bill(WECHAT_OCT), read_bill(WECHAT_NOV)
    assert csv_bill.layout == "wechat-csv" and xlsx_bill.layout == "wechat-xlsx"
    shared = {r.txn_id: r for r in csv_bill.rows}
    for row in xlsx_bill.rows:
        if row.txn_id in shared:
            other = shared[row.txn_id]
            assert (row.time, row.amount, row.payee, row.direction) == (
                other.time,
                other.amount,
                other.payee,
                other.direction,
            )
    withdrawal = next(r for r in csv_bill.rows if r.hint == "零钱提现")
    assert withdrawal.direction == NEUTRAL and withdrawal.fee == Decimal("0.20")
    assert withdrawal.amount == Decimal("200.00")  # the printed 200.20 holds the fee
    lamp = next(r for r in csv_bill.rows if r.goods == "京东订单-LED台灯" and not r.refund)
    assert lamp.refunded == Decimal("30.00")  # 已退款(￥30.00)


@pytest.mark.parametrize(
    ("name", "mentions"),
    [
        ("bad_alipay_truncated.csv", "cut short"),
        ("bad_wechat_truncated.xlsx", "cut short"),
        ("bad_unknown_layout.csv", "not a bill layout"),
        ("bad_not_a_bill.xlsx", "not a bill"),
        ("bank_other_hk.csv", "--map"),
    ],
)
def test_bad_files_are_one_clear_error_and_write_nothing(
    ledger: Ledger, name: str, mentions: str
) -> None:
    before = ledger.count()
    with pytest.raises(UsageError) as err:
        build_plan(BILLS / name, ledger)
    assert mentions in err.value.message and "\n" not in err.value.message
    assert ledger.count() == before


def test_a_file_named_for_another_source_is_refused(ledger: Ledger) -> None:
    with pytest.raises(UsageError, match="is a WeChat Pay bill, not an Alipay bill"):
        build_plan(WECHAT_OCT, ledger, source="alipay")
    with pytest.raises(UsageError, match="not a WeChat Pay bill"):
        build_plan(BANK_CMB, ledger, source="wechat")


def test_an_xlsx_with_number_and_date_cells_reads_like_text_cells(tmp_path: Path) -> None:
    import openpyxl

    source = openpyxl.load_workbook(WECHAT_NOV)
    sheet = source.active
    header_row = next(
        i for i, row in enumerate(sheet.iter_rows(values_only=True), 1) if row[0] == "交易时间"
    )
    for r in range(header_row + 1, sheet.max_row + 1):
        when, amount = sheet.cell(r, 1), sheet.cell(r, 6)
        when.value = dt.datetime.fromisoformat(str(when.value))  # a date cell, not text
        amount.value = float(str(amount.value).lstrip("¥"))  # a number cell
    edited = tmp_path / "numbers.xlsx"
    source.save(edited)
    as_text, as_numbers = read_bill(WECHAT_NOV), read_bill(edited)
    assert [(r.time, r.amount, r.txn_id) for r in as_numbers.rows] == [
        (r.time, r.amount, r.txn_id) for r in as_text.rows
    ]


def test_a_wallet_bill_named_as_a_bank_csv_is_refused(ledger: Ledger) -> None:
    with pytest.raises(UsageError, match="is an Alipay bill, not a bank CSV"):
        build_plan(ALIPAY_OCT, ledger, source="csv")


def test_a_row_count_that_disagrees_with_the_header_is_a_cut_file(tmp_path: Path) -> None:
    text = WECHAT_OCT.read_text(encoding="utf-8-sig").splitlines()
    cut = tmp_path / "wechat_cut.csv"
    cut.write_text("\n".join(text[:-3]) + "\n", encoding="utf-8")  # whole rows missing
    with pytest.raises(UsageError, match="cut short: the WeChat Pay bill says 17 records"):
        read_bill(cut)


# -- importing ---------------------------------------------------------------------------


def test_importing_the_same_bills_twice_adds_nothing(ledger: Ledger) -> None:
    for path in (ALIPAY_OCT, ALIPAY_NOV, ALIPAY_WEB, WECHAT_OCT, WECHAT_NOV):
        run_import(ledger, path)
    after_first = live(ledger)
    for path in (ALIPAY_OCT, ALIPAY_NOV, ALIPAY_WEB, WECHAT_OCT, WECHAT_NOV):
        plan = build_plan(path, ledger)
        assert plan.add == [] and plan.merge == [], path.name
        run_import(ledger, path)
    assert live(ledger) == after_first


def test_rows_in_two_overlapping_exports_are_booked_once(ledger: Ledger) -> None:
    run_import(ledger, WECHAT_OCT)
    data, applied = run_import(ledger, WECHAT_NOV)
    assert len(applied.added) == 3
    reasons = [s["reason"] for s in data["skip"]]
    assert sum(r.startswith("already imported") for r in reasons) == 3
    hotpot = [
        e for e in ledger.entries() if e.amount == Decimal(200) and e.date == dt.date(2026, 11, 2)
    ]
    assert len(hotpot) == 1


def test_a_spoken_entry_and_its_bill_row_end_as_one_entry(ledger: Ledger) -> None:
    (lunch,) = say(ledger, "午饭35", dt.date(2026, 10, 5))
    (taxi,) = say(ledger, "打车18", dt.date(2026, 10, 14))
    data, applied = run_import(ledger, ALIPAY_OCT, accept=False)
    assert sorted(applied.merged) == [lunch, taxi]
    lunches = [e for e in ledger.entries() if e.amount == Decimal(35)]
    assert [(e.id, e.item, e.category) for e in lunches] == [(lunch, "午饭", "food")]
    links = BillStore(ledger).link("alipay", "2026100522001104561234560005")
    assert links is not None and links.entry_id == lunch and links.role == "merged"
    # the next import of the same bill finds the row already taken
    assert build_plan(ALIPAY_OCT, ledger).merge == []


def test_an_uncertain_match_is_asked_and_a_no_adds_the_row(ledger: Ledger) -> None:
    (movie,) = say(ledger, "看电影花了129", dt.date(2026, 10, 11))  # said two days late
    plan = build_plan(ALIPAY_OCT, ledger)
    assert [(m["entry_id"], m["sure"]) for m in plan.merge] == [(movie, False)]
    data = plan.to_data()
    data["merge"][0]["accept"] = False
    apply_plan(ledger, data, "k-no")
    assert len([e for e in ledger.entries() if e.amount == Decimal(129)]) == 2


def test_an_uncertain_match_said_yes_to_is_merged_and_takes_the_bills_date(ledger: Ledger) -> None:
    (movie,) = say(ledger, "看电影花了129", dt.date(2026, 10, 11))
    data, applied = run_import(ledger, ALIPAY_OCT, accept=True)
    assert movie in applied.merged
    assert ledger.get(movie).date == dt.date(2026, 10, 9)


def test_refunds_are_matched_to_their_purchases(ledger: Ledger) -> None:
    run_import(ledger, ALIPAY_OCT)
    entries = live(ledger)
    # the flask refunded in full (purchase 交易关闭 + refund row): neither is booked
    assert not [e for e in entries if e[4] == "不锈钢保温杯"]
    # the cardigan refunded in part: the purchase and the refund, linked
    cardigan = [e for e in entries if e[4] == "女装秋冬羊毛开衫"]
    assert sorted(cardigan) == [
        ("2026-10-15", "expense", Decimal("400.00"), "shopping", "女装秋冬羊毛开衫"),
        ("2026-10-18", "income", Decimal("100.00"), "refund", "女装秋冬羊毛开衫"),
    ]
    bills = BillStore(ledger)
    purchase = bills.link("alipay", "2026101522001104561234560015")
    refund = bills.link("alipay", "2026101522001104561234560015_26101814023300001")
    row = ledger.db.execute(
        "select refund_of_entry from ledger_bill_links where txn_id = ?", (refund.txn_id,)
    ).fetchone()
    assert row[0] == purchase.entry_id


def test_wechat_refunds_without_numbers_are_matched_by_payee_and_amount(ledger: Ledger) -> None:
    run_import(ledger, WECHAT_OCT)
    entries = live(ledger)
    assert not [e for e in entries if e[4] == "美团外卖"]  # 已全额退款 + its refund row
    assert [e[1:4] for e in entries if e[4] == "LED台灯"] == [
        ("expense", Decimal("129.00"), "shopping"),
        ("income", Decimal("30.00"), "refund"),
    ]


def test_a_refund_in_a_later_export_finds_its_purchase(ledger: Ledger, tmp_path: Path) -> None:
    # the purchase alone in one export, its refund alone in the next
    lines = ALIPAY_OCT.read_bytes().decode("gbk").splitlines()
    header_at = next(i for i, line in enumerate(lines) if line.startswith("交易时间"))
    head, rows = lines[: header_at + 1], lines[header_at + 1 :]
    purchase = [r for r in rows if r.startswith("2026-10-15")]
    refund = [r for r in rows if r.startswith("2026-10-18")]

    def export(name: str, picked: list[str]) -> Path:
        text = "\n".join(head).replace("共16笔记录", f"共{len(picked)}笔记录") + "\n"
        path = tmp_path / name
        path.write_bytes((text + "\n".join(picked) + "\n").encode("gbk"))
        return path

    run_import(ledger, export("a.csv", purchase))
    run_import(ledger, export("b.csv", refund))
    bills = BillStore(ledger)
    link = bills.link("alipay", "2026101522001104561234560015_26101814023300001")
    purchase_entry = bills.link("alipay", "2026101522001104561234560015").entry_id
    refund_of = ledger.db.execute(
        "select refund_of_entry from ledger_bill_links where id = (select max(id) from ledger_bill_links)"
    ).fetchone()[0]
    assert link.role == "added" and refund_of == purchase_entry


def test_transfers_between_own_accounts_pending_and_closed_trades_are_not_booked(
    ledger: Ledger,
) -> None:
    data, _ = run_import(ledger, ALIPAY_OCT)
    skipped = {s["row"]["goods"]: s["reason"] for s in data["skip"]}
    assert skipped["余额宝-单次转入"].startswith("investment")
    assert skipped["花呗主动还款-2026年10月账单"].startswith("money between your own accounts")
    assert skipped["蓝牙耳机"].startswith("not paid yet")
    assert skipped["抽纸 3提"].startswith("closed, no money moved")
    data, _ = run_import(ledger, WECHAT_OCT)
    skipped = {(s["row"]["hint"], s["row"]["amount"]): s["reason"] for s in data["skip"]}
    assert skipped[("零钱充值", "500.00")].startswith("money between your own accounts (中性交易)")
    assert skipped[("转账", "50.00")].startswith("closed")  # 对方已退还
    assert skipped[("转账", "20.00")].startswith("not paid yet")  # 朋友未收钱
    fees = [e for e in ledger.entries() if e.item == "服务费"]
    assert [(e.amount, e.category) for e in fees] == [(Decimal("0.20"), "other")]


def test_a_bank_mapping_is_confirmed_once_and_remembered_for_that_bank_only(ledger: Ledger) -> None:
    plan = build_plan(BANK_CMB, ledger)
    assert plan.new_mapping and plan.profile["mapping"]["amount"] == "交易金额"
    apply_plan(ledger, plan.to_data(), "k-bank")
    again = build_plan(BANK_CMB, ledger)
    assert not again.new_mapping and again.add == []
    other = build_plan(BANK_ICBC, ledger)  # another bank: its own question
    assert other.new_mapping and other.profile["mapping"]["income"] == "交易金额(收入)"
    assert isinstance(read_bill(BANK_ICBC, profiles=BillStore(ledger).profiles()), MappingNeeded)


def test_a_bank_payment_through_a_wallet_is_booked_once(ledger: Ledger) -> None:
    run_import(ledger, ALIPAY_OCT)
    data, _ = run_import(ledger, BANK_CMB)
    power = [e for e in ledger.entries() if e.amount == Decimal(210)]
    assert len(power) == 1
    mirrored = {m["row"]["payee"]: m["reason"] for m in data["mirror"]}
    assert mirrored["支付宝-国网浙江省电力公司"].startswith("already imported from the Alipay bill")
    salary = [e for e in ledger.entries() if e.category == "salary"]
    assert [(e.amount, e.kind) for e in salary] == [(Decimal("12000.00"), "income")]
    own = [
        s for s in data["skip"] if s["reason"].startswith("a transfer between your own accounts")
    ]
    assert len(own) == 5  # 余额宝, ATM, 零钱提现, 花呗, 零钱充值


def test_a_wallet_payment_imported_after_the_bank_is_booked_once(ledger: Ledger) -> None:
    run_import(ledger, BANK_CMB)
    data, _ = run_import(ledger, ALIPAY_OCT)
    assert len([e for e in ledger.entries() if e.amount == Decimal(210)]) == 1
    assert any(
        m["reason"].startswith("already imported from a bank statement") for m in data["mirror"]
    )


def test_a_mapping_given_with_map_reads_a_layout_nobody_guessed(ledger: Ledger) -> None:
    other = BILLS / "bank_other_hk.csv"
    mapping = parse_mapping("date=Value Date,amount=Value,memo=Narrative,balance=Running Balance")
    with pytest.raises(UsageError, match="not a date"):
        build_plan(other, ledger, mapping=mapping)  # 03/11/2026: which is the month?
    mapping = parse_mapping("date=Value Date,amount=Value,memo=Narrative,dates=dmy")
    plan = build_plan(other, ledger, mapping=mapping)
    assert [(a["entry"]["date"], a["entry"]["kind"], a["entry"]["amount"]) for a in plan.add] == [
        ("2026-11-03", "expense", 200),
        ("2026-11-12", "income", 28000),
    ]
    assert plan.add[0]["row"]["currency"] == "CNY"  # no currency column: the export's own
    assert plan.new_mapping and plan.profile["dates"] == "dmy"


def test_transfers_to_accounts_named_as_your_own_are_not_spending(ledger: Ledger) -> None:
    mapping = parse_mapping(
        "date=记账日期,amount=交易金额,payee=对手信息,memo=交易摘要+客户摘要,balance=联机余额,own=王建国"
    )
    plan = build_plan(BANK_CMB, ledger, mapping=mapping)
    reasons = {s["row"]["payee"]: s["reason"] for s in plan.skip}
    assert reasons["王建国 6222021202012345678"] == "a transfer between your own accounts"
    assert plan.profile["own_names"] == ["王建国"]
    apply_plan(ledger, plan.to_data(), "own")
    again = build_plan(BANK_CMB, ledger)  # the remembered mapping keeps the own accounts
    assert not again.new_mapping and again.add == []


def test_one_undo_takes_the_whole_import_back(ledger: Ledger) -> None:
    (lunch,) = say(ledger, "午饭35", dt.date(2026, 10, 4))  # said a day early
    before = live(ledger)
    data, applied = run_import(ledger, ALIPAY_OCT)
    assert lunch in applied.merged and ledger.get(lunch).date == dt.date(2026, 10, 5)
    undone = ledger.undo()
    assert undone.action == "import" and undone.id == applied.journal_id
    assert live(ledger) == before  # added entries gone, the merged one back to its date
    assert BillStore(ledger).link("alipay", "2026100522001104561234560005") is None
    # and the same file can be imported again
    _, again = run_import(ledger, ALIPAY_OCT)
    assert len(again.added) == len(applied.added) and again.merged == [lunch]


def test_the_same_confirmation_applied_twice_writes_once(ledger: Ledger) -> None:
    data = build_plan(ALIPAY_NOV, ledger).to_data()
    first = apply_plan(ledger, data, "same-key")
    second = apply_plan(ledger, data, "same-key")
    assert second.already_applied and ledger.count() == len(first.added)


def test_rows_imported_meanwhile_are_not_written_twice(ledger: Ledger) -> None:
    stale = build_plan(ALIPAY_NOV, ledger).to_data()
    run_import(ledger, ALIPAY_NOV)
    applied = apply_plan(ledger, stale, "stale")
    assert applied.added == [] and len(applied.skipped) == 6


def test_a_corrected_category_is_used_for_that_payee_next_time(
    ledger: Ledger, tmp_path: Path
) -> None:
    run_import(ledger, WECHAT_NOV)
    parking = next(e for e in ledger.entries() if e.item == "个体商户张**")
    assert parking.category == "other"
    ledger.amend(parking.id, {"category": "food"})
    copy = tmp_path / "again.xlsx"
    shutil.copy(WECHAT_NOV, copy)
    ledger.undo()  # the amendment
    ledger.undo()  # the import
    run_import(ledger, copy)
    again = next(e for e in ledger.entries() if e.item == "个体商户张**")
    assert again.category == "food"
