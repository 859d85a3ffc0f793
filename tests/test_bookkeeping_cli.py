"""`ting expense …` run as a user runs it: a real subprocess of the CLI on a real
data folder. Bad input is one `ting: …` line and a non-zero exit, never a traceback."""

from __future__ import annotations

import csv
import io
import json
import os
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from fixtures_core import ROOT, assert_clean_failure

TODAY = "2024-05-15"


def entries_of(ting, *args: str) -> list[dict]:
    ran = ting("expense", "list", "--json", *args)
    assert ran.code == 0, ran
    return json.loads(ran.out)["entries"]


def test_parse_prints_the_contract_shape_and_writes_nothing(ting, ting_home: Path) -> None:
    ran = ting("expense", "parse", "昨天午饭花了三十五块，打车一块五", "--json", "--today", TODAY)
    assert ran.code == 0, ran
    assert json.loads(ran.out) == {
        "entries": [
            {
                "amount": 35,
                "currency": "CNY",
                "category": "food",
                "item": "午饭",
                "date": "2024-05-14",
                "kind": "expense",
            },
            {
                "amount": 1.5,
                "currency": "CNY",
                "category": "transport",
                "item": "打车",
                "date": "2024-05-14",
                "kind": "expense",
            },
        ]
    }
    assert not (ting_home / "ting.db").exists()
    human = ting("expense", "parse", "paid $12.50 for parking", "--today", TODAY)
    assert human.code == 0 and "12.50 USD" in human.out and "parking" in human.out


def test_parse_uses_the_configured_default_currency(ting) -> None:
    assert ting("config", "set", "default_currency", "EUR").code == 0
    ran = ting("expense", "parse", "lunch 12", "--json", "--today", TODAY)
    assert json.loads(ran.out)["entries"][0]["currency"] == "EUR"


@pytest.mark.parametrize(
    ("args", "mentions"),
    [
        (("expense", "parse", ""), "empty"),
        (("expense", "parse", "   "), "empty"),
        (("expense", "parse", "今天吃了顿好的", "--json"), "no amount"),
        (("expense", "parse", "午饭-35"), "negative"),
        (("expense", "parse", "午饭0元"), "zero"),
        (("expense", "parse", "rent 999999999999 dollars"), "too large"),
        (("expense", "parse", "三十多块"), "not an exact amount"),
        (("expense", "parse", "午饭15k左右", "--json"), "'15k左右' is not an exact amount"),
        (("expense", "parse", "I paid 45,00 zł for lunch"), "zł is not a currency Ting records"),
        (("expense", "parse", "lunch 12", "--today", "yesterday"), "--today"),
        (("expense", "list", "--category", "pets"), "unknown category"),
        (("expense", "list", "--month", "2024-13"), "--month"),
        (("expense", "export", "--format", "xml"), "csv or beancount"),
        (("expense", "import", "/nonexistent/file.csv"), "does not exist"),
        (("expense", "report", "--out", "/nonexistent/dir/chart.png"), "does not exist"),
    ],
)
def test_bad_input_is_one_clear_line(ting, args: tuple[str, ...], mentions: str) -> None:
    ran = ting(*args)
    assert_clean_failure(ran, code=2, mentions=mentions)


def test_add_without_a_terminal_and_without_yes_writes_nothing(ting) -> None:
    ran = ting("expense", "add", "午饭35", "--today", TODAY, input="")
    assert ran.code == 3
    assert "午饭" in ran.out  # it showed what it would record
    assert "confirm with --yes" in ran.err and "Traceback" not in ran.err
    assert entries_of(ting) == []


def test_add_with_no_amount_writes_nothing(ting) -> None:
    ran = ting("expense", "add", "今天吃了顿好的", "--yes")
    assert_clean_failure(ran, mentions="no amount")
    assert entries_of(ting) == []


def _run_on_a_tty(ting_home: Path, args: list[str], answer: bytes) -> tuple[int, str, str]:
    import pty

    master, slave = pty.openpty()
    env = dict(os.environ, TING_HOME=str(ting_home), TING_NO_GUI="1")
    try:
        os.write(master, answer)  # typed ahead; the prompt reads it when it asks
        proc = subprocess.run(
            [sys.executable, "-m", "assistant", *args],
            stdin=slave,
            capture_output=True,
            text=True,
            env=env,
            cwd=str(ROOT),
            timeout=120,
        )
    finally:
        os.close(slave)
        os.close(master)
    return proc.returncode, proc.stdout, proc.stderr


def test_add_asks_on_a_terminal(ting, ting_home: Path) -> None:
    code, out, err = _run_on_a_tty(
        ting_home, ["expense", "add", "早饭12，午饭35", "--today", TODAY], b"n\n"
    )
    assert code == 0 and "Record these entries?" in err and "Nothing was written" in err
    assert entries_of(ting) == []
    code, out, err = _run_on_a_tty(
        ting_home, ["expense", "add", "早饭12，午饭35", "--today", TODAY], b"y\n"
    )
    assert code == 0, err
    assert "Recorded 2 entries" in out
    assert [(e["item"], e["amount"]) for e in entries_of(ting)] == [("早饭", 12), ("午饭", 35)]


def test_add_list_filter_undo(ting) -> None:
    assert ting("expense", "add", "早饭12，午饭35，晚上打车48", "--yes", "--today", TODAY).code == 0
    assert ting("expense", "add", "上个月5号工资8000", "--yes", "--today", TODAY).code == 0
    everything = entries_of(ting)
    assert [(e["item"], e["category"], e["date"]) for e in everything] == [
        ("工资", "salary", "2024-04-05"),
        ("早饭", "food", TODAY),
        ("午饭", "food", TODAY),
        ("打车", "transport", TODAY),
    ]
    assert all(e["utterance"] and e["history_id"] for e in everything)
    assert [e["item"] for e in entries_of(ting, "--month", "2024-05", "--category", "交通")] == [
        "打车"
    ]
    assert [e["item"] for e in entries_of(ting, "--month", "2024-04")] == ["工资"]

    listed = ting("expense", "list", "--month", "2024-05")
    assert listed.code == 0 and "expense: 95.00 CNY (3)" in listed.out

    refused = ting("expense", "undo", input="")
    assert refused.code == 3 and "工资" in refused.out
    assert len(entries_of(ting)) == 4
    undone = ting("expense", "undo", "--yes")
    assert undone.code == 0, undone
    assert [e["item"] for e in entries_of(ting)] == ["早饭", "午饭", "打车"]
    assert ting("expense", "undo", "--yes").code == 0
    assert entries_of(ting) == []
    assert_clean_failure(ting("expense", "undo", "--yes"), mentions="nothing to undo")


def _png_pixels(data: bytes) -> tuple[int, int, list[bytes]]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, chunks = 8, {}
    idat = b""
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        tag = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])
        assert crc == zlib.crc32(tag + body) & 0xFFFFFFFF
        if tag == b"IDAT":
            idat += body
        chunks[tag] = body
        pos += 12 + length
    width, height, depth, colour_type = struct.unpack(">IIBB", chunks[b"IHDR"][:10])
    assert (depth, colour_type) == (8, 2)
    raw = zlib.decompress(idat)
    stride = width * 3 + 1
    rows = [raw[y * stride + 1 : (y + 1) * stride] for y in range(height)]
    assert all(raw[y * stride] == 0 for y in range(height))
    return width, height, rows


def _bar_lengths(rows: list[bytes], colour: tuple[int, int, int]) -> list[int]:
    """The length of each run of bar-coloured rows (one per bar)."""
    pixel = bytes(colour)
    lengths, previous = [], 0
    for row in rows:
        count = sum(1 for x in range(0, len(row), 3) if row[x : x + 3] == pixel)
        if count and not previous:
            lengths.append(count)
        previous = count
    return lengths


def test_report_totals_and_a_png_chart(ting, tmp_path: Path) -> None:
    assert (
        ting("expense", "add", "午饭30，打车90，房租60，工资8000", "--yes", "--today", TODAY).code
        == 0
    )
    chart = tmp_path / "chart.png"
    ran = ting("expense", "report", "--month", "2024-05", "--out", str(chart), "--json")
    assert ran.code == 0, ran
    report = json.loads(ran.out)
    assert report["month"] == "2024-05"
    assert [(t["kind"], t["category"], t["amount"]) for t in report["totals"]] == [
        ("expense", "transport", 90),
        ("expense", "housing", 60),
        ("expense", "food", 30),
        ("income", "salary", 8000),
    ]
    width, height, rows = _png_pixels(chart.read_bytes())
    assert width == 800 and height > 100
    from skills.bookkeeping.chart import EXPENSE_COLOUR, INCOME_COLOUR

    expense_bars = _bar_lengths(rows, EXPENSE_COLOUR)
    assert len(expense_bars) == 3 and len(_bar_lengths(rows, INCOME_COLOUR)) == 1
    # bars are proportional to the amounts (one scale per kind and currency)
    assert expense_bars[0] > expense_bars[1] > expense_bars[2]
    assert abs(expense_bars[0] / expense_bars[2] - 3) < 0.05
    text = ting("expense", "report", "--month", "2024-05")
    assert text.code == 0 and "transport" in text.out and "90.00 CNY" in text.out
    empty = ting("expense", "report", "--month", "2023-01")
    assert empty.code == 0 and "No entries" in empty.out


def test_export_csv_round_trips_through_import(ting, tmp_path: Path, ting_home: Path) -> None:
    assert (
        ting("expense", "add", "早饭12，午饭 $8.5，收到红包200", "--yes", "--today", TODAY).code
        == 0
    )
    out = tmp_path / "ledger.csv"
    assert ting("expense", "export", "--format", "csv", "--out", str(out)).code == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert [(r["item"], r["amount"], r["currency"], r["kind"]) for r in rows] == [
        ("早饭", "12.00", "CNY", "expense"),
        ("午饭", "8.50", "USD", "expense"),
        ("红包", "200.00", "CNY", "income"),
    ]
    before = [
        {k: e[k] for k in ("amount", "currency", "category", "item", "date", "kind", "utterance")}
        for e in entries_of(ting)
    ]

    other_home = tmp_path / "other-home"
    other_home.mkdir()
    env = {"TING_HOME": str(other_home)}
    ran = ting("expense", "import", str(out), "--json", env=env)
    assert ran.code == 0, ran
    assert json.loads(ran.out)["imported"] == 3
    again = ting("expense", "import", str(out), "--json", env=env)
    assert json.loads(again.out) | {"entry_ids": None, "journal_id": None} == {
        "file": str(out),
        "imported": 0,
        "entry_ids": None,
        "already_imported": True,
        "journal_id": None,
    }
    imported = json.loads(ting("expense", "list", "--json", env=env).out)["entries"]
    assert [{k: e[k] for k in before[0]} for e in imported] == before
    # an import is one write: undo takes it all back
    assert ting("expense", "undo", "--yes", env=env).code == 0
    assert json.loads(ting("expense", "list", "--json", env=env).out)["entries"] == []


def test_export_beancount_loads_in_beancount(ting, tmp_path: Path) -> None:
    loader = pytest.importorskip("beancount.loader")
    assert (
        ting(
            "expense",
            "add",
            '早饭12，午饭 $8.5，工资8000，买了本"引号"的书30',
            "--yes",
            "--today",
            TODAY,
        ).code
        == 0
    )
    out = tmp_path / "ledger.beancount"
    assert ting("expense", "export", "--format", "beancount", "--out", str(out)).code == 0
    entries, errors, _ = loader.load_file(str(out))
    assert errors == []
    txns = [e for e in entries if type(e).__name__ == "Transaction"]
    assert len(txns) == 4
    postings = {(p.account, str(p.units)) for t in txns for p in t.postings if p.units}
    assert ("Expenses:Food", "8.50 USD") in postings
    assert ("Assets:Ting:Cash", "8000.00 CNY") in postings


CORRUPT_CSVS = [
    (b"", "empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00binary", "not UTF-8"),
    (b"date,kind,amount\n2024-01-01,expense,3\n", "lacks the column(s) currency, category"),
    (b"date,kind,amount,currency,category,item\n", "no entries"),
    (
        b"date,kind,amount,currency,category,item\n2024-01-01,expense,12,CNY,food,a\n"
        b"2024-01-02,expense,-3,CNY,food,b\n",
        "line 3: amount -3 is negative",
    ),
    (
        b"date,kind,amount,currency,category,item\n2024-01-01,expense,12,CNY,food,a\n"
        b"2024-01-02,expense,3,CNY,pets,b\n",
        "line 3: 'pets' is not an expense category",
    ),
    (
        b"date,kind,amount,currency,category,item\n2024-01-01,expense,12,CNY,food,a\n"
        b"yesterday,expense,3,CNY,food,b\n",
        "line 3: date must be YYYY-MM-DD",
    ),
    (
        b"date,kind,amount,currency,category,item\n2024-01-01,expense,12,CNY,food,a\n"
        b'2024-01-02,expense,3,CNY,food,"unterminated\n',
        "not valid CSV",
    ),
    (
        b"date,kind,amount,currency,category,item\n2024-01-01,expense,abc,CNY,food,a\n",
        "amount must be a number",
    ),
    (
        b"date,kind,amount,currency,category,item\n2024-01-01,expense,12,CNY,food,a,extra\n",
        "more fields",
    ),
]


def test_a_corrupt_csv_imports_nothing(ting, tmp_path: Path) -> None:
    assert ting("expense", "add", "午饭35", "--yes", "--today", TODAY).code == 0
    for i, (content, mentions) in enumerate(CORRUPT_CSVS):
        bad = tmp_path / f"bad{i}.csv"
        bad.write_bytes(content)
        ran = ting("expense", "import", str(bad))
        assert_clean_failure(ran, code=2, mentions=mentions)
    # none of them wrote anything, not even the good rows before a bad one
    assert [e["item"] for e in entries_of(ting)] == ["午饭"]


def test_voice_style_flow_through_ting_ask(ting) -> None:
    proposal = ting(
        "ask", "昨天午饭花了三十五块", "--skill", "bookkeeping", "--json", "--today", TODAY
    )
    events = proposal.json_lines()
    pending = [e for e in events if e["type"] == "needs_confirmation"]
    assert len(pending) == 1 and pending[0]["data"]["entries"][0]["date"] == "2024-05-14"
    assert entries_of(ting) == []
    assert (
        ting(
            "ask", "昨天午饭花了三十五块", "--skill", "bookkeeping", "--yes", "--today", TODAY
        ).code
        == 0
    )
    assert (
        ting("ask", "不对，是四十五", "--skill", "bookkeeping", "--yes", "--today", TODAY).code == 0
    )
    answer = ting("ask", "这个月吃饭花了多少", "--skill", "bookkeeping", "--json", "--today", TODAY)
    result = [e for e in answer.json_lines() if e["type"] == "result"][0]
    assert result["payload"]["totals"] == [{"currency": "CNY", "amount": 45, "count": 1}]


def test_ting_ask_refuses_a_rough_amount_and_says_what_it_heard(ting) -> None:
    ran = ting("ask", "午饭花了15k左右", "--skill", "bookkeeping", "--yes", "--today", TODAY)
    assert_clean_failure(ran, mentions="'15k左右' is not an exact amount")
    events = ting(
        "ask", "午饭大概五十块", "--skill", "bookkeeping", "--json", "--today", TODAY
    ).json_lines()
    errors = [e for e in events if e["type"] == "error"]
    assert errors and "'大概五十块' is not an exact amount" in errors[0]["error"]
    assert not [e for e in events if e["type"] == "needs_confirmation"]
    assert entries_of(ting) == []
