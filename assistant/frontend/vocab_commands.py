"""``ting vocab add|list|remove``: the personal vocabulary the recognizer sees."""

from __future__ import annotations

import click

from assistant.errors import UsageError


def _store():
    from assistant.cli_kit import get_app
    from voice.vocabulary import VocabularyStore

    return VocabularyStore(get_app().history)


@click.group("vocab")
def vocab_group() -> None:
    """Words the speech recognizer should know: names, places, products (滨海新区, 燕之屋).

    Besides the words added here, it uses your ledger items, glossary terms, meeting
    titles and people; `ting vocab list --all` shows them all.
    """


@vocab_group.command("add")
@click.argument("words", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True)
def vocab_add(words: tuple[str, ...], as_json: bool) -> None:
    """Add one or more WORDS (each a word or a name, not a sentence)."""
    from voice.vocabulary import clean_word

    cleaned = [clean_word(w) for w in words]  # every word checked before any is stored
    # a word given twice is added once and reported once, not as "added" and "known"
    cleaned = list(dict.fromkeys(cleaned))
    store = _store()
    results = store.add_many(cleaned)
    if as_json:
        from assistant.cli_kit import emit_json

        emit_json(
            {
                "added": [w.word for w, new in results if new],
                "known": [w.word for w, new in results if not new],
            }
        )
        _note_words_past_the_limit(store)
        return
    for word, new in results:
        click.echo(f"added: {word.word}" if new else f"already there: {word.word}")
    _note_words_past_the_limit(store)


def _note_words_past_the_limit(store) -> None:
    from voice.vocabulary import MAX_WORDS

    count = len(store.own_words())
    if count > MAX_WORDS:  # kept, but the recognizer would skip the oldest without a word
        click.echo(
            f"note: you have {count} words; the recognizer uses the newest {MAX_WORDS}",
            err=True,
        )


@vocab_group.command("list")
@click.option("--all", "show_all", is_flag=True, help="Also the words Ting gathers itself.")
@click.option("--json", "as_json", is_flag=True)
def vocab_list(show_all: bool, as_json: bool) -> None:
    """Your words (newest first); with --all, also those from the ledger, glossary,
    meetings and typed history, with where each came from."""
    store = _store()
    words = store.all_words() if show_all else store.own_words()
    if as_json:
        from assistant.cli_kit import emit_json

        emit_json({"words": [w.to_dict() for w in words]})
        return
    if not words:
        click.echo("(no vocabulary words yet: `ting vocab add WORD`)")
    for w in words:
        click.echo(f"{w.word}\t{w.source}" if show_all else w.word)


@vocab_group.command("remove")
@click.argument("word")
@click.option("--json", "as_json", is_flag=True)
def vocab_remove(word: str, as_json: bool) -> None:
    """Remove one of your words."""
    if not _store().remove(word):
        raise UsageError(f"{word!r} is not in your vocabulary (see `ting vocab list`)")
    if as_json:
        from assistant.cli_kit import emit_json

        emit_json({"removed": word})
    else:
        click.echo(f"removed: {word}")
