"""The tables behind bill imports, and writing an import as one undoable journal entry.

Tables (``Migrations("bookkeeping_bills")``, applied after the ledger's own):

* ``ledger_bill_links``: one row per bill row an import took in, keyed by its source and
  the export's transaction id (unique among live links), with what it became: ``added``
  (a new entry), ``merged`` (into an entry the user had said; ``before_json`` keeps what
  that entry was), ``void`` (a purchase refunded in full, or its refund: no entry, but
  remembered so a later refund of it is voided too), or ``mirror`` (the bank's side of a
  wallet payment, or the other way round, pointing at the same entry). A refund keeps
  ``refund_of_entry``, the purchase it gave money back for.
* ``ledger_bill_imports``: the confirmation key of each import, so that applying the same
  confirmation twice (a retry, a double click) writes nothing the second time.
* ``ledger_bill_profiles``: bank CSV column mappings the user confirmed, by header.

An import is one ``BEGIN IMMEDIATE`` transaction and one ``ledger_journal`` row (action
``import``); ``Ledger.undo`` marks its entries deleted and calls ``bills.undo`` to put
merged entries back as they were and to forget the links, so the same file can be
imported again afterwards.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from assistant.migrations import Migrations
from skills.bookkeeping.bills.bankcsv import BankProfile
from skills.bookkeeping.bills.rows import BillRow
from skills.bookkeeping.bills.semantics import Link
from skills.bookkeeping.ledger import Ledger, LedgerEntry, from_cents, to_cents

MIGRATIONS = Migrations("bookkeeping_bills")


@MIGRATIONS
def m001_bill_links(db: Any) -> None:
    db.execute(
        """
        create table ledger_bill_links (
            id integer primary key,
            journal_id integer not null references ledger_journal(id),
            source text not null,
            txn_id text not null,
            entry_id integer references ledger_entries(id),
            role text not null check (role in ('added', 'merged', 'void', 'mirror')),
            refund_of_entry integer,
            payee text not null default '',
            text text not null default '',
            method text not null default '',
            direction text not null,
            amount_cents integer not null,
            occurred_at text not null,
            before_json text,
            created_at text not null,
            undone_at text
        )
        """
    )
    db.execute(
        "create unique index ledger_bill_links_live on ledger_bill_links(source, txn_id)"
        " where undone_at is null"
    )
    db.execute("create index ledger_bill_links_entry on ledger_bill_links(entry_id)")
    db.execute("create index ledger_bill_links_when on ledger_bill_links(occurred_at)")
    db.execute(
        "create table ledger_bill_imports (key text primary key, journal_id integer not null)"
    )
    db.execute(
        """
        create table ledger_bill_profiles (
            id text primary key,
            profile_json text not null,
            confirmed_at text not null
        )
        """
    )


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")


_CHANNEL_WORDS = {"alipay": ("支付宝",), "wechat": ("财付通", "微信")}


def _link(row: Any) -> Link:
    return Link(
        source=row["source"],
        txn_id=row["txn_id"],
        entry_id=row["entry_id"],
        role=row["role"],
        amount=from_cents(row["amount_cents"]),
        direction=row["direction"],
        occurred=dt.datetime.fromisoformat(row["occurred_at"]),
        payee=row["payee"],
        method=row["method"],
    )


@dataclass
class Applied:
    journal_id: int | None
    added: list[int] = field(default_factory=list)
    merged: list[int] = field(default_factory=list)
    voided: int = 0
    mirrored: int = 0
    skipped: list[str] = field(default_factory=list)  # reasons found only at apply time
    already_applied: bool = False


class BillStore:
    """Bill links, import keys and bank profiles on the ledger's connection."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self.db = ledger.db
        self._prefetched: dict[tuple[str, str], Link | None] = {}
        ledger.store.migrate(MIGRATIONS)

    def _one(self, sql: str, params: Iterable[Any]) -> Any:
        rows = list(self.db.query(sql, list(params)))
        return rows[0] if rows else None

    # -- what earlier imports left (semantics.Known) ---------------------------------

    def prefetch(self, source: str, txn_ids: Iterable[str]) -> None:
        """Look up a file's rows in one query per thousand instead of one each."""
        ids = sorted(set(txn_ids))
        found: dict[tuple[str, str], Link | None] = {(source, t): None for t in ids}
        for start in range(0, len(ids), 900):
            chunk = ids[start : start + 900]
            marks = ",".join("?" * len(chunk))
            for row in self.db.query(
                f"select * from ledger_bill_links where source = ? and txn_id in ({marks})"
                " and undone_at is null",
                [source, *chunk],
            ):
                found[(source, row["txn_id"])] = _link(row)
        self._prefetched = found

    def link(self, source: str, txn_id: str) -> Link | None:
        if (source, txn_id) in self._prefetched:
            return self._prefetched[(source, txn_id)]
        row = self._one(
            "select * from ledger_bill_links where source = ? and txn_id = ? and undone_at is null",
            (source, txn_id),
        )
        return _link(row) if row else None

    def purchase_by_payee(
        self, source: str, payee: str, amount: Decimal, before: dt.datetime
    ) -> Link | None:
        if not payee:
            return None
        since = before - dt.timedelta(days=180)
        row = self._one(
            "select * from ledger_bill_links where source = ? and direction = 'expense'"
            " and role in ('added', 'merged', 'void') and undone_at is null"
            " and amount_cents >= ? and occurred_at between ? and ? and payee = ?"
            " order by occurred_at desc limit 1",
            (source, to_cents(amount), since.isoformat(), before.isoformat(), payee),
        )
        return _link(row) if row else None

    def mirror(self, row: BillRow, channel: str) -> Link | None:
        lo = (row.time - dt.timedelta(days=2)).replace(hour=0, minute=0, second=0).isoformat()
        hi = (row.time + dt.timedelta(days=2)).replace(hour=23, minute=59, second=59).isoformat()
        params: list[Any] = [row.direction, to_cents(row.amount), lo, hi]
        if channel == "bank":
            words = _CHANNEL_WORDS.get(row.source, ())
            if not words:
                return None
            sql = (
                "select * from ledger_bill_links where source like 'bank:%' and direction = ?"
                " and amount_cents = ? and occurred_at between ? and ? and undone_at is null and ("
                + " or ".join("text like ?" for _ in words)
                + ") order by abs(julianday(occurred_at) - julianday(?)) limit 1"
            )
            params += [f"%{w}%" for w in words] + [row.time.isoformat()]
        else:
            sql = (
                "select * from ledger_bill_links where source = ? and direction = ?"
                " and amount_cents = ? and occurred_at between ? and ? and undone_at is null"
                " and role != 'mirror'"
                " order by abs(julianday(occurred_at) - julianday(?)) limit 1"
            )
            params = [channel, *params, row.time.isoformat()]
        found = self._one(sql, params)
        return _link(found) if found else None

    # -- entries a bill row may be the same money as -----------------------------------

    def spoken_candidates(self, start: dt.date, end: dt.date) -> list[LedgerEntry]:
        """Live entries in the period that no bill row has claimed yet."""
        claimed = {
            r[0]
            for r in self.db.execute(
                "select entry_id from ledger_bill_links where undone_at is null and entry_id is not null"
            )
        }
        return [e for e in self.ledger.entries(start=start, end=end) if e.id not in claimed]

    def linked_entry_ids(self) -> set[int]:
        return {
            r[0]
            for r in self.db.execute(
                "select entry_id from ledger_bill_links where undone_at is null and entry_id is not null"
            )
        }

    # -- bank profiles -----------------------------------------------------------------

    def profiles(self) -> dict[str, BankProfile]:
        found = {}
        for row in self.db.query("select id, profile_json from ledger_bill_profiles"):
            try:
                found[row["id"]] = BankProfile.from_dict(json.loads(row["profile_json"]))
            except Exception:  # a mapping that no longer checks out is asked for again
                continue
        return found

    # -- writing an import -------------------------------------------------------------

    def apply(self, plan: dict[str, Any], key: str) -> Applied:
        """Write a confirmed plan (``importing.ImportPlan.to_data``) in one transaction."""
        now = _now()
        applied = Applied(journal_id=None)
        with self.ledger.store.transaction() as conn:
            done = conn.execute(
                "select journal_id from ledger_bill_imports where key = ?", (key,)
            ).fetchone()
            if done is not None:
                applied.journal_id = done[0]
                applied.already_applied = True
                return applied
            cur = conn.execute(
                "insert into ledger_journal (action, created_at, details_json) values ('import', ?, '{}')",
                (now,),
            )
            journal_id = int(cur.lastrowid or 0)
            applied.journal_id = journal_id
            new_entry_for: dict[str, int] = {}
            merged_details: list[dict[str, Any]] = []
            counter = 0

            def live_link(source: str, txn_id: str) -> bool:
                return (
                    conn.execute(
                        "select 1 from ledger_bill_links where source = ? and txn_id = ?"
                        " and undone_at is null",
                        (source, txn_id),
                    ).fetchone()
                    is not None
                )

            def insert_link(
                item: dict[str, Any], role: str, entry_id: int | None, before: Any = None
            ) -> None:
                row = item["row"]
                refund_of_entry = item.get("refund_of_entry")
                if refund_of_entry is None and item.get("refund_of"):
                    refund_of_entry = new_entry_for.get(f"{row['source']}\0{item['refund_of']}")
                conn.execute(
                    "insert into ledger_bill_links (journal_id, source, txn_id, entry_id, role,"
                    " refund_of_entry, payee, text, method, direction, amount_cents, occurred_at,"
                    " before_json, created_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        journal_id,
                        row["source"],
                        item["txn_id"],
                        entry_id,
                        role,
                        refund_of_entry,
                        row.get("payee", ""),
                        f"{row.get('payee', '')} {row.get('goods', '')}".strip(),
                        row.get("method", ""),
                        item["kind"] if item.get("kind") else row["direction"],
                        to_cents(Decimal(str(item.get("amount", row["amount"])))),
                        row["time"],
                        json.dumps(before, ensure_ascii=False) if before is not None else None,
                        now,
                    ),
                )

            def add_entry(item: dict[str, Any]) -> int:
                nonlocal counter
                entry = item["entry"]
                cur = conn.execute(
                    "insert into ledger_entries (entry_key, journal_id, kind, amount_cents,"
                    " currency, category, item, date, utterance, history_id, created_at)"
                    " values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        f"{key}:{counter}",
                        journal_id,
                        entry["kind"],
                        to_cents(Decimal(str(entry["amount"]))),
                        entry["currency"],
                        entry["category"],
                        entry.get("item", ""),
                        entry["date"],
                        item.get("description", ""),
                        None,
                        now,
                    ),
                )
                counter += 1
                entry_id = int(cur.lastrowid or 0)
                applied.added.append(entry_id)
                new_entry_for[f"{item['row']['source']}\0{item['txn_id']}"] = entry_id
                return entry_id

            # purchases before the refunds that point at them
            adds = sorted(plan.get("add", []), key=lambda it: bool(it.get("refund_of")))
            for item in adds:
                if live_link(item["row"]["source"], item["txn_id"]):
                    applied.skipped.append(f"{item['txn_id']}: imported meanwhile")
                    continue
                insert_link(item, "added", add_entry(item))
            for item in plan.get("merge", []):
                if live_link(item["row"]["source"], item["txn_id"]):
                    applied.skipped.append(f"{item['txn_id']}: imported meanwhile")
                    continue
                target = conn.execute(
                    "select date from ledger_entries where id = ? and deleted_at is null",
                    (item["entry_id"],),
                ).fetchone()
                claimed = conn.execute(
                    "select 1 from ledger_bill_links where entry_id = ? and undone_at is null",
                    (item["entry_id"],),
                ).fetchone()
                if target is None or claimed is not None or not item.get("accept", True):
                    insert_link(item, "added", add_entry(item))
                    continue
                before = {"date": target[0]}
                bill_date = item["entry"]["date"]
                if bill_date != target[0]:
                    conn.execute(
                        "update ledger_entries set date = ? where id = ?",
                        (bill_date, item["entry_id"]),
                    )
                insert_link(item, "merged", item["entry_id"], before)
                merged_details.append({"entry_id": item["entry_id"], "before": before})
                applied.merged.append(item["entry_id"])
            for item in plan.get("void", []):
                if not live_link(item["row"]["source"], item["txn_id"]):
                    insert_link(item, "void", None)
                    applied.voided += 1
            for item in plan.get("mirror", []):
                if not live_link(item["row"]["source"], item["txn_id"]):
                    insert_link(item, "mirror", item.get("entry_id"))
                    applied.mirrored += 1
            profile = plan.get("profile")
            if profile:
                conn.execute(
                    "insert into ledger_bill_profiles (id, profile_json, confirmed_at) values (?, ?, ?)"
                    " on conflict(id) do update set profile_json = excluded.profile_json,"
                    " confirmed_at = excluded.confirmed_at",
                    (profile["id"], json.dumps(profile, ensure_ascii=False), now),
                )
            conn.execute(
                "insert into ledger_bill_imports (key, journal_id) values (?, ?)", (key, journal_id)
            )
            details = {
                "bills": {
                    "file": plan.get("file", ""),
                    "source": plan.get("source", ""),
                    "added": len(applied.added),
                    "merged": len(applied.merged),
                    "voided": applied.voided,
                    "mirrored": applied.mirrored,
                },
                "entry_ids": applied.added,
                "merged": merged_details,
            }
            conn.execute(
                "update ledger_journal set details_json = ? where id = ?",
                (json.dumps(details, ensure_ascii=False), journal_id),
            )
        return applied
