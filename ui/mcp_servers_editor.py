"""The settings window's MCP servers: one row per server (name, command, arguments,
environment, timeout), Add and Remove. The list is read and written by the settings
window's workers through ``assistant.mcp_config`` (the same checks as `ting mcp add`)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from ui.i18n import tr

COLUMNS = ("Name", "Command", "Arguments", "Environment", "Timeout (s)")


class McpServersEditor(QGroupBox):
    loaded = Signal(int)  # how many servers the table shows

    def __init__(self, parent: Any = None) -> None:
        super().__init__(tr("MCP servers (tools for chat)"), parent)
        layout = QVBoxLayout(self)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels([tr(c) for c in COLUMNS])
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.setMinimumHeight(110)
        layout.addWidget(self.table)
        buttons = QHBoxLayout()
        self.add_button = QPushButton(tr("Add"))
        self.remove_button = QPushButton(tr("Remove"))
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.note = QLabel(
            tr("Each server is a program Ting starts; its tools are offered to the chat model.")
        )
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color: #666666;")
        layout.addWidget(self.note)
        self.add_button.clicked.connect(self.add_row)
        self.remove_button.clicked.connect(self.remove_selected)
        self.table.itemChanged.connect(self._mark_changed)
        self._originals: list[Any] = []
        self._loaded: list[tuple[str, ...]] = []
        self.changed = False

    def set_servers(self, servers: list[Any]) -> None:
        from assistant.mcp_config import row_of

        self.table.blockSignals(True)
        self.table.setRowCount(0)
        for server in servers:
            self._append(row_of(server))
        self.table.blockSignals(False)
        self._originals = list(servers)
        self._loaded = self.rows()
        self.changed = False
        self.loaded.emit(len(servers))

    def show_error(self, message: str) -> None:
        self.note.setStyleSheet("color: #b03a2e;")
        self.note.setText(message)

    def _append(self, row: tuple[str, ...]) -> None:
        index = self.table.rowCount()
        self.table.insertRow(index)
        for column, text in enumerate(row):
            self.table.setItem(index, column, QTableWidgetItem(text))

    def add_row(self) -> None:
        self._append(("", "", "", "", ""))
        self.table.setCurrentCell(self.table.rowCount() - 1, 0)
        self.changed = True

    def remove_selected(self) -> None:
        rows = sorted({i.row() for i in self.table.selectedIndexes()}, reverse=True)
        for row in rows:
            self.table.removeRow(row)
        if rows:
            self.changed = True

    def _mark_changed(self, *_: Any) -> None:
        self.changed = True

    def rows(self) -> list[tuple[str, ...]]:
        out = []
        for r in range(self.table.rowCount()):
            cells = []
            for c in range(len(COLUMNS)):
                item = self.table.item(r, c)
                cells.append(item.text() if item is not None else "")
            out.append(tuple(cells))
        return out

    def pending_rows(self) -> list[tuple[str, ...]] | None:
        """The rows to save (blank rows left out), or None when nothing changed."""
        rows = [r for r in self.rows() if any(cell.strip() for cell in r)]
        if not self.changed or rows == [r for r in self._loaded if any(c.strip() for c in r)]:
            return None
        return rows

    def originals(self) -> list[Any]:
        return list(self._originals)


def servers_from_rows(rows: list[tuple[str, ...]], originals: list[Any]) -> list[Any]:
    """Checked server configs from the table (no Qt: runs in the save worker). A row left
    as it was keeps what the table does not show (start_timeout)."""
    from dataclasses import replace

    from assistant.mcp_config import row_of, server_from_row

    by_row = {row_of(s): s for s in originals}
    servers = []
    for row in rows:
        if row in by_row:
            servers.append(by_row[row])
            continue
        server = server_from_row(*row)
        old = next((s for s in originals if s.name == server.name), None)
        if old is not None:
            server = replace(server, start_timeout=old.start_timeout)
        servers.append(server)
    return servers
