"""``ting diff apply|undo|make``.

``make "INSTRUCTION" FILE...`` asks the model for an edit, previews it, asks, writes it;
the preview is coloured only when standard output is a terminal. Imported when the CLI
mounts the skills' commands: the patch engine and the model client load inside them.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import click

from assistant.console import EventPrinter
from assistant.events import Event, NeedsConfirmation

_COLOURS = {"+": "\x1b[32m", "-": "\x1b[31m", "@": "\x1b[36m"}
_RESET = "\x1b[0m"


def colour_diff(text: str) -> str:
    out = []
    for line in text.splitlines():
        colour = None
        if line.startswith(("+++ ", "--- ")):
            colour = "\x1b[1m"
        elif line[:1] in _COLOURS:
            colour = _COLOURS[line[:1]]
        out.append(f"{colour}{line}{_RESET}" if colour else line)
    return "\n".join(out) + "\n"


class DiffPreviewPrinter(EventPrinter):
    """Shows a diff preview in colour on a terminal, plain otherwise."""

    def show(self, event: Event) -> None:
        if isinstance(event, NeedsConfirmation) and not self.as_json and self.out.isatty():
            self._close_progress()
            self.out.write(colour_diff(event.preview))
            self.out.flush()
            return
        super().show(event)


def _root_relative(name: str, root: Path) -> str:
    from assistant.errors import UsageError

    path = Path(name)
    if path.is_absolute():
        candidate = path
    elif (root / path).exists():
        return name
    else:
        candidate = Path.cwd() / path
    if not candidate.exists():
        raise UsageError(f"file not found: {name}")
    real_root = Path(os.path.realpath(root))
    try:
        return Path(os.path.abspath(candidate)).relative_to(real_root).as_posix()
    except ValueError:
        raise UsageError(f"{name} is not inside --root {root}") from None


def register_make(diff_group: click.Group) -> None:
    @diff_group.command("make")
    @click.argument("instruction")
    @click.argument("files", nargs=-1, required=True)
    @click.option(
        "--root",
        type=click.Path(file_okay=False, path_type=Path),
        default=".",
        show_default=True,
        help="Folder the files are in; nothing outside it is read or written.",
    )
    @click.option("--yes", "-y", is_flag=True, help="Apply without asking.")
    @click.option("--json", "as_json", is_flag=True, help="Print events as JSON lines.")
    @click.option(
        "--model",
        "model_only",
        is_flag=True,
        help="Ask the model even for a plain rename or replacement (done by text otherwise).",
    )
    def make_command(
        instruction: str,
        files: tuple[str, ...],
        root: Path,
        yes: bool,
        as_json: bool,
        model_only: bool,
    ) -> None:
        """Have the model edit FILE... as INSTRUCTION says; preview, ask, then write.

        A plain rename or replacement ("rename parse_date to parse_day") is done by
        text, every occurrence, with no model."""
        from assistant.cli_kit import get_app
        from assistant.console import drive
        from assistant.errors import UsageError
        from assistant.skill import Request

        if not root.is_dir():
            raise UsageError(f"--root {root} is not a folder")
        names = [_root_relative(name, root) for name in files]
        app = get_app()
        request = Request(
            text=instruction,
            origin="cli",
            skill="diff",
            options={"root": str(root), "files": names, "text_edits": not model_only},
        )
        code = drive(
            app.runtime.run(request),
            runtime=app.runtime,
            printer=DiffPreviewPrinter(as_json=as_json),
            assume_yes=yes,
            confirm_question=lambda event: f"Apply this change ({event.data.get('summary')})?",
        )
        sys.exit(code)


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
    from assistant.cli_kit import emit_json
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


def register(cli: click.Group) -> None:
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
        from assistant.cli_kit import emit_json
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
        from assistant.cli_kit import emit_json
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

    register_make(diff_group)
