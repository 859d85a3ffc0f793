"""``TextOutput``: text into the focused window, by keystrokes or through a paste.

``insert(text, method)``:

* ``keys`` types it key by key;
* ``paste`` puts it on the clipboard, sends the paste keystroke the focused window
  expects (Ctrl+V; Ctrl+Shift+V in a terminal; Shift+Insert, which pastes the PRIMARY
  selection, in xterm and urxvt; Cmd+V on macOS), waits until the window took it, and
  puts the previous clipboard contents back;
* ``auto`` types short plain ASCII where keys are sent in-process (XTEST, pynput, the
  portal) and pastes everything else: input methods (fcitx5, IBus) swallow or mangle
  CJK text typed key by key, a paste is one undo step and takes the same time however
  long the text is, and a typing command (wtype: +90–390 ms for 10–60 characters on
  sway) is slower than a paste (+50 ms).

Where no window has the focus, or keystrokes cannot be sent, the text is left on the
clipboard and the error says so.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from assistant.errors import TingError
from voice.text_output.x11_keyboard import FocusedWindow

log = logging.getLogger("ting.text_output")

METHODS = ("auto", "paste", "keys")
BACKENDS = ("auto", "xtest", "xdotool", "wtype", "ydotool", "portal", "pynput")
AUTO_KEYS_MAX_CHARS = 24
TAKEN_TIMEOUT_S = 3.0
MAX_CHARS = 100_000

# Terminals, by X11 class or Wayland app id (lower-case); they paste with Ctrl+Shift+V.
TERMINALS = frozenset(
    {
        "alacritty",
        "blackbox",
        "com.raggesilver.blackbox",
        "com.gexperts.tilix",
        "com.mitchellh.ghostty",
        "contour",
        "cool-retro-term",
        "deepin-terminal",
        "foot",
        "footclient",
        "ghostty",
        "gnome-terminal",
        "gnome-terminal-server",
        "guake",
        "io.elementary.terminal",
        "kgx",
        "kitty",
        "konsole",
        "lxterminal",
        "mate-terminal",
        "org.gnome.console",
        "org.gnome.ptyxis",
        "org.gnome.terminal",
        "org.kde.konsole",
        "org.wezfurlong.wezterm",
        "qterminal",
        "sakura",
        "st",
        "st-256color",
        "stterm",
        "terminator",
        "terminology",
        "tilda",
        "tilix",
        "wezterm",
        "xfce4-terminal",
        "yakuake",
    }
)
# These paste the PRIMARY selection with Shift+Insert and have no Ctrl+Shift+V.
PRIMARY_PASTE_TERMINALS = frozenset({"xterm", "uxterm", "urxvt", "rxvt", "urxvt-unicode"})


class TextOutputError(TingError):
    """The text could not be put into the focused window."""

    exit_code = 3


class NoFocusedWindow(TextOutputError):
    """No window has the keyboard focus."""


@dataclass(frozen=True)
class PastePlan:
    keys: tuple[str, ...]
    selection: str  # CLIPBOARD or PRIMARY


@dataclass(frozen=True)
class Insertion:
    """What ``insert`` did."""

    method: str  # paste | keys
    backend: str  # what sent the keystrokes
    chars: int
    clipboard: str = ""  # what held the text for a paste
    target: FocusedWindow | None = None
    clipboard_restored: bool | None = None  # None: the clipboard was not used
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"method": self.method, "backend": self.backend, "chars": self.chars}
        if self.clipboard:
            out["clipboard"] = self.clipboard
            out["clipboard_restored"] = self.clipboard_restored
        if self.target is not None:
            out["target"] = self.target.app
        return out


def is_terminal(app: str) -> bool:
    app = app.lower()
    return app in TERMINALS or app in PRIMARY_PASTE_TERMINALS


def paste_plan(session: str, target: FocusedWindow | None) -> PastePlan:
    """The keystroke (and selection) a paste into ``target`` needs."""
    if session == "macos":
        return PastePlan(("super", "v"), "CLIPBOARD")
    app = target.app.lower() if target is not None else ""
    if app in PRIMARY_PASTE_TERMINALS:
        return PastePlan(("shift", "insert"), "PRIMARY")
    if app in TERMINALS:
        return PastePlan(("ctrl", "shift", "v"), "CLIPBOARD")
    return PastePlan(("ctrl", "v"), "CLIPBOARD")


def choose_method(text: str, requested: str, can_type: bool) -> str:
    """``keys`` or ``paste`` for ``requested`` (auto|paste|keys); ``can_type``: the
    keyboard types quickly (in-process), not a command per text (wtype, xdotool) whose
    start-up costs more than a paste does."""
    if requested != "auto":
        return requested
    plain = all(0x20 <= ord(c) < 0x7F for c in text)
    if can_type and plain and len(text) <= AUTO_KEYS_MAX_CHARS:
        return "keys"
    return "paste"


def backspaces_for(text: str) -> int:
    """How many Backspace presses remove ``text`` just typed: one per user-perceived
    character (a combining mark, a variation selector or a zero-width joiner belongs to
    the character before it; so does each part of a flag or of a joined emoji)."""
    count = 0
    joined = False
    regional = 0
    for char in text:
        point = ord(char)
        if joined:
            joined = False
            continue
        if char == "\u200d":
            joined = True
            continue
        if (
            unicodedata.combining(char)
            or 0xFE00 <= point <= 0xFE0F
            or 0x1F3FB <= point <= 0x1F3FF
            or 0xE0020 <= point <= 0xE007F
        ):
            continue
        if 0x1F1E6 <= point <= 0x1F1FF:
            regional += 1
            if regional % 2 == 0:
                continue
        else:
            regional = 0
        count += 1
    return count


def check_text(text: str) -> str:
    if not text:
        raise TingError("nothing to type: the text is empty")
    if len(text) > MAX_CHARS:
        raise TingError(f"the text is too long ({len(text):,} characters; at most {MAX_CHARS:,})")
    if "\x00" in text:
        raise TingError("the text contains a NUL byte; give text, not binary data")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise TingError("the text is not valid UTF-8") from None
    return text


def desktop_session(env: Mapping[str, str], platform: str = sys.platform) -> str:
    """x11, wayland, macos, windows, or none."""
    if platform == "darwin":
        return "macos"
    if platform.startswith("win"):
        return "windows"
    if env.get("WAYLAND_DISPLAY") or (
        env.get("XDG_SESSION_TYPE") == "wayland" and not env.get("DISPLAY")
    ):
        return "wayland"
    if env.get("DISPLAY"):
        return "x11"
    return "none"


@dataclass
class Prepared:
    """What can be learned before the text is known (while the user speaks): the target
    window and the clipboard's contents, so that inserting later costs less."""

    target: FocusedWindow | None | bool
    plan: PastePlan
    previous: Any
    taken_at: float


class TextOutput:
    def __init__(
        self,
        session: str,
        keyboard: Any,
        clipboard: Any,
        *,
        focus: Callable[[], FocusedWindow | None | bool] | None = None,
        keyboard_problem: str = "",
        clipboard_problem: str = "",
    ) -> None:
        self.session = session
        self.keyboard = keyboard
        self.clipboard = clipboard
        self._focus = focus
        self.keyboard_problem = keyboard_problem
        self.clipboard_problem = clipboard_problem
        # one X connection (python-xlib is not thread-safe) and one paste at a time
        self._lock = threading.RLock()

    # -- building ------------------------------------------------------------------

    @classmethod
    def for_session(
        cls,
        env: Mapping[str, str] | None = None,
        *,
        backend: str = "auto",
        platform: str = sys.platform,
    ) -> TextOutput:
        env = os.environ if env is None else env
        if backend not in BACKENDS:
            raise TingError(f"unknown backend {backend!r} (one of {', '.join(BACKENDS)})")
        session = desktop_session(env, platform)
        if session == "none":
            raise TextOutputError(
                "no desktop session here (neither WAYLAND_DISPLAY nor DISPLAY is set): "
                "there is no window to type into"
            )
        keyboards = _keyboard_choices(session, backend)
        keyboard, problems = None, []
        for name, build in keyboards:
            try:
                keyboard = build()
                break
            except TingError as exc:
                problems.append(
                    exc.user_message() if backend != "auto" else f"{name}: {exc.user_message()}"
                )
        clipboard, clipboard_problem = _clipboard_for(session)
        focus = _focus_for(session, keyboard, env)
        if keyboard is None and backend != "auto" and problems:
            raise TextOutputError(f"the {backend} backend cannot work here ({problems[-1]})")
        return cls(
            session,
            keyboard,
            clipboard,
            focus=focus,
            keyboard_problem="; ".join(problems),
            clipboard_problem=clipboard_problem,
        )

    @property
    def backend(self) -> str:
        return self.keyboard.name if self.keyboard is not None else ""

    def warm(self) -> None:
        if self.clipboard is not None and hasattr(self.clipboard, "warm"):
            self.clipboard.warm()

    def close(self) -> None:
        for part in (self.keyboard, self.clipboard):
            if part is not None:
                try:
                    part.close()
                except Exception:  # closing anyway
                    log.debug("closing %s failed", part, exc_info=True)

    # -- the focused window ----------------------------------------------------------

    def focused_window(self) -> FocusedWindow | None | bool:
        """The focused window; None when none has the focus; False when it cannot be
        known here (Wayland other than sway)."""
        if self._focus is None:
            return False
        try:
            with self._lock:
                return self._focus()
        except TingError:
            raise
        except Exception as exc:  # the display went away mid-question
            log.warning("could not ask for the focused window: %s", exc)
            return False

    def prepare(self, method: str = "auto") -> Prepared:
        """Learn the target and save the clipboard now (see ``Prepared``)."""
        with self._lock:
            return self._prepare(method)

    def _prepare(self, method: str) -> Prepared:
        target = self.focused_window()
        log.info("typing into %s", target if target is not False else "an unknown window")
        plan = paste_plan(self.session, target if isinstance(target, FocusedWindow) else None)
        previous = None
        if method != "keys" and self.clipboard is not None and target is not None:
            previous = self._snapshot(plan.selection)
        return Prepared(target, plan, previous, time.monotonic())

    def _snapshot(self, selection: str) -> Any:
        try:
            return self.clipboard.snapshot(selection)
        except TingError:
            raise
        except Exception as exc:  # an owner that answers nonsense: nothing to give back
            log.warning("could not read the %s selection: %s", selection, exc)
            return None

    # -- inserting -----------------------------------------------------------------

    def insert(
        self, text: str, method: str = "auto", *, prepared: Prepared | None = None
    ) -> Insertion:
        if method not in METHODS:
            raise TingError(f"unknown method {method!r} (one of {', '.join(METHODS)})")
        check_text(text)
        started = time.monotonic()
        with self._lock:
            if prepared is None:
                prepared = self.prepare(method)
            target = prepared.target
            if target is None:
                left = self._leave_on_clipboard(text)
                raise NoFocusedWindow(
                    "no window has the keyboard focus: nothing to type into"
                    + self._left_note(left),
                    hint="click where the text should go, then paste it",
                )
            fast = self.keyboard is not None and getattr(self.keyboard, "types_fast", False)
            chosen = choose_method(text, method, fast)
            if chosen == "keys":
                if self.keyboard is None:
                    if method == "keys":
                        raise TextOutputError(
                            f"cannot send keystrokes here ({self.keyboard_problem})"
                        )
                    chosen = "paste"
                else:
                    self.keyboard.type_text(text)
                    return Insertion(
                        "keys",
                        self.keyboard.name,
                        len(text),
                        target=target if isinstance(target, FocusedWindow) else None,
                        seconds=time.monotonic() - started,
                    )
            return self._paste(text, prepared, started)

    def _paste(self, text: str, prepared: Prepared, started: float) -> Insertion:
        plan = prepared.plan
        if self.clipboard is None:
            raise TextOutputError(f"cannot paste: {self.clipboard_problem}")
        if self.keyboard is None:
            left = self._leave_on_clipboard(text)
            raise TextOutputError(
                f"cannot send keystrokes here ({self.keyboard_problem})" + self._left_note(left)
            )
        offer = self.clipboard.offer({plan.selection: (text, prepared.previous)})
        try:
            offer.arm()
            self.keyboard.press_keys(plan.keys)
            outcome = offer.wait(TAKEN_TIMEOUT_S)
        finally:
            offer.close()
        target = prepared.target if isinstance(prepared.target, FocusedWindow) else None
        if outcome not in ("taken", "lost"):
            where = f"the focused window ({target.app})" if target and target.app else "no window"
            raise TextOutputError(
                f"{where} did not take the paste ({'+'.join(k.title() for k in plan.keys)})"
                + self._left_note(True, plan.selection),
            )
        return Insertion(
            "paste",
            self.keyboard.name,
            len(text),
            clipboard=self.clipboard.name,
            target=target,
            clipboard_restored=outcome == "taken",
            seconds=time.monotonic() - started,
        )

    def _leave_on_clipboard(self, text: str) -> bool:
        """Offer ``text`` on the clipboard for the user to paste; whether that worked."""
        if self.clipboard is None:
            return False
        try:
            self.clipboard.offer({"CLIPBOARD": (text, None)}).close()  # never armed: kept
        except TingError as exc:
            log.warning("could not leave the text on the clipboard: %s", exc.message)
            return False
        return True

    def _left_note(self, left: bool, selection: str = "CLIPBOARD") -> str:
        if not left:
            return ""
        if selection == "PRIMARY":
            return (
                "; the text is in the primary selection (Shift+Insert or a middle click pastes it)"
            )
        keys = "Cmd+V" if self.session == "macos" else "Ctrl+V"
        return f"; the text is on the clipboard ({keys} pastes it)"

    # -- editing what is there ---------------------------------------------------------

    def delete_back(self, text: str) -> int:
        """Remove ``text`` just inserted before the cursor, with Backspace."""
        if self.keyboard is None:
            raise TextOutputError(f"cannot send keystrokes here ({self.keyboard_problem})")
        count = backspaces_for(text)
        if count:
            with self._lock:
                self.keyboard.tap("backspace", count)
        return count

    def copy(self, text: str) -> None:
        """Leave ``text`` on the clipboard (for the user to paste)."""
        check_text(text)
        if not self._leave_on_clipboard(text):
            raise TextOutputError(f"cannot use the clipboard here: {self.clipboard_problem}")

    def undo(self) -> None:
        """The focused program's own undo."""
        self.press(("super", "z") if self.session == "macos" else ("ctrl", "z"))

    def press(self, keys: Sequence[str]) -> None:
        if self.keyboard is None:
            raise TextOutputError(f"cannot send keystrokes here ({self.keyboard_problem})")
        with self._lock:
            self.keyboard.press_keys(keys)

    def read_selection(self, which: str = "primary") -> str | None:
        """The text selected now (PRIMARY) or copied (CLIPBOARD), or None."""
        if self.clipboard is None:
            raise TextOutputError(f"cannot read the selection: {self.clipboard_problem}")
        selection = "PRIMARY" if which == "primary" else "CLIPBOARD"
        if self.session in ("macos", "windows") and selection == "PRIMARY":
            raise TextOutputError(
                "this desktop has no primary selection: copy the text and use --selection clipboard"
            )
        return self.clipboard.read_text(selection)


# -- what works where ------------------------------------------------------------------------


def _keyboard_choices(session: str, backend: str) -> list[tuple[str, Callable[[], Any]]]:
    def xtest() -> Any:
        from voice.text_output.x11_keyboard import X11Keyboard

        return X11Keyboard()

    def xdotool() -> Any:
        from voice.text_output.system_keyboard import XdotoolKeyboard

        return XdotoolKeyboard()

    def wtype() -> Any:
        from voice.text_output.wayland import WtypeKeyboard

        return WtypeKeyboard()

    def ydotool() -> Any:
        from voice.text_output.wayland import YdotoolKeyboard

        return YdotoolKeyboard()

    def portal() -> Any:
        from voice.text_output.portal_keyboard import PortalKeyboard

        return PortalKeyboard()

    def pynput() -> Any:
        from voice.text_output.system_keyboard import PynputKeyboard

        return PynputKeyboard()

    builders = {
        "xtest": xtest,
        "xdotool": xdotool,
        "wtype": wtype,
        "ydotool": ydotool,
        "portal": portal,
        "pynput": pynput,
    }
    if backend != "auto":
        return [(backend, builders[backend])]
    order = {
        "x11": ["xtest", "xdotool"],
        "wayland": ["wtype", "portal", "ydotool"],
        "macos": ["pynput"],
        "windows": ["pynput"],
    }[session]
    return [(name, builders[name]) for name in order]


def _clipboard_for(session: str) -> tuple[Any, str]:
    try:
        if session == "x11":
            from voice.text_output.x11_clipboard import X11Clipboard

            return X11Clipboard(), ""
        if session == "wayland":
            from voice.text_output.wayland import WlClipboard

            return WlClipboard(), ""
        from voice.text_output.system_keyboard import CommandClipboard

        return CommandClipboard(), ""
    except TingError as exc:
        return None, exc.user_message()


def _focus_for(
    session: str, keyboard: Any, env: Mapping[str, str]
) -> Callable[[], FocusedWindow | None | bool] | None:
    if session == "x11":
        if keyboard is not None and hasattr(keyboard, "focused_window"):
            return keyboard.focused_window
        from voice.text_output.x11_keyboard import X11Keyboard

        try:
            return X11Keyboard().focused_window
        except TingError:
            return None
    if session == "wayland":
        from voice.text_output.wayland import sway_focused_window

        return lambda: sway_focused_window(dict(env))
    return None


def text_output_status(env: Mapping[str, str] | None = None) -> tuple[bool | str, str, str]:
    """For ``ting doctor``: (OK / "WARN" / False, what types into windows here, the fix).
    Sends no key and asks the desktop nothing a user would see (the RemoteDesktop portal
    is only asked for its version)."""
    env = os.environ if env is None else env
    session = desktop_session(env)
    if session == "none":
        return "WARN", "no desktop session: nothing to type into", "run it inside a desktop"
    keyboard, problems = "", []
    for name, build in _keyboard_choices(session, "auto"):
        if name == "portal":
            from voice.portal_shortcuts import PortalSession, PortalUnavailable
            from voice.text_output.portal_keyboard import REMOTE_DESKTOP

            probe = PortalSession()
            probe.interface, probe.what = REMOTE_DESKTOP, "RemoteDesktop"
            try:
                probe.connect()
                probe.version()
                keyboard = "the RemoteDesktop portal (the desktop asks once)"
                break
            except PortalUnavailable as exc:
                problems.append(f"portal: {exc.message}")
            finally:
                probe.stop()
            continue
        try:
            built = build()
        except TingError as exc:
            problems.append(f"{name}: {exc.user_message()}")
            continue
        built.close()
        keyboard = name
        break
    clipboard, clipboard_problem = _clipboard_for(session)
    if clipboard is not None:
        clipboard.close()
    fixes = {
        "x11": "install xdotool (or python-xlib)",
        "wayland": "install wtype and wl-clipboard (GNOME: allow the remote-control request)",
        "macos": "allow Accessibility for the program running Ting",
        "windows": "reinstall Ting (pynput)",
    }
    if not keyboard:
        return False, f"{session}: cannot send keys ({'; '.join(problems)})", fixes[session]
    if clipboard is None:
        return (
            "WARN",
            f"{session}: keys through {keyboard}; no clipboard ({clipboard_problem})",
            fixes[session],
        )
    return True, f"{session}: keys through {keyboard}, clipboard through {clipboard.name}", ""
