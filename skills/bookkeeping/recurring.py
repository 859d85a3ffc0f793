"""Recurring entries ("每月一号房租四千五"): kept once, proposed on their day each month.

Table ``ledger_recurring`` (``Migrations("bookkeeping_recurring")``): what to record
(kind, amount, currency, category, item), on which day of the month (a 31st is the last
day of a shorter month), and the last date it was recorded. ``due`` lists those whose day
has come this month and that were not recorded for it yet; recording one is an ordinary
confirmed add (the proposal carries the recurring id and the date it is for), so it can
be undone like any other entry; it is proposed again next month, not again this month
(an undone rent is not pressed on the user twice).
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from typing import Any

from assistant.errors import UsageError
from assistant.migrations import Migrations
from skills.bookkeeping.ledger import Ledger, from_cents, to_cents
from skills.bookkeeping.parser import ParsedEntry, validate_entry

MIGRATIONS = Migrations("bookkeeping_recurring")


@MIGRATIONS
def m001_recurring(db: Any) -> None:
    db.execute(
        """
        create table ledger_recurring (
            id integer primary key,
            kind text not null check (kind in ('expense', 'income')),
            amount_cents integer not null check (amount_cents > 0),
            currency text not null,
            category text not null,
            item text not null default '',
            day integer not null check (day between 1 and 31),
            utterance text not null default '',
            created_at text not null,
            last_date text,
            deleted_at text
        )
        """
    )


@dataclass(frozen=True)
class Recurring:
    id: int
    entry: ParsedEntry  # its date is meaningless; ``day`` says when
    day: int
    last_date: dt.date | None

    def on(self, year: int, month: int) -> dt.date:
        return dt.date(year, month, min(self.day, calendar.monthrange(year, month)[1]))

    def describe(self) -> str:
        e = self.entry
        return f"#{self.id} every month on day {self.day}: {e.kind} {e.category} {e.item or '-'} {e.amount:,.2f} {e.currency}"

    def to_dict(self) -> dict[str, Any]:
        d = self.entry.to_dict()
        d.pop("date")
        return {
            "id": self.id,
            **d,
            "day": self.day,
            "last_date": self.last_date.isoformat() if self.last_date else None,
        }


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")


class RecurringBook:
    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self.db = ledger.db
        ledger.store.migrate(MIGRATIONS)

    def add(self, entry: ParsedEntry, day: int, utterance: str = "") -> Recurring:
        if not 1 <= day <= 31:
            raise UsageError(f"the day of the month must be 1 to 31, not {day}")
        with self.ledger.store.transaction() as conn:
            cur = conn.execute(
                "insert into ledger_recurring (kind, amount_cents, currency, category, item, day,"
                " utterance, created_at) values (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    entry.kind,
                    to_cents(entry.amount),
                    entry.currency,
                    entry.category,
                    entry.item,
                    day,
                    utterance,
                    _now(),
                ),
            )
        kept = self.get(int(cur.lastrowid or 0))
        assert kept is not None
        return kept

    def remove(self, recurring_id: int) -> Recurring:
        found = self.get(recurring_id)
        if found is None:
            raise UsageError(f"there is no recurring entry #{recurring_id}")
        with self.ledger.store.transaction() as conn:
            conn.execute(
                "update ledger_recurring set deleted_at = ? where id = ?", (_now(), recurring_id)
            )
        return found

    def _from_row(self, r: Any) -> Recurring:
        entry = validate_entry(
            {
                "amount": str(from_cents(r["amount_cents"])),
                "currency": r["currency"],
                "category": r["category"],
                "item": r["item"],
                "date": "2000-01-01",
                "kind": r["kind"],
            }
        )
        last = dt.date.fromisoformat(r["last_date"]) if r["last_date"] else None
        return Recurring(r["id"], entry, r["day"], last)

    def get(self, recurring_id: int) -> Recurring | None:
        rows = list(
            self.db.query(
                "select * from ledger_recurring where id = ? and deleted_at is null", [recurring_id]
            )
        )
        return self._from_row(rows[0]) if rows else None

    def all(self) -> list[Recurring]:
        return [
            self._from_row(r)
            for r in self.db.query(
                "select * from ledger_recurring where deleted_at is null order by day, id"
            )
        ]

    def due(self, today: dt.date) -> list[tuple[Recurring, dt.date]]:
        """Those whose day has come this month and that were not recorded for it yet."""
        out = []
        for r in self.all():
            when = r.on(today.year, today.month)
            if when <= today and (r.last_date is None or r.last_date < when):
                out.append((r, when))
        return out

    def recorded(self, recurring_id: int, when: dt.date) -> None:
        """After the entry for ``when`` was written (a retry writes nothing twice)."""
        with self.ledger.store.transaction() as conn:
            conn.execute(
                "update ledger_recurring set last_date = ? where id = ?"
                " and (last_date is null or last_date < ?)",
                (when.isoformat(), recurring_id, when.isoformat()),
            )
