"""``ting translate`` (text, speech, glossary) and ``ting interpret`` (live interpreter).

Only click and the core CLI helpers are imported here; the skill, the model client, the
recognizer and the interpreter pipeline load inside the commands.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from assistant.cli_kit import emit_json, get_app
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
    ting translate --clipboard [--to LANG] [--json]
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
@click.option(
    "--clipboard",
    is_flag=True,
    help="Translate the clipboard's text (wl-paste, xclip or xsel on Linux).",
)
@click.option("--json", "as_json", is_flag=True, help="One JSON event per line on stdout.")
def translate_text(words, target, audio, offline, clipboard, as_json):
    """Translate TEXT (or the clipboard's text, or the speech in --audio)."""
    from assistant.console import EventPrinter, drive
    from assistant.skill import Request
    from skills.translation.skill import resolve_language

    text = _words_text(words)
    options: dict[str, Any] = {"literal": True}
    if target:
        options["to"] = resolve_language(target)
    if clipboard:
        if text or audio:
            raise UsageError("give one of TEXT, --clipboard or --audio FILE")
        from skills.translation.clipboard import read_clipboard_text

        text = read_clipboard_text()  # the text itself goes to the history, searchable
    app = get_app()
    if audio:
        if text:
            raise UsageError("give either TEXT or --audio FILE, not both")
        from voice.audio_files import read_audio_file

        read_audio_file(audio)  # a missing or unreadable file: one clear line, exit 2/1
        options.update(audio=audio, offline=offline)
        app.service("asr")  # a bad asr_model setting: one line, before the run
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


# -- ting interpret ----------------------------------------------------------------------


@click.group(
    "interpret",
    cls=DefaultSubcommandGroup,
    default_command="live",
    invoke_without_command=False,
)
def interpret_group() -> None:
    """Live interpreter: each sentence heard, in the other language of the pair.

    \b
    ting interpret [--pair zh,en] [--speak] [--input FILE [--fast]] [--json]
    ting interpret list [--json]
    ting interpret export ID --format md|srt [--out FILE]

    Listens to the microphone (or replays --input FILE at real-time pace; --fast as
    fast as possible), cuts sentences at pauses, shows a partial transcript while a
    sentence is spoken, then the sentence and its translation. Ctrl-C stops; the
    session is saved in the history as a bilingual transcript.
    --json prints one line per event: {"type": "partial"|"source"|"translation"|
    "notice", "lang", "text", "audio_end_s", "emitted_s", "sentence"}.
    """


def _parse_pair(value: str | None, default: tuple[str, str]) -> tuple[str, str]:
    from skills.translation.skill import resolve_language
    from voice.asr import LANGUAGE_CHOICES

    if not value:
        pair = default
    else:
        parts = [p.strip() for p in value.split(",") if p.strip()]
        if len(parts) != 2:
            raise UsageError(f"--pair must be two languages like zh,en, not {value!r}")
        pair = (
            resolve_language(parts[0], what="--pair"),
            resolve_language(parts[1], what="--pair"),
        )
    heard = [lang for lang in LANGUAGE_CHOICES if lang != "auto"]
    if pair[0] == pair[1] or any(lang not in heard for lang in pair):
        raise UsageError(
            f"--pair must be two different languages the recognizer hears ({', '.join(heard)}),"
            f" not {','.join(pair)}"
        )
    return pair


class InterpreterPrinter:
    """Events as JSON lines, or as lines for a person (partials only on a terminal)."""

    def __init__(self, as_json: bool) -> None:
        import threading

        self.as_json = as_json
        self.tty = sys.stdout.isatty()
        self._lock = threading.Lock()
        self._partial_open = False

    def __call__(self, event: Any) -> None:
        from skills.translation.interpreter.events import (
            Notice,
            PartialText,
            SourceText,
            TranslationText,
        )

        with self._lock:
            if self.as_json:
                emit_json(event.to_dict())
                return
            if isinstance(event, PartialText):
                if self.tty:
                    sys.stdout.write(f"\r\x1b[2K… {event.text}")
                    sys.stdout.flush()
                    self._partial_open = True
                return
            if self._partial_open:
                sys.stdout.write("\r\x1b[2K")
                self._partial_open = False
            if isinstance(event, SourceText):
                sys.stdout.write(f"[{event.audio_end_s:7.1f}s] {event.lang}: {event.text}\n")
            elif isinstance(event, TranslationText):
                sys.stdout.write(f"{'':10} → {event.lang}: {event.text}\n")
            elif isinstance(event, Notice):
                sys.stderr.write(f"ting: {event.text}\n")
                sys.stderr.flush()
            sys.stdout.flush()


@interpret_group.command("live", hidden=True)
@click.option("--pair", help="The two languages spoken (default: the language_pair setting).")
@click.option(
    "--input",
    "input_file",
    type=click.Path(dir_okay=True),
    help="Replay this audio file instead of the microphone.",
)
@click.option("--fast", is_flag=True, help="With --input: replay as fast as possible.")
@click.option("--speak", is_flag=True, help="Read each translation aloud.")
@click.option(
    "--speak-to",
    type=click.Path(file_okay=False),
    hidden=True,
    help="Write the spoken translations as WAV files here instead of playing them.",
)
@click.option(
    "--device", help="Microphone (sounddevice name or index; default: the input_device setting)."
)
@click.option(
    "--drain-timeout",
    type=click.FloatRange(0, 3600),
    default=30.0,
    show_default=True,
    help="Seconds to keep translating after the audio ends.",
)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per event on stdout.")
def interpret_live(pair, input_file, fast, speak, speak_to, device, drain_timeout, as_json):
    """Run the live interpreter."""
    import signal
    from pathlib import Path

    from assistant.skill import CancelToken
    from skills.translation.interpreter.session_factory import build_session

    app = get_app()
    languages = _parse_pair(pair, app.settings.languages)
    if fast and not input_file:
        raise UsageError("--fast needs --input FILE (a microphone runs in real time)")
    printer = InterpreterPrinter(as_json)
    session, finish = build_session(
        app,
        pair=languages,
        input_file=input_file,
        fast=fast,
        speak=speak or bool(speak_to),
        speak_to=Path(speak_to) if speak_to else None,
        device=device,
        drain_timeout_s=drain_timeout,
        emit=printer,
    )
    cancel = CancelToken()
    previous = signal.getsignal(signal.SIGINT)

    def on_interrupt(_signum: int, _frame: Any) -> None:
        if cancel.cancelled:
            raise KeyboardInterrupt
        cancel.cancel()  # first Ctrl-C: stop listening, finish what was heard

    signal.signal(signal.SIGINT, on_interrupt)
    try:
        transcript = session.run(cancel)
    finally:
        signal.signal(signal.SIGINT, previous)
        finish()
    recorder = session.recorder
    if input_file and not transcript.sentences and not cancel.cancelled:
        from assistant.errors import AudioError

        # as `translate --audio` and `meeting notes` say of a file with nobody in it
        message = f"no speech was found in {input_file}"
        if recorder is not None:
            recorder.save(status="error", error=message)
        raise AudioError(message)
    summary = {
        "type": "session",
        "id": recorder.exchange_id if recorder else None,
        "sentences": len(transcript.sentences),
        "translated": transcript.translated_count,
    }
    if as_json:
        emit_json(summary)
    else:
        click.echo(
            f"session #{summary['id']}: {summary['sentences']} sentence(s), "
            f"{summary['translated']} translated "
            f"(export: ting interpret export {summary['id']} --format md)",
            err=True,
        )


def _load_session_transcript(exchange_id: int) -> Any:
    from skills.translation.interpreter.transcript import TRANSCRIPT_KIND, BilingualTranscript

    row = get_app().history.get(exchange_id)
    if row is None:
        raise UsageError(f"no exchange with id {exchange_id}")
    if not isinstance(row.output, dict) or row.output.get("kind") != TRANSCRIPT_KIND:
        raise UsageError(f"exchange {exchange_id} is not an interpreter session")
    return BilingualTranscript.from_dict(row.output)


@interpret_group.command("export")
@click.argument("exchange_id", type=int)
@click.option("--format", "fmt", type=click.Choice(["md", "srt"]), default="md", show_default=True)
@click.option(
    "--out",
    "out_file",
    type=click.Path(dir_okay=False),
    help="Write to this file instead of stdout.",
)
def interpret_export(exchange_id, fmt, out_file):
    """A saved session as Markdown or SRT subtitles (ID from `ting interpret list`)."""
    from pathlib import Path

    from skills.translation.interpreter.transcript import to_markdown, to_srt

    transcript = _load_session_transcript(exchange_id)
    text = to_markdown(transcript) if fmt == "md" else to_srt(transcript)
    if out_file:
        try:
            Path(out_file).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"cannot write {out_file}: {exc.strerror}") from None
        click.echo(f"wrote {out_file}", err=True)
    else:
        sys.stdout.write(text)


@interpret_group.command("list")
@click.option("--limit", "-n", default=20, show_default=True, type=click.IntRange(1, 100000))
@click.option("--json", "as_json", is_flag=True)
def interpret_list(limit, as_json):
    """Saved interpreter sessions, newest first."""
    rows = [
        r
        for r in get_app().history.list(limit * 5, skill="translation")
        if r.route_source == "interpreter"
    ][:limit]
    if as_json:
        emit_json(
            {
                "sessions": [
                    {
                        "id": r.id,
                        "created_at": r.created_at,
                        "status": r.status,
                        "title": r.input_text,
                        "sentences": len((r.output or {}).get("sentences", [])),
                    }
                    for r in rows
                ]
            }
        )
        return
    if not rows:
        click.echo("(no interpreter sessions)")
    for r in rows:
        count = len((r.output or {}).get("sentences", []))
        click.echo(
            f"{r.id:>6}  {r.created_at[:19].replace('T', ' ')}  {count:>3} sentences  {r.input_text}"
        )


def register(cli: click.Group) -> None:
    cli.add_command(translate_group)
    cli.add_command(interpret_group)
