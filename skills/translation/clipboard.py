"""Text from the desktop clipboard, without Qt (``ui/`` is the only package that imports it).

Asks the clipboard tool the desktop session provides: ``wl-paste`` on Wayland, ``xclip``
or ``xsel`` on X11, ``pbpaste`` on macOS, PowerShell's ``Get-Clipboard`` on Windows. Each
failure is one line saying what to do: no desktop session, no tool installed (and which
to install), an empty clipboard or one holding no text (an image).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Mapping

from assistant.errors import SkillError, UsageError

TIMEOUT_S = 5.0
EMPTY_CLIPBOARD = "nothing to translate: the clipboard holds no text (copy some text first)"


def clipboard_commands(env: Mapping[str, str], platform: str = sys.platform) -> list[list[str]]:
    """The commands that could print the clipboard here, best first (pure)."""
    if platform == "darwin":
        return [["pbpaste"]]
    if platform.startswith("win"):
        return [["powershell", "-NoProfile", "-Command", "Get-Clipboard -Raw"]]
    commands = []
    if env.get("WAYLAND_DISPLAY"):
        commands.append(["wl-paste", "--no-newline", "--type", "text"])
    if env.get("DISPLAY"):
        commands.append(["xclip", "-selection", "clipboard", "-out"])
        commands.append(["xsel", "--clipboard", "--output"])
    return commands


def read_clipboard_text(env: Mapping[str, str] | None = None) -> str:
    """The clipboard's text, stripped; ``UsageError`` when it is empty, ``SkillError``
    when it cannot be read."""
    env = os.environ if env is None else env
    commands = clipboard_commands(env)
    if not commands:
        raise SkillError(
            "cannot read the clipboard: no desktop session here (neither WAYLAND_DISPLAY "
            "nor DISPLAY is set)",
            hint="give the text as an argument, or '-' to read it from standard input",
        )
    present = [c for c in commands if shutil.which(c[0], path=env.get("PATH"))]
    if not present:
        wanted = "wl-clipboard" if env.get("WAYLAND_DISPLAY") else "xclip or xsel"
        raise SkillError(
            f"cannot read the clipboard: no clipboard tool found ({' or '.join(c[0] for c in commands)})",
            hint=f"install {wanted}",
        )
    failures = []
    for command in present:
        try:
            ran = subprocess.run(
                command,
                capture_output=True,
                timeout=TIMEOUT_S,
                env=dict(env),
                stdin=subprocess.DEVNULL,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            failures.append(f"{command[0]}: {exc}")
            continue
        if ran.returncode == 0:
            text = ran.stdout.decode("utf-8", errors="replace").strip()
            if not text:
                raise UsageError(EMPTY_CLIPBOARD)
            return text
        message = ran.stderr.decode("utf-8", errors="replace").strip()
        if _means_no_text(message):
            raise UsageError(EMPTY_CLIPBOARD)
        failures.append(f"{command[0]}: {message.splitlines()[0] if message else ran.returncode}")
    raise SkillError(f"cannot read the clipboard: {'; '.join(failures)}")


def _means_no_text(stderr: str) -> bool:
    """The tools' ways of saying the clipboard is empty or holds no text."""
    lowered = stderr.lower()
    return any(
        phrase in lowered
        for phrase in ("target string not available", "nothing is copied", "no selection")
    ) or ("no suitable type" in lowered)
