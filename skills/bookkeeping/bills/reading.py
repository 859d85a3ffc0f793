"""Which bill a file is, and reading it: ``read_bill``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from assistant.errors import UsageError
from skills.bookkeeping.bills import alipay, bankcsv, wechat
from skills.bookkeeping.bills.bankcsv import BankProfile
from skills.bookkeeping.bills.columns import Header, find_header
from skills.bookkeeping.bills.decoding import Table, read_table
from skills.bookkeeping.bills.rows import BillFile

SOURCES = ("auto", "alipay", "wechat", "csv")
_NAMES = {"alipay": "an Alipay bill", "wechat": "a WeChat Pay bill", "csv": "a bank CSV"}


@dataclass
class MappingNeeded:
    """A bank CSV whose header has no confirmed mapping yet: Ting's guess, to confirm."""

    table: Table
    header: Header
    proposal: BankProfile
    missing: list[str]


def sniff(table: Table) -> str | None:
    return alipay.sniff(table) or wechat.sniff(table)


def read_bill(
    path: Path,
    source: str = "auto",
    *,
    profiles: dict[str, BankProfile] | None = None,
    mapping: BankProfile | None = None,
) -> BillFile | MappingNeeded:
    """The file's rows, or (a bank CSV not seen before) the mapping to confirm first.

    ``profiles`` are the confirmed mappings by header signature; ``mapping`` is one the
    caller confirmed just now (``--map`` or a yes to the proposal)."""
    source = (source or "auto").strip().lower()
    if source == "bank":
        source = "csv"
    if source not in SOURCES:
        raise UsageError(f"--source must be one of {', '.join(SOURCES)}, not {source!r}")
    table = read_table(path)
    layout = sniff(table)
    found = "alipay" if layout and layout.startswith("alipay") else "wechat" if layout else None
    if source in ("alipay", "wechat") and found != source:
        what = _NAMES[found] if found else "not " + _NAMES[source]
        raise UsageError(f"{table.path} is {what}" + (f", not {_NAMES[source]}" if found else ""))
    if found and source == "csv":
        raise UsageError(f"{table.path} is {_NAMES[found]}, not a bank CSV (leave out --source)")
    if found == "alipay" and source in ("auto", "alipay"):
        return alipay.read(table, layout or "")
    if found == "wechat" and source in ("auto", "wechat"):
        return wechat.read(table, layout or "")
    if mapping is not None:
        return _read_mapped(table, mapping)
    header = bankcsv.find_bank_header(table)
    if header is None:
        if table.kind == "xlsx":
            raise UsageError(
                f"{table.path} is an Excel workbook but not a bill Ting knows "
                "(a WeChat Pay bill, or a statement with a date and an amount column)"
            )
        raise UsageError(
            f"{table.path} is not a bill layout Ting knows (an Alipay or WeChat Pay bill, "
            "or a bank CSV with a date and an amount column); for another bank's CSV, "
            "name its columns: --map date=COLUMN,amount=COLUMN"
        )
    signature = bankcsv.header_signature(header.names)
    known = (profiles or {}).get(signature)
    if known is not None:
        return bankcsv.read(table, header, known)
    proposal, missing = bankcsv.guess_profile(header)
    return MappingNeeded(table, header, proposal, missing)


def _read_mapped(table: Table, mapping: BankProfile) -> BillFile:
    """A bank CSV under a mapping given now: its header is the row naming those columns."""
    named: list[str] = []
    for value in mapping.mapping.values():
        named.extend(value if isinstance(value, list) else [value])
    header = find_header(table, named)
    if header is None:
        raise UsageError(f"{table.path} has no header row with the columns {', '.join(named)}")
    mapping.header = list(header.names)
    mapping.check()
    return bankcsv.read(table, header, mapping)
