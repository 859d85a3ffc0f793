"""``ting translate`` (text, speech, glossary) and ``ting interpret`` (live interpreter).

Only click and the core CLI helpers are imported here; the skill, the model client, the
recognizer and the interpreter pipeline load inside the commands.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from assistant.cli import emit_json, get_app
from assistant.errors import UsageError


class DefaultSubcommandGroup(click.Group):
    """A group whose first argument, when it names no subcommand, goes to a default one.

    ``ting translate "hello" --to zh`` runs the hidden ``text`` subcommand while
    ``ting translate glossary list`` still reaches ``glossary``.
    """

    def __init__(self, *args: Any, default_command: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.default_command = default_command

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args or (args[0] not in self.commands and args[0] not in ("--help", "-h")):
            args = [self.default_command, *args]
        return super().parse_args(ctx, args)


def asr_service(app: Any, candidate_languages: tuple[str, ...] | None = None) -> Any:
    """The app's speech recognizer, built once per process (the model loads on first use)."""
    existing = app.services.get("asr")
    if existing is not None:
        return existing() if callable(existing) else existing
    from voice.asr import SpeechRecognizer

    recognizer = SpeechRecognizer.from_settings(app.settings)
    if candidate_languages:
        recognizer.candidate_languages = candidate_languages
    app.services["asr"] = recognizer
    return recognizer


def _words_text(words: tuple[str, ...]) -> str:
    text = " ".join(words).strip()
    if text == "-":
        text = sys.stdin.read().strip()
    return text


# -- ting translate ----------------------------------------------------------------------


@click.group(
    "translate",
    cls=DefaultSubcommandGroup,
    default_command="text",
    invoke_without_command=False,
)
def translate_group() -> None:
    """Translate text or speech, streamed; the glossary of your own terms.

    \b
    ting translate "TEXT" [--to LANG] [--json]     (TEXT may be '-' for stdin)
    ting translate --audio FILE [--to en] [--offline] [--json]
    ting translate glossary add|list|remove …

    Without --to the target is the other language of your pair (zh↔en).
    """


@translate_group.command("text", hidden=True)
@click.argument("words", nargs=-1)
@click.option("--to", "target", help="Target language: a code or name (en, zh, 英文, French).")
@click.option(
    "--audio", type=click.Path(dir_okay=True), help="Translate the speech in this audio file."
)
@click.option(
    "--offline", is_flag=True, help="Speech into English with Whisper only (no provider)."
)
@click.option("--json", "as_json", is_flag=True, help="One JSON event per line on stdout.")
def translate_text(words, target, audio, offline, as_json):
    """Translate TEXT (or the speech in --audio)."""
    from assistant.console import EventPrinter, drive
    from assistant.skill import Request
    from skills.translation.skill import resolve_language

    text = _words_text(words)
    options: dict[str, Any] = {"literal": True}
    if target:
        options["to"] = resolve_language(target)
    app = get_app()
    if audio:
        if text:
            raise UsageError("give either TEXT or --audio FILE, not both")
        from voice.audio_files import read_audio_file

        read_audio_file(audio)  # a missing or unreadable file: one clear line, exit 2/1
        options.update(audio=audio, offline=offline)
        asr_service(app)
        text = f"[speech] {audio}"
    elif offline:
        raise UsageError("--offline applies to --audio only: text needs a provider")
    if not text:
        raise UsageError("nothing to translate: the text is empty")
    request = Request(text=text, origin="cli", skill="translation", options=options)
    code = drive(
        app.runtime.run(request), runtime=app.runtime, printer=EventPrinter(as_json=as_json)
    )
    sys.exit(code)


@translate_group.group("glossary")
def glossary_group() -> None:
    """Your own renderings of terms, used in every translation (invoice → 发票)."""


def _glossary_store() -> Any:
    from skills.translation.glossary import GlossaryStore

    return GlossaryStore(get_app().history)


@glossary_group.command("add")
@click.argument("term")
@click.argument("translation")
@click.option("--to", "target", help="Only when translating into this language.")
@click.option("--json", "as_json", is_flag=True)
def glossary_add(term, translation, target, as_json):
    """Always render TERM as TRANSLATION (replaces an earlier entry for TERM)."""
    from skills.translation.skill import resolve_language

    target_lang = resolve_language(target) if target else ""
    entry = _glossary_store().add(term, translation, target_lang)
    if as_json:
        emit_json({"entry": entry.to_dict()})
    else:
        click.echo(f"glossary: {entry.term} → {entry.translation}")


@glossary_group.command("list")
@click.option("--json", "as_json", is_flag=True)
def glossary_list(as_json):
    """Every glossary entry."""
    entries = _glossary_store().list()
    if as_json:
        emit_json({"entries": [e.to_dict() for e in entries]})
        return
    if not entries:
        click.echo("(the glossary is empty)")
    for e in entries:
        only = f"  [{e.target_lang} only]" if e.target_lang else ""
        click.echo(f"{e.id:>4}  {e.term} → {e.translation}{only}")


@glossary_group.command("remove")
@click.argument("term_or_id")
@click.option("--json", "as_json", is_flag=True)
def glossary_remove(term_or_id, as_json):
    """Remove an entry by its term or its id."""
    removed = _glossary_store().remove(term_or_id)
    if not removed:
        raise UsageError(f"no glossary entry {term_or_id!r}")
    if as_json:
        emit_json({"removed": removed})
    else:
        click.echo(f"removed {removed} glossary entr{'y' if removed == 1 else 'ies'}")


def register(cli: click.Group) -> None:
    cli.add_command(translate_group)
