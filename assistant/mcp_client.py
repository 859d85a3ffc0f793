"""The user's MCP servers, spoken to with the official ``mcp`` SDK's client.

Each configured server (``assistant.mcp_config``) is a subprocess on stdio, held open by
one task on a background event-loop thread; callers on other threads (the chat agent)
start them, list their tools and call them through blocking methods that poll a
``CancelToken`` and give up after the server's ``timeout``:

* a command that does not exist, a server that dies or does not answer at start-up:
  ``start`` returns one line per server saying so, and the others are used;
* a call with no answer within the timeout: ``McpServerError`` saying so; the server
  is stopped (a hung server would hang the next call too) and started again the next
  time ``start`` runs;
* a server that crashes mid-call: ``McpServerError`` saying it stopped;
* an error the server reports for one call (unknown tool, bad arguments): a
  ``ToolOutcome`` with ``is_error``, which the model reads like any other result.

What the servers write on stderr goes to ``mcp-servers.log`` in the data folder.
"""

from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import json
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.errors import Cancelled, TingError
from assistant.mcp_config import McpServerConfig
from assistant.skill import CancelToken

POLL_S = 0.05
CLOSE_WAIT_S = 8.0  # the SDK's shutdown: 2 s for the server to exit, then SIGTERM, SIGKILL


class McpServerError(TingError):
    """An MCP server could not start, stopped, or did not answer in time."""


@dataclass(frozen=True)
class RemoteTool:
    server: str
    name: str
    description: str
    input_schema: dict[str, Any]
    read_only: bool  # the server says so (readOnlyHint); anything else is treated as a write
    destructive: bool

    @property
    def display_name(self) -> str:
        return f"{self.server}.{self.name}"


@dataclass(frozen=True)
class ToolOutcome:
    text: str
    is_error: bool = False
    structured: Any = None


@dataclass
class _Connection:
    config: McpServerConfig
    state: str = "idle"  # idle | starting | ready | failed | stopped
    error: str = ""
    client: Any = None
    tools: list[RemoteTool] = field(default_factory=list)
    stop: asyncio.Event | None = None
    task: concurrent.futures.Future[None] | None = None
    ready: concurrent.futures.Future[None] | None = None
    stopping: bool = False
    # set when _serve has returned, its process ended (a cancelled future says "done" at
    # once, while the task is still ending the process)
    finished: threading.Event = field(default_factory=threading.Event)


def describe_start_error(config: McpServerConfig, exc: BaseException, log: Path | None) -> str:
    where = f"; its messages are in {log}" if log else ""
    if isinstance(exc, FileNotFoundError):
        return (
            f"MCP server {config.name!r} cannot start: no program {config.command!r} "
            "(check the command, or give its full path)"
        )
    if isinstance(exc, PermissionError):
        return f"MCP server {config.name!r} cannot start: {config.command!r} is not executable"
    if isinstance(exc, OSError):
        return f"MCP server {config.name!r} cannot start: {exc.strerror or exc}"
    text = _error_text(exc)
    if "connection closed" in text.lower():
        return f"MCP server {config.name!r} exited during start-up{where}"
    return f"MCP server {config.name!r} failed at start-up: {text}{where}"


def _error_text(exc: BaseException) -> str:
    if isinstance(exc, BaseExceptionGroup):
        inner = [e for e in exc.exceptions if not isinstance(e, asyncio.CancelledError)]
        if inner:
            return _error_text(inner[0])
    message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    return str(message).splitlines()[0][:300]


def _content_text(result: Any) -> tuple[str, Any]:
    """A CallToolResult's content as text (and its structured content, if any)."""
    parts: list[str] = []
    for block in result.content or []:
        kind = getattr(block, "type", "")
        if kind == "text":
            parts.append(block.text)
        elif kind == "resource":
            resource = block.resource
            text = getattr(resource, "text", None)
            parts.append(text if text is not None else f"[resource {resource.uri}]")
        elif kind in ("image", "audio"):
            parts.append(f"[{kind} ({getattr(block, 'mime_type', '?')}) left out]")
        elif kind == "resource_link":
            parts.append(f"[link: {getattr(block, 'uri', '?')}]")
    structured = result.structured_content
    if not parts and structured is not None:
        parts.append(json.dumps(structured, ensure_ascii=False))
    return "\n".join(parts), structured


class McpConnections:
    """The configured MCP servers of this process, started on first use."""

    def __init__(self, log_path: Path | None = None) -> None:
        self.log_path = log_path
        self._configs: dict[str, McpServerConfig] = {}
        self._conns: dict[str, _Connection] = {}
        # stopped connections whose process may still be ending: close() waits for them
        self._retired: list[_Connection] = []
        self._lock = threading.RLock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._log_file: Any = None
        self._closed = False

    # -- configuration ------------------------------------------------------------------

    def configure(self, configs: list[McpServerConfig]) -> None:
        """Use these servers from now on: a server whose settings changed, or that is no
        longer listed, is stopped; new ones start at the next ``start``."""
        with self._lock:
            wanted = {c.name: c for c in configs}
            for name, conn in list(self._conns.items()):
                if wanted.get(name) != conn.config:
                    self._stop(conn)
                    self._retired.append(self._conns.pop(name))
            self._configs = wanted

    @property
    def names(self) -> list[str]:
        return list(self._configs)

    # -- the event loop -----------------------------------------------------------------

    def _ensure_loop(self) -> asyncio.AbstractEventLoop:
        if self._loop is None:
            loop = asyncio.new_event_loop()
            thread = threading.Thread(target=loop.run_forever, name="ting-mcp", daemon=True)
            thread.start()
            self._loop, self._thread = loop, thread
            atexit.register(self.close)
        return self._loop

    def _errlog(self) -> Any:
        import sys

        if self._log_file is None and self.log_path is not None:
            try:
                self._log_file = self.log_path.open("a", encoding="utf-8", buffering=1)
            except OSError:
                self._log_file = None
        return self._log_file or sys.stderr

    async def _serve(self, conn: _Connection) -> None:
        from mcp import Client, StdioServerParameters, stdio_client
        from mcp.types import Implementation

        from assistant import __version__

        conn.stop = asyncio.Event()
        config = conn.config
        params = StdioServerParameters(
            command=config.command, args=list(config.args), env=dict(config.env) or None
        )
        ready = conn.ready
        assert ready is not None
        try:
            # the transport given as it is, so that the server's stderr goes to our log
            async with Client(
                stdio_client(params, errlog=self._errlog()),
                client_info=Implementation(name="ting", version=__version__),
                read_timeout_seconds=config.timeout,
            ) as client:
                tools: list[RemoteTool] = []
                cursor = None
                for _ in range(50):  # pages
                    page = await client.list_tools(cursor=cursor)
                    for tool in page.tools:
                        hints = tool.annotations
                        read_only = bool(hints and hints.read_only_hint)
                        tools.append(
                            RemoteTool(
                                server=config.name,
                                name=tool.name,
                                description=tool.description or tool.title or "",
                                input_schema=dict(tool.input_schema or {"type": "object"}),
                                read_only=read_only,
                                destructive=not read_only
                                and (hints is None or hints.destructive_hint is not False),
                            )
                        )
                    cursor = page.next_cursor
                    if not cursor:
                        break
                conn.client, conn.tools, conn.state = client, tools, "ready"
                if not ready.done():
                    ready.set_result(None)
                await conn.stop.wait()
        except BaseException as exc:
            if conn.state != "stopped":
                conn.state = "failed"
                conn.error = conn.error or describe_start_error(config, exc, self.log_path)
            if not ready.done():
                ready.set_exception(McpServerError(conn.error or "stopped"))
            if isinstance(exc, (KeyboardInterrupt, SystemExit)):
                raise
        finally:
            conn.client = None
            if conn.state == "ready":  # the session ended under us
                conn.state = "failed"
                conn.error = f"MCP server {config.name!r} stopped"
            conn.finished.set()

    def _stop(self, conn: _Connection) -> None:
        was = conn.state
        conn.state = "stopped"
        if conn.stopping:
            return  # already on its way out: cancelling would abandon its process
        loop = self._loop
        if was == "ready" and loop is not None and conn.stop is not None:
            conn.stopping = True
            loop.call_soon_threadsafe(conn.stop.set)  # leaves the session the usual way
        elif conn.task is not None:
            conn.stopping = True
            # still in the handshake: cancelled, the SDK's transport still ends the process
            conn.task.cancel()

    # -- starting -----------------------------------------------------------------------

    def start(self, cancel: CancelToken | None = None) -> list[str]:
        """Start every configured server that is not running (again, for one that failed
        before). Returns one line for each server that could not be started."""
        cancel = cancel or CancelToken()
        with self._lock:
            pending: list[_Connection] = []
            for name, config in self._configs.items():
                conn = self._conns.get(name)
                if conn is not None and conn.state in ("ready", "starting"):
                    if conn.state == "starting":
                        pending.append(conn)
                    continue
                if conn is not None:
                    self._retired.append(conn)
                conn = _Connection(config, state="starting")
                conn.ready = concurrent.futures.Future()
                self._conns[name] = conn
                conn.task = asyncio.run_coroutine_threadsafe(self._serve(conn), self._ensure_loop())
                pending.append(conn)
        problems: list[str] = []
        started = time.monotonic()
        for conn in pending:
            assert conn.ready is not None
            while True:
                if cancel.cancelled:
                    raise Cancelled()
                try:
                    conn.ready.result(timeout=POLL_S)
                    break
                except concurrent.futures.TimeoutError:
                    if time.monotonic() - started > conn.config.start_timeout:
                        conn.error = (
                            f"MCP server {conn.config.name!r} did not answer within "
                            f"{conn.config.start_timeout:g} s at start-up"
                        )
                        self._stop(conn)
                        conn.state = "failed"
                        problems.append(conn.error)
                        break
                except McpServerError as exc:
                    problems.append(exc.message)
                    break
        return problems

    # -- using --------------------------------------------------------------------------

    def tools(self) -> list[RemoteTool]:
        with self._lock:
            return [t for c in self._conns.values() if c.state == "ready" for t in c.tools]

    def status(self) -> dict[str, dict[str, Any]]:
        with self._lock:
            out: dict[str, dict[str, Any]] = {}
            for name in self._configs:
                conn = self._conns.get(name)
                state = conn.state if conn else "idle"
                out[name] = {
                    "state": state,
                    "error": conn.error if conn and state != "ready" else "",
                    "tools": list(conn.tools) if conn and state == "ready" else [],
                }
            return out

    def call(
        self,
        server: str,
        tool: str,
        arguments: dict[str, Any],
        cancel: CancelToken | None = None,
    ) -> ToolOutcome:
        cancel = cancel or CancelToken()
        with self._lock:
            conn = self._conns.get(server)
        if conn is None or conn.state != "ready" or conn.client is None:
            reason = conn.error if conn is not None and conn.error else "is not running"
            raise McpServerError(
                reason if reason.startswith("MCP server") else f"MCP server {server!r} {reason}"
            )
        assert self._loop is not None
        # the SDK's own read timeout a little later than ours, so that ours speaks
        future = asyncio.run_coroutine_threadsafe(
            conn.client.call_tool(tool, arguments, read_timeout_seconds=conn.config.timeout + 5),
            self._loop,
        )
        started = time.monotonic()
        while True:
            if cancel.cancelled:
                future.cancel()
                raise Cancelled()
            try:
                result = future.result(timeout=POLL_S)
                break
            except concurrent.futures.TimeoutError:
                if time.monotonic() - started > conn.config.timeout:
                    future.cancel()
                    self._timed_out(conn, tool)
            except concurrent.futures.CancelledError:
                raise McpServerError(f"MCP server {server!r} was stopped during {tool}") from None
            except TimeoutError:
                self._timed_out(conn, tool)
            except Exception as exc:
                return self._call_failed(conn, tool, exc)
        text, structured = _content_text(result)
        return ToolOutcome(text=text, is_error=bool(result.is_error), structured=structured)

    def _timed_out(self, conn: _Connection, tool: str) -> None:
        message = (
            f"MCP server {conn.config.name!r} did not answer {tool} within "
            f"{conn.config.timeout:g} s; it was stopped"
        )
        conn.error = message
        self._stop(conn)
        conn.state = "failed"
        raise McpServerError(message)

    def _call_failed(self, conn: _Connection, tool: str, exc: Exception) -> ToolOutcome:
        from mcp import MCPError
        from mcp.types.jsonrpc import CONNECTION_CLOSED, REQUEST_TIMEOUT

        if isinstance(exc, MCPError) and exc.code == REQUEST_TIMEOUT:
            self._timed_out(conn, tool)
        if isinstance(exc, MCPError) and exc.code != CONNECTION_CLOSED:
            # the server answered with an error for this call: the model reads it
            return ToolOutcome(text=f"error from {conn.config.name}: {exc.message}", is_error=True)
        where = f" (its messages are in {self.log_path})" if self.log_path else ""
        message = f"MCP server {conn.config.name!r} stopped during {tool}{where}"
        conn.error = message
        self._stop(conn)
        conn.state = "failed"
        raise McpServerError(message) from None

    # -- closing ------------------------------------------------------------------------

    def close(self) -> None:
        """Stop every server (their processes end) and the event-loop thread."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            conns = list(self._conns.values()) + self._retired
            self._conns.clear()
            self._retired = []
        for conn in conns:
            self._stop(conn)
        deadline = time.monotonic() + CLOSE_WAIT_S
        for conn in conns:
            if conn.task is not None:
                conn.finished.wait(max(0.1, deadline - time.monotonic()))
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            if self._thread is not None:
                self._thread.join(timeout=2)
        if self._log_file is not None:
            self._log_file.close()
