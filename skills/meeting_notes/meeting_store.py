"""The meeting tables in the shared database: transcription checkpoints, notes, recordings.

* ``meeting_jobs``: one row per (file content, language, model): the chunk plan once made.
* ``meeting_chunks``: one row per transcribed chunk, written in its own transaction the
  moment the chunk is done, so a killed run loses at most the chunk in flight.
* ``meeting_summary_parts``: each map step's answer, keyed by what it was asked.
* ``meetings``: the finished notes (JSON and Markdown) and the history row they are in.
* ``meeting_recordings``: what ``ting meeting record`` wrote and whether it stopped cleanly.
"""

from __future__ import annotations

import datetime as _dt
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sqlite_utils

from assistant.errors import AudioError
from assistant.migrations import Migrations

if TYPE_CHECKING:
    from assistant.history import HistoryStore
    from skills.meeting_notes.notes_model import MeetingNotes

MIGRATIONS = Migrations("meeting_notes")


@MIGRATIONS
def m001_meeting_tables(db: sqlite_utils.Database) -> None:
    db.execute(
        """create table meeting_jobs (
            job_key text primary key,
            source_hash text not null,
            source_path text not null,
            language_requested text not null,
            asr_model text not null,
            language text,
            duration real,
            plan_json text,
            created_at text not null
        )"""
    )
    db.execute(
        """create table meeting_chunks (
            job_key text not null references meeting_jobs(job_key) on delete cascade,
            chunk_index integer not null,
            start_s real not null,
            end_s real not null,
            language text,
            segments_json text not null,
            seconds_taken real,
            transcribed_at text not null,
            primary key (job_key, chunk_index)
        )"""
    )
    db.execute(
        """create table meeting_summary_parts (
            job_key text not null,
            part_index integer not null,
            input_hash text not null,
            result_json text not null,
            created_at text not null,
            primary key (job_key, part_index, input_hash)
        )"""
    )
    db.execute(
        """create table meeting_recordings (
            id integer primary key,
            title text,
            path text not null,
            channels text not null,
            started_at text not null,
            stopped_at text,
            duration real,
            status text not null
        )"""
    )
    db.execute(
        """create table meetings (
            id integer primary key,
            created_at text not null,
            title text not null,
            source_path text not null,
            source_hash text,
            source_kind text not null,
            language text not null,
            duration real,
            offline integer not null,
            notes_json text not null,
            markdown text not null,
            history_id integer,
            recording_id integer references meeting_recordings(id) on delete set null
        )"""
    )
    db.execute("create index meetings_source on meetings(source_hash)")


@MIGRATIONS
def m002_recording_pid(db: sqlite_utils.Database) -> None:
    db.execute("alter table meeting_recordings add column pid integer")


@MIGRATIONS
def m003_job_damaged_seconds(db: sqlite_utils.Database) -> None:
    """Seconds of the file left silent for damaged packets, found while making the plan."""
    db.execute("alter table meeting_jobs add column damaged_seconds real")


def now_iso() -> str:
    return _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class StoredMeeting:
    id: int
    created_at: str
    title: str
    source_path: str
    source_kind: str
    language: str
    duration: float | None
    offline: bool
    notes_json: str
    history_id: int | None
    recording_id: int | None

    def notes(self) -> MeetingNotes:
        from skills.meeting_notes.notes_model import MeetingNotes

        return MeetingNotes.from_dict(json.loads(self.notes_json))

    def summary_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "created_at": self.created_at,
            "title": self.title,
            "source": self.source_path,
            "kind": self.source_kind,
            "language": self.language,
            "duration": self.duration,
            "offline": self.offline,
            "history_id": self.history_id,
            "recording_id": self.recording_id,
        }


@dataclass(frozen=True)
class Recording:
    id: int
    title: str | None
    path: str
    channels: list[str]
    started_at: str
    stopped_at: str | None
    duration: float | None
    status: str


class MeetingStore:
    """The meeting tables, over the history store's connection and write lock."""

    def __init__(self, history: HistoryStore) -> None:
        self.history = history
        self.db = history.db
        history.migrate(MIGRATIONS)

    # -- checkpoints -------------------------------------------------------------------

    def job(self, job_key: str) -> dict[str, Any] | None:
        rows = list(self.db.query("select * from meeting_jobs where job_key = ?", [job_key]))
        return rows[0] if rows else None

    def ensure_job(
        self, job_key: str, *, source_hash: str, source_path: str, language: str, model: str
    ) -> dict[str, Any]:
        with self.history.transaction() as conn:
            conn.execute(
                "insert or ignore into meeting_jobs (job_key, source_hash, source_path,"
                " language_requested, asr_model, created_at) values (?, ?, ?, ?, ?, ?)",
                (job_key, source_hash, source_path, language, model, now_iso()),
            )
            conn.execute(
                "update meeting_jobs set source_path = ? where job_key = ?", (source_path, job_key)
            )
        job = self.job(job_key)
        assert job is not None
        return job

    def save_plan(
        self, job_key: str, plan: list[dict[str, Any]], duration: float, damaged: float = 0.0
    ) -> None:
        with self.history.transaction() as conn:
            conn.execute(
                "update meeting_jobs set plan_json = ?, duration = ?, damaged_seconds = ?"
                " where job_key = ?",
                (json.dumps(plan), duration, damaged, job_key),
            )

    def set_job_language(self, job_key: str, language: str) -> None:
        with self.history.transaction() as conn:
            conn.execute(
                "update meeting_jobs set language = ? where job_key = ?", (language, job_key)
            )

    def finished_chunks(self, job_key: str) -> dict[int, dict[str, Any]]:
        rows = self.db.query(
            "select * from meeting_chunks where job_key = ? order by chunk_index", [job_key]
        )
        return {r["chunk_index"]: r for r in rows}

    def save_chunk(
        self,
        job_key: str,
        index: int,
        *,
        start_s: float,
        end_s: float,
        language: str,
        segments: list[dict[str, Any]],
        seconds_taken: float,
    ) -> None:
        with self.history.transaction() as conn:
            conn.execute(
                "insert or replace into meeting_chunks (job_key, chunk_index, start_s, end_s,"
                " language, segments_json, seconds_taken, transcribed_at)"
                " values (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    job_key,
                    index,
                    start_s,
                    end_s,
                    language,
                    json.dumps(segments, ensure_ascii=False),
                    seconds_taken,
                    now_iso(),
                ),
            )

    def summary_part(self, job_key: str, index: int, input_hash: str) -> dict[str, Any] | None:
        rows = list(
            self.db.query(
                "select result_json from meeting_summary_parts"
                " where job_key = ? and part_index = ? and input_hash = ?",
                [job_key, index, input_hash],
            )
        )
        return json.loads(rows[0]["result_json"]) if rows else None

    def save_summary_part(
        self, job_key: str, index: int, input_hash: str, result: dict[str, Any]
    ) -> None:
        with self.history.transaction() as conn:
            conn.execute(
                "insert or replace into meeting_summary_parts (job_key, part_index, input_hash,"
                " result_json, created_at) values (?, ?, ?, ?, ?)",
                (job_key, index, input_hash, json.dumps(result, ensure_ascii=False), now_iso()),
            )

    # -- notes -------------------------------------------------------------------------

    def save_meeting(
        self,
        notes: MeetingNotes,
        *,
        markdown: str,
        source_path: str,
        source_hash: str | None,
        source_kind: str,
        history_id: int | None,
        recording_id: int | None = None,
    ) -> int:
        with self.history.transaction() as conn:
            cur = conn.execute(
                "insert into meetings (created_at, title, source_path, source_hash, source_kind,"
                " language, duration, offline, notes_json, markdown, history_id, recording_id)"
                " values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    now_iso(),
                    notes.title,
                    source_path,
                    source_hash,
                    source_kind,
                    notes.language,
                    notes.duration,
                    int(notes.offline),
                    json.dumps(notes.to_dict(), ensure_ascii=False),
                    markdown,
                    history_id,
                    recording_id,
                ),
            )
            return int(cur.lastrowid)

    def meeting(self, meeting_id: int) -> StoredMeeting | None:
        rows = list(self.db.query("select * from meetings where id = ?", [meeting_id]))
        return _meeting(rows[0]) if rows else None

    def meetings(self, limit: int = 50) -> list[StoredMeeting]:
        rows = self.db.query("select * from meetings order by id desc limit ?", [limit])
        return [_meeting(r) for r in rows]

    def meeting_for_recording(self, recording_id: int) -> StoredMeeting | None:
        rows = list(
            self.db.query(
                "select * from meetings where recording_id = ? order by id desc limit 1",
                [recording_id],
            )
        )
        return _meeting(rows[0]) if rows else None

    # -- recordings --------------------------------------------------------------------

    def start_recording(
        self, title: str | None, path: str, channels: list[str], pid: int | None = None
    ) -> int:
        with self.history.transaction() as conn:
            cur = conn.execute(
                "insert into meeting_recordings (title, path, channels, started_at, status, pid)"
                " values (?, ?, ?, ?, 'recording', ?)",
                (title, path, json.dumps(channels), now_iso(), pid),
            )
            return int(cur.lastrowid)

    def settle_stale_recordings(self) -> list[int]:
        """Recordings whose recorder died: fix the WAV header, mark them interrupted."""
        from pathlib import Path

        from skills.meeting_notes.recorder import repair_wav_header

        settled: list[int] = []
        rows = list(
            self.db.query("select id, path, pid from meeting_recordings where status = 'recording'")
        )
        for row in rows:
            if row["pid"] and _process_alive(row["pid"]):
                continue
            try:
                duration = repair_wav_header(Path(row["path"]))
            except (OSError, AudioError):  # gone, or not a file we wrote
                duration = 0.0
            self.finish_recording(row["id"], duration=duration, status="interrupted")
            settled.append(row["id"])
        return settled

    def finish_recording(self, recording_id: int, *, duration: float, status: str) -> None:
        with self.history.transaction() as conn:
            conn.execute(
                "update meeting_recordings set stopped_at = ?, duration = ?, status = ?"
                " where id = ?",
                (now_iso(), duration, status, recording_id),
            )

    def recording(self, recording_id: int) -> Recording | None:
        rows = list(self.db.query("select * from meeting_recordings where id = ?", [recording_id]))
        return _recording(rows[0]) if rows else None

    def latest_recording(self) -> Recording | None:
        rows = list(self.db.query("select * from meeting_recordings order by id desc limit 1"))
        return _recording(rows[0]) if rows else None


def _process_alive(pid: int) -> bool:
    import os

    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, somebody else's
        return True
    return True


def _meeting(row: dict[str, Any]) -> StoredMeeting:
    return StoredMeeting(
        id=row["id"],
        created_at=row["created_at"],
        title=row["title"],
        source_path=row["source_path"],
        source_kind=row["source_kind"],
        language=row["language"],
        duration=row["duration"],
        offline=bool(row["offline"]),
        notes_json=row["notes_json"],
        history_id=row["history_id"],
        recording_id=row["recording_id"],
    )


def _recording(row: dict[str, Any]) -> Recording:
    return Recording(
        id=row["id"],
        title=row["title"],
        path=row["path"],
        channels=json.loads(row["channels"]),
        started_at=row["started_at"],
        stopped_at=row["stopped_at"],
        duration=row["duration"],
        status=row["status"],
    )
