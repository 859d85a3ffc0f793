"""The one data folder: ``TING_HOME`` if set, else the platform's user data dir."""

from __future__ import annotations

import os
from pathlib import Path


def data_dir(create: bool = True) -> Path:
    home = os.environ.get("TING_HOME")
    if home:
        path = Path(home).expanduser()
    else:
        import platformdirs

        path = Path(platformdirs.user_data_dir("ting", appauthor=False))
    if create:
        path.mkdir(parents=True, exist_ok=True)
    return path


def config_path() -> Path:
    return data_dir() / "config.toml"


def database_path() -> Path:
    return data_dir() / "ting.db"


def model_cache_dir() -> Path:
    path = data_dir() / "models"
    path.mkdir(parents=True, exist_ok=True)
    return path


def runtime_dir() -> Path:
    """Per-user folder for the IPC socket (user-only permissions)."""
    base = os.environ.get("XDG_RUNTIME_DIR")
    if os.environ.get("TING_HOME") or not base:
        path = data_dir() / "run"
    else:
        path = Path(base) / "ting"
    path.mkdir(parents=True, exist_ok=True)
    os.chmod(path, 0o700)
    return path
