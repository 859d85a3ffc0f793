"""Start at login: the XDG autostart entry, written and removed as real files in a
temporary XDG_CONFIG_HOME, checked with desktop-file-validate and launched with GLib's
``gio launch`` (the same parser a desktop uses at login)."""

from __future__ import annotations

import os
import select
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from assistant import autostart
from assistant.autostart import AutostartError, AutostartUnsupported

END = "ting-test-end-of-argv"


@dataclass
class FakeSettings:
    start_at_login: bool


@pytest.fixture
def xdg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    config = tmp_path / "xdg-config"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    return config


def _need_tool(name: str) -> str:
    path = shutil.which(name)
    if path:
        return path
    if os.environ.get("CI"):
        pytest.fail(f"{name} is required in CI (see tests/run.sh)")
    pytest.skip(f"{name} is not installed")


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"XDG_CONFIG_HOME": "/x/cfg", "HOME": "/h"}, "/x/cfg/autostart/ting.desktop"),
        ({"HOME": "/h"}, "/h/.config/autostart/ting.desktop"),
        ({"XDG_CONFIG_HOME": "", "HOME": "/h"}, "/h/.config/autostart/ting.desktop"),
        # the spec says a relative XDG_CONFIG_HOME is invalid and must be ignored
        ({"XDG_CONFIG_HOME": "rel/cfg", "HOME": "/h"}, "/h/.config/autostart/ting.desktop"),
    ],
)
def test_entry_path_honours_xdg_config_home(env: dict[str, str], expected: str) -> None:
    assert autostart.entry_path(env) == Path(expected)


@pytest.mark.parametrize(
    ("arg", "quoted"),
    [
        ("/opt/ting/ting", "/opt/ting/ting"),
        ("/home/a b/ting", '"/home/a b/ting"'),
        ('say"hi', '"say\\\\"hi"'),
        ("$HOME", '"\\\\$HOME"'),
        ("a\\b", '"a\\\\\\\\b"'),  # four backslashes for one, as the spec says
        ("50%", "50%%"),
        ("", '""'),
    ],
)
def test_exec_quoting_table(arg: str, quoted: str) -> None:
    assert autostart.quote_exec_arg(arg) == quoted


def test_apply_writes_and_removes_the_entry(xdg: Path) -> None:
    entry = xdg / "autostart" / "ting.desktop"
    assert not autostart.is_enabled()

    written = autostart.apply(FakeSettings(start_at_login=True))

    assert written == entry and entry.is_file()
    assert autostart.is_enabled()
    text = entry.read_text(encoding="utf-8")
    assert "X-Ting-Autostart=true" in text.splitlines()
    assert f"Exec={autostart.quote_exec_arg(autostart.launch_command()[0])}" in text
    assert [p.name for p in entry.parent.iterdir()] == ["ting.desktop"]  # no temp files left

    assert autostart.apply(FakeSettings(start_at_login=True)) == entry  # idempotent
    assert autostart.apply(FakeSettings(start_at_login=False)) is None
    assert not entry.exists()
    assert autostart.apply(FakeSettings(start_at_login=False)) is None  # nothing to remove


def test_entry_is_a_valid_desktop_file(xdg: Path) -> None:
    validate = _need_tool("desktop-file-validate")
    entry = autostart.enable(["/opt/Ting Apps/ting", "--flag=50%"])
    proc = subprocess.run([validate, str(entry)], capture_output=True, text=True)
    assert proc.returncode == 0 and proc.stdout.strip() == "", proc.stdout + proc.stderr


def test_gio_launches_the_entry_with_the_exact_arguments(xdg: Path, tmp_path: Path) -> None:
    """What the desktop runs at login is exactly the command written (spaces, quotes,
    dollars, backslashes, percent signs)."""
    gio = _need_tool("gio")
    folder = tmp_path / "Program Files $x"
    folder.mkdir()
    record = tmp_path / "argv.fifo"
    os.mkfifo(record)
    script = folder / "fake ting"
    script.write_text(
        "#!/bin/sh\n"
        f"{{ for a in \"$@\"; do printf '%s\\n' \"$a\"; done; echo {END}; }} > '{record}'\n"
    )
    script.chmod(0o755)
    args = ['say "hi"', "back\\slash", "100%", "$HOME", "plain"]
    entry = autostart.enable([str(script), *args])

    # gio launch returns before the launched program has run: read what it writes into
    # the FIFO (held open for writing here too, so there is no end of file before it)
    fd = os.open(record, os.O_RDWR | os.O_NONBLOCK)
    try:
        subprocess.run([gio, "launch", str(entry)], check=True, timeout=30, capture_output=True)
        received = b""
        while END.encode() + b"\n" not in received:
            ready, _, _ = select.select([fd], [], [], 20)
            assert ready, f"the launched program did not run: {received!r}"
            received += os.read(fd, 65536)
    finally:
        os.close(fd)

    assert received.decode().splitlines() == [*args, END]


def test_foreign_entry_is_never_replaced_or_removed(xdg: Path) -> None:
    entry = xdg / "autostart" / "ting.desktop"
    entry.parent.mkdir(parents=True)
    mine = "[Desktop Entry]\nType=Application\nName=My own ting\nExec=/usr/local/bin/ting\n"
    entry.write_text(mine)

    assert not autostart.is_enabled()
    with pytest.raises(AutostartError, match="not written by Ting"):
        autostart.apply(FakeSettings(start_at_login=True))
    assert autostart.disable() is False
    assert entry.read_text() == mine


def test_unwritable_folder_gives_one_line(xdg: Path) -> None:
    xdg.mkdir()
    (xdg / "autostart").write_text("a file where the folder should be")
    with pytest.raises(AutostartError) as caught:
        autostart.enable(["/opt/ting/ting"])
    message = caught.value.user_message()
    assert "cannot write the autostart entry" in message and str(xdg / "autostart") in message


@pytest.mark.parametrize("platform", ["win32", "darwin"])
def test_other_platforms_say_so(xdg: Path, platform: str) -> None:
    assert autostart.apply(FakeSettings(start_at_login=False), platform=platform) is None
    with pytest.raises(AutostartUnsupported, match="only implemented for Linux"):
        autostart.apply(FakeSettings(start_at_login=True), platform=platform)
    assert not (xdg / "autostart").exists()


def test_launch_command_runs_this_ting() -> None:
    command = autostart.launch_command()
    proc = subprocess.run([*command, "--version"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and proc.stdout.startswith("ting"), proc


def test_launch_command_in_a_frozen_bundle_is_the_executable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", "/opt/ting/ting")
    assert autostart.launch_command() == ["/opt/ting/ting"]
