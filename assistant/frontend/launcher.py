"""What plain `ting` starts: the desktop app where a display exists, else a terminal
session where typed requests are routed and answered."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from assistant.frontend.app import App

BANNER = (
    "Ting (听) terminal session. Type a request (e.g. 昨天午饭花了三十五块, "
    "translate 明天开会 into English); Ctrl-C cancels a running request; "
    "'exit' or Ctrl-D quits."
)


def display_available() -> bool:
    if sys.platform in ("win32", "darwin"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def start_default(app: App) -> int:
    if display_available() and os.environ.get("TING_NO_GUI") != "1":
        try:
            from ui.app import run_app  # type: ignore[import-not-found]
        except ImportError:
            run_app = None
        if run_app is not None:
            return int(run_app(app) or 0)
    return terminal_session(app)


def terminal_session(app: App, stdin: TextIO | None = None, out: TextIO | None = None) -> int:
    from assistant.console import EventPrinter, drive
    from assistant.errors import TingError
    from assistant.skill import CancelToken, Request

    stdin = stdin or sys.stdin
    out = out or sys.stdout
    interactive = stdin.isatty()
    if interactive:
        out.write(BANNER + "\n")
    while True:
        if interactive:
            out.write("听> ")
            out.flush()
        try:
            line = stdin.readline()
        except KeyboardInterrupt:
            out.write("\n")
            continue
        if not line:
            break
        text = line.strip()
        if not text:
            continue
        if text.lower() in ("exit", "quit", ":q", "退出"):
            break
        cancel = CancelToken()
        try:
            drive(
                app.runtime.run(Request(text=text, origin="typed"), cancel=cancel),
                runtime=app.runtime,
                printer=EventPrinter(),
                interactive=interactive,
                origin="typed",
            )
        except KeyboardInterrupt:
            cancel.cancel()
            sys.stderr.write("\nting: cancelled\n")
        except TingError as exc:
            sys.stderr.write(f"ting: {exc.user_message()}\n")
    return 0
