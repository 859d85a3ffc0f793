"""`ting mcp serve`: start-up time and per-call latency of the read tools, at scale.

    python bench/bench_mcp.py [--entries 100000] [--history 1000000] [--calls 40]
                              [--starts 5] [--markdown bench/results_mcp.md]

Builds once (then reuses) a data folder in bench/out/mcp/ through Ting's own stores: a
ledger of 100,000 entries (``Ledger.add``, 1,000 per confirmed batch), a history of
1,000,000 exchanges (the ``HistoryStore`` schema and its own CJK segmentation and term
table, written in bulk as bench_history does), 200 meetings (``MeetingStore.save_meeting``)
and 100 interpreter sessions. Then, side by side on the same data:

* start-up: spawning ``ting mcp serve`` until the official client SDK's handshake is
  done and until the first ``tools/list`` answer; beside it ``python -c pass``, ``ting
  --version`` and the third-party ``mcp-server-time`` (same SDK) over the same path;
* per call: each read tool over one stdio session (the MCP round trip, as Claude Desktop
  pays it), the same tool called in-process (``ToolRegistry.call``: no protocol), and
  where there is one, the bare SQL the tool runs, on a plain ``sqlite3`` connection.

The protocol's overhead is the MCP column minus the in-process one. The load average is
written beside the figures: on a busy machine they are upper bounds.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

NOTES_MARK = "<!-- notes: kept when the bench rewrites this file -->"


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


# -- building the data -----------------------------------------------------------------

ITEMS = [
    ("午饭", "food"),
    ("咖啡", "food"),
    ("晚饭", "food"),
    ("打车", "transport"),
    ("地铁", "transport"),
    ("parking", "transport"),
    ("电影", "entertainment"),
    ("房租", "housing"),
    ("电费", "utilities"),
    ("机票", "travel"),
    ("book", "education"),
    ("shoes", "shopping"),
]


def build_ledger(home: Path, entries: int) -> None:
    from assistant.history import HistoryStore
    from skills.bookkeeping.ledger import Ledger
    from skills.bookkeeping.parser import ParsedEntry

    store = HistoryStore(home / "ting.db")
    ledger = Ledger(store)
    have = ledger.count()
    if have >= entries:
        store.close()
        return
    store.db.conn.execute("pragma synchronous=off")  # a bulk build, not a user's write
    rng = random.Random(7)
    start = dt.date(2024, 1, 1)
    t0 = time.perf_counter()
    for batch in range(have // 1000, entries // 1000):
        rows = []
        for _ in range(1000):
            item, category = rng.choice(ITEMS)
            currency = "CNY" if rng.random() < 0.9 else "USD"
            day = start + dt.timedelta(days=rng.randrange(0, 3 * 365))
            amount = Decimal(rng.randrange(100, 50_000)) / 100
            rows.append(ParsedEntry(amount, currency, category, item, day, "expense"))
        ledger.add(rows, key=f"bench-{batch}", utterance="bench")
        if batch % 20 == 19:
            print(
                f"  ledger {(batch + 1) * 1000:,} ({time.perf_counter() - t0:.0f} s)",
                file=sys.stderr,
            )
    store.close()


def build_history(home: Path, rows: int) -> None:
    from assistant.history import HistoryStore, segment

    sys.path.insert(0, str(ROOT / "bench"))
    from bench_history import synth

    store = HistoryStore(home / "ting.db")
    have = int(
        store.db.execute("select count(*) from exchanges where route_source = 'bench'").fetchone()[
            0
        ]
    )
    if have >= rows:
        store.close()
        return
    rng = random.Random(42)
    for done in range(have):  # the same text as a build that was not interrupted
        synth(rng, done)
    conn = store.db.conn
    conn.execute("pragma synchronous=off")
    t0 = time.perf_counter()
    batch = 50_000
    for first in range(have, rows, batch):
        conn.execute("BEGIN")
        for i in range(first, min(rows, first + batch)):
            text, out = synth(rng, i)
            cur = conn.execute(
                "insert into exchanges (created_at, origin, input_text, skill, route_source,"
                " status, output_text) values ('2026-11-01T00:00:00', 'cli', ?, 'chat', 'bench',"
                " 'ok', ?)",
                (text, out),
            )
            conn.execute(
                "insert into exchanges_fts (rowid, body) values (?, ?)",
                (cur.lastrowid, segment(text + "\n" + out)),
            )
            HistoryStore._add_terms(conn, text + " " + out)
        conn.execute("COMMIT")
        print(
            f"  history {min(rows, first + batch):,} ({time.perf_counter() - t0:.0f} s)",
            file=sys.stderr,
        )
    conn.execute("pragma optimize")
    store.close()


def build_meetings_and_sessions(home: Path, meetings: int = 200, sessions: int = 100) -> None:
    from assistant.history import HistoryStore
    from skills.meeting_notes.meeting_store import MeetingStore
    from skills.meeting_notes.notes_model import ActionItem, MeetingNotes, TranscriptLine
    from skills.meeting_notes.rendering import render_markdown
    from skills.translation.interpreter.transcript import BilingualTranscript, InterpretedSentence

    store = HistoryStore(home / "ting.db")
    notes_store = MeetingStore(store)
    if not notes_store.meetings(limit=1):
        rng = random.Random(3)
        topics = ["launch date", "budget", "hiring", "上线计划", "客户反馈", "roadmap"]
        for i in range(meetings):
            topic = topics[i % len(topics)]
            lines = [
                TranscriptLine(f"We talked about the {topic} and item {j}.", j * 6.0, j * 6.0 + 5)
                for j in range(60)
            ]
            notes = MeetingNotes(
                title=f"Weekly sync {i}: {topic}",
                language="en",
                summary=[f"The team reviewed the {topic}."],
                decisions=[f"We decided to move the {topic} by {rng.randint(1, 9)} days."],
                action_items=[ActionItem(f"follow up on the {topic}", "Ana", "Friday")],
                open_questions=[f"Is the {topic} final?"],
                transcript=lines,
                duration=360.0,
            )
            notes_store.save_meeting(
                notes,
                markdown=render_markdown(notes),
                source_path=f"meeting-{i}.txt",
                source_hash=None,
                source_kind="transcript",
                history_id=None,
            )
        for _ in range(sessions):
            t = BilingualTranscript(("zh", "en"), "microphone")
            for j in range(30):
                t.add(
                    InterpretedSentence(
                        j + 1, "zh", f"第{j}句话", j * 3.0, j * 3.0 + 2, "en", f"sentence {j}"
                    )
                )
            store.record(
                t.title(),
                t.plain_text(),
                origin="voice",
                skill="translation",
                route_source="interpreter",
                output=t.to_dict(),
            )
    store.close()


# -- measuring -------------------------------------------------------------------------


def tool_calls(home: Path, code: Path, session_id: int) -> list[tuple[str, str, dict[str, Any]]]:
    patch = "--- a/hello.py\n+++ b/hello.py\n@@ -1,2 +1,2 @@\n def hello():\n-    return 'hi'\n+    return 'hello'\n"
    return [
        (
            "ledger_query, one month, one category",
            "ledger_query",
            {"period": "2025-05", "category": "food"},
        ),
        ("ledger_query, all time (every entry summed)", "ledger_query", {}),
        ("ledger_query, words in the item", "ledger_query", {"text": "咖啡", "limit": 50}),
        ("history_search, common word (午饭)", "history_search", {"query": "午饭"}),
        ("history_search, rare word (zeppelin)", "history_search", {"query": "zeppelin"}),
        ("meeting_list", "meeting_list", {}),
        ("meeting_search_notes (launch date)", "meeting_search_notes", {"query": "launch date"}),
        ("meeting_get_notes", "meeting_get_notes", {"id": 1}),
        ("interpreter_session_list", "interpreter_session_list", {}),
        ("interpreter_session_get", "interpreter_session_get", {"id": session_id}),
        ("diff_check (a one-line patch)", "diff_check", {"patch": patch, "root": str(code)}),
    ]


def raw_sql(conn: sqlite3.Connection, name: str, args: dict[str, Any]) -> bool:
    """The bare SQL a tool runs, for the baseline column; False where there is none."""
    if name == "ledger_query":  # the tool's two statements, without the Python around them
        where, params = "deleted_at is null", []
        if args.get("period") == "2025-05":
            where += " and date between '2025-05-01' and '2025-05-31'"
        if args.get("category"):
            where += " and +category = ?"
            params.append(args["category"])
        if args.get("text"):
            where += " and (instr(lower(item), ?) > 0 or instr(lower(utterance), ?) > 0)"
            params += [args["text"], args["text"]]
        table = (
            "ledger_entries not indexed"
            if args.get("text") and not args.get("period")
            else "ledger_entries"
        )
        conn.execute(
            "select kind, category, currency, sum(amount_cents) as cents, count(*)"
            f" from {table} where {where} group by kind, category, currency"
            " order by kind, cents desc",
            params,
        ).fetchall()
        conn.execute(
            "select id, date, kind, amount_cents, currency, category, item from ledger_entries"
            f" where {where} order by date desc, id desc limit ?",
            [*params, args.get("limit", 20)],
        ).fetchall()
        return True
    if name == "history_search":
        from assistant.history import fts_query

        ids = [
            r[0]
            for r in conn.execute(
                "select rowid from exchanges_fts where exchanges_fts match ? order by rowid desc limit 10",
                [fts_query(args["query"], prefix=False)],
            )
        ]
        marks = ",".join("?" * len(ids)) or "null"
        conn.execute(f"select * from exchanges where id in ({marks})", ids).fetchall()
        return True
    if name == "meeting_list":
        conn.execute("select * from meetings order by id desc limit 20").fetchall()
        return True
    if name == "interpreter_session_list":
        conn.execute(
            "select id, output_json from exchanges where skill = 'translation' and"
            " route_source = 'interpreter' order by id desc limit 20"
        ).fetchall()
        return True
    return False


def time_calls(fn: Any, calls: int) -> list[float]:
    for _ in range(3):  # warm-up
        fn()
    out = []
    for _ in range(calls):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


def measure_calls(
    home: Path, specs: list[tuple[str, str, dict[str, Any]]], calls: int, local: Any, conn: Any
) -> tuple[dict[str, list[float]], dict[str, list[float]], dict[str, list[float] | None]]:
    """Per tool, back to back so that each sees the same load: over MCP (one stdio
    session), in-process (``local(name, args)``), and the bare SQL where there is one."""
    import anyio
    from mcp import Client, StdioServerParameters

    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "assistant", "mcp", "serve"],
        env={"TING_HOME": str(home)},
    )
    over_mcp: dict[str, list[float]] = {}
    inproc: dict[str, list[float]] = {}
    raw: dict[str, list[float] | None] = {}

    async def main() -> None:
        async with Client(params) as client:
            for label, name, args in specs:
                inproc[label] = time_calls(lambda n=name, a=args: local(n, a), calls)
                if raw_sql(conn, name, args):
                    raw[label] = time_calls(lambda n=name, a=args: raw_sql(conn, n, a), calls)
                else:
                    raw[label] = None
                for _ in range(3):
                    result = await client.call_tool(name, args)
                    assert not result.is_error, (name, result.content[0].text)
                got = []
                for _ in range(calls):
                    t = time.perf_counter()
                    await client.call_tool(name, args)
                    got.append((time.perf_counter() - t) * 1000)
                over_mcp[label] = got
                print(f"  {label}: done", file=sys.stderr)

    anyio.run(main)
    return over_mcp, inproc, raw


def start_times(params: Any, starts: int) -> tuple[list[float], list[float]]:
    import anyio
    from mcp import Client

    handshake, listed = [], []

    async def once() -> None:
        t = time.perf_counter()
        async with Client(params) as client:
            handshake.append((time.perf_counter() - t) * 1000)
            await client.list_tools()
            listed.append((time.perf_counter() - t) * 1000)

    for _ in range(starts):
        anyio.run(once)
    return handshake, listed


def process_times(argv: list[str], starts: int, env: dict[str, str]) -> list[float]:
    out = []
    for _ in range(starts):
        t = time.perf_counter()
        subprocess.run(argv, check=True, capture_output=True, env=env)
        out.append((time.perf_counter() - t) * 1000)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--entries", type=int, default=100_000)
    ap.add_argument("--history", type=int, default=1_000_000)
    ap.add_argument("--calls", type=int, default=40, help="timed calls per tool")
    ap.add_argument("--starts", type=int, default=5, help="timed server start-ups")
    ap.add_argument("--data", type=Path, default=ROOT / "bench" / "out" / "mcp")
    ap.add_argument("--markdown", type=Path, help="write the results here (bench/results_mcp.md)")
    args = ap.parse_args()

    home = args.data
    home.mkdir(parents=True, exist_ok=True)
    os.environ["TING_HOME"] = str(home)
    t0 = time.perf_counter()
    build_ledger(home, args.entries)
    build_history(home, args.history)
    build_meetings_and_sessions(home)
    print(f"data ready in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    load_before = os.getloadavg()

    from assistant.frontend.app import App
    from assistant.tool_registry import ToolContext

    app = App.from_environment()
    from skills.bookkeeping.ledger import Ledger

    n_entries = Ledger(app.history).count()
    n_history = app.history.count()
    session_id = int(
        app.history.db.execute(
            "select max(id) from exchanges where route_source = 'interpreter'"
        ).fetchone()[0]
    )
    code = Path(tempfile.mkdtemp(prefix="ting-bench-mcp-"))
    (code / "hello.py").write_text("def hello():\n    return 'hi'\n", encoding="utf-8")
    specs = tool_calls(home, code, session_id)

    ctx = ToolContext(history=app.history, settings=app.settings, origin="mcp")
    sizes = {
        label: len(json.dumps(app.tools.call(name, a, ctx), ensure_ascii=False))
        for label, name, a in specs
    }
    conn = sqlite3.connect(str(home / "ting.db"))
    over_mcp, inproc, raw = measure_calls(
        home, specs, args.calls, lambda n, a: app.tools.call(n, a, ctx), conn
    )
    conn.close()

    from mcp import StdioServerParameters

    env = dict(os.environ, TING_HOME=str(home))
    ting_params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "assistant", "mcp", "serve"],
        env={"TING_HOME": str(home)},
    )
    time_server = shutil.which("mcp-server-time") or str(
        Path(sys.executable).parent / "mcp-server-time"
    )
    time_params = StdioServerParameters(command=time_server, args=["--local-timezone", "UTC"])
    ting_hs, ting_list = start_times(ting_params, args.starts)
    time_hs, time_list = start_times(time_params, args.starts)
    bare = process_times([sys.executable, "-c", "pass"], args.starts, env)
    version = process_times([sys.executable, "-m", "assistant", "--version"], args.starts, env)
    load_after = os.getloadavg()

    machine = (
        f"CPython {platform.python_version()}, {platform.machine()}, {os.cpu_count()} CPUs, "
        f"load average {load_before[0]:.1f} before and {load_after[0]:.1f} after"
    )
    lines = [
        "## MCP server (`ting mcp serve`)",
        "",
        "`python bench/bench_mcp.py --markdown bench/results_mcp.md`: a data folder built through "
        f"Ting's own stores ({n_entries:,} ledger entries, {n_history:,} history rows, 200 "
        "meetings, 100 interpreter sessions), the official `mcp` client SDK over stdio. "
        f"{machine}.",
        "",
        f"### Start-up ({args.starts} starts, median / max ms)",
        "",
        "| what | handshake done | first tools/list answered |",
        "|---|---|---|",
        f"| `ting mcp serve` | {statistics.median(ting_hs):.0f} / {max(ting_hs):.0f} "
        f"| {statistics.median(ting_list):.0f} / {max(ting_list):.0f} |",
        f"| `mcp-server-time` (same SDK, no database) | {statistics.median(time_hs):.0f} / "
        f"{max(time_hs):.0f} | {statistics.median(time_list):.0f} / {max(time_list):.0f} |",
        f"| baseline: `ting --version` (process start, CLI import) | {statistics.median(version):.0f} / "
        f"{max(version):.0f} | |",
        f"| baseline: `python -c pass` | {statistics.median(bare):.0f} / {max(bare):.0f} | |",
        "",
        f"### Per call ({args.calls} timed calls each after 3 warm-up, ms)",
        "",
        "| tool (arguments) | result | over MCP p50 / p95 | in-process p50 / p95 | bare SQL p50 | protocol overhead p50 |",
        "|---|---|---|---|---|---|",
    ]
    all_mcp: list[float] = []
    for label, _name, _a in specs:
        m, i, r = over_mcp[label], inproc[label], raw[label]
        all_mcp += m
        raw_cell = f"{pct(r, 50):.2f}" if r else "—"
        lines.append(
            f"| {label} | {sizes[label] / 1000:.1f} kB | {pct(m, 50):.1f} / {pct(m, 95):.1f} "
            f"| {pct(i, 50):.1f} / {pct(i, 95):.1f} | {raw_cell} | {pct(m, 50) - pct(i, 50):.1f} |"
        )
    lines.append(
        f"| **every read call** | | **{pct(all_mcp, 50):.1f} / {pct(all_mcp, 95):.1f}** | | | |"
    )
    table = "\n".join(lines) + "\n"
    print(table)
    if args.markdown:
        notes = ""
        if args.markdown.exists():
            old = args.markdown.read_text(encoding="utf-8")
            if NOTES_MARK in old:
                notes = old[old.index(NOTES_MARK) :]
        args.markdown.write_text(table + "\n" + (notes or NOTES_MARK + "\n"), encoding="utf-8")
    shutil.rmtree(code, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
