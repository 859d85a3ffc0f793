"""Showing a meeting-notes run on a terminal: a progress bar with stage, percent and ETA.

``--json`` prints every event as one JSON line instead (``assistant.console``); with
stderr not a terminal, progress is not shown (scripts read ``--json``).
"""

from __future__ import annotations

import sys
from typing import TextIO

from assistant.events import Event, Failed, Progress

BAR_WIDTH = 24


class ProgressBarView:
    def __init__(self, err: TextIO | None = None) -> None:
        self.err = err or sys.stderr
        self.tty = self.err.isatty()
        self._open = False

    def show(self, event: Event) -> None:
        if isinstance(event, Progress):
            if self.tty:
                self.err.write("\r\x1b[2K" + progress_bar_line(event))
                self.err.flush()
                self._open = True
            return
        self.close()
        if isinstance(event, Failed):
            self.err.write(f"ting: {event.error}\n")
            self.err.flush()

    def close(self) -> None:
        if self._open:
            self.err.write("\r\x1b[2K")
            self.err.flush()
            self._open = False


def progress_bar_line(event: Progress, width: int = BAR_WIDTH) -> str:
    """``transcribing [#########---------------]  38% transcribing part 3 of 8 · ETA 01:20``."""
    message = event.message or event.stage
    if event.done is not None and event.total:
        fraction = min(1.0, max(0.0, event.done / event.total))
        filled = round(fraction * width)
        bar = "#" * filled + "-" * (width - filled)
        return f"{event.stage} [{bar}] {fraction * 100:3.0f}% {message}"
    return f"{event.stage} … {message}"
