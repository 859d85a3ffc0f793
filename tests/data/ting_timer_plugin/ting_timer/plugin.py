"""The plugin module the ``ting`` entry point names: the skill and its routing."""

from __future__ import annotations

import re
from typing import Any

from assistant.events import Result
from assistant.registry import hookimpl

_MINUTES = re.compile(r"(\d+|one|two|three|five|ten|fifteen|twenty|thirty)\s*(?:minutes?|mins?)")


class TimerSkill:
    name = "timer"
    description = "Kitchen timers: set one for a number of minutes."

    def run(self, request: Any, ctx: Any):
        found = _MINUTES.search(request.text.lower())
        minutes = found.group(1) if found else "?"
        yield Result(text=f"timer set: {minutes} minutes", payload={"minutes": minutes})

    def apply(self, action: str, data: dict[str, Any], ctx: Any):
        return iter(())


@hookimpl
def ting_register_skills(register: Any) -> None:
    register(TimerSkill())


@hookimpl
def ting_routing() -> Any:
    from ting_timer.routing import ROUTING

    return ROUTING
