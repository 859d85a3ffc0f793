"""Read a patch in any of the three formats models write into a ``Patch``.

* unified diffs: git-style (``diff --git``, ``a/``/``b/`` prefixes, new/deleted/renamed
  files) or plain (``--- old`` / ``+++ new``), with wrong or missing ``@@`` numbers;
  a file dated 1970-01-01 00:00:00 UTC with an empty side is created or deleted
  (``diff -N``), as is one named /dev/null;
* context diffs (``diff -c``), normal diffs (``diff``) where a ``diff old new`` or
  ``Index:`` line or the caller names the file, and ed scripts (``diff -e``) that only
  append (see ``classic_formats``);
* the ``*** Begin Patch`` / ``*** Update File:`` format OpenAI models are trained on;
* SEARCH/REPLACE blocks (Aider style) preceded by a line naming the file.

Line counts in ``@@`` headers are not trusted: a hunk ends where its lines stop looking
like hunk lines. Pure functions, no I/O.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from skills.diffgen.classic_formats import (
    CONTEXT_SEPARATOR,
    NORMAL_COMMAND,
    is_context_file_header,
    is_epoch,
    looks_like_ed,
    looks_like_rcs,
    parse_context_hunks,
    parse_ed_hunks,
    parse_normal_hunks,
    refuse_rcs,
    split_header,
)
from skills.diffgen.patch_errors import PatchParseError
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

_HUNK_HEADER = re.compile(
    r"^@@+\s*(?:-(?P<os>\d+)(?:,(?P<oc>\d+))?)?\s*(?:\+(?P<ns>\d+)(?:,(?P<nc>\d+))?)?\s*@@+(?P<rest>.*)$"
)
_SEARCH = re.compile(r"^<{5,9} ?SEARCH\s*$")
_DIVIDER = re.compile(r"^={5,9}\s*$")
_REPLACE = re.compile(r"^>{5,9} ?REPLACE\s*$")
_BEGIN_PATCH_HEADERS = ("*** Update File:", "*** Add File:", "*** Delete File:")
_GIT_EXTENDED = (
    "old mode ",
    "new mode ",
    "deleted file mode ",
    "new file mode ",
    "similarity index ",
    "dissimilarity index ",
    "rename from ",
    "rename to ",
    "copy from ",
    "copy to ",
    "index ",
)


def parse_patch(text: str, default_path: str | None = None) -> Patch:
    """Parse ``text``; raises PatchParseError with the line at fault.

    ``default_path`` is the file the user named for a patch of one file: it is the file
    a normal diff, an ed script or headerless hunks change, and it replaces the names
    a one-file diff gives (as ``patch FILE < diff`` does)."""
    patch = _parse(text, default_path)
    if default_path is None:
        return patch
    named = [f for f in patch.files if f.path != default_path or f.kind != MODIFY]
    if not named:
        return patch
    if len(patch.files) != 1 or patch.files[0].kind != MODIFY:
        raise PatchParseError(
            f"--file {default_path} names one file to change, but the patch "
            f"{'changes ' + str(len(patch.files)) + ' files' if len(patch.files) != 1 else 'creates, deletes or renames it'}"
        )
    only = patch.files[0]
    return Patch(format=patch.format, files=(FilePatch(MODIFY, default_path, only.hunks),))


def _parse(text: str, default_path: str | None) -> Patch:
    if "\x00" in text:
        raise PatchParseError("the patch contains NUL bytes; binary patches are not supported")
    lines = [line[:-1] if line.endswith("\r") else line for line in text.split("\n")]
    if lines and lines[-1] == "":
        lines.pop()
    stripped = [line.strip() for line in lines]
    if "*** Begin Patch" in stripped or any(
        line.startswith(_BEGIN_PATCH_HEADERS) for line in stripped
    ):
        return _parse_begin_patch(lines)
    if any(_SEARCH.match(line) for line in stripped):
        return _parse_search_replace(lines)
    if any(
        line.startswith(("--- ", "diff --git ", "@@"))
        or CONTEXT_SEPARATOR.match(line)
        or NORMAL_COMMAND.match(line)
        for line in lines
    ):
        return _parse_unified(lines, default_path)
    if looks_like_rcs(lines):
        raise refuse_rcs()
    if looks_like_ed(lines):
        if default_path is None:
            raise PatchParseError("an ed script names no file: give the file with --file")
        return Patch(
            format="ed", files=(FilePatch(MODIFY, default_path, tuple(parse_ed_hunks(lines))),)
        )
    raise PatchParseError(
        "no patch found: expected a unified, context or normal diff, a '*** Begin Patch' "
        "block or SEARCH/REPLACE blocks"
    )


# ---------------------------------------------------------------- unified diffs


@dataclass
class _RawFile:
    old: str | None
    new: str | None
    git: bool = False
    rename_from: str | None = None
    rename_to: str | None = None
    new_file: bool = False
    deleted: bool = False
    new_mode: int | None = None
    hunks: list[Hunk] = field(default_factory=list)
    old_epoch: bool = False  # dated 1970-01-01 00:00 UTC: diff -N's mark of a missing file
    new_epoch: bool = False


def _unquote(path: str) -> str:
    """Git quotes paths with unusual characters: "a/sp\\303\\251cial name"."""
    if len(path) >= 2 and path[0] == '"' and path[-1] == '"':
        body = path[1:-1]
        raw = body.encode("latin-1", "backslashreplace").decode("unicode_escape")
        try:
            return raw.encode("latin-1").decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            return raw
    return path


def _header_path(value: str) -> str | None:
    value, _ = split_header(value)
    value = _unquote(value.strip())
    if value in ("/dev/null", "dev/null", "a/dev/null", "b/dev/null"):
        return None
    return value


def _strip_prefix(path: str | None, prefix: str) -> str | None:
    if path is not None and path.startswith(prefix) and len(path) > len(prefix):
        return path[len(prefix) :]
    return path


def _git_header_paths(rest: str) -> tuple[str | None, str | None]:
    rest = rest.strip()
    if rest.startswith('"'):
        end = rest.find('"', 1)
        while end > 0 and rest[end - 1] == "\\":
            end = rest.find('"', end + 1)
        if end > 0:
            return _unquote(rest[: end + 1]), _unquote(rest[end + 1 :].strip())
    # "a/x b/x": split where " b/" starts the second half of equal halves if possible
    half = len(rest) // 2
    if len(rest) % 2 == 1 and rest[half] == " ":
        return rest[:half], rest[half + 1 :]
    index = rest.find(" b/")
    if index > 0:
        return rest[:index], rest[index + 1 :]
    parts = rest.split(" ")
    if len(parts) == 2:
        return parts[0], parts[1]
    return None, None


def _looks_like_file_header(lines: list[str], i: int) -> bool:
    return (
        lines[i].startswith("--- ") and i + 1 < len(lines) and lines[i + 1].startswith("+++ ")
    ) or lines[i].startswith("diff --git ")


def _is_hunk_line(lines: list[str], i: int) -> bool:
    line = lines[i]
    if _looks_like_file_header(lines, i):
        return False
    return line[:1] in (CONTEXT, ADDED, REMOVED, "\\")


def _parse_hunk_body(
    lines: list[str], i: int, number: int, header: str, counts: tuple[int | None, int | None]
) -> tuple[Hunk, int]:
    match = _HUNK_HEADER.match(header)
    old_start = int(match.group("os")) if match and match.group("os") else None
    body: list[HunkLine] = []
    old_no_newline = new_no_newline = False
    n = len(lines)
    while i < n:
        line = lines[i]
        if line.startswith("@@") or line.startswith("```"):
            break
        if line == "":
            # a blank context line whose leading space was lost, or the end of the hunk
            j = i
            while j < n and lines[j] == "":
                j += 1
            old_needed = counts[0] is not None and _old_count(body) + (j - i) <= counts[0]
            if j < n and _is_hunk_line(lines, j) and not lines[j].startswith("\\"):
                body.extend(HunkLine(CONTEXT, "") for _ in range(j - i))
                i = j
                continue
            if old_needed:
                body.extend(HunkLine(CONTEXT, "") for _ in range(j - i))
                i = j
            break
        if not _is_hunk_line(lines, i):
            break
        tag, text = line[0], line[1:]
        if tag == "\\":
            if body:
                last = body[-1].tag
                if last in (CONTEXT, REMOVED):
                    old_no_newline = True
                if last in (CONTEXT, ADDED):
                    new_no_newline = True
            i += 1
            continue
        body.append(HunkLine(tag, text))
        i += 1
    if not body:
        raise PatchParseError(f"{header!r} has no lines")
    hunk = Hunk(
        number=number,
        header=header.strip(),
        lines=tuple(body),
        old_start=old_start,
        old_no_newline=old_no_newline,
        new_no_newline=new_no_newline,
    )
    return hunk, i


def _old_count(body: list[HunkLine]) -> int:
    return sum(1 for line in body if line.tag != ADDED)


def _parse_hunks(lines: list[str], i: int) -> tuple[list[Hunk], int]:
    hunks: list[Hunk] = []
    while i < len(lines) and lines[i].startswith("@@"):
        header = lines[i]
        match = _HUNK_HEADER.match(header)
        counts: tuple[int | None, int | None] = (None, None)
        if match and match.group("os") is not None:
            counts = (
                int(match.group("oc")) if match.group("oc") is not None else 1,
                int(match.group("nc")) if match.group("nc") is not None else 1,
            )
        hunk, i = _parse_hunk_body(lines, i + 1, len(hunks) + 1, header, counts)
        hunks.append(hunk)
    return hunks, i


def _named_by_diff_line(line: str) -> tuple[str | None, str | None] | None:
    """The two files a ``diff [options] OLD NEW`` line (``diff -r``'s, between files) names;
    Mercurial's ``diff -r REV -r REV FILE`` names one."""
    tokens = line.split()[1:]
    names: list[str] = []
    skip = False
    for k, token in enumerate(tokens):
        if skip:
            skip = False
            continue
        if token.startswith("-"):
            # hg's -r takes a revision; GNU diff's -r (recursive) takes nothing
            nxt = tokens[k + 1] if k + 1 < len(tokens) else ""
            skip = token == "-r" and re.fullmatch(r"[0-9a-f]{6,40}", nxt) is not None
            continue
        names.append(token)
    if len(names) == 2:
        return names[0], names[1]
    if len(names) == 1:
        return names[0], names[0]
    return None


def _parse_unified(lines: list[str], default_path: str | None = None) -> Patch:
    """Unified, context and normal diffs, in any mix, with prose between them."""
    raw_files: list[_RawFile] = []
    formats: list[str] = []
    named: tuple[str | None, str | None] | None = None  # from the last "diff a b"/"Index:" line
    i, n = 0, len(lines)
    while i < n:
        line = lines[i]
        if line.startswith("diff --git "):
            old, new = _git_header_paths(line[len("diff --git ") :])
            raw = _RawFile(old=old, new=new, git=True)
            i += 1
            while i < n and lines[i].startswith(_GIT_EXTENDED):
                ext = lines[i]
                if ext.startswith("rename from "):
                    raw.rename_from = _unquote(ext[len("rename from ") :].strip())
                elif ext.startswith("rename to "):
                    raw.rename_to = _unquote(ext[len("rename to ") :].strip())
                elif ext.startswith("new file mode "):
                    raw.new_file = True
                    raw.new_mode = _mode(ext)
                elif ext.startswith("deleted file mode "):
                    raw.deleted = True
                elif ext.startswith(("copy from ", "copy to ")):
                    raise PatchParseError(f"line {i + 1}: copies are not supported")
                i += 1
            if i < n and lines[i].startswith(("Binary files ", "GIT binary patch")):
                raise PatchParseError(f"line {i + 1}: binary patches are not supported")
            if i + 1 < n and lines[i].startswith("--- ") and lines[i + 1].startswith("+++ "):
                raw.old = _header_path(lines[i][4:])
                raw.new = _header_path(lines[i + 1][4:])
                raw.hunks, i = _parse_hunks(lines, i + 2)
            elif raw.new_file:
                raw.old = None
            elif raw.deleted:
                raw.new = None
            raw_files.append(raw)
            formats.append("unified")
            named = None
            continue
        if line.startswith("--- ") and i + 1 < n and lines[i + 1].startswith("+++ "):
            raw = _raw_from_headers(line[4:], lines[i + 1][4:])
            raw.hunks, i = _parse_hunks(lines, i + 2)
            if not raw.hunks:
                raise PatchParseError(f"line {i + 1}: file header without any @@ hunk")
            raw_files.append(raw)
            formats.append("unified")
            named = None
            continue
        if is_context_file_header(lines, i):
            raw = _raw_from_headers(line[4:], lines[i + 1][4:])
            raw.hunks, i = parse_context_hunks(lines, i + 2)
            if not raw.hunks:
                raise PatchParseError(f"line {i + 1}: context-diff file header without any hunk")
            raw_files.append(raw)
            formats.append("context")
            named = None
            continue
        if NORMAL_COMMAND.match(line) and i + 1 < n and lines[i + 1][:1] in ("<", ">"):
            hunks, i = parse_normal_hunks(lines, i)
            if named is None and default_path is None:
                raise PatchParseError(
                    f"line {i + 1}: a normal diff that names no file: give the file with --file"
                )
            old, new = named if named is not None else (default_path, default_path)
            raw_files.append(_RawFile(old=old, new=new, hunks=hunks))
            formats.append("normal")
            named = None
            continue
        if line.startswith("diff "):
            named = _named_by_diff_line(line)
        elif line.startswith("Index: "):
            path = line[len("Index: ") :].strip()
            named = (path, path) if path else None
        if line.startswith("@@") or CONTEXT_SEPARATOR.match(line):
            if default_path is None:
                raise PatchParseError(f"line {i + 1}: hunk without a '--- '/'+++ ' file header")
            if line.startswith("@@"):
                hunks, i = _parse_hunks(lines, i)
                formats.append("unified")
            else:
                hunks, i = parse_context_hunks(lines, i)
                formats.append("context")
                if not hunks:
                    raise PatchParseError(f"line {i + 1}: '***************' without a hunk")
            raw_files.append(_RawFile(old=default_path, new=default_path, hunks=hunks))
            continue
        i += 1
    if not raw_files:
        raise PatchParseError("no file headers ('--- a/file' / '+++ b/file') in the diff")
    git_style = any(raw.git for raw in raw_files) or any(
        raw.old is not None
        and raw.new is not None
        and raw.old.startswith("a/")
        and raw.new.startswith("b/")
        for raw in raw_files
    )
    return Patch(
        format=formats[0], files=tuple(_to_file_patch(raw, git_style) for raw in raw_files)
    )


def _raw_from_headers(old_value: str, new_value: str) -> _RawFile:
    _, old_stamp = split_header(old_value)
    _, new_stamp = split_header(new_value)
    return _RawFile(
        old=_header_path(old_value),
        new=_header_path(new_value),
        old_epoch=is_epoch(old_stamp),
        new_epoch=is_epoch(new_stamp),
    )


def _mode(line: str) -> int | None:
    digits = line.rsplit(" ", 1)[-1].strip()
    try:
        return int(digits, 8) & 0o7777
    except ValueError:
        return None


def _tree_tail(old: str, new: str) -> str | None:
    """``x/y.py`` for ``old/x/y.py`` and ``new/x/y.py``: two trees compared (``diff -r``),
    whose roots (the same number of leading folders) differ and the rest is the same."""
    old_parts, new_parts = old.split("/"), new.split("/")
    k = 0
    while k < min(len(old_parts), len(new_parts)) and old_parts[-1 - k] == new_parts[-1 - k]:
        k += 1
    lead_old, lead_new = old_parts[: len(old_parts) - k], new_parts[: len(new_parts) - k]
    if k == 0 or not lead_old or len(lead_old) != len(lead_new):
        return None
    return "/".join(old_parts[len(old_parts) - k :])


def _to_file_patch(raw: _RawFile, git_style: bool) -> FilePatch:
    old, new = raw.old, raw.new
    hunks = tuple(raw.hunks)
    # diff -N dates a missing file at the epoch; its side of every hunk is then empty
    old_missing = old is None or (
        not raw.git and raw.old_epoch and bool(hunks) and all(not h.before for h in hunks)
    )
    new_missing = new is None or (
        not raw.git and raw.new_epoch and bool(hunks) and all(not h.after for h in hunks)
    )
    alternatives: list[str] = []
    # "a/"/"b/" prefixes: git-style patches, and a lone "+++ b/x" against /dev/null
    if (git_style and (raw.git or old is None or new is None or old.startswith("a/"))) or (
        old is None or new is None
    ):
        old = _strip_prefix(old, "a/")
        new = _strip_prefix(new, "b/")
    elif old is not None and new is not None and old != new:
        tail = _tree_tail(old, new)
        if tail is not None:
            alternatives = [new, old]
            old = new = tail
    if raw.rename_from and raw.rename_to:
        return FilePatch(RENAME, raw.rename_from, hunks, new_path=raw.rename_to)
    if old_missing and new_missing:
        raise PatchParseError("a file header names /dev/null on both sides")
    if old_missing:
        assert new is not None
        return FilePatch(CREATE, new, hunks, new_mode=raw.new_mode)
    if new_missing:
        assert old is not None
        return FilePatch(DELETE, old, hunks, alternatives=tuple(alternatives))
    assert old is not None and new is not None
    if old == new:
        return FilePatch(MODIFY, new, hunks, alternatives=tuple(alternatives))
    if raw.git:
        return FilePatch(RENAME, old, hunks, new_path=new)
    # plain diff between two names ("--- utils.py.orig" / "+++ utils.py"): the file to
    # change is whichever exists, the new name first
    alternatives = [old]
    for path in (new, old):
        for prefix in ("a/", "b/"):
            stripped = _strip_prefix(path, prefix)
            if stripped != path and stripped is not None:
                alternatives.append(stripped)
    return FilePatch(MODIFY, new, hunks, alternatives=tuple(dict.fromkeys(alternatives)))


# ---------------------------------------------------------------- *** Begin Patch


def _parse_begin_patch(lines: list[str]) -> Patch:
    files: list[FilePatch] = []
    i, n = 0, len(lines)
    while i < n:
        line = lines[i].strip()
        if line.startswith("*** Add File:"):
            path = line[len("*** Add File:") :].strip()
            i += 1
            body: list[HunkLine] = []
            while i < n and not lines[i].startswith("***"):
                text = lines[i]
                if text.startswith("```"):
                    break
                body.append(HunkLine(ADDED, text[1:] if text.startswith("+") else text))
                i += 1
            hunk = Hunk(number=1, header="*** Add File", lines=tuple(body))
            files.append(FilePatch(CREATE, _require_path(path, line), (hunk,)))
            continue
        if line.startswith("*** Delete File:"):
            path = line[len("*** Delete File:") :].strip()
            files.append(FilePatch(DELETE, _require_path(path, line)))
            i += 1
            continue
        if line.startswith("*** Update File:"):
            path = _require_path(line[len("*** Update File:") :].strip(), line)
            i += 1
            new_path = None
            if i < n and lines[i].strip().startswith("*** Move to:"):
                new_path = _require_path(lines[i].strip()[len("*** Move to:") :].strip(), lines[i])
                i += 1
            hunks, i = _parse_begin_patch_hunks(lines, i)
            if new_path and new_path != path:
                files.append(FilePatch(RENAME, path, tuple(hunks), new_path=new_path))
            else:
                files.append(FilePatch(MODIFY, path, tuple(hunks)))
            continue
        i += 1
    if not files:
        raise PatchParseError("'*** Begin Patch' block names no file")
    return Patch(format="begin_patch", files=tuple(files))


def _require_path(path: str, line: str) -> str:
    if not path:
        raise PatchParseError(f"no file name in {line.strip()!r}")
    return path


def _parse_begin_patch_hunks(lines: list[str], i: int) -> tuple[list[Hunk], int]:
    hunks: list[Hunk] = []
    n = len(lines)
    header = "@@"
    body: list[HunkLine] = []
    at_end = False

    def close() -> None:
        nonlocal body, at_end
        while body and body[-1] == HunkLine(CONTEXT, ""):
            body.pop()  # blank separator lines before the next "@@"
        if any(line.tag != CONTEXT for line in body):
            match = _HUNK_HEADER.match(header)
            old_start = int(match.group("os")) if match and match.group("os") else None
            anchor = None
            if match is None or (old_start is None and match.group("rest").strip()):
                anchor = (match.group("rest") if match else header[2:]).strip() or None
            hunks.append(
                Hunk(
                    number=len(hunks) + 1,
                    header=header.strip(),
                    lines=tuple(body),
                    old_start=old_start,
                    anchor=anchor,
                    at_end=at_end,
                )
            )
        body, at_end = [], False

    while i < n:
        line = lines[i]
        if line.startswith("*** End of File"):
            at_end = True
            i += 1
            continue
        if line.startswith("***") or line.startswith("```"):
            break
        if line.startswith("@@"):
            close()
            header = line
            i += 1
            continue
        if line[:1] in (CONTEXT, ADDED, REMOVED):
            body.append(HunkLine(line[0], line[1:]))
        else:
            body.append(HunkLine(CONTEXT, line))  # a context line whose space was lost
        i += 1
    close()
    return hunks, i


# ---------------------------------------------------------------- SEARCH/REPLACE


def _block_filename(lines: list[str], search_index: int) -> str | None:
    j = search_index - 1
    while j >= 0:
        candidate = lines[j].strip()
        if not candidate or candidate.startswith("```"):
            j -= 1
            continue
        if _REPLACE.match(candidate) or _DIVIDER.match(candidate):
            return None
        candidate = candidate.strip("`*#: ")
        for prefix in ("File:", "file:", "Filename:", "filename:"):
            if candidate.startswith(prefix):
                candidate = candidate[len(prefix) :].strip("`*: ")
        return candidate or None
    return None


def _parse_search_replace(lines: list[str]) -> Patch:
    blocks: list[tuple[str, list[str], list[str], int]] = []
    i, n = 0, len(lines)
    current: str | None = None
    while i < n:
        if not _SEARCH.match(lines[i].strip()):
            i += 1
            continue
        start = i
        name = _block_filename(lines, i)
        if name is not None:
            current = name
        if current is None:
            raise PatchParseError(f"line {i + 1}: SEARCH block without a file name line before it")
        i += 1
        search: list[str] = []
        while i < n and not _DIVIDER.match(lines[i].strip()):
            if _REPLACE.match(lines[i].strip()) or _SEARCH.match(lines[i].strip()):
                raise PatchParseError(f"line {i + 1}: SEARCH block without '======='")
            search.append(lines[i])
            i += 1
        if i >= n:
            raise PatchParseError(f"line {start + 1}: SEARCH block without '======='")
        i += 1
        replace: list[str] = []
        while i < n and not _REPLACE.match(lines[i].strip()):
            if _SEARCH.match(lines[i].strip()):
                break
            replace.append(lines[i])
            i += 1
        if i >= n or not _REPLACE.match(lines[i].strip()):
            raise PatchParseError(f"line {start + 1}: SEARCH block without '>>>>>>> REPLACE'")
        i += 1
        blocks.append((current, search, replace, start + 1))
    files: list[FilePatch] = []
    by_path: dict[str, list[Hunk]] = {}
    order: list[str] = []
    for path, search, replace, line_number in blocks:
        if not search or all(not s.strip() for s in search):
            hunk = Hunk(1, f"SEARCH block at line {line_number}", _as_lines([], replace))
            files.append(FilePatch(CREATE, path, (hunk,)))
            continue
        hunks = by_path.setdefault(path, [])
        if path not in order:
            order.append(path)
        hunks.append(
            Hunk(
                number=len(hunks) + 1,
                header=f"SEARCH block at line {line_number}",
                lines=_as_lines(search, replace),
            )
        )
    files.extend(FilePatch(MODIFY, path, tuple(by_path[path])) for path in order)
    return Patch(format="search_replace", files=tuple(files))


def _as_lines(search: list[str], replace: list[str]) -> tuple[HunkLine, ...]:
    """SEARCH/REPLACE as tagged lines, so shared lines are context the engine keeps."""
    out: list[HunkLine] = []
    matcher = difflib.SequenceMatcher(a=search, b=replace, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            out.extend(HunkLine(CONTEXT, text) for text in search[a1:a2])
            continue
        out.extend(HunkLine(REMOVED, text) for text in search[a1:a2])
        out.extend(HunkLine(ADDED, text) for text in replace[b1:b2])
    return tuple(out)
