"""The chat skill plugin: plain conversation through the configured language model."""

from __future__ import annotations

from typing import Any

from assistant.registry import hookimpl


@hookimpl
def ting_register_skills(register: Any) -> None:
    from skills.chat.skill import ChatSkill

    register(ChatSkill())


@hookimpl
def ting_routing() -> Any:
    from skills.chat.routing import ROUTING

    return ROUTING
