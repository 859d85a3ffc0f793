"""Work off the GUI thread: tasks that run in a QThreadPool and report through signals.

Widgets never do I/O. They hand a blocking callable to a ``TaskRunner`` and connect to
the task's signals, which Qt delivers on the GUI thread (the signal objects live there,
so emits from a pool thread are queued):

* ``EventStreamTask`` drives one of the runtime's event generators
  (``runtime.run`` / ``runtime.confirm``) and emits every event as it comes; its
  ``cancel()`` may be called from the GUI thread at any time and sets the task's
  ``CancelToken`` (the provider stream is closed, the skill raises ``Cancelled``).
* ``CallTask`` runs one function (a history query, a settings write, a connection test)
  and emits its return value or a one-line error.

Three pools: ``database_pool`` has a single thread and runs everything that writes the
database (every runtime run and confirm records the exchange), so one thread owns the
writes; ``io_pool`` runs the short rest (reads, network checks, model loading, opening
the microphone); ``session_pool`` runs what lasts as long as the user wants (a live
interpreter session, a meeting recording), so those never starve the other two.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable, Iterator
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from assistant.errors import TingError
from assistant.events import Event, Failed
from assistant.skill import CancelToken

log = logging.getLogger("ting.ui")

EventSource = Callable[[CancelToken], Iterator[Event]]


class _FunctionRunnable(QRunnable):
    """The pool's part of a task: deleted by the pool once ``run`` returns."""

    def __init__(self, body: Callable[[], None]) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._body = body

    def run(self) -> None:
        self._body()


class EventStreamSignals(QObject):
    event = Signal(object)  # one assistant.events event
    finished = Signal()  # always last, after the final event or a crash


class EventStreamTask:
    """Runs ``source(cancel_token)`` on a pool thread and forwards each event it yields.

    The handle (signals, cancel token) stays in Python; the QRunnable that carries it
    into the pool is the pool's to delete, so no thread ever holds a freed object.
    """

    def __init__(self, source: EventSource, description: str = "") -> None:
        self.source = source
        self.description = description
        self.cancel_token = CancelToken()
        self.signals = EventStreamSignals()

    def runnable(self) -> QRunnable:
        return _FunctionRunnable(self.run)

    def cancel(self) -> None:
        self.cancel_token.cancel()

    @property
    def cancelled(self) -> bool:
        return self.cancel_token.cancelled

    def run(self) -> None:
        signals = self.signals
        try:
            for event in self.source(self.cancel_token):
                signals.event.emit(event)
        except TingError as exc:
            # raised before the runtime's recorder took over (e.g. an empty request)
            signals.event.emit(Failed(exc.user_message(), kind=type(exc).__name__))
        except Exception as exc:  # a bug: say so in one line, keep the details in the log
            log.error("task %r crashed:\n%s", self.description, traceback.format_exc())
            signals.event.emit(
                Failed(f"internal error ({type(exc).__name__}: {exc})", kind="internal")
            )
        finally:
            signals.finished.emit()


class CallSignals(QObject):
    succeeded = Signal(object)
    failed = Signal(str)
    finished = Signal()


class CallTask:
    """Runs ``function()`` once; emits its result, or its error as one line for a person."""

    def __init__(self, function: Callable[[], Any], description: str = "") -> None:
        self.function = function
        self.description = description
        self.signals = CallSignals()

    def runnable(self) -> QRunnable:
        return _FunctionRunnable(self.run)

    def run(self) -> None:
        signals = self.signals
        try:
            result = self.function()
        except TingError as exc:
            signals.failed.emit(exc.user_message())
        except Exception as exc:
            log.error("task %r crashed:\n%s", self.description, traceback.format_exc())
            signals.failed.emit(f"internal error ({type(exc).__name__}: {exc})")
        else:
            signals.succeeded.emit(result)
        finally:
            signals.finished.emit()


class TaskRunner(QObject):
    """Owns the thread pools and keeps every running task alive until it finishes."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.database_pool = QThreadPool(self)
        self.database_pool.setMaxThreadCount(1)
        self.io_pool = QThreadPool(self)
        self.io_pool.setMaxThreadCount(2)
        self.session_pool = QThreadPool(self)
        self.session_pool.setMaxThreadCount(4)
        self._running: set[EventStreamTask | CallTask] = set()

    def stream(
        self,
        source: EventSource,
        description: str = "",
        *,
        on_event: Callable[[Event], Any] | None = None,
        on_finished: Callable[[], Any] | None = None,
        writes: bool = True,
    ) -> EventStreamTask:
        """Start an event stream: on the database pool when it ``writes`` (every runtime
        run and confirm records the exchange), else on the I/O pool.

        Callbacks are connected before the task starts: a fast task cannot finish
        before anyone listens.
        """
        task = EventStreamTask(source, description)
        if on_event is not None:
            task.signals.event.connect(on_event)
        if on_finished is not None:
            task.signals.finished.connect(on_finished)
        self._keep_until_finished(task, task.signals.finished)
        (self.database_pool if writes else self.io_pool).start(task.runnable())
        return task

    def call(
        self,
        function: Callable[[], Any],
        description: str = "",
        *,
        on_success: Callable[[Any], Any] | None = None,
        on_failure: Callable[[str], Any] | None = None,
        writes: bool = False,
        long_running: bool = False,
    ) -> CallTask:
        """Start ``function`` on the I/O pool (the database pool when it ``writes``, the
        session pool when it is ``long_running``)."""
        task = CallTask(function, description)
        if on_success is not None:
            task.signals.succeeded.connect(on_success)
        if on_failure is not None:
            task.signals.failed.connect(on_failure)
        self._keep_until_finished(task, task.signals.finished)
        if long_running:
            pool = self.session_pool
        else:
            pool = self.database_pool if writes else self.io_pool
        pool.start(task.runnable())
        return task

    def _keep_until_finished(self, task: EventStreamTask | CallTask, finished: Any) -> None:
        self._running.add(task)
        finished.connect(lambda: self._running.discard(task))

    @property
    def busy(self) -> bool:
        return bool(self._running)

    def cancel_all(self) -> None:
        for task in list(self._running):
            if isinstance(task, EventStreamTask):
                task.cancel()

    def shutdown(self, timeout_ms: int = 5000) -> bool:
        """Cancel running streams and wait for the pools; True if everything stopped."""
        self.cancel_all()
        done = self.database_pool.waitForDone(timeout_ms)
        done = self.session_pool.waitForDone(timeout_ms) and done
        return self.io_pool.waitForDone(timeout_ms) and done
