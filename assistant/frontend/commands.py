"""The core commands: ask, route, history, config, doctor, skills."""

from __future__ import annotations

import sys

import click

from assistant.cli_kit import emit_json, get_app
from assistant.errors import UsageError


def register(cli: click.Group) -> None:
    for command in (app_command, ask, route, history, config, doctor, skills, status, trigger):
        cli.add_command(command)


def _text_arg(words: tuple[str, ...]) -> str:
    from assistant.request_text import request_text

    return request_text(words)


@click.command()
@click.argument("words", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON event per line on stdout.")
@click.option("--yes", "-y", is_flag=True, help="Confirm any proposed write without asking.")
@click.option("--skill", help="Skip routing and use this skill.")
@click.option("--origin", type=click.Choice(["cli", "typed", "voice"]), default="cli", hidden=True)
@click.option("--today", help="Pretend today is YYYY-MM-DD (for dates like 昨天).")
def ask(words, as_json, yes, skill, origin, today):
    """Route TEXT to a skill and run it, streaming what it does.

    TEXT may be '-' to read it from standard input.
    """
    from assistant.console import EventPrinter, drive
    from assistant.skill import Request

    text = _text_arg(words)
    app = get_app()
    day = _parse_day(today)
    if skill and not app.registry.has(skill):
        app.registry.get(skill)  # raises SkillNotFound naming what is installed
    request = Request(text=text, origin=origin, skill=skill)
    code = drive(
        app.runtime.run(request, today=day),
        runtime=app.runtime,
        printer=EventPrinter(as_json=as_json),
        assume_yes=yes,
        origin=origin,
    )
    sys.exit(code)


def _parse_day(value: str | None):
    if not value:
        return None
    import datetime as dt

    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"--today must be a date like 2026-11-23, not {value!r}") from None


@click.command()
@click.argument("words", nargs=-1, required=True)
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print {skill, confidence, source, unsure, candidates: [{skill, score}]}.",
)
@click.option("--offline", is_flag=True, help="Never ask the language model, even if unsure.")
def route(words, as_json, offline):
    """Say which skill TEXT would go to, without running it.

    TEXT may be '-' to read it from standard input.
    """
    from assistant.frontend.route_command import decide, show

    show(decide(_text_arg(words), offline=offline, app_factory=get_app), as_json)


# -- history ---------------------------------------------------------------------------

EXCHANGE_ID = click.IntRange(1, 2**63 - 1)  # SQLite's integer range


@click.group()
def history():
    """Past exchanges: list, search, show, delete."""


def _print_exchanges(rows, as_json: bool) -> None:
    if as_json:
        emit_json({"exchanges": [r.to_dict() for r in rows]})
        return
    if not rows:
        click.echo("(no exchanges)")
        return
    for r in rows:
        when = r.created_at[:19].replace("T", " ")
        text = r.input_text.replace("\n", " ")
        if len(text) > 60:
            text = text[:59] + "…"
        mark = "" if r.status == "ok" else f" [{r.status}]"
        click.echo(f"{r.id:>6}  {when}  {r.skill or '-':<13} {text}{mark}")


@history.command("list")
@click.option("--limit", "-n", default=20, show_default=True, type=click.IntRange(1, 100000))
@click.option("--skill", help="Only this skill's exchanges.")
@click.option("--json", "as_json", is_flag=True)
def history_list(limit, skill, as_json):
    """The most recent exchanges, newest first."""
    _print_exchanges(get_app().history.list(limit, skill=skill), as_json)


@history.command("search")
@click.argument("query", nargs=-1, required=True)
@click.option("--limit", "-n", default=20, show_default=True, type=click.IntRange(1, 100000))
@click.option("--json", "as_json", is_flag=True)
def history_search(query, limit, as_json):
    """Full-text search (Chinese too: 午饭 finds 昨天午饭花了三十五)."""
    _print_exchanges(get_app().history.search(" ".join(query), limit), as_json)


@history.command("show")
@click.argument("exchange_id", type=EXCHANGE_ID)
@click.option("--json", "as_json", is_flag=True)
def history_show(exchange_id, as_json):
    """One exchange in full."""
    row = get_app().history.get(exchange_id)
    if row is None:
        raise UsageError(f"no exchange with id {exchange_id}")
    if as_json:
        emit_json(row.to_dict())
        return
    d = row.to_dict()
    for key in (
        "id",
        "created_at",
        "origin",
        "skill",
        "route_source",
        "confidence",
        "status",
        "duration_ms",
    ):
        click.echo(f"{key}: {d[key]}")
    click.echo(f"input: {row.input_text}")
    if row.output_text:
        click.echo(f"output: {row.output_text}")
    if row.error:
        click.echo(f"error: {row.error}")


@history.command("delete")
@click.argument("exchange_id", type=EXCHANGE_ID)
@click.option("--json", "as_json", is_flag=True)
def history_delete(exchange_id, as_json):
    """Delete one exchange."""
    if not get_app().history.delete(exchange_id):
        raise UsageError(f"no exchange with id {exchange_id}")
    if as_json:
        emit_json({"deleted": exchange_id})
    else:
        click.echo(f"deleted exchange {exchange_id}")


# -- config ----------------------------------------------------------------------------


@click.group()
def config():
    """Settings (a TOML file in the data folder) and the API key (OS keyring)."""


@config.command("show")
@click.option("--json", "as_json", is_flag=True)
def config_show(as_json):
    """Every setting, with the file it lives in and where the key comes from."""
    from assistant.config import load_settings
    from assistant.paths import config_path, data_dir
    from assistant.secrets import describe_key, get_api_key, key_source

    settings = load_settings()
    try:
        key = get_api_key()
        source = key_source()
    except Exception:
        key, source = None, None
    info = {
        "settings": settings.to_dict(),
        "config_file": str(config_path()),
        "data_folder": str(data_dir()),
        "api_key": describe_key(key),
        "api_key_source": source,
    }
    if as_json:
        emit_json(info)
        return
    for k, v in settings.to_dict().items():
        click.echo(f"{k} = {v!r}")
    click.echo(f"api_key: {info['api_key']}" + (f" (from the {source})" if source else ""))
    click.echo(f"config file: {info['config_file']}")
    click.echo(f"data folder: {info['data_folder']}")


@config.command("set", context_settings={"ignore_unknown_options": True})
@click.argument("key")
@click.argument("value")
def config_set(key, value):
    """Change one setting (validated; the file is replaced atomically)."""
    from assistant.config import save_setting

    if key in ("api_key", "openai_api_key", "key"):
        raise UsageError(
            "the API key is not a setting: use `ting config set-key` (it reads the key from a hidden prompt or stdin)"
        )
    stored = save_setting(key, value)
    if key == "start_at_login":  # the autostart entry follows the setting
        from assistant import autostart
        from assistant.config import load_settings

        autostart.apply(load_settings())
    click.echo(f"{key} = {stored!r}")


@config.command("set-key")
def config_set_key():
    """Store the API key in the OS keyring, read from a hidden prompt or stdin."""
    from assistant.secrets import describe_key, secure_backend, set_api_key

    secure_backend()  # refuse an insecure keyring before asking for the key
    if sys.stdin.isatty():
        value = click.prompt("API key", hide_input=True, confirmation_prompt=False)
    else:
        value = sys.stdin.readline()
    set_api_key(value)
    click.echo(f"API key stored in the keyring: {describe_key(value.strip())}")


@config.command("delete-key")
def config_delete_key():
    """Remove the API key from the OS keyring."""
    from assistant.secrets import delete_api_key

    if delete_api_key():
        click.echo("API key removed from the keyring")
    else:
        click.echo("no API key was stored in the keyring")


# -- skills / doctor -------------------------------------------------------------------


@click.command()
@click.option("--json", "as_json", is_flag=True)
def skills(as_json):
    """The installed skills (built-in and from plugins)."""
    registry = get_app().registry
    rows = [
        {"name": n, "description": registry.get(n).description, "plugin": registry.origin(n)}
        for n in registry.names()
    ]
    if as_json:
        emit_json({"skills": rows, "plugin_errors": registry.plugin_errors})
        return
    for r in rows:
        click.echo(f"{r['name']:<14} {r['description']}  [{r['plugin']}]")
    for name, err in registry.plugin_errors.items():
        click.echo(f"(plugin {name} failed to load: {err})", err=True)


@click.command()
@click.option("--json", "as_json", is_flag=True)
@click.option("--offline", is_flag=True, help="Skip the provider round trip.")
def doctor(as_json, offline):
    """Check the data folder, database, keyring, provider, audio and model files."""
    from assistant.frontend.doctor import run_checks

    checks = run_checks(offline=offline)
    failed = [c for c in checks if c.status == "FAIL"]
    if as_json:
        emit_json({"checks": [c.to_dict() for c in checks], "ok": not failed})
    else:
        for c in checks:
            line = f"{c.status:<4} {c.name}: {c.detail}"
            if c.fix and c.status != "OK":
                line += f"\n     fix: {c.fix}"
            click.echo(line)
    sys.exit(1 if failed else 0)


# -- the running app -------------------------------------------------------------------


@click.command("app")
@click.option("--terminal", is_flag=True, help="A terminal session even where a display exists.")
def app_command(terminal):
    """Start the desktop app (a terminal session where no display exists)."""
    from assistant.frontend.launcher import start_default, terminal_session

    app = get_app()
    sys.exit(terminal_session(app) if terminal else start_default(app))


@click.command()
@click.option("--json", "as_json", is_flag=True)
@click.option(
    "--watch",
    is_flag=True,
    help="Stay connected and print the status as one JSON line each time it changes "
    "(for status bars), until Ctrl-C or the app quits.",
)
def status(as_json, watch):
    """Whether the Ting app is running, and what it is doing."""
    from assistant.ipc import status as app_status

    if watch:
        _watch_status()
        return
    answer = app_status()
    if as_json:
        emit_json(answer)
    elif answer.get("running"):
        click.echo(f"running ({answer.get('state', '?')}), pid {answer.get('pid', '?')}")
    else:
        click.echo("not running")


def _watch_status():
    """``ting status --watch``: no app is an error (exit 3); Ctrl-C, or the app quitting,
    ends it with exit 0 (a killed app: a one-line error)."""
    from assistant.ipc import watch_status

    try:
        for answer in watch_status():
            emit_json(answer)
    except KeyboardInterrupt:
        sys.exit(0)


@click.command()
@click.argument("what", type=click.Choice(["talk", "dictate", "edit"]), default="talk")
def trigger(what):
    """Start or stop talking in the running Ting (bind this to a desktop shortcut).

    WHAT: talk (a request, the default), dictate (typed into the focused window) or
    edit (a spoken instruction for the selected text).
    """
    from assistant.errors import TingError
    from assistant.ipc import send_command

    answer = send_command("trigger" if what == "talk" else what)
    if not answer.get("ok", False):
        raise TingError(str(answer.get("error") or "the running Ting refused to start listening"))
    click.echo(answer.get("state", "ok"))
