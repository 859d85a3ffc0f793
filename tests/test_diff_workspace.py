"""The file-system shell: real folders, real files, real `ting diff` runs."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.paths import data_dir
from skills.diffgen.patch_errors import PatchRejected, UndoRefused, UnsafePath
from skills.diffgen.patch_workspace import PatchWorkspace
from skills.diffgen.undo_journal import UndoJournal

TING = str(Path(sys.executable).with_name("ting"))

MODIFY_A = "--- a/a.txt\n+++ b/a.txt\n@@ -1,3 +1,3 @@\n one\n-two\n+TWO\n three\n"


def run_ting(*args: str, stdin: str | None = None, cwd: Path | None = None):
    return subprocess.run(
        [TING, *args], input=stdin, capture_output=True, text=True, cwd=cwd, timeout=60
    )


def snapshot(folder: Path) -> dict[str, tuple[str, bytes | str]]:
    """Every entry under ``folder``: regular files by content, links by target."""
    out: dict[str, tuple[str, bytes | str]] = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if path.is_symlink():
            out[rel] = ("link", os.readlink(path))
        elif path.is_file():
            out[rel] = ("file", path.read_bytes())
        elif path.is_dir():
            out[rel] = ("dir", "")
        else:
            out[rel] = ("other", "")
    return out


@pytest.fixture
def tree(tmp_path: Path) -> tuple[Path, Path]:
    """A root with a few files, and an outside folder holding a secret."""
    root = tmp_path / "root"
    root.mkdir()
    (root / "a.txt").write_text("one\ntwo\nthree\n")
    (root / "b.txt").write_text("alpha\nbeta\n")
    (root / "tool.sh").write_text("#!/bin/sh\necho hi\n")
    (root / "tool.sh").chmod(0o755)
    (root / ".git").mkdir()
    (root / ".git" / "config").write_text("[core]\n")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("one\ntwo\nthree\n")
    return root, outside


def test_apply_modifies_and_keeps_mode(tree: tuple[Path, Path]) -> None:
    root, _ = tree
    patch = "--- a/tool.sh\n+++ b/tool.sh\n@@ -1,2 +1,2 @@\n #!/bin/sh\n-echo hi\n+echo hello\n"
    report = PatchWorkspace(root).apply(patch)
    assert (root / "tool.sh").read_text() == "#!/bin/sh\necho hello\n"
    assert stat.S_IMODE((root / "tool.sh").stat().st_mode) == 0o755
    assert report.journal_id is not None
    assert [p.name for p in root.iterdir() if "ting-tmp" in p.name] == []


def test_check_writes_nothing(tree: tuple[Path, Path]) -> None:
    root, _ = tree
    before = snapshot(root)
    report = PatchWorkspace(root).apply(MODIFY_A, check=True)
    assert report.outcome.files[0].new_text == "one\nTWO\nthree\n"
    assert snapshot(root) == before
    assert not (data_dir() / "diff-journal").exists()


def test_one_bad_hunk_changes_no_file(tree: tuple[Path, Path]) -> None:
    root, _ = tree
    before = snapshot(root)
    patch = MODIFY_A + "--- a/b.txt\n+++ b/b.txt\n@@ -1 +1 @@\n-gamma\n+delta\n"
    with pytest.raises(PatchRejected, match=r"b.txt: hunk 1"):
        PatchWorkspace(root).apply(patch)
    assert snapshot(root) == before


def _limit_file_size() -> None:
    import resource
    import signal

    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a too-big write fails with EFBIG
    resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, 64 * 1024))


def test_a_write_failing_midway_rolls_back_the_files_already_written(
    tree: tuple[Path, Path],
) -> None:
    root, _ = tree
    # a.txt is written first; then big.txt (100 KB) exceeds the process's file-size
    # limit, a real EFBIG from the kernel, after a.txt was already replaced
    big = "".join(f"+line {i:06d} of a generated file\n" for i in range(3500))
    patch = MODIFY_A + f"--- /dev/null\n+++ b/big.txt\n@@ -0,0 +1,3500 @@\n{big}"
    before = snapshot(root)
    done = subprocess.run(
        [TING, "diff", "apply", "-", "--root", str(root)],
        input=patch,
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=_limit_file_size,
    )
    assert done.returncode == 1
    assert done.stderr.startswith("ting: writing failed, nothing changed")
    assert done.stderr.count("\n") == 1
    assert snapshot(root) == before
    assert UndoJournal.default().entries() == []


def test_a_path_through_a_file_is_refused_before_writing(tree: tuple[Path, Path]) -> None:
    root, _ = tree
    (root / "sub").write_text("I am a file, not a folder\n")
    before = snapshot(root)
    patch = MODIFY_A + "--- /dev/null\n+++ b/sub/new.txt\n@@ -0,0 +1 @@\n+new\n"
    with pytest.raises(UnsafePath, match="sub/new.txt: Not a directory"):
        PatchWorkspace(root).apply(patch)
    assert snapshot(root) == before


def test_create_in_new_folders_delete_and_rename(tree: tuple[Path, Path]) -> None:
    root, _ = tree
    patch = """\
diff --git a/docs/guide/new.md b/docs/guide/new.md
new file mode 100644
--- /dev/null
+++ b/docs/guide/new.md
@@ -0,0 +1 @@
+# Guide
diff --git a/b.txt b/b.txt
deleted file mode 100644
--- a/b.txt
+++ /dev/null
@@ -1,2 +0,0 @@
-alpha
-beta
diff --git a/tool.sh b/bin/tool.sh
similarity index 100%
rename from tool.sh
rename to bin/tool.sh
"""
    original = snapshot(root)
    PatchWorkspace(root).apply(patch)
    assert (root / "docs/guide/new.md").read_text() == "# Guide\n"
    assert not (root / "b.txt").exists()
    assert not (root / "tool.sh").exists()
    assert (root / "bin/tool.sh").read_text() == "#!/bin/sh\necho hi\n"
    assert stat.S_IMODE((root / "bin/tool.sh").stat().st_mode) == 0o755
    report = UndoJournal.default().undo(root)
    assert sorted(report.restored) == ["b.txt", "bin/tool.sh", "docs/guide/new.md", "tool.sh"]
    assert snapshot(root) == original


HOSTILE = {
    "absolute": ("--- a/{outside}/secret.txt\n+++ b/{outside}/secret.txt\n", "absolute path"),
    "dotdot": ("--- a/../outside/secret.txt\n+++ b/../outside/secret.txt\n", "contains '..'"),
    "dotdot-created": ("--- /dev/null\n+++ b/sub/../../outside/evil.txt\n", "contains '..'"),
    "git-dir": ("--- a/.git/config\n+++ b/.git/config\n", "under .git/"),
    "git-dir-nested": (
        "--- a/sub/.GIT/hooks/pre-commit\n+++ b/sub/.GIT/hooks/pre-commit\n",
        "under .git/",
    ),
    "symlinked-file": ("--- a/link.txt\n+++ b/link.txt\n", "outside the root through a symlink"),
    "symlinked-folder": (
        "--- a/out/secret.txt\n+++ b/out/secret.txt\n",
        "outside the root through a symlink",
    ),
    "symlink-into-git": (
        "--- a/gitlink/config\n+++ b/gitlink/config\n",
        "under .git/ through a symlink",
    ),
    "fifo": ("--- a/pipe\n+++ b/pipe\n", "not a regular file"),
    "folder": ("--- a/folder\n+++ b/folder\n", "not a regular file"),
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_paths_are_refused_and_nothing_is_touched(
    name: str, tree: tuple[Path, Path]
) -> None:
    root, outside = tree
    (root / "link.txt").symlink_to(outside / "secret.txt")
    (root / "out").symlink_to(outside)
    (root / "gitlink").symlink_to(root / ".git")
    os.mkfifo(root / "pipe")
    (root / "folder").mkdir()
    headers, message = HOSTILE[name]
    hunk = "@@ -1,3 +1,3 @@\n one\n-two\n+PWNED\n three\n"
    if "/dev/null" in headers:
        hunk = "@@ -0,0 +1 @@\n+PWNED\n"
    patch = headers.format(outside=str(outside).lstrip("/")).replace("a//", "a/") + hunk
    if name == "absolute":
        patch = f"--- {outside}/secret.txt\n+++ {outside}/secret.txt\n" + hunk
    before_root, before_outside = snapshot(root), snapshot(outside)
    with pytest.raises(UnsafePath, match=message):
        PatchWorkspace(root).apply(patch)
    assert snapshot(root) == before_root
    assert snapshot(outside) == before_outside


def test_symlink_inside_the_root_is_followed_and_kept(tree: tuple[Path, Path]) -> None:
    root, _ = tree
    (root / "alias.txt").symlink_to("a.txt")
    PatchWorkspace(root).apply(MODIFY_A.replace("a.txt", "alias.txt"))
    assert (root / "alias.txt").is_symlink()
    assert (root / "a.txt").read_text() == "one\nTWO\nthree\n"


def test_undo_refuses_when_a_file_changed_since(tree: tuple[Path, Path]) -> None:
    root, _ = tree
    PatchWorkspace(root).apply(MODIFY_A + "--- a/b.txt\n+++ b/b.txt\n@@ -1 +1 @@\n-alpha\n+ALPHA\n")
    (root / "b.txt").write_text("ALPHA\nbeta\nedited by hand\n")
    with pytest.raises(UndoRefused, match="b.txt changed since the patch was applied"):
        UndoJournal.default().undo(root)
    assert (root / "a.txt").read_text() == "one\nTWO\nthree\n"  # nothing restored


def test_undo_steps_back_one_apply_at_a_time(tree: tuple[Path, Path]) -> None:
    root, _ = tree
    workspace = PatchWorkspace(root)
    workspace.apply(MODIFY_A)
    workspace.apply("--- a/a.txt\n+++ b/a.txt\n@@ -1 +1 @@\n-one\n+ONE\n")
    journal = UndoJournal.default()
    journal.undo(root)
    assert (root / "a.txt").read_text() == "one\nTWO\nthree\n"
    journal.undo(root)
    assert (root / "a.txt").read_text() == "one\ntwo\nthree\n"
    with pytest.raises(UndoRefused, match="nothing to undo"):
        journal.undo(root)


# ---------------------------------------------------------------- through the CLI


def test_cli_apply_json_then_undo(tree: tuple[Path, Path], tmp_path: Path) -> None:
    root, _ = tree
    patch_file = tmp_path / "change.diff"
    patch_file.write_text(MODIFY_A.replace("@@ -1,3 +1,3 @@", "@@ -7,3 +7,3 @@"))
    done = run_ting("diff", "apply", str(patch_file), "--root", str(root), "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["ok"] is True and report["check"] is False
    assert report["files"] == [
        {
            "path": "a.txt",
            "status": "modified",
            "hunks": [
                {
                    "hunk": 1,
                    "header": "@@ -7,3 +7,3 @@",
                    "strategy": "ignore_line_numbers",
                    "line": 1,
                    "offset": -6,
                    "fuzz": 0,
                }
            ],
        }
    ]
    assert (root / "a.txt").read_text() == "one\nTWO\nthree\n"
    undone = run_ting("diff", "undo", "--root", str(root), "--json")
    assert undone.returncode == 0, undone.stderr
    assert json.loads(undone.stdout)["restored"] == ["a.txt"]
    assert (root / "a.txt").read_text() == "one\ntwo\nthree\n"


def test_cli_check_from_stdin_in_the_current_folder(tree: tuple[Path, Path]) -> None:
    root, _ = tree
    done = run_ting("diff", "apply", "-", "--check", stdin=MODIFY_A, cwd=root)
    assert done.returncode == 0, done.stderr
    assert "would modify a.txt  (1 hunk: exact)" in done.stdout
    assert (root / "a.txt").read_text() == "one\ntwo\nthree\n"


@pytest.mark.parametrize(
    ("args", "stdin", "code", "message"),
    [
        (["diff", "apply", "/nonexistent/p.diff"], None, 2, "patch file not found"),
        (["diff", "apply", "-"], "   \n", 2, "is empty"),
        (["diff", "apply", "-"], "hello\n", 2, "no patch found"),
        (
            ["diff", "apply", "-"],
            "--- a/../x\n+++ b/../x\n@@ -1 +1 @@\n-a\n+b\n",
            1,
            "contains '..'",
        ),
        (
            ["diff", "apply", "-"],
            "--- a/a.txt\n+++ b/a.txt\n@@ -1 +1 @@\n-zzz\n+b\n",
            1,
            "a.txt: hunk 1",
        ),
        (["diff", "undo"], None, 1, "nothing to undo"),
    ],
)
def test_cli_errors_are_one_line(
    tree: tuple[Path, Path], args: list[str], stdin: str | None, code: int, message: str
) -> None:
    root, _ = tree
    done = run_ting(*args, *(["--root", str(root)] if args[1] == "apply" else []), stdin=stdin)
    assert done.returncode == code
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("ting: ")
    assert message in done.stderr
    assert "Traceback" not in done.stderr + done.stdout


def test_cli_json_failure_is_reported_on_stdout_too(tree: tuple[Path, Path]) -> None:
    root, _ = tree
    done = run_ting(
        "diff",
        "apply",
        "-",
        "--root",
        str(root),
        "--json",
        stdin="--- a/.git/config\n+++ b/.git/config\n@@ -1 +1 @@\n-[core]\n+x\n",
    )
    assert done.returncode == 1
    assert json.loads(done.stdout) == {
        "ok": False,
        "error": "refused: .git/config is under .git/",
        "kind": "UnsafePath",
    }


# ---------------------------------------------------------------- interrupted, racing


MODIFY_B = "--- a/b.txt\n+++ b/b.txt\n@@ -1,2 +1,2 @@\n-alpha\n+ALPHA\n beta\n"


def test_ctrl_c_between_two_file_writes_puts_the_first_back(
    tree: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    from assistant.errors import Cancelled
    from skills.diffgen import workspace_files

    root, _ = tree
    real_write = workspace_files.write_atomically
    written: list[str] = []

    def write_then_ctrl_c(target: Path, data: bytes, mode: int | None) -> None:
        if target.name == "b.txt" and written == ["a.txt"]:  # the second file of the patch
            written.append("interrupted")
            raise KeyboardInterrupt  # what Python raises when SIGINT arrives here
        real_write(target, data, mode)
        if target.parent == root:
            written.append(target.name)

    monkeypatch.setattr(workspace_files, "write_atomically", write_then_ctrl_c)
    before = snapshot(root)
    with pytest.raises(Cancelled, match="nothing was changed"):
        PatchWorkspace(root).apply(MODIFY_A + MODIFY_B)
    assert written[:2] == ["a.txt", "interrupted"]  # a.txt was replaced before it
    monkeypatch.setattr(workspace_files, "write_atomically", real_write)
    assert snapshot(root) == before
    assert [e.state for e in UndoJournal.default().entries()] == []


KILL_BEFORE_B = """
import os, signal, sys
real_replace = os.replace
def replace(src, dst, *a, **kw):
    if str(dst).endswith("b.txt"):
        os.kill(os.getpid(), signal.SIGKILL)  # the machine dies with b.txt half done
    return real_replace(src, dst, *a, **kw)
os.replace = replace
from skills.diffgen.patch_workspace import PatchWorkspace
PatchWorkspace(sys.argv[1]).apply(sys.stdin.read())
"""


def test_sigkill_mid_apply_then_apply_again_or_undo(tree: tuple[Path, Path]) -> None:
    root, _ = tree
    before = snapshot(root)
    killed = subprocess.run(
        [sys.executable, "-c", KILL_BEFORE_B, str(root)],
        input=MODIFY_A + MODIFY_B,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=Path(__file__).resolve().parent.parent,
    )
    assert killed.returncode == -9
    assert (root / "a.txt").read_text() == "one\nTWO\nthree\n"  # half applied
    assert any(p.name.endswith(".ting-tmp") for p in root.iterdir())  # b.txt's temp file
    # applying again says what happened and what to do
    again = run_ting("diff", "apply", "-", "--root", str(root), stdin=MODIFY_A + MODIFY_B)
    assert again.returncode == 1 and again.stderr.count("\n") == 1
    assert "interrupted" in again.stderr and "ting diff undo" in again.stderr
    # undo puts back what the dead apply changed, and removes its temp file
    undone = run_ting("diff", "undo", "--root", str(root))
    assert undone.returncode == 0, undone.stderr
    assert snapshot(root) == before
    # and now the patch applies cleanly
    done = run_ting("diff", "apply", "-", "--root", str(root), stdin=MODIFY_A + MODIFY_B)
    assert done.returncode == 0, done.stderr
    assert (root / "b.txt").read_text() == "ALPHA\nbeta\n"


def test_a_second_apply_waits_for_the_first_and_then_says_so(tree: tuple[Path, Path]) -> None:
    import fcntl

    root, _ = tree
    PatchWorkspace(root).apply(MODIFY_A)
    before = snapshot(root)
    fd = os.open(root, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # another Ting is applying in this folder
        for args, stdin in ((["apply", "-"], MODIFY_B), (["undo"], None)):
            done = run_ting("diff", *args, "--root", str(root), stdin=stdin)
            assert done.returncode == 1 and done.stderr.count("\n") == 1, done.stderr
            assert "another Ting is changing files in" in done.stderr
    finally:
        os.close(fd)
    assert snapshot(root) == before
    assert run_ting("diff", "apply", "-", "--root", str(root), stdin=MODIFY_B).returncode == 0
    assert run_ting("diff", "undo", "--root", str(root)).returncode == 0
    assert run_ting("diff", "undo", "--root", str(root)).returncode == 0
    assert (root / "a.txt").read_text() == "one\ntwo\nthree\n"


def test_a_file_changed_between_reading_and_writing_is_not_overwritten(
    tree: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    from skills.diffgen import patch_workspace

    root, _ = tree
    real_apply = patch_workspace.apply_patch

    def apply_while_an_editor_saves(patch, contents):
        outcome = real_apply(patch, contents)
        (root / "a.txt").write_text("one\ntwo\nthree\nsaved by an editor meanwhile\n")
        return outcome

    monkeypatch.setattr(patch_workspace, "apply_patch", apply_while_an_editor_saves)
    with pytest.raises(UnsafePath, match="a.txt changed while the patch was being applied"):
        PatchWorkspace(root).apply(MODIFY_A + MODIFY_B)
    assert (root / "a.txt").read_text().endswith("saved by an editor meanwhile\n")
    assert (root / "b.txt").read_text() == "alpha\nbeta\n"
    assert UndoJournal.default().entries() == []


@pytest.mark.parametrize(
    "patch",
    [
        "--- a/alias.txt\n+++ /dev/null\n@@ -1,3 +0,0 @@\n-one\n-two\n-three\n",
        "diff --git a/alias.txt b/moved.txt\nrename from alias.txt\nrename to moved.txt\n",
    ],
    ids=["delete", "rename"],
)
def test_delete_or_rename_through_a_symlink_is_refused(tree: tuple[Path, Path], patch: str) -> None:
    root, _ = tree
    (root / "alias.txt").symlink_to("a.txt")
    before = snapshot(root)
    with pytest.raises(UnsafePath, match="alias.txt is a symlink"):
        PatchWorkspace(root).apply(patch)
    assert snapshot(root) == before


def test_damaged_journal_entries_are_skipped(tree: tuple[Path, Path]) -> None:
    root, _ = tree
    PatchWorkspace(root).apply(MODIFY_A)
    folder = data_dir() / "diff-journal"
    (folder / "99999999999999999998.json").write_text('{"state": "applied"}')
    (folder / "99999999999999999999.json").write_text("[1, 2]")
    done = run_ting("diff", "undo")
    assert done.returncode == 0, done.stderr
    assert (root / "a.txt").read_text() == "one\ntwo\nthree\n"


def test_undo_after_a_file_became_binary_says_it_changed(tree: tuple[Path, Path]) -> None:
    root, _ = tree
    PatchWorkspace(root).apply(MODIFY_A)
    (root / "a.txt").write_bytes(b"caf\xe9\x00\n")
    done = run_ting("diff", "undo", "--root", str(root))
    assert done.returncode == 1 and done.stderr.count("\n") == 1
    assert "a.txt changed since the patch was applied" in done.stderr


def test_patch_with_a_byte_order_mark_applies(tree: tuple[Path, Path]) -> None:
    root, _ = tree
    done = run_ting("diff", "apply", "-", "--root", str(root), stdin="\ufeff" + MODIFY_A)
    assert done.returncode == 0, done.stderr
    assert (root / "a.txt").read_text() == "one\nTWO\nthree\n"


def test_root_that_is_a_file_is_one_line(tree: tuple[Path, Path]) -> None:
    root, _ = tree
    for args in (
        ["apply", "-", "--root", str(root / "a.txt")],
        ["undo", "--root", str(root / "a.txt")],
    ):
        done = run_ting("diff", *args, stdin=MODIFY_A)
        assert done.returncode == 2 and done.stderr.count("\n") == 1, done.stderr
        assert "is a file" in done.stderr or "not a folder" in done.stderr
