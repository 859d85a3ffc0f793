"""The history store on real SQLite files: FTS (Chinese too), migrations, crash safety."""

from __future__ import annotations

import random
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.errors import StorageError, UsageError
from assistant.history import HistoryStore, fts_query, segment


@pytest.fixture
def store(tmp_path: Path) -> HistoryStore:
    return HistoryStore(tmp_path / "h.db")


def test_segment_spaces_cjk_only():
    assert segment("昨天lunch午饭") == " 昨  天 lunch 午  饭 "
    assert segment("plain words") == "plain words"
    assert segment("iphone15 花了35") == "iphone 15  花  了 35"


@pytest.mark.parametrize(
    "query, expected",
    [
        ("午饭", '"午 饭"'),
        ("lunch", '"lunch"*'),
        ("午饭 lunch", '"午 饭" AND "lunch"*'),
        ('"quoted" AND', '"quoted"* AND "AND"*'),
        ("午饭lunch", '"午 饭 lunch"*'),
        ("NEAR(a b)", '"NEAR a"* AND "b"*'),
        ("***", ""),
        ("iPhone手机", '"iPhone 手 机"'),
        ("iphone15", '"iphone 15"*'),
        ("花了35", '"花 了 35"*'),
    ],
)
def test_fts_query_table(query, expected):
    assert fts_query(query) == expected


def test_chinese_substring_search(store: HistoryStore):
    a = store.record("昨天午饭花了三十五", "记好了：午饭 35 元", skill="bookkeeping")
    b = store.record("把这段翻成英文：明天开会", "Meeting tomorrow", skill="translation")
    store.record("今天天气怎么样", "晴", skill="chat")
    assert [e.id for e in store.search("午饭")] == [a]
    assert [e.id for e in store.search("开会")] == [b]
    assert [e.id for e in store.search("meet")] == [b]  # English prefix, found in output
    assert store.search("饭午") == []  # characters in the wrong order are not a match
    assert [e.id for e in store.search("午饭 三十五")] == [a]
    c = store.record("花了35zeppelin票", "ok")
    assert [e.id for e in store.search("zeppelin")] == [c]  # digits glued to a word
    assert [e.id for e in store.search("35")] == [c, a]  # a's output says 35 元


def test_whole_words_first_then_prefixes(store: HistoryStore):
    lunch = store.record("lunch with Li", "ok")
    lunchbox = store.record("bought a lunchbox", "ok")
    assert [e.id for e in store.search("lunch", limit=1)] == [lunch]  # exact fills the page
    assert [e.id for e in store.search("lunch")] == [lunchbox, lunch]  # then prefixes
    assert [e.id for e in store.search("lunchb")] == [lunchbox]
    café = store.record("Café Zürich receipts", "ok")
    assert [e.id for e in store.search("zuric")] == [café]  # long prefix, accents folded
    assert [e.id for e in store.search("RECEIPT")] == [café]
    assert [e.id for e in store.search("lunchbo zuric")] == []


def test_search_never_interprets_fts_syntax(store: HistoryStore):
    store.record('he said "AND" OR NOT near(', "ok")
    for q in ["AND", "OR NOT", "near(", "a*b", "col:x", "^start", 'said "AND']:
        store.search(q)  # must not raise a syntax error
    assert len(store.search('said "AND" OR')) == 1
    for q in ['"', "  ***  ", "()"]:
        with pytest.raises(UsageError):
            store.search(q)


def test_finish_updates_search_and_delete_removes(store: HistoryStore):
    row = store.start("translate this", origin="typed", skill="translation")
    assert store.search("你好") == []
    store.finish(row, status="ok", output_text="你好世界", timings={"total_ms": 12})
    got = store.get(row)
    assert got.status == "ok" and got.origin == "typed" and got.timings == {"total_ms": 12}
    assert [e.id for e in store.search("你好")] == [row]
    assert store.delete(row) is True
    assert store.search("你好") == [] and store.get(row) is None
    assert store.delete(row) is False


def test_migrations_run_once(tmp_path: Path):
    path = tmp_path / "m.db"
    HistoryStore(path).close()
    HistoryStore(path).close()
    conn = sqlite3.connect(path)
    rows = conn.execute("select owner, name from _ting_migrations").fetchall()
    assert rows == [
        ("history", "m001_exchanges"),
        ("history", "m002_long_terms"),
        ("history", "m003_owner_pid"),
        ("history", "m004_heard"),
        ("history", "m005_route"),
    ]
    assert conn.execute("pragma journal_mode").fetchone()[0] == "wal"


def test_a_store_opened_while_another_thread_writes_waits_for_it(store: HistoryStore):
    """A skill's store opened on a worker thread (the chat window's Correct button)
    while the exchange is being written must wait, not fail with "cannot start a
    transaction within a transaction"."""
    import threading

    from voice.vocabulary import VocabularyStore

    inside, release = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def write() -> None:
        with store.transaction() as conn:
            conn.execute("select 1")
            inside.set()
            release.wait(10)

    def open_vocabulary() -> None:
        try:
            VocabularyStore(store).add("燕之屋")
        except BaseException as exc:
            errors.append(exc)

    writer = threading.Thread(target=write)
    writer.start()
    assert inside.wait(10)
    opener = threading.Thread(target=open_vocabulary)
    opener.start()
    opener.join(1.0)  # long enough for the opener to reach BEGIN while the writer holds it
    release.set()
    writer.join(10)
    opener.join(10)
    assert errors == []
    assert [w.word for w in VocabularyStore(store).all_words()] == ["燕之屋"]


def test_corrupt_database_is_a_clear_error(tmp_path: Path):
    path = tmp_path / "bad.db"
    path.write_bytes(b"this is not a database at all" * 100)
    with pytest.raises(StorageError) as info:
        HistoryStore(path)
    assert "damaged" in info.value.message


def test_locked_database_is_a_clear_error(tmp_path: Path):
    path = tmp_path / "l.db"
    HistoryStore(path).close()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        store = HistoryStore(path, busy_timeout_s=0.2)
        with pytest.raises(StorageError) as info:
            store.start("x")
        assert "locked" in info.value.message
    finally:
        holder.execute("ROLLBACK")


def test_a_read_only_data_folder_is_a_clear_error(tmp_path: Path):
    """A read-only mount (root ignores file modes, so a bind mount stands in for one)."""
    import shutil

    if not shutil.which("unshare"):
        pytest.skip("no unshare here")
    HistoryStore(tmp_path / "h.db").close()
    script = (
        "import sys; from assistant.errors import StorageError\n"
        "from assistant.history import HistoryStore\n"
        "try:\n    HistoryStore(sys.argv[1]).start('x')\n"
        "except StorageError as exc:\n    print(exc.message)\n"
    )
    ran = subprocess.run(
        [
            "unshare", "-m", "sh", "-c",
            'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" || exit 77\n'
            'exec "$2" -c "$3" "$1/h.db"',
            "sh", str(tmp_path), sys.executable, script,
        ],
        capture_output=True, text=True, timeout=60, cwd=Path(__file__).parent.parent,
    )  # fmt: skip
    if ran.returncode == 77 or "Operation not permitted" in ran.stderr:
        pytest.skip("cannot make a read-only mount here")
    assert ran.stdout.strip() == f"cannot write to the folder {tmp_path}", ran.stderr


def test_a_store_opened_while_another_process_holds_the_lock_is_a_clear_error(tmp_path: Path):
    """A skill's tables made on first use, while another Ting holds the write lock past
    the busy timeout: one StorageError, not sqlite3's own exception."""
    from voice.vocabulary import VocabularyStore

    path = tmp_path / "l.db"
    store = HistoryStore(path, busy_timeout_s=0.2)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(StorageError) as info:
            VocabularyStore(store)
        assert "locked" in info.value.message
    finally:
        holder.execute("ROLLBACK")
    VocabularyStore(store).add("燕之屋")  # and once it is free, the tables are made


WRITER = r"""
import sys
from assistant.history import HistoryStore
store = HistoryStore(sys.argv[1])
i = 0
while True:
    i += 1
    row = store.start(f"午饭 {sys.argv[2]}-{i}", origin="cli", skill="chat")
    store.finish(row, status="ok", output_text=f"answer {i} " + "x" * 200)
    print(row, flush=True)
"""


def test_killed_writer_loses_nothing_it_reported(tmp_path: Path):
    """SIGKILL a writing process at random moments; every reported row survives."""
    path = tmp_path / "crash.db"
    HistoryStore(path).close()
    rng = random.Random(1234)
    reported: set[int] = set()
    for round_no in range(24):
        proc = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(path), str(round_no)],
            stdout=subprocess.PIPE,
            text=True,
            cwd=Path(__file__).parent.parent,
        )
        first = proc.stdout.readline()  # it is writing now
        assert first.strip().isdigit(), "writer did not start"
        reported.add(int(first))
        # kill it after a random number of further reports: the writer runs ahead of
        # what we read, so the kill lands at a different point of a write each round
        for _ in range(rng.randint(0, 12)):
            line = proc.stdout.readline()
            assert line.strip().isdigit(), "writer stopped"
            reported.add(int(line))
        proc.send_signal(signal.SIGKILL)
        out, _ = proc.communicate()
        reported.update(int(x) for x in out.split() if x.isdigit())
    store = HistoryStore(path)
    assert store.db.execute("pragma integrity_check").fetchone()[0] == "ok"
    present = {r["id"] for r in store.db.query("select id from exchanges where status = 'ok'")}
    assert reported <= present
    assert len(reported) >= 24
    # the search index agrees with the table for every reported row
    fts_ids = {r[0] for r in store.db.execute("select rowid from exchanges_fts")}
    assert reported <= fts_ids


STARTER = """
import sys
from assistant.history import HistoryStore
store = HistoryStore(sys.argv[1])
print(store.start("answer me slowly", origin="cli"), flush=True)
sys.stdin.read()  # stays alive, answering, until killed
"""


def test_an_exchange_whose_process_died_is_closed_as_interrupted(tmp_path: Path):
    """A process killed mid-answer (SIGKILL, power loss) must not leave 'running' forever;
    one still alive keeps its row running."""
    path = tmp_path / "orphans.db"
    proc = subprocess.Popen(
        [sys.executable, "-c", STARTER, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).parent.parent,
    )
    row_id = int(proc.stdout.readline())
    alive = HistoryStore(path)
    assert alive.get(row_id).status == "running"  # its process is still answering
    alive.close()
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    reopened = HistoryStore(path)
    row = reopened.get(row_id)
    assert row.status == "error" and row.error.startswith("interrupted")
