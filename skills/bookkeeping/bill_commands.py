"""``ting expense import`` (bills and Ting's own CSV), ``ting expense budget …``,
``ting expense recurring …``.

An import shows what it would do (added, merged with what you said, asked, skipped) and
writes only after a yes: each uncertain match is its own question, then the import as a
whole; ``--yes`` answers yes to all of them, ``--dry-run`` shows and writes nothing.
Without a terminal to ask on, nothing is written unless ``--yes`` is given.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from assistant.cli_kit import emit_json, get_app
from assistant.errors import UsageError

EXIT_NOT_CONFIRMED = 3
SOURCES = ("auto", "alipay", "wechat", "csv", "ting")


def _ledger() -> Any:
    from skills.bookkeeping.ledger import Ledger

    return Ledger(get_app().history)


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


@click.command("import")
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


@click.group("budget")
def budget_group() -> None:
    """Monthly budgets per category: set, see what is left, remove."""


def _category(value: str) -> str:
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
        _category(category), value, currency or load_settings().default_currency
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

    gone = BudgetBook(_ledger()).remove(_category(category), currency.upper() if currency else None)
    for b in gone:
        click.echo(f"removed the {b.category} budget ({b.amount:,.2f} {b.currency})")


# -- recurring ------------------------------------------------------------------------------


@click.group("recurring")
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


def register(expense: click.Group) -> None:
    expense.add_command(import_command)
    expense.add_command(budget_group)
    expense.add_command(recurring_group)
