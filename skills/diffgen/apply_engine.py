"""Apply a parsed patch to file contents: a pure function, no I/O.

``apply_patch(patch, files)`` takes the current text of every file the patch may touch
(``files``: path -> text; a path that is absent does not exist) and returns, per file,
the new text and how each hunk was placed, or raises ``PatchRejected`` naming the file
and the hunk. Nothing is partial: either every hunk of every file lands, or it raises.

Each hunk is placed by its text, in grades, taking the first grade that finds it:

1. ``exact``               the old lines are at the line the header gave (or, with no
                           line number, exactly once in the file);
2. ``ignore_line_numbers`` the old lines match exactly elsewhere;
3. ``whitespace``          they match when runs of whitespace are ignored;
4. ``fuzzy``               after dropping up to two context lines at either edge (as
                           GNU patch's fuzz does; at least one stays on each side that
                           had any), or line by line with a similarity score of at least
                           ``FUZZY_THRESHOLD`` where only context lines may differ.

A removed line is never fuzzy: it must be in the file as the patch shows it, up to
whitespace, or the hunk is refused with the differing lines shown. A hunk whose old
text is not in the file but whose new text is (exactly, up to whitespace, or with up to
two edge context lines dropped) is ``already_applied``: it changes nothing and says so;
a file all of whose hunks are is reported ``already_applied``, as is a file the patch
creates that already holds its text, or deletes that is already gone.

Among several places of the same grade the one nearest to where the header (shifted by
how far earlier hunks moved) puts it wins; two equally good places are refused as
ambiguous, and so is a fuzzy placement (context dropped) that fits in more than one
place: once the context that told the places apart is gone, the line number alone
does not decide. Context lines keep the file's own text; added lines are re-indented when the
hunk matched with drifted indentation. Line endings are kept per line (CRLF stays
CRLF); a file without a final newline keeps it that way unless the patch says otherwise
with "\\ No newline at end of file".
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from skills.diffgen.patch_errors import PatchRejected
from skills.diffgen.patch_model import (
    ADDED,
    CONTEXT,
    CREATE,
    DELETE,
    MODIFY,
    REMOVED,
    RENAME,
    FilePatch,
    Hunk,
    HunkLine,
    Patch,
)

EXACT = "exact"
IGNORE_LINE_NUMBERS = "ignore_line_numbers"
WHITESPACE = "whitespace"
FUZZY = "fuzzy"
ALREADY_APPLIED = "already_applied"

FUZZY_THRESHOLD = 0.8  # mean line similarity a fuzzy placement needs
MAX_TRIMMED_CONTEXT = 2  # context lines fuzz may drop at each edge of a hunk (GNU's default)


@dataclass(frozen=True)
class HunkPlacement:
    number: int
    header: str
    strategy: str
    line: int  # 1-based line in the file before the patch where the hunk's old text starts
    offset: int | None  # line - the line the header gave; None without a line number
    fuzz: int  # old-side lines that did not match the file character for character

    def to_dict(self) -> dict[str, object]:
        return {
            "hunk": self.number,
            "header": self.header,
            "strategy": self.strategy,
            "line": self.line,
            "offset": self.offset,
            "fuzz": self.fuzz,
        }


@dataclass(frozen=True)
class FileOutcome:
    path: str  # the file as it was before
    status: str  # modified | created | deleted | renamed
    new_path: str | None  # where it is after a rename
    old_text: str | None  # None when created
    new_text: str | None  # None when deleted
    hunks: tuple[HunkPlacement, ...] = ()
    new_mode: int | None = None

    @property
    def final_path(self) -> str:
        return self.new_path or self.path

    def to_dict(self) -> dict[str, object]:
        d: dict[str, object] = {
            "path": self.path,
            "status": self.status,
            "hunks": [h.to_dict() for h in self.hunks],
        }
        if self.new_path:
            d["new_path"] = self.new_path
        return d


@dataclass(frozen=True)
class PatchOutcome:
    files: tuple[FileOutcome, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, object]:
        return {"files": [f.to_dict() for f in self.files]}


# ---------------------------------------------------------------- text as lines


@dataclass(frozen=True)
class _Line:
    text: str
    eol: str  # "\n", "\r\n" or "" (last line without newline)


def _split(text: str) -> list[_Line]:
    out: list[_Line] = []
    for piece in text.split("\n"):
        out.append(_Line(piece[:-1], "\r\n") if piece.endswith("\r") else _Line(piece, "\n"))
    # text.split leaves a final piece after the last "\n": "" when text ends with one
    last = out.pop()
    if last.text or last.eol == "\r\n":
        out.append(_Line(last.text + ("\r" if last.eol == "\r\n" else ""), ""))
    return out


def _join(lines: list[_Line]) -> str:
    return "".join(line.text + line.eol for line in lines)


def _dominant_eol(lines: list[_Line]) -> str:
    crlf = sum(1 for line in lines if line.eol == "\r\n")
    lf = sum(1 for line in lines if line.eol == "\n")
    return "\r\n" if crlf > lf else "\n"


def _squash(text: str) -> str:
    return " ".join(text.split())


def _indent(text: str) -> str:
    return text[: len(text) - len(text.lstrip(" \t"))]


# ---------------------------------------------------------------- placement


class _Ambiguous(PatchRejected):
    """The hunk fits in more than one place equally well."""


@dataclass(frozen=True)
class _Placement:
    pos: int  # 0-based index of the first file line the hunk replaces
    lines: tuple[HunkLine, ...]  # the hunk's lines that are matched (after trimming)
    strategy: str
    fuzz: int
    score: float = 1.0
    dropped_lead: int = 0  # old-side context lines fuzz dropped before ``pos``


class _FileText:
    def __init__(self, text: str) -> None:
        self.lines = _split(text)
        self.texts = [line.text for line in self.lines]
        self.squashed = [_squash(t) for t in self.texts]
        self.eol = _dominant_eol(self.lines)

    def positions(self, needle: list[str], squashed: bool) -> list[int]:
        hay = self.squashed if squashed else self.texts
        if squashed:
            needle = [_squash(t) for t in needle]
        m = len(needle)
        if m == 0:
            return []
        first = needle[0]
        return [
            pos
            for pos in range(len(hay) - m + 1)
            if hay[pos] == first and hay[pos : pos + m] == needle
        ]


def _choose(
    hunk: Hunk, path: str, candidates: list[tuple[int, float]], expected: int | None
) -> int | None:
    """The best (highest score, then nearest to ``expected``) position, or refuse when
    two are equally good."""
    if not candidates:
        return None

    def rank(candidate: tuple[int, float]) -> tuple[float, int]:
        pos, score = candidate
        distance = abs(pos - expected) if expected is not None else 0
        return (-round(score, 6), distance)

    ordered = sorted(candidates, key=rank)
    if len(ordered) > 1 and rank(ordered[0]) == rank(ordered[1]):
        first, second = sorted((ordered[0][0], ordered[1][0]))
        raise _Ambiguous(
            f"{path}: {hunk.label} is ambiguous: it fits equally well at line "
            f"{first + 1} and at line {second + 1}; add more context lines"
        )
    return ordered[0][0]


def _trimmings(lines: tuple[HunkLine, ...]) -> list[tuple[int, int]]:
    """(leading, trailing) counts of context lines fuzz may drop, least dropped first."""
    lead = 0
    while lead < len(lines) and lines[lead].tag == CONTEXT:
        lead += 1
    trail = 0
    while trail < len(lines) - lead and lines[len(lines) - 1 - trail].tag == CONTEXT:
        trail += 1
    # one context line stays on each side that had any: a hunk never floats free of
    # its neighbours (GNU's fuzz 2 on a three-line context leaves one too)
    lead = min(lead, MAX_TRIMMED_CONTEXT, max(lead - 1, 0))
    trail = min(trail, MAX_TRIMMED_CONTEXT, max(trail - 1, 0))
    old_size = sum(1 for line in lines if line.tag != ADDED)
    has_changes_removed = any(line.tag == REMOVED for line in lines)
    out = []
    for total in range(1, lead + trail + 1):
        for a in range(0, min(lead, total) + 1):
            b = total - a
            if b > trail:
                continue
            kept = old_size - a - b
            # keep at least half the old text, and one context line around a pure insertion
            if kept < max(1, (old_size + 1) // 2):
                continue
            if not has_changes_removed and kept < 1:
                continue
            out.append((a, b))
    return out


def _similarity(a: str, b: str) -> float:
    if a == b:
        return 1.0
    if not a or not b:
        return 0.0
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    if matcher.real_quick_ratio() < 0.5 or matcher.quick_ratio() < 0.5:
        return 0.0
    return matcher.ratio()


def _trimmed_positions(file: _FileText, kept_before: list[str], allowed) -> list[tuple[int, float]]:
    return [
        (p, 1.0) for p in file.positions(kept_before, squashed=True) if allowed(p, len(kept_before))
    ]


def _choose_fuzzy(hunk: Hunk, path: str, found: list[tuple[int, float]]) -> int | None:
    """The one place a hunk with dropped context fits, or refuse when it fits several."""
    if not found:
        return None
    if len(found) > 1:
        first, second = sorted(p for p, _ in found)[:2]
        raise _Ambiguous(
            f"{path}: {hunk.label} is ambiguous: its context does not match the file, and "
            f"without the edge lines that differ it fits at line {first + 1} and at line "
            f"{second + 1}"
        )
    return found[0][0]


def _applied_already(hunk: Hunk, file: _FileText, allowed, *, trimmed: bool) -> int | None:
    """Where the hunk's new text already is, when it is (and says enough to tell)."""
    lines = hunk.lines
    after = hunk.after
    # a pure deletion's new text is only its context, which must surround the place on
    # both sides to show the lines are gone from there
    pure_deletion = not any(line.tag == ADDED for line in lines)
    if pure_deletion and (trimmed or lines[0].tag != CONTEXT or lines[-1].tag != CONTEXT):
        return None
    # found more than once is applied all the same: nothing is written either way, and
    # going on to fuzz would add the lines a second time
    if not trimmed:
        found = [p for p in file.positions(after, squashed=True) if allowed(p, len(after))]
        return found[0] if found else None
    for lead, trail in _trimmings(lines):
        kept = lines[lead : len(lines) - trail]
        if not any(line.tag == ADDED for line in kept):
            continue
        kept_after = [line.text for line in kept if line.tag != REMOVED]
        found = _trimmed_positions(file, kept_after, allowed)
        if found:
            return found[0][0]
    return None


def _removed_lines_differ(
    before: list[str], removed_mask: list[bool], window: list[str], pos: int
) -> str:
    """'line 12 reads 'x', the patch removes 'y'' for the removed lines that differ."""
    shown = []
    for k, (patch_line, file_line) in enumerate(zip(before, window, strict=True)):
        if removed_mask[k] and _squash(patch_line) != _squash(file_line):
            shown.append(
                f"line {pos + k + 1} reads {file_line.strip()!r}, the patch removes {patch_line.strip()!r}"
            )
    return "; ".join(shown[:3]) + ("; ..." if len(shown) > 3 else "")


def _place(
    hunk: Hunk, path: str, file: _FileText, expected: int | None, hint: int | None
) -> _Placement:
    lines = hunk.lines
    before = hunk.before
    m = len(before)
    n = len(file.texts)

    lower = 0
    if hunk.anchor:
        anchor = _squash(hunk.anchor)
        starts = [i for i, t in enumerate(file.squashed) if t == anchor] or [
            i for i, t in enumerate(file.squashed) if anchor and anchor in t
        ]
        if len(starts) == 1:
            lower = starts[0]
            if expected is None:
                expected = lower

    def allowed(pos: int, size: int) -> bool:
        return pos >= lower and (not hunk.at_end or pos + size == n)

    if m == 0:  # a pure insertion with no context: only a line number can place it
        where = expected if expected is not None else hint
        if where is not None and 0 <= where <= n:
            return _Placement(where, lines, EXACT, 0)
        if n == 0:
            return _Placement(0, lines, EXACT, 0)
        raise PatchRejected(f"{path}: {hunk.label} adds lines with no context and no line number")

    # 1. exact, at the stated line
    if hint is not None and file.texts[hint : hint + m] == before and allowed(hint, m):
        return _Placement(hint, lines, EXACT, 0)
    # 2. exact text elsewhere
    exact = [(p, 1.0) for p in file.positions(before, squashed=False) if allowed(p, m)]
    pos = _choose(hunk, path, exact, expected)
    if pos is not None:
        strategy = EXACT if hint is None else IGNORE_LINE_NUMBERS
        return _Placement(pos, lines, strategy, 0)
    # 3. whitespace-insensitive
    loose = [(p, 1.0) for p in file.positions(before, squashed=True) if allowed(p, m)]
    pos = _choose(hunk, path, loose, expected)
    if pos is not None:
        fuzz = sum(1 for i, t in enumerate(before) if file.texts[pos + i] != t)
        return _Placement(pos, lines, WHITESPACE, fuzz)
    # before any fuzz: a hunk whose new text is already there was applied already (fuzz
    # would otherwise find its context next to its own added lines and add them again)
    for trimmed in (False, True):
        pos = _applied_already(hunk, file, allowed, trimmed=trimmed)
        if pos is not None:
            return _Placement(pos, (), ALREADY_APPLIED, 0)
    # 4a. fuzzy: drop context lines at the edges (what `patch --fuzz` does)
    for lead, trail in _trimmings(lines):
        kept = lines[lead : len(lines) - trail]
        kept_before = [line.text for line in kept if line.tag != ADDED]
        pos = _choose_fuzzy(hunk, path, _trimmed_positions(file, kept_before, allowed))
        if pos is not None:
            fuzz = (
                lead + trail + sum(1 for i, t in enumerate(kept_before) if file.texts[pos + i] != t)
            )
            dropped = sum(1 for line in lines[:lead] if line.tag != ADDED)
            return _Placement(pos, kept, FUZZY, fuzz, dropped_lead=dropped)
    # 4b. fuzzy: line-by-line similarity of the context; removed lines must be there as
    # written (up to whitespace): a change never deletes text the patch did not show
    squashed_before = [_squash(t) for t in before]
    removed_mask = [line.tag == REMOVED for line in lines if line.tag != ADDED]
    scored: list[tuple[int, float]] = []
    best_seen: tuple[float, int, bool] = (0.0, -1, False)  # score, pos, removes other text
    anchors = set(squashed_before)
    for p in range(0, n - m + 1):
        if not allowed(p, m):
            continue
        window = file.squashed[p : p + m]
        if not anchors.intersection(window):
            continue
        sims = [_similarity(a, b) for a, b in zip(squashed_before, window, strict=True)]
        score = sum(sims) / m
        removes_other = any(r and s < 1.0 for r, s in zip(removed_mask, sims, strict=True))
        if score > best_seen[0]:
            best_seen = (score, p, removes_other)
        if score >= FUZZY_THRESHOLD and not removes_other:
            scored.append((p, score))
    pos = _choose(hunk, path, scored, expected)
    if pos is not None:
        score = dict(scored)[pos]
        fuzz = sum(1 for i, t in enumerate(before) if file.texts[pos + i] != t)
        return _Placement(pos, lines, FUZZY, fuzz, score)
    if best_seen[1] >= 0 and best_seen[2] and best_seen[0] >= FUZZY_THRESHOLD:
        p = best_seen[1]
        differ = _removed_lines_differ(before, removed_mask, file.texts[p : p + m], p)
        raise PatchRejected(
            f"{path}: {hunk.label} does not match the file: its context fits at line {p + 1}, "
            f"but a line it removes is not there as the patch shows it ({differ}); "
            "nothing was changed"
        )
    if best_seen[1] >= 0:
        p = best_seen[1]
        nearest = (
            f"; nearest candidate is line {p + 1} ({best_seen[0]:.0%} similar, "
            f"needs {FUZZY_THRESHOLD:.0%})"
        )
        if best_seen[2]:
            nearest += ": " + _removed_lines_differ(before, removed_mask, file.texts[p : p + m], p)
    else:
        nearest = "; no line of it occurs in the file"
    raise PatchRejected(f"{path}: {hunk.label} does not match the file{nearest}")


def _place_allowing_blank_edges(
    hunk: Hunk, path: str, file: _FileText, expected: int | None, hint: int | None
) -> _Placement:
    """``_place``, retried without blank lines at the hunk's edges that it removes but the
    file does not have there (a SEARCH block opened with an empty line): a blank line
    left in place deletes nothing the patch did not show."""
    try:
        return _place(hunk, path, file, expected, hint)
    except _Ambiguous:
        raise
    except PatchRejected as first_refusal:
        lines = list(hunk.lines)
        lead = 0
        while lead < len(lines) and lines[lead] == HunkLine(REMOVED, ""):
            lead += 1
        trail = 0
        while trail < len(lines) - lead and lines[-1 - trail] == HunkLine(REMOVED, ""):
            trail += 1
        kept = tuple(lines[lead : len(lines) - trail])
        if not (lead or trail) or not any(line.tag != ADDED for line in kept):
            raise
        trimmed = replace(
            hunk, lines=kept, old_start=None if hunk.old_start is None else hunk.old_start + lead
        )
        try:
            return _place(
                trimmed,
                path,
                file,
                None if expected is None else expected + lead,
                None if hint is None else hint + lead,
            )
        except PatchRejected:
            raise first_refusal from None


def _indent_mapper(pairs: list[tuple[str, str]]):
    """How to re-indent added lines, learned from (patch line, file line) pairs that
    matched; returns a function from a patch indent to a file indent."""
    observed = [(_indent(p), _indent(f)) for p, f in pairs if p.strip() and f.strip()]
    if all(p == f for p, f in observed):
        return lambda indent: indent
    table: dict[str, str] = {}
    for p, f in observed:
        if table.setdefault(p, f) != f:
            return lambda indent: indent  # inconsistent: leave added lines as written
    deltas = {(f[: len(f) - len(p)] if f.endswith(p) else None) for p, f in observed}
    add = next(iter(deltas)) if len(deltas) == 1 else None
    cuts = {(p[: len(p) - len(f)] if p.endswith(f) else None) for p, f in observed}
    cut = next(iter(cuts)) if len(cuts) == 1 else None

    def map_indent(indent: str) -> str:
        if indent in table:
            return table[indent]
        if add is not None:
            return add + indent
        if cut is not None and indent.startswith(cut):
            return indent[len(cut) :]
        return indent

    return map_indent


def _replacement(placement: _Placement, file: _FileText) -> list[_Line]:
    out: list[_Line] = []
    pairs: list[tuple[str, str]] = []
    j = placement.pos
    for line in placement.lines:
        if line.tag != ADDED:
            pairs.append((line.text, file.texts[j]))
            j += 1
    reindent = _indent_mapper(pairs) if placement.strategy in (WHITESPACE, FUZZY) else None
    j = placement.pos
    for line in placement.lines:
        if line.tag == CONTEXT:
            out.append(file.lines[j])
            j += 1
        elif line.tag == REMOVED:
            j += 1
        else:
            text = line.text
            if reindent is not None and text.strip():
                indent = _indent(text)
                text = reindent(indent) + text[len(indent) :]
            out.append(_Line(text, file.eol))
    return out


def _hint(hunk: Hunk) -> int | None:
    """The 0-based index the header says the hunk's old text starts at."""
    if hunk.old_start is None:
        return None
    if not hunk.before:
        return hunk.old_start  # "-12,0": insert after line 12
    return max(hunk.old_start - 1, 0)


def _apply_hunks(path: str, text: str, hunks: tuple[Hunk, ...]) -> tuple[str, list[HunkPlacement]]:
    file = _FileText(text)
    # place in line-number order so each hunk learns how far the ones above it moved
    order = sorted(hunks, key=lambda h: (h.old_start is None, h.old_start or 0, h.number))
    offset = 0
    placed: list[tuple[Hunk, _Placement]] = []
    for hunk in order:
        hint = _hint(hunk)
        expected = None if hint is None else hint + offset
        placement = _place_allowing_blank_edges(hunk, path, file, expected, hint)
        if hint is not None and placement.strategy not in (FUZZY, ALREADY_APPLIED):
            offset = placement.pos - hint
        placed.append((hunk, placement))
    placed.sort(key=lambda item: (item[1].pos, item[0].number))
    writing = [(h, p) for h, p in placed if p.strategy != ALREADY_APPLIED]
    for (h1, p1), (h2, p2) in zip(writing, writing[1:], strict=False):
        end1 = p1.pos + sum(1 for line in p1.lines if line.tag != ADDED)
        if end1 > p2.pos:
            raise PatchRejected(f"{path}: {h1.label} and {h2.label} overlap at line {p2.pos + 1}")
    new_lines: list[_Line] = []
    cursor = 0
    for _, placement in writing:
        new_lines.extend(file.lines[cursor : placement.pos])
        new_lines.extend(_replacement(placement, file))
        cursor = placement.pos + sum(1 for line in placement.lines if line.tag != ADDED)
    new_lines.extend(file.lines[cursor:])
    active = [h for h, _ in writing]
    # final newline: as the markers say when the patch has any, else as the file was
    if any(h.has_newline_marker for h in active):
        no_final_newline = any(h.new_no_newline for h in active)
    else:
        no_final_newline = bool(file.lines) and file.lines[-1].eol == ""
    new_lines = _fix_line_ends(new_lines, file.eol, no_final_newline)
    new_text = _join(new_lines) if active else text
    report = [
        HunkPlacement(
            number=hunk.number,
            header=hunk.header,
            strategy=placement.strategy,
            line=placement.pos - placement.dropped_lead + 1,
            offset=None
            if _hint(hunk) is None
            else placement.pos - placement.dropped_lead - (_hint(hunk) or 0),
            fuzz=placement.fuzz,
        )
        for hunk, placement in sorted(placed, key=lambda item: item[0].number)
    ]
    return new_text, report


def _fix_line_ends(lines: list[_Line], eol: str, no_final_newline: bool) -> list[_Line]:
    out = [
        _Line(line.text, line.eol or eol) if i < len(lines) - 1 else line
        for i, line in enumerate(lines)
    ]
    if out:
        last = out[-1]
        out[-1] = _Line(last.text, "" if no_final_newline else (last.eol or eol))
    return out


def _created_text(file_patch: FilePatch) -> str:
    lines: list[str] = []
    no_newline = False
    for hunk in file_patch.hunks:
        if any(line.tag != ADDED for line in hunk.lines if line.text or line.tag == REMOVED):
            raise PatchRejected(f"{file_patch.path}: a new file's hunk may only add lines")
        lines.extend(line.text for line in hunk.lines if line.tag == ADDED)
        no_newline = no_newline or hunk.new_no_newline
    if not lines:
        return ""
    return "\n".join(lines) + ("" if no_newline else "\n")


def _first_difference(removed: list[str], current: str) -> str:
    have = current.splitlines()
    for k in range(max(len(removed), len(have))):
        want = removed[k] if k < len(removed) else None
        got = have[k] if k < len(have) else None
        if want is None or got is None or _squash(want) != _squash(got):
            shown_got = "the end of the file" if got is None else repr(got.strip())
            shown_want = "nothing more" if want is None else repr(want.strip())
            return f"line {k + 1} reads {shown_got}, the patch removes {shown_want}"
    return "they differ"


def _same_text(a: str, b: str) -> bool:
    return [_squash(t) for t in a.splitlines()] == [_squash(t) for t in b.splitlines()]


def apply_patch(patch: Patch, files: Mapping[str, str]) -> PatchOutcome:
    """The new text of every file ``patch`` touches, or PatchRejected."""
    state: dict[str, str | None] = dict(files)  # None: deleted by an earlier part
    original: dict[str, str | None] = {}
    status: dict[str, str] = {}
    placements: dict[str, list[HunkPlacement]] = {}
    renamed_to: dict[str, str] = {}
    modes: dict[str, int | None] = {}

    def exists(path: str) -> bool:
        return state.get(path) is not None

    def remember(path: str) -> None:
        if path not in original:
            original[path] = files.get(path)

    for file_patch in patch.files:
        path = file_patch.path
        if file_patch.kind in (MODIFY, DELETE, RENAME) and not exists(path):
            path = next((alt for alt in file_patch.alternatives if exists(alt)), path)
        if file_patch.kind == CREATE:
            text = _created_text(file_patch)
            if exists(path):
                if path in files and path not in status and state[path] == text:
                    remember(path)
                    status[path] = ALREADY_APPLIED
                    placements.setdefault(path, []).extend(
                        HunkPlacement(h.number, h.header, ALREADY_APPLIED, 1, None, 0)
                        for h in file_patch.hunks
                    )
                    continue
                raise PatchRejected(
                    f"{path}: cannot create it, it already exists (with other text)"
                )
            remember(path)
            state[path] = text
            status[path] = "created" if original[path] is None else "modified"
            placements.setdefault(path, []).extend(
                HunkPlacement(h.number, h.header, EXACT, 1, None, 0) for h in file_patch.hunks
            )
            modes[path] = file_patch.new_mode
            continue
        if file_patch.kind == DELETE and path not in files and path not in status:
            # the file the patch deletes is not there: that is the patch's result
            remember(path)
            status[path] = ALREADY_APPLIED
            continue
        if not exists(path):
            raise PatchRejected(f"{path}: no such file to {file_patch.kind}")
        current = state[path]
        assert current is not None
        remember(path)
        if file_patch.kind == DELETE:
            removed = [line.text for h in file_patch.hunks for line in h.lines if line.tag != ADDED]
            if file_patch.hunks and not _same_text("\n".join(removed), current):
                raise PatchRejected(
                    f"{path}: the patch deletes it, but its content is not what the patch "
                    f"removes ({_first_difference(removed, current)}); nothing was changed"
                )
            state[path] = None
            status[path] = "deleted" if original[path] is not None else "unchanged"
            continue
        new_text, report = _apply_hunks(path, current, file_patch.hunks)
        placements.setdefault(path, []).extend(report)
        if file_patch.kind == RENAME:
            target = file_patch.new_path
            assert target is not None
            if exists(target):
                raise PatchRejected(f"{path}: cannot rename it to {target}, which already exists")
            remember(target)
            state[path] = None
            state[target] = new_text
            renamed_to[path] = target
            status[path] = "renamed"
            continue
        state[path] = new_text
        if report and all(h.strategy == ALREADY_APPLIED for h in report):
            status.setdefault(path, ALREADY_APPLIED)
        status.setdefault(path, "modified")

    outcomes: list[FileOutcome] = []
    renamed_targets = set(renamed_to.values())
    for path, before in original.items():
        if path in renamed_targets and path not in renamed_to:
            continue
        kind = status.get(path)
        if kind is None or kind == "unchanged":
            continue
        target = renamed_to.get(path)
        after = state.get(target) if target else state.get(path)
        outcomes.append(
            FileOutcome(
                path=path,
                status=kind,
                new_path=target,
                old_text=before,
                new_text=after,
                hunks=tuple(placements.get(path, ())),
                new_mode=modes.get(path),
            )
        )
    return PatchOutcome(files=tuple(outcomes))
