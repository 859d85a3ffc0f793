"""A bill file's bytes as a table of text cells, or one clear error saying why not.

Exports come as CSV in UTF-8 (with or without a BOM) or GBK (Alipay's, and Excel's
"Save as CSV" on a Chinese system), or as an .xlsx workbook (WeChat Pay since 2023).
Cells are stripped of the spaces and tab characters the exports pad them with (Alipay
and the banks put a tab after every long number so that Excel keeps it as text).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from assistant.errors import UsageError

MAX_BILL_BYTES = 50 * 1024 * 1024
_PAD = " \t\u3000\r\n\ufeff"


@dataclass
class Table:
    path: Path
    kind: str  # "csv" or "xlsx"
    encoding: str  # "utf-8", "gbk" or "xlsx"
    rows: list[tuple[int, list[str]]] = field(default_factory=list)  # (line number, cells)
    cut_short: bool = False  # the bytes end in the middle of a character

    def text_lines(self, limit: int | None = None) -> list[str]:
        """The first cells joined, for layout sniffing."""
        rows = self.rows if limit is None else self.rows[:limit]
        return [",".join(cells) for _, cells in rows]


def read_table(path: Path) -> Table:
    path = Path(path)
    if not path.exists():
        raise UsageError(f"{path} does not exist")
    if path.is_dir():
        raise UsageError(f"{path} is a folder, not a bill file")
    try:
        size = path.stat().st_size
        if size > MAX_BILL_BYTES:
            raise UsageError(f"{path} is too large to import ({size // (1024 * 1024)} MB)")
        raw = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}") from None
    if not raw.strip():
        raise UsageError(f"{path} is empty")
    if raw.startswith(b"PK\x03\x04") or path.suffix.lower() in (".xlsx", ".xlsm"):
        return _read_xlsx(path, raw)
    if raw.startswith(b"\xd0\xcf\x11\xe0"):
        raise UsageError(
            f"{path} is an old Excel .xls workbook; save it as .xlsx or CSV and import that"
        )
    if raw.startswith(b"%PDF"):
        raise UsageError(f"{path} is a PDF; Ting imports the CSV or .xlsx export of a bill")
    if raw.startswith(b"PK"):
        raise UsageError(f"{path} is a zip archive; unpack it (the bill is inside) and import that")
    text, encoding, cut = _decode(path, raw)
    if "\x00" in text:
        raise UsageError(f"{path} is not UTF-8 or GBK text (it holds NUL bytes): not a CSV bill")
    return Table(path, "csv", encoding, _csv_rows(text), cut_short=cut)


def _decode(path: Path, raw: bytes) -> tuple[str, str, bool]:
    if raw.startswith(b"\xef\xbb\xbf"):
        candidates = [("utf-8-sig", "utf-8")]
    else:
        candidates = [("utf-8", "utf-8"), ("gb18030", "gbk")]
    for codec, name in candidates:
        try:
            return raw.decode(codec), name, False
        except UnicodeDecodeError as exc:
            # bytes cut off in the middle of a last character: a truncated download
            if exc.start >= len(raw) - 3 and exc.reason.startswith(
                ("unexpected end", "incomplete")
            ):
                return raw[: exc.start].decode(codec), name, True
    raise UsageError(f"{path} is not text in UTF-8 or GBK (is it really a CSV bill?)")


def _clean(cell: str) -> str:
    return cell.strip(_PAD)


def _csv_rows(text: str) -> list[tuple[int, list[str]]]:
    rows: list[tuple[int, list[str]]] = []
    reader = csv.reader(io.StringIO(text, newline=""))
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error:
            # a stray quote inside a cell (Alipay puts none, but a hand-edited file may):
            # keep the line as plain comma-separated text
            line_no = reader.line_num
            line = text.splitlines()[line_no - 1] if line_no - 1 < len(text.splitlines()) else ""
            rows.append((line_no, [_clean(c) for c in line.split(",")]))
            continue
        stripped = [_clean(c) for c in cells]
        while stripped and stripped[-1] == "":
            stripped.pop()  # Alipay ends each line with a comma
        if stripped:
            rows.append((reader.line_num, stripped))
    return rows


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        # a number cell: its shortest decimal form, never 1e-05
        return format(Decimal(repr(value)), "f")
    return _clean(str(value))


def _read_xlsx(path: Path, raw: bytes) -> Table:
    try:
        import openpyxl
    except ImportError:
        raise UsageError(
            "reading .xlsx bills needs the openpyxl package (pip install openpyxl)"
        ) from None
    if not raw.startswith(b"PK\x03\x04"):
        raise UsageError(f"{path} is named .xlsx but is not an Excel workbook")
    try:
        book = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, EOFError) as exc:
        what = "cut short" if isinstance(exc, (zipfile.BadZipFile, EOFError)) else "damaged"
        raise UsageError(f"{path} is not a readable .xlsx workbook (is it {what}?)") from None
    except Exception as exc:  # openpyxl raises its own InvalidFileException and friends
        raise UsageError(
            f"{path} is not a readable .xlsx workbook ({type(exc).__name__})"
        ) from None
    try:
        sheet = book.worksheets[0] if book.worksheets else None
        if sheet is None:
            raise UsageError(f"{path} has no worksheet")
        rows: list[tuple[int, list[str]]] = []
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = [_cell_text(v) for v in values]
            while cells and cells[-1] == "":
                cells.pop()
            if cells:
                rows.append((number, cells))
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, EOFError):
        raise UsageError(f"{path} is not a readable .xlsx workbook (is it cut short?)") from None
    finally:
        book.close()
    return Table(path, "xlsx", "xlsx", rows)
