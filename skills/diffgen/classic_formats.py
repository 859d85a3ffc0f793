"""The older diff formats: context (``diff -c``), normal (``diff``), ed (``diff -e``) and RCS
(``diff -n``), and the file-header timestamps ``diff -N`` uses to mark a missing file.

Each reader turns its hunks into the same tagged lines a unified hunk has, so the apply
engine places them by their text like any other. Pure functions, no I/O.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from skills.diffgen.patch_errors import PatchParseError
from skills.diffgen.patch_model import ADDED, CONTEXT, REMOVED, Hunk, HunkLine

# ---------------------------------------------------------------- timestamps

_ISO_TIME = re.compile(
    r"(?P<y>\d{4})-(?P<mo>\d\d)-(?P<d>\d\d)[ T](?P<h>\d\d):(?P<mi>\d\d):(?P<s>\d\d)(?:\.\d+)?"
    r"(?: ?(?P<tz>[+-]\d{4}))?\s*$"
)
_CTIME = re.compile(
    r"(?:[A-Z][a-z]{2} )?(?P<mon>[A-Z][a-z]{2}) +(?P<d>\d{1,2}) (?P<h>\d\d):(?P<mi>\d\d):"
    r"(?P<s>\d\d)(?:\.\d+)? (?P<y>\d{4})(?: (?P<tz>[+-]\d{4}))?\s*$"
)
_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MAX_UTC_OFFSET = timedelta(hours=14)


def split_header(value: str) -> tuple[str, str | None]:
    """(file name, timestamp or None) of what follows ``--- `` / ``+++ `` / ``*** ``."""
    if "\t" in value:
        name, stamp = value.split("\t", 1)
        return name.rstrip(), stamp.strip() or None
    value = value.rstrip()
    for pattern in (_ISO_TIME, _CTIME):
        # "file.py 2024-01-01 10:00:00 +0100" written with spaces instead of a tab
        for match in re.finditer(r" +", value):
            rest = value[match.end() :]
            if pattern.fullmatch(rest.strip()):
                return value[: match.start()], rest.strip()
    return value, None


def is_epoch(stamp: str | None) -> bool:
    """Whether ``stamp`` is 1970-01-01 00:00:00 UTC, how ``diff -N`` dates a missing file
    (written in the local time zone of whoever ran diff)."""
    if not stamp:
        return False
    match = _ISO_TIME.fullmatch(stamp.strip())
    month: int | None = None
    if match:
        month = int(match["mo"])
    else:
        match = _CTIME.fullmatch(stamp.strip())
        if match and match["mon"] in _MONTHS:
            month = _MONTHS.index(match["mon"]) + 1
    if match is None or month is None:
        return False
    try:
        local = datetime(
            int(match["y"]),
            month,
            int(match["d"]),
            int(match["h"]),
            int(match["mi"]),
            int(match["s"]),
        )
    except ValueError:
        return False
    if match["tz"]:
        sign = 1 if match["tz"][0] == "+" else -1
        offset = timedelta(hours=int(match["tz"][1:3]), minutes=int(match["tz"][3:5])) * sign
        return local.replace(tzinfo=UTC) - offset == _EPOCH
    # no zone written: the epoch in some zone is a whole quarter hour within 14 h of it
    delta = local.replace(tzinfo=UTC) - _EPOCH
    return abs(delta) <= MAX_UTC_OFFSET and delta.total_seconds() % 900 == 0


# ---------------------------------------------------------------- context diffs

CONTEXT_SEPARATOR = re.compile(r"^\*{15}(?P<rest>.*)$")
_CONTEXT_OLD = re.compile(r"^\*\*\* (?P<a>\d+)(?:,(?P<b>\d+))? \*\*\*\*\s*$")
_CONTEXT_NEW = re.compile(r"^--- (?P<a>\d+)(?:,(?P<b>\d+))? ----\s*$")
_NO_NEWLINE = "\\"


def is_context_file_header(lines: list[str], i: int) -> bool:
    return (
        lines[i].startswith("*** ")
        and not _CONTEXT_OLD.match(lines[i])
        and i + 2 < len(lines)
        and lines[i + 1].startswith("--- ")
        and CONTEXT_SEPARATOR.match(lines[i + 2]) is not None
    )


def _range_size(match: re.Match[str]) -> tuple[int, int]:
    a = int(match["a"])
    b = int(match["b"]) if match["b"] is not None else a
    # "*** 0 ****": an empty side (a created file, or a deletion's new side)
    return a, (0 if a == 0 and b == 0 else b - a + 1)


def _context_side(
    lines: list[str], i: int, size: int, stop: re.Pattern[str] | None
) -> tuple[list[tuple[str, str]], bool, int]:
    """The tagged lines of one side of a context hunk, whether it ends without a newline,
    and where it stops. A side that lists no lines (only its range) is empty here."""
    out: list[tuple[str, str]] = []
    no_newline = False
    while i < len(lines) and len(out) < size:
        line = lines[i]
        if stop is not None and stop.match(line):
            break
        if CONTEXT_SEPARATOR.match(line) or _CONTEXT_OLD.match(line):
            break
        if line.startswith(_NO_NEWLINE):
            no_newline = True
            i += 1
            continue
        tag, text = line[:2], line[2:]
        if line in (" ", "  ") or (line == "" and out):
            tag, text = "  ", ""  # a blank context line whose spaces were trimmed
        if tag not in ("  ", "- ", "+ ", "! "):
            if out:
                raise PatchParseError(f"line {i + 1}: not a context-diff line: {line[:60]!r}")
            break  # a side diff leaves out: it has no line the other side does not show
        out.append((tag[0], text))
        i += 1
    if i < len(lines) and lines[i].startswith(_NO_NEWLINE):
        no_newline = True
        i += 1
    return out, no_newline, i


def _merge_context(old: list[tuple[str, str]], new: list[tuple[str, str]]) -> list[HunkLine]:
    """A context hunk's two sides as one list of tagged lines, as a unified hunk has them."""
    if not old:
        old = [(" ", text) for tag, text in new if tag == " "]
    if not new:
        new = [(" ", text) for tag, text in old if tag == " "]
    out: list[HunkLine] = []
    i = j = 0
    while i < len(old) or j < len(new):
        o = old[i][0] if i < len(old) else None
        n = new[j][0] if j < len(new) else None
        if o == "-":
            out.append(HunkLine(REMOVED, old[i][1]))
            i += 1
        elif n == "+":
            out.append(HunkLine(ADDED, new[j][1]))
            j += 1
        elif o == "!" or n == "!":
            while i < len(old) and old[i][0] == "!":
                out.append(HunkLine(REMOVED, old[i][1]))
                i += 1
            while j < len(new) and new[j][0] == "!":
                out.append(HunkLine(ADDED, new[j][1]))
                j += 1
        elif o == " " and n == " ":
            out.append(HunkLine(CONTEXT, old[i][1]))
            i += 1
            j += 1
        else:
            raise PatchParseError("a context-diff hunk whose two sides do not line up")
    return out


def parse_context_hunks(lines: list[str], i: int) -> tuple[list[Hunk], int]:
    """The hunks after a context diff's file header, from the first ``***************``."""
    hunks: list[Hunk] = []
    while i < len(lines) and CONTEXT_SEPARATOR.match(lines[i]):
        if i + 1 >= len(lines) or not _CONTEXT_OLD.match(lines[i + 1]):
            break
        old_match = _CONTEXT_OLD.match(lines[i + 1])
        assert old_match is not None
        old_start, old_size = _range_size(old_match)
        header = lines[i + 1].strip()
        old, old_no_newline, i = _context_side(lines, i + 2, old_size, _CONTEXT_NEW)
        if i >= len(lines) or not _CONTEXT_NEW.match(lines[i]):
            raise PatchParseError(f"line {i + 1}: context hunk {header!r} has no '--- ' side")
        new_match = _CONTEXT_NEW.match(lines[i])
        assert new_match is not None
        _, new_size = _range_size(new_match)
        new, new_no_newline, i = _context_side(lines, i + 1, new_size, None)
        body = _merge_context(old, new)
        if not body:
            raise PatchParseError(f"context hunk {header!r} has no lines")
        if old_no_newline and not new and not any(line.tag == ADDED for line in body):
            new_no_newline = True
        if new_no_newline and not old and not any(line.tag == REMOVED for line in body):
            old_no_newline = True
        hunks.append(
            Hunk(
                number=len(hunks) + 1,
                header=header,
                lines=tuple(body),
                old_start=old_start,
                old_no_newline=old_no_newline,
                new_no_newline=new_no_newline,
            )
        )
    return hunks, i


# ---------------------------------------------------------------- normal diffs

NORMAL_COMMAND = re.compile(r"^(?P<a>\d+)(?:,(?P<b>\d+))?(?P<op>[acd])(?P<c>\d+)(?:,(?P<d>\d+))?$")


def parse_normal_hunks(lines: list[str], i: int) -> tuple[list[Hunk], int]:
    """Normal-format commands (``5c5``, ``11a12,14``, ``3,4d2``) from line ``i`` on."""
    hunks: list[Hunk] = []
    while i < len(lines):
        match = NORMAL_COMMAND.match(lines[i])
        if not match:
            break
        header = lines[i]
        op = match["op"]
        first = int(match["a"])
        last = int(match["b"]) if match["b"] else first
        i += 1
        body: list[HunkLine] = []
        old_no_newline = new_no_newline = False
        if op in ("c", "d"):
            for _ in range(last - first + 1):
                if i >= len(lines) or not lines[i].startswith("<"):
                    raise PatchParseError(
                        f"line {i + 1}: {header!r} lists fewer '<' lines than it says"
                    )
                body.append(HunkLine(REMOVED, lines[i][2:]))
                i += 1
            if i < len(lines) and lines[i].startswith(_NO_NEWLINE):
                old_no_newline = True
                i += 1
        if op == "c":
            if i >= len(lines) or lines[i] != "---":
                raise PatchParseError(f"line {i + 1}: {header!r} has no '---' line")
            i += 1
        if op in ("a", "c"):
            start = int(match["c"])
            end = int(match["d"]) if match["d"] else start
            for _ in range(end - start + 1):
                if i >= len(lines) or not lines[i].startswith(">"):
                    raise PatchParseError(
                        f"line {i + 1}: {header!r} lists fewer '>' lines than it says"
                    )
                body.append(HunkLine(ADDED, lines[i][2:]))
                i += 1
            if i < len(lines) and lines[i].startswith(_NO_NEWLINE):
                new_no_newline = True
                i += 1
        # "11a12": insert after line 11 (old_start 11 with no old lines); "4c4": at line 4
        hunks.append(
            Hunk(
                number=len(hunks) + 1,
                header=header,
                lines=tuple(body),
                old_start=first,
                old_no_newline=old_no_newline,
                new_no_newline=new_no_newline,
            )
        )
    return hunks, i


# ---------------------------------------------------------------- ed and RCS scripts

_ED_COMMAND = re.compile(r"^(?P<a>\d+)(?:,(?P<b>\d+))?(?P<op>[acd])$")
_RCS_COMMAND = re.compile(r"^(?P<op>[ad])(?P<a>\d+) (?P<n>\d+)$")


def looks_like_ed(lines: list[str]) -> bool:
    first = next((line for line in lines if line.strip()), "")
    return bool(_ED_COMMAND.match(first))


def looks_like_rcs(lines: list[str]) -> bool:
    first = next((line for line in lines if line.strip()), "")
    return bool(_RCS_COMMAND.match(first))


def parse_ed_hunks(lines: list[str]) -> list[Hunk]:
    """An ed script (``diff -e``) as hunks. Only appends are read: a ``c`` or ``d`` command
    deletes lines by number without showing them, and Ting never deletes text it was not
    shown, so such a script is refused."""
    hunks: list[Hunk] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            i += 1
            continue
        match = _ED_COMMAND.match(line)
        if not match:
            raise PatchParseError(f"line {i + 1}: not an ed command: {line[:60]!r}")
        if match["op"] in ("c", "d"):
            raise PatchParseError(
                f"line {i + 1}: the ed script's {line!r} deletes lines by number without showing "
                "them, so Ting cannot check what it would delete; make the diff with diff -u"
            )
        i += 1
        body: list[HunkLine] = []
        while i < len(lines) and lines[i] != ".":
            text = lines[i]
            body.append(HunkLine(ADDED, "." if text == ".." else text))
            i += 1
        if i >= len(lines):
            raise PatchParseError(f"the ed command {line!r} has no '.' line ending its text")
        i += 1
        hunks.append(Hunk(number=0, header=line, lines=tuple(body), old_start=int(match["a"])))
    # ed scripts run bottom-up; hunks are numbered in file order
    hunks.sort(key=lambda h: h.old_start or 0)
    return [
        Hunk(number=n, header=h.header, lines=h.lines, old_start=h.old_start)
        for n, h in enumerate(hunks, 1)
    ]


def refuse_rcs() -> PatchParseError:
    return PatchParseError(
        "an RCS-format diff (diff -n) deletes lines by number without showing them, so Ting "
        "cannot check what it would delete; make the diff with diff -u"
    )
