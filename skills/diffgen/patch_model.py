"""What a parsed patch is, whatever format it was written in.

Every format (unified diff, ``*** Begin Patch``, SEARCH/REPLACE) is parsed into the same
shape: a ``Patch`` is a list of ``FilePatch``; a ``FilePatch`` says what happens to one
file (modify, create, delete, rename) and carries ``Hunk``s; a ``Hunk`` is a list of
tagged lines (``" "`` context, ``"-"`` removed, ``"+"`` added) plus the hints the writer
gave about where it goes (a line number, an anchor line, "at end of file"). Hints are
only hints: the apply engine places hunks by their text.
"""

from __future__ import annotations

from dataclasses import dataclass, field

CONTEXT = " "
REMOVED = "-"
ADDED = "+"

MODIFY = "modify"
CREATE = "create"
DELETE = "delete"
RENAME = "rename"


@dataclass(frozen=True)
class HunkLine:
    tag: str  # " ", "-" or "+"
    text: str  # without its line ending


@dataclass(frozen=True)
class Hunk:
    number: int  # 1-based, in the order written for its file
    header: str  # as written ("@@ -10,7 +10,8 @@", "@@ def main():", "SEARCH block")
    lines: tuple[HunkLine, ...]
    old_start: int | None = None  # 1-based line the writer said the hunk starts at
    anchor: str | None = None  # "*** Begin Patch" style "@@ class Foo" line
    at_end: bool = False  # must end at the end of the file ("*** End of File")
    old_no_newline: bool = False  # "\ No newline at end of file" after the old side
    new_no_newline: bool = False  # ... after the new side

    @property
    def before(self) -> list[str]:
        return [line.text for line in self.lines if line.tag != ADDED]

    @property
    def after(self) -> list[str]:
        return [line.text for line in self.lines if line.tag != REMOVED]

    @property
    def label(self) -> str:
        header = self.header if len(self.header) <= 60 else self.header[:57] + "..."
        return f"hunk {self.number} ({header})"

    @property
    def has_newline_marker(self) -> bool:
        return self.old_no_newline or self.new_no_newline


@dataclass(frozen=True)
class FilePatch:
    """One file's change. ``path`` is the file the change reads (for create: writes);
    ``new_path`` is set for a rename. ``alternatives`` are other spellings of ``path``
    to try when ``path`` does not exist (plain diffs whose two names differ)."""

    kind: str  # modify | create | delete | rename
    path: str
    hunks: tuple[Hunk, ...] = ()
    new_path: str | None = None
    alternatives: tuple[str, ...] = ()
    new_mode: int | None = None  # git "new file mode 100755"

    @property
    def paths(self) -> list[str]:
        out = [self.path, *self.alternatives]
        if self.new_path:
            out.append(self.new_path)
        return out


@dataclass(frozen=True)
class Patch:
    format: str  # unified | begin_patch | search_replace
    files: tuple[FilePatch, ...] = field(default_factory=tuple)

    @property
    def paths(self) -> list[str]:
        seen: dict[str, None] = {}
        for file_patch in self.files:
            for path in file_patch.paths:
                seen.setdefault(path, None)
        return list(seen)
