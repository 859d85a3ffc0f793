"""Replacing a file all at once, so a reader (or a crash) never sees half of it."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

# What every temporary file ends with, so that one left by a killed process is known
# as Ting's and can be removed (see skills.diffgen.workspace_files).
TEMP_SUFFIX = ".ting-tmp"


def write_atomically(
    path: str | os.PathLike[str], data: bytes | str, mode: int | None = None
) -> Path:
    """Write ``data`` (str as UTF-8) to ``path`` through a temporary file beside it:
    flushed to disk, then renamed over ``path``, then the folder entry flushed too.

    ``mode`` sets the new file's permissions; without it the file keeps the
    temporary file's (owner read and write only). Raises ``OSError``; the temporary
    file never outlives a failure or an interrupt.
    """
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    raw = data.encode("utf-8") if isinstance(data, str) else data
    # a long name would make the temporary one too long for the file system
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name[:80]}.", suffix=TEMP_SUFFIX, dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(raw)
            handle.flush()
            os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    with contextlib.suppress(OSError):  # the rename itself survives a power cut
        folder_fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(folder_fd)
        finally:
            os.close(folder_fd)
    return target
