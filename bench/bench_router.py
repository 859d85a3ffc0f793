"""Router benchmark: accuracy, calibration and latency, beside a keyword baseline and
beside another checkout's ``ting route`` (main, before this router) run interleaved.

    python bench/bench_router.py [--runs 30] [--baseline-ting /work/main/.venv/bin/ting]
                                 [--out bench/results_router_core.md]

Accuracy: every 5th row of every installed skill's routing examples is held out and
the router is built from the rest (the same split the test suite checks), then the
hand-written table of ``tests/test_router.py`` (in no examples file). Latency: per call
in-process (warm), the first route of a fresh process (import, read the cached
catalog, route), a catalog build (what the first route after an install or upgrade
pays), and whole ``ting route`` processes, wall and CPU time. The fresh table nobody
tuned on has its own scripts: ``bench_routing_fresh.py`` and ``bench_routing_spoken.py``.
"""

from __future__ import annotations

import argparse
import atexit
import dataclasses
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

# ------------------------------------------------------------------ keyword baseline

KEYWORDS: list[tuple[str, tuple[str, ...]]] = [
    ("translation", ("翻译", "翻成", "译成", "怎么说", "translate", "how do you say", " mean")),
    ("bookkeeping", ("记账", "记一笔", "花了", "块", "元", "spent", "paid", "expense", "$")),
    ("diff", (".py", ".js", ".ts", "rename", "refactor", "patch", "diff", "函数", "改成")),
    ("meeting_notes", ("会议", "纪要", "开会", "meeting", "minutes", "transcript", "standup")),
]


def keyword_route(text: str) -> str:
    """The naive baseline: the first skill with any keyword in the text, else chat."""
    clean = unicodedata.normalize("NFKC", text).lower()
    for skill, words in KEYWORDS:
        if any(word in clean for word in words):
            return skill
    return "chat"


# ------------------------------------------------------------------------- helpers


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def accuracy(pairs: list[tuple[str, str]], route: Callable[[str], str]) -> float:
    return sum(route(text) == skill for text, skill in pairs) / len(pairs)


def time_calls(
    texts: list[str], route: Callable[[str], object], repeat: int, clock=time.perf_counter
) -> list[float]:
    """ms per call; ``clock=time.thread_time`` counts only this thread's CPU time, which a
    loaded machine's preemptions do not inflate."""
    timings = []
    for _ in range(repeat):
        for text in texts:
            start = clock()
            route(text)
            timings.append((clock() - start) * 1000)
    return timings


def time_processes(
    commands: list[tuple[str, list[str]]], runs: int, env: dict[str, str]
) -> dict[str, tuple[list[float], list[float]]]:
    """Wall and CPU time of each command, run round-robin so that a shared machine's
    load drifts over all of them alike."""
    timings: dict[str, tuple[list[float], list[float]]] = {label: ([], []) for label, _ in commands}
    for _ in range(runs):
        for label, argv in commands:
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            subprocess.run(argv, cwd=ROOT, env=env, check=True, capture_output=True)
            wall = (time.perf_counter() - start) * 1000
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = (after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000
            timings[label][0].append(wall)
            timings[label][1].append(cpu)
    return timings


FIRST_ROUTE_SNIPPET = (
    "import time, sys\n"
    "t, c = time.perf_counter(), time.process_time()\n"
    "from assistant.router import Router\n"
    "Router().local_decision(sys.argv[1])\n"
    "print((time.perf_counter() - t) * 1000, (time.process_time() - c) * 1000)\n"
)


def held_out_split(tmp: Path):
    """Routings built from 4/5 of every skill's examples, and the held-out fifth."""
    from assistant.registry import SkillRegistry
    from assistant.router_spec import read_examples

    routings, _, _ = SkillRegistry().routings()
    train, held = [], []
    for routing in routings:
        rows = read_examples(routing.examples, routing.skill)
        kept = tmp / f"{routing.skill}.tsv"
        kept.write_text(
            "".join(f"{t}\t{r}\t{s}\n" for i, (t, r, s) in enumerate(rows) if i % 5 != 4),
            encoding="utf-8",
        )
        held += [(t, r) for i, (t, r, _) in enumerate(rows) if i % 5 == 4]
        train.append(dataclasses.replace(routing, examples=kept))
    return train, held


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30, help="whole-process runs per command")
    parser.add_argument("--repeat", type=int, default=20, help="in-process passes over texts")
    parser.add_argument("--baseline-ting", help="another checkout's ting, run side by side")
    parser.add_argument("--out", type=Path, help="write the results as markdown here")
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    # throw-away data and cache folders, never the user's
    bench_home = tempfile.mkdtemp(prefix="ting-bench-")
    atexit.register(shutil.rmtree, bench_home, ignore_errors=True)
    os.environ["TING_HOME"] = bench_home
    os.environ["TING_CACHE_DIR"] = str(Path(bench_home) / "cache")

    from test_router import CASES  # the hand-written table, in no examples file

    from assistant.router import Router
    from assistant.router_catalog import Catalog, build_state, collect_installed
    from assistant.router_rules import normalize

    train_routings, held_out = held_out_split(Path(bench_home))
    held_router = Router(Catalog(build_state(train_routings)))
    started = time.perf_counter()
    routings, files, problems = collect_installed()
    full_router = Router(Catalog(build_state(routings, source_files=files, problems=problems)))
    build_ms = (time.perf_counter() - started) * 1000

    def local_only(text: str) -> str:
        catalog = held_router.catalog
        marked, scores = catalog.signals(normalize(text))
        proba = catalog.probabilities(marked, scores)
        return max(proba, key=proba.__getitem__)

    decisions = [(held_router.route(t), s) for t, s in held_out]
    acc_rows = [
        (
            "router (rules + classifier)",
            accuracy(held_out, lambda t: held_router.route(t).skill),
            accuracy(CASES, lambda t: full_router.route(t).skill),
        ),
        ("classifier alone (rules only as its features)", accuracy(held_out, local_only), None),
        ("keyword baseline", accuracy(held_out, keyword_route), accuracy(CASES, keyword_route)),
    ]

    def share(pairs: list) -> str:
        if not pairs:
            return "-"
        right = sum(d.skill == s for d, s in pairs)
        return f"{right}/{len(pairs)} ({right / len(pairs):.1%})"

    buckets = [
        (0.0, 0.5),
        (0.5, 0.6),
        (0.6, 0.7),
        (0.7, 0.8),
        (0.8, 0.9),
        (0.9, 0.95),
        (0.95, 1.01),
    ]
    reliability = []
    for lo, hi in buckets:
        pairs = [(d, s) for d, s in decisions if lo <= d.confidence < hi]
        reliability.append((f"{lo:.2f}–{min(hi, 1.0):.2f}", len(pairs), share(pairs)))
    unsure = [(d, s) for d, s in decisions if d.to_dict()["unsure"]]
    sure = [(d, s) for d, s in decisions if not d.to_dict()["unsure"]]

    texts = [t for t, _ in held_out] + [t for t, _ in CASES]
    full_router.route("warm up")
    time_calls(texts, full_router.route, 1)
    router_ms = time_calls(texts, full_router.route, args.repeat)
    router_cpu_ms = time_calls(texts, full_router.route, args.repeat, time.thread_time)
    rules_texts = [t for t in texts if full_router.route(t).source == "rules"]
    local_texts = [t for t in texts if full_router.route(t).source == "local"]
    rules_ms = time_calls(rules_texts, full_router.route, args.repeat)
    local_ms = time_calls(local_texts, full_router.route, args.repeat)
    keyword_ms = time_calls(texts, keyword_route, args.repeat)

    env = dict(os.environ)
    for var in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "TING_MODEL"):
        env.pop(var, None)
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.null.Keyring"
    python = sys.executable
    # the first route of a process: import, read the cached catalog, compile what the
    # text needs, route (the interpreter's own start-up excluded)
    first_route_ms, first_route_cpu_ms = [], []
    for text in ("rename foo to baz in utils.py", "今天天气怎么样") * 10:
        out = subprocess.run(
            [python, "-c", FIRST_ROUTE_SNIPPET, text],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        wall, cpu = out.stdout.split()
        first_route_ms.append(float(wall))
        first_route_cpu_ms.append(float(cpu))

    proc_texts = {
        "rules decide": "rename foo to baz in utils.py",
        "classifier decides": "今天天气怎么样",
    }
    ting = shutil.which("ting", path=str(Path(python).parent)) or "ting"
    commands: list[tuple[str, list[str]]] = [
        ("python -c pass (interpreter floor)", [python, "-c", "pass"]),
    ]
    for label, text in proc_texts.items():
        commands.append((f"ting route --json, {label}", [ting, "route", text, "--json"]))
        if args.baseline_ting:
            commands.append(
                (
                    f"baseline ting route --json, {label}",
                    [args.baseline_ting, "route", text, "--json"],
                )
            )
    time_processes(commands, 1, env)  # the disk caches and the .pyc files
    process = time_processes(commands, args.runs, env)
    load_after = os.getloadavg()[0]

    lines = [
        "## Examples and latency (`bench/bench_router.py`)",
        "",
        f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average "
        f"{load_before:.1f} before and {load_after:.1f} after (a shared machine: times are "
        f"upper bounds). Held out: every 5th row of every skill's examples ({len(held_out)}), "
        f"the router built from the rest. Table: the {len(CASES)} hand-written cases of "
        "`tests/test_router.py`, in no examples file.",
        "",
        "| router | held-out examples | hand-written table |",
        "|---|---|---|",
    ]
    for name, held, table in acc_rows:
        table_cell = f"{table:.1%}" if table is not None else "-"
        lines.append(f"| {name} | {held:.1%} | {table_cell} |")
    by_rules = [(d, s) for d, s in decisions if d.source == "rules"]
    by_local = [(d, s) for d, s in decisions if d.source == "local"]
    lines += [
        "",
        f"By the step that decided: rules {share(by_rules)}, classifier {share(by_local)}. "
        f"Unsure (would ask the model): {share(unsure)}; not unsure: {share(sure)}.",
        "",
        "Reliability on the held-out examples (confidence → how often right):",
        "",
        "| confidence | rows | correct |",
        "|---|---|---|",
        *[f"| {label} | {n} | {cell} |" for label, n, cell in reliability],
        "",
        "Latency in-process (ms):",
        "",
        "| what | calls | p50 | p95 | max |",
        "|---|---|---|---|---|",
    ]
    for name, values in [
        ("route, warm, all texts", router_ms),
        ("route, warm, all texts, CPU time of the thread", router_cpu_ms),
        ("route, warm, the rules decide", rules_ms),
        ("route, warm, the classifier decides", local_ms),
        ("keyword baseline", keyword_ms),
        ("first route of a process (import, cached catalog, route)", first_route_ms),
        ("first route of a process, CPU time", first_route_cpu_ms),
    ]:
        lines.append(
            f"| {name} | {len(values)} | {percentile(values, 50):.3f} | "
            f"{percentile(values, 95):.3f} | {max(values):.3f} |"
        )
    lines.append(
        f"| catalog build (after an install or upgrade: plugins, {full_router.catalog.state['examples']}"
        f" examples, training, calibration) | 1 | {build_ms:.0f} | | |"
    )
    lines += [
        "",
        f"Whole process, one route each, interleaved, {args.runs} runs (ms; no provider, "
        "null keyring):",
        "",
        "| command | wall p50 | wall p95 | CPU p50 | CPU vs baseline |",
        "|---|---|---|---|---|",
    ]
    for label, (walls, cpus) in process.items():
        ratio = ""
        base = process.get(f"baseline {label}")
        if base is not None:
            ratio = f"{percentile(cpus, 50) / percentile(base[1], 50):.2f}x"
        lines.append(
            f"| {label} | {percentile(walls, 50):.0f} | {percentile(walls, 95):.0f} | "
            f"{percentile(cpus, 50):.0f} | {ratio} |"
        )
    report = "\n".join(lines) + "\n"
    print(report)
    if args.out:
        args.out.write_text(report, encoding="utf-8")
        print(f"written to {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
