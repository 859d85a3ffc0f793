"""The file-system shell around the pure engine: one root folder, nothing outside it.

``PatchWorkspace(root)`` reads the files a patch names (refusing absolute paths, ``..``,
symlinks that leave the root, anything under ``.git/``, and anything that is not a
regular file), runs the engine, and writes all results or none: every new text is staged
first, then each file is replaced by a temp file + rename that keeps its mode; if a
write fails midway, the files already written are put back. Every apply is recorded in
the undo journal before the first file changes.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from assistant.errors import StorageError, UsageError
from skills.diffgen.apply_engine import FileOutcome, PatchOutcome, apply_patch
from skills.diffgen.patch_errors import UnsafePath
from skills.diffgen.patch_model import Patch
from skills.diffgen.patch_parser import parse_patch

MAX_FILE_BYTES = 8 * 1024 * 1024
_DRIVE = re.compile(r"^[A-Za-z]:[\\/]")


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@dataclass(frozen=True)
class FileWrite:
    """One staged change: ``text`` None deletes the file."""

    relpath: str  # relative to the root, symlinks resolved
    target: Path
    text: str | None
    mode: int | None


@dataclass
class ApplyReport:
    root: Path
    outcome: PatchOutcome
    patch_format: str
    checked_only: bool
    journal_id: str | None = None

    def to_dict(self) -> dict[str, object]:
        return {
            "ok": True,
            "check": self.checked_only,
            "root": str(self.root),
            "format": self.patch_format,
            "journal": self.journal_id,
            **self.outcome.to_dict(),
        }


@dataclass
class _Done:
    target: Path
    previous: bytes | None  # None: the file did not exist
    previous_mode: int | None


@dataclass
class FileTransaction:
    """Writes a list of staged changes all or nothing."""

    writes: list[FileWrite]
    created_dirs: list[Path] = field(default_factory=list)

    def run(self) -> None:
        done: list[_Done] = []
        try:
            for write in sorted(self.writes, key=lambda w: w.text is None):
                previous, previous_mode = _snapshot(write.target)
                if write.text is None:
                    if previous is not None:
                        os.unlink(write.target)
                else:
                    self._make_parents(write.target)
                    mode = write.mode if write.mode is not None else previous_mode
                    atomic_write(write.target, write.text.encode("utf-8"), mode)
                done.append(_Done(write.target, previous, previous_mode))
        except OSError as exc:
            failed = _describe(exc)
            problems = self._roll_back(done)
            if problems:
                raise StorageError(
                    f"writing failed ({failed}) and rolling back failed too: {problems}"
                ) from exc
            raise StorageError(f"writing failed, nothing changed: {failed}") from exc

    def _make_parents(self, target: Path) -> None:
        missing: list[Path] = []
        parent = target.parent
        while not parent.exists():
            missing.append(parent)
            parent = parent.parent
        for directory in reversed(missing):
            os.mkdir(directory)
            self.created_dirs.append(directory)

    def _roll_back(self, done: list[_Done]) -> str:
        problems: list[str] = []
        for item in reversed(done):
            try:
                if item.previous is None:
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(item.target)
                else:
                    atomic_write(item.target, item.previous, item.previous_mode)
            except OSError as exc:
                problems.append(_describe(exc))
        for directory in reversed(self.created_dirs):
            with contextlib.suppress(OSError):
                os.rmdir(directory)
        return "; ".join(problems)


def _describe(exc: OSError) -> str:
    name = exc.filename if exc.filename else ""
    return f"{name}: {exc.strerror or exc}" if name else str(exc.strerror or exc)


def _snapshot(target: Path) -> tuple[bytes | None, int | None]:
    try:
        st = os.stat(target, follow_symlinks=False)
    except FileNotFoundError:
        return None, None
    return target.read_bytes(), stat.S_IMODE(st.st_mode)


def atomic_write(target: Path, data: bytes, mode: int | None) -> None:
    """Write ``data`` to ``target`` through a temp file in the same folder + rename."""
    if mode is None:
        mode = 0o666 & ~_current_umask()
    fd, tmp = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.name[:80]}.", suffix=".ting-tmp"
    )
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    with contextlib.suppress(OSError):
        dir_fd = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


class PatchWorkspace:
    """A root folder that patches are applied to, safely."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        given = Path(root)
        if not given.is_dir():
            raise UsageError(f"--root {given} is not a folder")
        self.root = Path(os.path.realpath(given))

    # ------------------------------------------------------------ paths

    def resolve(self, relpath: str, *, must_exist: bool = False) -> tuple[str, Path]:
        """(path relative to the root with symlinks resolved, absolute path) or UnsafePath."""
        shown = relpath
        if not relpath or "\x00" in relpath:
            raise UnsafePath(f"refused: empty or invalid file name {shown!r}")
        if relpath.startswith(("/", "\\")) or _DRIVE.match(relpath):
            raise UnsafePath(
                f"refused: {shown} is an absolute path; paths must be relative to the root"
            )
        parts = PurePosixPath(relpath).parts
        if any(part == ".." for part in parts) or any(p == ".." for p in relpath.split("\\")):
            raise UnsafePath(f"refused: {shown} contains '..'")
        if any(part.lower() == ".git" for part in parts):
            raise UnsafePath(f"refused: {shown} is under .git/")
        lexical = self.root.joinpath(*parts)
        real = Path(os.path.realpath(lexical))
        if real != self.root and self.root not in real.parents:
            raise UnsafePath(f"refused: {shown} leads outside the root through a symlink")
        inside = real.relative_to(self.root)
        if any(part.lower() == ".git" for part in inside.parts):
            raise UnsafePath(f"refused: {shown} leads under .git/ through a symlink")
        if real == self.root:
            raise UnsafePath(f"refused: {shown} is the root folder itself")
        try:
            st = os.stat(real)
        except FileNotFoundError:
            if must_exist:
                raise UnsafePath(f"{shown}: no such file") from None
        except OSError as exc:
            raise UnsafePath(f"refused: {shown}: {exc.strerror}") from None
        else:
            if not stat.S_ISREG(st.st_mode):
                raise UnsafePath(f"refused: {shown} is not a regular file")
        return inside.as_posix(), real

    def read_text(self, real: Path, shown: str) -> str:
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
        try:
            fd = os.open(real, flags)
        except OSError as exc:
            raise UnsafePath(f"refused: cannot read {shown}: {exc.strerror}") from None
        with os.fdopen(fd, "rb") as handle:
            st = os.fstat(handle.fileno())
            if not stat.S_ISREG(st.st_mode):
                raise UnsafePath(f"refused: {shown} is not a regular file")
            if st.st_size > MAX_FILE_BYTES:
                raise UnsafePath(f"refused: {shown} is larger than {MAX_FILE_BYTES // 2**20} MB")
            data = handle.read()
        if b"\x00" in data:
            raise UnsafePath(f"refused: {shown} is a binary file")
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            raise UnsafePath(f"refused: {shown} is not UTF-8 text") from None

    def read_files(self, patch: Patch) -> tuple[dict[str, str], dict[str, tuple[str, Path]]]:
        """Contents of every existing file the patch names, and where each name leads."""
        contents: dict[str, str] = {}
        where: dict[str, tuple[str, Path]] = {}
        for name in patch.paths:
            relpath, real = self.resolve(name)
            where[name] = (relpath, real)
            if real.exists():
                contents[name] = self.read_text(real, name)
        return contents, where

    # ------------------------------------------------------------ apply

    def plan(self, patch_text: str) -> tuple[Patch, PatchOutcome, dict[str, tuple[str, Path]]]:
        patch = parse_patch(patch_text)
        contents, where = self.read_files(patch)
        outcome = apply_patch(patch, contents)
        return patch, outcome, where

    def apply(self, patch_text: str, *, check: bool = False, journal=None) -> ApplyReport:
        """Apply ``patch_text`` (or, with ``check``, only work out what would happen)."""
        patch, outcome, where = self.plan(patch_text)
        report = ApplyReport(self.root, outcome, patch.format, checked_only=check)
        if check:
            return report
        writes = staged_writes(outcome, where)
        if journal is None:
            from skills.diffgen.undo_journal import UndoJournal

            journal = UndoJournal.default()
        entry = journal.begin(self.root, writes, outcome)
        transaction = FileTransaction(writes)
        try:
            transaction.run()
        except BaseException:
            journal.discard(entry)
            raise
        journal.finish(entry, transaction.created_dirs)
        report.journal_id = entry.id
        return report


def staged_writes(outcome: PatchOutcome, where: dict[str, tuple[str, Path]]) -> list[FileWrite]:
    writes: list[FileWrite] = []
    for file in outcome.files:
        writes.extend(_writes_for(file, where))
    targets = [w.target for w in writes]
    if len(set(targets)) != len(targets):
        raise UnsafePath("refused: two names in the patch lead to the same file")
    return writes


def _writes_for(file: FileOutcome, where: dict[str, tuple[str, Path]]) -> list[FileWrite]:
    relpath, real = where[file.path]
    if file.status == "deleted":
        return [FileWrite(relpath, real, None, None)]
    if file.status == "renamed":
        assert file.new_path is not None
        new_rel, new_real = where[file.new_path]
        mode = stat.S_IMODE(os.stat(real).st_mode)
        return [
            FileWrite(new_rel, new_real, file.new_text, mode),
            FileWrite(relpath, real, None, None),
        ]
    return [FileWrite(relpath, real, file.new_text, file.new_mode)]
