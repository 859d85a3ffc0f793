"""Keystrokes on X11 through the XTEST extension (python-xlib, which pynput brings along),
and the window that has the keyboard focus.

``X11Keyboard.type_text`` presses, for each character, the key that makes it in the
current layout (with Shift when the character is on the shifted level). A character no
key makes (Chinese, emoji, a layout's missing symbol) gets a spare keycode mapped to it
for the moment, as xdotool does; the mapping is put back afterwards.

Before sending anything it waits for the user to let go of modifier keys (the talk
hotkey's Ctrl and Alt may still be down when dictated text arrives), and after a short
wait releases them itself, so that "hello" does not arrive as Ctrl+Alt+h.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from assistant.errors import TingError

MODIFIER_WAIT_S = 0.6
# A client reads the keymap again when it handles the MappingNotify that comes before
# our key in its queue; a keycode mapped anew before it did so would be read as the new
# character. So a remapped keycode is left alone this long before it is mapped again or
# given back (under load a client can take that long to get to its events).
REMAP_SETTLE_S = 0.3
SPARE_KEYCODES_MAX = 24

# The neutral key names the typist uses, as X keysym names.
KEYSYM_NAMES = {
    "ctrl": "Control_L",
    "shift": "Shift_L",
    "alt": "Alt_L",
    "super": "Super_L",
    "insert": "Insert",
    "backspace": "BackSpace",
    "return": "Return",
    "tab": "Tab",
    "left": "Left",
    "right": "Right",
    "z": "z",
    "v": "v",
    "a": "a",
    "c": "c",
}
_CONTROL_CHARS = {"\n": "Return", "\t": "Tab", "\r": "Return"}


class X11Unavailable(TingError):
    """No X display to talk to, or it lacks XTEST."""


@dataclass(frozen=True)
class FocusedWindow:
    """The window keystrokes go to: its X id (or Wayland app id), class and title."""

    id: int
    app: str  # WM_CLASS class (X11) or app_id (Wayland), lower-case
    title: str

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "app": self.app, "title": self.title}


def open_display(name: str | None = None) -> Any:
    try:
        from Xlib import display, error
    except ImportError as exc:
        raise X11Unavailable(f"python-xlib is not installed ({exc})") from None
    try:
        return display.Display(name)
    except (error.DisplayError, error.ConnectionClosedError, OSError) as exc:
        raise X11Unavailable(f"cannot open the X display ({exc})") from None


class X11Keyboard:
    name = "xtest"
    types_fast = True

    def __init__(self, display_name: str | None = None) -> None:
        self.d = open_display(display_name)
        if not self.d.has_extension("XTEST"):
            raise X11Unavailable("the X server has no XTEST extension")
        info = self.d.display.info
        self.min_keycode, self.max_keycode = info.min_keycode, info.max_keycode

    def close(self) -> None:
        try:
            self.d.close()
        except Exception:  # already gone
            pass

    # -- focus ---------------------------------------------------------------------

    def focused_window(self) -> FocusedWindow | None:
        """The window with the keyboard focus, or None when nothing has it.

        The window manager's _NET_ACTIVE_WINDOW first; where it keeps none (or has not
        set it yet: a window focused before the manager started), the X input focus,
        which on a desktop with no window is the root or the manager's own hidden
        window."""
        from Xlib import X

        root = self.d.screen().root
        active = root.get_full_property(self.d.intern_atom("_NET_ACTIVE_WINDOW"), X.AnyPropertyType)
        if active is not None and len(active.value) and int(active.value[0]):
            found = self._describe(self.d.create_resource_object("window", int(active.value[0])))
            if found is not None:
                return found
        focus = self.d.get_input_focus().focus
        if focus in (X.NONE, X.PointerRoot) or isinstance(focus, int):
            return None
        check = root.get_full_property(
            self.d.intern_atom("_NET_SUPPORTING_WM_CHECK"), X.AnyPropertyType
        )
        manager = int(check.value[0]) if check is not None and len(check.value) else 0
        if focus.id in (root.id, manager):
            return None
        return self._describe(focus)

    def _describe(self, window: Any) -> FocusedWindow | None:
        """Class and title of ``window``, or of the nearest ancestor that has them."""
        from Xlib import X, error

        current = window
        for _ in range(8):
            try:
                wm_class = current.get_wm_class()
                title = current.get_full_property(
                    self.d.intern_atom("_NET_WM_NAME"), X.AnyPropertyType
                ) or current.get_full_property(self.d.intern_atom("WM_NAME"), X.AnyPropertyType)
            except error.BadWindow:
                return None
            if wm_class:
                name = title.value if title is not None else b""
                if isinstance(name, bytes):
                    name = name.decode("utf-8", errors="replace")
                return FocusedWindow(int(current.id), wm_class[1].lower(), str(name))
            tree = current.query_tree()
            if tree.parent in (X.NONE, 0) or tree.parent.id == tree.root.id:
                break
            current = tree.parent
        return None  # no program's window: the root, a manager's frame

    # -- keys ----------------------------------------------------------------------

    def _keysym(self, name: str) -> int:
        from Xlib import XK

        keysym = XK.string_to_keysym(KEYSYM_NAMES.get(name.lower(), name))
        if not keysym:
            raise TingError(f"unknown key {name!r}")
        return keysym

    def _keycode(self, keysym: int) -> tuple[int, int] | None:
        """(keycode, level) of a key making ``keysym`` on level 0 or 1 of the current
        layout, or None."""
        for code, index in self.d.keysym_to_keycodes(keysym):
            if index in (0, 1):
                return code, index
        return None

    def _fake(self, kind: int, keycode: int) -> None:
        from Xlib.ext import xtest

        xtest.fake_input(self.d, kind, keycode)

    def held_modifiers(self) -> list[int]:
        """Keycodes of modifier keys that are down now."""
        keymap = self.d.query_keymap()
        down = []
        for codes in self.d.get_modifier_mapping():
            for code in codes:
                if code and keymap[code // 8] & (1 << (code % 8)):
                    down.append(code)
        return down

    def release_modifiers(self, wait_s: float = MODIFIER_WAIT_S) -> None:
        """Wait up to ``wait_s`` for the user to let go of modifiers, then release any
        still down (the keys stay physically down; the next press counts again)."""
        from Xlib import X

        deadline = time.monotonic() + wait_s
        held = self.held_modifiers()
        while held and time.monotonic() < deadline:
            time.sleep(0.02)
            held = self.held_modifiers()
        for code in held:
            self._fake(X.KeyRelease, code)
        if held:
            self.d.sync()

    def press_keys(self, keys: Sequence[str]) -> None:
        """A combination such as ("ctrl", "v"): pressed in order, released in reverse."""
        from Xlib import X

        self.release_modifiers()
        codes = []
        for key in keys:
            found = self._keycode(self._keysym(key))
            if found is None:
                raise TingError(f"no key makes {key!r} in this keyboard layout")
            codes.append(found[0])
        for code in codes:
            self._fake(X.KeyPress, code)
        for code in reversed(codes):
            self._fake(X.KeyRelease, code)
        self.d.sync()

    def tap(self, key: str, times: int = 1) -> None:
        from Xlib import X

        self.release_modifiers()
        found = self._keycode(self._keysym(key))
        if found is None:
            raise TingError(f"no key makes {key!r} in this keyboard layout")
        for _ in range(times):
            self._fake(X.KeyPress, found[0])
            self._fake(X.KeyRelease, found[0])
        self.d.sync()

    def type_text(self, text: str) -> None:
        """Type ``text`` key by key (see the module docstring)."""
        from Xlib import X

        self.release_modifiers()
        shift = self._keycode(self._keysym("shift"))
        spare = self._spare_keycodes()
        pending: list[tuple[int, bool]] = []  # (keycode, shifted) of the current run
        remapped: dict[int, list[int]] = {}  # keycode -> its original keysyms
        mapped_now: dict[int, int] = {}  # keysym -> spare keycode, in the current run

        def flush() -> None:
            for code, shifted in pending:
                if shifted and shift is not None:
                    self._fake(X.KeyPress, shift[0])
                self._fake(X.KeyPress, code)
                self._fake(X.KeyRelease, code)
                if shifted and shift is not None:
                    self._fake(X.KeyRelease, shift[0])
            pending.clear()
            self.d.sync()

        try:
            for char in text:
                keysym = _char_keysym(char)
                found = self._keycode(keysym)
                if found is not None and keysym not in mapped_now:
                    pending.append((found[0], found[1] == 1))
                    continue
                if keysym in mapped_now:
                    pending.append((mapped_now[keysym], False))
                    continue
                if not spare:
                    raise TingError("no spare keycode to type with; use --method paste")
                if len(mapped_now) >= len(spare):
                    # every spare key holds a character of this run: send the run, let
                    # clients read the keymap, then reuse the keys
                    flush()
                    time.sleep(REMAP_SETTLE_S)
                    mapped_now.clear()
                code = spare[len(mapped_now)]
                if code not in remapped:
                    remapped[code] = self._keysyms_of(code)
                self.d.change_keyboard_mapping(code, [(keysym, keysym)])
                self.d.sync()
                mapped_now[keysym] = code
                pending.append((code, False))
            flush()
        finally:
            if remapped:
                time.sleep(REMAP_SETTLE_S)  # the last remapped keys are read first
                for code, keysyms in remapped.items():
                    self.d.change_keyboard_mapping(code, [tuple(keysyms) or (0,)])
                self.d.sync()

    def _keysyms_of(self, code: int) -> list[int]:
        [row] = self.d.get_keyboard_mapping(code, 1)
        return list(row)

    def _spare_keycodes(self) -> list[int]:
        """Keycodes no keysym is mapped to (usually a few near the top of the range)."""
        count = self.max_keycode - self.min_keycode + 1
        rows = self.d.get_keyboard_mapping(self.min_keycode, count)
        spare = [
            self.min_keycode + i
            for i, row in enumerate(rows)
            if not any(row) and self.min_keycode + i > 8
        ]
        return spare[-SPARE_KEYCODES_MAX:]


def _char_keysym(char: str) -> int:
    """The keysym that types ``char``: Latin-1 keysyms equal the code point; the rest of
    Unicode is 0x1000000 + code point (X11's Unicode keysyms)."""
    from Xlib import XK

    if char in _CONTROL_CHARS:
        return XK.string_to_keysym(_CONTROL_CHARS[char])
    point = ord(char)
    if 0x20 <= point <= 0x7E or 0xA0 <= point <= 0xFF:
        return point
    return 0x1000000 + point
