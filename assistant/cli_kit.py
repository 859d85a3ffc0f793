"""What every ``ting`` command needs, whether the front end or a skill defines it.

Skills' command modules and the front ends import this module, never the ``ting``
command group itself, so no command module depends on the one that mounts it. It
imports nothing above the core: the composition root is reached through the factory
the ``ting`` group leaves in the click context (``APP_FACTORY``). click itself loads on
first use, so plain ``ting`` starts the desktop app without it.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING:
    import click

APP_FACTORY = "ting.app_factory"  # key in the root context's ``meta``


def emit_json(obj: Any) -> None:
    """One JSON object per line on stdout, flushed (consumers read it live)."""
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def fail(message: str, code: int = 1) -> NoReturn:
    """The one line on stderr every failure ends with, and its exit code."""
    import click

    from assistant.errors import one_line

    click.echo(f"ting: {one_line(message)}", err=True)
    sys.exit(code)


def set_app_factory(ctx: click.Context, factory: Callable[[], Any]) -> None:
    """How ``get_app`` builds the composition root the first time a command asks."""
    ctx.find_root().meta[APP_FACTORY] = factory


def get_app(ctx: click.Context | None = None) -> Any:
    """The composition root of this process, built once on first use."""
    import click

    ctx = ctx or click.get_current_context()
    root = ctx.find_root()
    if root.obj is None:
        factory = root.meta.get(APP_FACTORY)
        if factory is None:
            raise RuntimeError("get_app() outside the ting command group")
        root.obj = factory()
    return root.obj
