"""The settings window writes through the same validation as `ting config` (offscreen)."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest
from fixtures_ui import save_screenshot

pytest.importorskip("PySide6")


def open_settings(qtbot: Any, core_app: Any, task_runner: Any) -> Any:
    from ui.settings_window import SettingsWindow

    window = SettingsWindow(core_app, task_runner)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.devices_listed, timeout=10_000):
        window.show()
    return window


@pytest.fixture
def xdg_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A throw-away XDG_CONFIG_HOME: the autostart entry is written there, not in ~."""
    folder = tmp_path / "xdg-config"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(folder))
    return folder


def test_save_writes_the_config_file_and_updates_the_app(
    qtbot: Any, core_app: Any, task_runner: Any, ting_home: Path, xdg_config: Path
) -> None:
    window = open_settings(qtbot, core_app, task_runner)
    assert window.model.text() == "gpt-4o-mini"
    assert window.key_status.text() == "stored key: not set"
    window.model.setText("qwen2.5:7b")
    window.base_url.setText("http://127.0.0.1:11434/v1")
    window.currency.setCurrentText("USD")
    window.language_b.setCurrentText("ja")
    window.start_at_login.setChecked(True)
    save_screenshot(window, "settings_window")
    with qtbot.waitSignal(window.saved, timeout=10_000) as saved:
        window.save_button.click()
    assert set(saved.args[0]) == {
        "model",
        "base_url",
        "default_currency",
        "language_pair",
        "start_at_login",
    }
    written = tomllib.loads((ting_home / "config.toml").read_text(encoding="utf-8"))
    assert written["model"] == "qwen2.5:7b"
    assert written["default_currency"] == "USD"
    assert written["language_pair"] == "zh,ja"
    assert written["start_at_login"] is True
    assert "api_key" not in written
    assert core_app.settings.default_currency == "USD"  # the running app sees it
    assert window.status.text() == "Saved settings."
    # "start at login" wrote the XDG autostart entry (assistant.autostart.apply) …
    entry = xdg_config / "autostart" / "ting.desktop"
    assert entry.is_file() and "X-Ting-Autostart=true" in entry.read_text(encoding="utf-8")
    # … and unticking it removes the entry again
    window.start_at_login.setChecked(False)
    with qtbot.waitSignal(window.saved, timeout=10_000) as saved:
        window.save_button.click()
    assert set(saved.args[0]) == {"start_at_login"}
    assert not entry.exists()


def test_the_dictation_and_edit_hotkeys_are_set_and_cleared_in_the_window(
    qtbot: Any, core_app: Any, task_runner: Any, ting_home: Path
) -> None:
    from PySide6.QtGui import QKeySequence

    window = open_settings(qtbot, core_app, task_runner)
    assert hotkey_of(window.dictation_hotkey) == "<ctrl>+<alt>+d"
    assert hotkey_of(window.edit_hotkey) == "<ctrl>+<alt>+e"
    assert window.changed_values() == {}  # the defaults shown are the defaults kept
    window.dictation_hotkey.setKeySequence(QKeySequence("Ctrl+Shift+D"))
    window.edit_hotkey.clear()  # off
    with qtbot.waitSignal(window.saved, timeout=10_000) as saved:
        window.save_button.click()
    assert set(saved.args[0]) == {"dictation_hotkey", "edit_hotkey"}
    written = tomllib.loads((ting_home / "config.toml").read_text(encoding="utf-8"))
    assert (written["dictation_hotkey"], written["edit_hotkey"]) == ("<ctrl>+<shift>+d", "")
    assert (core_app.settings.dictation_hotkey, core_app.settings.edit_hotkey) == (
        "<ctrl>+<shift>+d",
        "",
    )


def hotkey_of(edit: Any) -> str:
    from ui.settings_window import hotkey_from_sequence

    return hotkey_from_sequence(edit.keySequence())


def test_config_set_start_at_login_writes_and_removes_the_entry(
    ting: Any, xdg_config: Path
) -> None:
    entry = xdg_config / "autostart" / "ting.desktop"
    on = ting("config", "set", "start_at_login", "true", env={"XDG_CONFIG_HOME": str(xdg_config)})
    assert on.code == 0, on.err
    assert entry.is_file()
    off = ting("config", "set", "start_at_login", "false", env={"XDG_CONFIG_HOME": str(xdg_config)})
    assert off.code == 0, off.err
    assert not entry.exists()


def test_invalid_value_is_refused_with_one_line(
    qtbot: Any, core_app: Any, task_runner: Any, ting_home: Path
) -> None:
    window = open_settings(qtbot, core_app, task_runner)
    window.base_url.setText("ftp://example.org")
    with qtbot.waitSignal(window.save_failed, timeout=10_000) as failed:
        window.save_button.click()
    assert "base_url must start with http://" in failed.args[0]
    assert "\n" not in failed.args[0]
    assert not (ting_home / "config.toml").exists()


def test_key_refused_by_an_insecure_keyring_changes_nothing(
    qtbot: Any, core_app: Any, task_runner: Any, ting_home: Path
) -> None:
    # the test set-up selects keyring's null backend, which Ting refuses to trust
    window = open_settings(qtbot, core_app, task_runner)
    window.model.setText("another-model")
    window.api_key.setText("sk-test-0000000000000000abcd")
    with qtbot.waitSignal(window.save_failed, timeout=10_000) as failed:
        window.save_button.click()
    assert "keyring" in failed.args[0]
    assert "sk-test" not in failed.args[0]
    assert not (ting_home / "config.toml").exists()


def test_test_connection_talks_to_the_provider(
    qtbot: Any, provider_env: Any, core_app: Any, task_runner: Any
) -> None:
    provider_env.queue_reply("pong")
    window = open_settings(qtbot, core_app, task_runner)
    with qtbot.waitSignal(window.connection_checked, timeout=20_000) as checked:
        window.test_button.click()
    assert checked.args == [True, "pong"]
    assert "pong" in window.test_result.text()
    assert provider_env.requests[-1]["model"] == provider_env.model
    save_screenshot(window, "settings_window_connected")


def test_test_connection_reports_a_refused_key(
    qtbot: Any, provider_env: Any, core_app: Any, task_runner: Any
) -> None:
    provider_env.queue_reply(status=401, error_message="invalid api key")
    window = open_settings(qtbot, core_app, task_runner)
    with qtbot.waitSignal(window.connection_checked, timeout=20_000) as checked:
        window.test_button.click()
    ok, message = checked.args
    assert not ok and message and "\n" not in message


@pytest.mark.parametrize(
    ("hotkey", "shown"),
    [
        ("<ctrl>+<alt>+space", "Ctrl+Alt+Space"),
        ("<ctrl>+<shift>+t", "Ctrl+Shift+T"),
        ("<alt>+f9", "Alt+F9"),
    ],
)
def test_hotkey_round_trip(qapp: Any, hotkey: str, shown: str) -> None:
    from PySide6.QtGui import QKeySequence

    from ui.settings_window import hotkey_from_sequence, sequence_from_hotkey

    sequence = sequence_from_hotkey(hotkey)
    assert sequence.toString(QKeySequence.SequenceFormat.PortableText) == shown
    assert hotkey_from_sequence(sequence) == hotkey


def test_chinese_settings_window(
    qtbot: Any, core_app: Any, task_runner: Any, ui_language: Any
) -> None:
    ui_language("zh")
    window = open_settings(qtbot, core_app, task_runner)
    assert window.test_button.text() == "测试连接"
    assert window.windowTitle() == "听 — 设置"
    save_screenshot(window, "settings_window_zh")
    assert not _scrolls_sideways(window)


def _scrolls_sideways(window: Any) -> bool:
    from PySide6.QtWidgets import QApplication, QScrollArea

    QApplication.processEvents()
    return window.findChild(QScrollArea).horizontalScrollBar().isVisible()


def test_the_window_fits_its_default_width(qtbot: Any, core_app: Any, task_runner: Any) -> None:
    window = open_settings(qtbot, core_app, task_runner)
    save_screenshot(window, "settings_window_default_width")
    assert not _scrolls_sideways(window)
    # the box may be narrower than its longest choice; its open list is not
    box = window.compare_decodes
    longest = max(box.fontMetrics().horizontalAdvance(box.itemText(i)) for i in range(box.count()))
    assert box.width() < longest
    box.showPopup()
    try:
        assert box.view().viewport().width() >= longest
    finally:
        box.hidePopup()


def test_the_mandarin_check_is_a_setting(
    qtbot: Any, core_app: Any, task_runner: Any, ting_home: Path
) -> None:
    window = open_settings(qtbot, core_app, task_runner)
    assert window.compare_decodes.currentData() == "files"  # the default
    window.compare_decodes.setCurrentIndex(window.compare_decodes.findData("all"))
    save_screenshot(window, "settings_window_mandarin_check")
    with qtbot.waitSignal(window.saved, timeout=10_000) as saved:
        window.save_button.click()
    assert saved.args[0] == {"asr_compare_decodes": "all"}
    assert core_app.settings.asr_compare_decodes == "all"
    assert 'asr_compare_decodes = "all"' in (ting_home / "config.toml").read_text()
