"""Fixtures for the core: run the real `ting` command, require real services."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
TING = [sys.executable, "-m", "assistant"]


@dataclass
class Ran:
    code: int
    out: str
    err: str

    @property
    def lines(self) -> list[str]:
        return [line for line in self.out.splitlines() if line.strip()]

    def json_lines(self) -> list[dict]:
        import json

        return [json.loads(line) for line in self.lines]


def read_within(read: Callable[[], str], timeout_s: float) -> str:
    """What ``read`` returns (a blocking read of a pipe or a FIFO a process writes once
    it is up), if it returns within ``timeout_s``; TimeoutError otherwise. The read runs
    on a daemon thread, so a writer that never comes leaves no test hanging."""
    import queue
    import threading

    said: queue.Queue[tuple[bool, Any]] = queue.Queue()

    def run() -> None:
        try:
            said.put((True, read()))
        except BaseException as exc:
            said.put((False, exc))

    threading.Thread(target=run, daemon=True).start()
    try:
        ok, value = said.get(timeout=timeout_s)
    except queue.Empty:
        raise TimeoutError(f"nothing read within {timeout_s:.0f} s") from None
    if not ok:
        raise value
    return value


def require_service(flag: str, what: str) -> None:
    """Skip when a real service is missing on a developer machine; fail in CI."""
    if os.environ.get(flag, "") not in ("", "0"):
        return
    if os.environ.get("CI"):
        pytest.fail(f"{what} is required in CI but was not started (see tests/run.sh)")
    pytest.skip(f"{what} is not running (tests/run.sh starts it)")


@pytest.fixture
def ting(ting_home: Path) -> Callable[..., Ran]:
    """Run `ting ARGS…` as a user would, in a subprocess, with this test's TING_HOME."""

    def run(
        *args: str,
        input: str | None = None,
        env: dict[str, str | None] | None = None,
        timeout: float = 120,
    ) -> Ran:
        full_env = dict(os.environ)
        full_env["TING_HOME"] = str(ting_home)
        full_env.pop("TING_DEBUG", None)
        full_env.setdefault("TING_NO_GUI", "1")
        for key, value in (env or {}).items():
            if value is None:
                full_env.pop(key, None)  # None removes a variable
            else:
                full_env[key] = value
        proc = subprocess.run(
            [*TING, *args],
            input=input,
            capture_output=True,
            text=True,
            env=full_env,
            timeout=timeout,
            cwd=str(ROOT),
        )
        return Ran(proc.returncode, proc.stdout, proc.stderr)

    return run


def assert_clean_failure(ran: Ran, *, code: int | None = None, mentions: str | None = None) -> None:
    """A failure the way a user must see it: non-zero, one line, no traceback."""
    assert ran.code != 0, ran
    if code is not None:
        assert ran.code == code, ran
    assert "Traceback" not in ran.err, ran.err
    lines = [line for line in ran.err.splitlines() if line.strip()]
    assert len(lines) == 1, ran.err
    assert lines[0].startswith("ting: "), lines
    if mentions:
        assert mentions in lines[0], lines[0]
