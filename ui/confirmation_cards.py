"""Cards for ``NeedsConfirmation`` events: nothing is written until the user says yes.

* ``ExpenseEntriesCard`` (bookkeeping ``add_entries``): one editable row per entry
  (amount, currency, category, item, date, kind; the lists to choose from are the
  proposal's ``data["choices"]``) and Save / Discard. Save hands back the event's
  ``data`` with the edited entries.
* ``DiffPreviewCard`` (diff ``apply_patch``): the unified diff, coloured, with Apply /
  Reject.
* ``BillImportCard`` (bookkeeping ``import_bills``): what a bill import adds, merges and
  skips, with a tick box for each uncertain match (unticked: added as its own entry).
* ``GenericConfirmationCard``: any other action: its preview and Confirm / Discard.

Every card emits ``decided(confirmed: bool, data: dict)`` once; the chat window runs
``Runtime.confirm`` in a worker and reports back through ``show_outcome``.
"""

from __future__ import annotations

import copy
import datetime as _dt
from decimal import Decimal
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontDatabase, QSyntaxHighlighter, QTextCharFormat
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDoubleSpinBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from assistant.events import NeedsConfirmation
from ui.i18n import tr

CARD_STYLE = """
QFrame#ConfirmationCard { background: #fffaf0; border: 1px solid #e0c78a; border-radius: 8px; }
QLabel#CardTitle { font-weight: 600; }
QLabel#CardOutcome { color: #555555; }
"""


class WrappedLabel(QLabel):
    """A word-wrapped label that claims the height its wrapped text needs.

    Layouts inside a QScrollArea ignore height-for-width, so a plain wrapped QLabel
    gets one line's height and its text is cut; this sets the minimum height from the
    current width instead.
    """

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setWordWrap(True)

    def _claim_height(self) -> None:
        if self.width() > 0:
            needed = self.heightForWidth(self.width())
            if needed > 0 and needed != self.minimumHeight():
                self.setMinimumHeight(needed)

    def setText(self, text: str) -> None:  # noqa: N802 (Qt's name)
        super().setText(text)
        self._claim_height()

    def setFont(self, font: QFont) -> None:  # noqa: N802 (Qt's name)
        super().setFont(font)
        self._claim_height()

    def resizeEvent(self, event: object) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)  # type: ignore[arg-type]
        self._claim_height()


class ConfirmationCard(QFrame):
    decided = Signal(bool, dict)  # confirmed?, the (possibly edited) data

    confirm_text = "Confirm"
    discard_text = "Discard"
    confirmed_text = "Saved."
    discarded_text = "Discarded: nothing was written."

    def __init__(self, event: NeedsConfirmation, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.proposal = event
        self.setObjectName("ConfirmationCard")
        self.setStyleSheet(CARD_STYLE)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(12, 10, 12, 10)
        self.title = WrappedLabel(self.title_text())
        self.title.setObjectName("CardTitle")
        self.layout_.addWidget(self.title)
        self.build_body()
        buttons = QHBoxLayout()
        for widget in self.extra_buttons():
            buttons.addWidget(widget)
        buttons.addStretch(1)
        self.discard_button = QPushButton(tr(self.discard_text))
        self.confirm_button = QPushButton(tr(self.confirm_text))
        self.confirm_button.setDefault(True)
        buttons.addWidget(self.discard_button)
        buttons.addWidget(self.confirm_button)
        self.layout_.addLayout(buttons)
        self.outcome = WrappedLabel("")
        self.outcome.setObjectName("CardOutcome")
        self.outcome.hide()
        self.layout_.addWidget(self.outcome)
        self.confirm_button.clicked.connect(self._confirm)
        self.discard_button.clicked.connect(self._discard)

    # -- for subclasses ----------------------------------------------------------------

    def title_text(self) -> str:
        return tr("Go ahead?")

    def build_body(self) -> None:
        preview = WrappedLabel(self.proposal.preview)
        preview.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.layout_.addWidget(preview)

    def edited_data(self) -> dict[str, Any]:
        return copy.deepcopy(self.proposal.data)

    def extra_buttons(self) -> list[QWidget]:
        """Buttons placed at the left of the button row (e.g. Copy)."""
        return []

    def set_editable(self, editable: bool) -> None:
        pass

    # -- decision ----------------------------------------------------------------------

    def _confirm(self) -> None:
        data = self.edited_data()
        self._lock(tr("Working…"))
        self.decided.emit(True, data)

    def _discard(self) -> None:
        self._lock(tr(self.discarded_text))
        self.decided.emit(False, {})

    def _lock(self, message: str) -> None:
        self.confirm_button.setEnabled(False)
        self.discard_button.setEnabled(False)
        self.set_editable(False)
        self.outcome.setText(message)
        self.outcome.show()

    def show_outcome(self, message: str, ok: bool) -> None:
        """What happened after a confirm; a failure lets the user try again."""
        text = message or tr(self.confirmed_text)
        self.outcome.setText(text)
        self.outcome.setStyleSheet("" if ok else "color: #b03a2e;")
        if "\n" in text:  # a skill's table of what it wrote: keep the columns aligned
            self.outcome.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.outcome.show()
        if not ok:
            self.confirm_button.setEnabled(True)
            self.discard_button.setEnabled(True)
            self.set_editable(True)


class GenericConfirmationCard(ConfirmationCard):
    pass


class ExpenseEntryRow:
    """The editors for one ledger entry, placed in a grid row."""

    def __init__(
        self, grid: QGridLayout, row: int, entry: dict[str, Any], choices: dict[str, Any]
    ) -> None:
        self.original = dict(entry)
        self.choices = choices
        self.amount = QDoubleSpinBox()
        self.amount.setRange(0.0, 1_000_000_000.0)
        self.amount.setDecimals(2)
        self.amount.setValue(float(entry.get("amount") or 0))
        self.amount.setMaximumWidth(110)
        self.currency = QComboBox()
        self.currency.setEditable(True)
        currencies = list(choices.get("currency") or [])
        self.currency.addItems(currencies)
        fallback = currencies[0] if currencies else ""
        self.currency.setCurrentText(str(entry.get("currency") or fallback))
        self.currency.setMaximumWidth(80)
        self.kind = QComboBox()
        for kind in choices.get("kind") or [entry.get("kind") or "expense"]:
            self.kind.addItem(tr(kind), kind)
        self.kind.setCurrentIndex(max(0, self.kind.findData(entry.get("kind") or "expense")))
        self.category = QComboBox()
        self._fill_categories(str(entry.get("category") or "other"))
        self.kind.currentIndexChanged.connect(lambda _i: self._fill_categories("other"))
        self.item = QLineEdit(str(entry.get("item") or ""))
        self.item.setMinimumWidth(80)
        self.date = QDateEdit()
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("yyyy-MM-dd")
        self.date.setDate(_qdate(entry.get("date")))
        self.date.setMaximumWidth(120)
        for column, editor in enumerate(
            (self.amount, self.currency, self.category, self.item, self.date, self.kind)
        ):
            grid.addWidget(editor, row, column)

    def _fill_categories(self, selected: str) -> None:
        kind = self.kind.currentData() or "expense"
        names = list((self.choices.get("category") or {}).get(kind) or [selected])
        self.category.clear()
        self.category.addItems(list(names))
        self.category.setCurrentText(selected if selected in names else "other")

    def editors(self) -> tuple[QWidget, ...]:
        return (self.amount, self.currency, self.category, self.item, self.date, self.kind)

    def value(self) -> dict[str, Any]:
        entry = dict(self.original)
        entry.update(
            amount=round(self.amount.value(), 2),
            currency=self.currency.currentText().strip().upper(),
            category=self.category.currentText(),
            item=self.item.text().strip(),
            date=self.date.date().toString("yyyy-MM-dd"),
            kind=self.kind.currentData(),
        )
        return entry


def _qdate(value: Any) -> QDate:
    try:
        day = _dt.date.fromisoformat(str(value))
    except ValueError:
        day = _dt.date.today()
    return QDate(day.year, day.month, day.day)


class ExpenseEntriesCard(ConfirmationCard):
    confirm_text = "Save"
    confirmed_text = "Saved."

    def title_text(self) -> str:
        return tr("Record {count} entries?", count=len(self.proposal.data.get("entries", [])))

    def build_body(self) -> None:
        grid_host = QWidget()
        grid = QGridLayout(grid_host)
        grid.setContentsMargins(0, 0, 0, 0)
        for column, name in enumerate(("Amount", "Currency", "Category", "Item", "Date", "Kind")):
            header = QLabel(tr(name))
            header.setStyleSheet("color: #666666;")
            grid.addWidget(header, 0, column)
        choices = self.proposal.data.get("choices") or {}
        self.rows = [
            ExpenseEntryRow(grid, index + 1, entry, choices)
            for index, entry in enumerate(self.proposal.data.get("entries", []))
        ]
        grid.setColumnStretch(3, 1)
        self.layout_.addWidget(grid_host)

    def edited_data(self) -> dict[str, Any]:
        data = copy.deepcopy(self.proposal.data)
        data["entries"] = [row.value() for row in self.rows]
        return data

    def set_editable(self, editable: bool) -> None:
        for row in self.rows:
            for editor in row.editors():
                editor.setEnabled(editable)


class UnifiedDiffHighlighter(QSyntaxHighlighter):
    def highlightBlock(self, text: str) -> None:  # noqa: N802 (Qt's name)
        colour: str | None = None
        if text.startswith(("+++", "---")):
            colour = "#555555"
        elif text.startswith("+"):
            colour = "#1e7a34"
        elif text.startswith("-"):
            colour = "#b03a2e"
        elif text.startswith("@@"):
            colour = "#6f42c1"
        if colour:
            fmt = QTextCharFormat()
            fmt.setForeground(QColor(colour))
            if text.startswith(("+++", "---", "@@")):
                fmt.setFontWeight(QFont.Weight.Bold)
            self.setFormat(0, len(text), fmt)


class DiffPreviewCard(ConfirmationCard):
    confirm_text = "Apply"
    discard_text = "Reject"
    confirmed_text = "Applied."
    discarded_text = "Rejected: no file was changed."

    def title_text(self) -> str:
        return tr("Apply this change to {root}?", root=self.proposal.data.get("root", "."))

    def build_body(self) -> None:
        self.diff_view = QPlainTextEdit()
        self.diff_view.setReadOnly(True)
        self.diff_view.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.diff_view.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.diff_view.setPlainText(self.proposal.preview or self.proposal.data.get("patch", ""))
        self.highlighter = UnifiedDiffHighlighter(self.diff_view.document())
        lines = max(3, min(24, self.diff_view.document().blockCount()))
        height = self.diff_view.fontMetrics().lineSpacing() * lines + 16
        self.diff_view.setFixedHeight(height)
        self.layout_.addWidget(self.diff_view)

    def extra_buttons(self) -> list[QWidget]:
        copy_button = QPushButton(tr("Copy"))
        copy_button.clicked.connect(
            lambda: QApplication.clipboard().setText(self.proposal.data.get("patch", ""))
        )
        return [copy_button]


# -- bill imports -----------------------------------------------------------------------

DETAIL_LINES = 14


def _row_text(row: dict[str, Any]) -> str:
    when = str(row.get("time", ""))
    when = when[:10] if when.endswith("00:00:00") else when[:16]
    parts = [when, str(row.get("payee") or ""), str(row.get("goods") or "")]
    return " ".join(p for p in parts if p) + f"  {row.get('amount', '')}"


class BillImportCard(ConfirmationCard):
    confirm_text = "Import"
    confirmed_text = "Imported."

    def title_text(self) -> str:
        name = Path(str(self.proposal.data.get("file", ""))).name
        return tr("Import {file}?", file=name)

    def build_body(self) -> None:
        data = self.proposal.data
        s = data.get("summary") or {}
        head = tr(
            "{label}: {rows} rows — add {add}, merge {merge}, ask {ask}, skip {skip}",
            label=data.get("label", ""),
            rows=s.get("rows", 0),
            add=s.get("add", 0),
            merge=s.get("merge", 0),
            ask=s.get("ask", 0),
            skip=s.get("skip", 0),
        )
        reasons = s.get("skipped_because") or {}
        if reasons:
            head += " (" + ", ".join(f"{why} {n}" for why, n in reasons.items()) + ")"
        self.summary = WrappedLabel(head)
        self.layout_.addWidget(self.summary)
        if data.get("new_mapping") and data.get("profile"):
            mapping = data["profile"].get("mapping", {})
            shown = ", ".join(
                f"{k}={' + '.join(v) if isinstance(v, list) else v}" for k, v in mapping.items()
            )
            self.mapping = WrappedLabel(
                tr("New bank layout; these columns are remembered: {columns}", columns=shown)
            )
            self.layout_.addWidget(self.mapping)
        self.questions: list[tuple[QCheckBox, int]] = []
        merges = data.get("merge") or []
        asked = [(i, m) for i, m in enumerate(merges) if not m.get("sure")]
        if asked:
            label = QLabel(tr("The same money? Tick to merge; unticked rows are added."))
            label.setStyleSheet("color: #666666;")
            self.layout_.addWidget(label)
            for index, item in asked:
                box = QCheckBox(f"{item.get('spoken', '')}  =  {_row_text(item.get('row', {}))}")
                box.setToolTip(str(item.get("why", "")))
                box.setChecked(bool(item.get("accept")))
                self.layout_.addWidget(box)
                self.questions.append((box, index))
        lines: list[str] = []
        sure = [m for m in merges if m.get("sure")]
        if sure:
            lines.append(tr("Merge with what you said:"))
            lines += [f"  {m.get('spoken', '')}  ←  {_row_text(m.get('row', {}))}" for m in sure]
        adds = data.get("add") or []
        if adds:
            lines.append(tr("Add:"))
            for item in adds:
                e = item.get("entry", {})
                sign = "+" if e.get("kind") == "income" else ""
                amount = Decimal(str(e.get("amount", 0)))
                lines.append(
                    f"  {e.get('date')} {e.get('category')} {e.get('item') or '-'} "
                    f"{sign}{amount:,.2f} {e.get('currency')}"
                )
        skipped = (data.get("void") or []) + (data.get("mirror") or []) + (data.get("skip") or [])
        if skipped:
            lines.append(tr("Skip:"))
            lines += [f"  {_row_text(x.get('row', {}))}: {x.get('reason', '')}" for x in skipped]
        self.details = QPlainTextEdit()
        self.details.setReadOnly(True)
        self.details.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.details.setPlainText("\n".join(lines))
        shown = max(3, min(DETAIL_LINES, len(lines)))
        self.details.setFixedHeight(self.details.fontMetrics().lineSpacing() * shown + 16)
        self.layout_.addWidget(self.details)

    def edited_data(self) -> dict[str, Any]:
        data = copy.deepcopy(self.proposal.data)
        for box, index in self.questions:
            data["merge"][index]["accept"] = box.isChecked()
        return data

    def set_editable(self, editable: bool) -> None:
        for box, _ in self.questions:
            box.setEnabled(editable)


def card_for(event: NeedsConfirmation) -> ConfirmationCard:
    if event.action == "add_entries" and isinstance(event.data.get("entries"), list):
        return ExpenseEntriesCard(event)
    if event.action == "import_bills" and isinstance(event.data.get("merge"), list):
        return BillImportCard(event)
    if event.action == "apply_patch":
        return DiffPreviewCard(event)
    return GenericConfirmationCard(event)
