"""`ting diff make "INSTRUCTION" FILE...`: ask the model for an edit, preview it, ask,
write it. The preview is coloured only when standard output is a terminal."""

from __future__ import annotations

import os
import sys
from pathlib import Path

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
    def make_command(
        instruction: str, files: tuple[str, ...], root: Path, yes: bool, as_json: bool
    ) -> None:
        """Have the model edit FILE... as INSTRUCTION says; preview, ask, then write."""
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
            options={"root": str(root), "files": names},
        )
        code = drive(
            app.runtime.run(request),
            runtime=app.runtime,
            printer=DiffPreviewPrinter(as_json=as_json),
            assume_yes=yes,
            confirm_question=lambda event: f"Apply this change ({event.data.get('summary')})?",
        )
        sys.exit(code)
