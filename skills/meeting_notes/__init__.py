"""The meeting-notes skill: recordings and transcripts become notes a person would write.

This module is imported at every start of the CLI, so it stays light: the skill and the
commands import numpy, PyAV, faster-whisper and openai only when they run.
"""

from __future__ import annotations

from typing import Any

from assistant.registry import hookimpl


@hookimpl
def ting_register_skills(register: Any) -> None:
    from skills.meeting_notes.skill import MeetingNotesSkill

    register(MeetingNotesSkill())


@hookimpl
def ting_register_commands(cli: Any) -> None:
    from skills.meeting_notes.commands import register

    register(cli)


@hookimpl
def ting_routing() -> Any:
    from skills.meeting_notes.routing import ROUTING

    return ROUTING


@hookimpl
def ting_register_tools(register):
    from skills.meeting_notes.meeting_tools import TOOLS

    for tool in TOOLS:
        register(tool)
