"""Monthly budgets per category: what is spent, what is left, and the 80%/100% warnings.

Table ``ledger_budgets`` (``Migrations("bookkeeping_budgets")``): one amount per category
and currency, for every month. Spending in a month is the category's expenses in that
currency, less refunds that came back for purchases of that category (an imported refund
keeps the purchase it belongs to; see ``bills.store``), so a returned coat does not use up
the shopping budget.

A write to the ledger (an entry said, an import) is watched: ``BudgetWatch`` takes the
spending of every budget the write touches before it, and afterwards says which budgets
it pushed past 80% or past 100%, as one line each.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from assistant.config import CURRENCIES
from assistant.errors import UsageError
from assistant.migrations import Migrations
from skills.bookkeeping.dates import month_period
from skills.bookkeeping.display import CATEGORY_LABELS_ZH, money
from skills.bookkeeping.ledger import Ledger, from_cents, to_cents
from skills.bookkeeping.lexicon import EXPENSE_CATEGORIES
from skills.bookkeeping.parser import check_amount

MIGRATIONS = Migrations("bookkeeping_budgets")
THRESHOLDS = (Decimal("0.8"), Decimal("1"))


@MIGRATIONS
def m001_budgets(db: Any) -> None:
    db.execute(
        """
        create table ledger_budgets (
            category text not null,
            currency text not null,
            amount_cents integer not null check (amount_cents > 0),
            period text not null default 'monthly' check (period = 'monthly'),
            updated_at text not null,
            primary key (category, currency)
        )
        """
    )


@dataclass(frozen=True)
class Budget:
    category: str
    currency: str
    amount: Decimal


@dataclass(frozen=True)
class BudgetStatus:
    budget: Budget
    month: str  # YYYY-MM
    spent: Decimal

    @property
    def left(self) -> Decimal:
        return self.budget.amount - self.spent

    @property
    def share(self) -> Decimal:
        return self.spent / self.budget.amount

    def to_dict(self) -> dict[str, Any]:
        from skills.bookkeeping.parser import amount_to_json

        return {
            "category": self.budget.category,
            "currency": self.budget.currency,
            "month": self.month,
            "budget": amount_to_json(self.budget.amount),
            "spent": amount_to_json(self.spent),
            "left": amount_to_json(self.left),
            "percent": round(float(self.share) * 100, 1),
        }

    def line(self, zh: bool = False) -> str:
        c, cur = self.budget.category, self.budget.currency
        pct = int(self.share * 100)
        if zh:
            name = CATEGORY_LABELS_ZH.get(c, c)
            if self.left >= 0:
                return (
                    f"{self.month} {name}预算 {money(self.budget.amount, cur)}："
                    f"已花 {money(self.spent, cur)}（{pct}%），还剩 {money(self.left, cur)}"
                )
            return (
                f"{self.month} {name}预算 {money(self.budget.amount, cur)}：已花 "
                f"{money(self.spent, cur)}（{pct}%），超出 {money(-self.left, cur)}"
            )
        if self.left >= 0:
            return (
                f"{c} budget {self.month}: {money(self.spent, cur)} of "
                f"{money(self.budget.amount, cur)} spent ({pct}%), {money(self.left, cur)} left"
            )
        return (
            f"{c} budget {self.month}: {money(self.spent, cur)} of "
            f"{money(self.budget.amount, cur)} spent ({pct}%), {money(-self.left, cur)} over"
        )


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")


class BudgetBook:
    """Budgets on the ledger's connection."""

    def __init__(self, ledger: Ledger) -> None:
        from skills.bookkeeping.bills.store import MIGRATIONS as BILL_MIGRATIONS

        self.ledger = ledger
        self.db = ledger.db
        ledger.store.migrate(BILL_MIGRATIONS)  # refunds are netted through the bill links
        ledger.store.migrate(MIGRATIONS)

    def set(self, category: str, amount: Decimal, currency: str) -> tuple[Budget, Budget | None]:
        """Set (or change) a monthly budget; returns it and the one it replaced."""
        if category not in EXPENSE_CATEGORIES:
            raise UsageError(
                f"budgets are for spending categories ({', '.join(EXPENSE_CATEGORIES)}), not {category!r}"
            )
        currency = currency.upper()
        if currency not in CURRENCIES:
            raise UsageError(f"unknown currency {currency!r} (one of {', '.join(CURRENCIES)})")
        check_amount(amount)
        before = self.get(category, currency)
        with self.ledger.store.transaction() as conn:
            conn.execute(
                "insert into ledger_budgets (category, currency, amount_cents, updated_at)"
                " values (?, ?, ?, ?) on conflict(category, currency) do update set"
                " amount_cents = excluded.amount_cents, updated_at = excluded.updated_at",
                (category, currency, to_cents(amount), _now()),
            )
        return Budget(category, currency, amount), before

    def remove(self, category: str, currency: str | None = None) -> list[Budget]:
        gone = [b for b in self.all() if b.category == category and currency in (None, b.currency)]
        if not gone:
            raise UsageError(f"there is no {category} budget")
        with self.ledger.store.transaction() as conn:
            for b in gone:
                conn.execute(
                    "delete from ledger_budgets where category = ? and currency = ?",
                    (b.category, b.currency),
                )
        return gone

    def get(self, category: str, currency: str) -> Budget | None:
        row = self.db.execute(
            "select amount_cents from ledger_budgets where category = ? and currency = ?",
            (category, currency),
        ).fetchone()
        return Budget(category, currency, from_cents(row[0])) if row else None

    def all(self) -> list[Budget]:
        return [
            Budget(c, cur, from_cents(cents))
            for c, cur, cents in self.db.execute(
                "select category, currency, amount_cents from ledger_budgets order by category, currency"
            )
        ]

    def spent(self, category: str, currency: str, start: dt.date, end: dt.date) -> Decimal:
        span = (start.isoformat(), end.isoformat())
        paid = self.db.execute(
            "select coalesce(sum(amount_cents), 0) from ledger_entries where deleted_at is null"
            " and kind = 'expense' and category = ? and currency = ? and date between ? and ?",
            (category, currency, *span),
        ).fetchone()[0]
        back = self.db.execute(
            "select coalesce(sum(r.amount_cents), 0) from ledger_entries r"
            " join ledger_bill_links l on l.entry_id = r.id and l.undone_at is null"
            " join ledger_entries p on p.id = l.refund_of_entry"
            " where r.deleted_at is null and r.kind = 'income' and p.category = ?"
            " and r.currency = ? and r.date between ? and ?",
            (category, currency, *span),
        ).fetchone()[0]
        return from_cents(paid - back)

    def status(self, day: dt.date, category: str | None = None) -> list[BudgetStatus]:
        period = month_period(day.year, day.month)
        out = []
        for b in self.all():
            if category is not None and b.category != category:
                continue
            spent = self.spent(b.category, b.currency, period.start, period.end)
            out.append(BudgetStatus(b, f"{day.year:04d}-{day.month:02d}", spent))
        return out

    def watch(self, touched: Iterable[tuple[str, str, dt.date]]) -> BudgetWatch:
        """Call before a write that adds entries of these (category, currency, date)."""
        return BudgetWatch(self, touched)


class BudgetWatch:
    def __init__(self, book: BudgetBook, touched: Iterable[tuple[str, str, dt.date]]) -> None:
        self.book = book
        months: dict[tuple[str, str, str], dt.date] = {}
        for category, currency, day in touched:
            if book.get(category, currency) is not None:
                months.setdefault((category, currency, f"{day:%Y-%m}"), day.replace(day=1))
        self.before = {key: self._spent(key, day) for key, day in months.items()}
        self.months = months

    def _spent(self, key: tuple[str, str, str], day: dt.date) -> Decimal:
        period = month_period(day.year, day.month)
        return self.book.spent(key[0], key[1], period.start, period.end)

    def warnings(self, zh: bool = False) -> list[str]:
        """One line per budget this write pushed past 80% or 100% of its amount."""
        lines = []
        for key, day in sorted(self.months.items()):
            budget = self.book.get(key[0], key[1])
            if budget is None:
                continue
            before, after = self.before[key], self._spent(key, day)
            crossed = [t for t in THRESHOLDS if before < budget.amount * t <= after]
            if crossed:
                status = BudgetStatus(budget, key[2], after)
                mark = "预算提醒：" if zh else "Budget warning: "
                lines.append(mark + status.line(zh))
        return lines
