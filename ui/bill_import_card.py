"""The card for a bill import (bookkeeping ``import_bills``): what would be added, merged
with what you said, and skipped, and a yes/no for each match Ting is not sure of.

Nothing is written until Import. A question left unticked is a "no": that row is added
as its own entry instead of merged. The card only shows and asks; the plan it hands back
is the event's data with ``accept`` set on each uncertain match.
"""

from __future__ import annotations

import copy
from decimal import Decimal
from pathlib import Path
from typing import Any

from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QCheckBox, QLabel, QPlainTextEdit, QWidget

from ui.confirmation_cards import ConfirmationCard, WrappedLabel
from ui.i18n import tr

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


CHART_WIDTH = 560  # the chat column; the skill draws its charts 800 px wide


def chart_label(png: bytes, parent: QWidget | None = None) -> QLabel:
    """A chart the skill drew (PNG bytes in its answer) as a picture in the chat."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QPixmap

    picture = QPixmap()
    picture.loadFromData(png, "PNG")
    if picture.width() > CHART_WIDTH:
        picture = picture.scaledToWidth(CHART_WIDTH, Qt.TransformationMode.SmoothTransformation)
    label = QLabel(parent)
    label.setPixmap(picture)
    return label
