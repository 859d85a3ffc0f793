"""The user's glossary: their own renderings of terms ("invoice" → "发票", "Ting" → "听").

Stored in the one local database under the skill's own migrations
(``Migrations("translation")``). ``entries_for(text)`` picks the entries that matter for
one translation: a term that occurs in the text (either side of the entry, so a glossary
written English → Chinese also steers Chinese → English).
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sqlite_utils

from assistant.errors import UsageError
from assistant.migrations import Migrations

if TYPE_CHECKING:
    from assistant.history import HistoryStore

MIGRATIONS = Migrations("translation")

MAX_TERM_LENGTH = 200


@MIGRATIONS
def m001_glossary(db: sqlite_utils.Database) -> None:
    db.execute(
        """
        create table translation_glossary (
            id integer primary key,
            term text not null,
            translation text not null,
            target_lang text not null default '',
            created_at text not null,
            unique (term collate nocase, target_lang)
        )
        """
    )


@dataclass(frozen=True)
class GlossaryEntry:
    id: int
    term: str
    translation: str
    target_lang: str  # "" when the entry holds for any target

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "term": self.term,
            "translation": self.translation,
            "target_lang": self.target_lang or None,
        }


_LATIN_WORD = re.compile(r"^[\w' -]+$", re.ASCII)


def occurs_in(term: str, text: str) -> bool:
    """Whole-word (Latin, plural -s/-es included) or plain substring (CJK) occurrence,
    ignoring case."""
    if not term:
        return False
    if _LATIN_WORD.match(term):
        pattern = rf"(?<![A-Za-z0-9]){re.escape(term)}(?:e?s)?(?![A-Za-z0-9])"
        return re.search(pattern, text, re.I) is not None
    return term.lower() in text.lower()


def _occurs_reversed(translation: str, text: str) -> bool:
    """A translation found in the text, for showing its entry reversed. A single CJK
    character is left out: "Ting → 听" must not turn every 听 ("请听我说") into "Ting"."""
    if len(translation.strip()) < 2 and not _LATIN_WORD.match(translation):
        return False
    return occurs_in(translation, text)


def relevant_entries(
    entries: list[GlossaryEntry], text: str, target_lang: str
) -> list[GlossaryEntry]:
    """The entries to put in the prompt for translating ``text`` into ``target_lang``.

    An entry counts when its term occurs in the text (and it is for this target or for
    any), or when its translation occurs in the text (the user translates back: the
    entry is then shown reversed).
    """
    chosen: list[GlossaryEntry] = []
    for entry in entries:
        reversed_ = _occurs_reversed(entry.translation, text)
        if entry.target_lang not in ("", target_lang) and not reversed_:
            continue
        if occurs_in(entry.term, text):
            chosen.append(entry)
        elif reversed_:
            chosen.append(GlossaryEntry(entry.id, entry.translation, entry.term, entry.target_lang))
    return chosen


class GlossaryStore:
    """Glossary rows in the history database (the store's connection and write lock)."""

    def __init__(self, history: HistoryStore) -> None:
        self.history = history
        history.migrate(MIGRATIONS)

    def add(self, term: str, translation: str, target_lang: str = "") -> GlossaryEntry:
        term, translation = term.strip(), translation.strip()
        if not term or not translation:
            raise UsageError("a glossary entry needs a term and its translation, both non-empty")
        if len(term) > MAX_TERM_LENGTH or len(translation) > MAX_TERM_LENGTH:
            raise UsageError(f"glossary terms are at most {MAX_TERM_LENGTH} characters")
        now = _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")
        with self.history.transaction() as conn:
            conn.execute(
                "insert into translation_glossary (term, translation, target_lang, created_at)"
                " values (?, ?, ?, ?) on conflict (term collate nocase, target_lang) do update set"
                " translation = excluded.translation",
                (term, translation, target_lang, now),
            )
            row = conn.execute(
                "select id, term, translation, target_lang from translation_glossary"
                " where term = ? collate nocase and target_lang = ?",
                (term, target_lang),
            ).fetchone()
        return GlossaryEntry(*row)

    def list(self) -> list[GlossaryEntry]:
        rows = self.history.db.execute(
            "select id, term, translation, target_lang from translation_glossary"
            " order by term collate nocase, target_lang"
        ).fetchall()
        return [GlossaryEntry(*row) for row in rows]

    def remove(self, term_or_id: str) -> int:
        """Delete entries by id or by term (every target); returns how many went."""
        with self.history.transaction() as conn:
            if term_or_id.isdigit():
                cur = conn.execute(
                    "delete from translation_glossary where id = ?", (int(term_or_id),)
                )
                if cur.rowcount:
                    return cur.rowcount
            cur = conn.execute(
                "delete from translation_glossary where term = ? collate nocase",
                (term_or_id.strip(),),
            )
            return cur.rowcount

    def entries_for(self, text: str, target_lang: str) -> list[GlossaryEntry]:
        return relevant_entries(self.list(), text, target_lang)
