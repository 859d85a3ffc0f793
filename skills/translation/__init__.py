"""The translation plugin: the ``translation`` skill, ``ting translate`` and ``ting interpret``.

Kept import-light (the CLI imports it at every start): only the skill class and click
come in here; the model client, the recognizer and the interpreter load on first use.
"""

from __future__ import annotations

from typing import Any

from assistant.registry import hookimpl


@hookimpl
def ting_register_skills(register: Any) -> None:
    from skills.translation.skill import TranslationSkill

    register(TranslationSkill())


@hookimpl
def ting_register_commands(cli: Any) -> None:
    from skills.translation.commands import register

    register(cli)


@hookimpl
def ting_routing() -> Any:
    from skills.translation.routing import ROUTING

    return ROUTING


@hookimpl
def ting_register_tools(register):
    from skills.translation.interpreter_tools import TOOLS

    for tool in TOOLS:
        register(tool)
