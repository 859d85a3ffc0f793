"""The settings window edits `mcp_servers` with the same checks as `ting mcp add` (offscreen)."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest
from fixtures_ui import save_screenshot

pytest.importorskip("PySide6")

pytest_plugins = ["fixtures_ui"]


def open_settings(qtbot: Any, core_app: Any, task_runner: Any) -> Any:
    from ui.settings_window import SettingsWindow

    window = SettingsWindow(core_app, task_runner)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.mcp_servers.loaded, timeout=10_000):
        window.show()
    return window


def set_row(window: Any, row: int, cells: tuple[str, ...]) -> None:
    from PySide6.QtWidgets import QTableWidgetItem

    for column, text in enumerate(cells):
        window.mcp_servers.table.setItem(row, column, QTableWidgetItem(text))


def servers_in_file(ting_home: Path) -> list[dict[str, Any]]:
    data = tomllib.loads((ting_home / "config.toml").read_text(encoding="utf-8"))
    return data.get("mcp_servers", [])


def test_add_edit_and_remove_servers(
    qtbot: Any, core_app: Any, task_runner: Any, ting_home: Path
) -> None:
    from assistant.mcp_config import McpServerConfig, save_mcp_servers

    save_mcp_servers(
        [McpServerConfig("time", "mcp-server-time", ("--local-timezone", "UTC"), start_timeout=60)]
    )
    window = open_settings(qtbot, core_app, task_runner)
    assert window.mcp_servers.rows() == [
        ("time", "mcp-server-time", "--local-timezone UTC", "", "")
    ]
    window.mcp_servers.add_button.click()
    set_row(
        window,
        1,
        (
            "git",
            "mcp-server-git",
            "--repository '/tmp/my repo'",
            "GIT_AUTHOR_NAME='Ting Bot'",
            "45",
        ),
    )
    save_screenshot(window, "settings_mcp_servers")
    with qtbot.waitSignal(window.saved, timeout=10_000) as saved:
        window.save_button.click()
    assert "mcp_servers" in saved.args[0]
    assert servers_in_file(ting_home) == [
        {
            "name": "time",
            "command": "mcp-server-time",
            "args": ["--local-timezone", "UTC"],
            "start_timeout": 60.0,
        },
        {
            "name": "git",
            "command": "mcp-server-git",
            "args": ["--repository", "/tmp/my repo"],
            "env": {"GIT_AUTHOR_NAME": "Ting Bot"},
            "timeout": 45.0,
        },
    ]

    window.mcp_servers.table.selectRow(0)
    window.mcp_servers.remove_button.click()
    with qtbot.waitSignal(window.saved, timeout=10_000):
        window.save_button.click()
    assert [s["name"] for s in servers_in_file(ting_home)] == ["git"]


def test_a_bad_row_is_refused_and_nothing_is_written(
    qtbot: Any, core_app: Any, task_runner: Any, ting_home: Path
) -> None:
    window = open_settings(qtbot, core_app, task_runner)
    window.model.setText("qwen2.5:7b")  # nor the other settings of the same save
    window.mcp_servers.add_button.click()
    set_row(window, 0, ("bad name", "x", "", "", ""))
    with qtbot.waitSignal(window.save_failed, timeout=10_000) as failed:
        window.save_button.click()
    assert "name must be" in failed.args[0]
    assert "name must be" in window.status.text()
    assert not (ting_home / "config.toml").exists()
    set_row(window, 0, ("ok", "x", "'unclosed", "", ""))
    with qtbot.waitSignal(window.save_failed, timeout=10_000) as failed:
        window.save_button.click()
    assert "No closing quotation" in failed.args[0]


def test_chat_tools_checkbox_is_a_setting(
    qtbot: Any, core_app: Any, task_runner: Any, ting_home: Path
) -> None:
    window = open_settings(qtbot, core_app, task_runner)
    assert window.chat_tools.isChecked()
    window.chat_tools.setChecked(False)
    with qtbot.waitSignal(window.saved, timeout=10_000) as saved:
        window.save_button.click()
    assert saved.args[0] == {"chat_tools": "false"}
    assert core_app.settings.chat_tools is False
