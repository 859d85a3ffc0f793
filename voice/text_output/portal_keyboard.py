"""Keystrokes on Wayland desktops without the virtual-keyboard protocol (GNOME, KDE):
the XDG desktop portal's RemoteDesktop interface.

The portal hands out a session for a keyboard after the user agreed in the desktop's
dialog; with ``persist_mode`` 2 it also hands out a restore token, kept in the data
folder, so that later sessions start without asking again. Keys are sent as keysyms
(``NotifyKeyboardKeysym``); the desktop finds them in its current layout, so this types
what the layout has (plain text, the paste keystroke) and pastes the rest.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence

from voice.portal_shortcuts import PortalSession, PortalUnavailable

REMOTE_DESKTOP = "org.freedesktop.portal.RemoteDesktop"
KEYBOARD = 1  # the device type bit
PERSIST_UNTIL_REVOKED = 2
TOKEN_FILE = "remote_desktop_token"
_KEYSYMS = {
    "ctrl": 0xFFE3,
    "shift": 0xFFE1,
    "alt": 0xFFE9,
    "super": 0xFFEB,
    "insert": 0xFF63,
    "backspace": 0xFF08,
    "return": 0xFF0D,
    "tab": 0xFF09,
    "left": 0xFF51,
    "right": 0xFF53,
}


def keysym_for(char: str) -> int:
    """X11's keysym for a character: Latin-1 is its code point, the rest of Unicode
    0x1000000 + code point, control keys their own."""
    if char in ("\n", "\r"):
        return _KEYSYMS["return"]
    if char == "\t":
        return _KEYSYMS["tab"]
    point = ord(char)
    if 0x20 <= point <= 0x7E or 0xA0 <= point <= 0xFF:
        return point
    return 0x1000000 + point


def _token_path():
    from assistant.paths import data_dir

    return data_dir() / TOKEN_FILE


class PortalKeyboard(PortalSession):
    name = "portal"
    types_fast = True
    interface = REMOTE_DESKTOP
    what = "RemoteDesktop"

    def __init__(self, *, timeout: float = 120.0) -> None:
        super().__init__(timeout=timeout)
        self.connect()
        try:
            version = self.version()
            self.session_handle = self._create_session()
            options: dict = {"types": ("u", KEYBOARD)}
            if version >= 2:
                options["persist_mode"] = ("u", PERSIST_UNTIL_REVOKED)
                token = self._saved_token()
                if token:
                    options["restore_token"] = ("s", token)
            self._request("SelectDevices", "oa{sv}", (self.session_handle,), options)
            started = self._request("Start", "osa{sv}", (self.session_handle, ""), {})
        except BaseException:
            self.stop()
            raise
        if not int(started.get("devices", 0)) & KEYBOARD:
            self.stop()
            raise PortalUnavailable("the desktop did not allow Ting to use the keyboard")
        token = started.get("restore_token")
        if token:
            self._save_token(str(token))

    def declined_message(self) -> str:
        return "typing for Ting was declined in the desktop's dialog"

    def _saved_token(self) -> str:
        with contextlib.suppress(OSError):
            return _token_path().read_text(encoding="utf-8").strip()
        return ""

    def _save_token(self, token: str) -> None:
        from assistant.paths import data_dir

        path = _token_path()
        with contextlib.suppress(OSError):
            data_dir().mkdir(parents=True, exist_ok=True)
            temporary = path.with_suffix(".tmp")
            temporary.write_text(token, encoding="utf-8")
            temporary.chmod(0o600)
            temporary.replace(path)

    def _keysym(self, keysym: int, pressed: bool) -> None:
        from jeepney import new_method_call

        self._call(
            new_method_call(
                self._address(),
                "NotifyKeyboardKeysym",
                "oa{sv}iu",
                (self.session_handle, {}, keysym, 1 if pressed else 0),
            )
        )

    def type_text(self, text: str) -> None:
        for char in text:
            keysym = keysym_for(char)
            self._keysym(keysym, True)
            self._keysym(keysym, False)

    def press_keys(self, keys: Sequence[str]) -> None:
        keysyms = [_KEYSYMS.get(k.lower()) or keysym_for(k) for k in keys]
        for keysym in keysyms:
            self._keysym(keysym, True)
        for keysym in reversed(keysyms):
            self._keysym(keysym, False)

    def tap(self, key: str, times: int = 1) -> None:
        for _ in range(times):
            self.press_keys([key])

    def close(self) -> None:
        self.stop()
