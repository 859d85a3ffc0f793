"""The ledger: entries in the one local database, a journal for undo, remembered categories.

Tables (migrated by ``Migrations("bookkeeping")`` when a ``Ledger`` opens):

* ``ledger_entries``: one row per entry. Amounts are integer cents (``amount_cents``),
  so sums are exact. Each row keeps the utterance it came from and the history row
  (``history_id``, the ``exchanges`` row of that utterance). ``entry_key`` is unique:
  a confirmed batch carries a key, and applying the same confirmation twice (a retry
  after a crash, a double click) writes nothing the second time. Undo marks rows
  ``deleted_at`` instead of removing them, so a retried confirmation cannot bring an
  undone entry back.
* ``ledger_journal``: one row per write (add, amend, import) with what it did, newest
  last; ``undo`` reverses the newest one not yet undone.
* ``ledger_category_memory``: the category a user chose for an item; the parser uses it
  the next time that item is said.

Every write is one ``BEGIN IMMEDIATE`` transaction on the history store's connection
(WAL, ``synchronous=FULL``): a batch is all there or not there at all.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from assistant.errors import SkillError, UsageError
from assistant.migrations import Migrations
from skills.bookkeeping.parser import ParsedEntry, amount_to_json, normalise_item

if TYPE_CHECKING:
    import sqlite3

    from assistant.history import HistoryStore

MIGRATIONS = Migrations("bookkeeping")


@MIGRATIONS
def m001_ledger(db: Any) -> None:
    db.execute(
        """
        create table ledger_journal (
            id integer primary key,
            action text not null check (action in ('add', 'amend', 'import')),
            created_at text not null,
            details_json text not null,
            undone_at text
        )
        """
    )
    db.execute(
        """
        create table ledger_entries (
            id integer primary key,
            entry_key text not null unique,
            journal_id integer not null references ledger_journal(id),
            kind text not null check (kind in ('expense', 'income')),
            amount_cents integer not null check (amount_cents > 0),
            currency text not null,
            category text not null,
            item text not null default '',
            date text not null,
            utterance text not null default '',
            history_id integer,
            created_at text not null,
            deleted_at text
        )
        """
    )
    db.execute("create index ledger_entries_date on ledger_entries(date)")
    db.execute("create index ledger_entries_category on ledger_entries(category)")
    db.execute(
        """
        create table ledger_category_memory (
            item_key text primary key,
            kind text not null,
            category text not null,
            updated_at text not null
        )
        """
    )


@MIGRATIONS
def m002_totals_index(db: Any) -> None:
    """Sums per kind, category and currency (questions, reports, the ledger_query tool)
    read this index instead of every row of the table."""
    db.execute(
        "create index ledger_entries_totals on ledger_entries"
        "(kind, category, currency, amount_cents) where deleted_at is null"
    )


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")


def to_cents(amount: Decimal) -> int:
    return int((amount * 100).to_integral_value())


def from_cents(cents: int) -> Decimal:
    return Decimal(cents) / 100


@dataclass(frozen=True)
class LedgerEntry:
    id: int
    kind: str
    amount: Decimal
    currency: str
    category: str
    item: str
    date: dt.date
    utterance: str
    history_id: int | None
    created_at: str
    entry_key: str

    @classmethod
    def from_row(cls, row: Any) -> LedgerEntry:
        return cls(
            id=row["id"],
            kind=row["kind"],
            amount=from_cents(row["amount_cents"]),
            currency=row["currency"],
            category=row["category"],
            item=row["item"],
            date=dt.date.fromisoformat(row["date"]),
            utterance=row["utterance"],
            history_id=row["history_id"],
            created_at=row["created_at"],
            entry_key=row["entry_key"],
        )

    def parsed(self) -> ParsedEntry:
        return ParsedEntry(
            self.amount, self.currency, self.category, self.item, self.date, self.kind
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            **self.parsed().to_dict(),
            "utterance": self.utterance,
            "history_id": self.history_id,
            "created_at": self.created_at,
        }


@dataclass(frozen=True)
class JournalRow:
    id: int
    action: str
    created_at: str
    details: dict[str, Any]


@dataclass(frozen=True)
class AddOutcome:
    journal_id: int | None
    entry_ids: list[int]
    already_recorded: bool


@dataclass(frozen=True)
class Total:
    currency: str
    amount: Decimal
    count: int


class Ledger:
    """The bookkeeping tables on the history store's connection."""

    def __init__(self, store: HistoryStore) -> None:
        self.store = store
        self.db = store.db
        store.migrate(MIGRATIONS)

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self.store.transaction() as conn:
            yield conn

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        return list(self.db.query(sql, list(params)))

    # -- writing -------------------------------------------------------------------

    def add(
        self,
        entries: Sequence[ParsedEntry],
        *,
        key: str,
        utterance: str | Sequence[str] = "",
        history_id: int | None = None,
        action: str = "add",
    ) -> AddOutcome:
        """Write a confirmed batch once. ``key`` identifies the confirmation: entry i of
        it gets ``f"{key}:{i}"``; a batch already written is not written again."""
        if not entries:
            raise UsageError("nothing to record: no entries")
        keys = [f"{key}:{i}" for i in range(len(entries))]
        if isinstance(utterance, str):
            utterances = [utterance] * len(entries)
        else:
            utterances = list(utterance)
            if len(utterances) != len(entries):
                raise ValueError("one utterance per entry, or one for all")
        now = _now()
        with self._transaction() as conn:
            existing = conn.execute(
                "select id from ledger_entries where entry_key = ?", (keys[0],)
            ).fetchone()
            if existing is not None:
                prefix = f"{key}:"
                ids = [
                    r[0]
                    for r in conn.execute(
                        "select id from ledger_entries where substr(entry_key, 1, ?) = ?"
                        " order by id",
                        (len(prefix), prefix),
                    )
                ]
                return AddOutcome(None, ids, already_recorded=True)
            cur = conn.execute(
                "insert into ledger_journal (action, created_at, details_json) values (?, ?, '{}')",
                (action, now),
            )
            journal_id = int(cur.lastrowid or 0)
            ids = []
            for entry_key, entry, said in zip(keys, entries, utterances, strict=True):
                cur = conn.execute(
                    "insert into ledger_entries (entry_key, journal_id, kind, amount_cents,"
                    " currency, category, item, date, utterance, history_id, created_at)"
                    " values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        entry_key,
                        journal_id,
                        entry.kind,
                        to_cents(entry.amount),
                        entry.currency,
                        entry.category,
                        entry.item,
                        entry.date.isoformat(),
                        said,
                        history_id,
                        now,
                    ),
                )
                ids.append(int(cur.lastrowid or 0))
            conn.execute(
                "update ledger_journal set details_json = ? where id = ?",
                (json.dumps({"entry_ids": ids}), journal_id),
            )
        return AddOutcome(journal_id, ids, already_recorded=False)

    def amend(self, entry_id: int, changes: dict[str, Any]) -> JournalRow:
        """Change fields of one live entry; remembers a changed category for its item."""
        allowed = {"amount", "currency", "category", "item", "date", "kind"}
        unknown = set(changes) - allowed
        if unknown:
            raise UsageError(f"cannot change {', '.join(sorted(unknown))}")
        now = _now()
        with self._transaction() as conn:
            row = conn.execute(
                "select kind, amount_cents, currency, category, item, date from ledger_entries"
                " where id = ? and deleted_at is null",
                (entry_id,),
            ).fetchone()
            if row is None:
                raise SkillError(f"entry {entry_id} does not exist or was undone")
            before = {
                "kind": row[0],
                "amount": amount_to_json(from_cents(row[1])),
                "currency": row[2],
                "category": row[3],
                "item": row[4],
                "date": row[5],
            }
            from skills.bookkeeping.parser import validate_entry

            merged = validate_entry({**before, **changes})
            after = merged.to_dict()
            conn.execute(
                "update ledger_entries set kind = ?, amount_cents = ?, currency = ?,"
                " category = ?, item = ?, date = ? where id = ?",
                (
                    merged.kind,
                    to_cents(merged.amount),
                    merged.currency,
                    merged.category,
                    merged.item,
                    merged.date.isoformat(),
                    entry_id,
                ),
            )
            details = {"entry_id": entry_id, "before": before, "after": after}
            cur = conn.execute(
                "insert into ledger_journal (action, created_at, details_json) values ('amend', ?, ?)",
                (now, json.dumps(details, ensure_ascii=False)),
            )
            if "category" in changes and merged.item:
                self._remember(conn, merged.item, merged.kind, merged.category, now)
        return JournalRow(int(cur.lastrowid or 0), "amend", now, details)

    def remember_category(self, item: str, kind: str, category: str) -> None:
        with self._transaction() as conn:
            self._remember(conn, item, kind, category, _now())

    @staticmethod
    def _remember(conn: sqlite3.Connection, item: str, kind: str, category: str, now: str) -> None:
        conn.execute(
            "insert into ledger_category_memory (item_key, kind, category, updated_at)"
            " values (?, ?, ?, ?) on conflict(item_key) do update set"
            " kind = excluded.kind, category = excluded.category, updated_at = excluded.updated_at",
            (normalise_item(item), kind, category, now),
        )

    def last_action(self) -> JournalRow | None:
        rows = self._rows(
            "select * from ledger_journal where undone_at is null order by id desc limit 1"
        )
        if not rows:
            return None
        r = rows[0]
        return JournalRow(r["id"], r["action"], r["created_at"], json.loads(r["details_json"]))

    def undo(self, journal_id: int | None = None) -> JournalRow:
        """Reverse the newest write not yet undone (which must be ``journal_id`` if given)."""
        now = _now()
        with self._transaction() as conn:
            row = conn.execute(
                "select id, action, created_at, details_json from ledger_journal"
                " where undone_at is null order by id desc limit 1"
            ).fetchone()
            if row is None:
                raise SkillError("nothing to undo: the ledger has no writes left to reverse")
            if journal_id is not None and row[0] != journal_id:
                raise SkillError(
                    "the ledger changed since the undo was proposed; ask again to undo"
                )
            details = json.loads(row[3])
            if row[1] in ("add", "import"):
                conn.execute(
                    "update ledger_entries set deleted_at = ? where journal_id = ?"
                    " and deleted_at is null",
                    (now, row[0]),
                )
                if "bills" in details:  # a bill import: merged entries and source links too
                    from skills.bookkeeping.bills.undo import undo_import

                    undo_import(conn, row[0], details, now)
            else:
                before = details["before"]
                conn.execute(
                    "update ledger_entries set kind = ?, amount_cents = ?, currency = ?,"
                    " category = ?, item = ?, date = ? where id = ?",
                    (
                        before["kind"],
                        to_cents(Decimal(str(before["amount"]))),
                        before["currency"],
                        before["category"],
                        before["item"],
                        before["date"],
                        details["entry_id"],
                    ),
                )
            conn.execute("update ledger_journal set undone_at = ? where id = ?", (now, row[0]))
        return JournalRow(row[0], row[1], row[2], details)

    # -- reading -------------------------------------------------------------------

    def get(self, entry_id: int) -> LedgerEntry | None:
        rows = self._rows(
            "select * from ledger_entries where id = ? and deleted_at is null", [entry_id]
        )
        return LedgerEntry.from_row(rows[0]) if rows else None

    def entries_of(self, journal_id: int) -> list[LedgerEntry]:
        return [
            LedgerEntry.from_row(r)
            for r in self._rows(
                "select * from ledger_entries where journal_id = ? order by id", [journal_id]
            )
        ]

    def last_entry(self) -> LedgerEntry | None:
        rows = self._rows(
            "select * from ledger_entries where deleted_at is null order by id desc limit 1"
        )
        return LedgerEntry.from_row(rows[0]) if rows else None

    def entries(
        self,
        *,
        start: dt.date | None = None,
        end: dt.date | None = None,
        category: str | None = None,
        kind: str | None = None,
    ) -> list[LedgerEntry]:
        sql = "select * from ledger_entries where deleted_at is null"
        params: list[Any] = []
        if start is not None:
            sql += " and date >= ?"
            params.append(start.isoformat())
        if end is not None:
            sql += " and date <= ?"
            params.append(end.isoformat())
        if category is not None:
            sql += " and category = ?"
            params.append(category)
        if kind is not None:
            sql += " and kind = ?"
            params.append(kind)
        sql += " order by date, id"
        return [LedgerEntry.from_row(r) for r in self._rows(sql, params)]

    def totals(
        self,
        start: dt.date,
        end: dt.date,
        *,
        kind: str = "expense",
        category: str | None = None,
    ) -> list[Total]:
        """Sum per currency over a period (both ends included), computed in SQL."""
        sql = (
            "select currency, sum(amount_cents), count(*) from ledger_entries"
            " where deleted_at is null and kind = ? and date between ? and ?"
        )
        params: list[Any] = [kind, start.isoformat(), end.isoformat()]
        if category is not None:
            sql += " and category = ?"
            params.append(category)
        sql += " group by currency order by currency"
        return [Total(c, from_cents(s), n) for c, s, n in self.db.execute(sql, params).fetchall()]

    def totals_by_category(self, start: dt.date, end: dt.date) -> list[dict[str, Any]]:
        sql = (
            "select kind, category, currency, sum(amount_cents) as cents, count(*) as n"
            " from ledger_entries where deleted_at is null and date between ? and ?"
            " group by kind, category, currency order by kind, cents desc"
        )
        return [
            {
                "kind": kind,
                "category": category,
                "currency": currency,
                "amount": from_cents(cents),
                "count": n,
            }
            for kind, category, currency, cents, n in self.db.execute(
                sql, [start.isoformat(), end.isoformat()]
            ).fetchall()
        ]

    def remembered(self) -> dict[str, str]:
        return {
            r["item_key"]: r["category"]
            for r in self._rows("select item_key, category from ledger_category_memory")
        }

    def count(self) -> int:
        return int(
            self.db.execute(
                "select count(*) from ledger_entries where deleted_at is null"
            ).fetchone()[0]
        )
