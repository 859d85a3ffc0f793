"""``ting mcp``: serve Ting's tools over MCP; list, add and remove the MCP servers whose
tools the chat agent uses."""

from __future__ import annotations

import click

from assistant.cli_kit import emit_json, get_app
from assistant.errors import UsageError


@click.group("mcp")
def mcp_group() -> None:
    """Model Context Protocol: Ting's tools for other assistants, and other servers' tools
    for Ting's chat.

    \b
    ting mcp serve [--allow-writes] [--http PORT]
    ting mcp list [--json] [--no-start]
    ting mcp add [--env K=V]... [--timeout S] NAME COMMAND [ARGS]...
    ting mcp remove NAME
    """


@mcp_group.command("serve")
@click.option(
    "--allow-writes",
    is_flag=True,
    help="Also offer the tools that write (add ledger entries, apply a patch); each write "
    "is recorded in the history with origin mcp.",
)
@click.option(
    "--http",
    "http_port",
    type=click.IntRange(1, 65535),
    help="Serve streamable HTTP on http://127.0.0.1:PORT/mcp instead of standard input/output.",
)
def serve_command(allow_writes: bool, http_port: int | None) -> None:
    """Serve Ting's tools and meeting notes over MCP (standard input/output).

    For Claude Desktop, goose or any MCP client: the command is `ting` with the
    arguments `mcp serve`. Standard output carries only the protocol.
    """
    from assistant.mcp_server import app_tool_context, build_server, serve_http, serve_stdio

    app = get_app()
    _ = app.history  # a locked or damaged database: one line on stderr before the protocol starts
    server = build_server(app.tools, app_tool_context(app), allow_writes=allow_writes)
    if http_port:
        serve_http(server, http_port)
    else:
        serve_stdio(server)


@mcp_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print {builtin, servers} as JSON.")
@click.option("--no-start", is_flag=True, help="Show the configured servers without starting them.")
def list_command(as_json: bool, no_start: bool) -> None:
    """Ting's own tools and the configured MCP servers (started to list their tools)."""
    from assistant.mcp_client import McpConnections
    from assistant.mcp_config import load_mcp_servers
    from assistant.paths import data_dir

    servers = load_mcp_servers()
    app = get_app()
    builtin = [
        {
            "name": s.name,
            "description": s.description,
            "writes": s.writes,
            "plugin": app.tools.origin(s.name),
        }
        for s in app.tools.specs()
    ]
    connections = McpConnections(log_path=data_dir() / "mcp-servers.log")
    connections.configure(servers)
    try:
        if not no_start:
            connections.start()
        status = connections.status()
    finally:
        connections.close()
    rows = []
    for server in servers:
        state = status.get(server.name, {})
        rows.append(
            {
                **server.describe(),
                "state": "not started"
                if no_start
                else ("ok" if state.get("state") == "ready" else "error"),
                "error": state.get("error") or None,
                "tools": [
                    {"name": t.name, "description": t.description, "read_only": t.read_only}
                    for t in state.get("tools", [])
                ],
            }
        )
    if as_json:
        emit_json({"builtin": builtin, "servers": rows, "tool_errors": app.tools.errors})
        return
    click.echo("ting (built in; `ting mcp serve` offers these):")
    for tool in builtin:
        kind = "write" if tool["writes"] else "read "
        click.echo(f"  {tool['name']:<26} {kind}  {_first_sentence(tool['description'])}")
    if not rows:
        click.echo("(no MCP servers configured: `ting mcp add NAME COMMAND [ARGS]...` or Settings)")
    for row in rows:
        command = " ".join([row["command"], *row["args"]])
        if row["state"] == "ok":
            state = f"ok, {len(row['tools'])} tool{'s' if len(row['tools']) != 1 else ''}"
        elif row["state"] == "error":
            state = f"error: {row['error']}"
        else:
            state = row["state"]
        click.echo(f"{row['name']}: {command}  [{state}]")
        for tool in row["tools"]:
            kind = "read " if tool["read_only"] else "write"
            click.echo(f"  {tool['name']:<26} {kind}  {_first_sentence(tool['description'])}")


def _first_sentence(text: str) -> str:
    line = (text or "").strip().split("\n")[0]
    cut = line.find(". ")
    line = line[: cut + 1] if cut > 0 else line
    return line if len(line) <= 72 else line[:71] + "…"


@mcp_group.command(
    "add",
    context_settings={"ignore_unknown_options": True, "allow_interspersed_args": False},
)
@click.option(
    "--env",
    "env_pairs",
    multiple=True,
    metavar="KEY=VALUE",
    help="Environment for the server (repeatable).",
)
@click.option("--timeout", type=float, help="Seconds each call may take (default 30).")
@click.option("--start-timeout", type=float, help="Seconds start-up may take (default 30).")
@click.option("--replace", is_flag=True, help="Replace a server of the same name.")
@click.argument("name")
@click.argument("command")
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def add_command(env_pairs, timeout, start_timeout, replace, name, command, args) -> None:
    """Add an MCP server for the chat agent: NAME, then the COMMAND that starts it on
    standard input/output and its ARGS (options go before NAME).

    \b
    ting mcp add time mcp-server-time --local-timezone Asia/Shanghai
    ting mcp add --env GIT_AUTHOR_NAME=me git mcp-server-git --repository ~/src/app
    """
    from assistant.mcp_config import load_mcp_servers, save_mcp_servers, server_from_data

    env: dict[str, str] = {}
    for pair in env_pairs:
        key, sep, value = pair.partition("=")
        if not sep:
            raise UsageError(f"--env takes KEY=VALUE, not {pair!r}")
        env[key] = value
    data: dict = {"name": name, "command": command, "args": list(args), "env": env}
    if timeout is not None:
        data["timeout"] = timeout
    if start_timeout is not None:
        data["start_timeout"] = start_timeout
    server = server_from_data(data, f"MCP server {name!r}")
    servers = load_mcp_servers()
    if any(s.name == name for s in servers):
        if not replace:
            raise UsageError(f"an MCP server named {name!r} exists (use --replace, or remove it)")
        servers = [server if s.name == name else s for s in servers]
    else:
        servers.append(server)
    save_mcp_servers(servers)
    click.echo(f"added MCP server {name}: {' '.join([command, *args])}")


@mcp_group.command("remove")
@click.argument("name")
def remove_command(name: str) -> None:
    """Remove the MCP server NAME."""
    from assistant.config import read_config_data
    from assistant.mcp_config import McpServerConfig, save_mcp_servers, server_from_data

    # read the raw list, so that a server with a broken entry can still be removed
    raw = read_config_data().get("mcp_servers") or []
    if not isinstance(raw, list):
        raw = []
    kept: list[McpServerConfig] = []
    found = False
    for i, item in enumerate(raw):
        if isinstance(item, dict) and item.get("name") == name:
            found = True
            continue
        kept.append(server_from_data(item, f"mcp_servers[{i}]"))
    if not found:
        raise UsageError(f"no MCP server named {name!r} (`ting mcp list --no-start` shows them)")
    save_mcp_servers(kept)
    click.echo(f"removed MCP server {name}")


def register(cli: click.Group) -> None:
    cli.add_command(mcp_group)
