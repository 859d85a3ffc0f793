"""The Qt binding itself must not corrupt reference counts on the paths the app uses.

PySide6 6.12.0 returned ``True`` from ``SignalInstance.emit()`` without taking a
reference: every emit, from any thread, with any argument type, took one reference
away from ``True``, and the app aborted ("Fatal Python error: bool_dealloc") after a
few hundred emits — within minutes of talking or streaming. pyproject.toml excludes that
release; this checks the installed binding in a child process, so a bad binding fails
this test instead of aborting the whole test session.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

PROBE = textwrap.dedent(
    """
    import sys, threading
    from PySide6.QtCore import QCoreApplication, QObject, Signal

    app = QCoreApplication([])

    class Source(QObject):
        flag = Signal(bool)
        text = Signal(str)
        payload = Signal(object)

    source = Source()
    seen = []
    source.flag.connect(seen.append)
    source.text.connect(seen.append)
    source.payload.connect(seen.append)

    def refs():
        return sys.getrefcount(True), sys.getrefcount(False)

    def emit_many():
        for i in range(50):
            source.flag.emit(i % 2 == 0)
            source.text.emit("partial")
            source.payload.emit({"i": i})

    before = refs()
    emit_many()  # on the main thread: direct connections
    worker = threading.Thread(target=emit_many)
    worker.start()  # from a worker thread: queued connections
    worker.join()
    for _ in range(20):
        app.processEvents()
    seen.clear()
    after = refs()
    print(before[0] - after[0], before[1] - after[1])
    """
)


def test_signal_emit_keeps_reference_counts() -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    ran = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, env=env, timeout=120
    )
    assert ran.returncode == 0, ran.stderr[-2000:]
    lost_true, lost_false = (int(n) for n in ran.stdout.split())
    # 300 emits: a leaking binding loses ~300 references; allow a little noise.
    assert lost_true < 20 and lost_false < 20, (
        f"each Signal.emit() drops references to True/False ({lost_true}, {lost_false} lost "
        "over 300 emits): this PySide6 release aborts the app; see pyproject.toml"
    )
