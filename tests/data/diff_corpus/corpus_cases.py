"""Reading the diff corpus: set a case up in a scratch folder and judge the result.

Used by ``tests/test_diff_corpus.py`` and ``bench/bench_diff.py``. A case becomes
``<scratch>/root`` (the files, symlinks and FIFOs its ``case.json`` lists) and
``<scratch>/outside`` (a folder next to the root holding ``secret.txt``, which no patch
may touch). ``{OUTSIDE}`` in a patch stands for that folder's absolute path.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
CASES = HERE / "cases"
SOURCES = HERE / "sources"
OUTSIDE_SECRET = "top secret\ndo not touch\n"


@dataclass(frozen=True)
class CorpusCase:
    name: str
    folder: Path
    category: str  # recoverable | ambiguous | unplaceable | hostile
    mutation: str
    expect: str  # applied | refused
    meta: dict

    @property
    def patch_template(self) -> str:
        return (self.folder / "patch.txt").read_bytes().decode("utf-8")

    def expected_files(self) -> dict[str, bytes]:
        after = self.folder / "after"
        return {
            p.relative_to(after).as_posix(): p.read_bytes()
            for p in sorted(after.rglob("*"))
            if p.is_file()
        }


def load_cases() -> list[CorpusCase]:
    cases = []
    for folder in sorted(p for p in CASES.iterdir() if p.is_dir()):
        meta = json.loads((folder / "case.json").read_text())
        cases.append(
            CorpusCase(
                name=folder.name,
                folder=folder,
                category=meta["category"],
                mutation=meta["mutation"],
                expect=meta["expect"],
                meta=meta,
            )
        )
    return cases


def _file_bytes(spec: dict) -> bytes:
    if "text" in spec:
        return spec["text"].encode("utf-8")
    text = (SOURCES / spec["source"]).read_text(encoding="utf-8")
    if not spec.get("final_newline", True):
        text = text.rstrip("\n")
    if spec.get("eol") == "crlf":
        text = text.replace("\n", "\r\n")
    return text.encode("utf-8")


def materialize(case: CorpusCase, scratch: Path) -> tuple[Path, Path, str]:
    """(root, outside, patch text) for ``case`` under ``scratch``."""
    root = scratch / "root"
    outside = scratch / "outside"
    root.mkdir(parents=True)
    outside.mkdir(parents=True)
    (outside / "secret.txt").write_text(OUTSIDE_SECRET)
    for rel, spec in case.meta["files"].items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(_file_bytes(spec))
    for rel in case.meta.get("dirs", []):
        (root / rel).mkdir(parents=True, exist_ok=True)
    if any(t == "{OUTSIDE}/null" for t in case.meta.get("symlinks", {}).values()):
        _make_device(outside / "null")
    for rel, target in case.meta.get("symlinks", {}).items():
        (root / rel).symlink_to(target.replace("{OUTSIDE}", str(outside)))
    for rel in case.meta.get("fifos", []):
        os.mkfifo(root / rel)
    patch = case.patch_template.replace("{OUTSIDE}", str(outside))
    return root, outside, patch


def _make_device(path: Path) -> None:
    """A character device like /dev/null, inside the scratch folder so that a tool that
    wrongly replaced it could not harm the real one; a FIFO where mknod is refused."""
    import stat

    try:
        os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except (PermissionError, OSError):
        os.mkfifo(path)


def snapshot(folder: Path) -> dict[str, tuple[str, bytes | str]]:
    """Every entry under ``folder`` without following links: files by content."""
    out: dict[str, tuple[str, bytes | str]] = {}
    for dirpath, dirnames, filenames in os.walk(folder):
        for name in sorted(dirnames + filenames):
            path = Path(dirpath) / name
            rel = path.relative_to(folder).as_posix()
            if path.is_symlink():
                out[rel] = ("link", os.readlink(path))
            elif path.is_dir():
                out[rel] = ("dir", "")
            elif path.is_file():
                out[rel] = ("file", path.read_bytes())
            else:
                out[rel] = ("other", "")
    return out


def landed_as_intended(case: CorpusCase, root: Path) -> tuple[bool, str]:
    """Whether the root now holds exactly the expected files (and nothing else)."""
    expected = case.expected_files()
    actual = {rel: data for rel, (kind, data) in snapshot(root).items() if kind == "file"}
    if actual == expected:
        return True, ""
    missing = sorted(set(expected) - set(actual))
    extra = sorted(set(actual) - set(expected))
    differ = sorted(rel for rel in set(expected) & set(actual) if expected[rel] != actual[rel])
    return False, f"missing {missing} extra {extra} differ {differ}"
