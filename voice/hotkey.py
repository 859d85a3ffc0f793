"""A global hotkey: pynput (X11, Windows, macOS) or the desktop portal (Wayland).

``GlobalHotkey("<ctrl>+<alt>+space", on_down, on_up)`` calls ``on_down`` once when the
whole combination goes down and ``on_up`` once when any key of it comes up; the
repeated key-down events a held key produces are ignored. X11 auto-repeat may also send
a release right before each repeated press (same server time): a release is therefore
only believed when no press of the same key follows within ``REPEAT_GAP_S``.

On Wayland no program may watch the keyboard: there the XDG GlobalShortcuts portal is
asked for the shortcut (``voice.portal_shortcuts``; the desktop reports down and up).
Where no portal offers it, pynput still works in XWayland windows only, so without an
X display the hotkey is refused with the way out: bind ``ting trigger`` to a shortcut
in the desktop's keyboard settings.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable
from typing import Any

from assistant.errors import TingError

REPEAT_GAP_S = 0.04


TRIGGER_ADVICE = (
    "bind the command `ting trigger` to a key in your desktop's keyboard shortcut settings "
    "(it starts and stops listening)"
)


class HotkeyUnavailable(TingError):
    """The global hotkey cannot be watched here (no X server, Wayland, no pynput)."""


def wayland_session() -> bool:
    return sys.platform.startswith("linux") and bool(
        os.environ.get("WAYLAND_DISPLAY") or os.environ.get("XDG_SESSION_TYPE") == "wayland"
    )


def hotkey_backend_problem() -> str | None:
    """Why pynput cannot work in this session, or None when it may."""
    if sys.platform.startswith("linux") and not os.environ.get("DISPLAY"):
        if wayland_session():
            return "Wayland without XWayland"
        return "no X display (DISPLAY is not set)"
    return None


def pynput_combination(combination: str) -> str:
    """``<ctrl>+<alt>+space`` (the settings' form) → ``<ctrl>+<alt>+<space>`` (pynput's):
    a named key of more than one letter gets its angle brackets."""
    parts = [part.strip() for part in combination.split("+")]
    return "+".join(
        f"<{part.lower()}>" if len(part) > 1 and not part.startswith("<") else part
        for part in parts
    )


class GlobalHotkey:
    def __init__(
        self,
        combination: str,
        on_down: Callable[[], None],
        on_up: Callable[[], None] | None = None,
    ) -> None:
        self.combination = combination
        self.on_down = on_down
        self.on_up = on_up
        self._listener: Any = None
        self._keys: set[Any] = set()
        self._held: set[Any] = set()
        self._active = False
        self._lock = threading.Lock()
        self._pending_up: threading.Timer | None = None
        self._pending_key: Any = None
        self._portal: Any = None
        self.backend = ""  # "portal" or "pynput" once started

    def start(self) -> GlobalHotkey:
        portal_problem = ""
        if wayland_session():
            from voice.portal_shortcuts import PortalShortcut, PortalUnavailable

            try:
                self._portal = PortalShortcut(self.combination, self.on_down, self.on_up).start()
                self.backend = "portal"
                return self
            except PortalUnavailable as exc:
                portal_problem = f"the desktop portal cannot bind it ({exc.message}); "
        problem = hotkey_backend_problem()
        if problem:
            raise HotkeyUnavailable(
                f"the global hotkey is unavailable: {portal_problem}{problem}",
                hint=TRIGGER_ADVICE,
            )
        try:
            from pynput import keyboard
        except Exception as exc:  # pynput raises several kinds when no backend loads
            raise HotkeyUnavailable(
                f"the global hotkey is unavailable: {exc}", hint=TRIGGER_ADVICE
            ) from None
        try:
            self._keys = {
                self._canonical(k)
                for k in keyboard.HotKey.parse(pynput_combination(self.combination))
            }
        except ValueError as exc:
            raise TingError(
                f"the hotkey {self.combination!r} is not valid: {exc}",
                hint="write it like <ctrl>+<alt>+space",
            ) from None
        listener = keyboard.Listener(on_press=self._on_press, on_release=self._on_release)
        listener.start()
        listener.wait()
        self._listener = listener
        self.backend = "pynput"
        return self

    def _canonical(self, key: Any) -> Any:
        from pynput import keyboard

        if self._listener is not None:
            key = self._listener.canonical(key)
        # left/right modifiers count as the plain modifier
        for plain in (keyboard.Key.ctrl, keyboard.Key.alt, keyboard.Key.shift, keyboard.Key.cmd):
            if key in (
                getattr(keyboard.Key, f"{plain.name}_l", None),
                getattr(keyboard.Key, f"{plain.name}_r", None),
            ):
                return plain
        if key == getattr(keyboard.Key, "alt_gr", None):
            return keyboard.Key.alt
        if isinstance(key, keyboard.KeyCode) and key.char:
            return keyboard.KeyCode.from_char(key.char.lower())
        return key

    def _on_press(self, key: Any) -> None:
        key = self._canonical(key)
        with self._lock:
            if self._pending_up is not None and self._pending_key == key:
                self._pending_up.cancel()  # release + press pair: X11 auto-repeat
                self._pending_up = None
                return
            if key in self._held:
                return  # auto-repeat of a key already down
            self._held.add(key)
            fire = not self._active and self._keys <= self._held
            if fire:
                self._active = True
        if fire:
            self.on_down()

    def _on_release(self, key: Any) -> None:
        key = self._canonical(key)
        with self._lock:
            if not (self._active and key in self._keys):
                self._held.discard(key)
                return
            self._pending_key = key
            self._pending_up = threading.Timer(REPEAT_GAP_S, self._confirm_release, (key,))
            self._pending_up.daemon = True
            self._pending_up.start()

    def _confirm_release(self, key: Any) -> None:
        with self._lock:
            if self._pending_up is None or self._pending_key != key:
                return
            self._pending_up = None
            self._held.discard(key)
            self._active = False
        if self.on_up is not None:
            self.on_up()

    def stop(self) -> None:
        if self._portal is not None:
            self._portal.stop()
            self._portal = None
        if self._listener is not None:
            self._listener.stop()
            self._listener = None
