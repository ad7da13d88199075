"""The supervisor's USB bundles on the dashboard (issue #15, docs/bundles.md): "Ekspor ke USB"
(Alt+E) writes every entry the centre has not confirmed into one bundle; "Impor tanda terima"
(Alt+I) applies the centre's receipt for it.

Both run on the window's :class:`~.tasks.TaskRunner` (the export streams the parts and may take
a minute; the receipt writes to the queue). The export's progress comes from the worker through
a small relay whose signal Qt queues to the GUI thread, at most ten times a second, into a
window-modal :class:`QProgressDialog` ("N dari M entri", the megabytes); its Batal (Esc) stops
the export at the next piece and no bundle is left behind (``station.bundles`` writes
``FILE.partial`` and removes it). The window's close stops a running export the same way
(``TaskRunner.shutting_down``). A refusal is its translated message in a message box; what the
receipt changed reaches every view through the station's one change event.

Nothing here logs or shows personal data: counts, sizes, the file's path.
"""

from __future__ import annotations

import re
import sys
import threading
import time
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QDir, QObject, Qt, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..errors import EktpError
from ..station import Changes, Permission, Station
from ..station.bundles import CARRIED, BundleProgress, ExportReport, ReceiptReport
from ..store import State
from .bridge import StationBridge
from .i18n import current_language
from .queue_model import state_label
from .status_bar import _megabytes as megabytes
from .tasks import TaskRunner

__all__ = ["BUNDLE_SUFFIX", "RECEIPT_SUFFIX", "BundlePanel", "bundle_file_name", "waiting_of"]

BUNDLE_SUFFIX = ".ektpbundle"
RECEIPT_SUFFIX = ".ektpreceipt"
PROGRESS_STEPS = 1000
PROGRESS_EVERY_S = 0.1  # at most ten progress updates a second reach the GUI thread


def bundle_file_name(station_id: str, now: datetime) -> str:
    """``ektp-ST-DEPOK-01-20261124-1530.ektpbundle``: the station and the minute."""
    safe = re.sub(r"[^A-Za-z0-9_-]+", "_", station_id) or "station"
    return f"ektp-{safe}-{now:%Y%m%d-%H%M}{BUNDLE_SUFFIX}"


def waiting_of(counts: Mapping[str, int]) -> int:
    """The entries a bundle would carry, from a status report's counts per state."""
    return sum(counts.get(state.value, 0) for state in CARRIED)


class ExportCancelled(Exception):
    """Raised in the export's progress callback once Batal was pressed (or the window closes)."""


class _Relay(QObject):
    """Lives on the GUI thread; emitted from the worker, so Qt queues the slot's calls."""

    progress = Signal(object)  # BundleProgress


def _reporter(
    emit: Callable[[BundleProgress], None], cancel: threading.Event
) -> Callable[[BundleProgress], None]:
    last = 0.0

    def report(progress: BundleProgress) -> None:  # on the worker thread
        nonlocal last
        if cancel.is_set():
            raise ExportCancelled
        now = time.monotonic()
        if now - last >= PROGRESS_EVERY_S:
            last = now
            emit(progress)

    return report


class BundlePanel(QGroupBox):
    """The two buttons and the count of what waits; shown to a supervisor only."""

    def __init__(
        self,
        station: Station,
        bridge: StationBridge,
        tasks: TaskRunner,
        *,
        now: Callable[[], datetime] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(self.tr("Bawa lewat USB"), parent)
        self.setObjectName("bundle_panel")
        self.station = station
        self.tasks = tasks
        self.now = now or (lambda: datetime.now().astimezone())
        self.folder = Path(QDir.homePath())  # where the last bundle or receipt was
        self.progress_dialog: QProgressDialog | None = None
        self.message_box: QMessageBox | None = None
        self._busy = False
        self._cancel = threading.Event()
        self._relay = _Relay(self)
        self._relay.progress.connect(self._show_progress)
        layout = QVBoxLayout(self)
        self.waiting_label = QLabel(self.tr("Belum dikonfirmasi pusat: –"))
        self.waiting_label.setObjectName("bundle_waiting")
        layout.addWidget(self.waiting_label)
        buttons = QHBoxLayout()
        self.export_button = QPushButton(self.tr("&Ekspor ke USB…"))
        self.export_button.setObjectName("bundle_export")
        self.export_button.setToolTip(
            self.tr(
                "Semua entri yang belum dikonfirmasi pusat, dalam satu berkas terenkripsi "
                "untuk pusat (Alt+E)"
            )
        )
        self.export_button.clicked.connect(self.start_export)
        self.import_button = QPushButton(self.tr("&Impor tanda terima…"))
        self.import_button.setObjectName("bundle_import")
        self.import_button.setToolTip(
            self.tr("Tanda terima dari pusat untuk bundel yang dibawa (Alt+I)")
        )
        self.import_button.clicked.connect(self.start_import)
        buttons.addWidget(self.export_button)
        buttons.addWidget(self.import_button)
        layout.addLayout(buttons)
        layout.addStretch(1)
        bridge.changed.connect(self._station_changed)
        tasks.shutting_down.connect(self.cancel)
        self._show_allowed()

    # -- who may -----------------------------------------------------------------------------

    @property
    def allowed(self) -> bool:
        return self.station.may(Permission.CARRY_BUNDLE)

    def _station_changed(self, changes: Changes) -> None:
        if changes.session:
            self._show_allowed()

    def _show_allowed(self) -> None:
        allowed = self.allowed
        self.setHidden(not allowed)
        self._enable()

    def _enable(self) -> None:
        usable = self.allowed and not self._busy
        self.export_button.setEnabled(usable)
        self.import_button.setEnabled(usable)

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self._enable()

    @property
    def busy(self) -> bool:
        return self._busy

    def set_waiting(self, waiting: int) -> None:
        self.waiting_label.setText(self.tr("Belum dikonfirmasi pusat: {n} entri").format(n=waiting))

    # -- Ekspor ke USB -----------------------------------------------------------------------

    def start_export(self) -> None:
        """How many wait (off the GUI thread), then where to, then the export."""
        if self._busy or not self.allowed:
            return
        self._set_busy(True)
        self.tasks.run(self.station.bundle_waiting, self._ask_target, self._failed)

    def _ask_target(self, waiting: int) -> None:
        self.set_waiting(waiting)
        if waiting == 0:
            self._set_busy(False)
            self._tell(
                QMessageBox.Icon.Information,
                self.tr("Ekspor ke USB"),
                self.tr(
                    "Tidak ada entri yang menunggu: pusat sudah mengonfirmasi semuanya. "
                    "Tidak ada yang perlu dibawa."
                ),
            )
            return
        suggested = self.folder / bundle_file_name(self.station.station_id, self.now())
        chosen, _filter = QFileDialog.getSaveFileName(
            self,
            self.tr("Ekspor {n} entri ke USB").format(n=waiting),
            str(suggested),
            self.tr("Bundel ektp-station (*.ektpbundle);;Semua berkas (*)"),
        )
        if not chosen:
            self._set_busy(False)
            return
        target = Path(chosen)
        if not target.suffix:
            target = target.with_name(target.name + BUNDLE_SUFFIX)
        self.folder = target.parent
        self._run_export(target, waiting)

    def _run_export(self, target: Path, waiting: int) -> None:
        self._cancel = cancel = threading.Event()
        dialog = QProgressDialog(
            self._progress_text(BundleProgress(0, waiting, 0, 0)),
            self.tr("Batal"),
            0,
            PROGRESS_STEPS,
            self,
        )
        dialog.setObjectName("bundle_progress")
        dialog.setWindowTitle(self.tr("Ekspor ke USB"))
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(0)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        dialog.setMinimumWidth(420)
        dialog.canceled.connect(cancel.set)
        dialog.setValue(0)
        dialog.show()
        self.progress_dialog = dialog
        station, report = self.station, _reporter(self._relay.progress.emit, cancel)

        def export() -> ExportReport | None:
            try:
                return station.export_bundle(target, report)
            except ExportCancelled:  # the partial file is gone (station.bundles)
                return None

        self.tasks.run(export, self._exported, self._failed)

    def cancel(self) -> None:
        """Stop a running export at its next piece (nothing is left on the stick)."""
        self._cancel.set()

    def _progress_text(self, progress: BundleProgress) -> str:
        text = self.tr("Menulis bundel untuk pusat…") + "\n\n"
        text += self.tr("{done} dari {total} entri").format(
            done=progress.entries_done, total=progress.entries_total
        )
        if progress.bytes_total:
            text += "\n" + self.tr("Biometrik: {done} dari {total}").format(
                done=megabytes(progress.bytes_done), total=megabytes(progress.bytes_total)
            )
        return text

    def _show_progress(self, progress: BundleProgress) -> None:
        dialog = self.progress_dialog
        if dialog is None:
            return
        total = progress.entries_total + progress.bytes_total
        done = progress.entries_done + progress.bytes_done
        dialog.setValue(PROGRESS_STEPS * done // total if total else 0)
        dialog.setLabelText(self._progress_text(progress))

    def _close_progress(self) -> None:
        if self.progress_dialog is not None:
            self.progress_dialog.close()
            self.progress_dialog.deleteLater()
            self.progress_dialog = None

    def _exported(self, report: ExportReport | None) -> None:
        self._close_progress()
        self._set_busy(False)
        title = self.tr("Ekspor ke USB")
        if report is None:
            self._tell(
                QMessageBox.Icon.Information,
                title,
                self.tr("Ekspor dibatalkan: tidak ada bundel yang ditulis. Antrean tidak berubah."),
            )
            return
        text = self.tr(
            "Bundel tersimpan: {entries} entri dan {parts} bagian biometrik ({size})."
        ).format(entries=report.entries, parts=report.parts, size=megabytes(report.bytes))
        text += "\n" + str(report.path) + "\n\n"
        text += self.tr(
            "Bawa bundel ini ke pusat, lalu bawa kembali tanda terimanya (.ektpreceipt) dan "
            "pilih «Impor tanda terima». Sampai itu entri-entri ini tetap menunggu di antrean; "
            "bila jaringan kembali lebih dulu, tidak ada yang tercatat dua kali."
        )
        self._tell(QMessageBox.Icon.Information, title, text)

    # -- Impor tanda terima ------------------------------------------------------------------

    def start_import(self) -> None:
        """Which receipt, then applied off the GUI thread; the views refresh on the change."""
        if self._busy or not self.allowed:
            return
        chosen, _filter = QFileDialog.getOpenFileName(
            self,
            self.tr("Impor tanda terima"),
            str(self.folder),
            self.tr("Tanda terima ektp-station (*.ektpreceipt);;Semua berkas (*)"),
        )
        if not chosen:
            return
        source = Path(chosen)
        self.folder = source.parent
        self._set_busy(True)
        station = self.station
        self.tasks.run(lambda: station.import_receipt(source), self._imported, self._failed)

    def _imported(self, report: ReceiptReport) -> None:
        self._set_busy(False)
        text = self.tr("Tanda terima diterapkan: {n} entri.").format(n=report.entries) + "\n"
        text += " · ".join(
            f"{state_label(state)}: {count}"
            for state, count in (
                (State.SYNCED, report.synced),
                (State.UPLOADING, report.uploading),
                (State.REJECTED, report.rejected),
                (State.CONFLICT, report.conflict),
            )
        )
        text += "\n" + self.tr(
            "Tidak berubah (sudah begitu, atau diubah sejak ekspor): {n}"
        ).format(n=report.unchanged)
        text += "\n" + self.tr("Bagian biometrik terverifikasi pusat: {n}").format(
            n=report.parts_verified
        )
        if report.rejected or report.conflict:
            text += "\n\n" + self.tr(
                "Yang ditolak atau konflik: lihat tab Antrean (Ctrl+2) dan konflik di bawah."
            )
        self._tell(QMessageBox.Icon.Information, self.tr("Impor tanda terima"), text)

    # -- both --------------------------------------------------------------------------------

    def _failed(self, error: BaseException) -> None:
        self._close_progress()
        self._set_busy(False)
        if not isinstance(error, EktpError):
            sys.excepthook(type(error), error, error.__traceback__)  # the window's error hook
            return
        self._tell(
            QMessageBox.Icon.Warning, self.tr("Bawa lewat USB"), error.message(current_language())
        )

    def _tell(self, icon: QMessageBox.Icon, title: str, text: str) -> None:
        """A window-modal message (not blocking), kept in ``message_box`` until the next."""
        if self.message_box is not None:
            self.message_box.close()
            self.message_box.deleteLater()
        box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, self)
        box.setObjectName("bundle_message")
        # wide enough that a path on the stick stays on one line (Qt's own label's name)
        box.setStyleSheet("QLabel#qt_msgbox_label { min-width: 36em; }")
        box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message_box = box
        box.open()
