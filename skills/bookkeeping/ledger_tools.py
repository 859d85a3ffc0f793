"""The ledger as tools (see ``assistant.tool_registry``): query it; propose and add entries.

``ledger_query`` answers with SQL over the ledger: totals per kind and currency, totals
per category, and the newest matching rows. The two write tools lead to the same
confirmed write as a spoken entry (``bookkeeping`` ``add_entries``): in the agent they
become the editable expense card; in ``ting mcp serve --allow-writes`` the MCP client
is the one who asked the user, and the write is recorded with origin ``mcp``.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any

from assistant.config import CURRENCIES
from assistant.events import NeedsConfirmation
from assistant.tool_registry import ToolContext, ToolError, ToolSpec, run_confirmed
from skills.bookkeeping.lexicon import EXPENSE_CATEGORIES, INCOME_CATEGORIES

CATEGORIES = sorted(set(EXPENSE_CATEGORIES) | set(INCOME_CATEGORIES))
MAX_ROWS = 500

_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_YEAR = re.compile(r"^(\d{4})$")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})\s*(?:\.\.|to|~|至)\s*(\d{4}-\d{2}-\d{2})$")


def resolve_period(args: dict[str, Any], today: dt.date) -> tuple[dt.date, dt.date, str] | None:
    """(start, end, label) from ``start``/``end`` or ``period``; None means all time."""
    from skills.bookkeeping.dates import find_period, month_period

    start = _date_arg(args, "start")
    end = _date_arg(args, "end")
    if start or end:
        start = start or dt.date(1, 1, 1)
        end = end or dt.date(9999, 12, 31)
        if start > end:
            raise ToolError(f"start {start} is after end {end}")
        return start, end, f"{start.isoformat()}..{end.isoformat()}"
    period = str(args.get("period") or "").strip()
    if not period or period.lower() in ("all", "all time", "全部"):
        return None
    if m := _MONTH.match(period):
        if not 1 <= int(m[2]) <= 12:
            raise ToolError(f"period {period!r}: there is no month {m[2]}")
        p = month_period(int(m[1]), int(m[2]))
        return p.start, p.end, p.label
    if m := _YEAR.match(period):
        year = int(m[1])
        return dt.date(year, 1, 1), dt.date(year, 12, 31), period
    if _DAY.match(period):
        day = _parse_day(period, "period")
        return day, day, period
    if m := _RANGE.match(period):
        a, b = _parse_day(m[1], "period"), _parse_day(m[2], "period")
        if a > b:
            raise ToolError(f"period {period!r} ends before it starts")
        return a, b, period
    found = find_period(period, today)
    if found is None:
        raise ToolError(
            f"period {period!r} is not understood; use 'this month', 'last month', "
            "'last 7 days', '2026-05', '2026', '2026-05-01..2026-05-31', 上个月, "
            "or start/end dates"
        )
    return found.start, found.end, found.label


def _parse_day(text: str, what: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ToolError(f"{what} {text!r} is not a date (YYYY-MM-DD)") from None


def _date_arg(args: dict[str, Any], key: str) -> dt.date | None:
    value = args.get(key)
    return _parse_day(value, key) if value else None


def _money(cents: int) -> int | float:
    from skills.bookkeeping.ledger import from_cents
    from skills.bookkeeping.parser import amount_to_json

    return amount_to_json(from_cents(cents))


def ledger_query(args: dict[str, Any], ctx: ToolContext) -> dict[str, Any]:
    from skills.bookkeeping.ledger import Ledger

    ledger = Ledger(ctx.history)
    span = resolve_period(args, ctx.current_date())
    where = ["deleted_at is null"]
    params: list[Any] = []
    if span is not None:
        where.append("date between ? and ?")
        params += [span[0].isoformat(), span[1].isoformat()]
    kind = args.get("kind", "all")
    if kind != "all":
        where.append("kind = ?")
        params.append(kind)
    if args.get("category"):
        # "+": not the category index: a date range narrows far more than a category
        where.append("+category = ?")
        params.append(args["category"])
    text = str(args.get("text") or "").strip()
    if text:
        # instr is case-sensitive; lower() folds Latin letters and leaves Chinese as it is
        where.append("(instr(lower(item), ?) > 0 or instr(lower(utterance), ?) > 0)")
        params += [text.lower(), text.lower()]
    clause = " where " + " and ".join(where)
    db = ledger.db
    # words to find are read from every row: one pass over the table, not a walk of the
    # totals index with a row lookup per entry (four times slower)
    source = " from ledger_entries not indexed" if text and span is None else " from ledger_entries"
    by_category = [
        {"kind": k, "category": cat, "currency": c, "amount": _money(s), "count": n, "cents": s}
        for k, cat, c, s, n in db.execute(
            "select kind, category, currency, sum(amount_cents) as cents, count(*)"
            + source
            + clause
            + " group by kind, category, currency order by kind, cents desc",
            params,
        ).fetchall()
    ]
    sums: dict[tuple[str, str], list[int]] = {}
    for row in by_category:
        total = sums.setdefault((row["kind"], row["currency"]), [0, 0])
        total[0] += row.pop("cents")
        total[1] += row["count"]
    totals = [
        {"kind": k, "currency": c, "amount": _money(cents), "count": n}
        for (k, c), (cents, n) in sorted(sums.items())
    ]
    matched = sum(t["count"] for t in totals)
    limit = int(args.get("limit", 20))
    rows = [
        {
            "id": i,
            "date": d,
            "kind": k,
            "amount": _money(cents),
            "currency": c,
            "category": cat,
            "item": item,
        }
        for i, d, k, cents, c, cat, item in db.execute(
            "select id, date, kind, amount_cents, currency, category, item from ledger_entries"
            + clause
            + " order by date desc, id desc limit ?",
            [*params, limit],
        ).fetchall()
    ]
    result: dict[str, Any] = {
        "period": None
        if span is None
        else {"start": span[0].isoformat(), "end": span[1].isoformat(), "label": span[2]},
        "filters": {k: args[k] for k in ("kind", "category", "text") if args.get(k)},
        "totals": totals,
        "by_category": by_category,
        "matched": matched,
        "rows": rows,
    }
    if matched > len(rows):
        result["rows_note"] = f"the newest {len(rows)} of {matched} matching entries"
    return result


# -- writes --------------------------------------------------------------------------


def _validated_entries(raw: list[dict[str, Any]]) -> list[Any]:
    from assistant.errors import UsageError
    from skills.bookkeeping.parser import validate_entry

    entries = []
    for i, item in enumerate(raw):
        try:
            entries.append(validate_entry(item))
        except UsageError as exc:
            raise ToolError(f"entry #{i + 1}: {exc.message}") from None
    return entries


def _card(entries: list[Any], utterance: str, ctx: ToolContext, source: str) -> NeedsConfirmation:
    from skills.bookkeeping.display import add_preview

    return NeedsConfirmation(
        skill="bookkeeping",
        action="add_entries",
        preview=add_preview(entries, utterance or "", proposed_by_model=source != "rules"),
        data={
            "entries": [e.to_dict() for e in entries],
            "utterance": utterance,
            "origin": ctx.origin,
            "confirmation_id": uuid.uuid4().hex,
            "source": source,
        },
    )


def _parse_text(args: dict[str, Any], ctx: ToolContext) -> list[Any]:
    from skills.bookkeeping.ledger import Ledger
    from skills.bookkeeping.parser import ExpenseParser

    parser = ExpenseParser(ctx.settings.default_currency, Ledger(ctx.history).remembered())
    return parser.parse(args["text"], ctx.current_date())  # NoAmountError says what is missing


def propose_from_text(args: dict[str, Any], ctx: ToolContext) -> NeedsConfirmation:
    return _card(_parse_text(args, ctx), args["text"], ctx, "rules")


def ledger_propose_entries(args: dict[str, Any], ctx: ToolContext) -> dict[str, Any]:
    card = propose_from_text(args, ctx)
    return {
        "written": False,
        "preview": card.preview,
        "entries": card.data["entries"],
        "confirmation_id": card.data["confirmation_id"],
        "next": "after the user agrees, call ledger_add_entries with these entries, "
        "utterance and confirmation_id",
    }


def propose_add(args: dict[str, Any], ctx: ToolContext) -> NeedsConfirmation:
    return _card(
        _validated_entries(args["entries"]), str(args.get("utterance") or ""), ctx, "agent"
    )


def ledger_add_entries(args: dict[str, Any], ctx: ToolContext) -> dict[str, Any]:
    entries = _validated_entries(args["entries"])
    outcome = run_confirmed(
        ctx,
        "bookkeeping",
        "add_entries",
        {
            "entries": [e.to_dict() for e in entries],
            "utterance": str(args.get("utterance") or ""),
            "origin": ctx.origin,
            "confirmation_id": args.get("confirmation_id") or uuid.uuid4().hex,
            "source": ctx.origin,
        },
    )
    return {
        "written": not outcome.get("already_recorded", False),
        "entry_ids": outcome.get("entry_ids", []),
        "already_recorded": outcome.get("already_recorded", False),
        "text": outcome.get("text", ""),
    }


ENTRY_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "amount": {"type": "number", "exclusiveMinimum": 0, "maximum": 99999999.99},
        "currency": {"enum": list(CURRENCIES)},
        "category": {"enum": CATEGORIES},
        "item": {"type": "string", "maxLength": 200},
        "date": {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"},
        "kind": {"enum": ["expense", "income"]},
    },
    "required": ["amount", "currency", "category", "date", "kind"],
    "additionalProperties": False,
}

TOOLS = [
    ToolSpec(
        name="ledger_query",
        title="Query the ledger",
        description=(
            "The user's own ledger of spending and income (recorded by voice in Ting). "
            "Returns totals per kind and currency, totals per category and the newest "
            "matching entries. Filter by period, category, kind and words in the item. "
            "To compare two periods, call it once for each. Amounts are in each entry's "
            "currency; nothing is converted."
        ),
        input_schema={
            "type": "object",
            "properties": {
                "period": {
                    "type": "string",
                    "maxLength": 60,
                    "description": "e.g. 'this month', 'last month', 'last 7 days', "
                    "'2026-05', '2026', '2026-05-01..2026-05-31', 上个月; empty: all time",
                },
                "start": {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"},
                "end": {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"},
                "category": {"enum": CATEGORIES},
                "kind": {"enum": ["expense", "income", "all"], "default": "all"},
                "text": {
                    "type": "string",
                    "maxLength": 100,
                    "description": "words in the item or in what the user said",
                },
                "limit": {
                    "type": "integer",
                    "minimum": 0,
                    "maximum": MAX_ROWS,
                    "default": 20,
                    "description": "newest matching entries to list (0: totals only)",
                },
            },
            "additionalProperties": False,
        },
        function=ledger_query,
        progress="querying the ledger…",
    ),
    ToolSpec(
        name="ledger_propose_entries",
        title="Read entries from a sentence",
        description=(
            "Turns a sentence such as '昨天午饭花了三十五块' or 'paid $12.50 for parking' "
            "into ledger entries with Ting's own parser. Writes nothing: returns the "
            "entries and a confirmation_id to pass to ledger_add_entries once the user agrees."
        ),
        input_schema={
            "type": "object",
            "properties": {"text": {"type": "string", "minLength": 1, "maxLength": 2000}},
            "required": ["text"],
            "additionalProperties": False,
        },
        function=ledger_propose_entries,
        writes=True,
        destructive=False,
        progress="reading the entries…",
        propose=propose_from_text,
    ),
    ToolSpec(
        name="ledger_add_entries",
        title="Add entries to the ledger",
        description=(
            "Writes entries into the user's ledger (money records). Only after the user "
            "agreed to exactly these entries. The same confirmation_id is never written twice."
        ),
        input_schema={
            "type": "object",
            "properties": {
                "entries": {"type": "array", "minItems": 1, "maxItems": 50, "items": ENTRY_SCHEMA},
                "utterance": {"type": "string", "maxLength": 2000},
                "confirmation_id": {"type": "string", "pattern": r"^[A-Za-z0-9_-]{1,64}$"},
            },
            "required": ["entries"],
            "additionalProperties": False,
        },
        function=ledger_add_entries,
        writes=True,
        progress="recording the entries…",
        propose=propose_add,
    ),
]
