"""The undo journal: one JSON file per apply under ``data_dir()/diff-journal``.

An entry is written (state ``pending``) before the first file changes and marked
``applied`` after the last; it holds each file's text before the apply and a hash of its
text after. ``undo`` takes the newest entry not yet undone, refuses if any file is not
exactly as the apply left it, and otherwise puts every file back, all or nothing.
A ``pending`` entry (the process died mid-apply) can be undone too: files still as they
were before are left alone.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.atomic_write import write_atomically
from assistant.errors import StorageError
from assistant.paths import data_dir
from skills.diffgen.apply_engine import PatchOutcome
from skills.diffgen.patch_errors import UndoRefused
from skills.diffgen.workspace_files import (
    UNCHECKED,
    FileTransaction,
    FileWrite,
    WorkspaceRoot,
    remove_stale_temp_files,
    root_lock,
)

PENDING = "pending"
APPLIED = "applied"
UNDONE = "undone"


def _sha256(data: bytes | None) -> str | None:
    return None if data is None else hashlib.sha256(data).hexdigest()


@dataclass
class JournalEntry:
    id: str
    path: Path
    data: dict[str, Any]

    @property
    def root(self) -> str:
        return self.data["root"]

    @property
    def state(self) -> str:
        return self.data["state"]


@dataclass(frozen=True)
class UndoReport:
    entry_id: str
    root: str
    restored: list[str]

    def to_dict(self) -> dict[str, object]:
        return {"ok": True, "journal": self.entry_id, "root": self.root, "restored": self.restored}


class UndoJournal:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    @classmethod
    def default(cls) -> UndoJournal:
        return cls(data_dir() / "diff-journal")

    def _save(self, entry: JournalEntry) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            data = json.dumps(entry.data, ensure_ascii=False, indent=1).encode("utf-8")
            write_atomically(entry.path, data, 0o600)
        except OSError as exc:
            raise StorageError(
                f"cannot write the undo journal in {self.folder}: {exc.strerror}"
            ) from exc

    def begin(self, root: Path, writes: list, outcome: PatchOutcome) -> JournalEntry:
        entry_id = f"{time.time_ns():020d}"
        files = []
        for write in writes:
            try:
                before_mode: int | None = stat.S_IMODE(os.stat(write.target).st_mode)
                before = write.target.read_bytes()
            except FileNotFoundError:
                before, before_mode = None, None
            if write.expected is not UNCHECKED:
                # what the patch was planned from; the write refuses a file that differs
                before = write.expected  # type: ignore[assignment]
                if before is None:
                    before_mode = None
            after = None if write.text is None else write.text.encode("utf-8")
            files.append(
                {
                    "path": write.relpath,
                    "before": None if before is None else before.decode("utf-8"),
                    "before_sha256": _sha256(before),
                    "before_mode": before_mode,
                    "after_sha256": _sha256(after),
                }
            )
        data = {
            "id": entry_id,
            "state": PENDING,
            "root": str(root),
            "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "summary": [f"{f.status} {f.final_path}" for f in outcome.files],
            "files": files,
            "created_dirs": [],
        }
        entry = JournalEntry(entry_id, self.folder / f"{entry_id}.json", data)
        self._save(entry)
        return entry

    def finish(self, entry: JournalEntry, created_dirs: list[Path]) -> None:
        root = Path(entry.root)
        entry.data["created_dirs"] = [d.relative_to(root).as_posix() for d in created_dirs]
        entry.data["state"] = APPLIED
        self._save(entry)

    def discard(self, entry: JournalEntry) -> None:
        try:
            entry.path.unlink()
        except FileNotFoundError:
            pass

    def entries(self) -> list[JournalEntry]:
        if not self.folder.is_dir():
            return []
        out = []
        for path in sorted(self.folder.glob("*.json")):
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue  # a damaged entry is skipped, not fatal
            if _well_formed(data):
                out.append(JournalEntry(path.stem, path, data))
        return out

    def interrupted(self, root: Path) -> JournalEntry | None:
        """The newest apply in ``root`` that died before it finished (call under the
        folder's lock: a pending entry then belongs to a process that is gone)."""
        wanted = os.path.realpath(root)
        for entry in reversed(self.entries()):
            if entry.root == wanted and entry.state == PENDING:
                return entry
        return None

    def latest(self, root: Path | None = None) -> JournalEntry | None:
        wanted = None if root is None else os.path.realpath(root)
        for entry in reversed(self.entries()):
            if entry.state == UNDONE:
                continue
            if wanted is not None and entry.root != wanted:
                continue
            return entry
        return None

    def undo(self, root: Path | None = None) -> UndoReport:
        entry = self.latest(root)
        if entry is None:
            where = f" for {root}" if root is not None else ""
            raise UndoRefused(f"nothing to undo{where}")
        if not Path(entry.root).is_dir():
            raise UndoRefused(f"cannot undo: the folder {entry.root} is gone")
        workspace = WorkspaceRoot(entry.root)
        with root_lock(workspace.root):
            restored = self._undo_locked(entry, workspace)
        return UndoReport(entry.id, entry.root, restored)

    def _undo_locked(self, entry: JournalEntry, workspace) -> list[str]:
        writes: list[FileWrite] = []
        restored: list[str] = []
        targets: list[Path] = []
        for item in entry.data["files"]:
            relpath, real = workspace.resolve(item["path"])
            targets.append(real)
            current = None
            if real.exists():
                current = workspace.read_bytes(real, item["path"])
            now = _sha256(current)
            if now == item["before_sha256"] and entry.state == PENDING:
                continue  # a crashed apply never got to this file
            if now != item["after_sha256"]:
                raise UndoRefused(
                    f"cannot undo: {item['path']} changed since the patch was applied "
                    f"({entry.data.get('created_at', 'earlier')}); nothing was restored"
                )
            writes.append(FileWrite(relpath, real, item["before"], item["before_mode"], current))
            restored.append(item["path"])
        remove_stale_temp_files(targets)
        FileTransaction(writes).run()
        for rel in reversed(entry.data.get("created_dirs", [])):
            try:
                os.rmdir(Path(entry.root) / rel)
            except OSError:
                pass  # not empty any more: leave it
        entry.data["state"] = UNDONE
        self._save(entry)
        return restored


def _well_formed(data: Any) -> bool:
    """An entry this version can undo (a damaged or foreign file is skipped)."""
    if not isinstance(data, dict) or data.get("state") not in (PENDING, APPLIED, UNDONE):
        return False
    if not isinstance(data.get("root"), str) or not isinstance(data.get("files"), list):
        return False
    keys = ("path", "before", "before_sha256", "before_mode", "after_sha256")
    return all(isinstance(f, dict) and all(k in f for k in keys) for f in data["files"])
