"""Reading and replacing files under one root folder, safely and all or nothing.

``WorkspaceRoot(root)`` resolves the names a patch or the undo journal gives (refusing
absolute paths, ``..``, symlinks that leave the root, anything under ``.git/``, and
anything that is not a regular file) and reads them; ``FileTransaction`` writes a list
of staged changes all or nothing (each file replaced by a temp file + rename that keeps
its mode; if a write fails midway, the files already written are put back);
``root_lock`` keeps two of them from interleaving in one folder.
"""

from __future__ import annotations

import contextlib
import fcntl
import glob
import os
import re
import stat
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from assistant.atomic_write import TEMP_SUFFIX, write_atomically
from assistant.errors import Cancelled, StorageError, UsageError
from skills.diffgen.patch_errors import UnsafePath, WorkspaceBusy
from skills.diffgen.patch_model import Patch

MAX_FILE_BYTES = 8 * 1024 * 1024
_DRIVE = re.compile(r"^[A-Za-z]:[\\/]")
LOCK_WAIT_S = 2.0  # an apply takes milliseconds; longer means another one is stuck
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
                    write_atomically(
                        write.target,
                        write.text.encode("utf-8"),
                        mode if mode is not None else _new_file_mode(),
                    )
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
                    write_atomically(item.target, item.previous, item.previous_mode)
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


def _new_file_mode() -> int:
    return 0o666 & ~_current_umask()


class WorkspaceRoot:
    """One folder whose files may be read and replaced, and nothing outside it."""

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
