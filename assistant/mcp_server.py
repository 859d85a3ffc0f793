"""``ting mcp serve``: Ting's tools and meeting notes for other assistants, over MCP.

Built on the official ``mcp`` SDK's lowlevel ``Server``, so that each tool's JSON schema
and annotations are exactly the ones in ``assistant.tool_registry`` (the chat agent
uses the same specs). Read tools are annotated ``readOnlyHint``; the write tools are
offered only with ``allow_writes`` and annotated ``destructiveHint`` (the MCP client
asks its user before calling them), and every write goes through ``Runtime.confirm``
with origin ``mcp``, so it is in the history like a write confirmed in Ting itself.

Tools run on a worker thread one at a time (SQLite, one connection). A bad argument or
a missing id is an ``isError`` result whose text says what is wrong, which the calling
model can read and correct; an unknown tool is a JSON-RPC invalid-params error, as the
protocol asks. Nothing but the protocol is written on standard output.
"""

from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import Callable
from typing import Any

from assistant.errors import TingError
from assistant.tool_registry import ToolContext, ToolRegistry, ToolSpec, result_text

log = logging.getLogger("ting.mcp")

MAX_SERVER_RESULT_CHARS = 200_000  # an MCP client shows this to its own model

INSTRUCTIONS = (
    "Ting is the user's local voice assistant. Its tools read the user's own data: the "
    "ledger of spending and income, meeting notes (also as ting://meetings/{id} "
    "resources), the history of requests, live-interpreter sessions, and a dry run of "
    "a patch. Write tools exist only when the user started the server with "
    "--allow-writes; ask the user before calling them."
)


def annotations_for(spec: ToolSpec) -> Any:
    from mcp.types import ToolAnnotations

    return ToolAnnotations(
        title=spec.title,
        read_only_hint=not spec.writes,
        destructive_hint=spec.is_destructive,
        idempotent_hint=not spec.writes,
        open_world_hint=False,
    )


def build_server(
    tools: ToolRegistry,
    context_factory: Callable[[], ToolContext],
    *,
    allow_writes: bool = False,
) -> Any:
    """The lowlevel MCP ``Server`` for ``tools`` (write tools only with ``allow_writes``)."""
    import anyio
    import anyio.to_thread
    import mcp.types as types
    from mcp.server.lowlevel import Server
    from mcp.shared.exceptions import MCPError
    from mcp.types.jsonrpc import INVALID_PARAMS

    from assistant import __version__

    offered = {s.name: s for s in tools.specs(include_writes=allow_writes)}
    one_at_a_time = anyio.CapacityLimiter(1)

    async def list_tools(ctx: Any, params: Any) -> Any:
        return types.ListToolsResult(
            tools=[
                types.Tool(
                    name=spec.name,
                    title=spec.title,
                    description=spec.description,
                    input_schema=spec.input_schema,
                    annotations=annotations_for(spec),
                )
                for spec in offered.values()
            ]
        )

    def error_result(text: str) -> Any:
        return types.CallToolResult(
            content=[types.TextContent(type="text", text=text)], is_error=True
        )

    async def call_tool(ctx: Any, params: Any) -> Any:
        name = params.name
        if name not in offered:
            hint = ""
            if tools.has(name) and tools.get(name).writes:
                hint = " (write tools need `ting mcp serve --allow-writes`)"
            raise MCPError(code=INVALID_PARAMS, message=f"Unknown tool: {name}{hint}")
        arguments = params.arguments or {}

        def run() -> dict[str, Any]:
            return tools.call(name, arguments, context_factory())

        try:
            result = await anyio.to_thread.run_sync(run, limiter=one_at_a_time)
        except TingError as exc:
            return error_result(exc.user_message())
        except Exception as exc:  # a bug: the log gets the details, the client one line
            log.error("tool %s crashed:\n%s", name, traceback.format_exc())
            return error_result(
                f"internal error in the tool {name} ({type(exc).__name__}); details are in "
                "Ting's log file"
            )
        text = result_text(result, MAX_SERVER_RESULT_CHARS)
        structured = result if len(text) <= MAX_SERVER_RESULT_CHARS else None  # not cut
        return types.CallToolResult(
            content=[types.TextContent(type="text", text=text)], structured_content=structured
        )

    def resource_of(uri: str) -> tuple[Any, str]:
        for spec in tools.resources:
            key = spec.key_of(uri)
            if key is not None:
                return spec, key
        raise MCPError(code=INVALID_PARAMS, message=f"Unknown resource: {uri}")

    async def list_resources(ctx: Any, params: Any) -> Any:
        def run() -> list[Any]:
            found = []
            tool_ctx = context_factory()
            for spec in tools.resources:
                for item in spec.list_items(tool_ctx):
                    found.append(
                        types.Resource(
                            name=item.name,
                            uri=spec.uri(item.key),
                            description=item.description or spec.description,
                            mime_type=spec.mime_type,
                        )
                    )
            return found

        return types.ListResourcesResult(
            resources=await anyio.to_thread.run_sync(run, limiter=one_at_a_time)
        )

    async def list_resource_templates(ctx: Any, params: Any) -> Any:
        return types.ListResourceTemplatesResult(
            resource_templates=[
                types.ResourceTemplate(
                    name=spec.name,
                    uri_template=spec.uri_template.replace("{key}", "{id}"),
                    description=spec.description,
                    mime_type=spec.mime_type,
                )
                for spec in tools.resources
            ]
        )

    async def read_resource(ctx: Any, params: Any) -> Any:
        spec, key = resource_of(str(params.uri))

        def run() -> str:
            return spec.read_text(key, context_factory())

        try:
            text = await anyio.to_thread.run_sync(run, limiter=one_at_a_time)
        except TingError as exc:
            raise MCPError(code=INVALID_PARAMS, message=exc.user_message()) from None
        return types.ReadResourceResult(
            contents=[
                types.TextResourceContents(uri=str(params.uri), mime_type=spec.mime_type, text=text)
            ]
        )

    return Server(
        "ting",
        version=__version__,
        title="Ting (听)",
        instructions=INSTRUCTIONS,
        on_list_tools=list_tools,
        on_call_tool=call_tool,
        on_list_resources=list_resources,
        on_list_resource_templates=list_resource_templates,
        on_read_resource=read_resource,
    )


def app_tool_context(app: Any, origin: str = "mcp") -> Callable[[], ToolContext]:
    """A fresh ToolContext per call over the app's stores; writes are recorded as ``origin``."""

    def confirm(skill: str, action: str, data: dict[str, Any]) -> Any:
        return app.runtime.confirm(skill, action, data, origin=origin)

    def make() -> ToolContext:
        return ToolContext(
            history=app.history, settings=app.settings, origin=origin, confirm=confirm
        )

    return make


def serve_stdio(server: Any) -> None:
    import anyio
    from mcp.server.stdio import stdio_server

    async def main() -> None:
        async with stdio_server() as (read_stream, write_stream):
            await server.run(read_stream, write_stream, server.create_initialization_options())

    anyio.run(main)


def serve_http(server: Any, port: int) -> None:
    """Streamable HTTP on loopback only (the SDK adds DNS-rebinding protection there)."""
    import socket

    import anyio
    import uvicorn

    from assistant.errors import UsageError

    # bound and listening here, so a busy port is one clear line and the address can be
    # announced at once: a client that connects before uvicorn has started waits in
    # the listen queue
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
    try:
        sock.bind(("127.0.0.1", port))
        sock.listen(128)
    except OSError as exc:
        sock.close()
        raise UsageError(f"cannot serve on 127.0.0.1:{port}: {exc.strerror}") from None
    app = server.streamable_http_app(host="127.0.0.1")
    config = uvicorn.Config(app, log_level="warning")
    print(f"ting: serving MCP on http://127.0.0.1:{port}/mcp", file=sys.stderr, flush=True)
    anyio.run(lambda: uvicorn.Server(config).serve(sockets=[sock]))
