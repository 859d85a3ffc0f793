"""The one data folder: ``TING_HOME`` if set, else the platform's user data dir."""

from __future__ import annotations

import os
from pathlib import Path


def ensure_folder(path: Path, what: str = "folder") -> Path:
    """``path`` as an existing folder (created if missing), or a StorageError saying why not."""
    from assistant.errors import StorageError

    try:
        path.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise StorageError(
            f"the {what} {path} is not a folder", hint="move that file aside"
        ) from None
    except NotADirectoryError:
        raise StorageError(
            f"the {what} {path} is not a folder: part of the path is a file"
        ) from None
    except OSError as exc:
        raise StorageError(f"cannot create the {what} {path}: {exc.strerror}") from None
    return path


def data_dir(create: bool = True) -> Path:
    home = os.environ.get("TING_HOME")
    if home:
        path = Path(home).expanduser()
    else:
        import platformdirs

        path = Path(platformdirs.user_data_dir("ting", appauthor=False))
    if create:
        ensure_folder(path, "data folder")
    return path


def config_path() -> Path:
    return data_dir() / "config.toml"


def database_path() -> Path:
    return data_dir() / "ting.db"


def model_cache_dir() -> Path:
    return ensure_folder(data_dir() / "models", "model cache folder")


def runtime_dir() -> Path:
    """Per-user folder for the IPC socket (user-only permissions)."""
    base = os.environ.get("XDG_RUNTIME_DIR")
    if os.environ.get("TING_HOME") or not base:
        path = data_dir() / "run"
    else:
        path = Path(base) / "ting"
    ensure_folder(path, "runtime folder")
    try:
        os.chmod(path, 0o700)
    except OSError as exc:
        from assistant.errors import StorageError

        raise StorageError(f"cannot make {path} private: {exc.strerror}") from None
    return path
