"""The chat skill: the default for anything that is not a task. Streams from the provider."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from assistant.events import Event, Result
from assistant.skill import Request, SkillContext

SYSTEM_PROMPT = (
    "You are Ting (听), a concise desktop voice assistant. Answer in the user's language "
    "(Simplified Chinese for Chinese). Requests often come from speech recognition, so "
    "tolerate misheard words. Keep answers short unless asked for detail."
)


def handed_back_note(request: Request) -> str:
    """What the model should know when a skill handed the request back: which skill
    could not act, and why, so that an answer can say what was missing if that action
    was meant."""
    handed = request.options.get("handed_back") or []
    if not handed:
        return ""
    lines = "; ".join(f"{h.get('skill')}: {h.get('reason')}" for h in handed)
    return (
        "\n\nThis request was first given to another skill, which could not act on it "
        f"({lines}). Answer it as a conversation; only if the user clearly wanted that "
        "skill's action, say briefly what it needs."
    )


class ChatSkill:
    name = "chat"
    description = "Plain conversation through the configured language model (streamed)."

    def run(self, request: Request, ctx: SkillContext) -> Iterator[Event]:
        from assistant.llm import Completion

        llm = ctx.llm()  # ProviderNotConfigured says what to set and what works offline
        messages: list[dict[str, Any]] = [
            {"role": "system", "content": SYSTEM_PROMPT + handed_back_note(request)}
        ]
        for turn in request.options.get("conversation", []):
            if turn.get("role") in ("user", "assistant") and turn.get("content"):
                messages.append({"role": turn["role"], "content": str(turn["content"])})
        messages.append({"role": "user", "content": request.text})
        completion = None
        for item in llm.stream(messages, cancel=ctx.cancel, stage="thinking"):
            if isinstance(item, Completion):
                completion = item
            else:
                yield item
        text = completion.text if completion else ""
        yield Result(text=text, payload={"model": completion.model if completion else None})

    def apply(self, action: str, data: dict[str, Any], ctx: SkillContext) -> Iterator[Event]:
        from assistant.errors import SkillError

        raise SkillError(f"the chat skill has no action {action!r}")
        yield  # pragma: no cover
