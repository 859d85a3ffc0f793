"""A bank's CSV statement, read through a column mapping the user confirmed once.

Banks export in as many layouts as there are banks (a signed 交易金额 with 联机余额 at
China Merchants Bank; 交易金额(收入) and 交易金额(支出) padded with tabs under a preamble at
ICBC; Date/Description/Amount abroad). Ting guesses which column is which from the
header names, shows the guess, and remembers it once the user says yes, keyed by the
header itself: a file from another bank has another header and gets its own question,
never a mapping meant for different columns.

A mapping names: ``date`` (and optionally ``time``), either ``amount`` (signed; negative
is money out unless ``sign`` is ``positive-out``) or ``income`` and ``expense``, and
optionally ``payee``, ``memo`` (one or more columns), ``id``, ``currency``, ``balance``.
A row without an id column gets a stable id from its content (date, amount, balance,
payee, memo, and which occurrence of that content it is), so the same statement
imported twice, or two statements that overlap, add each row once.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from assistant.errors import UsageError
from skills.bookkeeping.bills.columns import Header, column_key
from skills.bookkeeping.bills.decoding import Table
from skills.bookkeeping.bills.rows import (
    EXPENSE,
    INCOME,
    BillFile,
    BillRow,
    CellError,
    blank,
    parse_money,
    parse_time,
)

FIELDS = (
    "date",
    "time",
    "amount",
    "income",
    "expense",
    "payee",
    "memo",
    "id",
    "currency",
    "balance",
)

# Header names seen in banks' exports, most specific first.
GUESSES: dict[str, tuple[str, ...]] = {
    "date": (
        "交易日期",
        "记账日期",
        "入账日期",
        "交易时间",
        "日期",
        "date",
        "transaction date",
        "posting date",
        "booking date",
    ),
    "time": ("交易时间", "时间", "time"),
    "income": (
        "交易金额(收入)",
        "记账金额(收入)",
        "收入金额",
        "收入",
        "存入金额",
        "存入",
        "贷方金额",
        "贷方发生额",
        "credit",
        "credits",
        "deposit",
        "paid in",
    ),
    "expense": (
        "交易金额(支出)",
        "记账金额(支出)",
        "支出金额",
        "支出",
        "取出金额",
        "取出",
        "借方金额",
        "借方发生额",
        "debit",
        "debits",
        "withdrawal",
        "paid out",
    ),
    "amount": ("交易金额", "金额", "发生额", "人民币金额", "amount", "transaction amount"),
    "payee": (
        "对方户名",
        "对方名称",
        "对手信息",
        "交易对方",
        "对方账户名称",
        "收/付款人",
        "收款人",
        "payee",
        "counterparty",
        "merchant",
    ),
    "memo": (
        "摘要",
        "交易摘要",
        "客户摘要",
        "用途",
        "附言",
        "备注",
        "交易详情",
        "交易场所",
        "交易类型",
        "description",
        "details",
        "memo",
        "narrative",
        "reference text",
    ),
    "id": (
        "交易流水号",
        "流水号",
        "交易编号",
        "交易序号",
        "交易单号",
        "凭证号",
        "transaction id",
        "reference",
    ),
    "currency": ("交易币种", "币种", "货币", "记账币种", "currency"),
    "balance": ("联机余额", "账户余额", "余额", "balance"),
}
_CURRENCY_NAMES = {
    "人民币": "CNY",
    "人民币元": "CNY",
    "rmb": "CNY",
    "cny": "CNY",
    "美元": "USD",
    "usd": "USD",
    "欧元": "EUR",
    "eur": "EUR",
    "英镑": "GBP",
    "gbp": "GBP",
    "日元": "JPY",
    "jpy": "JPY",
    "港币": "HKD",
    "港元": "HKD",
    "hkd": "HKD",
}


@dataclass
class BankProfile:
    """A confirmed (or proposed) mapping for one header."""

    header: list[str]
    mapping: dict[str, Any]  # field → column name (memo: a list of names)
    sign: str = "negative-out"  # or "positive-out" (some credit-card statements)
    dates: str = "ymd"  # or "dmy" (03/11/2026 is 3 November) or "mdy"
    name: str = ""
    own_names: list[str] = field(default_factory=list)  # the user's own accounts/names

    @property
    def id(self) -> str:
        return header_signature(self.header)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "header": self.header,
            "mapping": self.mapping,
            "sign": self.sign,
            "dates": self.dates,
            "name": self.name,
            "own_names": self.own_names,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> BankProfile:
        profile = cls(
            header=[str(h) for h in data.get("header", [])],
            mapping=dict(data.get("mapping") or {}),
            sign=str(data.get("sign") or "negative-out"),
            dates=str(data.get("dates") or "ymd"),
            name=str(data.get("name") or ""),
            own_names=[str(n) for n in data.get("own_names") or []],
        )
        profile.check()
        return profile

    def check(self) -> None:
        keys = {column_key(h) for h in self.header}
        m = self.mapping
        unknown = set(m) - set(FIELDS)
        if unknown:
            raise UsageError(
                f"unknown mapping field(s) {', '.join(sorted(unknown))} (fields: {', '.join(FIELDS)})"
            )
        for name, value in m.items():
            for col in value if isinstance(value, list) else [value]:
                if column_key(str(col)) not in keys:
                    raise UsageError(
                        f"the mapping's {name} column {col!r} is not in the file's header"
                    )
        if "date" not in m:
            raise UsageError("the column mapping needs a date column")
        if "amount" not in m and not ("income" in m and "expense" in m):
            raise UsageError(
                "the column mapping needs an amount column, or income and expense columns"
            )
        if self.sign not in ("negative-out", "positive-out"):
            raise UsageError("sign must be negative-out or positive-out")
        if self.dates not in ("ymd", "dmy", "mdy"):
            raise UsageError("dates must be ymd, dmy or mdy")

    def describe(self) -> str:
        parts = []
        for name in FIELDS:
            value = self.mapping.get(name)
            if value:
                shown = " + ".join(value) if isinstance(value, list) else value
                parts.append(f"{name}={shown}")
        if "amount" in self.mapping:
            parts.append(
                "money out is " + ("negative" if self.sign == "negative-out" else "positive")
            )
        if self.dates != "ymd":
            parts.append(f"dates {self.dates}")
        return ", ".join(parts)


def header_signature(header: list[str]) -> str:
    keys = [column_key(h) for h in header if h.strip()]
    return hashlib.sha1(json.dumps(keys, ensure_ascii=False).encode()).hexdigest()[:12]


def find_bank_header(table: Table, *, within: int = 30) -> Header | None:
    """The first row that names a date column and an amount (or income/expense) column."""
    dates = {column_key(n) for n in GUESSES["date"]}
    money = {column_key(n) for n in GUESSES["amount"] + GUESSES["income"] + GUESSES["expense"]}
    for index, (line, cells) in enumerate(table.rows[:within]):
        keys: dict[str, int] = {}
        for pos, cell in enumerate(cells):
            keys.setdefault(column_key(cell), pos)
        if len(cells) >= 3 and dates & keys.keys() and money & keys.keys():
            return Header(index, line, cells, keys)
    return None


def guess_profile(header: Header) -> tuple[BankProfile, list[str]]:
    """A mapping guessed from the header names, and what could not be guessed."""
    taken: set[str] = set()
    mapping: dict[str, Any] = {}

    def pick(name: str) -> str | None:
        for guess in GUESSES[name]:
            pos = header.keys.get(column_key(guess))
            if pos is not None and header.names[pos] not in taken:
                taken.add(header.names[pos])
                return header.names[pos]
        return None

    for name in ("date", "income", "expense"):
        col = pick(name)
        if col:
            mapping[name] = col
    if not ("income" in mapping and "expense" in mapping):
        mapping.pop("income", None)
        mapping.pop("expense", None)
        taken = {mapping["date"]} if "date" in mapping else set()
        col = pick("amount")
        if col:
            mapping["amount"] = col
    for name in ("time", "payee", "id", "currency", "balance"):
        col = pick(name)
        if col:
            mapping[name] = col
    memo = []
    while col := pick("memo"):
        memo.append(col)
    if memo:
        mapping["memo"] = memo
    missing = []
    if "date" not in mapping:
        missing.append("date")
    if "amount" not in mapping and "income" not in mapping:
        missing.append("amount (or income and expense)")
    profile = BankProfile(header=list(header.names), mapping=mapping)
    return profile, missing


def _cell(header: Header, cells: list[str], name: str | None) -> str:
    return header.cell(cells, name) if name else ""


def _currency(text: str) -> str:
    key = text.strip().lower()
    return _CURRENCY_NAMES.get(key, text.strip().upper()) if key else "CNY"


_REFUND = re.compile(r"退款|退货")
_FOOTER = ("合计", "总计", "小计", "共计", "total", "本页", "以上")


def read(table: Table, header: Header, profile: BankProfile) -> BillFile:
    m = profile.mapping
    bill = BillFile(
        "bank", "bank-csv", f"bank statement ({profile.name or 'CSV'}, {table.encoding.upper()})"
    )
    seen: Counter[str] = Counter()
    memo_cols = m.get("memo") or []
    if isinstance(memo_cols, str):
        memo_cols = [memo_cols]
    rows = table.rows[header.index + 1 :]
    for position, (line, cells) in enumerate(rows):
        date_text = _cell(header, cells, m.get("date"))
        first = " ".join(cells).strip().lower()
        if (not date_text or first.startswith(_FOOTER)) and (
            not first or any(w in first for w in _FOOTER)
        ):
            bill.skipped_lines += 1  # a totals line under the table
            continue
        try:
            clock = _cell(header, cells, m.get("time")) if m.get("time") != m.get("date") else ""
            when = parse_time(date_text, clock, order=profile.dates)
        except CellError:
            if any(w in first for w in _FOOTER):
                bill.skipped_lines += 1
                continue
            if position == len(rows) - 1 and len(cells) < len(header.names) // 2:
                raise UsageError(f"{table.path} is cut short: line {line} ends mid-row") from None
            raise UsageError(
                f"{table.path} line {line}: {date_text!r} in column {m['date']!r} is not a date"
            ) from None
        try:
            if "amount" in m:
                value = parse_money(_cell(header, cells, m["amount"]))
                out = value < 0 if profile.sign == "negative-out" else value > 0
                direction = EXPENSE if out else INCOME
                amount = abs(value)
            else:
                income_text = blank(_cell(header, cells, m["income"]))
                expense_text = blank(_cell(header, cells, m["expense"]))
                income = abs(parse_money(income_text)) if income_text else Decimal(0)
                expense = abs(parse_money(expense_text)) if expense_text else Decimal(0)
                if income and expense:
                    raise CellError("both income and expense hold an amount")
                direction = INCOME if income else EXPENSE
                amount = income or expense
        except CellError as exc:
            if position == len(rows) - 1 and len(cells) < len(header.names):
                raise UsageError(f"{table.path} is cut short: line {line} ends mid-row") from None
            raise UsageError(f"{table.path} line {line}: {exc}") from None
        if amount == 0:
            bill.skipped_lines += 1
            continue
        payee = blank(_cell(header, cells, m.get("payee")))
        memo = " ".join(blank(_cell(header, cells, c)) for c in memo_cols).strip()
        memo = " ".join(memo.split())
        balance = _cell(header, cells, m.get("balance"))
        txn = blank(_cell(header, cells, m.get("id")))
        if not txn:
            content = f"{when.isoformat()}|{direction}|{amount}|{balance}|{payee}|{memo}"
            seen[content] += 1
            digest = hashlib.sha1(f"{content}|{seen[content]}".encode()).hexdigest()[:16]
            txn = f"h{digest}"
        bill.rows.append(
            BillRow(
                refund=direction == INCOME and bool(_REFUND.search(memo)),
                source=f"bank:{profile.id}",
                txn_id=txn,
                line=line,
                time=when,
                direction=direction,
                amount=amount,
                currency=_currency(_cell(header, cells, m.get("currency"))),
                payee=payee,
                goods=memo,
                hint=memo,
            )
        )
    if not bill.rows:
        raise UsageError(f"{table.path} has a header but no transactions")
    return bill
