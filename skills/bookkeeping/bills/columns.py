"""Finding the header row of an export's table and reading cells by column name."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from assistant.errors import UsageError
from skills.bookkeeping.bills.decoding import Table

_UNIT = re.compile(r"[（(]\s*(?:元|人民币|rmb|cny)\s*[)）]", re.IGNORECASE)
_COUNT = re.compile(r"共\s*(\d+)\s*笔记录")


@lru_cache(maxsize=1024)
def column_key(name: str) -> str:
    """ "金额（元）" and "金额(元)" and " 金额 " are the same column."""
    return _UNIT.sub("", "".join(name.split())).lower()


@dataclass
class Header:
    index: int  # position of the header row in ``table.rows``
    line: int
    names: list[str]
    keys: dict[str, int]  # column_key → position

    def has(self, *names: str) -> bool:
        return all(column_key(n) in self.keys for n in names)

    def position(self, name: str) -> int | None:
        return self.keys.get(column_key(name))

    def cell(self, cells: Sequence[str], name: str) -> str:
        pos = self.keys.get(column_key(name))
        if pos is None or pos >= len(cells):
            return ""
        return cells[pos]


def find_header(table: Table, required: Iterable[str], *, within: int = 40) -> Header | None:
    wanted = [column_key(n) for n in required]
    for index, (line, cells) in enumerate(table.rows[:within]):
        keys = {}
        for pos, cell in enumerate(cells):
            keys.setdefault(column_key(cell), pos)
        if all(w in keys for w in wanted):
            return Header(index, line, cells, keys)
    return None


def stated_count(table: Table, header: Header) -> int | None:
    """The "共66笔记录" an export prints above (or below) its table, if any."""
    for _, cells in table.rows:
        for cell in cells[:1]:
            m = _COUNT.search(cell)
            if m:
                return int(m[1])
    return None


def check_count(table: Table, header: Header, found: int, what: str) -> None:
    expected = stated_count(table, header)
    if expected is not None and found < expected:
        raise UsageError(
            f"{table.path} is cut short: the {what} says {expected} records, the file holds {found}"
        )


def check_not_cut(table: Table, what: str) -> None:
    if table.cut_short:
        raise UsageError(f"{table.path} is cut short (it ends in the middle of a character)")
