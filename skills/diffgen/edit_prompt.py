"""What the diff skill asks the model for, and how its reply is tidied before the engine.

Small local models do not write unified diffs that land: they copy the example's
placeholder path, miscount or invent context lines, and paste the line-number prefixes
they were shown. SEARCH/REPLACE blocks ask only for lines copied from the file and their
replacement, which the engine places by content. The prompt shows each file as it is
(no line numbers) under its real path and uses that path in the example, and
``tidy_reply`` fixes the mistakes that remain mechanical: a block naming a file that was
not given (or none), and line-number prefixes copied into a block. Pure, no I/O.
"""

from __future__ import annotations

import difflib
import posixpath
import re
from collections.abc import Mapping, Sequence
from typing import Any

_SEARCH = re.compile(r"^\s*<{5,9} ?SEARCH\s*$")
_DIVIDER = re.compile(r"^\s*={5,9}\s*$")
_REPLACE = re.compile(r"^\s*>{5,9} ?REPLACE\s*$")
_NUMBER_PREFIX = re.compile(r"^\s*\d+\| ?")

SYSTEM_PROMPT = """\
You edit files. You get the files, each under its path, and an instruction. Reply with \
SEARCH/REPLACE blocks only, one block per change, no explanation:

{path}
<<<<<<< SEARCH
lines copied exactly from the file
=======
the same lines as they should become
>>>>>>> REPLACE

Rules:
- The line before <<<<<<< SEARCH is the file's path exactly as given ({paths}).
- SEARCH copies whole lines from the file exactly, with their indentation: the few \
lines that change plus one line around them, enough to be found only once.
- Make every change the instruction needs: for a rename, one block for the definition \
and one for EACH place that uses the old name, in every file.
- To delete lines, leave the part after ======= empty. Change nothing else."""

REPAIR_REQUEST = """\
That edit could not be applied: {error}
Reply with ALL the SEARCH/REPLACE blocks again, corrected: the line before each \
<<<<<<< SEARCH is the path ({paths}), and SEARCH copies lines from the file exactly as \
shown above (same spelling and indentation)."""


# one worked exchange before the real one: a small model copies a demonstrated format
# far more faithfully than a described one
_EXAMPLE_FILE = "greeting.py"
_EXAMPLE_TEXT = """\
GREETING = "Hello"


def greet(name):
    return GREETING + ", " + name
"""
_EXAMPLE_INSTRUCTION = 'change the greeting to "Hi"'
_EXAMPLE_ANSWER = """\
greeting.py
<<<<<<< SEARCH
GREETING = "Hello"
=======
GREETING = "Hi"
>>>>>>> REPLACE"""


def _fence(name: str, text: str) -> str:
    longest = max((len(m) for m in re.findall(r"`{3,}", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{name}\n{fence}\n{text.rstrip(chr(10))}\n{fence}"


def edit_messages(instruction: str, files: Sequence[tuple[str, str]]) -> list[dict[str, Any]]:
    """The first request: the system rules with the real paths, the files, the instruction."""
    names = [name for name, _ in files]
    system = SYSTEM_PROMPT.format(path=names[0], paths=", ".join(names))
    body = "\n\n".join(_fence(name, text) for name, text in files)
    example = _fence(_EXAMPLE_FILE, _EXAMPLE_TEXT)
    return [
        {"role": "system", "content": system},
        {"role": "user", "content": f"{example}\n\nInstruction: {_EXAMPLE_INSTRUCTION}"},
        {"role": "assistant", "content": _EXAMPLE_ANSWER},
        {"role": "user", "content": f"{body}\n\nInstruction: {instruction}"},
    ]


_NEAR_LINE = re.compile(
    r"^(?P<path>[^\n:]+): .*?(?:nearest candidate is line|its context fits at line) (?P<line>\d+)"
)
_NOWHERE = re.compile(
    r"^(?P<path>[^\n:]+): hunk \d+ \(SEARCH block at line (?P<block>\d+)\) does not match "
    r"the file; no line of it occurs in the file"
)
SHOWN_LINES = 8


def _search_lines(reply: str, marker_line: int) -> list[str]:
    """The SEARCH part of the block whose marker is on 1-based ``marker_line``."""
    lines = reply.split("\n")[marker_line:]
    out = []
    for line in lines:
        if _DIVIDER.match(line) or _REPLACE.match(line):
            break
        out.append(line)
    return [line for line in out if line.strip()]


def _most_like(search: list[str], text: str) -> int | None:
    """0-based start of the window of ``text`` most like ``search``, if any is close."""
    lines = text.splitlines()
    if not search or not lines:
        return None
    wanted = "\n".join(t.strip() for t in search)
    size = len(search)
    best, best_ratio = None, 0.5  # below half alike, showing lines misleads more than it helps
    for start in range(max(1, len(lines) - size + 1)):
        window = "\n".join(t.strip() for t in lines[start : start + size])
        matcher = difflib.SequenceMatcher(None, wanted, window, autojunk=False)
        if matcher.real_quick_ratio() <= best_ratio or matcher.quick_ratio() <= best_ratio:
            continue
        ratio = matcher.ratio()
        if ratio > best_ratio:
            best, best_ratio = start, ratio
    return best


def repair_message(
    error: str,
    names: Sequence[str],
    files: Mapping[str, str] | None = None,
    reply: str = "",
) -> dict[str, Any]:
    """The engine's error sent back, with the file's own lines where the refused SEARCH
    block nearly matched (the engine names the line) or, when no line of it is in the
    file, where the lines most like it are: a small model misremembers lines it was
    shown long ago, and copies lines put right in front of it."""
    content = REPAIR_REQUEST.format(error=error, paths=", ".join(names))
    start = None
    near = _NEAR_LINE.match(error)
    nowhere = _NOWHERE.match(error)
    path = (near or nowhere)["path"] if (near or nowhere) else None
    text = (files or {}).get(path) if path else None
    if text is None:
        return {"role": "user", "content": content}
    if near:
        start = max(0, int(near["line"]) - 2)
    elif nowhere and reply:
        found = _most_like(_search_lines(reply, int(nowhere["block"])), text)
        start = None if found is None else max(0, found - 1)
    if start is not None:
        lines = text.splitlines()
        shown = "\n".join(lines[start : start + SHOWN_LINES])
        if shown.strip():
            content += (
                f"\n\nLines {start + 1}-{min(len(lines), start + SHOWN_LINES)} of "
                f"{path} as they are now:\n{_fence(path, shown)}"
            )
    return {"role": "user", "content": content}


def _closest(candidate: str, names: Sequence[str]) -> str | None:
    candidate = candidate.strip().strip("`*#:").strip()
    for prefix in ("a/", "b/", "./"):
        if candidate.startswith(prefix) and candidate[len(prefix) :] in names:
            return candidate[len(prefix) :]
    if candidate in names:
        return candidate
    base = posixpath.basename(candidate)
    same_base = [n for n in names if posixpath.basename(n) == base]
    if len(same_base) == 1:
        return same_base[0]
    close = difflib.get_close_matches(candidate, list(names), n=1, cutoff=0.6)
    return close[0] if close else None


def _looks_like_path(line: str) -> bool:
    text = line.strip().strip("`*#:").strip()
    return bool(text) and " " not in text and ("." in text or "/" in text)


def tidy_reply(reply: str, names: Sequence[str]) -> str:
    """The reply with each SEARCH block's file line set to one of ``names``, copied
    line-number prefixes removed and a block the model left unclosed closed. A reply in
    another format is returned unchanged."""
    lines = reply.split("\n")
    if not any(_SEARCH.match(line) for line in lines):
        return reply
    out: list[str] = []
    current = names[0] if len(names) == 1 else None
    i = 0
    while i < len(lines):
        line = lines[i]
        if not _SEARCH.match(line):
            out.append(line)
            i += 1
            continue
        # the file line: the nearest non-blank, non-fence line above
        j = len(out) - 1
        while j >= 0 and (not out[j].strip() or out[j].strip().startswith("```")):
            j -= 1
        named = None
        if j >= 0 and _looks_like_path(out[j]) and not _REPLACE.match(out[j]):
            named = _closest(out[j], names)
            if named is not None or len(names) == 1:
                out[j] = named or names[0]
                current = out[j]
            else:
                current = None
        elif current is not None:
            out.append(current)
        if named is not None:
            current = named
        # the block itself: strip "12| " prefixes when every SEARCH line has one
        end = i + 1
        while end < len(lines) and not (_REPLACE.match(lines[end]) or _SEARCH.match(lines[end])):
            end += 1
        block = lines[i + 1 : end]
        if (end == len(lines) or _SEARCH.match(lines[end])) and any(map(_DIVIDER.match, block)):
            # the model stopped without ">>>>>>> REPLACE" (at the end, or before its next
            # block's file line): close the block there
            while block and (
                not block[-1].strip()
                or block[-1].strip().startswith("```")
                or (end < len(lines) and _looks_like_path(block[-1]))
            ):
                block.pop()
            end = i + 1 + len(block)
            lines.insert(end, ">>>>>>> REPLACE")
        elif (
            end < len(lines) and _REPLACE.match(lines[end]) and not any(map(_DIVIDER.match, block))
        ):
            # SEARCH straight to ">>>>>>> REPLACE": a deletion written without its "=======".
            # Safe to read so: were new lines mixed in, the block would not match the file
            block = [*block, "======="]
        search = []
        for text in block:
            if _DIVIDER.match(text):
                break
            search.append(text)
        numbered = [t for t in search if t.strip()]
        if numbered and all(_NUMBER_PREFIX.match(t) for t in numbered):
            block = [t if _DIVIDER.match(t) else _NUMBER_PREFIX.sub("", t, count=1) for t in block]
        out.append(line)
        out.extend(block)
        i = end
    return "\n".join(out)


_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]{2,}")


def _word_lines(word: str, text: str) -> list[int]:
    pattern = re.compile(rf"(?<![A-Za-z0-9_]){re.escape(word)}(?![A-Za-z0-9_])")
    return [i for i, line in enumerate(text.splitlines(), 1) if pattern.search(line)]


def unfinished_rename(instruction: str, changes: Sequence[tuple[str, str, str]]) -> str | None:
    """What a rename left undone, in words for the model, or None.

    ``changes`` are (path, text before, text after) for every file the edit was asked to
    cover. A name from the instruction that the edit replaced in some places but that
    still occurs in others, while another name from the instruction appeared, is a rename
    the model did not finish (it often changes the definition and forgets the uses)."""
    # code-like names only (snake_case, camelCase): plain words of a message change too
    names = [
        n
        for n in dict.fromkeys(_IDENTIFIER.findall(instruction))
        if "_" in n or re.search(r"[a-z][A-Z]", n)
    ]
    before = {n: sum(len(_word_lines(n, old)) for _, old, _ in changes) for n in names}
    after = {n: sum(len(_word_lines(n, new)) for _, _, new in changes) for n in names}
    if not any(after[n] and not before[n] for n in names):  # no new name: not a rename
        return None
    for name in names:
        if 0 < after[name] < before[name]:
            places = []
            for path, _, new in changes:
                lines = _word_lines(name, new)
                if lines:
                    plural = "s" if len(lines) > 1 else ""
                    places.append(f"{path} line{plural} " + ", ".join(map(str, lines[:12])))
            return (
                f"{name} still occurs ({'; '.join(places)}): the instruction asks for every "
                "place to change"
            )
    return None
