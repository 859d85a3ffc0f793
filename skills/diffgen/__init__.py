"""The diff skill: spoken or typed code edits become patches that apply cleanly and safely.

Plugin module: registers the ``diff`` skill and the ``ting diff`` command group
(``apply``, ``undo``, ``make``, in ``commands.py``).
"""

from __future__ import annotations

from typing import Any

from assistant.registry import hookimpl


@hookimpl
def ting_register_skills(register: Any) -> None:
    from skills.diffgen.skill import DiffSkill

    register(DiffSkill())


@hookimpl
def ting_register_commands(cli: Any) -> None:
    from skills.diffgen.commands import register

    register(cli)


@hookimpl
def ting_routing() -> Any:
    from skills.diffgen.routing import ROUTING

    return ROUTING


@hookimpl
def ting_register_tools(register: Any) -> None:
    from skills.diffgen.diff_tools import TOOLS

    for tool in TOOLS:
        register(tool)
