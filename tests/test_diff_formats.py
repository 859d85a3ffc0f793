"""Reading the older diff formats and diff -N's timestamps, as tables."""

from __future__ import annotations

import pytest

from skills.diffgen.apply_engine import apply_patch
from skills.diffgen.classic_formats import is_epoch, split_header
from skills.diffgen.patch_errors import PatchParseError, PatchRejected
from skills.diffgen.patch_model import CREATE, DELETE, MODIFY
from skills.diffgen.patch_parser import parse_patch


@pytest.mark.parametrize(
    ("stamp", "epoch"),
    [
        ("1970-01-01 00:00:00.000000000 +0000", True),
        ("1970-01-01 01:00:00.000000000 +0100", True),
        ("1969-12-31 19:00:00.000000000 -0500", True),
        ("1970-01-01 05:30:00 +0530", True),
        ("1970-01-01 00:00:00", True),
        ("1969-12-31 16:00:00", True),  # no zone written: Pacific time
        ("Thu Jan  1 00:00:00 1970", True),  # diff -c
        ("Thu Jan 01 00:00:00 1970 +0000", True),  # Mercurial
        ("Wed Dec 31 19:00:00 1969 -0500", True),
        ("1970-01-01 01:00:00.000000000 +0000", False),
        ("1970-01-01 00:00:01 +0000", False),
        ("2023-11-14 22:13:20.000000000 +0000", False),
        ("1970-01-02 00:00:00", False),
        ("not a date", False),
        (None, False),
    ],
)
def test_epoch_timestamps(stamp: str | None, epoch: bool) -> None:
    assert is_epoch(stamp) is epoch


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("a/x.py\t2024-01-01 10:00:00 +0100", ("a/x.py", "2024-01-01 10:00:00 +0100")),
        (
            "x.py 2024-01-01 10:00:00.000000000 +0100",
            ("x.py", "2024-01-01 10:00:00.000000000 +0100"),
        ),
        ("old/x.py  Thu Jan  1 00:00:00 1970", ("old/x.py", "Thu Jan  1 00:00:00 1970")),
        ("dir name with spaces/file.txt", ("dir name with spaces/file.txt", None)),
    ],
)
def test_header_names_and_stamps(value: str, expected: tuple[str, str | None]) -> None:
    assert split_header(value) == expected


def test_epoch_means_missing_only_when_that_side_is_empty() -> None:
    # Mercurial dates old files at the epoch too: with lines on that side it is a change
    hg = (
        "--- a/f\tThu Jan 01 00:00:00 1970 +0000\n+++ b/f\tTue Nov 14 22:13:20 2023 +0000\n"
        "@@ -1,1 +1,1 @@\n-a\n+b\n"
    )
    assert parse_patch(hg).files[0].kind == MODIFY
    create = "--- old/f\t1970-01-01 00:00:00 +0000\n+++ new/f\t2023-01-01 00:00:00 +0000\n@@ -0,0 +1 @@\n+x\n"
    created = parse_patch(create).files[0]
    assert (created.kind, created.path) == (CREATE, "f")
    delete = "--- old/f\t2023-01-01 00:00:00 +0000\n+++ new/f\t1970-01-01 00:00:00 +0000\n@@ -1 +0,0 @@\n-x\n"
    deleted = parse_patch(delete).files[0]
    assert (deleted.kind, deleted.path) == (DELETE, "f")
    # emptied, not deleted: the new side has a real date
    emptied = delete.replace("1970-01-01 00:00:00", "2024-01-01 00:00:00")
    assert parse_patch(emptied).files[0].kind == MODIFY


def test_two_trees_resolve_to_the_shared_path() -> None:
    patch = parse_patch("--- old/pkg/x.py\n+++ new/pkg/x.py\n@@ -1 +1 @@\n-a\n+b\n")
    assert patch.files[0].path == "pkg/x.py"
    assert patch.files[0].alternatives == ("new/pkg/x.py", "old/pkg/x.py")
    # different files, not two trees: the new name first, the old one as an alternative
    plain = parse_patch("--- x.py.orig\n+++ x.py\n@@ -1 +1 @@\n-a\n+b\n").files[0]
    assert (plain.path, plain.alternatives) == ("x.py", ("x.py.orig",))


CONTEXT = """\
*** f\t2024-01-01 00:00:00
--- f\t2024-01-02 00:00:00
***************
*** 1,5 ****
  a
! b
! c
  d
- e
--- 1,5 ----
  a
! B
  d
+ d2
+ d3
***************
*** 9,10 ****
--- 9,11 ----
  i
  j
+ k
"""


def test_context_diff_sides_merge_into_one_hunk() -> None:
    patch = parse_patch(CONTEXT)
    assert patch.format == "context"
    first, second = patch.files[0].hunks
    assert [(line.tag, line.text) for line in first.lines] == [
        (" ", "a"),
        ("-", "b"),
        ("-", "c"),
        ("+", "B"),
        (" ", "d"),
        ("-", "e"),
        ("+", "d2"),
        ("+", "d3"),
    ]
    assert first.old_start == 1
    assert [(line.tag, line.text) for line in second.lines] == [(" ", "i"), (" ", "j"), ("+", "k")]
    text = "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n"
    out = apply_patch(patch, {"f": text}).files[0].new_text
    assert out == "a\nB\nd\nd2\nd3\nf\ng\nh\ni\nj\nk\n"


def test_normal_diff_needs_a_name_and_checks_what_it_removes() -> None:
    normal = "2,3c2\n< b\n< c\n---\n> B\n5a5\n> f\n"
    with pytest.raises(PatchParseError, match="--file"):
        parse_patch(normal)
    patch = parse_patch(normal, default_path="f")
    assert patch.format == "normal"
    assert apply_patch(patch, {"f": "a\nb\nc\nd\ne\n"}).files[0].new_text == "a\nB\nd\ne\nf\n"
    with pytest.raises(PatchRejected, match="line 3 reads 'C', the patch removes 'c'"):
        apply_patch(patch, {"f": "a\nb\nC\nd\ne\n"})
    named = parse_patch("diff -r old/f new/f\n" + normal)
    assert named.files[0].path == "f"
    indexed = parse_patch("Index: src/f\n" + normal)
    assert indexed.files[0].path == "src/f"


def test_ed_scripts_append_only() -> None:
    ed = "5a\nsix\n..\n.\n1a\ntwo\n.\n"
    patch = parse_patch(ed, default_path="f")
    assert patch.format == "ed"
    out = apply_patch(patch, {"f": "1\n3\n4\n5\n6\n"}).files[0].new_text
    assert out == "1\ntwo\n3\n4\n5\n6\nsix\n.\n"
    with pytest.raises(PatchParseError, match="deletes lines by number without showing them"):
        parse_patch("2,3d\n", default_path="f")
    with pytest.raises(PatchParseError, match="RCS-format"):
        parse_patch("d1 2\na4 1\nx\n", default_path="f")


def test_file_option_names_the_file_of_a_one_file_diff() -> None:
    patch = parse_patch("--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n", default_path="other/y")
    assert [(f.kind, f.path) for f in patch.files] == [(MODIFY, "other/y")]
    bare = parse_patch("@@ -1 +1 @@\n-a\n+b\n", default_path="y")
    assert bare.files[0].path == "y"
    with pytest.raises(PatchParseError, match="creates, deletes or renames it"):
        parse_patch("--- /dev/null\n+++ b/x\n@@ -0,0 +1 @@\n+a\n", default_path="x")


def test_a_hunk_whose_result_is_there_twice_adds_nothing() -> None:
    block = "def f():\n    x = 1\n    y = 2\n    return x\n\n"
    patch = parse_patch(
        "--- a/m.py\n+++ b/m.py\n@@ -1,3 +1,4 @@\n def f():\n     x = 1\n+    y = 2\n     return x\n"
    )
    outcome = apply_patch(patch, {"m.py": block + block}).files[0]
    assert outcome.status == "already_applied"
    assert outcome.new_text == block + block
    assert [h.strategy for h in outcome.hunks] == ["already_applied"]


def test_fuzz_reports_where_the_hunk_itself_starts() -> None:
    text = "".join(f"line {i}\n" for i in range(1, 21)).replace("line 8\n", "line eight\n")
    patch = parse_patch(
        "--- a/t\n+++ b/t\n@@ -8,7 +8,7 @@\n line 8\n line 9\n line 10\n-line 11\n+LINE 11\n"
        " line 12\n line 13\n line 14\n"
    )
    (hunk,) = apply_patch(patch, {"t": text}).files[0].hunks
    assert (hunk.strategy, hunk.fuzz, hunk.line, hunk.offset) == ("fuzzy", 1, 8, 0)
