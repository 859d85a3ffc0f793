"""Keystrokes and the clipboard on Wayland, through the commands that can do them there.

* ``wtype`` sends keys through the compositor's virtual-keyboard protocol (sway,
  Hyprland, river, Wayfire, KDE Plasma 6; not GNOME). It uploads a keymap holding the
  characters it types, so any text works.
* ``ydotool`` writes to /dev/uinput through its daemon ``ydotoold``: any compositor, but
  the user must be allowed to use /dev/uinput, and it types US-layout ASCII only.
* The clipboard is ``wl-copy``/``wl-paste`` (wl-clipboard). ``wl-copy --paste-once``
  serves the paste and exits; it inherits a pipe from us, so its exit (the paste was
  taken) is seen as the pipe's end.
* Which window has the focus is known on sway only (its IPC, ``swaymsg``); elsewhere
  Wayland keeps that from programs.
"""

from __future__ import annotations

import json
import logging
import os
import select
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field

from assistant.errors import TingError
from voice.text_output.x11_keyboard import FocusedWindow

log = logging.getLogger("ting.text_output")

COMMAND_TIMEOUT_S = 10.0
# Each wtype run is a new virtual keyboard with its own keymap; a key sent at once is
# now and then read with the old keymap and lost (2 of 30 first letters on sway 1.7,
# none of 30 after this pause).
WTYPE_SETTLE_MS = "30"
# wtype's modifier names for the neutral ones
_WTYPE_MODIFIERS = {"ctrl": "ctrl", "shift": "shift", "alt": "alt", "super": "logo"}
_WTYPE_KEYS = {
    "insert": "Insert",
    "backspace": "BackSpace",
    "return": "Return",
    "tab": "Tab",
    "left": "Left",
    "right": "Right",
}
# ydotool (0.1.x, Debian's; 1.x takes raw keycodes) key names
_YDOTOOL_KEYS = {
    "ctrl": "ctrl",
    "shift": "shift",
    "alt": "alt",
    "super": "super",
    "insert": "Insert",
    "backspace": "BackSpace",
    "return": "Return",
}
TEXT_TYPES = ("text/plain;charset=utf-8", "UTF8_STRING", "text/plain", "STRING", "TEXT")


class WaylandToolMissing(TingError):
    """A Wayland command this needs is not installed or cannot work here."""


def _run(
    command: list[str], *, data: bytes | None = None, timeout: float = COMMAND_TIMEOUT_S
) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(
            command,
            input=data,
            capture_output=True,
            timeout=timeout,
            stdin=None if data is not None else subprocess.DEVNULL,
        )
    except FileNotFoundError:
        raise WaylandToolMissing(f"{command[0]} is not installed") from None
    except subprocess.TimeoutExpired:
        raise TingError(f"{command[0]} did not finish in {timeout:.0f} s") from None


def _first_line(raw: bytes) -> str:
    text = raw.decode("utf-8", errors="replace").strip()
    return text.splitlines()[0] if text else ""


# -- keyboards ---------------------------------------------------------------------------


class WtypeKeyboard:
    name = "wtype"
    types_fast = False

    def __init__(self) -> None:
        if shutil.which("wtype") is None:
            raise WaylandToolMissing("wtype is not installed", hint="install wtype")
        # a 1 ms sleep: connects and checks for the virtual-keyboard protocol only
        probe = _run(["wtype", "-s", "1"])
        if probe.returncode != 0:
            raise WaylandToolMissing(
                f"wtype cannot type here ({_first_line(probe.stderr) or probe.returncode})"
            )

    def _wtype(self, args: list[str], data: bytes | None = None) -> None:
        ran = _run(["wtype", "-s", WTYPE_SETTLE_MS, *args], data=data)
        if ran.returncode != 0:
            raise TingError(f"wtype failed: {_first_line(ran.stderr) or ran.returncode}")

    def type_text(self, text: str) -> None:
        self._wtype(["-"], text.encode("utf-8"))

    def press_keys(self, keys: Sequence[str]) -> None:
        *mods, key = [k.lower() for k in keys]
        args: list[str] = []
        for mod in mods:
            args += ["-M", _WTYPE_MODIFIERS.get(mod, mod)]
        args += ["-k", _WTYPE_KEYS.get(key, key)]
        for mod in reversed(mods):
            args += ["-m", _WTYPE_MODIFIERS.get(mod, mod)]
        self._wtype(args)

    def tap(self, key: str, times: int = 1) -> None:
        self._wtype(["-k", _WTYPE_KEYS.get(key.lower(), key)] * times)

    def close(self) -> None:
        pass


class YdotoolKeyboard:
    name = "ydotool"
    types_fast = False

    def __init__(self) -> None:
        if shutil.which("ydotool") is None:
            raise WaylandToolMissing("ydotool is not installed", hint="install ydotool")

    def _ydotool(self, args: list[str]) -> None:
        ran = _run(["ydotool", *args])
        if ran.returncode != 0:
            raise TingError(
                f"ydotool failed: {_first_line(ran.stderr) or ran.returncode}",
                hint="ydotoold must run and you must be allowed to write /dev/uinput",
            )

    def type_text(self, text: str) -> None:
        if not text.isascii():
            raise TingError("ydotool types ASCII only; use --method paste")
        self._ydotool(["type", "--", text])

    def press_keys(self, keys: Sequence[str]) -> None:
        self._ydotool(["key", "+".join(_YDOTOOL_KEYS.get(k.lower(), k) for k in keys)])

    def tap(self, key: str, times: int = 1) -> None:
        for _ in range(times):
            self.press_keys([key])

    def close(self) -> None:
        pass


# -- the clipboard -----------------------------------------------------------------------


@dataclass
class WaylandContents:
    """What the clipboard held: the one type wl-copy can give back (an image before
    text: text can be said again, a picture cannot), and every type offered then."""

    mime: str
    data: bytes
    offered: list[str] = field(default_factory=list)

    def text(self) -> str | None:
        if self.mime in TEXT_TYPES or self.mime.startswith("text/plain"):
            return self.data.decode("utf-8", errors="replace")
        return None


class WaylandPaste:
    """A ``wl-copy --paste-once`` serving one paste; ``wait`` sees it exit."""

    def __init__(self, done_fd: int, restore: WaylandContents | None, primary: bool) -> None:
        self.done_fd = done_fd
        self.restore_contents = restore
        self.primary = primary

    def arm(self) -> None:
        pass  # nothing to tell wl-copy: it counts only real pastes

    def wait(self, timeout: float) -> str:
        ready, _, _ = select.select([self.done_fd], [], [], timeout)
        if not ready:
            return "untaken"
        _restore(self.restore_contents, self.primary)
        return "taken"

    def close(self) -> None:
        try:
            os.close(self.done_fd)
        except OSError:
            pass


def _restore(contents: WaylandContents | None, primary: bool) -> None:
    if contents is None:
        return  # it was empty, and the paste-once copy is gone again
    command = ["wl-copy", "--type", contents.mime] + (["--primary"] if primary else [])
    try:  # no pipes but stdin: the forked wl-copy would hold them open
        subprocess.run(
            command,
            input=contents.data,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=COMMAND_TIMEOUT_S,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        log.warning("could not put the clipboard back: %s", exc)


class WlClipboard:
    name = "wl-clipboard"

    def __init__(self) -> None:
        missing = [c for c in ("wl-copy", "wl-paste") if shutil.which(c) is None]
        if missing:
            raise WaylandToolMissing(
                f"{' and '.join(missing)} not installed", hint="install wl-clipboard"
            )

    def _paste(self, args: list[str]) -> subprocess.CompletedProcess[bytes]:
        return _run(["wl-paste", *args])

    def types(self, primary: bool = False) -> list[str]:
        ran = self._paste(["--list-types"] + (["--primary"] if primary else []))
        if ran.returncode != 0:
            return []
        return [t for t in ran.stdout.decode("utf-8", errors="replace").splitlines() if t]

    def snapshot(self, selection: str = "CLIPBOARD") -> WaylandContents | None:
        primary = selection == "PRIMARY"
        offered = self.types(primary)
        if not offered:
            return None
        images = [t for t in offered if t.startswith("image/")]
        texts = [t for t in TEXT_TYPES if t in offered]
        mime = images[0] if images else texts[0] if texts else offered[0]
        ran = self._paste(["--no-newline", "--type", mime] + (["--primary"] if primary else []))
        if ran.returncode != 0:
            return None
        return WaylandContents(mime, ran.stdout, offered)

    def read_text(self, selection: str = "CLIPBOARD") -> str | None:
        primary = selection == "PRIMARY"
        offered = self.types(primary)
        mime = next((t for t in TEXT_TYPES if t in offered), None)
        if mime is None:
            return None
        ran = self._paste(["--no-newline", "--type", mime] + (["--primary"] if primary else []))
        return ran.stdout.decode("utf-8", errors="replace") if ran.returncode == 0 else None

    def offer(self, selections: dict[str, tuple[str, WaylandContents | None]]) -> WaylandPaste:
        [(name, (text, previous))] = selections.items()
        primary = name == "PRIMARY"
        read_end, write_end = os.pipe()
        # stderr to a file: the forked wl-copy keeps it open, so a pipe would never end
        with tempfile.TemporaryFile() as errors:
            try:
                process = subprocess.Popen(
                    ["wl-copy", "--paste-once", "--type", "text/plain;charset=utf-8"]
                    + (["--primary"] if primary else []),
                    stdin=subprocess.PIPE,
                    stdout=subprocess.DEVNULL,
                    stderr=errors,
                    pass_fds=(write_end,),
                )
            except FileNotFoundError:
                os.close(read_end)
                raise WaylandToolMissing(
                    "wl-copy is not installed", hint="install wl-clipboard"
                ) from None
            finally:
                os.close(write_end)
            try:
                assert process.stdin is not None
                process.stdin.write(text.encode("utf-8"))
                process.stdin.close()
                code = process.wait(timeout=COMMAND_TIMEOUT_S)
            except (OSError, subprocess.TimeoutExpired) as exc:
                process.kill()
                os.close(read_end)
                raise TingError(f"wl-copy did not take the text ({exc})") from None
            if code != 0:
                os.close(read_end)
                errors.seek(0)
                raise TingError(f"wl-copy failed: {_first_line(errors.read()) or code}")
        # wl-copy forks once the compositor holds the offer; the child keeps our pipe
        return WaylandPaste(read_end, previous, primary)

    def warm(self) -> None:
        pass

    def close(self) -> None:
        pass


# -- focus -------------------------------------------------------------------------------


def sway_focused_window(env: dict[str, str] | None = None) -> FocusedWindow | None | bool:
    """The focused window on sway (None: nothing has the focus), or False where this is
    not sway (the focus cannot be known)."""
    env = dict(os.environ if env is None else env)
    if not env.get("SWAYSOCK") or shutil.which("swaymsg") is None:
        return False
    try:
        ran = subprocess.run(
            ["swaymsg", "-t", "get_tree", "--raw"],
            capture_output=True,
            timeout=COMMAND_TIMEOUT_S,
            env=env,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    if ran.returncode != 0:
        return False
    try:
        tree = json.loads(ran.stdout)
    except ValueError:
        return False
    node = _focused_node(tree)
    if node is None or node.get("type") not in ("con", "floating_con"):
        return None
    app = node.get("app_id") or (node.get("window_properties") or {}).get("class") or ""
    return FocusedWindow(int(node.get("id", 0)), str(app).lower(), str(node.get("name") or ""))


def _focused_node(node: dict) -> dict | None:
    if node.get("focused"):
        return node
    for child in node.get("nodes", []) + node.get("floating_nodes", []):
        found = _focused_node(child)
        if found is not None:
            return found
    return None
