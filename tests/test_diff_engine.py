"""The apply engine as tables: file contents and a patch in, new contents (or a refusal)
out, and which strategy placed each hunk."""

from __future__ import annotations

import difflib

import pytest

from skills.diffgen.apply_engine import apply_patch
from skills.diffgen.patch_errors import PatchRejected
from skills.diffgen.patch_parser import parse_patch

SOURCE = """\
import os
import sys


def load(path):
    with open(path) as handle:
        return handle.read()


def save(path, text):
    with open(path, "w") as handle:
        handle.write(text)


def main():
    data = load(sys.argv[1])
    save(sys.argv[2], data.upper())
    return 0
"""

INTENDED = SOURCE.replace(
    "        return handle.read()", "        return handle.read().strip()"
).replace("    return 0\n", "    print('done')\n    return 0\n")

CORRECT = "".join(
    difflib.unified_diff(
        SOURCE.splitlines(keepends=True), INTENDED.splitlines(keepends=True), "a/app.py", "b/app.py"
    )
)


HUNK1 = "@@ -4,7 +4,7 @@"
HUNK2 = "@@ -15,4 +15,5 @@"
HUNK1_BODY = CORRECT[CORRECT.index(HUNK1) : CORRECT.index(HUNK2)]
HUNK2_BODY = CORRECT[CORRECT.index(HUNK2) :]
HEAD = CORRECT[: CORRECT.index(HUNK1)]


CASES = {
    "correct": (CORRECT, SOURCE, INTENDED, ["exact", "exact"]),
    "shifted-numbers": (
        CORRECT.replace("-4,7 +4,7", "-9,7 +9,7").replace("-15,4 +15,5", "-21,4 +21,5"),
        SOURCE,
        INTENDED,
        ["ignore_line_numbers", "ignore_line_numbers"],
    ),
    "wrong-counts": (
        CORRECT.replace("-4,7 +4,7", "-4,3 +4,9").replace("-15,4 +15,5", "-15,8 +15,1"),
        SOURCE,
        INTENDED,
        ["exact", "exact"],
    ),
    "bare-@@": (
        CORRECT.replace(HUNK1, "@@ @@").replace(HUNK2, "@@ @@"),
        SOURCE,
        INTENDED,
        ["exact", "exact"],
    ),
    "out-of-order": (HEAD + HUNK2_BODY + HUNK1_BODY, SOURCE, INTENDED, ["exact", "exact"]),
    "trailing-space-drift": (
        CORRECT.replace(" def load(path):\n", " def load(path):  \n").replace(
            "     save(sys.argv[2], data.upper())\n", "     save(sys.argv[2], data.upper()) \t\n"
        ),
        SOURCE,
        INTENDED,
        ["whitespace", "whitespace"],
    ),
    "crlf-file": (
        CORRECT,
        SOURCE.replace("\n", "\r\n"),
        INTENDED.replace("\n", "\r\n"),
        ["exact", "exact"],
    ),
    "crlf-patch-and-file": (
        CORRECT.replace("\n", "\r\n"),
        SOURCE.replace("\n", "\r\n"),
        INTENDED.replace("\n", "\r\n"),
        ["exact", "exact"],
    ),
    "fewer-context": (
        HEAD
        + "@@ -7,1 +7,1 @@\n-        return handle.read()\n+        return handle.read().strip()\n"
        + "@@ -18 +18,2 @@\n+    print('done')\n     return 0\n",
        SOURCE,
        INTENDED,
        ["exact", "exact"],
    ),
    "typo-in-context": (
        CORRECT.replace("     with open(path) as handle:", "     with open(path) as fh:"),
        SOURCE,
        INTENDED,
        ["fuzzy", "exact"],
    ),
    "lost-leading-space-on-blank-context": (
        CORRECT.replace("\n \n", "\n\n"),
        SOURCE,
        INTENDED,
        ["exact", "exact"],
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_recoverable_patches_land_as_intended(name: str) -> None:
    patch_text, before, intended, strategies = CASES[name]
    outcome = apply_patch(parse_patch(patch_text), {"app.py": before})
    (file,) = outcome.files
    assert file.new_text == intended
    assert file.status == "modified"
    assert [h.strategy for h in sorted(file.hunks, key=lambda h: h.number)] == strategies


def test_indent_drift_reindents_added_lines() -> None:
    patch_text = """\
--- a/app.py
+++ b/app.py
@@ -16,4 +16,5 @@
 def main():
   data = load(sys.argv[1])
   save(sys.argv[2], data.upper())
+  print('done')
   return 0
"""
    (file,) = apply_patch(parse_patch(patch_text), {"app.py": SOURCE}).files
    assert file.new_text == SOURCE.replace("    return 0\n", "    print('done')\n    return 0\n")
    assert file.hunks[0].strategy == "whitespace" and file.hunks[0].fuzz == 3


def test_tabs_for_spaces_map_indent_levels() -> None:
    before = "def f():\n    if x:\n        y()\n    return 1\n"
    patch_text = "--- a/f.py\n+++ b/f.py\n@@ -1,4 +1,5 @@\n def f():\n \tif x:\n \t\ty()\n+\t\tz()\n \treturn 1\n"
    (file,) = apply_patch(parse_patch(patch_text), {"f.py": before}).files
    assert file.new_text == "def f():\n    if x:\n        y()\n        z()\n    return 1\n"


@pytest.mark.parametrize(
    ("before", "patch_text", "after"),
    [
        # the file has no final newline and the patch forgot the marker: stays without
        ("a\nb\nc", "--- a/f\n+++ b/f\n@@ -2,2 +2,3 @@\n b\n c\n+d\n", "a\nb\nc\nd"),
        ("a\nb\nc", "--- a/f\n+++ b/f\n@@ -2,2 +2,2 @@\n b\n-c\n+C\n", "a\nb\nC"),
        # markers say: add the final newline
        (
            "a\nb",
            "--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+b\n",
            "a\nb\n",
        ),
        # markers say: remove it
        (
            "a\nb\n",
            "--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n a\n-b\n+b\n\\ No newline at end of file\n",
            "a\nb",
        ),
        # mixed line endings are kept line by line
        ("a\r\nb\nc\r\n", "--- a/f\n+++ b/f\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n", "a\r\nB\r\nc\r\n"),
        # insertion after a line with a zero-length old side
        ("a\nb\n", "--- a/f\n+++ b/f\n@@ -1,0 +2 @@\n+x\n", "a\nx\nb\n"),
        # into an empty file
        ("", "--- a/f\n+++ b/f\n@@ -0,0 +1,2 @@\n+x\n+y\n", "x\ny\n"),
    ],
    ids=[
        "no-marker-append",
        "no-marker-change",
        "add-newline",
        "drop-newline",
        "mixed-eol",
        "insert-after",
        "empty-file",
    ],
)
def test_line_endings(before: str, patch_text: str, after: str) -> None:
    (file,) = apply_patch(parse_patch(patch_text), {"f": before}).files
    assert file.new_text == after


def test_create_delete_rename() -> None:
    patch_text = """\
diff --git a/new.txt b/new.txt
new file mode 100644
--- /dev/null
+++ b/new.txt
@@ -0,0 +1,2 @@
+one
+two
diff --git a/gone.txt b/gone.txt
deleted file mode 100644
--- a/gone.txt
+++ /dev/null
@@ -1 +0,0 @@
-bye
diff --git a/old.txt b/renamed.txt
similarity index 50%
rename from old.txt
rename to renamed.txt
--- a/old.txt
+++ b/renamed.txt
@@ -1,2 +1,2 @@
 keep
-x
+y
"""
    outcome = apply_patch(parse_patch(patch_text), {"gone.txt": "bye\n", "old.txt": "keep\nx\n"})
    summary = {(f.path, f.status, f.new_path, f.new_text) for f in outcome.files}
    assert summary == {
        ("new.txt", "created", None, "one\ntwo\n"),
        ("gone.txt", "deleted", None, None),
        ("old.txt", "renamed", "renamed.txt", "keep\ny\n"),
    }


def test_begin_patch_format_with_anchor_and_end_of_file() -> None:
    before = "class A:\n    x = 1\n\nclass B:\n    x = 1\n    end = True\n"
    patch_text = """\
*** Begin Patch
*** Update File: m.py
@@ class B:
-    x = 1
+    x = 2
@@
     end = True
+# end
*** End of File
*** End Patch
"""
    (file,) = apply_patch(parse_patch(patch_text), {"m.py": before}).files
    assert file.new_text == "class A:\n    x = 1\n\nclass B:\n    x = 2\n    end = True\n# end\n"


def test_search_replace_blocks() -> None:
    patch_text = "app.py\n```python\n<<<<<<< SEARCH\n    return 0\n=======\n    return 1\n>>>>>>> REPLACE\n```\n"
    (file,) = apply_patch(parse_patch(patch_text), {"app.py": SOURCE}).files
    assert file.new_text == SOURCE.replace("return 0", "return 1")


@pytest.mark.parametrize(
    ("files", "patch_text", "message"),
    [
        (
            {"f": "x = 1\nprint(x)\nx = 1\nprint(x)\n"},
            "--- a/f\n+++ b/f\n@@ @@\n x = 1\n-print(x)\n+print(x + 1)\n",
            r"f: hunk 1 \(@@ @@\) is ambiguous: it fits equally well at line 1 and at line 3",
        ),
        (
            {"f.py": SOURCE},
            # "def" is no whole line of the file; fuzz keeps one context line per side
            "f.py\n<<<<<<< SEARCH\n\n\ndef\n=======\n\n# --\ndef\n>>>>>>> REPLACE\n",
            r"f.py: hunk 1 \(SEARCH block at line 2\) does not match the file",
        ),
        (
            {"app.py": SOURCE},
            "--- a/app.py\n+++ b/app.py\n@@ -16,3 +16,3 @@\n def main():\n-    data = fetch(sys.argv[1], retries=3)\n+    data = None\n     save(sys.argv[2], data.upper())\n",
            r"app.py: hunk 1 \(@@ -16,3 \+16,3 @@\) does not match the file: its context fits at line "
            r"15, but a line it removes is not there as the patch shows it \(line 16 reads "
            r"'data = load\(sys.argv\[1\]\)', the patch removes 'data = fetch\(sys.argv\[1\], retries=3\)'\)",
        ),
        (
            {"app.py": SOURCE},
            "--- a/app.py\n+++ b/app.py\n@@ -1 +1 @@\n-nothing like this\n+x\n",
            r"no line of it occurs in the file",
        ),
        ({"app.py": SOURCE}, "--- /dev/null\n+++ b/app.py\n@@ -0,0 +1 @@\n+x\n", "already exists"),
        (
            {},
            "--- a/missing.py\n+++ b/missing.py\n@@ -1 +1 @@\n-a\n+b\n",
            "missing.py: no such file",
        ),
        (
            {"f": "a\nb\nc\nd\n"},
            "--- a/f\n+++ b/f\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n@@ -2,3 +2,3 @@\n b\n-c\n+C\n d\n",
            "overlap",
        ),
        (
            {"gone.txt": "something else\n"},
            "--- a/gone.txt\n+++ /dev/null\n@@ -1 +0,0 @@\n-bye\n",
            "not what the patch removes",
        ),
    ],
    ids=[
        "ambiguous-bare",
        "search-not-there",
        "removed-line-differs",
        "nothing-similar",
        "create-existing",
        "missing",
        "overlap",
        "delete-mismatch",
    ],
)
def test_refusals_name_the_hunk(files: dict[str, str], patch_text: str, message: str) -> None:
    with pytest.raises(PatchRejected, match=message):
        apply_patch(parse_patch(patch_text), files)


def test_nearest_to_stated_line_wins_over_an_earlier_copy() -> None:
    before = "x = 1\nprint(x)\n" + "pad\n" * 10 + "x = 1\nprint(x)\n"
    patch_text = "--- a/f\n+++ b/f\n@@ -12,2 +12,2 @@\n x = 1\n-print(x)\n+print(x + 1)\n"
    (file,) = apply_patch(parse_patch(patch_text), {"f": before}).files
    assert file.new_text == before[: -len("print(x)\n")] + "print(x + 1)\n"
    assert (file.hunks[0].line, file.hunks[0].offset) == (13, 1)


def test_nothing_is_returned_when_one_file_fails() -> None:
    patch_text = (
        "--- a/ok.txt\n+++ b/ok.txt\n@@ -1 +1 @@\n-a\n+b\n"
        "--- a/bad.txt\n+++ b/bad.txt\n@@ -1 +1 @@\n-zzz\n+b\n"
    )
    with pytest.raises(PatchRejected, match="bad.txt"):
        apply_patch(parse_patch(patch_text), {"ok.txt": "a\n", "bad.txt": "a\n"})
