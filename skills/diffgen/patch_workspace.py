"""The file-system shell around the pure engine: one root folder, nothing outside it.

``PatchWorkspace(root)`` reads the files a patch names (through ``WorkspaceRoot``, which
refuses anything outside the root), runs the engine, and writes all results or none
(``FileTransaction``): every new text is staged first. Every apply is recorded in the
undo journal before the first file changes.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from assistant.errors import TingError
from skills.diffgen.apply_engine import FileOutcome, PatchOutcome, apply_patch
from skills.diffgen.patch_errors import PatchRejected, UnsafePath
from skills.diffgen.patch_model import Patch
from skills.diffgen.patch_parser import parse_patch
from skills.diffgen.workspace_files import (
    FileTransaction,
    FileWrite,
    WorkspaceRoot,
    remove_stale_temp_files,
    root_lock,
)


@dataclass
class ApplyReport:
    root: Path
    outcome: PatchOutcome
    patch_format: str
    checked_only: bool
    journal_id: str | None = None

    def to_dict(self) -> dict[str, object]:
        return {
            "ok": True,
            "check": self.checked_only,
            "root": str(self.root),
            "format": self.patch_format,
            "journal": self.journal_id,
            **self.outcome.to_dict(),
        }


class PatchWorkspace(WorkspaceRoot):
    """A root folder that patches are applied to, safely."""

    # ------------------------------------------------------------ apply

    def plan(
        self, patch_text: str, *, target: str | None = None
    ) -> tuple[Patch, PatchOutcome, dict[str, tuple[str, Path]]]:
        patch, outcome, where, _ = self._plan(patch_text, target)
        return patch, outcome, where

    def _plan(
        self, patch_text: str, target: str | None = None
    ) -> tuple[Patch, PatchOutcome, dict[str, tuple[str, Path]], dict[str, str]]:
        patch = parse_patch(patch_text, default_path=target)
        contents, where = self.read_files(patch)
        outcome = apply_patch(patch, contents)
        for file in outcome.files:
            lexical = self.root.joinpath(*PurePosixPath(file.path).parts)
            if file.status in ("deleted", "renamed") and os.path.islink(lexical):
                verb = "deleting" if file.status == "deleted" else "renaming"
                raise UnsafePath(
                    f"refused: {file.path} is a symlink; {verb} it would change the file "
                    "it points to (change the link by hand)"
                )
        return patch, outcome, where, contents

    def apply(
        self,
        patch_text: str,
        *,
        check: bool = False,
        journal=None,
        verify=None,
        target: str | None = None,
    ) -> ApplyReport:
        """Apply ``patch_text`` (or, with ``check``, only work out what would happen).

        ``target`` is the file (relative to the root) a patch of one file is for, needed
        by formats that name none (normal diffs, ed scripts). ``verify(outcome)``, if
        given, runs under the folder's lock before anything is written and may refuse by
        raising.
        """
        if check:
            patch, outcome, _ = self.plan(patch_text, target=target)
            if verify is not None:
                verify(outcome)
            return ApplyReport(self.root, outcome, patch.format, checked_only=True)
        if journal is None:
            from skills.diffgen.undo_journal import UndoJournal

            journal = UndoJournal.default()
        with root_lock(self.root):
            try:
                patch, outcome, where, contents = self._plan(patch_text, target)
                if _partly_applied(outcome) and journal.interrupted(self.root) is not None:
                    # the part already there may be what the interrupted apply wrote
                    raise PatchRejected(
                        "part of the patch is already in the files, and an earlier apply "
                        "here did not finish; nothing was changed"
                    )
            except (PatchRejected, UnsafePath) as exc:
                raise _with_interrupted_hint(exc, journal, self.root) from None
            if verify is not None:
                verify(outcome)
            report = ApplyReport(self.root, outcome, patch.format, checked_only=False)
            planned_from = {
                real: contents[name].encode("utf-8") if name in contents else None
                for name, (_, real) in where.items()
            }
            writes = [
                FileWrite(w.relpath, w.target, w.text, w.mode, planned_from.get(w.target))
                for w in staged_writes(outcome, where)
            ]
            if not writes:  # every file already held the patch's result
                return report
            remove_stale_temp_files(w.target for w in writes)
            entry = journal.begin(self.root, writes, outcome)
            transaction = FileTransaction(writes)
            try:
                transaction.run()
            except BaseException:
                if transaction.rolled_back:
                    journal.discard(entry)  # else it stays pending: undo can finish the job
                raise
            journal.finish(entry, transaction.created_dirs)
        report.journal_id = entry.id
        return report


def _partly_applied(outcome: PatchOutcome) -> bool:
    return any(
        file.status == "already_applied" or any(h.strategy == "already_applied" for h in file.hunks)
        for file in outcome.files
    )


def _with_interrupted_hint(exc: TingError, journal, root: Path) -> TingError:
    """``exc``, saying so when an earlier apply in ``root`` died half-way."""
    interrupted = journal.interrupted(root)
    if interrupted is None or exc.hint:
        return exc
    return type(exc)(
        exc.message,
        hint=f"an earlier apply here was interrupted ({interrupted.data.get('created_at')}); "
        f"`ting diff undo --root {root}` puts its files back",
    )


def staged_writes(outcome: PatchOutcome, where: dict[str, tuple[str, Path]]) -> list[FileWrite]:
    writes: list[FileWrite] = []
    for file in outcome.files:
        writes.extend(_writes_for(file, where))
    targets = [w.target for w in writes]
    if len(set(targets)) != len(targets):
        raise UnsafePath("refused: two names in the patch lead to the same file")
    return writes


def _writes_for(file: FileOutcome, where: dict[str, tuple[str, Path]]) -> list[FileWrite]:
    if file.status == "already_applied":
        return []
    relpath, real = where[file.path]
    if file.status == "deleted":
        return [FileWrite(relpath, real, None, None)]
    if file.status == "renamed":
        assert file.new_path is not None
        new_rel, new_real = where[file.new_path]
        mode = stat.S_IMODE(os.stat(real).st_mode)
        return [
            FileWrite(new_rel, new_real, file.new_text, mode),
            FileWrite(relpath, real, None, None),
        ]
    return [FileWrite(relpath, real, file.new_text, file.new_mode)]
