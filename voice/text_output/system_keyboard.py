"""Keystrokes and the clipboard on Windows and macOS, and xdotool's on X11.

Windows and macOS: pynput's keyboard controller (SendInput on Windows, Quartz events on
macOS, which needs the Accessibility permission for the terminal or app running Ting);
the clipboard through the system's commands (``pbcopy``/``pbpaste``; PowerShell's
``Set-Clipboard``/``Get-Clipboard``), text only.

X11 without python-xlib: the ``xdotool`` command.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from typing import Any

from assistant.errors import TingError

COMMAND_TIMEOUT_S = 10.0
# the typist's neutral names as xdotool's keysym names
_XDOTOOL_KEYS = {
    "ctrl": "ctrl",
    "shift": "shift",
    "alt": "alt",
    "super": "super",
    "insert": "Insert",
    "backspace": "BackSpace",
    "return": "Return",
    "tab": "Tab",
    "left": "Left",
    "right": "Right",
}


class KeyboardUnavailable(TingError):
    """Keystrokes cannot be sent this way here."""


class PynputKeyboard:
    name = "pynput"
    types_fast = True

    def __init__(self) -> None:
        try:
            from pynput import keyboard
        except Exception as exc:  # pynput raises several kinds when no backend loads
            raise KeyboardUnavailable(f"pynput cannot send keys here ({exc})") from None
        self._keyboard = keyboard
        self.controller = keyboard.Controller()

    def _key(self, name: str) -> Any:
        names = {"ctrl": "ctrl", "shift": "shift", "alt": "alt", "super": "cmd", "cmd": "cmd"}
        special = names.get(name.lower(), name.lower())
        key = getattr(self._keyboard.Key, special, None)
        if key is not None and len(name) > 1:
            return key
        return name

    def type_text(self, text: str) -> None:
        self.controller.type(text)

    def press_keys(self, keys: Sequence[str]) -> None:
        resolved = [self._key(k) for k in keys]
        for key in resolved:
            self.controller.press(key)
        for key in reversed(resolved):
            self.controller.release(key)

    def tap(self, key: str, times: int = 1) -> None:
        for _ in range(times):
            self.press_keys([key])

    def close(self) -> None:
        pass


class XdotoolKeyboard:
    name = "xdotool"
    types_fast = False

    def __init__(self) -> None:
        if shutil.which("xdotool") is None:
            raise KeyboardUnavailable("xdotool is not installed", hint="install xdotool")

    def _xdotool(self, args: list[str]) -> str:
        try:
            ran = subprocess.run(
                ["xdotool", *args],
                capture_output=True,
                timeout=COMMAND_TIMEOUT_S,
                stdin=subprocess.DEVNULL,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise TingError(f"xdotool failed: {exc}") from None
        if ran.returncode != 0:
            message = ran.stderr.decode("utf-8", errors="replace").strip().splitlines()
            raise TingError(f"xdotool failed: {message[0] if message else ran.returncode}")
        return ran.stdout.decode("utf-8", errors="replace").strip()

    def type_text(self, text: str) -> None:
        # xdotool's own pause between keys: it remaps a spare key for each character
        # the layout lacks, and clients need the time to see the new mapping
        self._xdotool(["type", "--clearmodifiers", "--delay", "12", "--", text])

    def press_keys(self, keys: Sequence[str]) -> None:
        self._xdotool(
            ["key", "--clearmodifiers", "+".join(_XDOTOOL_KEYS.get(k.lower(), k) for k in keys)]
        )

    def tap(self, key: str, times: int = 1) -> None:
        name = _XDOTOOL_KEYS.get(key.lower(), key)
        self._xdotool(["key", "--clearmodifiers", "--delay", "0", *([name] * times)])

    def close(self) -> None:
        pass


class CommandClipboard:
    """Text through the system's clipboard commands (macOS, Windows)."""

    def __init__(self, platform: str = sys.platform) -> None:
        if platform == "darwin":
            self.name = "pbcopy"
            self._copy = ["pbcopy"]
            self._paste = ["pbpaste"]
        elif platform.startswith("win"):
            self.name = "powershell"
            self._copy = ["powershell", "-NoProfile", "-Command", "$input | Set-Clipboard"]
            self._paste = ["powershell", "-NoProfile", "-Command", "Get-Clipboard -Raw"]
        else:
            raise KeyboardUnavailable(f"no clipboard command for {platform}")

    def _run(self, command: list[str], data: bytes | None = None) -> bytes | None:
        try:
            ran = subprocess.run(
                command, input=data, capture_output=True, timeout=COMMAND_TIMEOUT_S
            )
        except (OSError, subprocess.TimeoutExpired):
            return None
        return ran.stdout if ran.returncode == 0 else None

    def snapshot(self, selection: str = "CLIPBOARD") -> str | None:
        data = self._run(self._paste)
        return data.decode("utf-8", errors="replace") if data else None

    def read_text(self, selection: str = "CLIPBOARD") -> str | None:
        return self.snapshot(selection)

    def offer(self, selections: dict[str, tuple[str, Any]]) -> TimedPaste:
        [(_, (text, previous))] = selections.items()
        if self._run(self._copy, text.encode("utf-8")) is None:
            raise TingError(f"{self.name} could not set the clipboard")
        return TimedPaste(self, previous)

    def warm(self) -> None:
        pass

    def close(self) -> None:
        pass


class TimedPaste:
    """Where nothing says when a paste was taken: give the target a moment, then put
    the previous text back."""

    SETTLE_S = 0.3

    def __init__(self, clipboard: CommandClipboard, previous: str | None) -> None:
        self.clipboard = clipboard
        self.previous = previous

    def arm(self) -> None:
        pass

    def wait(self, timeout: float) -> str:
        time.sleep(min(self.SETTLE_S, timeout))
        if self.previous is not None:
            self.clipboard._run(self.clipboard._copy, self.previous.encode("utf-8"))
        return "taken"

    def close(self) -> None:
        pass
