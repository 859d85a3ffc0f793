"""Partial transcripts that never hold up a finished sentence.

A partial costs a whole Whisper pass (0.6–1.5 s on two shared cores). Made on the
pipeline's own model, one still running when a sentence ends delays that sentence's
final text by up to that long (measured: source lag p95 3.3 s, most of it this). So at
real-time pace partials run here instead: on a second copy of the model whose native
threads run at the lowest CPU priority (nice 19), fed by a thread that takes only the
newest request and only when idle. The final decode, at normal priority, then takes the
CPU from a running partial instead of waiting for it to finish; a partial that finishes
after its sentence is over is dropped by the session.

The niceness is given to CTranslate2's threads by loading the model on a short-lived
thread that lowers its own priority first (threads inherit it from their creator);
this Python thread stays at normal priority, so it never holds the GIL while starved.
Where a thread's priority cannot be lowered (not Linux) partials still work, at the
same priority as the final decode.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

    from voice.asr import DecodeProfile, Transcript

LOWEST_PRIORITY = 19


@dataclass(frozen=True)
class PartialRequest:
    serial: int  # which sentence of the session (counting dropped ones) it belongs to
    sentence: int  # the index its source line will have
    audio: np.ndarray
    audio_end_s: float


def lower_this_threads_priority(niceness: int = LOWEST_PRIORITY) -> bool:
    """Give the calling thread (and threads it starts) the lowest CPU priority."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), niceness)
    except (AttributeError, OSError):
        return False
    return True


class BackgroundPartials:
    def __init__(
        self,
        recognizer: Any,
        profile: DecodeProfile,
        on_heard: Callable[[PartialRequest, Transcript], None],
        *,
        on_error: Callable[[str], None] | None = None,
    ) -> None:
        self.recognizer = recognizer
        self.profile = profile
        self.on_heard = on_heard
        self.on_error = on_error
        self.low_priority = False
        self._ready = threading.Event()
        self._wake = threading.Condition()
        self._request: PartialRequest | None = None
        self._busy = False
        self._stopped = False
        self._thread: threading.Thread | None = None

    def start(self) -> BackgroundPartials:
        self._thread = threading.Thread(target=self._run, name="ting-partials", daemon=True)
        self._thread.start()
        return self

    def wait_ready(self, timeout: float | None = None) -> bool:
        """Wait for the model to load; True once partials can be taken."""
        return self._ready.wait(timeout)

    @property
    def idle(self) -> bool:
        with self._wake:
            return self._ready.is_set() and not self._busy and self._request is None

    def submit(self, request: PartialRequest) -> bool:
        """Take ``request`` if the model is loaded and idle; False (dropped) otherwise."""
        with self._wake:
            if self._stopped or not self._ready.is_set() or self._busy or self._request:
                return False
            self._request = request
            self._wake.notify_all()
            return True

    def stop(self) -> None:
        with self._wake:
            self._stopped = True
            self._wake.notify_all()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(5.0)

    def _load(self) -> BaseException | None:
        failure: list[BaseException] = []

        def load() -> None:
            self.low_priority = lower_this_threads_priority()
            try:
                self.recognizer.load()
            except BaseException as exc:  # reported once, partials stay off
                failure.append(exc)

        loader = threading.Thread(target=load, name="ting-partials-load", daemon=True)
        loader.start()
        loader.join()
        return failure[0] if failure else None

    def _run(self) -> None:
        error = self._load()
        if error is not None:
            if self.on_error is not None:
                self.on_error(f"partial transcripts off: {error}")
            return
        self._ready.set()
        while True:
            with self._wake:
                while self._request is None and not self._stopped:
                    self._wake.wait()
                if self._stopped:
                    return
                request, self._request = self._request, None
                self._busy = True
            try:
                heard = self.recognizer.transcribe(
                    request.audio, "auto", profile=self.profile, gate=False
                )
            except Exception as exc:  # a partial is never worth stopping the session
                if self.on_error is not None:
                    self.on_error(f"partial transcripts off: {exc}")
                with self._wake:
                    self._stopped = True
                return
            finally:
                with self._wake:
                    self._busy = False
            self.on_heard(request, heard)
