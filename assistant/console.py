"""Showing an event stream on a terminal, and asking before anything is written.

``drive`` is the one place the CLI and the terminal session consume a skill's events:
human mode prints progress on stderr (one updating line on a terminal), text on stdout,
errors as ``ting: …`` on stderr; ``--json`` prints each event as one JSON line on stdout.
A ``NeedsConfirmation`` is shown and, with ``--yes`` or a "y" at the prompt, applied
through ``Runtime.confirm``; otherwise nothing is written.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, TextIO

from assistant.events import Delta, Event, Failed, NeedsConfirmation, Progress, Result

if TYPE_CHECKING:
    from assistant.runtime import Runtime

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_NOT_CONFIRMED = 3
EXIT_CANCELLED = 130
# progress stages that are warnings (chat's MCP servers and tools that failed)
WARNING_STAGES = frozenset({"mcp_failed", "tool_failed"})


def format_elapsed(seconds: float) -> str:
    """``4.2 s``, ``1:05`` or ``1:02:03``: a length of time (a task's, a recording's) as
    a progress line or a notice shows it."""
    if seconds < 60:
        return f"{seconds:.1f} s"
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class EventPrinter:
    def __init__(
        self,
        *,
        as_json: bool = False,
        out: TextIO | None = None,
        err: TextIO | None = None,
        quiet_progress: bool = False,
    ) -> None:
        self.as_json = as_json
        self.out = out or sys.stdout
        self.err = err or sys.stderr
        self.quiet_progress = quiet_progress
        self._progress_open = False
        self._streamed = False
        self.tty = self.err.isatty()

    def show(self, event: Event) -> None:
        if self.as_json:
            self.out.write(json.dumps(event.to_dict(), ensure_ascii=False) + "\n")
            self.out.flush()
            return
        if isinstance(event, Progress) and event.stage in WARNING_STAGES:
            # the answer goes on without that server or tool: a line that stays, not a
            # progress line the next one overwrites
            self._close_progress()
            if self._streamed:
                self.out.write("\n")
                self.out.flush()
                self._streamed = False
            self.err.write(f"ting: {event.message}\n")
            self.err.flush()
            return
        if isinstance(event, Progress):
            # progress is for a person watching a terminal; scripts read --json
            if self.quiet_progress or not self.tty:
                return
            line = _progress_line(event)
            if self.tty:
                self.err.write("\r\x1b[2K" + line)
                self._progress_open = True
            self.err.flush()
            return
        self._close_progress()
        if isinstance(event, Delta):
            self.out.write(event.text)
            self.out.flush()
            self._streamed = True
        elif isinstance(event, Result):
            if self._streamed:
                self.out.write("\n")
            elif event.text:
                self.out.write(event.text.rstrip("\n") + "\n")
            self.out.flush()
            self._streamed = False
        elif isinstance(event, NeedsConfirmation):
            if self._streamed:
                self.out.write("\n")
                self._streamed = False
            self.out.write(event.preview.rstrip("\n") + "\n")
            self.out.flush()
        elif isinstance(event, Failed):
            if self._streamed:
                self.out.write("\n")
                self.out.flush()
                self._streamed = False
            self.err.write(f"ting: {event.error}\n")
            self.err.flush()

    def _close_progress(self) -> None:
        if self._progress_open:
            self.err.write("\r\x1b[2K")
            self.err.flush()
            self._progress_open = False

    def finish(self) -> None:
        self._close_progress()
        if self._streamed and not self.as_json:
            self.out.write("\n")
            self.out.flush()
            self._streamed = False


def _progress_line(event: Progress) -> str:
    if event.done is not None and event.total and event.total >= 50:
        # a long count (MiB of a model being joined): a bar
        filled = min(20, int(20 * event.done / event.total))
        return f"[{'#' * filled}{'.' * (20 - filled)}] {event.message or event.stage}"
    parts = [event.message or event.stage]
    if event.done is not None and event.total:
        parts.append(f"[{event.done}/{event.total}]")
    return "… " + " ".join(parts)


def ask_yes_no(
    question: str, *, stream_in: TextIO | None = None, err: TextIO | None = None
) -> bool:
    stream_in = stream_in or sys.stdin
    err = err or sys.stderr
    err.write(f"{question} [y/N] ")
    err.flush()
    answer = stream_in.readline()
    return answer.strip().lower() in ("y", "yes", "是", "好", "对")


def drive(
    events: Iterator[Event],
    *,
    runtime: Runtime | None,
    printer: EventPrinter,
    assume_yes: bool = False,
    interactive: bool | None = None,
    origin: str = "cli",
    confirm_question: Callable[[NeedsConfirmation], str] | None = None,
) -> int:
    """Show every event; confirm and apply a proposal if allowed. Returns an exit code."""
    code = EXIT_OK
    pending: NeedsConfirmation | None = None
    try:
        for event in events:
            printer.show(event)
            if isinstance(event, NeedsConfirmation):
                pending = event
            elif isinstance(event, Failed):
                code = EXIT_CANCELLED if event.kind == "cancelled" else EXIT_FAILED
    finally:
        printer.finish()
    if pending is None or code != EXIT_OK or runtime is None:
        return code
    if interactive is None:
        interactive = sys.stdin.isatty() and not printer.as_json
    if assume_yes:
        go = True
    elif interactive:
        question = confirm_question(pending) if confirm_question else "Go ahead?"
        go = ask_yes_no(question, err=printer.err)
    else:
        if not printer.as_json:
            printer.err.write("ting: nothing was written: confirm with --yes\n")
            return EXIT_NOT_CONFIRMED
        return EXIT_OK  # the JSON consumer saw needs_confirmation and decides
    if not go:
        printer.err.write("Nothing was written.\n")
        return EXIT_OK
    return drive(
        runtime.confirm(pending.skill, pending.action, pending.data, origin=origin),
        runtime=None,
        printer=printer,
    )
