"""The bookkeeping skill plugin: spoken expenses and income become reviewed ledger entries.

Registers the ``bookkeeping`` skill and the ``ting expense`` command group. Kept light:
only the skill class and click are imported when Ting starts; the parser, the ledger
and the chart load on first use.
"""

from __future__ import annotations

from typing import Any

from assistant.registry import hookimpl


@hookimpl
def ting_register_skills(register: Any) -> None:
    from skills.bookkeeping.skill import BookkeepingSkill

    register(BookkeepingSkill())


@hookimpl
def ting_register_commands(cli: Any) -> None:
    from skills.bookkeeping.commands import register

    register(cli)


@hookimpl
def ting_routing() -> Any:
    from skills.bookkeeping.routing import ROUTING

    return ROUTING


@hookimpl
def ting_register_tools(register):
    from skills.bookkeeping.ledger_tools import TOOLS

    for tool in TOOLS:
        register(tool)
