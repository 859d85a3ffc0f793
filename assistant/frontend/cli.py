"""The ``ting`` command line. Every command: ``--help``, exit 0 on success, one clear
line on stderr and a non-zero exit on bad input, ``--json`` for machine-readable output.

Commands come from four places: ``assistant.frontend.commands`` (ask, route, history,
config, …), ``assistant.frontend.voice_commands`` (transcribe, listen, say, voice),
``assistant.frontend.dictation_commands`` (type, dictate, edit) and the skills'
``ting_register_commands`` hooks. Commands find the composition root with
``assistant.cli_kit.get_app``, which builds it from the factory this group sets.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from assistant import __version__
from assistant.cli_kit import fail, get_app, set_app_factory
from assistant.errors import TingError
from assistant.frontend.failures import report_failures, stop_on_sigterm


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
        # click's own exits and usage errors pass through (made one line in ``main``)
        clicks_own = (click.exceptions.Exit, click.ClickException, click.exceptions.Abort)
        return report_failures(lambda: super(TingGroup, self).invoke(ctx), clicks_own)

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


@click.group(cls=TingGroup, invoke_without_command=True)
@click.version_option(__version__, "--version", "-V", prog_name="ting")
@click.option("--smoke", is_flag=True, help="Self-check: config, database, ASR model; then exit.")
@click.pass_context
def cli(ctx: click.Context, smoke: bool) -> None:
    """Ting (听): a voice-driven personal assistant.

    With no command, starts the desktop app (or, with no display, a terminal session).
    """
    from assistant.frontend.app import App

    set_app_factory(ctx, App.from_environment)
    if smoke:
        from assistant.frontend.smoke import run_smoke

        sys.exit(run_smoke())
    if ctx.invoked_subcommand is None:
        from assistant.frontend.launcher import start_default

        sys.exit(start_default(get_app(ctx)))


def _mount_core() -> None:
    from assistant.frontend import commands

    commands.register(cli)


def _mount_extensions() -> None:
    from assistant.frontend import dictation_commands, mcp_commands, voice_commands

    TingGroup._extensions_mounted = True
    voice_commands.register(cli)
    mcp_commands.register(cli)
    dictation_commands.register(cli)
    from assistant.registry import SkillRegistry

    SkillRegistry().register_commands(cli)


def main(argv: list[str] | None = None) -> None:
    stop_on_sigterm()
    try:
        _mount_core()
    except TingError as exc:
        fail(exc.user_message(), exc.exit_code)
    cli.main(args=argv, prog_name="ting")
