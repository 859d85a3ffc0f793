"""Build the patch-format peer cases in ``cases/`` (deterministic; run from anywhere).

    python tests/data/patch_peers/build_cases.py --whatthepatch DIR --aider DIR

``--whatthepatch`` is the unpacked ``whatthepatch`` sdist (its ``tests/casefiles``),
``--aider`` the unpacked ``aider-chat`` sdist (``tests/basic/test_editblock.py`` cases are
copied in by hand below, as text). Without them only Ting's own cases are rebuilt.

Ting's own cases are made with the real GNU ``diff`` (``-urN``, ``-rc``, ``-r``, ``-e``)
between an ``old/`` and a ``new/`` tree, so the patches are exactly what diff writes;
the cases that test refusals or already-applied patches then change the root the patch
meets. Each case: ``case.json``, ``patch.txt``, ``before/`` and, when it should land,
``after/``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
CASES = HERE / "cases"
SOURCES = HERE.parent / "diff_corpus" / "sources"

OWN = {"source": "Ting (made with GNU diff 3.8 from CPython 3.11 stdlib files)", "licence": "PSF"}
WTP = {
    "source": "whatthepatch 1.0.7 sdist, tests/casefiles + tests/test_apply.py",
    "licence": "MIT",
}
AIDER = {
    "source": "aider-chat 0.86.2 sdist, tests/basic/test_editblock.py",
    "licence": "Apache-2.0",
}


def src(name: str) -> str:
    return (SOURCES / name).read_text(encoding="utf-8")


def sub(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, (old, text.count(old))
    return text.replace(old, new)


def write_tree(folder: Path, files: dict[str, str | bytes]) -> None:
    for rel, data in files.items():
        target = folder / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)


def run_diff(args: list[str], old: dict, new: dict, tz: str = "UTC") -> str:
    """GNU diff between trees ``old/`` and ``new/`` (paths in the output start old/, new/)."""
    with tempfile.TemporaryDirectory() as scratch:
        base = Path(scratch)
        write_tree(base / "old", old)
        write_tree(base / "new", new)
        (base / "old").mkdir(exist_ok=True)
        (base / "new").mkdir(exist_ok=True)
        # fixed mtimes so the headers are the same on every run
        for path in base.rglob("*"):
            os.utime(path, (1700000000, 1700000000))
        env = {**os.environ, "TZ": tz, "LC_ALL": "C"}
        done = subprocess.run(
            ["diff", *args], cwd=base, capture_output=True, text=True, env=env, check=False
        )
        assert done.returncode == 1, done.stderr
        return done.stdout


def case(
    name: str,
    *,
    meta: dict,
    fmt: str,
    expect: str,
    before: dict,
    patch: str,
    after: dict | None = None,
    strip: int = 1,
    target: str | None = None,
    note: str,
) -> None:
    folder = CASES / name
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    data = {**meta, "format": fmt, "expect": expect, "strip": strip, "note": note}
    if target:
        data["target"] = target
    (folder / "case.json").write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n")
    (folder / "patch.txt").write_bytes(patch.encode("utf-8"))
    write_tree(folder / "before", before)
    if expect == "already_applied":
        after = before
    if after is not None:
        write_tree(folder / "after", after)
    (folder / "before").mkdir(exist_ok=True)


# ---------------------------------------------------------------- Ting's own cases


def own_cases() -> None:
    colorsys, bisect, sched, fnmatch = (
        src("colorsys.py"),
        src("bisect.py"),
        src("sched.py"),
        src("fnmatch.py"),
    )
    colorsys2 = sub(colorsys, "ONE_SIXTH = 1.0/6.0\n", "ONE_SIXTH = 1.0/6.0\nONE_NINTH = 1.0/9.0\n")
    colorsys2 = sub(
        colorsys2,
        "    h = (h/6.0) % 1.0\n    return h, l, s\n",
        "    h = (h/6.0) % 1.0\n    return (h, l, s)\n",
    )
    notes = "Notes for the colour helpers.\n\nHSV and HLS share _v.\n"

    # diff -urN: a created and a deleted file, epoch timestamps in UTC
    old = {"colorsys.py": colorsys, "bisect.py": bisect}
    new = {"colorsys.py": colorsys2, "docs/notes.txt": notes}
    patch = run_diff(["-urN", "old", "new"], old, new)
    case(
        "own-urN-create-delete-utc",
        meta=OWN,
        fmt="unified",
        expect="applied",
        before=old,
        patch=patch,
        after=new,
        note="diff -urN: one file changed, one created, one deleted (epoch timestamps, UTC)",
    )

    # diff -uN in Paris and New York time: the epoch is written in local time
    patch = run_diff(
        ["-urN", "old", "new"],
        {"sched.py": sched},
        {"sched.py": sched, "pkg/sub/new.py": "VALUE = 1\n"},
        tz="Europe/Paris",
    )
    case(
        "own-urN-create-paris",
        meta=OWN,
        fmt="unified",
        expect="applied",
        before={"sched.py": sched},
        patch=patch,
        after={"sched.py": sched, "pkg/sub/new.py": "VALUE = 1\n"},
        note="diff -urN in TZ=Europe/Paris: the new file's old side is dated 1970-01-01 01:00:00 +0100; two new folders",
    )
    patch = run_diff(
        ["-urN", "old", "new"],
        {"sched.py": sched, "bisect.py": bisect},
        {"sched.py": sched},
        tz="America/New_York",
    )
    case(
        "own-urN-delete-newyork",
        meta=OWN,
        fmt="unified",
        expect="applied",
        before={"sched.py": sched, "bisect.py": bisect},
        patch=patch,
        after={"sched.py": sched},
        note="diff -urN in TZ=America/New_York: the deleted file's new side is dated 1969-12-31 19:00:00 -0500",
    )

    # /dev/null headers without git's extended lines
    body = run_diff(
        ["-u", "old/tools.py", "new/tools.py"],
        {"tools.py": ""},
        {"tools.py": "import sys\n\nprint(sys.argv)\n"},
    )
    patch = "--- /dev/null\n+++ b/tools.py\n" + body.split("\n", 2)[2]
    case(
        "own-devnull-create",
        meta=OWN,
        fmt="unified",
        expect="applied",
        before={"colorsys.py": colorsys},
        patch=patch,
        after={"colorsys.py": colorsys, "tools.py": "import sys\n\nprint(sys.argv)\n"},
        note="plain unified diff creating a file from /dev/null (no git lines)",
    )
    body = run_diff(
        ["-u", "old/bisect.py", "new/bisect.py"], {"bisect.py": bisect}, {"bisect.py": ""}
    )
    patch = "--- a/bisect.py\n+++ /dev/null\n" + body.split("\n", 2)[2]
    case(
        "own-devnull-delete",
        meta=OWN,
        fmt="unified",
        expect="applied",
        before={"colorsys.py": colorsys, "bisect.py": bisect},
        patch=patch,
        after={"colorsys.py": colorsys},
        note="plain unified diff deleting a file to /dev/null",
    )

    # refusals around creation and deletion
    patch = run_diff(
        ["-urN", "old", "new"], {"bisect.py": bisect, "sched.py": sched}, {"sched.py": sched}
    )
    edited = sub(
        bisect,
        "    return lo\n\n\ndef insort_left",
        "    return lo  # right edge\n\n\ndef insort_left",
    )
    case(
        "own-urN-delete-edited",
        meta=OWN,
        fmt="unified",
        expect="refused",
        before={"bisect.py": edited, "sched.py": sched},
        patch=patch,
        note="must fail: the deletion shows the file's old text, but the file was edited since (one line differs)",
    )
    patch = run_diff(
        ["-urN", "old", "new"], {"sched.py": sched}, {"sched.py": sched, "notes.txt": notes}
    )
    case(
        "own-urN-create-exists-other",
        meta=OWN,
        fmt="unified",
        expect="refused",
        before={"sched.py": sched, "notes.txt": "my own notes\n"},
        patch=patch,
        note="must fail: the file the patch creates exists with other text",
    )
    case(
        "own-urN-create-exists-same",
        meta=OWN,
        fmt="unified",
        expect="already_applied",
        before={"sched.py": sched, "notes.txt": notes},
        patch=patch,
        note="already applied: the file the patch creates exists with exactly that text",
    )

    # context diffs
    fn2 = sub(fnmatch, "import os\n", "import os\nimport sys\n")
    fn2 = sub(
        fn2,
        "    name = os.path.normcase(name)\n",
        "    name = os.path.normcase(name)\n    # normcase first\n",
    )
    sched2 = sub(sched, "        return event # The ID\n", "        return event  # the ID\n")
    sched2 = sub(sched2, '__all__ = ["scheduler"]\n', '__all__ = ["scheduler", "Event"]\n')
    old = {"fnmatch.py": fnmatch, "sched.py": sched}
    new = {"fnmatch.py": fn2, "sched.py": sched2}
    patch = run_diff(["-rc", "old", "new"], old, new)
    case(
        "own-context-rc-two-files",
        meta=OWN,
        fmt="context",
        expect="applied",
        before=old,
        patch=patch,
        after=new,
        note="diff -rc: two files, two hunks each, 'diff -rc' lines between files",
    )
    old = {"fnmatch.py": fnmatch, "bisect.py": bisect}
    new = {"fnmatch.py": fn2, "lib/notes.txt": notes}
    patch = run_diff(["-rcN", "old", "new"], old, new)
    case(
        "own-context-rcN-create-delete",
        meta=OWN,
        fmt="context",
        expect="applied",
        before=old,
        patch=patch,
        after=new,
        note="diff -rcN: a change, a created file ('*** 0 ****') and a deleted one ('--- 0 ----')",
    )
    moved = "# local header line 1\n# local header line 2\n# local header line 3\n" + sched
    patch = run_diff(["-rc", "old", "new"], {"sched.py": sched}, {"sched.py": sched2})
    case(
        "own-context-offset",
        meta=OWN,
        fmt="context",
        expect="applied",
        before={"sched.py": moved},
        patch=patch,
        after={
            "sched.py": "# local header line 1\n# local header line 2\n# local header line 3\n"
            + sched2
        },
        note="context diff whose line numbers are 3 short: the file gained a header since",
    )
    tail = "first\nsecond\nthird\nfourth"
    patch = run_diff(
        ["-rc", "old", "new"], {"t.txt": tail}, {"t.txt": tail.replace("fourth", "fourth and last")}
    )
    case(
        "own-context-no-newline",
        meta=OWN,
        fmt="context",
        expect="applied",
        before={"t.txt": tail},
        patch=patch,
        after={"t.txt": tail.replace("fourth", "fourth and last")},
        note="context diff on a file without a final newline ('\\ No newline at end of file')",
    )
    patch = run_diff(["-rc", "old", "new"], {"sched.py": sched}, {"sched.py": sched2})
    local = sub(sched, "        return event # The ID\n", "        return event # The event ID\n")
    case(
        "own-context-changed-line-differs",
        meta=OWN,
        fmt="context",
        expect="refused",
        before={"sched.py": local},
        patch=patch,
        note="must fail: a '!' line the patch replaces reads differently in the file",
    )

    # normal diffs
    old = {"fnmatch.py": fnmatch, "sched.py": sched}
    new = {"fnmatch.py": fn2, "sched.py": sub(sched2, "import heapq\n", "")}
    patch = run_diff(["-r", "old", "new"], old, new)
    case(
        "own-normal-r-two-files",
        meta=OWN,
        fmt="normal",
        expect="applied",
        before=old,
        patch=patch,
        after=new,
        note="diff -r (normal format): 'diff -r old/x new/x' lines name each file; a, c and d commands",
    )
    patch = run_diff(
        ["old/colorsys.py", "new/colorsys.py"],
        {"colorsys.py": colorsys},
        {"colorsys.py": colorsys2},
    )
    case(
        "own-normal-one-file",
        meta=OWN,
        fmt="normal",
        expect="applied",
        before={"colorsys.py": colorsys},
        patch=patch,
        after={"colorsys.py": colorsys2},
        strip=0,
        target="colorsys.py",
        note="plain 'diff old new' output names no file: the file is given on the command line",
    )
    local = sub(colorsys, "    return h, l, s\n", "    return h, l, s  # tuple\n")
    case(
        "own-normal-removed-differs",
        meta=OWN,
        fmt="normal",
        expect="refused",
        before={"colorsys.py": local},
        patch=patch,
        strip=0,
        target="colorsys.py",
        note="must fail: a '<' line the normal diff removes reads differently in the file",
    )
    patch = run_diff(
        ["-e", "old/colorsys.py", "new/colorsys.py"],
        {"colorsys.py": colorsys},
        {
            "colorsys.py": sub(
                colorsys, "ONE_SIXTH = 1.0/6.0\n", "ONE_SIXTH = 1.0/6.0\nONE_NINTH = 1.0/9.0\n"
            )
        },
    )
    case(
        "own-ed-append",
        meta=OWN,
        fmt="ed",
        expect="applied",
        before={"colorsys.py": colorsys},
        patch=patch,
        after={
            "colorsys.py": sub(
                colorsys, "ONE_SIXTH = 1.0/6.0\n", "ONE_SIXTH = 1.0/6.0\nONE_NINTH = 1.0/9.0\n"
            )
        },
        strip=0,
        target="colorsys.py",
        note="diff -e that only appends lines",
    )

    # already applied
    bisect2 = sub(
        bisect,
        "    if lo < 0:\n        raise ValueError('lo must be non-negative')\n    if hi is None:\n        hi = len(a)\n    # Note, the comparison uses \"<\" to match the\n    # __lt__() logic in list.sort() and in heapq.\n    if key is None:\n        while lo < hi:\n            mid = (lo + hi) // 2\n            if x < a[mid]:",
        "    if lo < 0:\n        raise ValueError('lo must be non-negative')\n    if hi is None:\n        hi = len(a)\n    # Note, the comparison uses \"<\" to match the\n    # __lt__() logic in list.sort() and in heapq.\n    if key is None:\n        while lo < hi:\n            mid = (lo + hi) >> 1\n            if x < a[mid]:",
    )
    hg_header = (
        "# HG changeset patch\n# User Ting Tester <tester@example.org>\n# Date 1700000000 0\n"
        "#      Tue Nov 14 22:13:20 2023 +0000\n# Node ID 5f3c1e0a9b7d6c5e4f3a2b1c0d9e8f7a6b5c4d3e\n"
        "# Parent  0a1b2c3d4e5f60718293a4b5c6d7e8f901234567\nuse a shift and a tuple\n\n"
    )

    def hg(path_old_new: list[tuple[str, str, str]]) -> str:
        out = hg_header
        for path, a, b in path_old_new:
            body = run_diff(["-u", f"old/{path}", f"new/{path}"], {path: a}, {path: b})
            out += f"diff -r 0a1b2c3d4e5f -r 5f3c1e0a9b7d {path}\n"
            out += f"--- a/{path}\tThu Jan 01 00:00:00 1970 +0000\n+++ b/{path}\tTue Nov 14 22:13:20 2023 +0000\n"
            out += body.split("\n", 2)[2]
        return out

    patch = hg([("bisect.py", bisect, bisect2), ("colorsys.py", colorsys, colorsys2)])
    case(
        "own-hg-one-file-applied",
        meta=OWN,
        fmt="unified",
        expect="applied",
        before={"bisect.py": bisect2, "colorsys.py": colorsys},
        patch=patch,
        after={"bisect.py": bisect2, "colorsys.py": colorsys2},
        note="Mercurial export (a/ b/) of two files; bisect.py already holds its change, colorsys.py does not",
    )
    case(
        "own-hg-all-applied",
        meta=OWN,
        fmt="unified",
        expect="already_applied",
        before={"bisect.py": bisect2, "colorsys.py": colorsys2},
        patch=patch,
        note="already applied: both files already hold the change; nothing may change",
    )
    half = sub(colorsys, "ONE_SIXTH = 1.0/6.0\n", "ONE_SIXTH = 1.0/6.0\nONE_NINTH = 1.0/9.0\n")
    patch = run_diff(["-urN", "old", "new"], {"colorsys.py": colorsys}, {"colorsys.py": colorsys2})
    case(
        "own-unified-half-applied",
        meta=OWN,
        fmt="unified",
        expect="applied",
        before={"colorsys.py": half},
        patch=patch,
        after={"colorsys.py": colorsys2},
        note="hunk 1 already applied (by hand), hunk 2 not: hunk 2 lands, hunk 1 is reported applied",
    )

    # fuzz: outer context lines drifted
    patch = run_diff(["-urN", "old", "new"], {"sched.py": sched}, {"sched.py": sched2})
    edits1 = [
        ("import threading\n", "import threading  # RLock\n"),
        (
            "            event = Event(time, priority, next(self._sequence_generator),\n",
            "            event = Event(time, priority, next(self._sequence_generator),  # new id\n",
        ),
    ]
    drift1, drift1_after = sched, sched2
    for a, b in edits1:
        drift1, drift1_after = sub(drift1, a, b), sub(drift1_after, a, b)
    case(
        "own-fuzz1-outer-context",
        meta=OWN,
        fmt="unified",
        expect="applied",
        before={"sched.py": drift1},
        patch=patch,
        after={"sched.py": drift1_after},
        note="the first context line of hunk 1 and of hunk 2 was edited since (GNU patch: fuzz 1)",
    )
    drift2 = sub(
        sched,
        "import threading\nfrom time import monotonic as _time\n",
        "import threading  # for RLock\nfrom time import monotonic as _time  # never goes back\n",
    )
    case(
        "own-fuzz2-two-outer-lines",
        meta=OWN,
        fmt="unified",
        expect="applied",
        before={"sched.py": drift2},
        patch=patch,
        after={
            "sched.py": sub(
                sched2,
                "import threading\nfrom time import monotonic as _time\n",
                "import threading  # for RLock\nfrom time import monotonic as _time  # never goes back\n",
            )
        },
        note="the two first context lines of hunk 1 were edited since (GNU patch: fuzz 2)",
    )
    body = "    # width times height\n    result = w * h\n    return result\n\n\n"
    twice = "def area(w, h):\n" + body + "def surface(w, h):\n" + body + "def main():\n    pass\n"
    twice2 = twice.replace(
        "    result = w * h\n", "    result = w * h\n    assert result >= 0\n", 1
    )
    patch = run_diff(["-urN", "old", "new"], {"shapes.py": twice}, {"shapes.py": twice2})
    local = (
        "def surface(w, h):\n"
        + body
        + "def area(w: float, h: float):\n"
        + body
        + "def main():\n    pass\n"
    )
    case(
        "own-fuzz-ambiguous",
        meta=OWN,
        fmt="unified",
        expect="refused",
        before={"shapes.py": local},
        patch=patch,
        note="must fail: the two functions swapped places and the hunk's first context line "
        "(def area) was edited: without it the hunk fits both, and its line number points at the wrong one",
    )

    # removed lines must match (up to whitespace)
    calc = 'def add(a, b):\n    """Sum."""\n    total = a + b\n    return total\n\n\ndef sub(a, b):\n    """Difference."""\n    total = a - b\n    return total\n'
    calc2 = calc.replace("    total = a + b\n    return total\n", "    return a + b\n")
    patch = run_diff(["-urN", "old", "new"], {"calc.py": calc}, {"calc.py": calc2})
    case(
        "own-removed-differs",
        meta=OWN,
        fmt="unified",
        expect="refused",
        before={"calc.py": calc.replace("total = a + b", "total = a + b + 0")},
        patch=patch,
        note="must fail: a removed line reads 'total = a + b' in the patch, 'total = a + b + 0' in the file",
    )
    calc3 = calc2.replace("    total = a - b\n    return total\n", "    return a - b\n")
    patch = run_diff(["-urN", "old", "new"], {"calc.py": calc}, {"calc.py": calc3})
    case(
        "own-removed-differs-second-hunk",
        meta=OWN,
        fmt="unified",
        expect="refused",
        before={"calc.py": calc.replace("total = a - b", "total = b - a")},
        patch=patch,
        note="must fail: hunk 1 fits, hunk 2's removed line differs; nothing may be written",
    )
    case(
        "own-removed-whitespace-only",
        meta=OWN,
        fmt="unified",
        expect="applied",
        before={"calc.py": calc.replace("    total = a + b\n", "    total = a  +  b   \n")},
        patch=patch,
        after={"calc.py": calc3},
        note="a removed line differs from the file only in spaces: it matches",
    )
    patch = run_diff(["-urN", "old", "new"], {"sched.py": sched}, {"sched.py": sched2})
    patch = sub(
        patch, " heapq.heappush(self._queue, event)\n", " heapq.heappush(self._queue, evnt)\n"
    )
    case(
        "own-context-typo-inner",
        meta=OWN,
        fmt="unified",
        expect="applied",
        before={"sched.py": sched},
        patch=patch,
        after={"sched.py": sched2},
        note="a typo in the innermost context line ('evnt'): tolerated, it is not removed text",
    )


# ---------------------------------------------------------------- whatthepatch


def whatthepatch_cases(root: Path) -> None:
    files = root / "tests" / "casefiles"
    lao, tzu = (files / "lao").read_text(), (files / "tzu").read_text()
    abc, efg = (files / "abc").read_text(), (files / "efg").read_text()
    diff = {
        name: (files / name).read_text()
        for name in (
            "diff-unified.diff",
            "diff-unified2.diff",
            "diff-context.diff",
            "diff-default.diff",
            "diff-ed.diff",
            "diff-rcs.diff",
            "diff-unified-bad.diff",
            "diff-unified-bad2.diff",
            "git-oneline-add.diff",
            "git-oneline-rm.diff",
            "git-oneline-change.diff",
        )
    }
    plain = dict(meta=WTP, strip=0)
    case(
        "wtp-diff-unified",
        **plain,
        fmt="unified",
        expect="applied",
        before={"lao": lao},
        patch=diff["diff-unified.diff"],
        after={"lao": tzu},
        note="test_diff_unified: lao -> tzu",
    )
    case(
        "wtp-diff-unified2",
        **plain,
        fmt="unified",
        expect="applied",
        before={"abc": abc},
        patch=diff["diff-unified2.diff"],
        after={"abc": efg},
        note="test_diff_unified2: abc -> efg",
    )
    case(
        "wtp-diff-context",
        **plain,
        fmt="context",
        expect="applied",
        before={"lao": lao},
        patch=diff["diff-context.diff"],
        after={"lao": tzu},
        note="test_diff_context: lao -> tzu",
    )
    case(
        "wtp-diff-default",
        **plain,
        fmt="normal",
        expect="applied",
        before={"lao": lao},
        patch=diff["diff-default.diff"],
        after={"lao": tzu},
        target="lao",
        note="test_diff_default (normal format; the file is given on the command line)",
    )
    case(
        "wtp-diff-ed",
        **plain,
        fmt="ed",
        expect="applied",
        before={"lao": lao},
        patch=diff["diff-ed.diff"],
        after={"lao": tzu},
        target="lao",
        note="test_diff_ed (ed script; the file is given on the command line)",
    )
    case(
        "wtp-diff-rcs",
        **plain,
        fmt="rcs",
        expect="applied",
        before={"lao": lao},
        patch=diff["diff-rcs.diff"],
        after={"lao": tzu},
        target="lao",
        note="test_diff_rcs (RCS format; the file is given on the command line)",
    )
    case(
        "wtp-diff-unified-bad",
        **plain,
        fmt="unified",
        expect="refused",
        before={"lao": lao},
        patch=diff["diff-unified-bad.diff"],
        note="test_diff_unified_bad: must fail, the removed line says 'all tings', the file 'all things'",
    )
    case(
        "wtp-diff-unified-bad2",
        **plain,
        fmt="unified",
        expect="applied",
        before={"lao": lao},
        patch=diff["diff-unified-bad2.diff"],
        after={"lao": tzu},
        note="test_diff_unified_bad2: a typo in a context line ('te same'); whatthepatch refuses, "
        "Ting and GNU patch (fuzz) may land it since no removed line differs",
    )
    case(
        "wtp-diff-unified-bad-backward",
        **plain,
        fmt="unified",
        expect="already_applied",
        before={"lao": tzu},
        patch=diff["diff-unified-bad2.diff"],
        note="test_diff_unified_bad_backward: the patch meets the patched file tzu; whatthepatch refuses, "
        "nothing may change (Ting: already applied)",
    )
    case(
        "wtp-diff-unified-empty-source",
        **plain,
        fmt="unified",
        expect="refused",
        before={"lao": ""},
        patch=diff["diff-unified-bad2.diff"],
        note="test_diff_unified_bad_empty_source: must fail",
    )
    case(
        "wtp-diff-unified-blank-prepended",
        **plain,
        fmt="unified",
        expect="applied",
        before={"lao": "\n" + lao},
        patch=diff["diff-unified.diff"],
        after={"lao": "\n" + tzu},
        note="test_diff_unified_patchutil: lao with a blank first line (offset 1); whatthepatch's GNU "
        "patch call refuses it, GNU patch lands it with offset 1",
    )
    git = dict(meta=WTP, strip=1)
    case(
        "wtp-git-oneline-add",
        **git,
        fmt="git",
        expect="applied",
        before={},
        patch=diff["git-oneline-add.diff"],
        after={"oneline.txt": "Adding a one-line file.\n"},
        note="git-oneline-add.diff: create a one-line file (the casefile lost its final newline; "
        "it has no 'No newline' marker, so the file ends with one)",
    )
    case(
        "wtp-git-oneline-change",
        **git,
        fmt="git",
        expect="applied",
        before={"oneline.txt": "Adding a one-line file.\n"},
        patch=diff["git-oneline-change.diff"],
        after={"oneline.txt": "Changed a one-line file.\n"},
        note="git-oneline-change.diff",
    )
    case(
        "wtp-git-oneline-rm",
        **git,
        fmt="git",
        expect="applied",
        before={"oneline.txt": "Changed a one-line file.\n"},
        patch=diff["git-oneline-rm.diff"],
        after={},
        note="git-oneline-rm.diff: delete it",
    )


# ---------------------------------------------------------------- aider


def aider_cases() -> None:
    def sr(name: str, whole: str, part: str, replace: str, expected: str | None, note: str) -> None:
        patch = f"f.txt\n```\n<<<<<<< SEARCH\n{part}=======\n{replace}>>>>>>> REPLACE\n```\n"
        case(
            name,
            meta=AIDER,
            fmt="search_replace",
            expect="applied" if expected is not None else "refused",
            before={"f.txt": whole},
            patch=patch,
            after=None if expected is None else {"f.txt": expected},
            strip=0,
            note=note,
        )

    sr(
        "aider-missing-varied-leading-ws",
        "\n    line1\n    line2\n        line3\n    line4\n",
        "line2\n    line3\n",
        "new_line2\n    new_line3\n",
        "\n    line1\n    new_line2\n        new_line3\n    line4\n",
        "test_replace_part_with_missing_varied_leading_whitespace",
    )
    sr(
        "aider-missing-leading-ws",
        "    line1\n    line2\n    line3\n",
        "line1\nline2\n",
        "new_line1\nnew_line2\n",
        "    new_line1\n    new_line2\n    line3\n",
        "test_replace_part_with_missing_leading_whitespace",
    )
    sr(
        "aider-some-missing-leading-ws",
        "    line1\n    line2\n    line3\n",
        " line1\n line2\n",
        " new_line1\n     new_line2\n",
        "    new_line1\n        new_line2\n    line3\n",
        "test_replace_part_with_just_some_missing_leading_whitespace",
    )
    sr(
        "aider-missing-ws-blank-line",
        "    line1\n    line2\n    line3\n",
        "\n  line1\n  line2\n",
        "  new_line1\n  new_line2\n",
        "    new_line1\n    new_line2\n    line3\n",
        "test_replace_part_with_missing_leading_whitespace_including_blank_line",
    )
    sr(
        "aider-multiple-matches",
        "line1\nline2\nline1\nline3\n",
        "line1\n",
        "new_line\n",
        None,
        "test_replace_multiple_matches: aider replaces the first of two equal places; "
        "Ting refuses it as ambiguous (must fail here)",
    )
    sr(
        "aider-full-edit",
        "one\ntwo\nthree\n",
        "two\n",
        "new\n",
        "one\nnew\nthree\n",
        "test_full_edit",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--whatthepatch", type=Path)
    parser.add_argument("--aider", action="store_true", help="rebuild the aider cases too")
    args = parser.parse_args()
    own_cases()
    if args.whatthepatch:
        whatthepatch_cases(args.whatthepatch)
    if args.aider:
        aider_cases()


if __name__ == "__main__":
    main()
