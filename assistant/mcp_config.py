"""The user's MCP servers (``mcp_servers`` in config.toml), whose tools the chat agent uses.

::

    [[mcp_servers]]
    name = "time"                       # letters, digits, - and _; the tools show as time.get_current_time
    command = "mcp-server-time"         # a program on PATH, or an absolute path
    args = ["--local-timezone", "Asia/Shanghai"]
    env = { TZ = "Asia/Shanghai" }      # optional: extra environment for the server
    timeout = 30                        # optional: seconds each call may take
    start_timeout = 30                  # optional: seconds start-up may take

``load_mcp_servers`` checks every field and says in one line what is wrong and where;
``save_mcp_servers`` rewrites the list atomically and keeps every other setting.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.errors import ConfigError, UsageError

SERVER_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$")
ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
DEFAULT_TIMEOUT_S = 30.0
MAX_TIMEOUT_S = 600.0
KEYS = ("name", "command", "args", "env", "timeout", "start_timeout")


@dataclass(frozen=True)
class McpServerConfig:
    name: str
    command: str
    args: tuple[str, ...] = ()
    env: dict[str, str] = field(default_factory=dict)
    timeout: float = DEFAULT_TIMEOUT_S
    start_timeout: float = DEFAULT_TIMEOUT_S

    def to_toml(self) -> dict[str, Any]:
        data: dict[str, Any] = {"name": self.name, "command": self.command}
        if self.args:
            data["args"] = list(self.args)
        if self.env:
            data["env"] = dict(self.env)
        if self.timeout != DEFAULT_TIMEOUT_S:
            data["timeout"] = self.timeout
        if self.start_timeout != DEFAULT_TIMEOUT_S:
            data["start_timeout"] = self.start_timeout
        return data

    def describe(self) -> dict[str, Any]:
        """For `ting mcp list`: environment values are left out (they are often tokens)."""
        return {
            "name": self.name,
            "command": self.command,
            "args": list(self.args),
            "env": sorted(self.env),
            "timeout": self.timeout,
            "start_timeout": self.start_timeout,
        }


def _one_line(value: str) -> bool:
    return not any(ord(c) < 32 for c in value)


def server_from_data(data: Any, where: str = "mcp_servers") -> McpServerConfig:
    """One server's table, checked; UsageError naming the first problem."""
    if not isinstance(data, dict):
        raise UsageError(f"{where} must be a table with name and command")
    unknown = sorted(set(data) - set(KEYS))
    if unknown:
        raise UsageError(f"{where}: unknown key {unknown[0]!r} (keys: {', '.join(KEYS)})")
    name = data.get("name")
    if not isinstance(name, str) or not SERVER_NAME.match(name):
        raise UsageError(
            f"{where}: name must be 1-32 letters, digits, - or _ (starting with a letter "
            f"or digit), not {name!r}"
        )
    command = data.get("command")
    if not isinstance(command, str) or not command.strip() or not _one_line(command):
        raise UsageError(f"{where} ({name}): command must be a program name or path")
    args = data.get("args", [])
    if not isinstance(args, list) or not all(isinstance(a, str) and "\x00" not in a for a in args):
        raise UsageError(f"{where} ({name}): args must be a list of strings")
    env = data.get("env", {})
    if not isinstance(env, dict):
        raise UsageError(f'{where} ({name}): env must be a table of NAME = "value"')
    for key, value in env.items():
        if not ENV_NAME.match(str(key)) or not isinstance(value, str) or "\x00" in value:
            raise UsageError(
                f"{where} ({name}): env {key!r} must be a variable name with a string value"
            )
    timeouts = [_seconds(data, key, where, name) for key in ("timeout", "start_timeout")]
    return McpServerConfig(name, command.strip(), tuple(args), dict(env), *timeouts)


def _seconds(data: dict[str, Any], key: str, where: str, name: str) -> float:
    value = data.get(key, DEFAULT_TIMEOUT_S)
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not 0 < value <= MAX_TIMEOUT_S
    ):
        raise UsageError(
            f"{where} ({name}): {key} must be a number of seconds, above 0 and at most "
            f"{MAX_TIMEOUT_S:g}"
        )
    return float(value)


def servers_from_data(raw: Any) -> list[McpServerConfig]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise UsageError("mcp_servers must be a list of tables ([[mcp_servers]])")
    servers: list[McpServerConfig] = []
    seen: set[str] = set()
    for i, item in enumerate(raw):
        server = server_from_data(item, f"mcp_servers[{i}]")
        if server.name in seen:
            raise UsageError(f"mcp_servers[{i}]: a second server is named {server.name!r}")
        seen.add(server.name)
        servers.append(server)
    return servers


def load_mcp_servers(path: Path | None = None) -> list[McpServerConfig]:
    from assistant.config import read_config_data
    from assistant.paths import config_path

    path = path or config_path()
    try:
        return servers_from_data(read_config_data(path).get("mcp_servers"))
    except UsageError as exc:
        raise ConfigError(
            f"in {path}: {exc.message}", hint="fix it with `ting mcp remove NAME` or an editor"
        ) from None


def save_mcp_servers(servers: list[McpServerConfig], path: Path | None = None) -> None:
    from assistant.config import read_config_data, write_config_data
    from assistant.paths import config_path

    path = path or config_path()
    names = [s.name for s in servers]
    if len(set(names)) != len(names):
        raise UsageError("two MCP servers have the same name")
    data = read_config_data(path)
    if servers:
        data["mcp_servers"] = [s.to_toml() for s in servers]
    else:
        data.pop("mcp_servers", None)
    write_config_data(data, path)


def server_from_row(
    name: str, command: str, args_text: str, env_text: str, timeout_text: str = ""
) -> McpServerConfig:
    """A server from the settings window's row: arguments and environment as a shell
    would split them (``--repository "~/my code"``, ``TZ=UTC TOKEN=abc``)."""
    import shlex

    where = f"MCP server {name.strip() or '(no name)'}"
    try:
        args = shlex.split(args_text)
        pairs = shlex.split(env_text)
    except ValueError as exc:
        raise UsageError(f"{where}: {exc} in the arguments or environment") from None
    env: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep:
            raise UsageError(f"{where}: environment entries are KEY=VALUE, not {pair!r}")
        env[key] = value
    data: dict[str, Any] = {
        "name": name.strip(),
        "command": command.strip(),
        "args": args,
        "env": env,
    }
    if timeout_text.strip():
        try:
            data["timeout"] = float(timeout_text)
        except ValueError:
            raise UsageError(f"{where}: timeout must be a number of seconds") from None
    return server_from_data(data, where)


def row_of(server: McpServerConfig) -> tuple[str, str, str, str, str]:
    """The settings window's row for a server (the inverse of ``server_from_row``)."""
    import shlex

    env = " ".join(shlex.quote(f"{k}={v}") for k, v in server.env.items())
    timeout = "" if server.timeout == DEFAULT_TIMEOUT_S else f"{server.timeout:g}"
    return server.name, server.command, shlex.join(server.args), env, timeout
