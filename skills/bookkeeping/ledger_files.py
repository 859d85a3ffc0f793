"""The ledger as files: CSV (export and import) and Beancount (export), written whole.

Import is all or nothing: every row is checked before anything is written, the rows are
written in one transaction, and the batch key is the file's SHA-256, so importing the
same file twice adds nothing the second time.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from assistant.atomic_write import write_atomically
from assistant.errors import UsageError
from skills.bookkeeping.ledger import Ledger, LedgerEntry
from skills.bookkeeping.parser import ParsedEntry, validate_entry

CSV_COLUMNS = ("date", "kind", "amount", "currency", "category", "item", "utterance", "id")
REQUIRED_COLUMNS = ("date", "kind", "amount", "currency", "category")
MAX_IMPORT_BYTES = 50 * 1024 * 1024


def write_export(path: Path, content: str | bytes) -> None:
    """Write an export (or a chart) all at once, or say in one line why it cannot."""
    path = Path(path)
    if path.exists() and path.is_dir():
        raise UsageError(f"{path} is a folder, not a file")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise UsageError(f"the folder {parent} does not exist")
    try:
        write_atomically(path, content)
    except OSError as exc:
        raise UsageError(f"cannot write in {parent}: {exc.strerror}") from None


def to_csv(entries: Sequence[LedgerEntry]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for e in entries:
        writer.writerow(
            [
                e.date.isoformat(),
                e.kind,
                f"{e.amount:.2f}",
                e.currency,
                e.category,
                e.item,
                e.utterance,
                e.id,
            ]
        )
    return buf.getvalue()


def _bean_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def _account(kind: str, category: str) -> str:
    root = "Expenses" if kind == "expense" else "Income"
    return f"{root}:{category.capitalize()}"


CASH_ACCOUNT = "Assets:Ting:Cash"


def to_beancount(entries: Sequence[LedgerEntry]) -> str:
    """A Beancount ledger: open directives, then one transaction per entry."""
    lines = ["; exported by Ting (ting expense export --format beancount)", ""]
    if not entries:
        return "\n".join(lines)
    first = min(e.date for e in entries).isoformat()
    currencies = sorted({e.currency for e in entries})
    accounts = sorted({_account(e.kind, e.category) for e in entries})
    lines.append(f"{first} open {CASH_ACCOUNT} {','.join(currencies)}")
    for account in accounts:
        lines.append(f"{first} open {account}")
    lines.append("")
    for e in sorted(entries, key=lambda x: (x.date, x.id)):
        narration = e.item or e.category
        lines.append(f"{e.date.isoformat()} * {_bean_string(narration)}")
        lines.append(f"  ting-id: {_bean_string(str(e.id))}")
        if e.utterance:
            lines.append(f"  utterance: {_bean_string(e.utterance)}")
        amount = f"{e.amount:.2f} {e.currency}"
        if e.kind == "expense":
            lines.append(f"  {_account(e.kind, e.category)}  {amount}")
            lines.append(f"  {CASH_ACCOUNT}")
        else:
            lines.append(f"  {CASH_ACCOUNT}  {amount}")
            lines.append(f"  {_account(e.kind, e.category)}")
        lines.append("")
    return "\n".join(lines)


def read_csv_entries(path: Path) -> tuple[list[ParsedEntry], list[str], bytes]:
    """Every row of ``path`` checked; a bad row raises ``UsageError`` naming it."""
    path = Path(path)
    if not path.exists():
        raise UsageError(f"{path} does not exist")
    if path.is_dir():
        raise UsageError(f"{path} is a folder, not a CSV file")
    try:
        size = path.stat().st_size
        if size > MAX_IMPORT_BYTES:
            raise UsageError(f"{path} is too large to import ({size // (1024 * 1024)} MB)")
        raw = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UsageError(f"{path} is not UTF-8 text (is it really a CSV file?)") from None
    if "\x00" in text:
        raise UsageError(f"{path} is not a text CSV file (it holds NUL bytes)")
    reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
    try:
        header = [h.strip().lower() for h in (reader.fieldnames or [])]
    except csv.Error as exc:
        raise UsageError(f"{path} is not valid CSV: {exc}") from None
    if not header:
        raise UsageError(
            f"{path} is empty: expected a header row with {', '.join(REQUIRED_COLUMNS)}"
        )
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise UsageError(
            f"{path} lacks the column(s) {', '.join(missing)} (it needs {', '.join(REQUIRED_COLUMNS)})"
        )
    reader.fieldnames = header
    entries: list[ParsedEntry] = []
    utterances: list[str] = []
    try:
        for row in reader:
            line = reader.line_num
            if None in row:
                raise UsageError(f"{path} line {line}: more fields than the header has")
            values = {k: (v or "").strip() for k, v in row.items() if k}
            if not any(values.values()):
                continue  # a blank line
            if any(values.get(c, "") == "" for c in REQUIRED_COLUMNS):
                empty = [c for c in REQUIRED_COLUMNS if values.get(c, "") == ""]
                raise UsageError(f"{path} line {line}: {', '.join(empty)} is empty")
            try:
                entries.append(validate_entry(values))
            except UsageError as exc:
                raise UsageError(f"{path} line {line}: {exc.message}") from None
            utterances.append(values.get("utterance", ""))
    except csv.Error as exc:
        raise UsageError(f"{path} is not valid CSV (line {reader.line_num}: {exc})") from None
    if not entries:
        raise UsageError(f"{path} has a header but no entries")
    return entries, utterances, raw


def import_csv(ledger: Ledger, path: Path) -> dict[str, Any]:
    entries, utterances, raw = read_csv_entries(path)
    key = "import:" + hashlib.sha256(raw).hexdigest()
    outcome = ledger.add(entries, key=key, utterance=utterances, action="import")
    return {
        "file": str(path),
        "imported": 0 if outcome.already_recorded else len(entries),
        "entry_ids": outcome.entry_ids,
        "already_imported": outcome.already_recorded,
        "journal_id": outcome.journal_id,
    }
