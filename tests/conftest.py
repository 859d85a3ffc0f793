"""Shared test set-up: every test gets a fresh, empty Ting data folder."""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

import pytest

# Started as a background job (`cmd &` in a script), the suite inherits SIGINT ignored, and
# so would every `ting` it starts: the tests that press Ctrl-C on one would wait forever.
if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# Fixture modules, one per area, so that areas do not edit each other's files.
pytest_plugins = [
    "fixtures_core",
    "fixtures_provider",
    "fixtures_voice",
    "fixtures_ui",
    "fixtures_local_model",
    "fixtures_dictation",
]


@pytest.fixture(scope="session")
def shared_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One router cache for the whole run: it depends on the code only, never on a
    test's data, and building it takes a second."""
    return tmp_path_factory.mktemp("ting-cache")


@pytest.fixture(autouse=True)
def ting_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shared_cache_dir: Path) -> Path:
    """A fresh TING_HOME per test; provider variables cleared so tests see no real key."""
    home = tmp_path / "ting-home"
    home.mkdir()
    monkeypatch.setenv("TING_HOME", str(home))
    monkeypatch.setenv("TING_CACHE_DIR", str(shared_cache_dir))
    for var in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "TING_MODEL"):
        monkeypatch.delenv(var, raising=False)
    # no provider means no provider here: the built-in model (the default) starts only in
    # tests that ask for it (the local_model fixtures in fixtures_local_model.py)
    monkeypatch.setenv("TING_PROVIDER", "remote")
    # keep any developer's real keyring out of unit tests; keyring tests opt back in
    if "TING_TEST_REAL_KEYRING" not in os.environ:
        monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    return home
