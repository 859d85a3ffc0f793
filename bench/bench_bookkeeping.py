"""Bookkeeping parse bench: accuracy (every field exact) and in-process latency on the
labelled table tests/data/expense_cases.jsonl, next to a naive regex-only baseline.

    python bench/bench_bookkeeping.py [--repeat 20] [--markdown bench/results_bookkeeping.md]

The baseline is what a first attempt looks like: the first Arabic number is the amount,
a currency symbol or word next to it sets the currency, the same keyword lexicon gives
the category, income if an income keyword is present, date today, item = the text with
the number removed. One entry per sentence; no Chinese numerals, no relative dates.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.errors import UsageError  # noqa: E402
from skills.bookkeeping.lexicon import best_hit, keyword_hits  # noqa: E402
from skills.bookkeeping.parser import ExpenseParser, amount_to_json  # noqa: E402

sys.path.insert(0, str(ROOT / "bench"))
import peer_amounts_score  # noqa: E402

CASES = ROOT / "tests" / "data" / "expense_cases.jsonl"
_BASE_NUMBER = re.compile(
    r"(\$|¥|€|£)?\s*(\d+(?:\.\d+)?)\s*(块|元|美元|dollars?|bucks|欧元|euros?|英镑|pounds?|日元|yen|港币)?"
)
_BASE_CURRENCY = {
    "$": "USD", "¥": "CNY", "€": "EUR", "£": "GBP", "块": "CNY", "元": "CNY", "美元": "USD",
    "dollar": "USD", "dollars": "USD", "bucks": "USD", "欧元": "EUR", "euro": "EUR",
    "euros": "EUR", "英镑": "GBP", "pound": "GBP", "pounds": "GBP", "日元": "JPY",
    "yen": "JPY", "港币": "HKD",
}  # fmt: skip


SPLITS = (
    ("dev", "dev split (the parser was built on it)"),
    ("holdout", "holdout split (written blind; 28/42 on its first run, then fixed)"),
    ("blind", "blind split (written blind; tuned on in the generalization pass)"),
    ("blind2", "blind2 split (96 spoken sentences written before the generalization pass)"),
)
# Splits whose misses are only counted, never listed: listing them would invite tuning
# on them. `--show-held-out` lists them anyway (for a final look after the last change).
HELD_OUT = {"blind2"}


def baseline_parse(text: str, today: dt.date) -> list[dict[str, Any]]:
    if not text.strip():
        raise UsageError("empty")
    m = _BASE_NUMBER.search(text)
    if not m:
        raise UsageError("no amount")
    amount = Decimal(m[2])
    if amount <= 0:
        raise UsageError("bad amount")
    currency = _BASE_CURRENCY.get(m[1] or "") or _BASE_CURRENCY.get(m[3] or "", "CNY")
    rest = (text[: m.start()] + " " + text[m.end() :]).strip()
    income = best_hit(keyword_hits(rest, "income"))
    expense = best_hit(keyword_hits(rest, "expense"))
    kind = "income" if income else "expense"
    category = income.category if income else expense.category if expense else "other"
    item = re.sub(r"\s+", " ", rest).strip(" ,，。")
    return [
        {
            "amount": amount_to_json(amount),
            "currency": currency,
            "category": category,
            "item": item,
            "date": today.isoformat(),
            "kind": kind,
        }
    ]


def evaluate(parse, cases: list[dict[str, Any]], repeat: int) -> dict[str, Any]:
    exact = 0
    field_hits = {f: 0 for f in ("amount", "currency", "category", "item", "date", "kind")}
    field_total = 0
    failures: list[str] = []
    timings: list[float] = []
    cpu: list[float] = []  # CPU time of this thread: what the parse costs without waiting
    for case in cases:
        today = dt.date.fromisoformat(case["today"])
        try:
            got: Any = parse(case["text"], today)
        except UsageError as exc:
            got = {"error": type(exc).__name__}
        if "error" in case:
            ok = isinstance(got, dict)  # any refusal counts; the unit tests check which
        else:
            ok = got == case["entries"]
            if isinstance(got, list):
                for want, have in zip(case["entries"], got, strict=False):
                    for f in field_hits:
                        field_hits[f] += want[f] == have.get(f)
            field_total += len(case["entries"])
        exact += ok
        if not ok:
            failures.append(case["text"])
        for _ in range(repeat):
            start, cpu_start = time.perf_counter(), time.thread_time()
            try:
                parse(case["text"], today)
            except UsageError:
                pass
            timings.append((time.perf_counter() - start) * 1000)
            cpu.append((time.thread_time() - cpu_start) * 1000)
    timings.sort()
    cpu.sort()
    return {
        "cases": len(cases),
        "exact": exact,
        "accuracy": exact / len(cases),
        "fields": {f: n / field_total for f, n in field_hits.items()},
        "p50_ms": statistics.median(timings),
        "p95_ms": timings[int(0.95 * (len(timings) - 1))],
        "max_ms": timings[-1],
        "cpu_p50_ms": statistics.median(cpu),
        "cpu_p95_ms": cpu[int(0.95 * (len(cpu) - 1))],
        "failures": failures,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=20, help="timed parses per case")
    ap.add_argument("--markdown", type=Path, help="write the results table here")
    ap.add_argument(
        "--show-held-out", action="store_true", help="also list the misses on the blind2 split"
    )
    args = ap.parse_args()
    cases = [json.loads(line) for line in CASES.read_text(encoding="utf-8").splitlines() if line]
    parser = ExpenseParser()
    parser.parse("预热 warm-up 午饭35", dt.date(2024, 5, 15))  # compile the patterns once

    def ours_parse(text: str, day: dt.date) -> list[dict[str, Any]]:
        return [e.to_dict() for e in parser.parse(text, day)]

    ours = evaluate(ours_parse, cases, args.repeat)
    if not args.show_held_out:
        held = {c["text"] for c in cases if c.get("split") in HELD_OUT}
        ours["failures"] = [t for t in ours["failures"] if t not in held]
    base = evaluate(baseline_parse, cases, args.repeat)
    split_rows = []
    for split, label in SPLITS:
        subset = [c for c in cases if c.get("split", "dev") == split]
        if subset:
            a, b = evaluate(ours_parse, subset, 1), evaluate(baseline_parse, subset, 1)
            split_rows.append(
                (
                    f"every field exact, {label}",
                    f"{a['exact']}/{a['cases']} ({a['accuracy']:.1%})",
                    f"{b['exact']}/{b['cases']} ({b['accuracy']:.1%})",
                )
            )
            if split in ("blind", "blind2"):
                split_rows.extend(
                    (f"field: {f}, {split} split", f"{a['fields'][f]:.1%}", f"{b['fields'][f]:.1%}")
                    for f in ("amount", "currency", "category", "item", "date", "kind")
                )
    rows = [
        ("cases", f"{ours['cases']}", f"{base['cases']}"),
        (
            "every field exact, all cases",
            f"{ours['exact']} ({ours['accuracy']:.1%})",
            f"{base['exact']} ({base['accuracy']:.1%})",
        ),
        *split_rows,
        *[
            (f"field: {f}", f"{ours['fields'][f]:.1%}", f"{base['fields'][f]:.1%}")
            for f in ours["fields"]
        ],
        ("parse p50", f"{ours['p50_ms']:.3f} ms", f"{base['p50_ms']:.3f} ms"),
        ("parse p95", f"{ours['p95_ms']:.3f} ms", f"{base['p95_ms']:.3f} ms"),
        ("parse max", f"{ours['max_ms']:.3f} ms", f"{base['max_ms']:.3f} ms"),
        ("parse CPU time p50", f"{ours['cpu_p50_ms']:.3f} ms", f"{base['cpu_p50_ms']:.3f} ms"),
        ("parse CPU time p95", f"{ours['cpu_p95_ms']:.3f} ms", f"{base['cpu_p95_ms']:.3f} ms"),
    ]
    table = ["| measure | ExpenseParser | regex baseline |", "|---|---|---|"]
    table += [f"| {a} | {b} | {c} |" for a, b, c in rows]
    machine = (
        f"{platform.python_implementation()} {platform.python_version()}, {platform.machine()}"
    )
    if hasattr(os, "getloadavg"):
        machine += f", load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    text = "\n".join(table)
    print(text)
    print(f"\n{machine}; {args.repeat} timed parses per case, in-process, after one warm-up parse")
    if ours["failures"]:
        print("ExpenseParser misses:", *ours["failures"], sep="\n  ")
    peers = peer_amounts_score.score(peer_amounts_score.load_cases(), parser)
    print("\nPeer amount cases (tests/data/peer_amounts):")
    print(peer_amounts_score.table(peers))
    if args.markdown:
        args.markdown.write_text(
            render_markdown(text, machine, args.repeat, ours, base) + render_peers(peers),
            encoding="utf-8",
        )
    return 0


def render_peers(peers: dict) -> str:
    refused = [(c, said) for c, verdict, said in peers["results"] if verdict == "refused"]
    listed = (
        "\n".join(
            f"- `{c['text']}` (expected {peer_amounts_score.expected(c)}): {said.removeprefix('refused: ')}"
            for c, said in refused
        )
        or "- none"
    )
    silent = [
        f"- `{c['text']}`: expected {peer_amounts_score.expected(c)}, got {said}"
        for c, verdict, said in peers["results"]
        if verdict in ("silent", "crash")
    ]
    return f"""
## Bookkeeping: amounts held against other projects' cases (issue 23)

`tests/data/peer_amounts/cases.jsonl`: 1882 expense sentences made from the test suites
of cn2an, chinese2digits, price-parser, money-parser and JioNLP (each Chinese numeral or
amount said as "午饭花了X块" and "刚才买东西花了X", each price as "I paid X for lunch";
how, and the licences, in `tests/data/peer_amounts/SOURCES.md`). A case is exact when the
parser gives one entry with the expected amount and currency, or refuses a case that
must be refused (rough, a range, zero, negative, more than 2 decimals, above
99,999,999.99, a currency Ting does not record, no money at all). A *silent wrong* is an
amount recorded that is not the expected one, or recorded where it must be refused.
`python bench/peer_amounts_score.py --list silent` scores it alone.

First run (main at 8a3fae4, before any change; the silent ones are listed in
`bench/peer_amounts_first_run.txt`):

| source | cases | exact | refused (miss) | silent wrong |
|---|---|---|---|---|
| JioNLP | 116 | 78 (67.2%) | 0 | 38 |
| chinese2digits | 82 | 51 (62.2%) | 7 | 24 |
| cn2an | 511 | 454 (88.8%) | 28 | 29 |
| money-parser | 95 | 51 (53.7%) | 18 | 26 |
| price-parser | 1078 | 459 (42.6%) | 135 | 484 |
| all | 1882 | 1093 (58.1%) | 188 | 601 |

Now (this run):

{peer_amounts_score.table(peers)}

Silent wrong amounts now:

{chr(10).join(silent) or "- none"}

Notes:
* The set is no longer a blind measure: the reader was changed while looking at its
  misses (a set tuned on is not a measure of what it has not seen). Its first-run figure
  above is the one taken before any change.
* 13 labels were corrected after the first run, where the converter's currency map
  lacked a spelling the peer names (euro, yen, yuan, pound, stg, CHf, SFr, AU $, US $,
  CAD$, CAN$, MOP$, NT): they had been labelled "a currency Ting does not record". The
  first-run figures above are the old code scored on the corrected labels; on the labels
  as first committed it scored 1090 exact (57.9%), 187 refused, 605 silent.
* Of the 601 first-run silent wrongs, 281 were prices in a currency Ting does not record
  (zł, руб., Kč, R$, ₪…) booked as CNY and 161 were decimal commas read as two amounts
  (`34,50 €` → 34 and 50). The other 159: a sign after the amount (`18 €`, `34.99€`) or
  another country's dollar (`A$190`, `NT$ 1,160`) booked as CNY or USD; the ones issue 23
  lists (廿二 → 2, 肆佰叁拾萬 → 430, 3千万亿日元 → 3000, 港币 before the amount ignored,
  15k左右 accepted, …); percentages and fractions read as amounts (百分之5 → 5);
  temperatures and scores read as money (三十九摄氏度, 两千分); `.75` read as 75.
* Currencies Ting records grew from 6 to 15 (TWD KRW AUD CAD SGD CHF THB NZD MOP added,
  as issue 23 asks for 新台币 and "the usual others"); every other currency named next
  to an amount is refused with its name.
* Cost: on Ting's own table the parse CPU time went from p50 0.164 ms / p95 0.396 ms
  (main at 8a3fae4) to p50 0.202 ms / p95 0.446 ms (this reader), the two benches run
  one after the other at a load average of 9-10 on 2 CPUs (CPU time of the parsing
  thread, so waiting for a CPU is not counted; re-run both on a quiet machine to confirm).
* Two cases of Ting's own table changed from an amount to a refusal, because they are
  rough amounts under the same rule: `这顿饭大概五十` (was 50) and `打车差不多四十` (was
  40).

What is refused although the peer reads a value (each a refusal the user sees, none a
guess):

{listed}
"""


def render_markdown(table: str, machine: str, repeat: int, ours: dict, base: dict) -> str:
    misses = "\n".join(f"- `{t}`" for t in ours["failures"]) or "- none"
    return f"""## Bookkeeping: parse accuracy and latency

`python bench/bench_bookkeeping.py --markdown bench/results_bookkeeping.md` on the
labelled table `tests/data/expense_cases.jsonl` (Chinese, English and mixed sentences,
several entries per sentence, refusals such as no amount or a negative amount). A case
counts only if every field of every entry is exact (amount, currency, category, item,
date, kind), or, for a refusal case, if the parser refused. Latency is in-process wall
time per `parse` call (and the CPU time of the parsing thread, which does not count time
spent waiting for a CPU on a busy machine), {repeat} timed calls per case, {machine}.

{table}

The baseline takes the first Arabic number, a currency sign or word next to it, the
same keyword lexicon, today's date, and one entry per sentence. It misses every
Chinese numeral (三十五, 一百二, 一块五), every relative date (昨天, 上周五, last Friday),
every multi-entry sentence and most items.

ExpenseParser misses on this table:

{misses}

Targets (issue 5): every field exact on ≥95% of cases; p95 ≤5 ms in-process.

Before and after the generalization pass (every field exact; the "before" column is
the parser at commit d5f6450, the "after" column is the table above):

| split | before | after |
|---|---|---|
| dev (tuned on) | 213/213 | 213/213 (two labels corrected: 这顿饭 and 冰棍 are food, not other) |
| holdout (tuned on after its first run) | 42/42 | 42/42 |
| blind (24; used for tuning in this pass, so no longer blind) | 13/24 (54.2%) | 23/24 (95.8%) |
| blind2 (96; written before the pass, measured once at the end) | 58/96 (60.4%) | 81/96 (84.4%) |
| blind2, per field: category / item | 87.5% / 73.1% | 100.0% / 85.6% |
| blind2, per field: amount, currency, date, kind | 100% each | 100% each |

Notes:
* On a shared machine the wall-clock p95 includes time spent waiting for a CPU (it
  moved between 0.6 ms and 4.5 ms across runs of the same code at load averages of
  2 to 8 on 2 CPUs); the CPU-time p95 of the parsing thread is the cost of the parse
  itself. The broader lexicon and the filler pass cost about 0.1 ms at the median
  (CPU p50 0.29 → 0.39 ms, CPU p95 0.56 → 0.82 ms).
* blind2, first run (96 sentences written before the generalization pass, scored
  once with the parser as it was, none of its misses looked at): 58/96 (60.4%) every
  field exact; per field amount 100.0%, currency 100.0%, category 87.5%, item 73.1%,
  date 100.0%, kind 100.0% (regex baseline 10/96). One of its 4 refusal cases was not
  refused: "dinner was around thirty something" was recorded as 30. Its misses are
  not listed above (`--show-held-out` lists them).
* blind2, final run: all 15 misses are the item only (amount, currency, category,
  date and kind are right on every entry, and all 4 refusals refuse). They are
  leftover words (奖金发, 健身卡续, 卖二手书赚, 聚餐每人, 红包给侄子, 室友电费出),
  a measure word after a shop (京东台显示器, 星巴克一杯拿铁, 淘宝上手机壳), context
  kept (女儿报钢琴课, 带孩子去游乐园, 机场面), 饭转账 for 小王转账, "coffee bagel" for
  "coffee 和 bagel", and "Trader Joe's" for "groceries at Trader Joe's" (an item over
  24 characters falls back to its keyword, and the new lexicon knows the shop).
* How clean blind2 is: its sentences and labels were written and committed before the
  parser's code was read, and its misses were not looked at until the final run. But
  the same person then wrote the broader lexicon, so words they remembered from it
  may be in the lexicon; the category figure (87.5% → 100%) is the one most exposed to
  that. One slip: during tuning a unit test was first written with blind2's refusal
  sentences (from memory), which showed "dinner was around thirty something" being
  accepted; the test now uses other sentences, but the rough-amount refusal came from
  that sighting, so that one blind2 case is not a clean measure. The item figure
  (73.1% → 85.6%) is the least exposed.
* What the pass changed: fillers (嗯, 呃, 那个, 帮我记一下, 记一笔, um, uh, so, okay)
  are blanked before the sentence is read; a broader lexicon of everyday items, dishes,
  fruit, shops and services (the core lexicon wins a tie); cues when no keyword
  matches (a word ending in 面/饭/鸡/…, 吃/喝, 打…车, "ate"/"rode"); "verb了 + count +
  measure" and "…的X" leave the head noun (吃了碗牛肉面 → 牛肉面, 报销的差旅费 →
  差旅费); 周末/上周末/the weekend; "gave me"/给了我 is income; "the" is dropped inside
  an English item but "and a" keeps its article; "came back", "a month", "my share"
  are dropped. New refusals: two amounts for one thing ("10 or 12 dollars",
  四十到五十, 四五十块), rough amounts ("thirty-ish", "twenty something") and two bare
  numbers in a row ("iPhone 15 5999"). An amount the rules cannot read is refused,
  never guessed.
"""


if __name__ == "__main__":
    sys.exit(main())
