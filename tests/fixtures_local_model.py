"""Fixtures for the built-in language model: the real weights (joined once per run from
the installed packages) and one real llama.cpp server for the whole run, shared by every
test's TING_HOME the way Ting shares it between processes (one run folder)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest


@dataclass(frozen=True)
class LocalModelRun:
    root: Path
    models: Path  # the joined weights
    run: Path  # the shared server's state file
    server: object  # assistant.local_model.server.LocalServer
    pid: int


@pytest.fixture(scope="session")
def local_model_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalModelRun]:
    """The 1.5B model joined from its packages and served once for the session."""
    from assistant.local_model.server import LocalServer, runtime_problem
    from assistant.local_model.weights import DEFAULT_MODEL, MODELS, prepare_weights

    problem = runtime_problem()  # found, not loaded: its libraries stay out of pytest
    if problem:
        pytest.fail(f"{problem} (tests/run.sh installs it)")
    root = tmp_path_factory.mktemp("local-model")
    models, run = root / "models", root / "run"
    run.mkdir(mode=0o700)
    spec = MODELS[DEFAULT_MODEL]
    prepare_weights(spec, models)
    server = LocalServer(
        spec,
        cache_dir=models,
        run_dir=run,
        log_path=root / "local-model.log",
        idle_timeout_s=900,
    )
    state = server.ensure()
    try:
        yield LocalModelRun(root=root, models=models, run=run, server=server, pid=state.pid)
    finally:
        server.stop()
        # pytest keeps the last runs' temporary folders: not 1 GB of weights each
        (models / spec.file_name).unlink(missing_ok=True)


@pytest.fixture
def local_model_home(
    ting_home: Path, local_model_run: LocalModelRun, monkeypatch: pytest.MonkeyPatch
) -> LocalModelRun:
    """This test's TING_HOME set up as a user's with nothing configured: the provider is
    the default (auto, so the built-in model), the weights and the running server are the
    session's."""
    monkeypatch.delenv("TING_PROVIDER", raising=False)
    os.symlink(local_model_run.models, ting_home / "models")
    os.symlink(local_model_run.run, ting_home / "run")
    return local_model_run


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@pytest.fixture(scope="session")
def built_in_chooser(local_model_run: LocalModelRun):
    """The decode chooser over the session's built-in model weights (voice.lm_choice), as
    ``ting transcribe`` has it by default (asr_compare_decodes = files)."""
    from assistant.local_model.weights import DEFAULT_MODEL, MODELS
    from voice.lm_choice import DecodeChooser

    weights = local_model_run.models / MODELS[DEFAULT_MODEL].file_name
    return DecodeChooser(lambda: weights)
