"""The ``ting`` command line. Every command: ``--help``, exit 0 on success, one clear
line on stderr and a non-zero exit on bad input, ``--json`` for machine-readable output.

Commands come from three places: the core ones below, ``voice.cli.register`` (ASR,
capture, speech) and the skills' ``ting_register_commands`` hooks.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

import click

from assistant import __version__
from assistant.errors import TingError


def emit_json(obj: Any) -> None:
    """One JSON object per line on stdout, flushed (consumers read it live)."""
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def fail(message: str, code: int = 1) -> None:
    click.echo(f"ting: {message}", err=True)
    sys.exit(code)


class TingGroup(click.Group):
    """Turns every TingError into one line on stderr and its exit code.

    Commands load lazily: the core ones are there from the start; voice and skill
    plugin commands are mounted only when a name is not a core command (or for
    ``--help``), so ``ting route`` never pays for importing every skill.
    """

    _extensions_mounted = False

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is None and not self._extensions_mounted:
            self.mount_extensions()
            command = super().get_command(ctx, cmd_name)
        return command

    def list_commands(self, ctx: click.Context) -> list[str]:
        self.mount_extensions()
        return super().list_commands(ctx)

    def mount_extensions(self) -> None:
        if self._extensions_mounted:
            return
        self._extensions_mounted = True
        _mount_extensions()

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except TingError as exc:
            fail(exc.user_message(), exc.exit_code)
        except KeyboardInterrupt:
            fail("interrupted", 130)
        except BrokenPipeError:
            sys.exit(0)
        except (click.exceptions.Exit, click.ClickException, click.exceptions.Abort):
            raise  # click's own exits and usage errors (made one line in ``main``)
        except UnicodeEncodeError as exc:
            if "surrogates not allowed" not in str(exc) or os.environ.get("TING_DEBUG") == "1":
                raise
            # an argument or file name held bytes that are not UTF-8 (argv keeps them
            # as lone surrogates); they cannot be stored or sent anywhere
            fail("the input is not valid UTF-8 text", 2)
        except Exception as exc:  # a bug: log it in full, show the user one line
            if os.environ.get("TING_DEBUG") == "1":
                raise
            fail(_report_internal_error(exc), 70)

    def main(self, *args: Any, **kwargs: Any) -> Any:
        """Click's usage errors as one line (``ting: …``), like every other failure."""
        kwargs["standalone_mode"] = False
        try:
            result = super().main(*args, **kwargs)
        except _NO_ARGS_IS_HELP as exc:
            exc.show()  # `ting history` alone: the group's help, as click shows it
            sys.exit(exc.exit_code)
        except click.UsageError as exc:
            fail(_one_line_usage(exc), exc.exit_code)
        except click.ClickException as exc:
            fail(exc.format_message(), exc.exit_code)
        except click.exceptions.Abort:
            click.echo(err=True)  # after an interrupted prompt, end the line
            fail("aborted", 1)
        except (KeyboardInterrupt, EOFError):
            fail("interrupted", 130)
        # without standalone mode click returns an exit code for --help/--version
        sys.exit(result if isinstance(result, int) else 0)


# click ≥ 8.2 raises this for a group run with no subcommand (older ones print help)
_NO_ARGS_IS_HELP: Any = getattr(click.exceptions, "NoArgsIsHelpError", ())


def _one_line_usage(exc: click.UsageError) -> str:
    message = exc.format_message().strip().replace("\n", " ")
    ctx = exc.ctx
    if ctx is not None and ctx.command_path:
        return f"{message} (see `{ctx.command_path} --help`)"
    return message


def _report_internal_error(exc: BaseException) -> str:
    import traceback

    summary = f"internal error ({type(exc).__name__}: {exc})"
    try:
        from assistant.paths import data_dir

        log_path = data_dir() / "ting.log"
        with log_path.open("a", encoding="utf-8") as fh:
            fh.write("".join(traceback.format_exception(exc)))
    except Exception:  # no log to write to: never a traceback on the user's terminal
        return f"{summary}; run again with TING_DEBUG=1 for details"
    return f"{summary}; details in {log_path}"


def get_app(ctx: click.Context | None = None):
    """The composition root for this process, built once on first use."""
    from assistant.app import App

    ctx = ctx or click.get_current_context()
    root = ctx.find_root()
    if root.obj is None:
        root.obj = App.from_environment()
    return root.obj


@click.group(cls=TingGroup, invoke_without_command=True)
@click.version_option(__version__, "--version", "-V", prog_name="ting")
@click.option("--smoke", is_flag=True, help="Self-check: config, database, ASR model; then exit.")
@click.pass_context
def cli(ctx: click.Context, smoke: bool) -> None:
    """Ting (听): a voice-driven personal assistant.

    With no command, starts the desktop app (or, with no display, a terminal session).
    """
    if smoke:
        from assistant.smoke import run_smoke

        sys.exit(run_smoke())
    if ctx.invoked_subcommand is None:
        from assistant.session import start_default

        sys.exit(start_default(get_app(ctx)))


def _mount_core() -> None:
    from assistant import cli_core

    cli_core.register(cli)


def _mount_extensions() -> None:
    import importlib

    TingGroup._extensions_mounted = True
    for module_path in ("voice.cli", "assistant.mcp_cli"):
        try:
            module = importlib.import_module(module_path)
        except ModuleNotFoundError as exc:
            if exc.name == module_path:
                continue
            raise
        module.register(cli)
    from assistant.registry import SkillRegistry

    SkillRegistry().register_commands(cli)


def _stop_on_sigterm() -> None:
    """``kill PID`` stops a command the way Ctrl-C does: what was running is recorded as
    cancelled and files are left whole, instead of the process vanishing mid-write."""
    import signal
    import threading

    def interrupt(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, interrupt)


def main(argv: list[str] | None = None) -> None:
    _stop_on_sigterm()
    try:
        _mount_core()
    except TingError as exc:
        fail(exc.user_message(), exc.exit_code)
    cli.main(args=argv, prog_name="ting")
