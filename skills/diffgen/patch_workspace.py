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
import fcntl
import glob
import os
import re
import stat
import tempfile
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from assistant.errors import Cancelled, StorageError, TingError, UsageError
from skills.diffgen.apply_engine import FileOutcome, PatchOutcome, apply_patch
from skills.diffgen.patch_errors import PatchRejected, UnsafePath, WorkspaceBusy
from skills.diffgen.patch_model import Patch
from skills.diffgen.patch_parser import parse_patch

MAX_FILE_BYTES = 8 * 1024 * 1024
_DRIVE = re.compile(r"^[A-Za-z]:[\\/]")
LOCK_WAIT_S = 2.0  # an apply takes milliseconds; longer means another one is stuck
TEMP_SUFFIX = ".ting-tmp"
UNCHECKED = object()  # FileWrite.expected when the file's current content is not checked


@contextlib.contextmanager
def root_lock(root: Path, *, wait_s: float = LOCK_WAIT_S) -> Iterator[None]:
    """An exclusive ``flock`` on the root folder while files in it are changed, so two
    applies (or an apply and an undo) never interleave, whatever data folder they use."""
    try:
        fd = os.open(root, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError as exc:
        raise StorageError(f"cannot open {root}: {exc.strerror}") from None
    try:
        deadline = time.monotonic() + wait_s
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise WorkspaceBusy(
                        f"another Ting is changing files in {root}",
                        hint="try again when it has finished",
                    ) from None
                time.sleep(0.05)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def remove_stale_temp_files(targets: Iterable[Path]) -> None:
    """Temp files an apply killed mid-write left next to ``targets`` (call under the lock)."""
    for target in targets:
        pattern = glob.escape(str(target.parent / f".{target.name[:80]}.")) + "*" + TEMP_SUFFIX
        for leftover in glob.glob(pattern):
            with contextlib.suppress(OSError):
                if stat.S_ISREG(os.lstat(leftover).st_mode):
                    os.unlink(leftover)


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
    expected: object = UNCHECKED  # bytes (None: absent) the file must hold when written


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

    rolled_back: bool = False  # after a failure: True when every file is as before

    def run(self) -> None:
        done: list[_Done] = []
        try:
            for write in sorted(self.writes, key=lambda w: w.text is None):
                previous, previous_mode = _snapshot(write.target)
                if write.expected is not UNCHECKED and previous != write.expected:
                    raise _ChangedMeanwhile(write.relpath)
                # recorded before the write: an interrupt inside it is rolled back too
                done.append(_Done(write.target, previous, previous_mode))
                if write.text is None:
                    if previous is not None:
                        os.unlink(write.target)
                else:
                    self._make_parents(write.target)
                    mode = write.mode if write.mode is not None else previous_mode
                    atomic_write(write.target, write.text.encode("utf-8"), mode)
        except BaseException as exc:
            problems = self._roll_back(done)
            self.rolled_back = not problems
            failed = _describe(exc) if isinstance(exc, OSError) else None
            if problems:
                what = f"writing failed ({failed})" if failed else "writing was interrupted"
                raise StorageError(
                    f"{what} and rolling back failed too: {problems}",
                    hint="`ting diff undo` puts back what it can",
                ) from exc
            if isinstance(exc, _ChangedMeanwhile):
                raise UnsafePath(
                    f"{exc.args[0]} changed while the patch was being applied; "
                    "nothing was written (apply it again)"
                ) from None
            if failed is not None:
                raise StorageError(f"writing failed, nothing changed: {failed}") from exc
            if isinstance(exc, KeyboardInterrupt):
                raise Cancelled("interrupted while writing; nothing was changed") from None
            raise

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


class _ChangedMeanwhile(Exception):
    """A file is not what the patch was planned from (another program wrote it)."""


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

    def read_bytes(self, real: Path, shown: str) -> bytes:
        """A regular file's bytes (never follows a last-moment symlink, never blocks)."""
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
            return handle.read(MAX_FILE_BYTES + 1)

    def read_text(self, real: Path, shown: str) -> str:
        data = self.read_bytes(real, shown)
        if len(data) > MAX_FILE_BYTES:
            raise UnsafePath(f"refused: {shown} is larger than {MAX_FILE_BYTES // 2**20} MB")
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

    def plan(
        self, patch_text: str, *, target: str | None = None
    ) -> tuple[Patch, PatchOutcome, dict[str, tuple[str, Path]]]:
        patch, outcome, where, _ = self._plan(patch_text, target)
        return patch, outcome, where

    def _plan(
        self, patch_text: str, target: str | None = None
    ) -> tuple[Patch, PatchOutcome, dict[str, tuple[str, Path]], dict[str, str]]:
        patch = parse_patch(patch_text, default_path=target)
        contents, where = self.read_files(patch)
        outcome = apply_patch(patch, contents)
        for file in outcome.files:
            lexical = self.root.joinpath(*PurePosixPath(file.path).parts)
            if file.status in ("deleted", "renamed") and os.path.islink(lexical):
                verb = "deleting" if file.status == "deleted" else "renaming"
                raise UnsafePath(
                    f"refused: {file.path} is a symlink; {verb} it would change the file "
                    "it points to (change the link by hand)"
                )
        return patch, outcome, where, contents

    def apply(
        self,
        patch_text: str,
        *,
        check: bool = False,
        journal=None,
        verify=None,
        target: str | None = None,
    ) -> ApplyReport:
        """Apply ``patch_text`` (or, with ``check``, only work out what would happen).

        ``target`` is the file (relative to the root) a patch of one file is for, needed
        by formats that name none (normal diffs, ed scripts). ``verify(outcome)``, if
        given, runs under the folder's lock before anything is written and may refuse by
        raising.
        """
        if check:
            patch, outcome, _ = self.plan(patch_text, target=target)
            if verify is not None:
                verify(outcome)
            return ApplyReport(self.root, outcome, patch.format, checked_only=True)
        if journal is None:
            from skills.diffgen.undo_journal import UndoJournal

            journal = UndoJournal.default()
        with root_lock(self.root):
            try:
                patch, outcome, where, contents = self._plan(patch_text, target)
                if _partly_applied(outcome) and journal.interrupted(self.root) is not None:
                    # the part already there may be what the interrupted apply wrote
                    raise PatchRejected(
                        "part of the patch is already in the files, and an earlier apply "
                        "here did not finish; nothing was changed"
                    )
            except (PatchRejected, UnsafePath) as exc:
                raise _with_interrupted_hint(exc, journal, self.root) from None
            if verify is not None:
                verify(outcome)
            report = ApplyReport(self.root, outcome, patch.format, checked_only=False)
            planned_from = {
                real: contents[name].encode("utf-8") if name in contents else None
                for name, (_, real) in where.items()
            }
            writes = [
                FileWrite(w.relpath, w.target, w.text, w.mode, planned_from.get(w.target))
                for w in staged_writes(outcome, where)
            ]
            if not writes:  # every file already held the patch's result
                return report
            remove_stale_temp_files(w.target for w in writes)
            entry = journal.begin(self.root, writes, outcome)
            transaction = FileTransaction(writes)
            try:
                transaction.run()
            except BaseException:
                if transaction.rolled_back:
                    journal.discard(entry)  # else it stays pending: undo can finish the job
                raise
            journal.finish(entry, transaction.created_dirs)
        report.journal_id = entry.id
        return report


def _partly_applied(outcome: PatchOutcome) -> bool:
    return any(
        file.status == "already_applied" or any(h.strategy == "already_applied" for h in file.hunks)
        for file in outcome.files
    )


def _with_interrupted_hint(exc: TingError, journal, root: Path) -> TingError:
    """``exc``, saying so when an earlier apply in ``root`` died half-way."""
    interrupted = journal.interrupted(root)
    if interrupted is None or exc.hint:
        return exc
    return type(exc)(
        exc.message,
        hint=f"an earlier apply here was interrupted ({interrupted.data.get('created_at')}); "
        f"`ting diff undo --root {root}` puts its files back",
    )


def staged_writes(outcome: PatchOutcome, where: dict[str, tuple[str, Path]]) -> list[FileWrite]:
    writes: list[FileWrite] = []
    for file in outcome.files:
        writes.extend(_writes_for(file, where))
    targets = [w.target for w in writes]
    if len(set(targets)) != len(targets):
        raise UnsafePath("refused: two names in the patch lead to the same file")
    return writes


def _writes_for(file: FileOutcome, where: dict[str, tuple[str, Path]]) -> list[FileWrite]:
    if file.status == "already_applied":
        return []
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
