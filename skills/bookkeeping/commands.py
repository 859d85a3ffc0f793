"""``ting expense …``: parse, add, list, undo, report, export, import.

Only click is imported here at start-up; the parser, the ledger and the chart load when
a command runs. Option values are checked here (not by click types) so that a bad
value is one ``ting: …`` line with exit code 2, like every other usage error.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import click

from assistant.cli_kit import emit_json, get_app
from assistant.errors import UsageError


def _text(words: tuple[str, ...]) -> str:
    text = " ".join(words).strip()
    if text == "-":
        text = sys.stdin.read().strip()
    if not text:
        raise UsageError("nothing to record: the text is empty")
    return text


def _day(value: str | None) -> Any:
    import datetime as dt

    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"--today must be a date like 2024-05-15, not {value!r}") from None


def _month(value: str | None) -> Any:
    import datetime as dt

    from skills.bookkeeping.dates import month_period

    if not value:
        today = dt.date.today()
        return month_period(today.year, today.month)
    m = re.fullmatch(r"(\d{4})-(\d{1,2})", value.strip())
    if not m or not 1 <= int(m[2]) <= 12:
        raise UsageError(f"--month must look like 2024-05, not {value!r}")
    return month_period(int(m[1]), int(m[2]))


def _category(value: str | None) -> str | None:
    from skills.bookkeeping.lexicon import (
        EXPENSE_CATEGORIES,
        INCOME_CATEGORIES,
        category_from_name,
    )

    if value is None:
        return None
    category = category_from_name(value)
    if category is None:
        known = ", ".join(dict.fromkeys(EXPENSE_CATEGORIES + INCOME_CATEGORIES))
        raise UsageError(f"unknown category {value!r} (one of {known})")
    return category


def _remembered_readonly() -> dict[str, str]:
    """Remembered categories, read without creating or migrating anything."""
    import sqlite3

    from assistant.paths import database_path

    path = database_path()
    if not path.exists():
        return {}
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=2)
        try:
            rows = conn.execute("select item_key, category from ledger_category_memory").fetchall()
        finally:
            conn.close()
    except sqlite3.Error:
        return {}  # no ledger yet, or a database another command will report on
    return dict(rows)


def _ledger() -> Any:
    from skills.bookkeeping.ledger import Ledger

    return Ledger(get_app().history)


@click.group("expense")
def expense() -> None:
    """The ledger: record spending and income, list, undo, report, export, import."""


@expense.command("parse")
@click.argument("words", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help='Print {"entries": [...]} on stdout.')
@click.option("--today", help="Pretend today is YYYY-MM-DD (for 昨天, last Friday, ...).")
def parse_command(words: tuple[str, ...], as_json: bool, today: str | None) -> None:
    """Show the entries TEXT would become. Writes nothing."""
    import datetime as dt

    from assistant.config import load_settings
    from skills.bookkeeping.display import entry_table
    from skills.bookkeeping.parser import ExpenseParser

    text = _text(words)
    day = _day(today) or dt.date.today()
    parser = ExpenseParser(load_settings().default_currency, _remembered_readonly())
    entries = parser.parse(text, day)
    if as_json:
        emit_json({"entries": [e.to_dict() for e in entries]})
    else:
        for line in entry_table(entries):
            click.echo(line)


@expense.command("add")
@click.argument("words", nargs=-1, required=True)
@click.option("--yes", "-y", is_flag=True, help="Write without asking.")
@click.option("--json", "as_json", is_flag=True, help="One JSON event per line on stdout.")
@click.option("--today", help="Pretend today is YYYY-MM-DD.")
def add_command(words: tuple[str, ...], yes: bool, as_json: bool, today: str | None) -> None:
    """Record TEXT: shows the entries and asks before writing (--yes skips the question).

    Without a terminal to ask on, nothing is written unless --yes is given.
    """
    from assistant.console import EventPrinter, drive
    from assistant.skill import Request

    text = _text(words)
    day = _day(today)
    app = get_app()
    request = Request(text=text, origin="cli", skill="bookkeeping", options={"intent": "record"})
    code = drive(
        app.runtime.run(request, today=day),
        runtime=app.runtime,
        printer=EventPrinter(as_json=as_json),
        assume_yes=yes,
        confirm_question=lambda _: "Record these entries?",
    )
    sys.exit(code)


@expense.command("list")
@click.option("--month", help="Only this month, YYYY-MM (default: every month).")
@click.option("--category", help="Only this category (food, 交通, ...).")
@click.option("--json", "as_json", is_flag=True, help='Print {"entries": [...]}.')
def list_command(month: str | None, category: str | None, as_json: bool) -> None:
    """List ledger entries, oldest first."""
    from skills.bookkeeping.display import entry_table, totals_text

    period = _month(month) if month else None
    cat = _category(category)
    ledger = _ledger()
    rows = ledger.entries(
        start=period.start if period else None,
        end=period.end if period else None,
        category=cat,
    )
    if as_json:
        emit_json({"entries": [e.to_dict() for e in rows]})
        return
    if not rows:
        click.echo("No entries.")
        return
    for line in entry_table([e.parsed() for e in rows], [e.id for e in rows]):
        click.echo(line)
    sums: dict[tuple[str, str], tuple[Any, int]] = {}
    for e in rows:
        amount, count = sums.get((e.kind, e.currency), (0, 0))
        sums[(e.kind, e.currency)] = (amount + e.amount, count + 1)
    for kind in ("expense", "income"):
        parts = [(cur, a, n) for (k, cur), (a, n) in sorted(sums.items()) if k == kind]
        if parts:
            click.echo(f"{kind}: {totals_text(parts)}")


@expense.command("undo")
@click.option("--yes", "-y", is_flag=True, help="Undo without asking.")
@click.option("--json", "as_json", is_flag=True, help="One JSON event per line on stdout.")
def undo_command(yes: bool, as_json: bool) -> None:
    """Reverse the last write to the ledger (an add, a correction or an import)."""
    from assistant.console import EventPrinter, drive
    from assistant.skill import Request

    app = get_app()
    request = Request(text="undo", origin="cli", skill="bookkeeping", options={"intent": "undo"})
    code = drive(
        app.runtime.run(request),
        runtime=app.runtime,
        printer=EventPrinter(as_json=as_json),
        assume_yes=yes,
        confirm_question=lambda _: "Undo it?",
    )
    sys.exit(code)


@expense.command("report")
@click.option("--month", help="YYYY-MM (default: this month).")
@click.option(
    "--out",
    "out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write a PNG bar chart here.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the totals as JSON.")
def report_command(month: str | None, out: Path | None, as_json: bool) -> None:
    """Totals by category for a month, and optionally a PNG chart."""
    from skills.bookkeeping.display import money
    from skills.bookkeeping.parser import amount_to_json

    period = _month(month)
    rows = _ledger().totals_by_category(period.start, period.end)
    if out is not None:
        from skills.bookkeeping.chart import write_bar_chart

        write_bar_chart(
            out,
            title=f"Ting ledger {period.label}",
            rows=[
                (f"{r['category']} ({r['currency']})", float(r["amount"]), r["kind"]) for r in rows
            ],
        )
    if as_json:
        emit_json(
            {
                "month": period.label,
                "totals": [{**r, "amount": amount_to_json(r["amount"])} for r in rows],
                "chart": str(out) if out else None,
            }
        )
        return
    if not rows:
        click.echo(f"No entries in {period.label}.")
    for kind in ("expense", "income"):
        mine = [r for r in rows if r["kind"] == kind]
        if not mine:
            continue
        click.echo(f"{kind} {period.label}:")
        width = max(len(r["category"]) for r in mine)
        for r in mine:
            click.echo(
                f"  {r['category'].ljust(width)}  {money(r['amount'], r['currency']):>16}  ({r['count']})"
            )
    if out is not None:
        click.echo(f"chart: {out}")


@expense.command("export")
@click.option("--format", "fmt", default="csv", show_default=True, help="csv or beancount.")
@click.option(
    "--out",
    "out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write here (default: stdout).",
)
def export_command(fmt: str, out: Path | None) -> None:
    """Export every entry as CSV (re-importable) or a Beancount ledger."""
    from skills.bookkeeping.ledger_files import to_beancount, to_csv, write_export

    fmt = fmt.strip().lower()
    if fmt not in ("csv", "beancount"):
        raise UsageError(f"--format must be csv or beancount, not {fmt!r}")
    rows = _ledger().entries()
    text = to_csv(rows) if fmt == "csv" else to_beancount(rows)
    if out is None:
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        write_export(out, text)
        click.echo(f"exported {len(rows)} entries to {out}", err=True)


@expense.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print what was imported as JSON.")
def import_command(file: Path, as_json: bool) -> None:
    """Import entries from a CSV (the columns `ting expense export` writes).

    Every row is checked first; one bad row and nothing is imported. Importing the
    same file again adds nothing.
    """
    from skills.bookkeeping.ledger_files import import_csv

    outcome = import_csv(_ledger(), file)
    if as_json:
        emit_json(outcome)
    else:
        click.echo(
            f"imported {outcome['imported']} entries from {file}"
            + (" (already imported before; nothing added)" if outcome["already_imported"] else "")
        )


def register(cli: click.Group) -> None:
    cli.add_command(expense)
