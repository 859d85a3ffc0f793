"""``ting expense …``: parse, add, list, undo, report, export, import, budget, recurring.

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
    ledger = _ledger()
    rows = ledger.totals_by_category(period.start, period.end)
    from skills.bookkeeping.budgets import BudgetBook

    budgets = BudgetBook(ledger).status(period.start)
    if out is not None:
        from skills.bookkeeping.chart import budget_rows, write_bar_chart

        bars, lines = budget_rows(rows, budgets)
        write_bar_chart(out, title=f"Ting ledger {period.label}", rows=bars, budgets=lines)
    if as_json:
        emit_json(
            {
                "month": period.label,
                "totals": [{**r, "amount": amount_to_json(r["amount"])} for r in rows],
                "budgets": [b.to_dict() for b in budgets],
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
    for b in budgets:
        click.echo(b.line())
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


# -- import: bills, and Ting's own CSV ------------------------------------------------
# An import shows what it would do (added, merged with what was said, asked, skipped) and
# writes only after a yes: each uncertain match is its own question, then the import as a
# whole; --yes answers all of them, --dry-run writes nothing, and without a terminal to
# ask on nothing is written unless --yes is given.

EXIT_NOT_CONFIRMED = 3  # as `ting expense add` without a yes
SOURCES = ("auto", "alipay", "wechat", "csv", "ting")


def _is_ting_csv(path: Path) -> bool:
    """Ting's own export (``ting expense export``): the header starts with date,kind,amount."""
    try:
        with path.open("rb") as fh:
            head = fh.read(4096)
    except OSError:
        return False
    try:
        first = head.decode("utf-8-sig").splitlines()[0] if head.strip() else ""
    except (UnicodeDecodeError, IndexError):
        return False
    names = [c.strip().lower() for c in first.split(",")]
    return names[:3] == ["date", "kind", "amount"]


def _ask(question: str) -> bool:
    from assistant.console import ask_yes_no

    return ask_yes_no(question)


@expense.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@click.option(
    "--source",
    default="auto",
    show_default=True,
    help="auto, alipay, wechat, csv (a bank) or ting.",
)
@click.option(
    "--map",
    "mapping",
    help="A bank CSV's columns: date=COL,amount=COL[,payee=COL,memo=COL+COL,id=COL,sign=positive-out,dates=dmy].",
)
@click.option("--dry-run", is_flag=True, help="Show what would be imported; write nothing.")
@click.option(
    "--yes", "-y", is_flag=True, help="Yes to every question (uncertain matches, the import)."
)
@click.option(
    "--json", "as_json", is_flag=True, help="Print the plan and what was written as JSON."
)
def import_command(
    file: Path, source: str, mapping: str | None, dry_run: bool, yes: bool, as_json: bool
) -> None:
    """Import a bill: Alipay (CSV), WeChat Pay (CSV or .xlsx), a bank CSV, or Ting's own CSV.

    Rows that are what you already said are merged with it, not added twice; the same
    bill imported again adds nothing; one `ting expense undo` takes an import back.
    """
    source = (source or "auto").strip().lower()
    if source not in SOURCES:
        raise UsageError(f"--source must be one of {', '.join(SOURCES)}, not {source!r}")
    if source == "ting" or (source == "auto" and not mapping and _is_ting_csv(file)):
        _import_ting_csv(file, as_json=as_json, dry_run=dry_run)
        return
    from skills.bookkeeping.bills.actions import ACTION, propose_import

    app = get_app()
    ledger = _ledger()
    events = propose_import(ledger, {"path": str(file), "source": source, "map": mapping})
    proposal = events[-1]
    data = proposal.data
    interactive = sys.stdin.isatty() and not as_json
    if not as_json:
        click.echo(proposal.preview)
    if dry_run:
        if as_json:
            emit_json({**_plan_json(data), "written": False, "dry_run": True})
        else:
            click.echo("Dry run: nothing was written.", err=True)
        return
    asked = [m for m in data["merge"] if not m["sure"]]
    if yes:
        for item in asked:
            item["accept"] = True
    elif interactive:
        for item in asked:
            item["accept"] = _ask(
                f"Same money? {item['spoken']}  ?  {item['row']['time'][:16]} {item['row']['payee']} {item['row']['amount']}"
            )
    else:
        if as_json:
            emit_json({**_plan_json(data), "written": False, "dry_run": False})
            return
        click.echo("ting: nothing was written: confirm with --yes", err=True)
        sys.exit(EXIT_NOT_CONFIRMED)
    nothing = (
        not data["add"]
        and not data["merge"]
        and not data["void"]
        and not data["mirror"]
        and not data.get("profile")
    )
    if nothing:
        if as_json:
            emit_json(
                {**_plan_json(data), "written": False, "dry_run": False, "added": 0, "merged": 0}
            )
        else:
            click.echo("Nothing new to import.")
        return
    if not yes and not _ask("Import?"):
        click.echo("Nothing was written.", err=True)
        return
    from assistant.events import Failed, Result

    result: Result | None = None
    for event in app.runtime.confirm("bookkeeping", ACTION, data, origin="cli"):
        if isinstance(event, Failed):
            raise UsageError(event.error)
        if isinstance(event, Result):
            result = event
    if result is None:
        raise UsageError("the import gave no answer")
    if as_json:
        emit_json({**_plan_json(data), "written": True, "dry_run": False, **result.payload})
    else:
        click.echo(result.text)


def _plan_json(data: dict[str, Any]) -> dict[str, Any]:
    def entry(item: dict[str, Any]) -> dict[str, Any]:
        return {**item["entry"], "txn_id": item["txn_id"], "row": item["row"]}

    return {
        "file": data["file"],
        "source": data["source"],
        "label": data["label"],
        "summary": data["summary"],
        "add": [entry(a) for a in data["add"]],
        "merge": [
            {
                **entry(m),
                "entry_id": m["entry_id"],
                "sure": m["sure"],
                "accept": m["accept"],
                "why": m["why"],
            }
            for m in data["merge"]
        ],
        "skip": [
            {"reason": s["reason"], "txn_id": s["txn_id"], "row": s["row"]}
            for s in data["void"] + data["mirror"] + data["skip"]
        ],
        "mapping": data.get("profile"),
    }


def _import_ting_csv(file: Path, *, as_json: bool, dry_run: bool) -> None:
    from skills.bookkeeping.ledger_files import import_csv, read_csv_entries

    if dry_run:
        entries, _, _ = read_csv_entries(file)
        if as_json:
            emit_json(
                {"file": str(file), "imported": 0, "would_import": len(entries), "dry_run": True}
            )
        else:
            click.echo(
                f"would import {len(entries)} entries from {file} (dry run: nothing written)"
            )
        return
    outcome = import_csv(_ledger(), file)
    if as_json:
        emit_json(outcome)
    else:
        click.echo(
            f"imported {outcome['imported']} entries from {file}"
            + (" (already imported before; nothing added)" if outcome["already_imported"] else "")
        )


# -- budgets ---------------------------------------------------------------------------


@expense.group("budget")
def budget_group() -> None:
    """Monthly budgets per category: set, see what is left, remove."""


def _expense_category(value: str) -> str:
    from skills.bookkeeping.lexicon import EXPENSE_CATEGORIES, category_from_name

    category = category_from_name(value, "expense")
    if category is None:
        raise UsageError(f"unknown category {value!r} (one of {', '.join(EXPENSE_CATEGORIES)})")
    return category


def _month_day(value: str | None) -> Any:
    import datetime as dt
    import re

    if not value:
        return dt.date.today()
    m = re.fullmatch(r"(\d{4})-(\d{1,2})", value.strip())
    if not m or not 1 <= int(m[2]) <= 12:
        raise UsageError(f"--month must look like 2024-05, not {value!r}")
    return dt.date(int(m[1]), int(m[2]), 1)


@budget_group.command("set")
@click.argument("category")
@click.argument("amount")
@click.option(
    "--monthly", is_flag=True, help="Every month (the only period there is; the default)."
)
@click.option("--currency", help="Default: the default_currency setting.")
@click.option("--json", "as_json", is_flag=True)
def budget_set(
    category: str, amount: str, monthly: bool, currency: str | None, as_json: bool
) -> None:
    """Set the monthly budget of CATEGORY (food, 餐饮, transport, …) to AMOUNT."""
    import datetime as dt
    from decimal import Decimal, InvalidOperation

    from assistant.config import load_settings
    from skills.bookkeeping.budgets import BudgetBook

    try:
        value = Decimal(amount.replace(",", "").strip())
    except InvalidOperation:
        raise UsageError(f"the budget must be an amount like 2000, not {amount!r}") from None
    book = BudgetBook(_ledger())
    budget, before = book.set(
        _expense_category(category), value, currency or load_settings().default_currency
    )
    status = [
        s
        for s in book.status(dt.date.today(), budget.category)
        if s.budget.currency == budget.currency
    ]
    if as_json:
        emit_json({"budget": status[0].to_dict(), "before": str(before.amount) if before else None})
        return
    click.echo(status[0].line())


@budget_group.command("list")
@click.option("--month", help="YYYY-MM (default: this month).")
@click.option("--json", "as_json", is_flag=True)
def budget_list(month: str | None, as_json: bool) -> None:
    """Every budget and what is spent and left in the month."""
    from skills.bookkeeping.budgets import BudgetBook

    day = _month_day(month)
    statuses = BudgetBook(_ledger()).status(day)
    if as_json:
        emit_json({"month": f"{day:%Y-%m}", "budgets": [s.to_dict() for s in statuses]})
        return
    if not statuses:
        click.echo("No budgets. Set one: ting expense budget set food 2000")
    for s in statuses:
        click.echo(s.line())


@budget_group.command("remove")
@click.argument("category")
@click.option("--currency")
def budget_remove(category: str, currency: str | None) -> None:
    """Remove the budget of CATEGORY."""
    from skills.bookkeeping.budgets import BudgetBook

    gone = BudgetBook(_ledger()).remove(
        _expense_category(category), currency.upper() if currency else None
    )
    for b in gone:
        click.echo(f"removed the {b.category} budget ({b.amount:,.2f} {b.currency})")


# -- recurring ------------------------------------------------------------------------------


@expense.group("recurring")
def recurring_group() -> None:
    """Entries that come every month (rent, a subscription), proposed on their day."""


@recurring_group.command("add")
@click.argument("words", nargs=-1, required=True)
@click.option("--day", type=int, help="Day of the month, if the text does not say (每月一号 …).")
@click.option("--json", "as_json", is_flag=True)
def recurring_add(words: tuple[str, ...], day: int | None, as_json: bool) -> None:
    """Keep a monthly entry: "每月一号房租四千五", "rent 4500 on the 1st of every month"."""
    import datetime as dt

    from assistant.config import load_settings
    from skills.bookkeeping.budget_intents import parse_recurring
    from skills.bookkeeping.parser import ExpenseParser
    from skills.bookkeeping.recurring import RecurringBook

    text = " ".join(words).strip()
    ledger = _ledger()
    parser = ExpenseParser(load_settings().default_currency, ledger.remembered())
    found = parse_recurring(text, dt.date.today(), parser)
    if found is None:
        if day is None:
            raise UsageError('say which day of the month: "每月一号房租四千五", or --day 1')
        entries = parser.parse(text, dt.date.today())
        if len(entries) != 1:
            raise UsageError("a recurring entry is one amount, e.g. 房租4500")
        entry, when = entries[0], day
    else:
        entry, when = found.entry, day or found.day
    kept = RecurringBook(ledger).add(entry, when, text)
    if as_json:
        emit_json({"recurring": kept.to_dict()})
    else:
        click.echo(f"kept {kept.describe()}")


@recurring_group.command("list")
@click.option("--json", "as_json", is_flag=True)
def recurring_list(as_json: bool) -> None:
    from skills.bookkeeping.recurring import RecurringBook

    kept = RecurringBook(_ledger()).all()
    if as_json:
        emit_json({"recurring": [r.to_dict() for r in kept]})
        return
    if not kept:
        click.echo('Nothing recurring. Keep one: ting expense recurring add "每月一号房租四千五"')
    for r in kept:
        click.echo(r.describe())


@recurring_group.command("remove")
@click.argument("recurring_id", type=int)
def recurring_remove(recurring_id: int) -> None:
    from skills.bookkeeping.recurring import RecurringBook

    gone = RecurringBook(_ledger()).remove(recurring_id)
    click.echo(f"removed {gone.describe()}")


@recurring_group.command("due")
@click.option("--today", help="Pretend today is YYYY-MM-DD.")
@click.option("--yes", "-y", is_flag=True, help="Record every due entry without asking.")
@click.option("--json", "as_json", is_flag=True, help="One JSON event per line.")
def recurring_due(today: str | None, yes: bool, as_json: bool) -> None:
    """Propose the recurring entries whose day has come this month."""
    import datetime as dt

    from assistant.console import EventPrinter, drive
    from assistant.skill import Request

    day = None
    if today:
        try:
            day = dt.date.fromisoformat(today)
        except ValueError:
            raise UsageError(f"--today must be a date like 2024-05-15, not {today!r}") from None
    app = get_app()
    request = Request(
        text="recurring due", origin="cli", skill="bookkeeping", options={"intent": "recurring_due"}
    )
    events = list(app.runtime.run(request, today=day))
    code = 0
    for event in events:
        single = iter([event])
        result = drive(
            single,
            runtime=app.runtime,
            printer=EventPrinter(as_json=as_json),
            assume_yes=yes,
            confirm_question=lambda _: "Record it?",
        )
        code = max(code, result)
    sys.exit(code)


def register(cli: click.Group) -> None:
    cli.add_command(expense)
