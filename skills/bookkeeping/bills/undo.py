"""The bill side of undoing an import, on the connection of ``Ledger.undo``'s transaction.

Kept apart from ``store`` (which builds on the ledger) so that the ledger can call it
without the two importing each other.
"""

from __future__ import annotations

from typing import Any


def undo_import(conn: Any, journal_id: int, details: dict[str, Any], now: str) -> None:
    """After ``Ledger.undo`` marked the import's entries deleted: merged entries get their
    date back, and every link of the import is forgotten (so the file can come again)."""
    for merged in details.get("merged", []):
        before = merged.get("before") or {}
        if "date" in before:
            conn.execute(
                "update ledger_entries set date = ? where id = ?",
                (before["date"], merged["entry_id"]),
            )
    conn.execute(
        "update ledger_bill_links set undone_at = ? where journal_id = ? and undone_at is null",
        (now, journal_id),
    )
