"""Patch parsing, as tables: each format in, the parsed shape out."""

from __future__ import annotations

import pytest

from skills.diffgen.patch_errors import PatchParseError
from skills.diffgen.patch_parser import parse_patch

GIT_MODIFY = """\
diff --git a/src/app.py b/src/app.py
index 83db48f..bf269f4 100644
--- a/src/app.py
+++ b/src/app.py
@@ -1,3 +1,3 @@ def main():
 import os
-x = 1
+x = 2
 print(x)
"""

PLAIN_MODIFY = """\
--- app.py\t2024-05-01 10:00:00.000000000 +0200
+++ app.py\t2024-05-01 10:01:00.000000000 +0200
@@ -1,3 +1,3 @@
 import os
-x = 1
+x = 2
 print(x)
"""

NEW_FILE = """\
diff --git a/docs/new.md b/docs/new.md
new file mode 100755
index 0000000..e69de29
--- /dev/null
+++ b/docs/new.md
@@ -0,0 +1,2 @@
+# Title
+text
\\ No newline at end of file
"""

DELETED_FILE = """\
diff --git a/old.txt b/old.txt
deleted file mode 100644
--- a/old.txt
+++ /dev/null
@@ -1 +0,0 @@
-bye
"""

RENAMED = """\
diff --git a/lib/a.py b/lib/b.py
similarity index 90%
rename from lib/a.py
rename to lib/b.py
--- a/lib/a.py
+++ b/lib/b.py
@@ -1,2 +1,2 @@
-x = 1
+x = 2
 y = 3
"""

PURE_RENAME = """\
diff --git a/one.txt b/two.txt
similarity index 100%
rename from one.txt
rename to two.txt
"""

NO_NEWLINE = """\
--- a/f.txt
+++ b/f.txt
@@ -1,2 +1,2 @@
 a
-b
\\ No newline at end of file
+c
\\ No newline at end of file
"""

BARE_HEADERS = """\
--- a/f.py
+++ b/f.py
@@ @@
 a
-b
+c
@@
 x
+y
"""

LOST_BLANK_CONTEXT = """\
--- a/f.py
+++ b/f.py
@@ -1,4 +1,4 @@
 def f():

-    return 1
+    return 2

--- a/g.py
+++ b/g.py
@@ -1 +1 @@
-old
+new
"""

BEGIN_PATCH = """\
*** Begin Patch
*** Update File: src/app.py
@@ def main():
 import os
-x = 1
+x = 2
@@
 tail
+more
*** End of File
*** Add File: src/new.py
+print("hi")
*** Delete File: src/gone.py
*** Update File: a.txt
*** Move to: b.txt
@@
-1
+2
*** End Patch
"""

SEARCH_REPLACE = """\
Here is the change:

src/app.py
```python
<<<<<<< SEARCH
import os
x = 1
=======
import os
x = 2
>>>>>>> REPLACE
```

```python
<<<<<<< SEARCH
print(x)
=======
print(x, flush=True)
>>>>>>> REPLACE
```

new/file.txt
```
<<<<<<< SEARCH
=======
hello
>>>>>>> REPLACE
```
"""


def summary(text: str) -> list[tuple]:
    patch = parse_patch(text)
    return [
        (
            patch.format,
            f.kind,
            f.path,
            f.new_path,
            [(h.old_start, h.anchor, h.at_end, "".join(t.tag for t in h.lines)) for h in f.hunks],
        )
        for f in patch.files
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (GIT_MODIFY, [("unified", "modify", "src/app.py", None, [(1, None, False, " -+ ")])]),
        (PLAIN_MODIFY, [("unified", "modify", "app.py", None, [(1, None, False, " -+ ")])]),
        (NEW_FILE, [("unified", "create", "docs/new.md", None, [(0, None, False, "++")])]),
        (DELETED_FILE, [("unified", "delete", "old.txt", None, [(1, None, False, "-")])]),
        (RENAMED, [("unified", "rename", "lib/a.py", "lib/b.py", [(1, None, False, "-+ ")])]),
        (PURE_RENAME, [("unified", "rename", "one.txt", "two.txt", [])]),
        (NO_NEWLINE, [("unified", "modify", "f.txt", None, [(1, None, False, " -+")])]),
        (
            BARE_HEADERS,
            [
                (
                    "unified",
                    "modify",
                    "f.py",
                    None,
                    [(None, None, False, " -+"), (None, None, False, " +")],
                )
            ],
        ),
        (
            LOST_BLANK_CONTEXT,
            [
                ("unified", "modify", "f.py", None, [(1, None, False, "  -+ ")]),
                ("unified", "modify", "g.py", None, [(1, None, False, "-+")]),
            ],
        ),
        (
            BEGIN_PATCH,
            [
                (
                    "begin_patch",
                    "modify",
                    "src/app.py",
                    None,
                    [(None, "def main():", False, " -+"), (None, None, True, " +")],
                ),
                ("begin_patch", "create", "src/new.py", None, [(None, None, False, "+")]),
                ("begin_patch", "delete", "src/gone.py", None, []),
                ("begin_patch", "rename", "a.txt", "b.txt", [(None, None, False, "-+")]),
            ],
        ),
        (
            SEARCH_REPLACE,
            [
                ("search_replace", "create", "new/file.txt", None, [(None, None, False, "+")]),
                (
                    "search_replace",
                    "modify",
                    "src/app.py",
                    None,
                    [(None, None, False, " -+"), (None, None, False, "-+")],
                ),
            ],
        ),
    ],
    ids=[
        "git-modify",
        "plain-modify",
        "new-file",
        "deleted-file",
        "renamed",
        "pure-rename",
        "no-newline",
        "bare-headers",
        "lost-blank-context",
        "begin-patch",
        "search-replace",
    ],
)
def test_parse_formats(text: str, expected: list[tuple]) -> None:
    assert summary(text) == expected


def test_no_newline_markers_are_recorded_per_side() -> None:
    hunk = parse_patch(NO_NEWLINE).files[0].hunks[0]
    assert (hunk.old_no_newline, hunk.new_no_newline) == (True, True)
    created = parse_patch(NEW_FILE).files[0]
    assert created.hunks[0].new_no_newline and created.new_mode == 0o755


def test_plain_diff_with_two_names_offers_both() -> None:
    text = "--- utils.py.orig\n+++ utils.py\n@@ -1 +1 @@\n-a\n+b\n"
    file_patch = parse_patch(text).files[0]
    assert (file_patch.kind, file_patch.path, file_patch.alternatives) == (
        "modify",
        "utils.py",
        ("utils.py.orig",),
    )


def test_crlf_patch_text_is_read_like_lf() -> None:
    assert summary(GIT_MODIFY.replace("\n", "\r\n")) == summary(GIT_MODIFY)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("just some words\n", "no patch found"),
        ("@@ -1 +1 @@\n-a\n+b\n--- x\n", "line 1: hunk without"),
        ("--- a/x\n+++ b/x\n", "without any @@ hunk"),
        ("f.py\n<<<<<<< SEARCH\na\n>>>>>>> REPLACE\n", "without '======='"),
        ("<<<<<<< SEARCH\na\n=======\nb\n>>>>>>> REPLACE\n", "without a file name"),
        ("diff --git a/x b/x\nBinary files a/x and b/x differ\n", "binary"),
        ("*** Begin Patch\n*** End Patch\n", "names no file"),
        ("--- a/x\n+++ b/x\n@@ -1 +1 @@\n\x00\n", "NUL"),
    ],
)
def test_parse_errors_say_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(PatchParseError, match=message):
        parse_patch(text)
