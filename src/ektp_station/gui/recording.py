"""The biometric step wired into the window: after the biodata in the form (the step, then
the save with the parts), and "Lengkapi biometrik" (F3) in the queue tab for an entry saved
incomplete — both saving off the GUI thread on the window's task runner."""

from __future__ import annotations

import sys
from collections.abc import Mapping

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QDialog

from ..errors import EktpError
from ..station import Captured
from .biometrics import BiometricStep
from .devices import CaptureDevice
from .entry_form import EntryForm
from .i18n import current_language
from .queue_tab import QueueTab
from .tasks import TaskRunner, runner_of

__all__ = ["attach_biometrics", "finish_recording"]


def attach_biometrics(
    form: EntryForm,
    devices: Mapping[str, CaptureDevice],
    queue_tab: QueueTab | None = None,
    tasks: TaskRunner | None = None,
) -> None:
    """After the biodata passed its checks, the biometric step before the save (Esc in it:
    back to the form, nothing saved); in ``queue_tab``, "Lengkapi biometrik" finishes an
    entry saved incomplete. The saves with images run on ``tasks`` (by default the window's
    runner; none: on the GUI thread)."""
    form.tasks = tasks or runner_of(form)
    if queue_tab is not None:
        queue_tab.devices = devices
        queue_tab.complete_button.show()

    def collect(record: Mapping[str, object]) -> tuple[dict[str, bytes], dict[str, str]] | None:
        step = BiometricStep(devices, resident=str(record.get("full_name") or ""), parent=form)
        try:
            if step.exec() != QDialog.DialogCode.Accepted:
                return None
            return dict(step.images), dict(step.exceptions)
        finally:
            step.deleteLater()

    form.collect_parts = collect


def finish_recording(
    tab: QueueTab, seq: int, devices: Mapping[str, CaptureDevice]
) -> BiometricStep | None:
    """ "Lengkapi biometrik": the step for the parts entry ``seq`` lacks (or lost), then the
    core's ``complete_parts`` on the window's task runner (the images encrypted and flushed
    off the GUI thread; on it where there is no runner); the dialog (window-modal, not
    blocking). None while this entry's parts are still being saved."""
    station = tab.station
    key = (id(station), seq)
    if key in _COMPLETING:
        tab.message_label.setText(
            QCoreApplication.translate("BiometricStep", "Entri No. {seq}: masih menyimpan…").format(
                seq=seq
            )
        )
        return None
    entry = station.entry(seq)
    done = {
        row.part: "" if row.captured else str(row.reason or "other")
        for row in station.queue.parts(seq)
        if not row.lost_at
    }
    step = BiometricStep(
        devices, resident=str(entry.record.get("full_name") or ""), done=done, parent=tab
    )

    def saved(captured: Captured) -> None:
        _COMPLETING.discard(key)
        left = len(captured.missing_parts)
        tab.message_label.setText(
            QCoreApplication.translate(
                "BiometricStep", "Entri No. {seq}: biometrik lengkap."
            ).format(seq=seq)
            if not left
            else QCoreApplication.translate(
                "BiometricStep", "Entri No. {seq}: {n} bagian belum."
            ).format(seq=seq, n=left)
        )

    def refused(error: BaseException) -> None:
        _COMPLETING.discard(key)
        if not isinstance(error, EktpError):
            tab.message_label.setText(
                QCoreApplication.translate(
                    "BiometricStep", "Entri No. {seq}: belum tersimpan."
                ).format(seq=seq)
            )
            sys.excepthook(type(error), error, error.__traceback__)  # the window's error hook
            return
        tab.message_label.setText(error.message(current_language()))

    def finished(result: int) -> None:
        images, exceptions = dict(step.images), dict(step.exceptions)
        step.deleteLater()
        if result != QDialog.DialogCode.Accepted or not (images or exceptions):
            return

        def complete() -> Captured:
            return station.complete_parts(seq, images=images, exceptions=exceptions)

        tasks = runner_of(tab)
        if tasks is None:
            try:
                saved(complete())
            except EktpError as exc:
                refused(exc)
            return
        _COMPLETING.add(key)
        tab.message_label.setText(
            QCoreApplication.translate("BiometricStep", "Entri No. {seq}: menyimpan…").format(
                seq=seq
            )
        )
        tasks.run(complete, on_done=saved, on_error=refused)

    step.finished.connect(finished)
    step.setWindowModality(Qt.WindowModality.WindowModal)
    step.open()
    return step


#: Entries whose parts are being saved ((id of the station, seq)): no second step meanwhile.
_COMPLETING: set[tuple[int, int]] = set()
