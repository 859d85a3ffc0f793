"""Reading the patch-format peer cases: set one up in a scratch folder and judge the result.

A case is ``cases/NAME/``: ``case.json`` (source, licence, format, expect, strip, note and,
for formats that name no file, ``target``), ``patch.txt``, ``before/`` and, unless it must
be refused, ``after/``. ``expect`` is ``applied`` (the root must end as ``after/``),
``already_applied`` (the patch's result is already there: nothing may change, and the
tool should say so without failing) or ``refused`` (non-zero exit, nothing changed).
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
CASES = HERE / "cases"


@dataclass(frozen=True)
class PeerCase:
    name: str
    folder: Path
    meta: dict

    @property
    def expect(self) -> str:
        return self.meta["expect"]

    @property
    def format(self) -> str:
        return self.meta["format"]

    @property
    def strip(self) -> int:
        return int(self.meta.get("strip", 1))

    @property
    def target(self) -> str | None:
        return self.meta.get("target")

    @property
    def patch(self) -> str:
        return (self.folder / "patch.txt").read_bytes().decode("utf-8")

    def tree(self, which: str) -> dict[str, bytes]:
        folder = self.folder / which
        if not folder.is_dir():
            return {}
        return {
            p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*"))
            if p.is_file()
        }

    def expected_after(self) -> dict[str, bytes] | None:
        if self.expect == "already_applied":
            return self.tree("before")
        if self.expect == "applied":
            return self.tree("after")
        return None


def load_cases() -> list[PeerCase]:
    return [
        PeerCase(folder.name, folder, json.loads((folder / "case.json").read_text()))
        for folder in sorted(p for p in CASES.iterdir() if p.is_dir())
    ]


def materialize(case: PeerCase, scratch: Path) -> Path:
    """A fresh copy of the case's ``before/`` tree at ``scratch/root``."""
    root = scratch / "root"
    before = case.folder / "before"
    # git keeps no empty folder: a case that creates its only file has no before/ in a clone
    if before.is_dir():
        shutil.copytree(before, root)
    else:
        root.mkdir(parents=True)
    return root


def files_in(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def judge(case: PeerCase, ok: bool, root: Path) -> str:
    """``landed`` (the root is as intended and the tool said so), ``refused`` (it said no
    and changed nothing), ``exit`` (the files are as intended but the tool failed: GNU
    patch --forward skipping an applied file) or ``wrong`` (anything else: a wrong
    result, a partial write, or a success that left a file unchanged it should have)."""
    now = files_in(root)
    before = case.tree("before")
    expected = case.expected_after()
    if not ok and now == before:
        return "refused"
    if expected is not None and now == expected:
        return "landed" if ok else "exit"
    return "wrong"


def outcome_is_right(case: PeerCase, verdict: str) -> bool:
    return verdict == ("refused" if case.expect == "refused" else "landed")
