"""The local history: every exchange (what was asked, from where, which skill, what came
back, how long it took, what failed), in SQLite with full-text search.

* sqlite-utils over one connection, WAL, ``synchronous=FULL``: a row reported committed
  survives a killed process (and a power cut).
* Migrations are applied by the store itself on open (``assistant.migrations``).
* Full-text search is FTS5 over a *segmented* copy of the text: every CJK character is
  its own token, so the query 午饭 becomes the phrase "午 饭" and finds 昨天午饭花了三十五
  without a dictionary; Latin words are matched as prefixes.
* One writer: writes from several threads of one process go through ``write_lock``;
  other processes wait on SQLite's lock (busy timeout) and get a clear error if it
  stays locked.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import re
import sqlite3
import threading
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlite_utils

from assistant.errors import StorageError, UsageError
from assistant.migrations import Migrations

MIGRATIONS = Migrations("history")

ORIGINS = ("voice", "typed", "cli", "mcp")  # mcp: a write asked for over `ting mcp serve`
STATUSES = ("running", "ok", "error", "cancelled", "needs_confirmation")

_CJK = (
    "\u3040-\u30ff"  # hiragana, katakana
    "\u3400-\u4dbf"  # CJK extension A
    "\u4e00-\u9fff"  # CJK unified ideographs
    "\uac00-\ud7af"  # hangul syllables
    "\uf900-\ufaff"  # CJK compatibility ideographs
)
_CJK_CHAR = re.compile(f"([{_CJK}])")
_HAS_CJK = re.compile(f"[{_CJK}]")
_TOKEN = re.compile(rf"[{_CJK}]|[^\W_{_CJK}]+", re.UNICODE)


_DIGIT_LETTER = re.compile(r"(?<=\d)(?=[^\W\d_])|(?<=[^\W\d_])(?=\d)")


def segment(text: str) -> str:
    """Text as FTS5 will index it: CJK characters spaced apart, and digits split from
    letters (``花了35块`` → ``花 了 35 块``, ``iphone15`` → ``iphone 15``)."""
    return _DIGIT_LETTER.sub(" ", _CJK_CHAR.sub(r" \1 ", text))


def fts_query(query: str, *, prefix: bool = True) -> str:
    """A user's query as an FTS5 MATCH expression (all terms must match).

    Each term becomes a phrase of its tokens (``午饭`` → ``"午 饭"``, ``iphone15`` →
    ``"iphone 15"``); with ``prefix`` a term ending in a Latin word also matches words
    that start with it (``lunch`` → ``"lunch"*``). FTS5 syntax characters in the query
    are never interpreted.
    """
    parts: list[str] = []
    for term in query.split():
        tokens = _TOKEN.findall(segment(term))
        if not tokens:
            continue
        phrase = '"' + " ".join(tokens) + '"'
        if prefix and not _HAS_CJK.search(tokens[-1]):
            phrase += "*"
        parts.append(phrase)
    return " AND ".join(parts)


LONG_TERM = 5  # prefixes shorter than this use FTS5's own prefix index ('2 3 4')
MAX_EXPANSION = 64


def _fold(token: str) -> str:
    """A token as unicode61 with remove_diacritics folds it (lower case, no accents)."""
    decomposed = unicodedata.normalize("NFKD", token.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def long_terms(text: str) -> set[str]:
    """The distinct non-CJK words of ``LONG_TERM`` or more letters in ``text``."""
    return {
        _fold(t)
        for t in _TOKEN.findall(segment(text))
        if len(t) >= LONG_TERM and not _HAS_CJK.search(t)
    }


@MIGRATIONS
def m001_exchanges(db: sqlite_utils.Database) -> None:
    db.execute(
        """
        create table exchanges (
            id integer primary key,
            created_at text not null,
            origin text not null,
            input_text text not null,
            skill text,
            route_source text,
            confidence real,
            status text not null,
            output_text text,
            output_json text,
            error text,
            duration_ms integer,
            timings_json text,
            parent_id integer references exchanges(id) on delete set null
        )
        """
    )
    db.execute("create index exchanges_created on exchanges(created_at)")
    db.execute("create index exchanges_skill on exchanges(skill)")
    db.execute(
        "create virtual table exchanges_fts using fts5(body,"
        " tokenize='unicode61 remove_diacritics 2', prefix='2 3 4')"
    )


@MIGRATIONS
def m002_long_terms(db: sqlite_utils.Database) -> None:
    """Distinct long words, so a long prefix expands to exact words in a B-tree scan
    (FTS5's own prefix query on a common long prefix reads the whole doclist)."""
    db.execute("create table exchanges_terms (term text primary key) without rowid")
    for (text,) in db.execute(
        "select coalesce(input_text, '') || ' ' || coalesce(output_text, '') from exchanges"
    ):
        db.conn.executemany(
            "insert or ignore into exchanges_terms (term) values (?)",
            [(t,) for t in long_terms(text)],
        )


@MIGRATIONS
def m003_owner_pid(db: sqlite_utils.Database) -> None:
    """Which process is answering a running exchange, so one whose process died (SIGKILL,
    power loss) can be closed as interrupted instead of showing as running forever."""
    db.execute("alter table exchanges add column owner_pid integer")
    db.execute("create index exchanges_running on exchanges(id) where status = 'running'")


@MIGRATIONS
def m004_heard(db: sqlite_utils.Database) -> None:
    """For a voice request the recognizer corrected (its vocabulary's homophone pass):
    the text as heard and the corrections, kept beside the corrected input."""
    db.execute("alter table exchanges add column heard_json text")


@MIGRATIONS
def m005_route(db: sqlite_utils.Database) -> None:
    """How a request was routed: the candidates with their scores and every hand-back
    (a skill that found nothing to act on, and why), as JSON beside the skill that
    answered."""
    db.execute("alter table exchanges add column route_json text")


INTERRUPTED = "interrupted: the process ended before the answer was finished"


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # signal 0: nothing is sent, only whether the process exists
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


@dataclass(frozen=True)
class Exchange:
    id: int
    created_at: str
    origin: str
    input_text: str
    skill: str | None
    route_source: str | None
    confidence: float | None
    status: str
    output_text: str | None
    output: Any
    error: str | None
    duration_ms: int | None
    timings: dict[str, Any]
    parent_id: int | None
    route: dict[str, Any] | None = None  # {"candidates", "handed_back", …} (see m005_route)
    heard: dict[str, Any] | None = None  # {"raw_text", "corrections"} (see m004_heard)

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Exchange:
        return cls(
            id=row["id"],
            created_at=row["created_at"],
            origin=row["origin"],
            input_text=row["input_text"],
            skill=row["skill"],
            route_source=row["route_source"],
            confidence=row["confidence"],
            status=row["status"],
            output_text=row["output_text"],
            output=json.loads(row["output_json"]) if row["output_json"] else None,
            error=row["error"],
            duration_ms=row["duration_ms"],
            timings=json.loads(row["timings_json"]) if row["timings_json"] else {},
            parent_id=row["parent_id"],
            route=json.loads(row["route_json"]) if row.get("route_json") else None,
            heard=json.loads(row["heard_json"]) if row.get("heard_json") else None,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "created_at": self.created_at,
            "origin": self.origin,
            "input": self.input_text,
            "skill": self.skill,
            "route_source": self.route_source,
            "confidence": self.confidence,
            "status": self.status,
            "output": self.output_text,
            "data": self.output,
            "error": self.error,
            "duration_ms": self.duration_ms,
            "timings": self.timings,
            "parent_id": self.parent_id,
            "route": self.route,
            **({"heard": self.heard} if self.heard else {}),
        }


def _now() -> str:
    return _dt.datetime.now(_dt.UTC).isoformat(timespec="milliseconds")


class HistoryStore:
    """The one local database; the history tables and a shared connection for skills."""

    def __init__(self, path: Path | str, *, busy_timeout_s: float = 5.0) -> None:
        self.path = Path(path)
        self.write_lock = threading.RLock()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(
                str(self.path),
                timeout=busy_timeout_s,
                isolation_level=None,  # autocommit; transactions are explicit
                check_same_thread=False,
            )
            conn.execute("pragma journal_mode=wal")
            conn.execute("pragma synchronous=full")
            conn.execute("pragma foreign_keys=on")
            self.db = sqlite_utils.Database(conn)
            self.migrate(MIGRATIONS)
            self._close_orphans()
        except sqlite3.DatabaseError as exc:
            raise _storage_error(self.path, exc) from None
        except OSError as exc:
            raise StorageError(f"cannot open the database {self.path}: {exc.strerror}") from None

    def close(self) -> None:
        self.db.conn.close()

    def _close_orphans(self) -> None:
        """Running exchanges whose process is gone become errors saying so (POSIX only:
        on Windows signal 0 is not a harmless probe). A locked database is left for the
        next open."""
        if os.name != "posix":
            return
        rows = self.db.execute(
            "select id, owner_pid from exchanges where status = 'running' and owner_pid is not null"
        ).fetchall()
        dead = [row_id for row_id, pid in rows if pid != os.getpid() and not _process_alive(pid)]
        if not dead:
            return
        try:
            with self.transaction() as conn:
                conn.executemany(
                    "update exchanges set status = 'error', error = ? "
                    "where id = ? and status = 'running'",
                    [(INTERRUPTED, row_id) for row_id in dead],
                )
        except StorageError:
            pass  # another process holds the write lock: it will be done next time

    def migrate(self, migrations: Migrations) -> list[str]:
        """Apply a table owner's migrations under the write lock: the connection is shared
        by threads, and a migration's BEGIN inside another thread's transaction fails."""
        with self.write_lock:
            try:
                return migrations.apply(self.db)
            except sqlite3.DatabaseError as exc:
                raise _storage_error(self.path, exc) from None

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """``BEGIN IMMEDIATE`` … ``COMMIT`` under the write lock; errors become StorageError."""
        with self.write_lock:
            conn = self.db.conn
            try:
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                raise _storage_error(self.path, exc) from None
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            try:
                conn.execute("COMMIT")
            except sqlite3.DatabaseError as exc:
                conn.execute("ROLLBACK")
                raise _storage_error(self.path, exc) from None

    # -- writing ---------------------------------------------------------------------

    def start(
        self,
        input_text: str,
        *,
        origin: str = "cli",
        skill: str | None = None,
        route_source: str | None = None,
        confidence: float | None = None,
        parent_id: int | None = None,
        route: dict[str, Any] | None = None,
        heard: dict[str, Any] | None = None,
    ) -> int:
        """Record that an exchange began; returns its id (status ``running``). ``route``:
        how the router chose the skill (``RouteDecision.to_dict``); ``heard``: the
        recognizer's text before its corrections, for a voice request."""
        if origin not in ORIGINS:
            raise UsageError(f"unknown origin {origin!r} (one of {', '.join(ORIGINS)})")
        with self.transaction() as conn:
            cur = conn.execute(
                "insert into exchanges (created_at, origin, input_text, skill, route_source,"
                " confidence, status, parent_id, owner_pid, route_json, heard_json)"
                " values (?, ?, ?, ?, ?, ?, 'running', ?, ?, ?, ?)",
                (
                    _now(),
                    origin,
                    input_text,
                    skill,
                    route_source,
                    confidence,
                    parent_id,
                    os.getpid(),
                    json.dumps(route, ensure_ascii=False) if route is not None else None,
                    json.dumps(heard, ensure_ascii=False) if heard else None,
                ),
            )
            row_id = int(cur.lastrowid)
            conn.execute(
                "insert into exchanges_fts (rowid, body) values (?, ?)",
                (row_id, segment(input_text)),
            )
            self._add_terms(conn, input_text)
        return row_id

    @staticmethod
    def _add_terms(conn: sqlite3.Connection, text: str) -> None:
        conn.executemany(
            "insert or ignore into exchanges_terms (term) values (?)",
            [(t,) for t in long_terms(text)],
        )

    def finish(
        self,
        exchange_id: int,
        *,
        status: str,
        output_text: str | None = None,
        output: Any = None,
        error: str | None = None,
        duration_ms: int | None = None,
        timings: dict[str, Any] | None = None,
        skill: str | None = None,
    ) -> None:
        if status not in STATUSES:
            raise ValueError(f"bad status {status!r}")
        with self.transaction() as conn:
            row = conn.execute(
                "select input_text from exchanges where id = ?", (exchange_id,)
            ).fetchone()
            if row is None:
                return  # deleted meanwhile: nothing to update
            conn.execute(
                "update exchanges set status = ?, output_text = ?, output_json = ?, error = ?,"
                " duration_ms = ?, timings_json = ?, skill = coalesce(?, skill) where id = ?",
                (
                    status,
                    output_text,
                    json.dumps(output, ensure_ascii=False) if output is not None else None,
                    error,
                    duration_ms,
                    json.dumps(timings or {}),
                    skill,
                    exchange_id,
                ),
            )
            body = segment(row[0] + "\n" + (output_text or ""))
            conn.execute("delete from exchanges_fts where rowid = ?", (exchange_id,))
            conn.execute(
                "insert into exchanges_fts (rowid, body) values (?, ?)", (exchange_id, body)
            )
            self._add_terms(conn, output_text or "")

    def hand_back(self, exchange_id: int, *, skill: str, route: dict[str, Any]) -> None:
        """A skill handed the request back and ``skill`` takes it over: the row names the
        skill now answering, and ``route`` (with its ``handed_back`` list) says why."""
        with self.transaction() as conn:
            conn.execute(
                "update exchanges set skill = ?, route_json = ? where id = ?",
                (skill, json.dumps(route, ensure_ascii=False), exchange_id),
            )

    def record(self, input_text: str, output_text: str, **kw: Any) -> int:
        """Start and finish in one go (status ok unless given)."""
        status = kw.pop("status", "ok")
        start_keys = ("origin", "skill", "route_source", "confidence", "parent_id")
        start_kw = {k: kw.pop(k) for k in start_keys if k in kw}
        row_id = self.start(input_text, **start_kw)
        self.finish(row_id, status=status, output_text=output_text, **kw)
        return row_id

    def delete(self, exchange_id: int) -> bool:
        with self.transaction() as conn:
            cur = conn.execute("delete from exchanges where id = ?", (exchange_id,))
            conn.execute("delete from exchanges_fts where rowid = ?", (exchange_id,))
            return cur.rowcount > 0

    # -- reading ---------------------------------------------------------------------

    def get(self, exchange_id: int) -> Exchange | None:
        rows = list(self.db.query("select * from exchanges where id = ?", [exchange_id]))
        return Exchange.from_row(rows[0]) if rows else None

    def list(self, limit: int = 20, *, skill: str | None = None) -> list[Exchange]:
        sql = "select * from exchanges"
        params: list[Any] = []
        if skill:
            sql += " where skill = ?"
            params.append(skill)
        sql += " order by id desc limit ?"
        params.append(limit)
        return [Exchange.from_row(r) for r in self.db.query(sql, params)]

    def search(self, query: str, limit: int = 20) -> list[Exchange]:
        """Exchanges whose input or output matches every term of ``query``, newest first.

        Whole-word matches first (FTS5 reads them lazily, newest first, so a common word
        costs no more than a rare one); only when those do not fill ``limit`` are words
        that merely start with a term added (``lun`` finds ``lunch``).
        """
        exact = fts_query(query, prefix=False)
        if not exact:
            raise UsageError("nothing to search for: the query has no words")
        ids = self._match_ids(exact, limit)
        widened = self._prefix_query(query)
        if len(ids) < limit and widened != exact:
            seen = set(ids)
            ids += [i for i in self._match_ids(widened, limit) if i not in seen]
            ids = sorted(ids, reverse=True)[:limit]
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        rows = self.db.query(f"select * from exchanges where id in ({marks}) order by id desc", ids)
        return [Exchange.from_row(r) for r in rows]

    def _prefix_query(self, query: str) -> str:
        """Like ``fts_query(prefix=True)``, but a single long word becomes an OR of the
        known words it starts (``coffe`` → ``("coffee" OR "coffees")``)."""
        parts: list[str] = []
        for term in query.split():
            tokens = _TOKEN.findall(segment(term))
            if not tokens:
                continue
            last = tokens[-1]
            if len(tokens) == 1 and len(last) >= LONG_TERM and not _HAS_CJK.search(last):
                start = _fold(last)
                words = [
                    r[0]
                    for r in self.db.execute(
                        "select term from exchanges_terms where term >= ? and term < ?"
                        " order by term limit ?",
                        [start, start + "\U0010ffff", MAX_EXPANSION + 1],
                    )
                ]
                if 0 < len(words) <= MAX_EXPANSION:
                    parts.append("(" + " OR ".join(f'"{w}"' for w in words) + ")")
                    continue
            phrase = '"' + " ".join(tokens) + '"'
            if not _HAS_CJK.search(last):
                phrase += "*"
            parts.append(phrase)
        return " AND ".join(parts)

    def _match_ids(self, match: str, limit: int) -> list[int]:
        try:
            return [
                r[0]
                for r in self.db.execute(
                    "select rowid from exchanges_fts where exchanges_fts match ?"
                    " order by rowid desc limit ?",
                    [match, limit],
                )
            ]
        except sqlite3.OperationalError as exc:
            raise _storage_error(self.path, exc) from None

    def count(self) -> int:
        return int(self.db.execute("select count(*) from exchanges").fetchone()[0])


def _storage_error(path: Path, exc: sqlite3.DatabaseError) -> StorageError:
    text = str(exc)
    if "locked" in text or "busy" in text:
        return StorageError(
            f"the database {path} is locked by another process",
            hint="close the other Ting, or try again in a moment",
        )
    if "not a database" in text or "malformed" in text:
        return StorageError(
            f"the database {path} is damaged ({text})",
            hint="move it aside; Ting starts a new one",
        )
    if "readonly" in text:
        return StorageError(f"the database {path} is read-only")
    if "unable to open" in text and not os.access(path.parent, os.W_OK):
        # SQLite needs to write its journal beside the file, not only the file itself
        return StorageError(
            f"cannot write to the folder {path.parent}",
            hint="check its permissions, or point TING_HOME at a folder you can write",
        )
    return StorageError(f"database error in {path}: {text}")
