"""The X11 clipboard for a paste: snapshot what the selections hold, hand the text to an
owner process (``x11_selection``), learn when the paste took it.

Starting the owner process (a Python interpreter loading python-xlib) is the slow part,
so a spare one is started ahead (``warm``) and kept waiting for its orders.
"""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import threading
import time
from typing import Any

from assistant.errors import TingError
from voice.text_output.x11_selection import SelectionContents, SelectionReader

OWNED_TIMEOUT_S = 10.0  # the owner process starting on a busy machine


class ClipboardUnavailable(TingError):
    """The clipboard cannot be used here."""


class PasteOffer:
    """An owner process serving one paste. ``arm`` right before the keystroke, then
    ``wait`` for "taken" (the target asked for the text), "untaken" or "lost"."""

    def __init__(self, process: subprocess.Popen[bytes]) -> None:
        self.process = process
        self._buffer = b""

    def _line(self, timeout: float) -> str | None:
        assert self.process.stdout is not None
        fd = self.process.stdout.fileno()
        deadline = time.monotonic() + timeout
        while b"\n" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            ready, _, _ = select.select([fd], [], [], left)
            if not ready:
                return None
            chunk = os.read(fd, 4096)
            if not chunk:
                return "exited"
            self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        return line.decode("utf-8", errors="replace").strip()

    def send(self, orders: dict[str, Any]) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps(orders).encode("utf-8") + b"\n")
        self.process.stdin.flush()
        answer = self._line(OWNED_TIMEOUT_S)
        if answer != "owned":
            self.close()
            raise ClipboardUnavailable(
                f"could not take the X clipboard ({answer or 'no answer from the owner process'})"
            )

    def arm(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(b"armed\n")
        self.process.stdin.flush()

    def wait(self, timeout: float) -> str:
        """ "taken", "untaken", "lost" (another program took the clipboard), or
        "timeout"."""
        answer = self._line(timeout)
        return answer or "timeout"

    def close(self) -> None:
        """Let the owner go on by itself (it serves until another program copies)."""
        for pipe in (self.process.stdin, self.process.stdout):
            try:
                if pipe is not None:
                    pipe.close()
            except OSError:
                pass


def _owner_command() -> list[str]:
    if getattr(sys, "frozen", False):  # the PyInstaller bundle: a hidden ting command
        return [sys.executable, "x11-selection-owner"]
    return [sys.executable, "-m", "voice.text_output.x11_selection"]


class X11Clipboard:
    name = "x11"

    def __init__(self, display_name: str | None = None) -> None:
        self.display_name = display_name
        self._spare: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()

    def _spawn(self) -> subprocess.Popen[bytes]:
        env = dict(os.environ)
        if self.display_name:
            env["DISPLAY"] = self.display_name
        root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        env["PYTHONPATH"] = root + os.pathsep + env.get("PYTHONPATH", "")
        return subprocess.Popen(
            _owner_command(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
            start_new_session=True,  # outlives `ting type`, and is not hit by its Ctrl-C
            close_fds=True,
        )

    def warm(self) -> None:
        """Start a spare owner process now, so that the next paste need not wait."""
        with self._lock:
            if self._spare is None or self._spare.poll() is not None:
                self._spare = self._spawn()

    def offer(self, selections: dict[str, tuple[str, SelectionContents | None]]) -> PasteOffer:
        """Serve ``text`` on each selection, giving back its ``previous`` contents (or
        nothing) after the paste: ``{"CLIPBOARD": (text, previous)}``."""
        with self._lock:
            process, self._spare = self._spare, None
        if process is None or process.poll() is not None:
            process = self._spawn()
        offer = PasteOffer(process)
        offer.send(
            {
                "selections": [
                    {
                        "selection": name,
                        "now": SelectionContents.of_text(text).to_json(),
                        "after": previous.to_json() if previous is not None else None,
                    }
                    for name, (text, previous) in selections.items()
                ]
            }
        )
        return offer

    def snapshot(self, selection: str = "CLIPBOARD") -> SelectionContents | None:
        with SelectionReader(self.display_name) as reader:
            return reader.snapshot(selection)

    def read_text(self, selection: str = "CLIPBOARD") -> str | None:
        with SelectionReader(self.display_name) as reader:
            return reader.text(selection)

    def close(self) -> None:
        with self._lock:
            spare, self._spare = self._spare, None
        if spare is not None and spare.poll() is None:
            spare.kill()
            spare.wait()
