"""Ting's tools: plain functions over Ting's own stores, defined once, used twice.

A tool is a ``ToolSpec``: a name, a description a model can read, a JSON schema for its
arguments, whether it writes, and the function. ``ting mcp serve`` offers every tool to
other assistants over MCP; the chat agent offers the same tools to the provider's model
and calls them in-process. Both go through ``ToolRegistry.call``, which checks the
arguments against the schema before the function sees them.

Tools come from plugins the way skills do: a plugin implements the ``ting_register_tools``
hook and calls ``register(ToolSpec(...))`` for each (see ``assistant.registry``); it may
register a ``ResourceSpec`` the same way (documents the MCP server lists, such as meeting
notes). The history tools are the core's, handed in by the composition root.

A tool that writes (money, files) has ``writes=True``. The server offers it only with
``--allow-writes``; the agent never runs it on the model's word, but turns the call into
a ``NeedsConfirmation`` card through ``propose`` (or a generic card when a tool has none).
"""

from __future__ import annotations

import datetime as _dt
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from assistant.errors import SkillError, TingError
from assistant.skill import CancelToken

if TYPE_CHECKING:
    from assistant.config import Settings
    from assistant.events import Event, NeedsConfirmation
    from assistant.history import HistoryStore

TOOL_NAME = re.compile(r"^[a-z][a-z0-9_]{0,47}$")
MAX_RESULT_CHARS = 20_000  # what a model is shown of one tool result


class ToolError(SkillError):
    """A tool could not do what was asked (bad arguments, nothing with that id …)."""


@dataclass
class ToolContext:
    """What a tool function may use. ``origin`` is who asked: ``mcp`` or the agent's
    request origin; ``confirm`` runs a confirmed write through the runtime (so it is
    recorded in the history like any other confirmed write)."""

    history: HistoryStore
    settings: Settings
    origin: str = "cli"
    cancel: CancelToken = field(default_factory=CancelToken)
    today: _dt.date | None = None
    confirm: Callable[[str, str, dict[str, Any]], Iterator[Event]] | None = None

    def current_date(self) -> _dt.date:
        return self.today or _dt.date.today()


@dataclass(frozen=True)
class ToolSpec:
    name: str
    description: str
    input_schema: dict[str, Any]
    function: Callable[[dict[str, Any], ToolContext], dict[str, Any]]
    writes: bool = False
    destructive: bool | None = None  # None: the same as ``writes``
    progress: str = ""  # what the agent shows while it runs ("querying the ledger…")
    title: str | None = None
    # how the agent asks the user before this write; None: a generic card
    propose: Callable[[dict[str, Any], ToolContext], NeedsConfirmation] | None = None

    @property
    def is_destructive(self) -> bool:
        return self.writes if self.destructive is None else self.destructive

    def describe(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "description": self.description,
            "writes": self.writes,
            "input_schema": self.input_schema,
        }


@dataclass(frozen=True)
class ResourceItem:
    key: str  # what goes into the URI template's {key}
    name: str
    description: str = ""


@dataclass(frozen=True)
class ResourceSpec:
    """Documents offered as MCP resources (meeting notes): ``uri_template`` has one
    ``{key}``; ``list_items`` names what exists, ``read_text`` returns one document."""

    uri_template: str  # e.g. "ting://meetings/{key}"
    name: str
    description: str
    mime_type: str
    list_items: Callable[[ToolContext], list[ResourceItem]]
    read_text: Callable[[str, ToolContext], str]

    def uri(self, key: str) -> str:
        return self.uri_template.replace("{key}", key)

    def key_of(self, uri: str) -> str | None:
        head, _, tail = self.uri_template.partition("{key}")
        if uri.startswith(head) and uri.endswith(tail) and len(uri) > len(head) + len(tail):
            return uri[len(head) : len(uri) - len(tail)] if tail else uri[len(head) :]
        return None


def _validator_for(schema: dict[str, Any]) -> Any:
    from jsonschema import Draft202012Validator

    return Draft202012Validator(schema)


def check_arguments(spec: ToolSpec, arguments: Any) -> dict[str, Any]:
    """``arguments`` if they fit the tool's schema, else a ToolError naming the first
    problem in one line (the model or the MCP client reads it and can try again)."""
    if arguments is None:
        arguments = {}
    if not isinstance(arguments, dict):
        raise ToolError(f"{spec.name}: the arguments must be a JSON object")
    errors = sorted(_validator_for(spec.input_schema).iter_errors(arguments), key=_error_rank)
    if errors:
        first = errors[0]
        where = "/".join(str(p) for p in first.absolute_path)
        place = f" at {where}" if where else ""
        message = first.message
        if len(message) > 200:
            message = message[:197] + "..."
        raise ToolError(f"invalid arguments for {spec.name}{place}: {message}")
    return arguments


def _error_rank(error: Any) -> tuple[int, str]:
    return (len(list(error.absolute_path)), str(error.message))


def result_text(value: Any, limit: int = MAX_RESULT_CHARS) -> str:
    """A tool result as the text a model reads: JSON, cut at ``limit`` characters with a
    note saying how much there was (so a huge result cannot fill the model's window)."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    if len(text) <= limit:
        return text
    return (
        text[:limit]
        + f"\n[truncated: the result was {len(text):,} characters; only the first {limit:,} are shown]"
    )


class ToolRegistry:
    """The tools of this installation, by name: the core's and every plugin's."""

    def __init__(self, plugin_manager: Any = None, core_tools: Any = ()) -> None:
        self._tools: dict[str, ToolSpec] = {}
        self._origin: dict[str, str] = {}
        self.resources: list[ResourceSpec] = []
        self.errors: dict[str, str] = {}
        for spec in core_tools:  # the history's (assistant.history_tools), from the app
            self._add(spec, "ting")
        if plugin_manager is None:
            return
        for plugin in plugin_manager.get_plugins():
            hook = getattr(plugin, "ting_register_tools", None)
            if hook is None:
                continue
            plugin_name = plugin_manager.get_name(plugin) or "?"

            def register(spec: ToolSpec, _origin: str = plugin_name) -> None:
                self._add(spec, _origin)

            try:
                hook(register=register)
            except Exception as exc:  # a broken plugin must not take the others down
                self.errors[plugin_name] = f"{type(exc).__name__}: {exc}"

    def _add(self, spec: ToolSpec | ResourceSpec, origin: str) -> None:
        if isinstance(spec, ResourceSpec):
            self.resources.append(spec)
            return
        if not isinstance(spec, ToolSpec):
            self.errors[origin] = f"registered {type(spec).__name__}, not a ToolSpec"
            return
        if not TOOL_NAME.match(spec.name):
            self.errors[f"{origin}:{spec.name}"] = (
                "a tool name is lower-case letters, digits and _ (at most 48)"
            )
            return
        if spec.name in self._tools:
            self.errors[f"{origin}:{spec.name}"] = (
                f"tool {spec.name!r} is already registered by {self._origin[spec.name]}"
            )
            return
        self._tools[spec.name] = spec
        self._origin[spec.name] = origin

    def names(self) -> list[str]:
        return sorted(self._tools)

    def specs(self, *, include_writes: bool = True) -> list[ToolSpec]:
        return [self._tools[n] for n in self.names() if include_writes or not self._tools[n].writes]

    def get(self, name: str) -> ToolSpec:
        try:
            return self._tools[name]
        except KeyError:
            raise ToolError(
                f"no tool named {name!r} (tools: {', '.join(self.names()) or 'none'})"
            ) from None

    def has(self, name: str) -> bool:
        return name in self._tools

    def origin(self, name: str) -> str:
        return self._origin.get(name, "?")

    def call(self, name: str, arguments: Any, ctx: ToolContext) -> dict[str, Any]:
        """Run one tool: check the arguments, run it, return its JSON-able result.

        A ``TingError`` (bad input, nothing found, a locked database) comes out as it is;
        the caller turns it into an error result.
        """
        spec = self.get(name)
        checked = check_arguments(spec, arguments)
        ctx.cancel.raise_if_cancelled()
        result = spec.function(checked, ctx)
        if not isinstance(result, dict):
            raise TingError(f"the tool {name} returned {type(result).__name__}, not an object")
        return result


def run_confirmed(
    ctx: ToolContext, skill: str, action: str, data: dict[str, Any]
) -> dict[str, Any]:
    """Do a write the way a confirmed card does (``Runtime.confirm``: recorded in the
    history with ``ctx.origin``); its ``Result`` payload, or a ToolError with its message."""
    from assistant.events import Failed, Result

    if ctx.confirm is None:
        raise ToolError(f"{skill} {action}: writing is not allowed here")
    outcome: dict[str, Any] | None = None
    for event in ctx.confirm(skill, action, data):
        if isinstance(event, Failed):
            raise ToolError(event.error)
        if isinstance(event, Result):
            outcome = {"text": event.text, **event.payload}
    if outcome is None:
        raise ToolError(f"{skill} {action} gave no result")
    return outcome
