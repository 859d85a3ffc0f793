"""The bookkeeping skill's side of budgets and recurring entries: answers, proposals, applies.

Setting a budget and keeping a recurring entry are writes from what may be a misheard
sentence, so both go through a confirmation like an entry does; asking what is left is
answered straight from the ledger.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from assistant.errors import UsageError
from assistant.events import NeedsConfirmation, Result
from skills.bookkeeping.budget_intents import BudgetQuery, BudgetSet, RecurringRequest
from skills.bookkeeping.budgets import BudgetBook
from skills.bookkeeping.display import CATEGORY_LABELS_ZH, is_chinese, money
from skills.bookkeeping.ledger import Ledger
from skills.bookkeeping.parser import amount_to_json, validate_entry
from skills.bookkeeping.recurring import RecurringBook

SKILL = "bookkeeping"


def budget_chart_png(ledger: Ledger, day: dt.date) -> bytes:
    """The month's spending by category with each budget as a line (the report's chart)."""
    from skills.bookkeeping.chart import budget_rows, render_bar_chart
    from skills.bookkeeping.dates import month_period

    period = month_period(day.year, day.month)
    totals = [
        r for r in ledger.totals_by_category(period.start, period.end) if r["kind"] == "expense"
    ]
    bars, lines = budget_rows(totals, BudgetBook(ledger).status(day))
    return render_bar_chart(f"Budgets {day:%Y-%m}", bars, lines)


def answer_budget(
    ledger: Ledger, question: BudgetQuery, text: str, *, chart: bool = False
) -> Result:
    zh = is_chinese(text)
    book = BudgetBook(ledger)
    statuses = book.status(question.day, question.category)
    month = f"{question.day:%Y-%m}"
    if not statuses:
        if question.category:
            name = (
                CATEGORY_LABELS_ZH.get(question.category, question.category)
                if zh
                else question.category
            )
            said = (
                f"还没有{name}预算（说“把{name}预算设成两千”来设）"
                if zh
                else (f"There is no {name} budget yet (say 'set my {name} budget to 2000')")
            )
        else:
            said = (
                "还没有设预算（说“把餐饮预算设成两千”来设）"
                if zh
                else ("No budgets yet (say 'set my food budget to 2000')")
            )
        return Result(text=said, payload={"month": month, "budgets": []})
    lines = [s.line(zh) for s in statuses]
    payload: dict[str, Any] = {"month": month, "budgets": [s.to_dict() for s in statuses]}
    if chart:  # for a window to show; a terminal gets the lines only
        import base64

        payload["chart_png"] = base64.b64encode(budget_chart_png(ledger, question.day)).decode(
            "ascii"
        )
    # two spaces before each newline: a Markdown line break, so a chat window keeps the lines
    return Result(text="  \n".join(lines), payload=payload)


def propose_budget(
    ledger: Ledger, request: BudgetSet, text: str, default_currency: str
) -> NeedsConfirmation:
    zh = is_chinese(text)
    currency = request.currency or default_currency
    book = BudgetBook(ledger)
    before = book.get(request.category, currency)
    name = CATEGORY_LABELS_ZH.get(request.category, request.category) if zh else request.category
    if zh:
        preview = f"把每月{name}预算设为 {money(request.amount, currency)}"
        if before:
            preview += f"（原来是 {money(before.amount, currency)}）"
    else:
        preview = f"Set the monthly {name} budget to {money(request.amount, currency)}"
        if before:
            preview += f" (it was {money(before.amount, currency)})"
    return NeedsConfirmation(
        skill=SKILL,
        action="set_budget",
        preview=preview,
        data={
            "category": request.category,
            "amount": amount_to_json(request.amount),
            "currency": currency,
            "utterance": text,
        },
    )


def apply_budget(ledger: Ledger, data: dict[str, Any], today: dt.date) -> Result:
    try:
        amount = Decimal(str(data.get("amount")))
    except ArithmeticError:
        raise UsageError("the budget amount must be a number") from None
    category = str(data.get("category") or "")
    currency = str(data.get("currency") or "CNY")
    book = BudgetBook(ledger)
    budget, before = book.set(category, amount, currency)
    zh = is_chinese(str(data.get("utterance") or ""))
    (status,) = book.status(today, category) or [None]
    head = (
        f"{CATEGORY_LABELS_ZH.get(category, category)}预算已设为每月 {money(amount, currency)}。"
        if zh
        else f"The {category} budget is now {money(amount, currency)} a month."
    )
    lines = [head] + ([status.line(zh)] if status and status.budget.currency == currency else [])
    return Result(
        text="\n".join(lines),
        payload={
            "category": category,
            "currency": currency,
            "amount": amount_to_json(amount),
            "before": amount_to_json(before.amount) if before else None,
        },
    )


def propose_recurring(request: RecurringRequest, text: str) -> NeedsConfirmation:
    e = request.entry
    zh = is_chinese(text)
    what = f"{e.kind} {e.category} {e.item or '-'} {money(e.amount, e.currency)}"
    preview = (
        f"每月 {request.day} 号记一笔：{what}（到日子时先给你确认）"
        if zh
        else f"Every month on day {request.day}: {what} (proposed for a yes on that day)"
    )
    entry = e.to_dict()
    entry.pop("date")
    return NeedsConfirmation(
        skill=SKILL,
        action="add_recurring",
        preview=preview,
        data={"day": request.day, "entry": entry, "utterance": text},
    )


def apply_recurring(ledger: Ledger, data: dict[str, Any]) -> Result:
    day = data.get("day")
    if not isinstance(day, int):
        raise UsageError("a recurring entry needs its day of the month")
    entry = validate_entry({**(data.get("entry") or {}), "date": "2000-01-01"})
    kept = RecurringBook(ledger).add(entry, day, str(data.get("utterance") or ""))
    return Result(text=f"Kept: {kept.describe()}", payload={"recurring": kept.to_dict()})


def propose_due(ledger: Ledger, today: dt.date) -> list[Any]:
    """The recurring entries whose day has come, as one add_entries proposal each."""
    out: list[Any] = []
    for recurring, when in RecurringBook(ledger).due(today):
        e = recurring.entry
        entry = validate_entry({**e.to_dict(), "date": when.isoformat()})
        out.append(
            NeedsConfirmation(
                skill=SKILL,
                action="add_entries",
                preview=f"Due {when.isoformat()} ({recurring.describe()}):\n  {entry.date} {entry.kind} "
                f"{entry.category} {entry.item or '-'} {money(entry.amount, entry.currency)}",
                data={
                    "entries": [entry.to_dict()],
                    "utterance": f"recurring #{recurring.id}",
                    "origin": "recurring",
                    "history_id": None,
                    # one key per month: confirming it twice records it once
                    "confirmation_id": f"recurring:{recurring.id}:{when.isoformat()}",
                    "source": "recurring",
                    "recurring": {"id": recurring.id, "date": when.isoformat()},
                },
            )
        )
    if not out:
        out.append(Result(text="Nothing recurring is due.", payload={"due": []}))
    return out


def after_add(ledger: Ledger, data: dict[str, Any], entries: list[Any], watch: Any) -> list[str]:
    """What an add says beyond "Recorded": budget warnings; a recurring entry marked done."""
    recurring = data.get("recurring")
    if isinstance(recurring, dict) and isinstance(recurring.get("id"), int):
        try:
            when = dt.date.fromisoformat(str(recurring.get("date")))
        except ValueError:
            when = entries[0].date
        RecurringBook(ledger).recorded(recurring["id"], when)
    return watch.warnings(is_chinese(str(data.get("utterance") or ""))) if watch is not None else []


def watch_for(ledger: Ledger, entries: list[Any]) -> Any:
    touched = [(e.category, e.currency, e.date) for e in entries if e.kind == "expense"]
    return BudgetBook(ledger).watch(touched) if touched else None
