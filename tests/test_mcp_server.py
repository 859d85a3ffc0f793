"""`ting mcp serve` as another assistant sees it: the official `mcp` client SDK starts it as
a subprocess over stdio, lists its tools and resources and calls them, on a database made
by Ting's own commands."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client, StdioServerParameters
from mcp.shared.exceptions import MCPError

ROOT = Path(__file__).resolve().parent.parent
READ_TOOLS = {
    "diff_check",
    "history_search",
    "interpreter_session_get",
    "interpreter_session_list",
    "ledger_query",
    "meeting_get_notes",
    "meeting_list",
    "meeting_search_notes",
}
WRITE_TOOLS = {"diff_apply_patch", "ledger_add_entries", "ledger_propose_entries"}

ZH_MEETING = (
    "[00:00] 张伟：今天我们讨论新版本的上线计划。\n"
    "[00:06] 李娜：新版本的上线计划需要先完成测试。\n"
    "[00:12] 张伟：我来整理会议纪要，下周五前发给大家。\n"
    "[00:18] 李娜：我们决定下个月上线。\n"
)
EN_MEETING = (
    "1\n00:00:01,000 --> 00:00:04,000\nLet's settle the launch date today.\n\n"
    "2\n00:00:05,000 --> 00:00:08,000\nWe decided to move the launch date to June 3.\n\n"
    "3\n00:00:09,000 --> 00:00:12,000\nI'll send the release notes by Friday.\n"
)
PATCH = "--- a/hello.py\n+++ b/hello.py\n@@ -1,2 +1,2 @@\n def hello():\n-    return 'hi'\n+    return 'hello'\n"


def run_ting(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    # no provider: the notes are extractive and titled from the transcript (with auto,
    # the built-in model would be joined into this folder and started for the titles)
    env = dict(os.environ, TING_HOME=str(home), TING_NO_GUI="1", TING_PROVIDER="remote")
    for key in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "TING_MODEL"):
        env.pop(key, None)
    ran = subprocess.run(
        [sys.executable, "-m", "assistant", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=str(ROOT),
        timeout=120,
    )
    assert ran.returncode == 0, (args, ran.stderr)
    return ran


def add_interpreter_session(home: Path) -> int:
    """A saved interpreter session, through the recorder `ting interpret` saves with (the
    command itself needs a Whisper run over audio, which the interpreter's tests do)."""
    code = (
        "from assistant.history import HistoryStore\n"
        "from assistant.paths import database_path\n"
        "from skills.translation.interpreter.pipeline import SessionRecorder\n"
        "from skills.translation.interpreter.transcript import BilingualTranscript, InterpretedSentence\n"
        "t = BilingualTranscript(('zh', 'en'), 'microphone')\n"
        "t.add(InterpretedSentence(1, 'zh', '我们下周三见面', 0.0, 1.8, 'en', 'We meet next Wednesday'))\n"
        "t.add(InterpretedSentence(2, 'en', 'Sounds good', 2.5, 3.4, 'zh', '听起来不错'))\n"
        "r = SessionRecorder(HistoryStore(database_path()), t, 'voice')\n"
        "r.save('ok')\n"
        "print(r.exchange_id)\n"
    )
    env = dict(os.environ, TING_HOME=str(home))
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=str(ROOT)
    )
    assert out.returncode == 0, out.stderr
    return int(out.stdout.strip())


@pytest.fixture(scope="module")
def made_by_ting(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A data folder filled by Ting's own commands, built once for this module."""
    base = tmp_path_factory.mktemp("mcp-data")
    home = base / "home"
    home.mkdir()
    run_ting(home, "expense", "add", "--yes", "--today", "2026-05-20", "昨天午饭花了三十五块")
    run_ting(home, "expense", "add", "--yes", "--today", "2026-04-15", "晚饭花了八十")
    run_ting(home, "expense", "add", "--yes", "--today", "2026-05-02", "paid $12.50 for parking")
    run_ting(home, "expense", "add", "--yes", "--today", "2026-05-25", "发工资了 一万二")
    (base / "weekly.txt").write_text(ZH_MEETING, encoding="utf-8")
    (base / "launch.srt").write_text(EN_MEETING, encoding="utf-8")
    run_ting(home, "meeting", "notes", str(base / "weekly.txt"))
    run_ting(home, "meeting", "notes", str(base / "launch.srt"))
    session = add_interpreter_session(home)
    code = base / "code"
    code.mkdir()
    (code / "hello.py").write_text("def hello():\n    return 'hi'\n", encoding="utf-8")
    return {"home": home, "code": code, "session": session}


@pytest.fixture
def fresh(made_by_ting, tmp_path) -> dict[str, Any]:
    """A copy of the module's data, for a test that writes."""
    home = tmp_path / "home"
    code = tmp_path / "code"
    shutil.copytree(made_by_ting["home"], home)
    shutil.copytree(made_by_ting["code"], code)
    return {**made_by_ting, "home": home, "code": code}


def server_params(
    home: Path, *extra: str, env: dict[str, str] | None = None
) -> StdioServerParameters:
    return StdioServerParameters(
        command=sys.executable,
        args=["-m", "assistant", "mcp", "serve", *extra],
        env={"TING_HOME": str(home), **(env or {})},
        cwd=str(ROOT),
    )


def with_client(params: StdioServerParameters, body: Any, mode: str = "auto") -> Any:
    async def main() -> Any:
        async with Client(params, mode=mode) as client:
            return await body(client)

    return anyio.run(main)


def payload(result: Any) -> dict[str, Any]:
    assert not result.is_error, result.content[0].text
    data = json.loads(result.content[0].text)
    assert result.structured_content == data  # the same result, as text and as structure
    return data


def test_read_tools_listed_and_each_answers_from_the_data(made_by_ting):
    home, code = made_by_ting["home"], made_by_ting["code"]
    before = (code / "hello.py").read_text()

    async def body(client: Client) -> dict[str, Any]:
        listed = (await client.list_tools()).tools
        out: dict[str, Any] = {"tools": {t.name: t for t in listed}}
        calls = {
            "may": ("ledger_query", {"period": "2026-05", "kind": "expense"}),
            "april_food": ("ledger_query", {"period": "2026-04", "category": "food"}),
            "parking": ("ledger_query", {"text": "parking"}),
            "history": ("history_search", {"query": "午饭"}),
            "meetings": ("meeting_list", {}),
            "search": ("meeting_search_notes", {"query": "launch date"}),
            "sessions": ("interpreter_session_list", {}),
            "session": ("interpreter_session_get", {"id": made_by_ting["session"]}),
            "check": ("diff_check", {"patch": PATCH, "root": str(code)}),
        }
        for key, (name, args) in calls.items():
            out[key] = payload(await client.call_tool(name, args))
        first = out["meetings"]["meetings"][-1]["id"]
        out["notes"] = payload(await client.call_tool("meeting_get_notes", {"id": first}))
        return out

    got = with_client(server_params(home), body)
    tools = got["tools"]
    assert set(tools) == READ_TOOLS  # no write tool without --allow-writes
    for tool in tools.values():
        assert tool.description and tool.input_schema["type"] == "object"
        assert tool.annotations.read_only_hint is True
        assert tool.annotations.destructive_hint is False
    assert tools["ledger_query"].input_schema["properties"]["kind"]["enum"] == [
        "expense",
        "income",
        "all",
    ]

    may = got["may"]
    assert may["period"] == {"start": "2026-05-01", "end": "2026-05-31", "label": "2026-05"}
    assert {(t["currency"], t["amount"], t["count"]) for t in may["totals"]} == {
        ("CNY", 35, 1),
        ("USD", 12.5, 1),
    }
    assert [(r["date"], r["item"]) for r in may["rows"]] == [
        ("2026-05-19", "午饭"),
        ("2026-05-02", "parking"),
    ]
    assert got["april_food"]["totals"] == [
        {"kind": "expense", "currency": "CNY", "amount": 80, "count": 1}
    ]
    assert [r["currency"] for r in got["parking"]["rows"]] == ["USD"]

    assert got["history"]["count"] >= 1
    assert any("午饭" in (e["input"] or "") for e in got["history"]["exchanges"])

    titles = [m["title"] for m in got["meetings"]["meetings"]]
    assert titles == ["Meeting notes: launch", "会议纪要：weekly"]
    hits = got["search"]["meetings"]
    assert [m["title"] for m in hits] == ["Meeting notes: launch"]
    assert hits[0]["matches"][0] == {
        "section": "decisions",
        "text": "We decided to move the launch date to June 3.",
    }
    notes = got["notes"]
    assert notes["decisions"] == ["我们决定下个月上线。"]
    assert notes["action_items"][0]["owner"] == "张伟"

    assert got["sessions"]["sessions"][0]["sentences"] == 2
    sentences = got["session"]["sentences"]
    assert [(s["text"], s["translation"]) for s in sentences] == [
        ("我们下周三见面", "We meet next Wednesday"),
        ("Sounds good", "听起来不错"),
    ]

    check = got["check"]
    assert check["check"] is True and check["written"] is False
    assert check["files"][0]["status"] == "modified"
    assert "+    return 'hello'" in check["preview"]
    assert (code / "hello.py").read_text() == before  # a dry run writes nothing


def test_meeting_notes_are_resources(made_by_ting):
    async def body(client: Client) -> Any:
        listed = (await client.list_resources()).resources
        templates = (await client.list_resource_templates()).resource_templates
        first = await client.read_resource(listed[-1].uri)
        try:
            await client.read_resource("ting://meetings/999")
        except MCPError as exc:
            missing = exc.message
        else:
            missing = None
        return listed, templates, first, missing

    listed, templates, first, missing = with_client(server_params(made_by_ting["home"]), body)
    assert [(r.uri, r.mime_type) for r in listed] == [
        ("ting://meetings/2", "text/markdown"),
        ("ting://meetings/1", "text/markdown"),
    ]
    assert templates[0].uri_template == "ting://meetings/{id}"
    text = first.contents[0].text
    assert text.startswith("# 会议纪要：weekly\n") and "我们决定下个月上线。" in text
    assert missing and "no meeting with id 999" in missing


def test_bad_input_is_a_clear_error_and_the_server_goes_on(made_by_ting):
    async def body(client: Client) -> dict[str, Any]:
        out: dict[str, Any] = {}
        try:
            await client.call_tool("no_such_tool", {})
        except MCPError as exc:
            out["unknown"] = (exc.code, exc.message)
        try:
            await client.call_tool("ledger_add_entries", {"entries": []})
        except MCPError as exc:
            out["write_without_flag"] = exc.message
        for key, name, args in [
            ("bad_type", "ledger_query", {"limit": "many"}),
            ("extra_key", "ledger_query", {"colour": "red"}),
            ("missing", "history_search", {}),
            ("bad_period", "ledger_query", {"period": "whenever"}),
            ("no_meeting", "meeting_get_notes", {"id": 999}),
            ("not_a_session", "interpreter_session_get", {"id": 1}),
            ("bad_patch", "diff_check", {"patch": "not a patch", "root": "/tmp"}),
            ("relative_root", "diff_check", {"patch": PATCH, "root": "code"}),
            (
                "escape",
                "diff_check",
                {"patch": PATCH.replace("hello.py", "../x.py"), "root": "/tmp"},
            ),
        ]:
            result = await client.call_tool(name, args)
            out[key] = (result.is_error, result.content[0].text)
        out["still_fine"] = payload(await client.call_tool("meeting_list", {"limit": 1}))
        return out

    got = with_client(server_params(made_by_ting["home"]), body)
    assert got["unknown"] == (-32602, "Unknown tool: no_such_tool")
    assert "need `ting mcp serve --allow-writes`" in got["write_without_flag"]
    expected = {
        "bad_type": "invalid arguments for ledger_query at limit: 'many' is not of type 'integer'",
        "extra_key": "invalid arguments for ledger_query: Additional properties are not allowed",
        "missing": "invalid arguments for history_search: 'query' is a required property",
        "bad_period": "period 'whenever' is not understood",
        "no_meeting": "no meeting with id 999",
        "not_a_session": "no interpreter session with id 1",
        "bad_patch": "no patch found",
        "relative_root": "root must be an absolute path",
        "escape": "contains '..'",
    }
    for key, wanted in expected.items():
        is_error, text = got[key]
        assert is_error, key
        assert wanted in text, (key, text)
        assert "\n" not in text and "Traceback" not in text
    assert len(got["still_fine"]["meetings"]) == 1


def test_write_tools_only_with_allow_writes_and_recorded_with_origin_mcp(fresh):
    home, code = fresh["home"], fresh["code"]

    async def body(client: Client) -> dict[str, Any]:
        tools = {t.name: t for t in (await client.list_tools()).tools}
        proposed = payload(
            await client.call_tool("ledger_propose_entries", {"text": "打车花了四十二"})
        )
        args = {
            "entries": proposed["entries"],
            "utterance": "打车花了四十二",
            "confirmation_id": proposed["confirmation_id"],
        }
        added = payload(await client.call_tool("ledger_add_entries", args))
        again = payload(await client.call_tool("ledger_add_entries", args))
        applied = payload(
            await client.call_tool("diff_apply_patch", {"patch": PATCH, "root": str(code)})
        )
        refused = await client.call_tool(
            "ledger_add_entries",
            {
                "entries": [
                    {
                        "amount": 5,
                        "currency": "XXX",
                        "category": "food",
                        "date": "2026-05-01",
                        "kind": "expense",
                    }
                ]
            },
        )
        return {
            "tools": tools,
            "proposed": proposed,
            "added": added,
            "again": again,
            "applied": applied,
            "refused": (refused.is_error, refused.content[0].text),
        }

    got = with_client(server_params(home, "--allow-writes"), body, mode="legacy")
    tools = got["tools"]
    assert set(tools) == READ_TOOLS | WRITE_TOOLS
    for name in ("ledger_add_entries", "diff_apply_patch"):
        hints = tools[name].annotations
        assert (hints.read_only_hint, hints.destructive_hint) == (False, True), name
    assert tools["ledger_propose_entries"].annotations.read_only_hint is False
    assert got["proposed"]["written"] is False
    assert got["proposed"]["entries"][0]["amount"] == 42
    assert got["added"]["written"] is True and len(got["added"]["entry_ids"]) == 1
    assert got["again"]["already_recorded"] is True  # the same confirmation is written once
    assert got["applied"]["written"] is True and got["applied"]["check"] is False
    assert (code / "hello.py").read_text() == "def hello():\n    return 'hello'\n"
    assert got["refused"][0] and "at entries/0/currency: 'XXX' is not one of" in got["refused"][1]

    listed = json.loads(run_ting(home, "expense", "list", "--json").stdout)
    assert [e["amount"] for e in listed["entries"] if e["category"] == "transport"] == [12.5, 42]
    history = json.loads(run_ting(home, "history", "list", "--json", "-n", "10").stdout)
    by_mcp = [e for e in history["exchanges"] if e["origin"] == "mcp"]
    assert [(e["input"], e["status"]) for e in reversed(by_mcp)] == [
        ("[confirmed] bookkeeping: add_entries", "ok"),
        ("[confirmed] bookkeeping: add_entries", "ok"),
        ("[confirmed] diff: apply_patch", "ok"),
    ]  # the refused entry never reached the ledger, nor the history


def test_a_third_party_plugin_adds_a_tool_the_way_it_adds_a_skill(made_by_ting, tmp_path):
    """A plugin installed as a distribution with a `ting` entry point: its tool is served."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "ting_weather_plugin.py").write_text(
        "from assistant.registry import hookimpl\n"
        "from assistant.tool_registry import ToolSpec\n\n"
        "def forecast(args, ctx):\n"
        "    return {'city': args['city'], 'sky': 'clear'}\n\n"
        "@hookimpl\n"
        "def ting_register_tools(register):\n"
        "    register(ToolSpec(name='weather_forecast', description='Tomorrow\\'s sky.',\n"
        "        input_schema={'type': 'object', 'properties': {'city': {'type': 'string'}},\n"
        "                      'required': ['city']}, function=forecast))\n",
        encoding="utf-8",
    )
    dist = site / "ting_weather_plugin-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: ting-weather-plugin\nVersion: 1.0\n", encoding="utf-8"
    )
    (dist / "entry_points.txt").write_text(
        "[ting]\nweather = ting_weather_plugin\n", encoding="utf-8"
    )

    async def body(client: Client) -> Any:
        names = {t.name for t in (await client.list_tools()).tools}
        return names, payload(await client.call_tool("weather_forecast", {"city": "Hangzhou"}))

    params = server_params(made_by_ting["home"], env={"PYTHONPATH": str(site)})
    names, result = with_client(params, body)
    assert "weather_forecast" in names and names >= READ_TOOLS
    assert result == {"city": "Hangzhou", "sky": "clear"}


def test_serve_on_a_damaged_database_is_one_clear_line(tmp_path, ting_home):
    (ting_home / "ting.db").write_bytes(b"this is not a database" * 100)
    env = dict(os.environ, TING_HOME=str(ting_home))
    ran = subprocess.run(
        [sys.executable, "-m", "assistant", "mcp", "serve"],
        input="",
        capture_output=True,
        text=True,
        env=env,
        cwd=str(ROOT),
        timeout=60,
    )
    assert ran.returncode != 0 and ran.stdout == ""
    lines = ran.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("ting: ") and "damaged" in lines[0]


def test_streamable_http_on_loopback(made_by_ting):
    import socket

    from fixtures_core import read_within

    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))
    holder.listen()
    port = holder.getsockname()[1]
    env = dict(os.environ, TING_HOME=str(made_by_ting["home"]))
    busy = subprocess.run(
        [sys.executable, "-m", "assistant", "mcp", "serve", "--http", str(port)],
        capture_output=True,
        text=True,
        env=env,
        cwd=str(ROOT),
        timeout=60,
    )
    assert busy.returncode == 2
    assert busy.stderr.strip() == f"ting: cannot serve on 127.0.0.1:{port}: Address already in use"
    holder.close()

    proc = subprocess.Popen(
        [sys.executable, "-m", "assistant", "mcp", "serve", "--http", str(port)],
        env=env,
        cwd=str(ROOT),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        # said once the port listens: a connection from then on waits for uvicorn
        said = read_within(proc.stderr.readline, 60)
        assert said == f"ting: serving MCP on http://127.0.0.1:{port}/mcp\n"

        async def main() -> Any:
            async with Client(f"http://127.0.0.1:{port}/mcp") as client:
                names = {t.name for t in (await client.list_tools()).tools}
                return names, payload(await client.call_tool("meeting_list", {"limit": 1}))

        names, meetings = anyio.run(main)
        assert names == READ_TOOLS and len(meetings["meetings"]) == 1
    finally:
        proc.terminate()
        proc.wait(timeout=30)
