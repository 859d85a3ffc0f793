"""A bill file → a plan the user confirms (added, merged, asked, skipped) → the ledger.

``build_plan`` reads the file, decides what each row does (``semantics``), gives each
booked row a category and an item (``categories``) and looks for the entries the user
already said (``matching``). Nothing is written. The plan travels as plain data (the
``NeedsConfirmation`` of ``import_bills``): the UI or the CLI sets ``accept`` on each
uncertain match, and ``apply_plan`` writes it all in one transaction that one undo
takes back (``store``).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from assistant.errors import UsageError
from skills.bookkeeping.bills import bankcsv
from skills.bookkeeping.bills.bankcsv import BankProfile
from skills.bookkeeping.bills.categories import categorise
from skills.bookkeeping.bills.matching import EntrySide, match, row_side
from skills.bookkeeping.bills.reading import MappingNeeded, read_bill
from skills.bookkeeping.bills.rows import BillRow
from skills.bookkeeping.bills.semantics import BOOK, SKIP, VOID, decide
from skills.bookkeeping.bills.store import Applied, BillStore
from skills.bookkeeping.ledger import Ledger
from skills.bookkeeping.parser import amount_to_json, validate_entry

PREVIEW_LINES = 12


def row_data(row: BillRow) -> dict[str, Any]:
    return {
        "source": row.source,
        "txn_id": row.txn_id,
        "line": row.line,
        "time": row.time.isoformat(sep=" "),
        "direction": row.direction,
        "amount": str(row.amount),
        "currency": row.currency,
        "payee": row.payee,
        "goods": row.goods,
        "method": row.method,
        "status": row.status,
        "hint": row.hint,
    }


def _row_text(row: dict[str, Any]) -> str:
    when = row["time"]
    parts = [when[:10] if when.endswith("00:00:00") else when[:16]]
    for key in ("payee", "goods"):
        if row.get(key) and row[key] not in parts:
            parts.append(row[key])
    return " ".join(parts)


def parse_mapping(text: str) -> BankProfile:
    """``--map date=记账日期,amount=交易金额,payee=对手信息,memo=摘要+用途,sign=positive-out``
    (also ``dates=dmy`` for 03/11/2026 as 3 November, ``own=林某+6222…`` for the user's
    own accounts, whose transfers are not spending)."""
    mapping: dict[str, Any] = {}
    sign = "negative-out"
    dates = "ymd"
    own: list[str] = []
    for part in text.split(","):
        if not part.strip():
            continue
        name, _, value = part.partition("=")
        name, value = name.strip().lower(), value.strip()
        if not value:
            raise UsageError(f"--map needs FIELD=COLUMN pairs, not {part.strip()!r}")
        if name == "sign":
            sign = value
        elif name == "dates":
            dates = value
        elif name == "own":
            own = [v.strip() for v in value.split("+") if v.strip()]
        elif name == "memo":
            mapping["memo"] = [v.strip() for v in value.split("+") if v.strip()]
        elif name in bankcsv.FIELDS:
            mapping[name] = value
        else:
            raise UsageError(
                f"--map: unknown field {name!r} (fields: {', '.join(bankcsv.FIELDS)}, sign, dates, own)"
            )
    return BankProfile(header=[], mapping=mapping, sign=sign, dates=dates, own_names=own)


@dataclass
class ImportPlan:
    file: str
    source: str
    label: str
    period: tuple[str, str] | None = None
    rows: int = 0
    add: list[dict[str, Any]] = field(default_factory=list)
    merge: list[dict[str, Any]] = field(default_factory=list)
    void: list[dict[str, Any]] = field(default_factory=list)
    mirror: list[dict[str, Any]] = field(default_factory=list)
    skip: list[dict[str, Any]] = field(default_factory=list)
    profile: dict[str, Any] | None = None
    new_mapping: bool = False

    @property
    def sure(self) -> list[dict[str, Any]]:
        return [m for m in self.merge if m["sure"]]

    @property
    def asked(self) -> list[dict[str, Any]]:
        return [m for m in self.merge if not m["sure"]]

    def to_data(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "source": self.source,
            "label": self.label,
            "period": list(self.period) if self.period else None,
            "add": self.add,
            "merge": self.merge,
            "void": self.void,
            "mirror": self.mirror,
            "skip": self.skip,
            "profile": self.profile,
            "new_mapping": self.new_mapping,
            "summary": self.summary(),
        }

    def summary(self) -> dict[str, Any]:
        reasons = Counter(_reason_group(s["reason"]) for s in self.skip + self.mirror)
        reasons.update(_reason_group(v["reason"]) for v in self.void)
        return {
            "rows": self.rows,
            "add": len(self.add),
            "merge": len(self.sure),
            "ask": len(self.asked),
            "skip": len(self.void) + len(self.mirror) + len(self.skip),
            "skipped_because": dict(reasons.most_common()),
        }

    def preview(self) -> str:
        s = self.summary()
        span = f", {self.period[0]}..{self.period[1]}" if self.period else ""
        lines = [f"Import {self.label} ({Path(self.file).name}{span}): {s['rows']} rows"]
        if self.new_mapping and self.profile:
            lines.append(
                "  columns (remembered for this bank once you say yes): "
                + BankProfile.from_dict(self.profile).describe()
            )
        counts = f"  add {s['add']} · merge {s['merge']} · ask {s['ask']} · skip {s['skip']}"
        if s["skipped_because"]:
            counts += (
                " (" + ", ".join(f"{why} {n}" for why, n in s["skipped_because"].items()) + ")"
            )
        lines.append(counts)
        if self.sure:
            lines.append("Merge with what you said:")
            lines += [
                f"  {m['spoken']}  ←  {_row_text(m['row'])}" for m in self.sure[:PREVIEW_LINES]
            ]
            lines += _more(self.sure)
        if self.asked:
            lines.append("The same money? (yes merges, no adds it)")
            lines += [
                f"  {m['spoken']}  ?  {_row_text(m['row'])}  [{m['why']}]" for m in self.asked
            ]
        if self.add:
            lines.append("Add:")
            lines += [
                f"  {_entry_text(a['entry'])}  ({_row_text(a['row'])})"
                for a in self.add[:PREVIEW_LINES]
            ]
            lines += _more(self.add)
        skipped = self.void + self.mirror + self.skip
        if skipped:
            lines.append("Skip:")
            lines += [
                f"  {_row_text(x['row'])} {x['row']['amount']}: {x['reason']}"
                for x in skipped[:PREVIEW_LINES]
            ]
            lines += _more(skipped)
        return "\n".join(lines)


def _more(items: list[Any]) -> list[str]:
    return [f"  … and {len(items) - PREVIEW_LINES} more"] if len(items) > PREVIEW_LINES else []


def _reason_group(reason: str) -> str:
    for prefix, group in (
        ("already imported from", "paid through another bill"),
        ("already imported", "already imported"),
        ("not paid yet", "not paid yet"),
        ("closed", "closed"),
        ("refund", "refunded in full"),
        ("its purchase was refunded", "refunded in full"),
        ("money between", "between your own accounts"),
        ("a transfer between", "between your own accounts"),
        ("investment", "investment"),
        ("the same transaction", "duplicate row"),
    ):
        if reason.startswith(prefix):
            return group
    return reason.split(" (")[0]


def _entry_text(entry: dict[str, Any]) -> str:
    amount = Decimal(str(entry["amount"]))
    sign = "+" if entry["kind"] == "income" else ""
    return f"{entry['date']} {entry['category']} {entry['item'] or '-'} {sign}{amount:,.2f} {entry['currency']}"


def _spoken_text(entry: Any) -> str:
    return f"#{entry.id} {entry.date.isoformat()} {entry.item or entry.category} {entry.amount:,.2f} {entry.currency}"


def build_plan(
    path: Path,
    ledger: Ledger,
    *,
    source: str = "auto",
    mapping: BankProfile | None = None,
) -> ImportPlan:
    """What importing ``path`` would do. Reads the ledger; writes nothing."""
    bills = BillStore(ledger)
    found = read_bill(Path(path), source, profiles=bills.profiles(), mapping=mapping)
    profile: BankProfile | None = mapping
    new_mapping = mapping is not None
    if isinstance(found, MappingNeeded):
        if found.missing:
            raise UsageError(
                f"{found.table.path} looks like a bank statement, but Ting cannot tell its "
                f"{' and '.join(found.missing)} column; name them: "
                "--map date=COLUMN,amount=COLUMN (columns: " + ", ".join(found.header.names) + ")"
            )
        profile = found.proposal
        bill = bankcsv.read(found.table, found.header, profile)
        new_mapping = True
    else:
        bill = found
        if profile is None and bill.source == "bank":
            profile = (
                bills.profiles().get(bill.rows[0].source.split(":", 1)[1]) if bill.rows else None
            )
    if bill.rows:
        bills.prefetch(bill.rows[0].source, [r.txn_id for r in bill.rows])
    outcome = decide(bill, bills, own_names=profile.own_names if profile else ())
    remembered = ledger.remembered()
    plan = ImportPlan(
        file=str(path),
        source=bill.source,
        label=bill.label,
        period=(bill.period[0].isoformat(), bill.period[1].isoformat()) if bill.period else None,
        rows=len(bill.rows),
        profile=profile.to_dict() if profile is not None and new_mapping else None,
        new_mapping=new_mapping,
    )
    booked: list[tuple[str, dict[str, Any], Any]] = []
    for n, d in enumerate(outcome.decisions):
        item: dict[str, Any] = {"row": row_data(d.row), "txn_id": d.txn_id, "reason": d.reason}
        if d.action == SKIP:
            if d.mirror_of is not None:
                item["entry_id"] = d.mirror_of.entry_id
                plan.mirror.append(item)
            else:
                plan.skip.append(item)
            continue
        if d.action == VOID:
            plan.void.append(item)
            continue
        assert d.action == BOOK
        cat = categorise(d.row, remembered)
        category = cat.category
        if d.fee:
            category, item_text = "other", "服务费"
        elif d.kind == "income" and d.refund_of:
            category, item_text = "refund", cat.item
        else:
            item_text = cat.item
        entry = validate_entry(
            {
                "amount": str(d.amount),
                "currency": d.row.currency,
                "category": category if category else "other",
                "item": item_text[:200],
                "date": d.row.date.isoformat(),
                "kind": d.kind,
            }
        )
        item.update(
            kind=d.kind,
            amount=str(d.amount),
            entry=entry.to_dict(),
            description=f"[{bill.source}] {d.row.describe()}",
            refund_of=d.refund_of,
            refund_of_entry=d.refund_of_entry,
        )
        key = str(n)
        booked.append((key, item, None if d.fee else row_side(key, d.row, cat, d.kind, d.amount)))
    matches = {}
    sides = [side for _, _, side in booked if side is not None]
    if sides:
        lo = min(s.time.date() for s in sides) - dt.timedelta(days=2)
        hi = max(s.time.date() for s in sides) + dt.timedelta(days=2)
        spoken = bills.spoken_candidates(lo, hi)
        by_id = {e.id: e for e in spoken}
        entries = [
            EntrySide(e.id, e.kind, e.amount, e.currency, e.date, e.category, e.item)
            for e in spoken
        ]
        for m in match(sides, entries):
            matches[m.row_key] = (m, by_id[m.entry_id])
    for key, item, _ in booked:
        if key in matches:
            m, entry = matches[key]
            item.update(
                entry_id=entry.id,
                sure=m.sure,
                accept=m.sure,
                score=m.score,
                why=m.why,
                spoken=_spoken_text(entry),
            )
            plan.merge.append(item)
        else:
            plan.add.append(item)
    return plan


def plan_from_data(data: dict[str, Any]) -> dict[str, Any]:
    """A confirmed plan checked again before anything is written (it may have been edited)."""
    if not isinstance(data, dict):
        raise UsageError("the import confirmation holds no plan")
    for group in ("add", "merge"):
        items = data.get(group) or []
        if not isinstance(items, list):
            raise UsageError(f"the import plan's {group} is not a list")
        for i, item in enumerate(items):
            try:
                entry = validate_entry(item.get("entry") or {})
            except UsageError as exc:
                raise UsageError(f"import {group} #{i + 1}: {exc.message}") from None
            item["entry"] = entry.to_dict()
            if group == "merge" and not isinstance(item.get("entry_id"), int):
                raise UsageError(f"import merge #{i + 1} names no entry")
    return data


def apply_plan(ledger: Ledger, data: dict[str, Any], key: str) -> Applied:
    return BillStore(ledger).apply(plan_from_data(data), key)


def outcome_text(data: dict[str, Any], applied: Applied) -> str:
    if applied.already_applied:
        return "Already imported with this confirmation; nothing written again."
    skipped = len(data.get("skip") or []) + applied.voided + applied.mirrored + len(applied.skipped)
    name = Path(str(data.get("file", ""))).name
    text = f"Imported {name}: added {len(applied.added)}, merged {len(applied.merged)}, skipped {skipped}."
    if applied.skipped:
        text += f" ({len(applied.skipped)} were imported meanwhile by another import.)"
    return text


def amount_json(value: Any) -> Any:
    return amount_to_json(Decimal(str(value)))
