"""The ``ting`` command's entry point.

Plain ``ting`` (what the menu entry and the autostart entry run) and ``ting app`` start
the desktop app straight away, without loading the command-line parser and the
commands; so does ``ting route`` (on the hotkey path) go straight to the router.
Every other command line goes to ``assistant.frontend.cli``.
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else list(argv)
    if args in ([], ["app"]):
        sys.exit(start_app())
    if args[:1] == ["route"]:
        from assistant.frontend import route_command

        if route_command.handles(args[1:]):  # the hotkey path: no parser, no App
            sys.exit(route_command.run(args[1:]))
    from assistant.frontend.cli import main as cli_main

    cli_main(args)


def start_app() -> int:
    """What ``ting`` with no command does: the desktop app, or a terminal session where
    no display exists; failures end as every command's do."""
    from assistant.frontend.failures import report_failures, stop_on_sigterm

    def start() -> int:
        from assistant.frontend.app import App
        from assistant.frontend.launcher import start_default

        return start_default(App.from_environment())

    stop_on_sigterm()
    return int(report_failures(start) or 0)
