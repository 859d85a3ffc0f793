"""The patch formats other tools write, held to other projects' apply tests.

Every case in ``tests/data/patch_peers`` (whatthepatch's apply tests, aider's
SEARCH/REPLACE tests, Ting's own cases made with GNU diff) goes through the shell
in-process; each format also goes through the ``ting`` CLI with --check and --json,
and ``ting diff undo`` puts back what it created and deleted.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.errors import TingError
from skills.diffgen.patch_workspace import PatchWorkspace
from tests.data.patch_peers.peer_cases import PeerCase, files_in, load_cases, materialize

CASES = load_cases()
BY_NAME = {case.name: case for case in CASES}
TING = str(Path(sys.executable).with_name("ting"))
# ed and RCS scripts delete lines by number without showing them: refused by rule
REFUSED_BY_RULE = {"wtp-diff-ed", "wtp-diff-rcs"}


def ting(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([TING, *args], capture_output=True, text=True, cwd=cwd, timeout=60)


def test_the_cases_cover_what_they_should() -> None:
    formats = {case.format for case in CASES}
    assert {"unified", "context", "normal", "ed", "git", "search_replace"} <= formats
    assert sum(case.expect == "refused" for case in CASES) >= 8
    assert sum(case.expect == "already_applied" for case in CASES) >= 3
    assert sum(case.name.startswith("wtp-") for case in CASES) >= 12


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_peer_case(case: PeerCase, tmp_path: Path) -> None:
    root = materialize(case, tmp_path)
    before = files_in(root)
    if case.expect == "refused" or case.name in REFUSED_BY_RULE:
        with pytest.raises(TingError):
            PatchWorkspace(root).apply(case.patch, target=case.target)
        assert files_in(root) == before
        return
    report = PatchWorkspace(root).apply(case.patch, target=case.target)
    assert files_in(root) == case.expected_after()
    if case.expect == "already_applied":
        assert {f.status for f in report.outcome.files} == {"already_applied"}
        assert report.journal_id is None  # nothing written, nothing to undo


def test_a_removed_line_that_differs_is_refused_with_both_lines_shown(tmp_path: Path) -> None:
    case = BY_NAME["wtp-diff-unified-bad"]
    root = materialize(case, tmp_path)
    patch = tmp_path / "bad.diff"
    patch.write_text(case.patch)
    done = ting("diff", "apply", str(patch), "--root", str(root))
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert "'The Named is the mother of all things.'" in done.stderr  # the file's line
    assert "'The Named is the mother of all tings.'" in done.stderr  # the patch's line
    assert "line 4" in done.stderr
    assert files_in(root) == case.tree("before")


def test_hg_export_with_one_file_already_patched_through_the_cli(tmp_path: Path) -> None:
    case = BY_NAME["own-hg-one-file-applied"]
    root = materialize(case, tmp_path)
    patch = tmp_path / "change.patch"
    patch.write_text(case.patch)
    checked = ting("diff", "apply", str(patch), "--root", str(root), "--check", "--json")
    assert checked.returncode == 0, checked.stderr
    report = json.loads(checked.stdout)
    assert report["check"] is True and report["journal"] is None
    assert {f["path"]: f["status"] for f in report["files"]} == {
        "bisect.py": "already_applied",
        "colorsys.py": "modified",
    }
    assert files_in(root) == case.tree("before")  # --check wrote nothing
    done = ting("diff", "apply", str(patch), "--root", str(root))
    assert done.returncode == 0, done.stderr
    assert "already applied: bisect.py" in done.stdout
    assert "modified colorsys.py" in done.stdout
    assert files_in(root) == case.tree("after")
    again = ting("diff", "apply", str(patch), "--root", str(root), "--json")
    assert again.returncode == 0, again.stderr
    assert {f["status"] for f in json.loads(again.stdout)["files"]} == {"already_applied"}
    plain = ting("diff", "apply", str(patch), "--root", str(root))
    assert "nothing to do: the patch is already applied" in plain.stdout
    # undo takes back the one real apply, not the no-op ones after it
    undone = ting("diff", "undo", "--root", str(root))
    assert undone.returncode == 0, undone.stderr
    assert files_in(root) == case.tree("before")


@pytest.mark.parametrize(
    "name",
    [
        "own-urN-create-delete-utc",
        "own-urN-create-paris",
        "own-urN-delete-newyork",
        "own-devnull-create",
        "own-devnull-delete",
        "own-context-rcN-create-delete",
        "own-context-rc-two-files",
        "own-normal-r-two-files",
        "own-normal-one-file",
        "own-ed-append",
        "wtp-diff-default",
        "wtp-git-oneline-add",
        "wtp-git-oneline-rm",
    ],
)
def test_each_format_through_the_cli_check_json_apply_undo(name: str, tmp_path: Path) -> None:
    case = BY_NAME[name]
    root = materialize(case, tmp_path)
    before_dirs = sorted(p.relative_to(root) for p in root.rglob("*") if p.is_dir())
    patch = tmp_path / "change.patch"
    patch.write_text(case.patch)
    target = ["--file", case.target] if case.target else []
    checked = ting("diff", "apply", str(patch), "--root", str(root), *target, "--check", "--json")
    assert checked.returncode == 0, checked.stderr
    report = json.loads(checked.stdout)
    assert (
        report["ok"]
        and report["check"]
        and report["format"] == ("unified" if case.format == "git" else case.format)
    )
    assert files_in(root) == case.tree("before")
    done = ting("diff", "apply", str(patch), "--root", str(root), *target, "--json")
    assert done.returncode == 0, done.stderr
    statuses = {f["path"]: f["status"] for f in json.loads(done.stdout)["files"]}
    assert statuses == {f["path"]: f["status"] for f in report["files"]}
    assert files_in(root) == case.tree("after")
    undone = ting("diff", "undo", "--root", str(root), "--json")
    assert undone.returncode == 0, undone.stderr
    assert files_in(root) == case.tree("before")  # created files gone, deleted ones back
    after_dirs = sorted(p.relative_to(root) for p in root.rglob("*") if p.is_dir())
    assert after_dirs == before_dirs  # folders the creation made are gone too


@pytest.mark.parametrize(
    ("name", "extra", "message"),
    [
        ("wtp-diff-ed", ["--file", "lao"], "deletes lines by number without showing them"),
        ("wtp-diff-rcs", ["--file", "lao"], "RCS-format diff"),
        ("own-normal-one-file", [], "names no file: give the file with --file"),
        ("own-ed-append", [], "names no file: give the file with --file"),
        ("own-context-rc-two-files", ["--file", "sched.py"], "changes 2 files"),
        ("own-fuzz-ambiguous", [], "is ambiguous"),
        ("own-urN-create-exists-other", [], "already exists (with other text)"),
        ("own-urN-delete-edited", [], "line 50 reads 'return lo  # right edge'"),
    ],
)
def test_refusals_are_one_clear_line(
    name: str, extra: list[str], message: str, tmp_path: Path
) -> None:
    case = BY_NAME[name]
    root = materialize(case, tmp_path)
    patch = tmp_path / "change.patch"
    patch.write_text(case.patch)
    done = ting("diff", "apply", str(patch), "--root", str(root), *extra)
    assert done.returncode != 0
    assert done.stderr.startswith("ting: ") and done.stderr.count("\n") == 1, done.stderr
    assert message in done.stderr
    assert files_in(root) == case.tree("before")
