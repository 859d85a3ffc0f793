"""The core commands, run as a user runs them, against real SQLite and a real HTTP provider."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

from fixtures_core import assert_clean_failure


def test_version_and_help(ting):
    assert ting("--version").out.startswith("ting, version ")
    for args in (
        ["--help"],
        ["ask", "--help"],
        ["history", "search", "--help"],
        ["config", "--help"],
    ):
        ran = ting(*args)
        assert ran.code == 0 and "Usage:" in ran.out


def test_unknown_command_and_empty_text(ting):
    ran = ting("frobnicate")
    assert ran.code == 2 and "Traceback" not in ran.err and "No such command" in ran.err
    assert_clean_failure(ting("ask", "   "), code=2, mentions="empty")
    assert_clean_failure(ting("route", ""), code=2, mentions="empty")
    assert_clean_failure(ting("history", "show", "999"), code=2, mentions="no exchange")


def test_ask_streams_json_events_and_records_history(ting, provider):
    provider.queue_reply("巴黎是法国的首都。", chunk_size=2)
    ran = ting("ask", "--json", "--skill", "chat", "法国的首都是哪里", env=provider.env)
    assert ran.code == 0, ran.err
    events = ran.json_lines()
    assert events[0]["type"] == "progress" and events[0]["stage"] == "routed"
    deltas = [e["text"] for e in events if e["type"] == "delta"]
    assert len(deltas) > 1 and "".join(deltas) == "巴黎是法国的首都。"
    assert events[-1]["type"] == "result" and events[-1]["text"] == "巴黎是法国的首都。"
    listed = ting("history", "list", "--json").json_lines()[0]["exchanges"]
    assert len(listed) == 1
    row = listed[0]
    assert (row["input"], row["output"], row["skill"], row["origin"], row["status"]) == (
        "法国的首都是哪里",
        "巴黎是法国的首都。",
        "chat",
        "cli",
        "ok",
    )
    assert row["route_source"] == "forced" and row["timings"]["total_ms"] > 0
    found = ting("history", "search", "首都", "--json").json_lines()[0]["exchanges"]
    assert [r["id"] for r in found] == [row["id"]]
    shown = ting("history", "show", str(row["id"]), "--json").json_lines()[0]
    assert shown["output"] == "巴黎是法国的首都。"
    assert ting("history", "delete", str(row["id"])).code == 0
    assert ting("history", "search", "首都", "--json").json_lines()[0]["exchanges"] == []


def test_ask_human_output(ting, provider):
    provider.queue_reply("Hello!")
    ran = ting("ask", "--skill", "chat", "say hello", env=provider.env)
    assert ran.code == 0 and ran.out == "Hello!\n"


def test_chat_without_provider_says_what_to_set(ting):
    ran = ting("ask", "--skill", "chat", "tell me a joke")
    assert_clean_failure(ran, code=1, mentions="no language-model provider is set up")
    assert "OPENAI_API_KEY" in ran.err and "offline" in ran.err.lower()
    row = ting("history", "list", "--json").json_lines()[0]["exchanges"][0]
    assert row["status"] == "error" and "provider" in row["error"]


def test_provider_500_is_one_line_and_recorded(ting, provider):
    for _ in range(3):
        provider.queue_reply(status=500, error_message="upstream exploded")
    ran = ting("ask", "--skill", "chat", "hi", env=provider.env)
    assert_clean_failure(ran, code=1, mentions="500")
    row = ting("history", "list", "--json").json_lines()[0]["exchanges"][0]
    assert row["status"] == "error" and "500" in row["error"]


def test_broken_stream_keeps_partial_answer_in_history(ting, provider):
    provider.queue_reply("The answer is forty-two because", chunk_size=4, disconnect_after_chunks=4)
    ran = ting("ask", "--skill", "chat", "--json", "question", env=provider.env)
    assert ran.code == 1
    events = ran.json_lines()
    assert events[-1]["type"] == "error" and "partial" in events[-1]["error"]
    row = ting("history", "list", "--json").json_lines()[0]["exchanges"][0]
    assert row["output"] == "The answer i"  # what the user saw (3 chunks of 4) was kept
    assert row["status"] == "error"


def test_unknown_skill(ting):
    assert_clean_failure(ting("ask", "--skill", "nope", "x"), mentions="no skill named 'nope'")


def test_skills_lists_builtins(ting):
    skills = {s["name"] for s in ting("skills", "--json").json_lines()[0]["skills"]}
    assert "chat" in skills


def test_terminal_session_answers_typed_lines(ting, provider):
    from scripted_provider import Reply

    from assistant.router_model import is_routing_prompt

    answers = iter(["one", "two"])

    def respond(body):
        if is_routing_prompt(body["messages"][0]["content"]):
            return Reply("chat")  # the router asked the model: it is chat
        return Reply(next(answers))

    provider.responder = respond
    ran = ting(
        input="tell me a joke\n\nwhat's the capital of France\nexit\nnot read\n", env=provider.env
    )
    assert ran.code == 0, ran.err
    assert ran.out.splitlines() == ["one", "two"]
    rows = ting("history", "list", "--json").json_lines()[0]["exchanges"]
    assert [r["origin"] for r in rows] == ["typed", "typed"]
    assert [r["skill"] for r in rows] == ["chat", "chat"]


def test_doctor_reports_each_check(ting, provider):
    ran = ting("doctor", "--json", env=provider.env)
    checks = {c["name"]: c for c in ran.json_lines()[0]["checks"]}
    for name in ("data folder", "config", "database", "keyring", "api key", "provider"):
        assert name in checks
    assert checks["provider"]["status"] == "OK" and "answers" in checks["provider"]["detail"]
    assert checks["database"]["status"] == "OK"
    down = ting(
        "doctor", "--json", env={**provider.env, "OPENAI_BASE_URL": "http://127.0.0.1:9/v1"}
    )
    assert down.code == 1
    checks = {c["name"]: c for c in down.json_lines()[0]["checks"]}
    assert checks["provider"]["status"] == "FAIL" and checks["provider"]["fix"]


PLUGIN = """
from assistant.events import Result
from assistant.registry import hookimpl

class Echo:
    name = "echo"
    description = "Says it back (a third-party test plugin)."
    def run(self, request, ctx):
        yield Result(text="echo: " + request.text)
    def apply(self, action, data, ctx):
        return iter(())

@hookimpl
def ting_register_skills(register):
    register(Echo())

@hookimpl
def ting_register_commands(cli):
    import click
    @cli.command()
    def echo_version():
        click.echo("echo plugin 0.1")
"""


def test_third_party_plugin_through_entry_points(ting, tmp_path: Path):
    site = tmp_path / "site"
    (site / "ting_echo-0.1.dist-info").mkdir(parents=True)
    (site / "ting_echo.py").write_text(PLUGIN)
    (site / "ting_echo-0.1.dist-info" / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: ting-echo\nVersion: 0.1\n"
    )
    (site / "ting_echo-0.1.dist-info" / "entry_points.txt").write_text("[ting]\necho = ting_echo\n")
    broken = site / "ting_broken-0.1.dist-info"
    broken.mkdir()
    (broken / "METADATA").write_text("Metadata-Version: 2.1\nName: ting-broken\nVersion: 0.1\n")
    (broken / "entry_points.txt").write_text("[ting]\nbroken = ting_missing_module\n")
    env = {"PYTHONPATH": str(site)}
    listed = ting("skills", "--json", env=env).json_lines()[0]
    assert {
        "name": "echo",
        "description": "Says it back (a third-party test plugin).",
        "plugin": "echo",
    } in listed["skills"]
    assert "broken" in listed["plugin_errors"]  # a broken plugin is reported, not fatal
    ran = ting("ask", "--skill", "echo", "hello", env=env)
    assert ran.out == "echo: hello\n"
    assert ting("echo-version", env=env).out == "echo plugin 0.1\n"


def test_core_packages_never_import_qt():
    code = textwrap.dedent("""
        import importlib, pkgutil, sys
        import assistant, voice, skills
        for pkg in (assistant, voice, skills):
            for mod in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + "."):
                importlib.import_module(mod.name)
        from assistant.frontend.cli import _mount_extensions
        _mount_extensions()
        qt = sorted(m for m in sys.modules if m.startswith(("PySide6", "PyQt", "shiboken")))
        print(qt)
    """)
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=Path(__file__).parent.parent,
    )
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout.strip().replace("'", '"')) == []


# -- hostile input: every failure is one line, never a traceback ----------------------


def test_usage_errors_are_one_line(ting):
    for args in (
        ["route"],  # missing argument
        ["history", "show", "abc"],  # not an integer
        ["history", "list", "--limit", "0"],  # out of range
        ["diff", "apply", "x.patch", "--root2", "."],  # unknown option (plugin command)
        ["--bogus"],  # unknown top-level option
    ):
        assert_clean_failure(ting(*args), code=2)
    assert_clean_failure(ting("frobnicate"), code=2, mentions="No such command")


def test_ting_home_that_is_a_file(ting, tmp_path):
    home = tmp_path / "not-a-folder"
    home.write_text("I am a file\n")
    for args in (["ask", "hello"], ["history", "list"], ["config", "show"], ["status"]):
        ran = ting(*args, env={"TING_HOME": str(home)})
        assert_clean_failure(ran, code=1, mentions="is not a folder")
    assert home.read_text() == "I am a file\n"


def test_runtime_folder_that_is_a_file(ting, ting_home):
    (ting_home / "run").write_text("")
    assert_clean_failure(ting("status"), mentions="is not a folder")
    assert_clean_failure(ting("trigger"), mentions="is not a folder")


def test_internal_error_with_an_unwritable_log_shows_no_traceback(ting_home, capfd):
    from assistant.frontend.failures import report_internal_error

    (ting_home / "ting.log").mkdir()  # the log cannot be opened for writing
    try:
        raise RuntimeError("boom")
    except RuntimeError as exc:
        line = report_internal_error(exc)
    assert line == "internal error (RuntimeError: boom); run again with TING_DEBUG=1 for details"
    out, err = capfd.readouterr()
    assert "Traceback" not in out + err and err == ""


def test_text_that_is_not_utf8_or_has_nul_bytes(ting):
    bad = "hello \udcff world"  # what Python makes of an undecodable byte in argv
    for args in (
        ["ask", "--skill", "chat", bad],
        ["route", bad],
        ["translate", bad, "--to", "en"],
        ["history", "list", "--skill", bad],
        ["config", "set", "model", bad],
    ):
        ran = _run_bytes(ting, args)
        assert_clean_failure(ran, code=2, mentions="UTF-8")
    ran = _run_bytes(ting, ["ask", "--skill", "chat", "-"], stdin=b"hello \xff\xfe world")
    assert_clean_failure(ran, code=2, mentions="standard input is not UTF-8")
    assert_clean_failure(ting("ask", "-", input="lunch\x0035"), code=2, mentions="NUL")
    assert ting("history", "list", "--json").json_lines()[0]["exchanges"] == []


def _run_bytes(ting, args, stdin: bytes | None = None):
    """Run ting with argv holding raw bytes (os.fsencode keeps the undecodable ones)."""
    import os

    from fixtures_core import TING, Ran

    env = dict(os.environ)
    env["TING_HOME"] = os.environ["TING_HOME"]
    env["TING_NO_GUI"] = "1"
    env.pop("TING_DEBUG", None)
    proc = subprocess.run(
        [*TING, *[os.fsencode(a) for a in args]],
        input=stdin,
        capture_output=True,
        env=env,
        timeout=60,
    )
    return Ran(proc.returncode, proc.stdout.decode(), proc.stderr.decode(errors="replace"))


def test_a_megabyte_of_text_is_refused_quickly(ting):
    huge = "午饭花了三十五 " * 140_000  # about 1.1 million characters
    ran = ting("ask", "-", input=huge, timeout=60)
    assert_clean_failure(ran, code=2, mentions="too long")
    assert_clean_failure(ting("route", "-", input=huge), code=2, mentions="too long")
    assert ting("history", "list", "--json").json_lines()[0]["exchanges"] == []


def test_locked_database_is_one_line(ting, ting_home):
    assert ting("route", "hello").code == 0
    from assistant.history import HistoryStore

    HistoryStore(ting_home / "ting.db").close()  # create it
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(
                f"""
                import sqlite3, sys
                c = sqlite3.connect({str(ting_home / "ting.db")!r}, isolation_level=None)
                c.execute("begin exclusive")
                print("locked", flush=True)
                sys.stdin.read()
                """
            ),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        assert_clean_failure(ting("ask", "--skill", "chat", "hi"), mentions="locked")
        assert_clean_failure(ting("history", "delete", "1"), mentions="locked")
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)


def test_history_ids_out_of_range_are_usage_errors(ting):
    for verb in ("show", "delete"):
        ran = ting("history", verb, "99999999999999999999")
        assert_clean_failure(ran, code=2, mentions="EXCHANGE_ID")


def test_a_group_alone_shows_its_help(ting):
    ran = ting("history")
    assert ran.code == 2 and "Commands:" in ran.err and "search" in ran.err
    assert not ran.err.startswith("ting: ")


def test_kill_mid_answer_records_the_exchange_as_cancelled(ting, provider, ting_home):
    """`kill PID` while the model thinks: exit 130, the exchange kept as cancelled."""
    from fixtures_core import ROOT, TING

    provider.queue_reply("too late", delay_before_first_token=60)
    env = {**os.environ, **provider.env, "TING_HOME": str(ting_home), "TING_NO_GUI": "1"}
    proc = subprocess.Popen(
        [*TING, "ask", "--json", "--skill", "chat", "think hard"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=str(ROOT),
    )
    assert proc.stdout is not None
    for line in proc.stdout:  # wait for a heartbeat: it is waiting on the model
        event = json.loads(line)
        if event["type"] == "progress" and event.get("stage") != "routed":
            break
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    # the row is closed before the process exits (the runtime's cancel path)
    rows = ting("history", "list", "--json").json_lines()[0]["exchanges"]
    assert rows[0]["status"] == "cancelled", rows
