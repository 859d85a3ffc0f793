"""The chat skill: the default for anything that is not a task. Streams from the provider.

With tools available (Ting's own, see ``assistant.tool_registry``, and those of the MCP
servers in ``mcp_servers``) chat is an agent over the provider's tool calls
(``skills.chat.agent``); a model that calls no tool simply answers, as before.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from assistant.events import Event, Progress, Result
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
        toolbox, notices = yield from self._toolbox(request, ctx, llm)
        if toolbox is not None and len(toolbox):
            from skills.chat.agent import TOOLS_PROMPT, run_agent

            today = ctx.current_date().isoformat()
            messages[0]["content"] += "\n\n" + TOOLS_PROMPT.format(today=today)
            yield from run_agent(llm, messages, toolbox, ctx, notices)
            return
        completion = None
        for item in llm.stream(messages, cancel=ctx.cancel, stage="thinking"):
            if isinstance(item, Completion):
                completion = item
            else:
                yield item
        text = completion.text if completion else ""
        yield Result(text=text, payload={"model": completion.model if completion else None})

    def _toolbox(self, request: Request, ctx: SkillContext, llm: Any) -> Iterator[Event]:
        """Ting's tools and the started MCP servers' (None when this session has none, or
        the provider cannot return tool calls); a server that cannot start is one progress
        line, and chat goes on without it."""
        from assistant.errors import ConfigError, SkillError
        from assistant.mcp_config import load_mcp_servers
        from assistant.tool_registry import ToolContext
        from skills.chat.toolbox import Toolbox

        if request.options.get("tools") is False or not getattr(ctx.settings, "chat_tools", True):
            return None, []
        if not getattr(llm, "tool_calls", True):
            return None, []
        try:
            registry = ctx.service("tools")
        except SkillError:
            return None, []
        notices: list[str] = []
        try:
            configs = load_mcp_servers()
        except ConfigError as exc:
            configs = []
            notices.append(f"MCP servers not used: {exc.user_message()}")
            yield Progress("mcp_failed", notices[-1])
        try:
            connections = ctx.service("mcp")
        except SkillError:
            connections = None
        if connections is not None:
            connections.configure(configs)  # servers no longer listed are stopped here
            waiting = [n for n, s in connections.status().items() if s["state"] != "ready"]
            if waiting:
                yield Progress("mcp", f"starting MCP servers: {', '.join(waiting)}…")
            for problem in connections.start(ctx.cancel):
                notices.append(problem)
                yield Progress("mcp_failed", problem)
        tool_ctx = ToolContext(
            history=ctx.history,
            settings=ctx.settings,
            origin=request.origin,
            cancel=ctx.cancel,
            today=ctx.today,
        )
        return Toolbox(registry, tool_ctx, connections), notices

    def apply(self, action: str, data: dict[str, Any], ctx: SkillContext) -> Iterator[Event]:
        from assistant.errors import SkillError
        from assistant.tool_registry import ToolContext
        from skills.chat.toolbox import CALL_TOOL, run_confirmed_call

        if action != CALL_TOOL:
            raise SkillError(f"the chat skill has no action {action!r}")
        try:
            connections = ctx.service("mcp")
        except SkillError:
            connections = None
        tool_ctx = ToolContext(
            history=ctx.history, settings=ctx.settings, cancel=ctx.cancel, today=ctx.today
        )
        text, structured = run_confirmed_call(data, ctx.service("tools"), tool_ctx, connections)
        shown = data.get("display_name") or data.get("tool")
        if len(text) > 2000:
            text = text[:2000] + "…"
        yield Result(
            text=f"Done: {shown}.\n{text}".rstrip(),
            payload={"tool": shown, "result": structured},
        )
