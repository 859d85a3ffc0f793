"""Desktop app start-up and memory, side by side with a bare PySide6 tray app.

On a real X display with a tray host (``--display``, default ``$TING_TEST_DISPLAY`` or
``$DISPLAY``), runs interleaved, measures for ``ting app`` and for the baseline:

* launch → running: wall time from starting the process until it says it runs. Ting
  says ``READY=1`` on its ``$NOTIFY_SOCKET`` once its local socket listens (from then on
  ``ting status`` answers ``running``); the baseline prints a line from its event loop's
  first turn. Both have shown their tray icon by then;
* launch → tray icon visible: until the tray host has embedded the icon (Ting reports
  the icon's geometry over its local socket; the baseline prints it);
* CPU time the process (all its threads) had used when it said it runs: the machine's
  load moves wall times a lot and CPU time little;
* idle RSS (``VmRSS``) 2 s after the icon, before the Whisper model loads
  (``TING_NO_ASR_WARM=1``); and, in two separate runs, after the model has warmed.

Baseline: a ten-line PySide6 program that only shows a QSystemTrayIcon, so the table
shows what Ting adds on top of Qt itself.

Usage: python bench/bench_ui.py [--runs 7] [--display :90] [--out FILE] [--before TREE]
(``--before``: also start the app from another checkout, e.g. an older commit, in the
same interleaved rounds, as a third column.)
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BASELINE = r"""
import os, sys
from PySide6.QtCore import QTimer
from PySide6.QtGui import QIcon, QPixmap, QColor
from PySide6.QtWidgets import QApplication, QSystemTrayIcon
app = QApplication(sys.argv)
pixmap = QPixmap(22, 22); pixmap.fill(QColor("#3a6ea5"))
tray = QSystemTrayIcon(QIcon(pixmap)); tray.show()
def cpu_ms():
    tasks = "/proc/self/task"
    return sum(int(open(f"{tasks}/{t}/schedstat").read().split()[0]) for t in os.listdir(tasks)) / 1e6
QTimer.singleShot(0, lambda: print("running", cpu_ms(), flush=True))
def check():
    if tray.geometry().isValid() and tray.geometry().width() > 0:
        print("visible", flush=True); timer.stop()
timer = QTimer(); timer.timeout.connect(check); timer.start(5)
app.exec()
"""


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def cpu_ms(pid: int) -> float:
    """CPU time of all the process's threads so far (the scheduler's ns, not 10 ms ticks)."""
    tasks = Path(f"/proc/{pid}/task")
    return sum(int((t / "schedstat").read_text().split()[0]) for t in tasks.iterdir()) / 1e6


def wait_for(predicate: Any, timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.005)
    raise TimeoutError(what)


def ting_env(display: str, home: Path, warm: bool, notify: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(DISPLAY=display, TING_HOME=str(home), NOTIFY_SOCKET="@" + notify)
    for name in ("QT_QPA_PLATFORM", "TING_NO_GUI", "XDG_RUNTIME_DIR", "WAYLAND_DISPLAY"):
        env.pop(name, None)
    if warm:
        env.pop("TING_NO_ASR_WARM", None)
    else:
        env["TING_NO_ASR_WARM"] = "1"
    return env


def app_command(root: Path) -> list[str]:
    """How to start the app from the checkout ``root`` (before ting/, it was assistant/)."""
    package = "ting" if (root / "ting" / "__main__.py").exists() else "assistant"
    return [sys.executable, "-m", package, "app"]


def run_ting(display: str, warm: bool, model_cache: Path, root: Path = ROOT) -> dict[str, float]:
    from assistant.ipc import InstanceNotRunning, send_command

    notify = f"ting-bench-ui-{os.getpid()}-{time.monotonic_ns()}"
    ready = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    ready.bind("\0" + notify)
    with tempfile.TemporaryDirectory(prefix="ting-bench-ui-") as tmp, ready:
        home = Path(tmp)
        (home / "models").symlink_to(model_cache)  # the joined model is reused across runs
        env = ting_env(display, home, warm, notify)
        os.environ["TING_HOME"] = str(home)
        os.environ.pop("XDG_RUNTIME_DIR", None)
        started = time.monotonic()
        proc = subprocess.Popen(
            app_command(root),
            env=env,
            cwd=str(root),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

        def icon_up() -> dict[str, Any] | None:
            try:
                status = send_command("status", timeout=1.0)
            except InstanceNotRunning:
                return None
            return status if status["tray"]["geometry"] else None

        try:
            ready.settimeout(60)
            if ready.recv(64) != b"READY=1":
                raise RuntimeError("the app sent something other than READY=1")
            result = {"running_ms": (time.monotonic() - started) * 1000}
            result["cpu_ms"] = cpu_ms(proc.pid)  # before any status request adds to it
            wait_for(icon_up, 60, "tray icon")
            result["icon_ms"] = (time.monotonic() - started) * 1000
            time.sleep(2.0)  # let start-up work settle before reading idle memory
            result["rss_idle_mb"] = rss_mb(proc.pid)
            if warm:
                wait_for(
                    lambda: send_command("status")["speech_model"] in ("loaded", "failed"),
                    300,
                    "speech model",
                )
                if send_command("status")["speech_model"] != "loaded":
                    raise RuntimeError("the speech model failed to load")
                time.sleep(2.0)
                result["rss_model_mb"] = rss_mb(proc.pid)
            send_command("quit")
            proc.wait(30)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    return result


def run_baseline(display: str) -> dict[str, float]:
    env = dict(os.environ, DISPLAY=display)
    env.pop("QT_QPA_PLATFORM", None)
    started = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-c", BASELINE], env=env, stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline().split()
        if not line or line[0] != "running":
            raise RuntimeError("the baseline's event loop never ran")
        running_ms = (time.monotonic() - started) * 1000
        if proc.stdout.readline().strip() != "visible":
            raise RuntimeError("baseline tray icon never became visible")
        icon_ms = (time.monotonic() - started) * 1000
        time.sleep(2.0)
        return {
            "running_ms": running_ms,
            "icon_ms": icon_ms,
            "cpu_ms": float(line[1]),
            "rss_idle_mb": rss_mb(proc.pid),
        }
    finally:
        proc.kill()
        proc.wait()


def median(values: list[float]) -> float:
    return statistics.median(values)


def summary(values: list[float]) -> str:
    if not values:
        return "—"
    if len(values) == 1:
        return f"{values[0]:.0f}"
    return f"{median(values):.0f} ({min(values):.0f}–{max(values):.0f})"


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "?"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--warm-runs", type=int, default=2)
    parser.add_argument(
        "--display", default=os.environ.get("TING_TEST_DISPLAY") or os.environ.get("DISPLAY")
    )
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--before", type=Path, default=None, help="another checkout to start")
    args = parser.parse_args()
    if not args.display:
        sys.stderr.write("bench_ui: no X display (start Xvfb + a tray host, pass --display)\n")
        return 2
    model_cache = Path(tempfile.mkdtemp(prefix="ting-bench-models-"))
    load_before = os.getloadavg()
    baseline: list[dict[str, float]] = []
    cold: list[dict[str, float]] = []
    before: list[dict[str, float]] = []
    for _ in range(args.runs):  # interleaved, so a change in the machine's load hits all
        baseline.append(run_baseline(args.display))
        cold.append(run_ting(args.display, False, model_cache))
        if args.before is not None:
            before.append(run_ting(args.display, False, model_cache, args.before))
    warm = [run_ting(args.display, True, model_cache) for _ in range(args.warm_runs)]
    load_after = os.getloadavg()

    def col(runs: list[dict[str, float]], key: str) -> list[float]:
        return [r[key] for r in runs if key in r]

    def ratio(runs: list[dict[str, float]], key: str) -> str:
        return f"{median(col(runs, key)) / median(col(baseline, key)):.2f}×"

    rows = [
        ("launch → running (ms)", "running_ms", "≤ 2× baseline"),
        ("launch → tray icon visible (ms)", "icon_ms", "—"),
        ("CPU time used by launch → running (ms)", "cpu_ms", "—"),
        ("idle RSS, speech model not loaded (MB)", "rss_idle_mb", "≤ 120"),
    ]
    head = "| measure | bare PySide6 tray (baseline) | `ting app` | Ting ÷ baseline |"
    rule = "|---|---|---|---|"
    if before:
        head += f" `{args.before.name}` | ÷ baseline |"
        rule += "---|---|"
    lines = [head + " target |", rule + "---|"]
    for name, key, target in rows:
        line = f"| {name} | {summary(col(baseline, key))} | {summary(col(cold, key))} "
        line += f"| {ratio(cold, key)} |"
        if before:
            line += f" {summary(col(before, key))} | {ratio(before, key)} |"
        lines.append(line + f" {target} |")
    warmed = summary(col(warm, "rss_model_mb"))
    lines.append(
        f"| idle RSS, speech model warmed (MB) | — | {warmed} | — |"
        + (" — | — |" if before else "")
        + " — |"
    )
    machine = (
        f"{os.cpu_count()} CPUs ({cpu_model()}), load average "
        f"{load_before[0]:.2f} before, {load_after[0]:.2f} after; median (min–max) of "
        f"{args.runs} interleaved runs, the warmed-model row {args.warm_runs}"
    )
    table = "\n".join(lines)
    print(table)
    print(machine)
    runs = {"baseline": baseline, "ting": cold, "ting_warm": warm, "before": before}
    print(json.dumps(runs, indent=1))
    if args.out:
        args.out.write_text(table + "\n\n" + machine + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
