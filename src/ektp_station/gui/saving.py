"""A resident saved with images, off the GUI thread.

``Station.capture`` with images encrypts each part and flushes it to the attachment store
before the one transaction that saves the entry: fourteen files, each fsynced, longer than the
GUI thread may wait (house rule 4). :class:`BackgroundSave` runs it on the window's
:class:`~.tasks.TaskRunner` (one worker: never beside another task on the same queue) while
the form says "Menyimpan…" and takes no input and no second save; the result comes back on the
GUI thread — saved as after any save, or refused through the form's usual messages. An
unexpected error goes to the window's error hook (``gui.crash``: logged without values, one
translated dialog). Nothing is lost meanwhile: the record and its images are the task's own,
and the window's close waits for a running task (``TaskRunner.shutdown``).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication

from ..errors import EktpError
from ..station import Captured
from .fields import mark_problem
from .tasks import TaskRunner

if TYPE_CHECKING:
    from .entry_form import EntryForm

__all__ = ["BackgroundSave"]


class BackgroundSave:
    """One save on its way: the form blocked until :meth:`_done` or :meth:`_failed`."""

    def __init__(self, form: EntryForm, tasks: TaskRunner, capture: Callable[[], Captured]) -> None:
        self.form = form
        self._block(True)
        form.result_label.setText(QCoreApplication.translate("EntryForm", "Menyimpan…"))
        mark_problem(form.result_label, "")
        tasks.run(capture, on_done=self._done, on_error=self._failed)

    def _block(self, blocked: bool) -> None:
        form = self.form
        for widget in (*form.inputs.values(), form.save_button):
            widget.setEnabled(not blocked)

    def _end(self) -> None:
        self.form.saving = None
        self._block(False)

    def _done(self, captured: Captured) -> None:
        self._end()
        self.form.done_saving(self.form.captured(captured))

    def _failed(self, error: BaseException) -> None:
        self._end()
        form = self.form
        form.inputs["nik"].setFocus()
        if isinstance(error, EktpError):
            form.not_saved(error)
            return
        form.result_label.setText(QCoreApplication.translate("EntryForm", "Belum tersimpan."))
        mark_problem(form.result_label, "error")
        sys.excepthook(type(error), error, error.__traceback__)  # the window's error hook
