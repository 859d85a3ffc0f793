"""Why a patch was not applied. Each carries a one-line message naming the file and hunk."""

from __future__ import annotations

from assistant.errors import SkillError, UsageError


class PatchParseError(UsageError):
    """The text is not a patch in any format Ting reads."""


class PatchRejected(SkillError):
    """The patch does not fit the files: a hunk is unplaceable, ambiguous, or overlaps."""


class UnsafePath(SkillError):
    """The patch names a path outside the root, under .git/, or not a regular file."""


class UndoRefused(SkillError):
    """There is nothing to undo, or a file changed since the apply."""


class WorkspaceBusy(SkillError):
    """Another Ting is applying or undoing a patch in the same folder right now."""
