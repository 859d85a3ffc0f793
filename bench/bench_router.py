"""Router benchmark: accuracy and latency, side by side with a keyword-only baseline.

    python bench/bench_router.py [--runs 30] [--out bench/results_router.md]

Accuracy: on the held-out split of ``assistant/data/router_examples.tsv`` (every 5th row,
the router trained on the other four fifths) and on the hand-written table of
``tests/test_router.py`` (which shares no sentence with the examples file).
Latency: per call in-process (warm), the first call in a process (rules compiled and
the classifier trained), and a whole ``python -c`` process that routes one text, which
is what the hotkey path pays. When ``ting route`` exists it is timed as well.
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
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


def time_calls(texts: list[str], route: Callable[[str], object], repeat: int) -> list[float]:
    timings = []
    for _ in range(repeat):
        for text in texts:
            start = time.perf_counter()
            route(text)
            timings.append((time.perf_counter() - start) * 1000)
    return timings


def time_processes(
    commands: list[tuple[str, list[str]]], runs: int, env: dict[str, str]
) -> list[tuple[str, list[float]]]:
    """Wall time of each command, run round-robin so that a shared machine's load
    drifts over all of them alike."""
    timings: dict[str, list[float]] = {label: [] for label, _ in commands}
    for _ in range(runs):
        for label, argv in commands:
            start = time.perf_counter()
            subprocess.run(argv, cwd=ROOT, env=env, check=True, capture_output=True)
            timings[label].append((time.perf_counter() - start) * 1000)
    return [(label, timings[label]) for label, _ in commands]


ROUTER_SNIPPET = (
    "import json, sys\n"
    "from assistant.router import Router\n"
    "print(json.dumps(Router().route(sys.argv[1]).to_dict(), ensure_ascii=False))\n"
)
ROUTER_NO_CACHE_SNIPPET = (
    "import json, sys\n"
    "from assistant import router\n"
    "router.trained_classifier(router.DEFAULT_EXAMPLES_PATH, disk_cache=False)\n"
    "print(json.dumps(router.Router().route(sys.argv[1]).to_dict(), ensure_ascii=False))\n"
)
BASELINE_SNIPPET = (
    "import sys, unicodedata\n"
    f"KEYWORDS = {KEYWORDS!r}\n"
    "text = unicodedata.normalize('NFKC', sys.argv[1]).lower()\n"
    "print(next((s for s, words in KEYWORDS if any(w in text for w in words)), 'chat'))\n"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30, help="whole-process runs per text")
    parser.add_argument("--repeat", type=int, default=20, help="in-process passes over texts")
    parser.add_argument("--out", type=Path, help="write the results as markdown here")
    args = parser.parse_args()
    # a throw-away data folder (the router's model cache lands there), never the user's
    bench_home = tempfile.mkdtemp(prefix="ting-bench-")
    atexit.register(shutil.rmtree, bench_home, ignore_errors=True)
    os.environ["TING_HOME"] = bench_home

    from test_router import CASES  # the hand-written table, disjoint from the examples

    from assistant import router as router_module
    from assistant.router import DEFAULT_EXAMPLES_PATH, Router, load_examples, normalize

    examples = load_examples(DEFAULT_EXAMPLES_PATH)
    train = [row for i, row in enumerate(examples) if i % 5 != 4]
    held_out = [row for i, row in enumerate(examples) if i % 5 == 4]

    held_router = Router(examples=train)
    full_router = Router().warm()

    def local_only(text: str) -> str:
        return held_router.classifier.predict(normalize(text))[0]

    decisions = [(held_router.route(t), s) for t, s in held_out]
    by_rules = [(d, s) for d, s in decisions if d.source == "rules"]
    by_local = [(d, s) for d, s in decisions if d.source == "local"]
    sure = [(d, s) for d, s in by_local if d.confidence >= held_router.threshold]
    unsure = [(d, s) for d, s in by_local if d.confidence < held_router.threshold]

    def share(pairs: list) -> str:
        if not pairs:
            return "-"
        return f"{sum(d.skill == s for d, s in pairs) / len(pairs):.1%} of {len(pairs)}"

    acc_rows = [
        (
            "router (rules + local)",
            accuracy(held_out, lambda t: held_router.route(t).skill),
            accuracy(CASES, lambda t: full_router.route(t).skill),
        ),
        ("local classifier alone", accuracy(held_out, local_only), None),
        (
            "keyword baseline",
            accuracy(held_out, keyword_route),
            accuracy(CASES, keyword_route),
        ),
    ]

    texts = [t for t, _ in held_out] + [t for t, _ in CASES]
    # warm-up, then measure
    time_calls(texts, full_router.route, 1)
    router_ms = time_calls(texts, full_router.route, args.repeat)
    rules_texts = [t for t in texts if full_router.route(t).source == "rules"]
    local_texts = [t for t in texts if full_router.route(t).source == "local"]
    rules_ms = time_calls(rules_texts, full_router.route, args.repeat)
    local_ms = time_calls(local_texts, full_router.route, args.repeat)
    keyword_ms = time_calls(texts, keyword_route, args.repeat)

    # first call in a fresh process state: compile the rules, then train the classifier
    # or load it from the disk cache
    def cold_call(disk_cache: bool) -> float:
        router_module._TRAINED.clear()
        router_module._compiled = None
        router_module._code_file = None
        start = time.perf_counter()
        router_module.trained_classifier(DEFAULT_EXAMPLES_PATH, disk_cache=disk_cache)
        Router().route("今天天气怎么样")
        return (time.perf_counter() - start) * 1000

    cold_train_ms = [cold_call(False) for _ in range(5)]
    cold_cache_ms = [cold_call(True) for _ in range(5)]

    env = dict(os.environ)
    for var in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "TING_MODEL"):
        env.pop(var, None)
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.null.Keyring"
    proc_texts = {
        "rules decide": "rename foo to baz in utils.py",
        "classifier decides": "今天天气怎么样",
    }
    python = sys.executable
    commands: list[tuple[str, list[str]]] = [
        ("python -c pass (interpreter floor)", [python, "-c", "pass"]),
        ("python -c keyword baseline", [python, "-c", BASELINE_SNIPPET, "今天天气怎么样"]),
    ]
    for label, text in proc_texts.items():
        commands.append((f"python -c router, {label}", [python, "-c", ROUTER_SNIPPET, text]))
    commands.append(
        (
            "python -c router, classifier decides, no disk cache (trains in-process)",
            [python, "-c", ROUTER_NO_CACHE_SNIPPET, "今天天气怎么样"],
        )
    )
    ting = shutil.which("ting", path=str(Path(python).parent)) or shutil.which("ting")
    ting_note = "`ting route` does not exist yet: not measured."
    if ting:
        probe = subprocess.run(
            [ting, "route", "--help"], cwd=ROOT, env=env, capture_output=True, text=True
        )
        if probe.returncode == 0:
            for label, text in proc_texts.items():
                commands.append((f"ting route --json, {label}", [ting, "route", text, "--json"]))
            ting_note = (
                "`ting route` measured with no provider configured (keyring: the null backend)."
            )
    # one untimed pass writes the disk cache and the .pyc files
    time_processes(commands, 1, env)
    process_rows = time_processes(commands, args.runs, env)

    lines = [
        "# Router benchmark",
        "",
        f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs "
        f"(load average {os.getloadavg()[0]:.2f} at the end; the machine is shared, so "
        "latencies are upper bounds). Examples: "
        f"{len(examples)} rows; held-out: every 5th row ({len(held_out)}), trained on the "
        f"rest ({len(train)}). Table: the {len(CASES)} hand-written cases of "
        "`tests/test_router.py`, none of them in the examples file.",
        "",
        "## Accuracy",
        "",
        "| router | held-out split | hand-written table |",
        "|---|---|---|",
    ]
    for name, held, table in acc_rows:
        table_cell = f"{table:.1%}" if table is not None else "-"
        lines.append(f"| {name} | {held:.1%} | {table_cell} |")
    lines += [
        "",
        "On the held-out split, by the step that decided:",
        "",
        "| step | correct |",
        "|---|---|",
        f"| rules | {share(by_rules)} |",
        f"| local, confidence >= {held_router.threshold} | {share(sure)} |",
        f"| local, confidence < {held_router.threshold} (would ask the model) | {share(unsure)} |",
        "",
        "## Latency in-process (ms per call, warm)",
        "",
        "| what | calls | p50 | p95 | max |",
        "|---|---|---|---|---|",
    ]
    for name, values in [
        ("router, all texts", router_ms),
        ("router, texts the rules decide", rules_ms),
        ("router, texts the classifier decides", local_ms),
        ("keyword baseline", keyword_ms),
        ("first call: compile rules + train classifier", cold_train_ms),
        ("first call: compile rules + load cached classifier", cold_cache_ms),
    ]:
        lines.append(
            f"| {name} | {len(values)} | {percentile(values, 50):.3f} | "
            f"{percentile(values, 95):.3f} | {max(values):.3f} |"
        )
    lines += [
        "",
        "## Whole process (ms, one route per process)",
        "",
        "| command | runs | p50 | p95 |",
        "|---|---|---|---|",
    ]
    for name, values in process_rows:
        lines.append(
            f"| {name} | {len(values)} | {percentile(values, 50):.1f} | "
            f"{percentile(values, 95):.1f} |"
        )
    lines += [
        "",
        ting_note,
        "",
        "## Reading the figures",
        "",
        "* The examples file, the hand-written table and the rules come from the same "
        "hand, so both accuracies measure agreement with one person's labelling of "
        "made-up requests, not accuracy on real users' speech. Labelling a few hundred real "
        "transcripts (ASR output, with its errors) is the honest next measurement.",
        "* The keyword baseline is what a first attempt looks like: first matching keyword "
        "wins, else chat. It loses most on look-alikes and on chat about a skill's topic.",
        "* The rows marked 'would ask the model' are what a configured provider sees; "
        "without one, those local answers stand.",
        "* Whole-process rows include the interpreter start-up (first row). The router's own "
        "share is the difference: importing the module, compiling the rules, and (only "
        "when the rules do not decide) loading or training the classifier. `ting route` "
        "adds the CLI's own start-up on top of that.",
        "",
    ]
    report = "\n".join(lines)
    print(report)
    if args.out:
        args.out.write_text(report, encoding="utf-8")
        print(f"written to {args.out}", file=sys.stderr)
    print(json.dumps({"held_out_accuracy": acc_rows[0][1]}), file=sys.stderr)


if __name__ == "__main__":
    main()
