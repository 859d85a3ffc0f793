"""Schema migrations that a store applies itself when it opens the database.

Each owner of tables (the history store, a skill's ledger) keeps an ordered list of
named migrations. ``apply`` runs the ones not yet recorded in ``_ting_migrations``,
each in its own transaction, so an interrupted upgrade never leaves half a schema.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable

import sqlite_utils

Migration = Callable[[sqlite_utils.Database], None]


class Migrations:
    def __init__(self, owner: str) -> None:
        self.owner = owner
        self._steps: list[tuple[str, Migration]] = []

    def __call__(self, fn: Migration) -> Migration:
        """Decorator: register ``fn`` as the next migration (its name is its id)."""
        self._steps.append((fn.__name__, fn))
        return fn

    def pending(self, db: sqlite_utils.Database) -> list[str]:
        done = _applied(db, self.owner)
        return [name for name, _ in self._steps if name not in done]

    def apply(self, db: sqlite_utils.Database) -> list[str]:
        _ensure_table(db)
        ran: list[str] = []
        for name, fn in self._steps:
            if name in _applied(db, self.owner):
                continue
            conn = db.conn
            conn.execute("BEGIN IMMEDIATE")
            try:
                # re-check inside the write lock: another process may have just done it
                row = conn.execute(
                    "select 1 from _ting_migrations where owner = ? and name = ?",
                    (self.owner, name),
                ).fetchone()
                if row is None:
                    fn(db)
                    conn.execute(
                        "insert into _ting_migrations (owner, name, applied_at) values (?, ?, ?)",
                        (self.owner, name, _dt.datetime.now(_dt.UTC).isoformat()),
                    )
                    ran.append(name)
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        return ran


def _ensure_table(db: sqlite_utils.Database) -> None:
    db.conn.execute(
        "create table if not exists _ting_migrations ("
        " owner text not null, name text not null, applied_at text not null,"
        " primary key (owner, name))"
    )


def _applied(db: sqlite_utils.Database, owner: str) -> set[str]:
    _ensure_table(db)
    return {
        r[0] for r in db.conn.execute("select name from _ting_migrations where owner = ?", (owner,))
    }
