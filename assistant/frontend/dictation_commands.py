"""The commands that put text into other programs: ``ting type``, ``ting edit`` (and,
hidden, the X11 clipboard owner process the frozen app starts through ``ting``)."""

from __future__ import annotations

import sys

import click

from assistant.cli_kit import emit_json, get_app
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
@click.argument("words", nargs=-1, required=True, metavar="TEXT")
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
        emit_json(done.to_dict())
    else:
        where = f" into {done.target.app}" if done.target is not None and done.target.app else ""
        click.echo(f"typed {done.chars} characters{where} ({done.method} through {done.backend})")


@click.command()
@click.option(
    "--language",
    type=click.Choice(["auto", "zh", "en"]),
    default=None,
    help="Spoken language (default: the asr_language setting, 'auto').",
)
@click.option(
    "--mode",
    type=click.Choice(["hold", "toggle"]),
    default=None,
    help="Hotkey mode (default: the hotkey_mode setting).",
)
@click.option(
    "--hotkey", default=None, help="Dictation hotkey (default: the dictation_hotkey setting)."
)
@click.option("--no-hotkey", is_flag=True, help="Only Enter and `ting trigger`, no global hotkey.")
@click.option("--once", is_flag=True, help="Exit after one utterance.")
@click.option(
    "--method",
    type=click.Choice(["auto", "paste", "keys"]),
    default="auto",
    show_default=True,
    help="How the text goes in (as for `ting type`).",
)
@click.option("--json", "as_json", is_flag=True, help="One JSON event per line on stdout.")
def dictate(language, mode, hotkey, no_hotkey, once, method, as_json) -> None:
    """Dictation: what you say is typed into the focused window. Enter starts and stops
    (or the dictation hotkey, or `ting trigger`).

    Say punctuation ("逗号", "句号", "comma", "question mark"), "换行"/"new line" for a line
    end, and "删掉刚才那句"/"delete that" to remove what was typed last.
    """
    from assistant.frontend.dictate import DictateOptions, DictationSession

    options = DictateOptions(
        language=language or "",
        mode=mode or "",
        hotkey=hotkey or "",
        use_hotkey=not no_hotkey,
        as_json=as_json,
        once=once,
        method=method,
    )
    sys.exit(DictationSession(options, get_app()).run())


@click.command("edit")
@click.argument("instruction", nargs=-1, required=True)
@click.option(
    "--selection",
    type=click.Choice(["primary", "clipboard"]),
    default="primary",
    show_default=True,
    help="primary: the text selected now; clipboard: the text copied.",
)
@click.option("--yes", "-y", is_flag=True, help="Replace the selection without asking.")
@click.option("--json", "as_json", is_flag=True, help="One JSON event per line on stdout.")
def edit(instruction: tuple[str, ...], selection: str, yes: bool, as_json: bool) -> None:
    """Rewrite the selected text as INSTRUCTION says ("翻译成英文", "fix the grammar",
    "把时间改成下周三") and, after a yes, put the result in its place.

    Translations go through the translation skill (your glossary applies); other
    instructions through the configured model. The replacement is one paste, so the
    program's own Undo (Ctrl+Z) puts the original back.
    """
    from assistant.console import EventPrinter, drive
    from assistant.skill import Request

    text = " ".join(instruction).strip()
    if not text:
        raise UsageError("say how to edit the selection (for example: 翻译成英文)")
    app = get_app()
    request = Request(text=text, origin="cli", skill="edit", options={"selection": selection})
    code = drive(
        app.runtime.run(request),
        runtime=app.runtime,
        printer=EventPrinter(as_json=as_json),
        assume_yes=yes,
        origin="cli",
        confirm_question=lambda proposal: "Replace the selection with this?",
    )
    sys.exit(code)


@click.command("x11-selection-owner", hidden=True)
def x11_selection_owner() -> None:
    """The process that serves a paste's text on X11 (started by ting type itself)."""
    from voice.text_output.x11_selection import main

    sys.exit(main())


def register(cli: click.Group) -> None:
    cli.add_command(type_command)
    cli.add_command(edit)
    cli.add_command(dictate)
    cli.add_command(x11_selection_owner)
