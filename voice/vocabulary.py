"""The personal vocabulary the recognizer sees: the user's own words and what Ting
already knows about them.

Words come from (first to last, as they are offered to the decoder):

* ``user`` — added with ``ting vocab add``, in the settings window, or by a spoken or
  typed correction ("不对，是滨海新区"), kept in ``vocabulary_words`` (own migrations,
  ``Migrations("vocabulary")``, in the one local database);
* ``ledger`` — the items of the ledger (the most used first);
* ``glossary`` — the translation glossary's terms and their Chinese renderings;
* ``meetings`` — meeting titles, and the owners of their action items (the people);
* ``history`` — quoted phrases and Latin names in what the user typed lately.

Nothing here reaches Whisper by itself: ``voice.asr`` shows the decoder only the few
words a first decode sounds like (``voice.pinyin_match.relevant_words``, at most
``PROMPT_WORDS`` of them and ``PROMPT_CHARS`` characters), so a long list cannot be read
back as text, and replaces spans only on strong evidence.
"""

from __future__ import annotations

import datetime as _dt
import json
import re
import sqlite3
import threading
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlite_utils

from assistant.errors import UsageError
from assistant.migrations import Migrations

if TYPE_CHECKING:
    from assistant.history import HistoryStore

MIGRATIONS = Migrations("vocabulary")

SOURCES = ("user", "ledger", "glossary", "meetings", "history")
MAX_WORD_CHARS = 24  # a word, a name, a place: not a sentence
MAX_WORDS = 2000  # considered for each utterance (matching is by pinyin, in Python)
PROMPT_WORDS = 12  # shown to the decoder at once
PROMPT_CHARS = 60
REFRESH_S = 2.0  # the recognizer re-reads the database at most this often

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")


@MIGRATIONS
def m001_vocabulary_words(db: sqlite_utils.Database) -> None:
    db.execute(
        """
        create table vocabulary_words (
            word text primary key collate nocase,
            source text not null default 'user',
            added_at text not null
        )
        """
    )


def clean_word(raw: str) -> str:
    """A vocabulary word as stored: trimmed, inner spaces kept for Latin names only;
    a bad one raises ``UsageError`` with the reason."""
    # Whisper never writes invisible or control characters, so a word holding one could
    # never be heard: zero-width spaces and marks pasted along are dropped, the rest refused
    raw = "".join(ch for ch in raw if unicodedata.category(ch) != "Cf")
    word = " ".join(raw.split()).strip(" ，。、,.!?！？;；:：\"'“”‘’「」『』()（）")
    if _CJK.search(word):
        word = word.replace(" ", "")
    if not word:
        raise UsageError("a vocabulary word cannot be empty")
    if any(unicodedata.category(ch) == "Cc" for ch in word):
        raise UsageError(f"a vocabulary word cannot hold control characters: {word[:30]!r}")
    if not any(unicodedata.category(ch).startswith("L") for ch in word):
        raise UsageError(
            f"a vocabulary word needs letters or Chinese characters, not only digits or "
            f"symbols: {word[:30]!r}"
        )
    if len(word) > MAX_WORD_CHARS:
        raise UsageError(
            f"a vocabulary word is at most {MAX_WORD_CHARS} characters "
            f"(a word or a name, not a sentence): {word[:30]!r}…"
        )
    if _CJK.search(word) and len(word) < 2:
        raise UsageError(f"a Chinese vocabulary word needs two characters or more: {word!r}")
    if not _CJK.search(word) and len(word) < 2:
        raise UsageError(f"a vocabulary word needs two letters or more: {word!r}")
    return word


@dataclass(frozen=True)
class VocabularyWord:
    word: str
    source: str
    added_at: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"word": self.word, "source": self.source, "added_at": self.added_at}


def _insert(
    conn: sqlite3.Connection, words: list[str], source: str
) -> list[tuple[VocabularyWord, bool]]:
    """Each word inserted unless there; with whether it is new."""
    now = _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")
    results: list[tuple[VocabularyWord, bool]] = []
    for word in words:
        cur = conn.execute(
            "insert or ignore into vocabulary_words (word, source, added_at) values (?, ?, ?)",
            (word, source, now),
        )
        results.append((VocabularyWord(word, source, now), cur.rowcount == 1))
    return results


class VocabularyStore:
    """The user's own words (``ting vocab``), over the history store's database."""

    def __init__(self, history: HistoryStore) -> None:
        self.history = history
        self.db = history.db
        history.migrate(MIGRATIONS)

    def add(self, raw: str, source: str = "user") -> tuple[VocabularyWord, bool]:
        """Add a word; returns it and whether it is new."""
        return self.add_many([raw], source)[0]

    def add_many(self, raws: list[str], source: str = "user") -> list[tuple[VocabularyWord, bool]]:
        """Add words in one transaction: all of them or, when the database fails (locked,
        full), none, so a failed ``ting vocab add`` leaves no unreported half."""
        words = [clean_word(raw) for raw in raws]
        with self.history.transaction() as conn:
            return _insert(conn, words, source)

    def change(self, added: list[str], removed: list[str]) -> None:
        """The settings window's save: words added and removed in one transaction, so a
        database failure leaves the list as it was, not half changed."""
        words = [clean_word(raw) for raw in added]
        with self.history.transaction() as conn:
            _insert(conn, words, "user")
            conn.executemany("delete from vocabulary_words where word = ?", [(w,) for w in removed])

    def remove(self, raw: str) -> bool:
        word = " ".join(raw.split()).strip()
        try:  # also the word as ``add`` stored it ("滨海 新区" was added as 滨海新区)
            stored = clean_word(raw)
        except UsageError:
            stored = word
        with self.history.transaction() as conn:
            cur = conn.execute("delete from vocabulary_words where word in (?, ?)", (word, stored))
        return cur.rowcount > 0

    def own_words(self) -> list[VocabularyWord]:
        rows = self.db.execute(
            "select word, source, added_at from vocabulary_words order by added_at desc, word"
        ).fetchall()
        return [VocabularyWord(*row) for row in rows]

    def all_words(self) -> list[VocabularyWord]:
        """The user's words, then what Ting knows (see the module docstring), no repeats,
        at most ``MAX_WORDS``."""
        return collect_words(self.db.conn, self.own_words())


def _rows(conn: sqlite3.Connection, sql: str) -> list[tuple]:
    try:
        return conn.execute(sql).fetchall()
    except sqlite3.OperationalError:  # that skill never opened its tables here
        return []


def _candidates(text: str) -> list[str]:
    """Words worth having from a free-text field: the whole of a short one, else nothing."""
    text = " ".join((text or "").split()).strip()
    try:
        return [clean_word(text)] if text else []
    except UsageError:
        return []


_QUOTED = re.compile(r"[“\"「『]([^”\"」』]{2,24})[”\"」』]")
_LATIN_NAME = re.compile(r"\b[A-Z][A-Za-z0-9]*[A-Z0-9][A-Za-z0-9]*\b|\b[A-Z][a-z]{3,}\b")


def collect_words(conn: sqlite3.Connection, own: list[VocabularyWord]) -> list[VocabularyWord]:
    # the newest of the user's own words when there are more than MAX_WORDS: each one
    # costs pinyin matching on every utterance (20,000 words were seconds per request)
    found: list[VocabularyWord] = list(own[:MAX_WORDS])
    seen = {w.word.lower() for w in found}

    def offer(text: str, source: str) -> None:
        for word in _candidates(text):
            if word.lower() not in seen and len(found) < MAX_WORDS:
                seen.add(word.lower())
                found.append(VocabularyWord(word, source))

    for (item,) in _rows(
        conn,
        "select item from ledger_entries where deleted_at is null and item != ''"
        " group by item order by count(*) desc, max(created_at) desc limit 500",
    ):
        offer(item, "ledger")
    for term, translation in _rows(
        conn, "select term, translation from translation_glossary order by created_at desc"
    ):
        offer(term, "glossary")
        if _CJK.search(translation or ""):
            offer(translation, "glossary")
    for title, notes in _rows(
        conn, "select title, notes_json from meetings order by created_at desc limit 100"
    ):
        offer(title, "meetings")
        try:
            items = json.loads(notes or "{}").get("action_items", [])
        except (ValueError, AttributeError):
            items = []
        for item in items:
            if isinstance(item, dict) and item.get("owner"):
                offer(str(item["owner"]), "meetings")
    for (text,) in _rows(
        conn,
        "select input_text from exchanges where origin = 'typed'"
        " order by created_at desc limit 200",
    ):
        for phrase in _QUOTED.findall(text or ""):
            offer(phrase, "history")
        for name in _LATIN_NAME.findall(text or ""):
            offer(name, "history")
    return found


class VocabularySource:
    """What the recognizer asks for its vocabulary: the words in the data folder's
    database, re-read at most every ``REFRESH_S`` (a ``ting vocab add`` in another
    process shows up on the next utterance)."""

    def __init__(self, database: Path | Callable[[], Path]) -> None:
        self._database = database
        self._lock = threading.Lock()
        self._words: list[str] = []
        self._read_at = 0.0

    def words(self) -> list[str]:
        with self._lock:
            if time.monotonic() - self._read_at >= REFRESH_S:
                self._words = self._read()
                self._read_at = time.monotonic()
            return list(self._words)

    def _read(self) -> list[str]:
        path = self._database() if callable(self._database) else self._database
        if not Path(path).exists():
            return []
        try:
            conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=1.0)
        except sqlite3.Error:
            return []
        try:
            own = [
                VocabularyWord(*row)
                for row in _rows(
                    conn,
                    "select word, source, added_at from vocabulary_words"
                    " order by added_at desc, word",
                )
            ]
            return [w.word for w in collect_words(conn, own)]
        finally:
            conn.close()


def prompt_words(words: list[str]) -> list[str]:
    """At most ``PROMPT_WORDS`` of ``words`` (in order) and ``PROMPT_CHARS`` characters."""
    chosen: list[str] = []
    size = 0
    for word in words:
        if len(chosen) >= PROMPT_WORDS or size + len(word) > PROMPT_CHARS:
            break
        chosen.append(word)
        size += len(word) + 1
    return chosen
