"""The bookkeeping skill's side of a bill import: propose (``NeedsConfirmation``), apply."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from assistant.errors import UsageError
from assistant.events import NeedsConfirmation, Progress, Result
from skills.bookkeeping.bills.importing import apply_plan, build_plan, outcome_text, parse_mapping
from skills.bookkeeping.ledger import Ledger

ACTION = "import_bills"


def propose_import(ledger: Ledger, options: dict[str, Any]) -> list[Any]:
    path = options.get("path")
    if not path:
        raise UsageError("which file? give the path of an Alipay, WeChat Pay or bank bill")
    mapping = parse_mapping(str(options["map"])) if options.get("map") else None
    plan = build_plan(
        Path(str(path)).expanduser(),
        ledger,
        source=str(options.get("source") or "auto"),
        mapping=mapping,
    )
    data = plan.to_data()
    data["confirmation_id"] = uuid.uuid4().hex
    return [
        Progress("read", f"{plan.label}: {plan.rows} rows"),
        NeedsConfirmation(skill="bookkeeping", action=ACTION, preview=plan.preview(), data=data),
    ]


def apply_import(ledger: Ledger, data: dict[str, Any]) -> Result:
    from skills.bookkeeping.budgets import BudgetBook

    key = str(data.get("confirmation_id") or uuid.uuid4().hex)
    touched = []
    for group in ("add", "merge"):
        for item in data.get(group) or []:
            entry = item.get("entry") or {}
            # merged rows add no spending; a "no" to a question adds the row
            if entry.get("kind") == "expense" and (group == "add" or not item.get("accept", True)):
                touched.append(
                    (entry.get("category", "other"), entry.get("currency", "CNY"), _day(entry))
                )
    book = BudgetBook(ledger)
    watch = book.watch([t for t in touched if t[2] is not None])
    applied = apply_plan(ledger, data, key)
    lines = [outcome_text(data, applied), *watch.warnings()]
    return Result(
        text="\n".join(lines),
        payload={
            "journal_id": applied.journal_id,
            "added": applied.added,
            "merged": applied.merged,
            "voided": applied.voided,
            "mirrored": applied.mirrored,
            "skipped": len(data.get("skip") or [])
            + applied.voided
            + applied.mirrored
            + len(applied.skipped),
            "already_applied": applied.already_applied,
            "warnings": lines[1:],
        },
    )


def _day(entry: dict[str, Any]) -> Any:
    import datetime as dt

    try:
        return dt.date.fromisoformat(str(entry.get("date")))
    except ValueError:
        return None


def undo_heading(details: dict[str, Any], count: int) -> str:
    bills = details.get("bills") or {}
    name = Path(str(bills.get("file", ""))).name or "a bill"
    merged = len(details.get("merged") or [])
    text = f"Undo the import of {name}: remove {count} {'entry' if count == 1 else 'entries'}"
    if merged:
        text += f", unmerge {merged} said {'entry' if merged == 1 else 'entries'}"
    return text + ":"
