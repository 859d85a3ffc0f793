"""History full-text search at 1,000,000 rows: Ting's FTS5 (CJK-segmented) vs a LIKE scan.

    python bench/bench_history.py [--rows 1000000] [--out bench/out/history.db]

Builds (once, then reuses) a database through the real HistoryStore schema, filled with
synthetic exchanges mixing Chinese and English, and times `HistoryStore.search` against
the naive baseline `select … where input_text like '%q%' or output_text like '%q%'
order by id desc limit 20` for rare, medium, common and absent terms. Prints a
Markdown table (p50/p95 ms per method) to paste into bench/README.md.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assistant.history import HistoryStore, segment  # noqa: E402

ZH_WORDS = [
    "午饭",
    "晚饭",
    "早餐",
    "咖啡",
    "打车",
    "地铁",
    "会议",
    "翻译",
    "明天",
    "昨天",
    "项目",
    "报告",
    "客户",
    "预算",
    "电影",
    "机票",
    "酒店",
    "工资",
    "奶茶",
    "房租",
    "周末",
    "老板",
]
EN_WORDS = [
    "lunch",
    "coffee",
    "meeting",
    "invoice",
    "translate",
    "budget",
    "report",
    "taxi",
    "flight",
    "hotel",
    "rename",
    "function",
    "parking",
    "weekend",
    "client",
    "summary",
]
RARE = ["量子纠缠", "zeppelin", "鸭血粉丝汤", "xylophone"]


def synth(rng: random.Random, i: int) -> tuple[str, str]:
    words = rng.choices(ZH_WORDS, k=rng.randint(2, 5)) + rng.choices(EN_WORDS, k=rng.randint(0, 3))
    rng.shuffle(words)
    text = "".join(w if ord(w[0]) > 127 else f" {w} " for w in words) + f"花了{rng.randint(1, 999)}"
    if i % 50_000 == 7:
        text += RARE[(i // 50_000) % len(RARE)]
    out = " ".join(rng.choices(EN_WORDS, k=rng.randint(3, 8)))
    return text, out


def build(path: Path, rows: int) -> None:
    store = HistoryStore(path)
    have = store.count()
    if have >= rows:
        store.close()
        return
    rng = random.Random(42)
    conn = store.db.conn
    conn.execute("pragma synchronous=off")
    t0 = time.perf_counter()
    batch = 50_000
    for start in range(have, rows, batch):
        conn.execute("BEGIN")
        for i in range(start, min(rows, start + batch)):
            text, out = synth(rng, i)
            cur = conn.execute(
                "insert into exchanges (created_at, origin, input_text, skill, status, output_text)"
                " values ('2026-11-01T00:00:00', 'cli', ?, 'chat', 'ok', ?)",
                (text, out),
            )
            conn.execute(
                "insert into exchanges_fts (rowid, body) values (?, ?)",
                (cur.lastrowid, segment(text + "\n" + out)),
            )
        conn.execute("COMMIT")
        print(
            f"  built {min(rows, start + batch):,} rows ({time.perf_counter() - t0:.0f} s)",
            file=sys.stderr,
        )
    conn.execute("pragma optimize")
    store.close()


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--out", type=Path, default=Path(__file__).parent / "out" / "history.db")
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    build(args.out, args.rows)
    store = HistoryStore(args.out)
    queries = {
        "common (午饭)": "午饭",
        "common (coffee)": "coffee",
        "two terms (咖啡 meeting)": "咖啡 meeting",
        "rare (鸭血粉丝汤)": "鸭血粉丝汤",
        "rare (zeppelin)": "zeppelin",
        "absent (火星基地)": "火星基地",
        "short prefix (cof)": "cof",
        "4-letter prefix (meet)": "meet",
        "long prefix, no whole word (coffe)": "coffe",
    }
    fts_all: list[float] = []
    like_all: list[float] = []
    rows_out = []
    for label, q in queries.items():
        fts_t, like_t = [], []
        for _ in range(args.repeat):
            t = time.perf_counter()
            got = store.search(q, limit=20)
            fts_t.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            terms = q.split()
            where = " and ".join("(input_text like ? or output_text like ?)" for _ in terms)
            params = [p for term in terms for p in (f"%{term}%", f"%{term}%")]
            like = store.db.execute(
                f"select id from exchanges where {where} order by id desc limit 20", params
            ).fetchall()
            like_t.append((time.perf_counter() - t) * 1000)
        fts_all += fts_t
        like_all += like_t
        rows_out.append(
            (label, len(got), len(like), statistics.median(fts_t), statistics.median(like_t))
        )
    n = store.count()
    print(f"\n{n:,} rows, {args.repeat} runs per query\n")
    print(
        "| query | hits (FTS / LIKE, limit 20) | Ting FTS5 median ms | LIKE scan median ms | speed-up |"
    )
    print("|---|---|---|---|---|")
    for label, a, b, f, lk in rows_out:
        print(f"| {label} | {a} / {b} | {f:.2f} | {lk:.1f} | {lk / f:.1f}× |")
    print(
        f"| **all queries p50 / p95** | | {pct(fts_all, 50):.2f} / {pct(fts_all, 95):.2f} "
        f"| {pct(like_all, 50):.1f} / {pct(like_all, 95):.1f} | |"
    )


if __name__ == "__main__":
    main()
