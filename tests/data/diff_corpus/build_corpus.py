"""Build the diff corpus: correct diffs of real source files, mutated the way language
models get them wrong, plus hostile patches. Run from the repo root:

    python tests/data/diff_corpus/build_corpus.py

It rewrites ``tests/data/diff_corpus/cases/``; the generated cases are committed. Each
case folder holds ``case.json`` (what the root looks like before, what to expect),
``patch.txt`` and, when the patch should land, ``after/`` with every file expected in
the root afterwards. Deterministic (fixed seed).

Expectations never come from Ting's engine: "applied" cases expect the edit the correct
diff made; a mutated patch whose old text no longer identifies one place in the file
(no line numbers and not unique) is expected to be refused as ambiguous.
"""

from __future__ import annotations

import difflib
import json
import random
import re
import shutil
from dataclasses import dataclass, field, replace
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCES = HERE / "sources"
CASES = HERE / "cases"
OUTSIDE_SECRET = "top secret\ndo not touch\n"

COMMENT = {".py": "  # changed", ".js": "  // changed", ".c": "  /* changed */"}
INSERTED = {".py": "log_step({n})", ".js": "logStep({n});", ".c": "log_step({n});"}


# ---------------------------------------------------------------- hunks


@dataclass
class GenHunk:
    old_start: int
    old_len: int
    new_start: int
    new_len: int
    lines: list[tuple[str, str]]
    old_nonl: bool = False
    new_nonl: bool = False

    @property
    def before(self) -> list[str]:
        return [t for tag, t in self.lines if tag != "+"]


def split_lines(text: str) -> tuple[list[str], bool]:
    parts = text.split("\n")
    if parts[-1] == "":
        parts.pop()
        return parts, True
    return parts, False


def make_hunks(old: str, new: str, context: int = 3) -> list[GenHunk]:
    a, a_nl = split_lines(old)
    b, b_nl = split_lines(new)
    assert a_nl == b_nl, "edits keep the final-newline state"
    hunks = []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for group in matcher.get_grouped_opcodes(context):
        i1, i2, j1, j2 = group[0][1], group[-1][2], group[0][3], group[-1][4]
        lines: list[tuple[str, str]] = []
        for op, x1, x2, y1, y2 in group:
            if op == "equal":
                lines += [(" ", t) for t in a[x1:x2]]
                continue
            lines += [("-", t) for t in a[x1:x2]]
            lines += [("+", t) for t in b[y1:y2]]
        hunks.append(
            GenHunk(
                old_start=i1 + 1 if i2 > i1 else i1,
                old_len=i2 - i1,
                new_start=j1 + 1 if j2 > j1 else j1,
                new_len=j2 - j1,
                lines=lines,
                old_nonl=not a_nl and i2 == len(a),
                new_nonl=not b_nl and j2 == len(b),
            )
        )
    return hunks


def _range(start: int, length: int) -> str:
    return f"{start}" if length == 1 else f"{start},{length}"


def emit_hunk(h: GenHunk, header: str | None = None) -> str:
    out = [header or f"@@ -{_range(h.old_start, h.old_len)} +{_range(h.new_start, h.new_len)} @@"]
    old_total = sum(1 for tag, _ in h.lines if tag != "+")
    new_total = sum(1 for tag, _ in h.lines if tag != "-")
    old_seen = new_seen = 0
    for tag, text in h.lines:
        out.append(tag + text)
        last_old = last_new = False
        if tag != "+":
            old_seen += 1
            last_old = old_seen == old_total and h.old_nonl
        if tag != "-":
            new_seen += 1
            last_new = new_seen == new_total and h.new_nonl
        if last_old or last_new:
            out.append("\\ No newline at end of file")
    return "\n".join(out) + "\n"


def emit_unified(
    path: str, hunks: list[GenHunk], *, git: bool = True, headers: list[str] | None = None
) -> str:
    if git:
        head = f"diff --git a/{path} b/{path}\n--- a/{path}\n+++ b/{path}\n"
    else:
        head = f"--- {path}\n+++ {path}\n"
    body = "".join(emit_hunk(h, headers[i] if headers else None) for i, h in enumerate(hunks))
    return head + body


def emit_begin_patch(path: str, hunks: list[GenHunk]) -> str:
    out = ["*** Begin Patch", f"*** Update File: {path}"]
    for h in hunks:
        out.append("@@")
        out += [tag + text for tag, text in h.lines]
    out.append("*** End Patch")
    return "\n".join(out) + "\n"


def emit_search_replace(path: str, hunks: list[GenHunk], lang: str) -> str:
    out = []
    for h in hunks:
        out += [path, f"```{lang}", "<<<<<<< SEARCH"]
        out += [t for tag, t in h.lines if tag != "+"]
        out.append("=======")
        out += [t for tag, t in h.lines if tag != "-"]
        out += [">>>>>>> REPLACE", "```", ""]
    return "\n".join(out)


# ---------------------------------------------------------------- intended edits


def _candidates(lines: list[str], rng: random.Random, avoid: set[int]) -> list[int]:
    good = [
        i
        for i, t in enumerate(lines)
        if t.strip() and len(t.strip()) > 3 and i not in avoid and 2 < i < len(lines) - 2
    ]
    rng.shuffle(good)
    return good


def _far(i: int, chosen: list[int], gap: int = 14) -> bool:
    return all(abs(i - c) >= gap for c in chosen)


def edit_lines(text: str, ext: str, rng: random.Random, kinds: list[str]) -> str:
    """Apply one small edit per entry of ``kinds`` (modify/insert/delete), far apart."""
    lines, final_nl = split_lines(text)
    chosen: list[int] = []
    for i in _candidates(lines, rng, set()):
        if len(chosen) == len(kinds):
            break
        if _far(i, chosen):
            chosen.append(i)
    if len(chosen) < len(kinds):
        raise ValueError("file too short for this edit")
    for n, (i, kind) in sorted(enumerate(zip(chosen, kinds, strict=True)), key=lambda x: -x[1][0]):
        line = lines[i]
        if kind == "modify":
            lines[i] = line.rstrip() + COMMENT[ext]
        elif kind == "insert":
            indent = line[: len(line) - len(line.lstrip())]
            nxt = lines[i + 1] if i + 1 < len(lines) else ""
            if nxt.strip() and len(nxt) - len(nxt.lstrip()) > len(indent):
                indent = nxt[: len(nxt) - len(nxt.lstrip())]
            lines.insert(i + 1, indent + INSERTED[ext].format(n=n + 1))
        elif kind == "delete":
            del lines[i]
    return "\n".join(lines) + ("\n" if final_nl else "")


def edit_rename(text: str, rng: random.Random) -> str:
    words = re.findall(r"\b[a-z_][a-z0-9_]{4,}\b", text)
    counts = {w: words.count(w) for w in set(words)}
    options = sorted(w for w, c in counts.items() if 2 <= c <= 4)
    word = rng.choice(options)
    return re.sub(rf"\b{word}\b", word + "_v2", text)


def edit_end(text: str, ext: str) -> str:
    lines, final_nl = split_lines(text)
    lines[-1] = lines[-1] + COMMENT[ext]
    return "\n".join(lines) + ("\n" if final_nl else "")


# ---------------------------------------------------------------- mutations


def squash(t: str) -> str:
    return " ".join(t.split())


def unique_in(file_text: str, needle: list[str]) -> bool:
    hay = [squash(t) for t in split_lines(file_text)[0]]
    pat = [squash(t) for t in needle]
    m = len(pat)
    if m == 0:
        return False
    return sum(1 for p in range(len(hay) - m + 1) if hay[p : p + m] == pat) == 1


def shift(hunks: list[GenHunk], k: int) -> list[GenHunk]:
    return [
        replace(h, old_start=max(1, h.old_start + k), new_start=max(1, h.new_start + k))
        for h in hunks
    ]


def drop_context(hunks: list[GenHunk], rng: random.Random) -> list[GenHunk]:
    out = []
    for h in hunks:
        lines = list(h.lines)
        lead = next(i for i, (tag, _) in enumerate(lines) if tag != " ")
        trail = next(i for i, (tag, _) in enumerate(reversed(lines)) if tag != " ")
        keep_lead = rng.randint(0, 1) if lead else 0
        keep_trail = rng.randint(0, 1) if trail else 0
        if not any(tag == "-" for tag, _ in lines) and keep_lead + keep_trail == 0:
            keep_lead = min(lead, 1) or 0
            keep_trail = 0 if keep_lead else min(trail, 1)
        lines = lines[lead - keep_lead : len(lines) - (trail - keep_trail)]
        out.append(
            replace(
                h,
                lines=lines,
                new_nonl=h.new_nonl and trail == keep_trail,
                old_nonl=h.old_nonl and trail == keep_trail,
            )
        )
    return out


def trailing_ws(hunks: list[GenHunk], rng: random.Random) -> list[GenHunk]:
    out = []
    for h in hunks:
        lines = []
        for tag, text in h.lines:
            if tag != "+" and text.strip() and rng.random() < 0.5:
                text = text + rng.choice(["  ", " ", "\t", " \t"])
            lines.append((tag, text))
        out.append(replace(h, lines=lines))
    return out


def reindent(hunks: list[GenHunk], ext: str) -> list[GenHunk]:
    def fix(text: str) -> str:
        stripped = text.lstrip(" \t")
        indent = text[: len(text) - len(stripped)]
        if ext == ".c":
            return indent.replace("\t", "    ") + stripped
        width = len(indent.expandtabs(4))
        return " " * (width // 2) + stripped

    return [
        replace(h, lines=[(tag, fix(t) if t.strip() else t) for tag, t in h.lines]) for h in hunks
    ]


def typo(hunks: list[GenHunk], rng: random.Random) -> list[GenHunk] | None:
    spots = [
        (hi, li)
        for hi, h in enumerate(hunks)
        for li, (tag, t) in enumerate(h.lines)
        if tag == " " and len(t.strip()) > 24
    ]
    if not spots:
        return None
    hi, li = rng.choice(spots)
    tag, text = hunks[hi].lines[li]
    pos = rng.randrange(len(text) - len(text.lstrip()) + 2, len(text) - 2)
    text = text[:pos] + text[pos + 1] + text[pos] + text[pos + 2 :]  # swap two characters
    lines = list(hunks[hi].lines)
    lines[li] = (tag, text)
    out = list(hunks)
    out[hi] = replace(hunks[hi], lines=lines)
    return out


# ---------------------------------------------------------------- cases


@dataclass
class Case:
    name: str
    category: str  # recoverable | ambiguous | unplaceable | hostile
    mutation: str
    patch: str
    files: dict[str, dict]  # relpath -> {"source", "eol", "final_newline"} or {"text"}
    after: dict[str, str] | None  # expected tree when applied; None: refused
    symlinks: dict[str, str] = field(default_factory=dict)
    fifos: list[str] = field(default_factory=list)
    dirs: list[str] = field(default_factory=list)
    note: str = ""


def file_text(spec: dict, sources: dict[str, str]) -> str:
    if "text" in spec:
        return spec["text"]
    text = sources[spec["source"]]
    if not spec.get("final_newline", True):
        text = text.rstrip("\n")
    if spec.get("eol") == "crlf":
        text = text.replace("\n", "\r\n")
    return text


def write_case(number: int, case: Case, sources: dict[str, str]) -> None:
    folder = CASES / f"{number:03d}-{case.name}"
    folder.mkdir(parents=True)
    expect = "applied" if case.after is not None else "refused"
    meta = {
        "category": case.category,
        "mutation": case.mutation,
        "expect": expect,
        "files": case.files,
        "symlinks": case.symlinks,
        "fifos": case.fifos,
        "dirs": case.dirs,
        "note": case.note,
    }
    (folder / "case.json").write_text(json.dumps(meta, indent=1) + "\n")
    (folder / "patch.txt").write_bytes(case.patch.encode("utf-8"))
    if case.after is not None:
        for rel, text in case.after.items():
            target = folder / "after" / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(text.encode("utf-8"))


HINTLESS = {"bare_headers", "begin_patch", "search_replace"}

MUTATIONS = [
    "clean",
    "plain",
    "shifted",
    "wrong_numbers",
    "bare_headers",
    "wrong_counts",
    "dropped_context",
    "out_of_order",
    "trailing_ws",
    "indent_drift",
    "crlf_file",
    "crlf_patch",
    "begin_patch",
    "search_replace",
    "blank_context_lost",
    "context_typo",
    "fenced",
    "combo",
]


def mutate(
    mutation: str, path: str, ext: str, old: str, hunks: list[GenHunk], rng: random.Random
) -> tuple[str, str, bool] | None:
    """(patch text, eol of the file, hunks as carried) or None when the mutation does not
    apply to this edit. Mutations without line numbers are in ``HINTLESS``."""
    lang = {".py": "python", ".js": "javascript", ".c": "c"}[ext]
    if mutation == "clean":
        return emit_unified(path, hunks), "lf", hunks
    if mutation == "plain":
        return emit_unified(path, hunks, git=False), "lf", hunks
    if mutation == "shifted":
        k = rng.choice([-9, -5, -3, 3, 4, 7, 12])
        return emit_unified(path, shift(hunks, k)), "lf", hunks
    if mutation == "wrong_numbers":
        n = len(split_lines(old)[0])
        moved = [
            replace(h, old_start=rng.randint(1, n), new_start=rng.randint(1, n)) for h in hunks
        ]
        return emit_unified(path, moved), "lf", hunks
    if mutation == "bare_headers":
        return emit_unified(path, hunks, headers=["@@ @@"] * len(hunks)), "lf", hunks
    if mutation == "wrong_counts":
        bad = [
            replace(
                h,
                old_len=max(0, h.old_len + rng.choice([-2, -1, 1, 3])),
                new_len=h.new_len + rng.choice([-1, 2]),
            )
            for h in hunks
        ]
        return emit_unified(path, bad), "lf", hunks
    if mutation == "dropped_context":
        dropped = drop_context(hunks, rng)
        return emit_unified(path, dropped), "lf", dropped
    if mutation == "out_of_order":
        if len(hunks) < 2:
            return None
        return emit_unified(path, list(reversed(hunks))), "lf", hunks
    if mutation == "trailing_ws":
        return emit_unified(path, trailing_ws(hunks, rng)), "lf", hunks
    if mutation == "indent_drift":
        return emit_unified(path, reindent(hunks, ext)), "lf", hunks
    if mutation == "crlf_file":
        return emit_unified(path, hunks), "crlf", hunks
    if mutation == "crlf_patch":
        crlf = [replace(h, lines=[(tag, t + "\r") for tag, t in h.lines]) for h in hunks]
        return emit_unified(path, crlf), "crlf", hunks
    if mutation == "begin_patch":
        return emit_begin_patch(path, hunks), "lf", hunks
    if mutation == "search_replace":
        return emit_search_replace(path, hunks, lang), "lf", hunks
    if mutation == "blank_context_lost":
        text = emit_unified(path, hunks)
        if "\n \n" not in text:
            return None
        return text.replace("\n \n", "\n\n"), "lf", hunks
    if mutation == "context_typo":
        typoed = typo(hunks, rng)
        if typoed is None:
            return None
        return emit_unified(path, typoed), "lf", hunks
    if mutation == "fenced":
        return (
            f"Here is the change you asked for:\n\n```diff\n{emit_unified(path, hunks)}```\n\nLet me know if you need more.\n",
            "lf",
            hunks,
        )
    if mutation == "combo":
        k = rng.choice([-4, 6])
        dropped = drop_context(shift(hunks, k), rng)
        return emit_unified(path, trailing_ws(dropped, rng)), "lf", dropped
    raise AssertionError(mutation)


def recoverable_cases(sources: dict[str, str], rng: random.Random) -> list[Case]:
    cases: list[Case] = []
    edit_kinds = [
        ("modify", ["modify"]),
        ("insert", ["insert"]),
        ("delete", ["delete"]),
        ("two-edits", ["insert", "modify"]),
        ("three-edits", ["delete", "insert", "modify"]),
        ("rename", []),
    ]
    turn = 0
    for source in sorted(sources):
        ext = Path(source).suffix
        path = f"src/{source}" if ext != ".c" else source
        for edit_name, kinds in edit_kinds:
            old = sources[source]
            try:
                new = (
                    edit_rename(old, rng)
                    if edit_name == "rename"
                    else edit_lines(old, ext, rng, kinds)
                )
            except (ValueError, IndexError):
                continue
            hunks = make_hunks(old, new)
            picked = 0
            attempts = 0
            while picked < 3 and attempts < len(MUTATIONS):
                mutation = MUTATIONS[turn % len(MUTATIONS)]
                turn += 1
                attempts += 1
                made = mutate(mutation, path, ext, old, hunks, rng)
                if made is None:
                    continue
                patch, eol, carried = made
                unique = all(unique_in(old, h.before) for h in carried)
                if not unique and mutation not in HINTLESS:
                    continue  # only the (mutated) line numbers could tell: not a fair case
                picked += 1
                spec = {"source": source, "eol": eol, "final_newline": True}
                after_text = new.replace("\n", "\r\n") if eol == "crlf" else new
                ambiguous = not unique
                cases.append(
                    Case(
                        name=f"{Path(source).stem}-{edit_name}-{mutation}".replace("_", "-"),
                        category="ambiguous" if ambiguous else "recoverable",
                        mutation=mutation,
                        patch=patch,
                        files={path: spec},
                        after=None if ambiguous else {path: after_text},
                        note="old text occurs more than once and the patch gives no line numbers"
                        if ambiguous
                        else "",
                    )
                )
    return cases


def no_newline_cases(sources: dict[str, str]) -> list[Case]:
    cases = []
    for source, ext in (("colorsys.py", ".py"), ("realpath.c", ".c"), ("fetch_worker.js", ".js")):
        old = sources[source].rstrip("\n")
        new = edit_end(old, ext)
        hunks = make_hunks(old, new)
        spec = {"source": source, "eol": "lf", "final_newline": False}
        kept = emit_unified(source, hunks)
        dropped = kept.replace("\\ No newline at end of file\n", "")
        assert kept != dropped
        for mutation, patch in (
            ("no_newline_marker", kept),
            ("no_newline_marker_missing", dropped),
        ):
            cases.append(
                Case(
                    name=f"{Path(source).stem}-end-{mutation}".replace("_", "-"),
                    category="recoverable",
                    mutation=mutation,
                    patch=patch,
                    files={source: spec},
                    after={source: new},
                )
            )
    return cases


def structural_cases(sources: dict[str, str]) -> list[Case]:
    colorsys = sources["colorsys.py"]
    bisect = sources["bisect.py"]
    new_module = '"""Helpers added by the patch."""\n\n\ndef clamp(x, lo, hi):\n    return max(lo, min(hi, x))\n'
    created = "".join("+" + line + "\n" for line in new_module.rstrip("\n").split("\n"))
    count = len(new_module.rstrip("\n").split("\n"))
    renamed_new = colorsys.replace("def rgb_to_yiq(r, g, b):", "def rgb_to_yiq(r, g, b):  # moved")
    rename_hunks = make_hunks(colorsys, renamed_new)
    bisect_new = edit_lines(bisect, ".py", random.Random(3), ["modify"])
    b_hunks = make_hunks(bisect, bisect_new)
    c_new = edit_lines(colorsys, ".py", random.Random(4), ["insert"])
    c_hunks = make_hunks(colorsys, c_new)
    deleted = "".join("-" + line + "\n" for line in bisect.rstrip("\n").split("\n"))
    n_bisect = len(bisect.rstrip("\n").split("\n"))
    base = {"src/colorsys.py": {"source": "colorsys.py"}, "src/bisect.py": {"source": "bisect.py"}}
    cases = [
        Case(
            "new-file-git",
            "recoverable",
            "new_file",
            f"diff --git a/src/clamp.py b/src/clamp.py\nnew file mode 100644\n--- /dev/null\n+++ b/src/clamp.py\n@@ -0,0 +1,{count} @@\n{created}",
            dict(base),
            {"src/colorsys.py": colorsys, "src/bisect.py": bisect, "src/clamp.py": new_module},
        ),
        Case(
            "new-file-in-new-folder-plain",
            "recoverable",
            "new_file",
            f"--- /dev/null\n+++ lib/extra/clamp.py\n@@ -0,0 +1,{count} @@\n{created}",
            dict(base),
            {
                "src/colorsys.py": colorsys,
                "src/bisect.py": bisect,
                "lib/extra/clamp.py": new_module,
            },
        ),
        Case(
            "delete-file-git",
            "recoverable",
            "delete_file",
            f"diff --git a/src/bisect.py b/src/bisect.py\ndeleted file mode 100644\n--- a/src/bisect.py\n+++ /dev/null\n@@ -1,{n_bisect} +0,0 @@\n{deleted}",
            dict(base),
            {"src/colorsys.py": colorsys},
        ),
        Case(
            "rename-with-edit-git",
            "recoverable",
            "rename",
            "diff --git a/src/colorsys.py b/src/colors.py\nsimilarity index 98%\nrename from src/colorsys.py\nrename to src/colors.py\n"
            + emit_unified("src/colorsys.py", rename_hunks)
            .split("\n", 1)[1]
            .replace("+++ b/src/colorsys.py", "+++ b/src/colors.py"),
            dict(base),
            {"src/colors.py": renamed_new, "src/bisect.py": bisect},
        ),
        Case(
            "two-files-one-patch",
            "recoverable",
            "multi_file",
            emit_unified("src/bisect.py", b_hunks) + emit_unified("src/colorsys.py", c_hunks),
            dict(base),
            {"src/colorsys.py": c_new, "src/bisect.py": bisect_new},
        ),
        Case(
            "begin-patch-add-delete-move",
            "recoverable",
            "begin_patch_files",
            "*** Begin Patch\n*** Add File: src/clamp.py\n"
            + created
            + "*** Delete File: src/bisect.py\n*** Update File: src/colorsys.py\n*** Move to: src/colors.py\n@@\n"
            + "".join(t + line + "\n" for t, line in rename_hunks[0].lines)
            + "*** End Patch\n",
            dict(base),
            {"src/colors.py": renamed_new, "src/clamp.py": new_module},
        ),
        Case(
            "search-replace-new-file",
            "recoverable",
            "search_replace_create",
            f"src/clamp.py\n```python\n<<<<<<< SEARCH\n=======\n{new_module}>>>>>>> REPLACE\n```\n",
            dict(base),
            {"src/colorsys.py": colorsys, "src/bisect.py": bisect, "src/clamp.py": new_module},
        ),
    ]
    # refused, not hostile: the patch does not fit
    applied_already = emit_unified("src/colorsys.py", c_hunks)
    cases += [
        Case(
            "create-existing-file",
            "unplaceable",
            "create_existing",
            f"--- /dev/null\n+++ b/src/bisect.py\n@@ -0,0 +1,{count} @@\n{created}",
            dict(base),
            None,
        ),
        Case(
            "missing-file",
            "unplaceable",
            "missing_file",
            emit_unified("src/nothere.py", c_hunks),
            dict(base),
            None,
        ),
        Case(
            "context-from-another-file",
            "unplaceable",
            "wrong_file",
            emit_unified("src/bisect.py", c_hunks),
            dict(base),
            None,
        ),
        # already applied: lands as "nothing to do", every file left as it is
        Case(
            "already-applied",
            "recoverable",
            "already_applied",
            applied_already,
            {"src/colorsys.py": {"text": c_new}, "src/bisect.py": {"source": "bisect.py"}},
            {"src/colorsys.py": c_new, "src/bisect.py": bisect},
        ),
        Case(
            "second-file-fails-first-untouched",
            "unplaceable",
            "partial",
            emit_unified("src/colorsys.py", c_hunks) + emit_unified("src/bisect.py", c_hunks),
            dict(base),
            None,
        ),
        Case(
            "ambiguous-search-replace",
            "ambiguous",
            "search_replace_duplicate",
            "src/colorsys.py\n<<<<<<< SEARCH\n    if s == 0.0:\n=======\n    if s <= 0.0:\n>>>>>>> REPLACE\n",
            {"src/colorsys.py": {"source": "colorsys.py"}},
            None,
        ),
        Case(
            "ambiguous-bare-header",
            "ambiguous",
            "bare_duplicate",
            "--- a/src/colorsys.py\n+++ b/src/colorsys.py\n@@ @@\n     rc = (maxc-r) / rangec\n     gc = (maxc-g) / rangec\n-    bc = (maxc-b) / rangec\n+    bc = (maxc - b) / rangec\n     if r == maxc:\n",
            {"src/colorsys.py": {"source": "colorsys.py"}},
            None,
        ),
    ]
    return cases


def hostile_cases() -> list[Case]:
    files = {"app.py": {"text": "one\ntwo\nthree\n"}, ".git/config": {"text": "[core]\n"}}
    hunk = "@@ -1,3 +1,3 @@\n one\n-two\n+PWNED\n three\n"
    add = "@@ -0,0 +1 @@\n+PWNED\n"
    cases: list[tuple[str, str, dict, list[str]]] = [
        (
            "dotdot-modify",
            f"--- a/../outside/secret.txt\n+++ b/../outside/secret.txt\n{hunk}",
            {},
            [],
        ),
        ("dotdot-create", f"--- /dev/null\n+++ b/../outside/new.txt\n{add}", {}, []),
        ("dotdot-deep", f"--- /dev/null\n+++ b/src/../../outside/new.txt\n{add}", {}, []),
        ("dotdot-plain", f"--- ../outside/secret.txt\n+++ ../outside/secret.txt\n{hunk}", {}, []),
        (
            "absolute-modify",
            f"--- {{OUTSIDE}}/secret.txt\n+++ {{OUTSIDE}}/secret.txt\n{hunk}",
            {},
            [],
        ),
        ("absolute-create", f"--- /dev/null\n+++ {{OUTSIDE}}/new.txt\n{add}", {}, []),
        (
            "git-config",
            "--- a/.git/config\n+++ b/.git/config\n@@ -1 +1 @@\n-[core]\n+[core] PWNED\n",
            {},
            [],
        ),
        ("git-hook-create", f"--- /dev/null\n+++ b/.git/hooks/pre-commit\n{add}", {}, []),
        ("git-uppercase", f"--- /dev/null\n+++ b/.GIT/hooks/post-merge\n{add}", {}, []),
        ("git-nested", f"--- /dev/null\n+++ b/vendor/.git/config\n{add}", {}, []),
        (
            "symlink-file-out",
            f"--- a/link.txt\n+++ b/link.txt\n{hunk}",
            {"link.txt": "{OUTSIDE}/secret.txt"},
            [],
        ),
        (
            "symlink-dir-out",
            f"--- a/out/secret.txt\n+++ b/out/secret.txt\n{hunk}",
            {"out": "{OUTSIDE}"},
            [],
        ),
        (
            "symlink-dir-out-create",
            f"--- /dev/null\n+++ b/out/new.txt\n{add}",
            {"out": "{OUTSIDE}"},
            [],
        ),
        (
            "symlink-relative-out",
            f"--- a/up/secret.txt\n+++ b/up/secret.txt\n{hunk}",
            {"up": "../outside"},
            [],
        ),
        (
            "symlink-into-git",
            f"--- /dev/null\n+++ b/gitdir/hooks/pre-push\n{add}",
            {"gitdir": ".git"},
            [],
        ),
        ("fifo", f"--- a/pipe\n+++ b/pipe\n{hunk}", {}, ["pipe"]),
        ("device-through-link", f"--- a/null\n+++ b/null\n{hunk}", {"null": "{OUTSIDE}/null"}, []),
        (
            "good-then-escape",
            f"--- a/app.py\n+++ b/app.py\n{hunk}--- /dev/null\n+++ b/../outside/new.txt\n{add}",
            {},
            [],
        ),
        (
            "rename-out",
            "diff --git a/app.py b/../outside/app.py\nsimilarity index 100%\nrename from app.py\nrename to ../outside/app.py\n",
            {},
            [],
        ),
        (
            "rename-into-git",
            "diff --git a/app.py b/.git/app.py\nsimilarity index 100%\nrename from app.py\nrename to .git/app.py\n",
            {},
            [],
        ),
        (
            "delete-absolute",
            "--- {OUTSIDE}/secret.txt\n+++ /dev/null\n@@ -1,2 +0,0 @@\n-top secret\n-do not touch\n",
            {},
            [],
        ),
        (
            "begin-patch-add-escape",
            "*** Begin Patch\n*** Add File: ../outside/new.txt\n+PWNED\n*** End Patch\n",
            {},
            [],
        ),
        (
            "begin-patch-delete-absolute",
            "*** Begin Patch\n*** Delete File: {OUTSIDE}/secret.txt\n*** End Patch\n",
            {},
            [],
        ),
        (
            "begin-patch-move-out",
            "*** Begin Patch\n*** Update File: app.py\n*** Move to: ../outside/app.py\n@@\n one\n-two\n+PWNED\n*** End Patch\n",
            {},
            [],
        ),
        (
            "search-replace-escape",
            "../outside/secret.txt\n<<<<<<< SEARCH\ntwo\n=======\nPWNED\n>>>>>>> REPLACE\n",
            {},
            [],
        ),
        (
            "search-replace-git",
            ".git/config\n<<<<<<< SEARCH\n[core]\n=======\n[core] PWNED\n>>>>>>> REPLACE\n",
            {},
            [],
        ),
        ("backslash-dotdot", f"--- /dev/null\n+++ b/..\\\\outside\\\\new.txt\n{add}", {}, []),
    ]
    return [
        Case(
            name,
            "hostile",
            "hostile",
            patch,
            dict(files),
            None,
            symlinks=links,
            fifos=fifos,
            note="{OUTSIDE}/null is a character device (a FIFO where mknod is not allowed)"
            if name == "device-through-link"
            else "",
        )
        for name, patch, links, fifos in cases
    ]


def main() -> None:
    sources = {p.name: p.read_text() for p in sorted(SOURCES.iterdir()) if p.is_file()}
    if CASES.exists():
        shutil.rmtree(CASES)
    rng = random.Random(6)
    cases = (
        recoverable_cases(sources, rng)
        + no_newline_cases(sources)
        + structural_cases(sources)
        + hostile_cases()
    )
    for number, case in enumerate(cases, 1):
        write_case(number, case, sources)
    by_category: dict[str, int] = {}
    for case in cases:
        by_category[case.category] = by_category.get(case.category, 0) + 1
    print(f"{len(cases)} cases: {by_category}")


if __name__ == "__main__":
    main()
