"""Start at login: the XDG autostart entry that the ``start_at_login`` setting writes and
removes (``$XDG_CONFIG_HOME/autostart/ting.desktop``, by default
``~/.config/autostart/ting.desktop``).

Desktops that follow the XDG autostart spec (GNOME, KDE, Xfce, LXQt, Cinnamon, MATE …)
start every ``.desktop`` file in that folder at login. The entry runs the same ``ting``
that is running now: the bundle's executable in a PyInstaller build, else the ``ting``
script next to this Python, else ``python -m assistant``.

Only entries Ting wrote (marked ``X-Ting-Autostart=true``) are ever removed, so a
``ting.desktop`` a user wrote by hand is left alone. Linux and other XDG desktops only:
on Windows and macOS ``apply`` raises ``AutostartUnsupported`` (see packaging/README.md).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Protocol

from assistant.atomic_write import write_atomically
from assistant.errors import TingError

ENTRY_NAME = "ting.desktop"
MARKER = "X-Ting-Autostart=true"


class AutostartError(TingError):
    """The autostart entry cannot be written or removed."""


class AutostartUnsupported(AutostartError):
    """This platform has no XDG autostart folder."""


class HasStartAtLogin(Protocol):
    start_at_login: bool


def supported(platform: str | None = None) -> bool:
    return (platform or sys.platform) not in ("win32", "cygwin", "darwin")


def autostart_dir(env: Mapping[str, str] | None = None) -> Path:
    """``$XDG_CONFIG_HOME/autostart`` (an absolute XDG_CONFIG_HOME only, per the spec)."""
    env = os.environ if env is None else env
    base = env.get("XDG_CONFIG_HOME", "")
    if not base or not os.path.isabs(base):
        home = env.get("HOME") or str(Path.home())
        base = os.path.join(home, ".config")
    return Path(base) / "autostart"


def entry_path(env: Mapping[str, str] | None = None) -> Path:
    return autostart_dir(env) / ENTRY_NAME


def launch_command() -> list[str]:
    """The command that starts this same Ting."""
    if getattr(sys, "frozen", False):  # PyInstaller: sys.executable is the bundle's ting
        return [sys.executable]
    script = Path(sys.executable).parent / "ting"
    if script.is_file() and os.access(script, os.X_OK):
        return [str(script)]
    return [sys.executable, "-m", "assistant"]


_EXEC_RESERVED = set(" \t\n\"'\\><~|&;$*?#()`")


def quote_exec_arg(arg: str) -> str:
    """One argument of a desktop entry ``Exec`` key, quoted as the spec requires.

    Inside double quotes, ``"`` `` ` `` ``$`` and ``\\`` take a backslash; then every
    backslash is doubled again because ``Exec`` is a string value (its own escapes),
    and a literal ``%`` is written ``%%`` (field codes).
    """
    arg = arg.replace("%", "%%")
    if arg and not (set(arg) & _EXEC_RESERVED):
        return arg
    inner = "".join("\\" + ch if ch in '"`$\\' else ch for ch in arg)
    return '"' + inner.replace("\\", "\\\\") + '"'


def desktop_entry(command: Sequence[str]) -> str:
    exec_line = " ".join(quote_exec_arg(a) for a in command)
    return (
        "[Desktop Entry]\n"
        "Type=Application\n"
        "Version=1.0\n"
        "Name=Ting\n"
        "Name[zh_CN]=听\n"
        "GenericName=Voice assistant\n"
        "Comment=Start Ting in the system tray at login\n"
        f"Exec={exec_line}\n"
        "Icon=ting\n"
        "Terminal=false\n"
        "Categories=Utility;\n"
        "X-GNOME-Autostart-enabled=true\n"
        "X-GNOME-Autostart-Delay=5\n"
        "X-KDE-autostart-after=panel\n"
        f"{MARKER}\n"
    )


def is_ours(path: Path) -> bool:
    try:
        return MARKER in path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return False


def enable(command: Sequence[str] | None = None, env: Mapping[str, str] | None = None) -> Path:
    """Write the autostart entry (atomically); returns its path."""
    path = entry_path(env)
    text = desktop_entry(list(command) if command else launch_command())
    if path.exists() and not is_ours(path):
        raise AutostartError(
            f"{path} exists and was not written by Ting; not replacing it",
            hint="remove it by hand to let Ting manage start at login",
        )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(path, text, 0o644)
    except OSError as exc:
        raise AutostartError(
            f"cannot write the autostart entry {path}: {exc.strerror or exc}"
        ) from None
    return path


def disable(env: Mapping[str, str] | None = None) -> bool:
    """Remove Ting's autostart entry; True if one was removed. A foreign file stays."""
    path = entry_path(env)
    if not path.exists() or not is_ours(path):
        return False
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise AutostartError(
            f"cannot remove the autostart entry {path}: {exc.strerror or exc}"
        ) from None
    return True


def is_enabled(env: Mapping[str, str] | None = None) -> bool:
    path = entry_path(env)
    return path.is_file() and is_ours(path)


def apply(
    settings: HasStartAtLogin,
    env: Mapping[str, str] | None = None,
    platform: str | None = None,
) -> Path | None:
    """Make the autostart entry match ``settings.start_at_login``.

    Returns the entry's path when it is (now) present, ``None`` when it is absent.
    """
    if not supported(platform):
        if settings.start_at_login:
            raise AutostartUnsupported(
                "start at login is only implemented for Linux (XDG autostart) so far",
                hint="add Ting to your login items by hand",
            )
        return None
    if settings.start_at_login:
        return enable(env=env)
    disable(env)
    return None
