"""Desktop app start-up and memory, side by side with a bare PySide6 tray app.

Measures, on a real X display with a tray host (``--display``, default
``$TING_TEST_DISPLAY`` or ``$DISPLAY``):

* launch → tray icon visible: wall time from starting the process until the tray host
  has embedded the icon (the app reports the icon's on-screen geometry over its local
  socket; the baseline prints it to stdout);
* idle RSS (``VmRSS`` from /proc) once the icon is up and the app is idle, before the
  speech model loads (``TING_NO_ASR_WARM=1``), and after the model has warmed.

Baseline: a ten-line PySide6 program that only shows a QSystemTrayIcon, so the table
shows what Ting adds on top of Qt itself.

Usage: python bench/bench_ui.py [--runs 5] [--display :90] [--out bench/results_ui.md]
"""

from __future__ import annotations

import argparse
import json
import os
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
import sys, time
from PySide6.QtCore import QTimer
from PySide6.QtGui import QIcon, QPixmap, QColor
from PySide6.QtWidgets import QApplication, QSystemTrayIcon
app = QApplication(sys.argv)
pixmap = QPixmap(22, 22); pixmap.fill(QColor("#3a6ea5"))
tray = QSystemTrayIcon(QIcon(pixmap)); tray.show()
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


def wait_for(predicate: Any, timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.005)
    raise TimeoutError(what)


def ting_env(display: str, home: Path, warm: bool) -> dict[str, str]:
    env = dict(os.environ)
    env.update(DISPLAY=display, TING_HOME=str(home))
    env.pop("QT_QPA_PLATFORM", None)
    env.pop("TING_NO_GUI", None)
    env.pop("XDG_RUNTIME_DIR", None)
    if warm:
        env.pop("TING_NO_ASR_WARM", None)
    else:
        env["TING_NO_ASR_WARM"] = "1"
    return env


def run_ting(display: str, warm: bool, model_cache: Path) -> dict[str, float]:
    from assistant.ipc import InstanceNotRunning, send_command

    with tempfile.TemporaryDirectory(prefix="ting-bench-ui-") as tmp:
        home = Path(tmp)
        (home / "models").symlink_to(model_cache)  # the joined model is reused across runs
        env = ting_env(display, home, warm)
        os.environ["TING_HOME"] = str(home)
        os.environ.pop("XDG_RUNTIME_DIR", None)
        started = time.monotonic()
        proc = subprocess.Popen(
            [sys.executable, "-m", "ting"],
            env=env,
            cwd=str(ROOT),
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
            wait_for(icon_up, 60, "tray icon")
            result = {"icon_ms": (time.monotonic() - started) * 1000}
            time.sleep(2.0)  # let start-up work settle before reading idle memory
            result["rss_idle_mb"] = rss_mb(proc.pid)
            if warm:
                wait_for(
                    lambda: send_command("status")["speech_model"] in ("loaded", "failed"),
                    300,
                    "speech model",
                )
                state = send_command("status")["speech_model"]
                if state != "loaded":
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
        line = proc.stdout.readline()
        if line.strip() != "visible":
            raise RuntimeError("baseline tray icon never became visible")
        icon_ms = (time.monotonic() - started) * 1000
        time.sleep(2.0)
        return {"icon_ms": icon_ms, "rss_idle_mb": rss_mb(proc.pid)}
    finally:
        proc.kill()
        proc.wait()


def summary(values: list[float]) -> str:
    if not values:
        return "—"
    if len(values) == 1:
        return f"{values[0]:.0f}"
    return f"{statistics.median(values):.0f} ({min(values):.0f}–{max(values):.0f})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--display", default=os.environ.get("TING_TEST_DISPLAY") or os.environ.get("DISPLAY")
    )
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    if not args.display:
        sys.stderr.write("bench_ui: no X display (start Xvfb + a tray host, pass --display)\n")
        return 2
    model_cache = Path(tempfile.mkdtemp(prefix="ting-bench-models-"))
    baseline = [run_baseline(args.display) for _ in range(args.runs)]
    cold = [run_ting(args.display, warm=False, model_cache=model_cache) for _ in range(args.runs)]
    warm = [run_ting(args.display, warm=True, model_cache=model_cache) for _ in range(2)]
    rows = [
        (
            "launch → tray icon visible (ms)",
            [r["icon_ms"] for r in baseline],
            [r["icon_ms"] for r in cold],
            "≤ 500",
        ),
        (
            "idle RSS, speech model not loaded (MB)",
            [r["rss_idle_mb"] for r in baseline],
            [r["rss_idle_mb"] for r in cold],
            "≤ 120",
        ),
        ("idle RSS, speech model warmed (MB)", [], [r["rss_model_mb"] for r in warm], "—"),
    ]
    lines = [
        "| measure | bare PySide6 tray (baseline) | Ting | target |",
        "|---|---|---|---|",
    ]
    for name, base, ours, target in rows:
        lines.append(f"| {name} | {summary(base)} | {summary(ours)} | {target} |")
    table = "\n".join(lines)
    print(table)
    print(json.dumps({"baseline": baseline, "ting": cold, "ting_warm": warm}, indent=1))
    if args.out:
        args.out.write_text(table + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
