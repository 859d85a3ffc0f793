"""The diff skill: spoken or typed code edits become patches that apply cleanly and safely.

Plugin module: registers the ``diff`` skill and the ``ting diff`` command group
(``apply``, ``undo``, ``make``). Heavy parts are imported inside the commands.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from assistant.registry import hookimpl


@hookimpl
def ting_register_skills(register):
    from skills.diffgen.diff_skill import DiffSkill

    register(DiffSkill())


def _read_patch(source: str) -> str:
    from assistant.errors import UsageError

    if source == "-":
        data = sys.stdin.buffer.read()
        where = "standard input"
    else:
        path = Path(source)
        if not path.is_file():
            raise UsageError(f"patch file not found: {source}")
        data = path.read_bytes()
        where = source
    try:
        text = data.decode("utf-8").removeprefix("\ufeff")  # a BOM from a Windows editor
    except UnicodeDecodeError:
        raise UsageError(f"the patch in {where} is not UTF-8 text") from None
    if not text.strip():
        raise UsageError(f"the patch in {where} is empty")
    return text


def _report_failure(as_json: bool, exc: Exception) -> None:
    from assistant.cli import emit_json
    from assistant.errors import TingError

    if as_json and isinstance(exc, TingError):
        emit_json({"ok": False, "error": exc.user_message(), "kind": type(exc).__name__})


def _describe_hunks(hunks: list[dict[str, Any]]) -> str:
    parts = []
    for hunk in hunks:
        text = str(hunk["strategy"]).replace("_", " ")
        if hunk["strategy"] == "already_applied":
            parts.append("already applied")
            continue
        if hunk["fuzz"]:
            text += f" fuzz {hunk['fuzz']}"
        if hunk["offset"]:
            text += f" offset {hunk['offset']:+d}"
        parts.append(text)
    return ", ".join(parts)


def print_apply_report(report_dict: dict[str, Any]) -> None:
    check = report_dict["check"]
    for file in report_dict["files"]:
        status = file["status"]
        verb = {"modified": "modify", "created": "create", "deleted": "delete", "renamed": "rename"}
        if status == "already_applied":
            word = "already applied:"
        else:
            word = f"would {verb.get(status, status)}" if check else status
        name = file["path"] + (f" -> {file['new_path']}" if file.get("new_path") else "")
        hunks = file["hunks"]
        detail = f"  ({len(hunks)} hunk{'s' if len(hunks) != 1 else ''}: {_describe_hunks(hunks)})"
        click.echo(f"{word} {name}{detail if hunks else ''}")
    count = sum(1 for f in report_dict["files"] if f["status"] != "already_applied")
    if check:
        click.echo(f"check passed: {count} file(s) would change; nothing was written")
    elif count == 0:
        click.echo(f"nothing to do: the patch is already applied in {report_dict['root']}")
    else:
        click.echo(f"applied to {count} file(s) in {report_dict['root']} (undo: ting diff undo)")


@hookimpl
def ting_register_commands(cli):
    @cli.group("diff")
    def diff_group() -> None:
        """Apply, undo and make code edits (unified diffs, *** Begin Patch, SEARCH/REPLACE)."""

    @diff_group.command("apply")
    @click.argument("patch")
    @click.option(
        "--root",
        type=click.Path(file_okay=False, path_type=Path),
        default=".",
        show_default=True,
        help="Folder the patch's paths are relative to; nothing outside it is touched.",
    )
    @click.option(
        "--file",
        "target",
        metavar="FILE",
        default=None,
        help="The file (under --root) a one-file patch is for; needed by normal diffs "
        "and ed scripts, which name none.",
    )
    @click.option("--check", is_flag=True, help="Change nothing; report what would happen.")
    @click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
    def apply_command(
        patch: str, root: Path, target: str | None, check: bool, as_json: bool
    ) -> None:
        """Apply PATCH (a file, or - for standard input) to the files under --root.

        Reads unified (git, hg, diff -u/-N), context (diff -c) and normal diffs, ed scripts
        that only add lines, *** Begin Patch and SEARCH/REPLACE blocks. All or nothing:
        either every hunk lands or no file changes; a hunk whose result is already in the
        file is reported as already applied.
        """
        from assistant.cli import emit_json
        from assistant.errors import TingError
        from skills.diffgen.patch_workspace import PatchWorkspace

        try:
            report = PatchWorkspace(root).apply(_read_patch(patch), check=check, target=target)
        except TingError as exc:
            _report_failure(as_json, exc)
            raise
        if as_json:
            emit_json(report.to_dict())
        else:
            print_apply_report(report.to_dict())

    @diff_group.command("undo")
    @click.option(
        "--root",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="Undo the last apply in this folder (default: the last apply anywhere).",
    )
    @click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
    def undo_command(root: Path | None, as_json: bool) -> None:
        """Revert the last `ting diff apply` (refused if a file changed since)."""
        from assistant.cli import emit_json
        from assistant.errors import TingError
        from skills.diffgen.undo_journal import UndoJournal

        try:
            report = UndoJournal.default().undo(root)
        except TingError as exc:
            _report_failure(as_json, exc)
            raise
        if as_json:
            emit_json(report.to_dict())
        else:
            for path in report.restored:
                click.echo(f"restored {path}")
            click.echo(f"undid the apply in {report.root}")

    from skills.diffgen.make_command import register_make

    register_make(diff_group)


@hookimpl
def ting_register_tools(register):
    from skills.diffgen.diff_tools import TOOLS

    for tool in TOOLS:
        register(tool)
