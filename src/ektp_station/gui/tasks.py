"""Slow work off the GUI thread (the dashboard's queries, a receipt's PDF, a save with images), their
results handed back on the GUI thread — Anki's ``taskman`` in small.

    runner.run(lambda: station.dashboard(now), on_done=self.show_report)

One worker thread: tasks run in order and never two at once against the same queue. A task
that raises is logged (its traceback, never its message) and reported to ``on_error`` or, by
default, to the window's one error hook. A long task (the USB export, ``gui.bundles``)
listens to ``shutting_down`` and stops early, so that the window's close need not wait for it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from ..logs import safe_traceback

__all__ = ["TaskRunner", "runner_of"]

log = logging.getLogger(__name__)

T = TypeVar("T")


class TaskRunner(QObject):
    _finished = Signal(object, object, object)  # callback, result, error
    shutting_down = Signal()  # emitted on the GUI thread as shutdown() begins

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="gui-task")
        self._pending = 0
        self._shut_down = False
        self._finished.connect(self._deliver)
        self.on_unhandled: Callable[[BaseException], None] | None = None

    @property
    def busy(self) -> bool:
        return self._pending > 0

    def run(
        self,
        task: Callable[[], T],
        on_done: Callable[[T], None],
        on_error: Callable[[BaseException], None] | None = None,
    ) -> None:
        """Run ``task`` on the worker; then ``on_done(result)`` on the GUI thread."""
        if self._shut_down:  # the window is closing: Qt may still fire a timer or two
            log.debug("task dropped: the runner is shut down")
            return
        self._pending += 1
        future = self._pool.submit(task)

        def finished(done: Future[T]) -> None:  # on the worker thread
            if done.cancelled():  # dropped by shutdown(): nobody waits for it any more
                return
            error = done.exception()
            result = None if error is not None else done.result()
            self._finished.emit((on_done, on_error), result, error)

        future.add_done_callback(finished)

    def _deliver(self, callbacks: Any, result: Any, error: BaseException | None) -> None:
        self._pending -= 1
        on_done, on_error = callbacks
        if error is None:
            on_done(result)
            return
        log.error("background task failed\n%s", safe_traceback(error))
        handler = on_error or self.on_unhandled
        if handler is not None:
            handler(error)

    def shutdown(self) -> None:
        """Wait for the running task (tasks are short reads), drop the queued ones and any
        asked for later."""
        self._shut_down = True
        self.shutting_down.emit()
        self._pool.shutdown(wait=True, cancel_futures=True)


def runner_of(widget: QWidget) -> TaskRunner | None:
    """The task runner of the window ``widget`` is in (the main window's), if any."""
    return widget.window().findChild(TaskRunner)
