"""The commands that put text into other programs: ``ting type`` (and, hidden, the X11
clipboard owner process the frozen app starts through ``ting``)."""

from __future__ import annotations

import sys

import click

from assistant.errors import UsageError


def _text_argument(words: tuple[str, ...]) -> str:
    text = " ".join(words)
    if text == "-":
        data = sys.stdin.buffer.read()
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise UsageError("standard input is not UTF-8 text") from None
        if text.endswith("\n"):
            text = text[:-1]  # the newline `echo` adds is not part of the text
    if not text:
        raise UsageError("nothing to type: the text is empty")
    return text


@click.command("type")
@click.argument("words", nargs=-1, required=True)
@click.option(
    "--method",
    type=click.Choice(["auto", "paste", "keys"]),
    default="auto",
    show_default=True,
    help="paste: through the clipboard (restored afterwards); keys: key by key; "
    "auto: short plain ASCII typed, the rest pasted.",
)
@click.option(
    "--backend",
    type=click.Choice(["auto", "xtest", "xdotool", "wtype", "ydotool", "portal", "pynput"]),
    default="auto",
    show_default=True,
    help="What sends the keystrokes (auto: the best this desktop offers).",
)
@click.option("--json", "as_json", is_flag=True, help='Print {"method", "backend", "chars"}.')
def type_command(words: tuple[str, ...], method: str, backend: str, as_json: bool) -> None:
    """Put TEXT into the window that has the keyboard focus, as if typed.

    TEXT may be '-' to read it from standard input. Chinese and long text go through
    the clipboard and a paste keystroke (Ctrl+Shift+V in terminals); what the clipboard
    held before is put back.
    """
    from assistant.errors import TingError
    from voice.text_output.typist import TextOutput, check_text

    text = _text_argument(words)
    try:
        check_text(text)
    except TingError as exc:
        raise UsageError(exc.message) from None
    output = TextOutput.for_session(backend=backend)
    try:
        output.warm()
        done = output.insert(text, method)
    finally:
        output.close()
    if as_json:
        from assistant.cli import emit_json

        emit_json(done.to_dict())
    else:
        where = f" into {done.target.app}" if done.target is not None and done.target.app else ""
        click.echo(f"typed {done.chars} characters{where} ({done.method} through {done.backend})")


@click.command("x11-selection-owner", hidden=True)
def x11_selection_owner() -> None:
    """The process that serves a paste's text on X11 (started by ting type itself)."""
    from voice.text_output.x11_selection import main

    sys.exit(main())


def register(cli: click.Group) -> None:
    cli.add_command(type_command)
    cli.add_command(x11_selection_owner)
