"""The ledger on a real SQLite file: writes, undo, amend, remembered categories, SQL
totals, and durability when the writing process is killed with SIGKILL."""

from __future__ import annotations

import datetime as dt
import os
import random
import signal
import sqlite3
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from assistant.errors import SkillError, UsageError
from assistant.history import HistoryStore
from skills.bookkeeping.ledger import Ledger
from skills.bookkeeping.parser import ExpenseParser, ParsedEntry

ROOT = Path(__file__).resolve().parent.parent
TODAY = dt.date(2024, 5, 15)


@pytest.fixture
def ledger(tmp_path: Path) -> Ledger:
    store = HistoryStore(tmp_path / "ting.db")
    yield Ledger(store)
    store.close()


def parse(text: str) -> list[ParsedEntry]:
    return ExpenseParser().parse(text, TODAY)


def test_a_batch_is_written_once_per_key(ledger: Ledger) -> None:
    history_id = ledger.store.start("早饭12，午饭35", origin="voice", skill="bookkeeping")
    first = ledger.add(
        parse("早饭12，午饭35"), key="k1", utterance="早饭12，午饭35", history_id=history_id
    )
    again = ledger.add(parse("早饭12，午饭35"), key="k1", utterance="早饭12，午饭35")
    assert not first.already_recorded and again.already_recorded
    assert again.entry_ids == first.entry_ids
    rows = ledger.entries()
    assert [(e.item, e.amount, e.history_id, e.utterance) for e in rows] == [
        ("早饭", Decimal(12), history_id, "早饭12，午饭35"),
        ("午饭", Decimal(35), history_id, "早饭12，午饭35"),
    ]


def test_undo_reverses_the_last_write_and_a_retry_does_not_bring_it_back(ledger: Ledger) -> None:
    ledger.add(parse("午饭35"), key="a")
    second = ledger.add(parse("打车20，咖啡18"), key="b")
    undone = ledger.undo()
    assert undone.id == second.journal_id and undone.action == "add"
    assert [e.item for e in ledger.entries()] == ["午饭"]
    assert ledger.add(parse("打车20，咖啡18"), key="b").already_recorded
    assert [e.item for e in ledger.entries()] == ["午饭"]
    ledger.undo()
    assert ledger.entries() == []
    with pytest.raises(SkillError, match="nothing to undo"):
        ledger.undo()


def test_undo_of_a_stale_proposal_is_refused(ledger: Ledger) -> None:
    first = ledger.add(parse("午饭35"), key="a")
    ledger.add(parse("晚饭50"), key="b")
    with pytest.raises(SkillError, match="changed"):
        ledger.undo(journal_id=first.journal_id)
    assert len(ledger.entries()) == 2


def test_amend_then_undo_restores_the_entry(ledger: Ledger) -> None:
    outcome = ledger.add(parse("午饭35"), key="a")
    entry_id = outcome.entry_ids[0]
    ledger.amend(entry_id, {"amount": 45})
    assert ledger.get(entry_id).amount == Decimal(45)
    ledger.undo()
    assert ledger.get(entry_id).amount == Decimal(35)
    # undo again removes the original add
    ledger.undo()
    assert ledger.get(entry_id) is None


def test_amend_validates_and_remembers_a_category(ledger: Ledger) -> None:
    entry_id = ledger.add(parse("健身房年卡2999"), key="a").entry_ids[0]
    with pytest.raises(UsageError, match="not an expense category"):
        ledger.amend(entry_id, {"category": "pets"})
    with pytest.raises(UsageError, match="zero"):
        ledger.amend(entry_id, {"amount": 0})
    ledger.amend(entry_id, {"category": "entertainment"})
    assert ledger.remembered() == {"健身房年卡": "entertainment"}
    learned = ExpenseParser(remembered=ledger.remembered())
    assert learned.parse("健身房年卡1999", TODAY)[0].category == "entertainment"


def test_totals_are_computed_in_sql_per_currency(ledger: Ledger) -> None:
    ledger.add(parse("午饭35.5，打车20，晚饭 $12.25"), key="a")
    ledger.add(parse("昨天早饭8"), key="b")
    ledger.add(parse("工资8000"), key="c")
    food = ledger.totals(TODAY - dt.timedelta(days=1), TODAY, category="food")
    assert [(t.currency, t.amount, t.count) for t in food] == [
        ("CNY", Decimal("43.5"), 2),
        ("USD", Decimal("12.25"), 1),
    ]
    income = ledger.totals(TODAY, TODAY, kind="income")
    assert [(t.currency, t.amount) for t in income] == [("CNY", Decimal(8000))]
    by_category = ledger.totals_by_category(TODAY, TODAY)
    assert {(r["kind"], r["category"], r["currency"]): r["amount"] for r in by_category} == {
        ("expense", "food", "CNY"): Decimal("35.5"),
        ("expense", "food", "USD"): Decimal("12.25"),
        ("expense", "transport", "CNY"): Decimal(20),
        ("income", "salary", "CNY"): Decimal(8000),
    }


def test_the_schema_refuses_a_non_positive_amount_even_past_the_parser(ledger: Ledger) -> None:
    bad = ParsedEntry(Decimal(0), "CNY", "food", "x", TODAY, "expense")
    with pytest.raises(sqlite3.IntegrityError):
        ledger.add([bad], key="z")
    assert ledger.entries() == [] and ledger.last_action() is None


# -- SIGKILL durability ----------------------------------------------------------------

WRITER = r"""
import datetime as dt, sys
from decimal import Decimal
from assistant.history import HistoryStore
from skills.bookkeeping.ledger import Ledger
from skills.bookkeeping.parser import ParsedEntry

path, batches = sys.argv[1], int(sys.argv[2])
ledger = Ledger(HistoryStore(path))
for i in range(batches):
    entries = [
        ParsedEntry(Decimal(i) + Decimal(j + 1) / 100, "CNY", "food", f"item{i}-{j}",
                    dt.date(2024, 5, 15), "expense")
        for j in range(3)
    ]
    outcome = ledger.add(entries, key=f"batch-{i}", utterance=f"utterance {i}")
    print(f"confirmed batch-{i} {'again' if outcome.already_recorded else 'new'}", flush=True)
"""


def _start_writer(db: Path, batches: int) -> subprocess.Popen[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.Popen(
        [sys.executable, "-c", WRITER, str(db), str(batches)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=str(ROOT),
    )


def _check(db: Path, confirmed: set[str]) -> dict[str, int]:
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("pragma integrity_check").fetchone()[0] == "ok"
        counts: dict[str, int] = {}
        for (key,) in conn.execute("select entry_key from ledger_entries"):
            batch = key.rsplit(":", 1)[0]
            counts[batch] = counts.get(batch, 0) + 1
        journal = conn.execute("select count(*) from ledger_journal").fetchone()[0]
    finally:
        conn.close()
    assert all(n == 3 for n in counts.values()), counts  # a batch is all there or absent
    assert confirmed <= set(counts), sorted(confirmed - set(counts))  # nothing confirmed lost
    assert journal == len(counts)  # one journal row per written batch, none doubled
    return counts


def test_sigkill_while_writing_loses_and_doubles_nothing(tmp_path: Path) -> None:
    db = tmp_path / "ting.db"
    batches = 60
    rng = random.Random(20240515)
    confirmed: set[str] = set()
    kills = 0
    while kills < 24:
        proc = _start_writer(db, batches)
        assert proc.stdout is not None
        wanted_new = rng.randint(1, 4)
        new = 0
        for line in proc.stdout:
            word, key, state = line.split()
            assert word == "confirmed"
            confirmed.add(key)
            if state == "new":
                new += 1
            if new >= wanted_new:
                break
        # a random moment after the last confirmation: often inside the next transaction
        for _ in range(rng.randint(0, 3)):
            line = proc.stdout.readline()
            if line.startswith("confirmed"):
                confirmed.add(line.split()[1])
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        proc.stdout.close()
        proc.stderr.close()
        if proc.returncode == -signal.SIGKILL:
            kills += 1
        _check(db, confirmed)
        if len(confirmed) >= batches:
            break
    assert kills >= 20 or len(confirmed) >= batches
    # the retry: run every confirmation again to the end; each is written exactly once
    proc = _start_writer(db, batches)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    counts = _check(db, {f"batch-{i}" for i in range(batches)})
    assert len(counts) == batches
    conn = sqlite3.connect(db)
    try:
        total = conn.execute("select sum(amount_cents) from ledger_entries").fetchone()[0]
    finally:
        conn.close()
    assert total == sum((i * 100 + j + 1) for i in range(batches) for j in range(3))
