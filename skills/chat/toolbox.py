"""The tools the chat agent offers the model: Ting's own (called in-process, the same
specs ``ting mcp serve`` offers) and those of the user's MCP servers.

Each becomes an OpenAI function. Ting's keep their names (``ledger_query``); a server's
are ``<server>__<tool>`` for the model and ``server.tool`` for people. A tool that
writes is never run on the model's word: ``propose`` turns the call into a
``NeedsConfirmation`` card (the expense card, the diff card, or a generic one) and the
write happens only through ``Runtime.confirm`` after the user's yes.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from assistant.events import NeedsConfirmation
from assistant.skill import CancelToken
from assistant.tool_registry import (
    ToolContext,
    ToolError,
    ToolRegistry,
    ToolSpec,
    check_arguments,
    result_text,
)

_NOT_NAME = re.compile(r"[^A-Za-z0-9_-]")
CALL_TOOL = "call_tool"  # the chat skill's action for a confirmed generic tool call


@dataclass(frozen=True)
class AgentTool:
    function_name: str  # what the model calls
    display_name: str  # what a person reads
    description: str
    parameters: dict[str, Any]
    writes: bool
    progress: str
    local: ToolSpec | None = None
    server: str | None = None
    remote_name: str | None = None

    def openai(self) -> dict[str, Any]:
        return {
            "type": "function",
            "function": {
                "name": self.function_name,
                "description": self.description[:1024],
                "parameters": self.parameters,
            },
        }


class Toolbox:
    def __init__(
        self,
        registry: ToolRegistry | None,
        tool_ctx: ToolContext,
        connections: Any = None,
    ) -> None:
        self.registry = registry
        self.tool_ctx = tool_ctx
        self.connections = connections
        self._tools: dict[str, AgentTool] = {}
        for spec in registry.specs() if registry else []:
            self._tools[spec.name] = AgentTool(
                function_name=spec.name,
                display_name=spec.name,
                description=spec.description,
                parameters=spec.input_schema,
                writes=spec.writes,
                progress=spec.progress or f"calling {spec.name}…",
                local=spec,
            )
        for remote in connections.tools() if connections is not None else []:
            name = _function_name(f"{remote.server}__{remote.name}", self._tools)
            self._tools[name] = AgentTool(
                function_name=name,
                display_name=remote.display_name,
                description=remote.description or remote.display_name,
                parameters=remote.input_schema or {"type": "object", "properties": {}},
                writes=not remote.read_only,
                progress=f"calling {remote.display_name}…",
                server=remote.server,
                remote_name=remote.name,
            )

    def __len__(self) -> int:
        return len(self._tools)

    def openai_tools(self) -> list[dict[str, Any]]:
        return [t.openai() for t in self._tools.values()]

    def names(self) -> list[str]:
        return list(self._tools)

    def get(self, function_name: str) -> AgentTool | None:
        return self._tools.get(function_name)

    def run(
        self, tool: AgentTool, arguments: dict[str, Any], cancel: CancelToken
    ) -> tuple[str, bool]:
        """Run a read tool; (the text the model reads, whether it is an error)."""
        if tool.local is not None:
            assert self.registry is not None
            result = self.registry.call(tool.local.name, arguments, self.tool_ctx)
            return result_text(result), False
        assert self.connections is not None and tool.server and tool.remote_name
        outcome = self.connections.call(tool.server, tool.remote_name, arguments, cancel)
        return result_text(outcome.text), outcome.is_error

    def propose(
        self, tool: AgentTool, arguments: dict[str, Any], after_output_of: list[str]
    ) -> NeedsConfirmation:
        """The card for a write the model asked for (ToolError if the arguments are bad)."""
        if tool.local is not None:
            checked = check_arguments(tool.local, arguments)
            if tool.local.propose is not None:
                card = tool.local.propose(checked, self.tool_ctx)
            else:
                card = _generic_card(tool, checked)
        else:
            card = _generic_card(tool, arguments)
        if after_output_of:
            # the model read tool output before asking: the user should know it may come
            # from there (a page, a note, a server) rather than from what they said
            seen = ", ".join(dict.fromkeys(after_output_of))
            note = (
                f"The assistant asks for this after reading the output of {seen}. "
                "Check it: nothing is written until you say yes."
            )
            card = NeedsConfirmation(
                skill=card.skill,
                action=card.action,
                preview=f"{note}\n{card.preview}",
                data={**card.data, "asked_after_tools": list(dict.fromkeys(after_output_of))},
            )
        return card


def _generic_card(tool: AgentTool, arguments: dict[str, Any]) -> NeedsConfirmation:
    shown = json.dumps(arguments, ensure_ascii=False, indent=2)
    if len(shown) > 4000:
        shown = shown[:4000] + "\n…"
    return NeedsConfirmation(
        skill="chat",
        action=CALL_TOOL,
        preview=f"Call {tool.display_name} (it can change things) with:\n{shown}",
        data={
            "tool": tool.remote_name or tool.function_name,
            "server": tool.server,
            "display_name": tool.display_name,
            "arguments": arguments,
        },
    )


def _function_name(wanted: str, taken: dict[str, Any]) -> str:
    base = _NOT_NAME.sub("_", wanted)[:60]
    name, n = base, 2
    while name in taken:
        name = f"{base[:58]}_{n}"
        n += 1
    return name


def run_confirmed_call(
    data: dict[str, Any], registry: ToolRegistry, tool_ctx: ToolContext, connections: Any
) -> tuple[str, Any]:
    """Do a generic tool call the user confirmed: (text for the user, structured result)."""
    name = data.get("tool")
    arguments = data.get("arguments") or {}
    if not isinstance(name, str) or not isinstance(arguments, dict):
        raise ToolError("the confirmation names no tool to call")
    server = data.get("server")
    if server:
        if connections is None:
            raise ToolError("MCP servers are not available in this session")
        from assistant.mcp_config import load_mcp_servers

        connections.configure(load_mcp_servers())
        problems = connections.start(tool_ctx.cancel)
        mine = [p for p in problems if repr(server) in p]
        if mine:
            raise ToolError(mine[0])
        outcome = connections.call(server, name, arguments, tool_ctx.cancel)
        if outcome.is_error:
            raise ToolError(f"{server}.{name}: {outcome.text[:500]}")
        return outcome.text, outcome.structured
    result = registry.call(name, arguments, tool_ctx)
    return result_text(result), result
