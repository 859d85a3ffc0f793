"""A horizontal bar chart as a PNG, written with the standard library only.

No plotting package: the chart is a few rectangles and ASCII labels drawn with a 5×7
bitmap font, encoded as an RGB PNG (zlib + CRC chunks) and written atomically. Bars
are proportional to the amounts within one kind and currency (expenses red, income
green); each bar is labelled with its amount, and a category with a budget has a dark
line across its row where the budget ends.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Mapping, Sequence
from pathlib import Path

_GLYPHS: dict[str, tuple[str, ...]] = {
    "0": ("01110", "10001", "10011", "10101", "11001", "10001", "01110"),
    "1": ("00100", "01100", "00100", "00100", "00100", "00100", "01110"),
    "2": ("01110", "10001", "00001", "00010", "00100", "01000", "11111"),
    "3": ("11111", "00010", "00100", "00010", "00001", "10001", "01110"),
    "4": ("00010", "00110", "01010", "10010", "11111", "00010", "00010"),
    "5": ("11111", "10000", "11110", "00001", "00001", "10001", "01110"),
    "6": ("00110", "01000", "10000", "11110", "10001", "10001", "01110"),
    "7": ("11111", "00001", "00010", "00100", "01000", "01000", "01000"),
    "8": ("01110", "10001", "10001", "01110", "10001", "10001", "01110"),
    "9": ("01110", "10001", "10001", "01111", "00001", "00010", "01100"),
    "A": ("01110", "10001", "10001", "11111", "10001", "10001", "10001"),
    "B": ("11110", "10001", "10001", "11110", "10001", "10001", "11110"),
    "C": ("01110", "10001", "10000", "10000", "10000", "10001", "01110"),
    "D": ("11100", "10010", "10001", "10001", "10001", "10010", "11100"),
    "E": ("11111", "10000", "10000", "11110", "10000", "10000", "11111"),
    "F": ("11111", "10000", "10000", "11110", "10000", "10000", "10000"),
    "G": ("01110", "10001", "10000", "10111", "10001", "10001", "01111"),
    "H": ("10001", "10001", "10001", "11111", "10001", "10001", "10001"),
    "I": ("01110", "00100", "00100", "00100", "00100", "00100", "01110"),
    "J": ("00111", "00010", "00010", "00010", "00010", "10010", "01100"),
    "K": ("10001", "10010", "10100", "11000", "10100", "10010", "10001"),
    "L": ("10000", "10000", "10000", "10000", "10000", "10000", "11111"),
    "M": ("10001", "11011", "10101", "10101", "10001", "10001", "10001"),
    "N": ("10001", "10001", "11001", "10101", "10011", "10001", "10001"),
    "O": ("01110", "10001", "10001", "10001", "10001", "10001", "01110"),
    "P": ("11110", "10001", "10001", "11110", "10000", "10000", "10000"),
    "Q": ("01110", "10001", "10001", "10001", "10101", "10010", "01101"),
    "R": ("11110", "10001", "10001", "11110", "10100", "10010", "10001"),
    "S": ("01111", "10000", "10000", "01110", "00001", "00001", "11110"),
    "T": ("11111", "00100", "00100", "00100", "00100", "00100", "00100"),
    "U": ("10001", "10001", "10001", "10001", "10001", "10001", "01110"),
    "V": ("10001", "10001", "10001", "10001", "10001", "01010", "00100"),
    "W": ("10001", "10001", "10001", "10101", "10101", "10101", "01010"),
    "X": ("10001", "10001", "01010", "00100", "01010", "10001", "10001"),
    "Y": ("10001", "10001", "10001", "01010", "00100", "00100", "00100"),
    "Z": ("11111", "00001", "00010", "00100", "01000", "10000", "11111"),
    " ": ("00000",) * 7,
    ".": ("00000", "00000", "00000", "00000", "00000", "01100", "01100"),
    ",": ("00000", "00000", "00000", "00000", "01100", "00100", "01000"),
    ":": ("00000", "01100", "01100", "00000", "01100", "01100", "00000"),
    "-": ("00000", "00000", "00000", "11111", "00000", "00000", "00000"),
    "(": ("00010", "00100", "01000", "01000", "01000", "00100", "00010"),
    ")": ("01000", "00100", "00010", "00010", "00010", "00100", "01000"),
    "/": ("00001", "00010", "00010", "00100", "01000", "01000", "10000"),
    "#": ("01010", "01010", "11111", "01010", "11111", "01010", "01010"),
    "?": ("01110", "10001", "00001", "00010", "00100", "00000", "00100"),
}

BACKGROUND = (255, 255, 255)
INK = (40, 40, 40)
EXPENSE_COLOUR = (214, 84, 64)
INCOME_COLOUR = (56, 150, 90)
SCALE = 2
CHAR_W = 6 * SCALE  # 5 columns and a gap
ROW_H = 30
MARGIN = 16
WIDTH = 800


class Canvas:
    def __init__(self, width: int, height: int) -> None:
        self.width = width
        self.height = height
        self.pixels = bytearray(bytes(BACKGROUND) * (width * height))

    def rect(self, x: int, y: int, w: int, h: int, colour: tuple[int, int, int]) -> None:
        x0, y0 = max(0, x), max(0, y)
        x1, y1 = min(self.width, x + w), min(self.height, y + h)
        if x1 <= x0 or y1 <= y0:
            return
        row = bytes(colour) * (x1 - x0)
        for yy in range(y0, y1):
            start = (yy * self.width + x0) * 3
            self.pixels[start : start + len(row)] = row

    def text(self, x: int, y: int, text: str, colour: tuple[int, int, int] = INK) -> None:
        for i, ch in enumerate(text.upper()):
            glyph = _GLYPHS.get(ch, _GLYPHS["?"])
            for gy, bits in enumerate(glyph):
                for gx, bit in enumerate(bits):
                    if bit == "1":
                        self.rect(x + i * CHAR_W + gx * SCALE, y + gy * SCALE, SCALE, SCALE, colour)

    def png(self) -> bytes:
        raw = bytearray()
        stride = self.width * 3
        for y in range(self.height):
            raw.append(0)  # filter: none
            raw += self.pixels[y * stride : (y + 1) * stride]

        def chunk(tag: bytes, data: bytes) -> bytes:
            return (
                struct.pack(">I", len(data))
                + tag
                + data
                + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)
            )

        header = struct.pack(">IIBBBBB", self.width, self.height, 8, 2, 0, 0, 0)
        return (
            b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(bytes(raw), 9))
            + chunk(b"IEND", b"")
        )


def bar_length(amount: float, largest: float, room: int) -> int:
    if largest <= 0:
        return 0
    return max(1, round(room * amount / largest))


def _currency_of(label: str) -> str:
    """The currency code in a label like "food (CNY)"; "" when there is none."""
    if label.endswith(")") and "(" in label:
        return label[label.rindex("(") + 1 : -1]
    return ""


BUDGET_COLOUR = (30, 30, 30)


def render_bar_chart(
    title: str,
    rows: Sequence[tuple[str, float, str]],
    budgets: Mapping[str, float] | None = None,
) -> bytes:
    """``rows``: (label, amount, kind); ``budgets``: label → the monthly budget, drawn as a
    dark line across that row's bar (the scale stretches to show it). Returns PNG bytes."""
    budgets = budgets or {}
    height = MARGIN * 3 + 7 * SCALE + max(1, len(rows)) * ROW_H
    canvas = Canvas(WIDTH, height)
    canvas.text(MARGIN, MARGIN, title)
    top = MARGIN * 2 + 7 * SCALE
    if not rows:
        canvas.text(MARGIN, top + 8, "no entries")
        return canvas.png()
    label_w = max(len(label) for label, _, _ in rows) * CHAR_W + MARGIN
    values = [
        f"{amount:,.2f} / {budgets[label]:,.2f}" if label in budgets else f"{amount:,.2f}"
        for label, amount, _ in rows
    ]
    value_w = max(len(v) for v in values) * CHAR_W + MARGIN
    room = WIDTH - MARGIN * 2 - label_w - value_w
    # one scale per kind and currency: a salary must not shrink the expense bars to
    # nothing, and yen are not comparable with yuan
    largest: dict[tuple[str, str], float] = {}
    for label, amount, kind in rows:
        key = (kind, _currency_of(label))
        largest[key] = max(largest.get(key, 0.0), amount, budgets.get(label, 0.0))
    for i, (label, amount, kind) in enumerate(rows):
        y = top + i * ROW_H
        canvas.text(MARGIN, y + 8, label)
        scale = largest[(kind, _currency_of(label))]
        length = bar_length(amount, scale, room) if amount > 0 else 0
        colour = INCOME_COLOUR if kind == "income" else EXPENSE_COLOUR
        canvas.rect(MARGIN + label_w, y + 4, length, ROW_H - 8, colour)
        end = length
        budget = budgets.get(label)
        if budget:
            at = bar_length(budget, scale, room)
            canvas.rect(MARGIN + label_w + at - 1, y, 3, ROW_H, BUDGET_COLOUR)
            end = max(end, at + 2)
        canvas.text(MARGIN + label_w + end + 8, y + 8, values[i])
    return canvas.png()


def write_bar_chart(
    path: Path,
    *,
    title: str,
    rows: Sequence[tuple[str, float, str]],
    budgets: Mapping[str, float] | None = None,
) -> Path:
    from skills.bookkeeping.ledger_files import write_export

    write_export(path, render_bar_chart(title, rows, budgets))
    return path


def budget_rows(
    totals: Sequence[Mapping[str, object]], budgets: Sequence[object]
) -> tuple[list[tuple[str, float, str]], dict[str, float]]:
    """Bars from ``Ledger.totals_by_category`` and budget lines from ``BudgetBook.status``
    (spending net of refunds); a budget with nothing spent yet still gets its row."""
    bars: list[tuple[str, float, str]] = []
    lines: dict[str, float] = {}
    by_label = {}
    for b in budgets:
        label = f"{b.budget.category} ({b.budget.currency})"  # type: ignore[attr-defined]
        by_label[label] = b
        lines[label] = float(b.budget.amount)  # type: ignore[attr-defined]
    seen = set()
    for r in totals:
        label = f"{r['category']} ({r['currency']})"
        amount = float(r["amount"])  # type: ignore[arg-type]
        if r["kind"] == "expense" and label in by_label:
            amount = float(by_label[label].spent)  # net of refunds, as the budget counts
        bars.append((label, amount, str(r["kind"])))
        if r["kind"] == "expense":
            seen.add(label)
    spent_only = [
        (label, float(b.spent), "expense") for label, b in by_label.items() if label not in seen
    ]
    first_income = next((i for i, bar in enumerate(bars) if bar[2] == "income"), len(bars))
    return bars[:first_income] + spent_only + bars[first_income:], lines
