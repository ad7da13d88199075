"""The receipt ("bukti perekaman") a resident takes home after the counter saved their entry.

"Buka bukti" (Ctrl+P after a save, or on an entry in the queue tab) opens it in Qt's print
preview, painted from the entry: print it from there, or export it as a PDF where the operator
chooses. It shows the local number, the masked NIK, the name, the capture time (local), the station, the
operator and a QR code of the entry's id (the key to find the entry at the station or the
centre). Painted with QPainter, so the same drawing goes to a PDF (QPdfWriter, in memory) and to
a printer (QPrinter, from QtPrintSupport). The PDF is kept sealed under ``<data dir>/receipts/``
(``station.receipts``: encrypted with the queue's key).

File names carry only the local number, never personal data. Receipts hold the masked NIK and
the name: they belong with the queue's personal data when the station is purged.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import qrcode  # type: ignore[import-untyped]
from PySide6.QtCore import (
    QBuffer,
    QCoreApplication,
    QIODevice,
    QMarginsF,
    QObject,
    QRectF,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QAction,
    QColor,
    QFont,
    QKeySequence,
    QPagedPaintDevice,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QShortcut,
)
from PySide6.QtPrintSupport import QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import QWidget

from ..domain.nik import mask_nik
from ..paths import RECEIPTS_DIR, receipt_file_name
from ..station.receipts import save_receipt
from ..store import Entry
from .tasks import TaskRunner

if TYPE_CHECKING:
    from .main_window import MainWindow

__all__ = [
    "RECEIPTS_DIR",
    "Receipt",
    "ReceiptPreview",
    "ReceiptWriter",
    "attach_receipts",
    "open_receipt",
    "paint_receipt",
    "print_receipt",
    "qr_matrix",
    "receipt_pdf",
    "write_receipt_pdf",
]

log = logging.getLogger(__name__)

QUIET_ZONE = 4  # modules of white around the QR code, as the standard asks
_PAGE = QPageSize.PageSizeId.A6
_MARGIN_MM = 8.0


@dataclass(frozen=True)
class Receipt:
    seq: int
    entry_id: str
    masked_nik: str
    name: str
    captured_at: datetime  # local time
    station_id: str
    operator: str

    @classmethod
    def from_entry(cls, entry: Entry) -> Receipt:
        record = entry.record
        return cls(
            seq=entry.seq,
            entry_id=entry.entry_id,
            masked_nik=mask_nik(str(record.get("nik") or "")),
            name=str(record.get("full_name") or ""),
            captured_at=entry.captured_at.astimezone(),
            station_id=entry.station_id,
            operator=entry.operator,
        )

    @property
    def file_name(self) -> str:
        return receipt_file_name(self.seq)

    def lines(self) -> list[tuple[str, str]]:
        when = self.captured_at.strftime("%d-%m-%Y %H:%M:%S")
        zone = self.captured_at.tzname() or ""
        return [
            ("No.", str(self.seq)),
            ("NIK", self.masked_nik),
            ("Nama", self.name),
            ("Waktu perekaman", f"{when} {zone}".strip()),
            ("Stasiun", self.station_id),
            ("Operator", self.operator),
        ]


def qr_matrix(payload: str) -> list[list[bool]]:
    """The QR code's modules (True = dark), without the quiet zone; error correction M."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
    code.add_data(payload)
    code.make(fit=True)
    return [[bool(cell) for cell in row] for row in code.get_matrix()]


def paint_qr(painter: QPainter, matrix: list[list[bool]], target: QRectF) -> None:
    """The code in the square ``target`` (quiet zone included), one rectangle per module."""
    count = len(matrix) + 2 * QUIET_ZONE
    module = min(target.width(), target.height()) / count
    painter.fillRect(target, QColor("white"))
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                painter.fillRect(
                    QRectF(
                        target.left() + (x + QUIET_ZONE) * module,
                        target.top() + (y + QUIET_ZONE) * module,
                        module,
                        module,
                    ),
                    QColor("black"),
                )


def paint_receipt(painter: QPainter, page: QRectF, receipt: Receipt) -> QRectF:
    """Draw the receipt inside ``page`` (device units); returns where the QR code went."""
    unit = page.width() / 100  # layout in hundredths of the printable width
    title_font = QFont()
    title_font.setBold(True)
    title_font.setPointSizeF(12)
    body_font = QFont()
    body_font.setPointSizeF(9)
    painter.setPen(QColor("black"))
    painter.setFont(title_font)
    top = page.top()
    title = QRectF(page.left(), top, page.width(), 8 * unit)
    painter.drawText(title, Qt.AlignmentFlag.AlignHCenter, "BUKTI PEREKAMAN e-KTP")
    top += 9 * unit
    painter.setFont(body_font)
    row = 6 * unit
    for label, value in receipt.lines():
        painter.drawText(QRectF(page.left(), top, 34 * unit, row), label)
        painter.drawText(QRectF(page.left() + 35 * unit, top, 65 * unit, row), f": {value}")
        top += row
    side = min(page.width() * 0.6, page.bottom() - top - 12 * unit)
    qr_rect = QRectF(page.center().x() - side / 2, top + 2 * unit, side, side)
    paint_qr(painter, qr_matrix(receipt.entry_id), qr_rect)
    note = QRectF(page.left(), qr_rect.bottom() + unit, page.width(), 10 * unit)
    painter.drawText(
        note,
        Qt.AlignmentFlag.AlignHCenter | Qt.TextFlag.TextWordWrap,
        f"ID entri: {receipt.entry_id}\nSimpan bukti ini sampai KTP-el Anda jadi.",
    )
    return qr_rect


def _paint_on(device: QPagedPaintDevice, receipt: Receipt) -> bool:
    painter = QPainter()
    if not painter.begin(device):
        return False
    try:
        layout = device.pageLayout()
        page = QRectF(layout.paintRectPixels(device.logicalDpiX()))
        paint_receipt(painter, page.translated(-page.topLeft()), receipt)
    finally:
        painter.end()
    return True


def _set_page(device: QPagedPaintDevice) -> None:
    device.setPageSize(QPageSize(_PAGE))
    margins = QMarginsF(_MARGIN_MM, _MARGIN_MM, _MARGIN_MM, _MARGIN_MM)
    device.setPageMargins(margins, QPageLayout.Unit.Millimeter)


def receipt_pdf(receipt: Receipt) -> bytes | None:
    """The receipt as a PDF, in memory (None if it could not be painted)."""
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setResolution(300)
    writer.setTitle(f"Bukti perekaman No. {receipt.seq}")
    writer.setCreator("ektp-station")
    _set_page(writer)
    painted = _paint_on(writer, receipt)
    del writer  # finishes the PDF into the buffer
    buffer.close()
    return bytes(buffer.data().data()) if painted else None


def write_receipt_pdf(receipt: Receipt, folder: Path, key: bytes) -> Path | None:
    """``folder/bukti-000123.pdf.enc``, sealed with ``key``; None (logged) if it cannot be
    written."""
    pdf = receipt_pdf(receipt)
    if pdf is None:
        log.warning("receipt %d not painted", receipt.seq)
        return None
    try:
        return save_receipt(folder, receipt.seq, pdf, key)
    except OSError as exc:
        log.warning("receipt %d not written: %s", receipt.seq, exc.__class__.__name__)
        return None


def print_receipt(receipt: Receipt, printer: QPagedPaintDevice) -> bool:
    """Paint the receipt on a printer (a ``QPrinter``, e.g. from a QPrintDialog)."""
    _set_page(printer)
    return _paint_on(printer, receipt)


class ReceiptPreview(QPrintPreviewDialog):
    """Qt's print preview with its printer: the dialog only points at it, so it is kept here
    as long as the dialog lives (a printer left to Python's collector crashes the next paint)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        self._printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        _set_page(self._printer)
        super().__init__(self._printer, parent)
        # the keyboard reaches "Cetak" too (Qt's toolbar is mouse-only): Ctrl+P, as the form's
        printing = QCoreApplication.translate("QPrintPreviewDialog", "Print")
        for action in self.findChildren(QAction):
            if action.text() == printing:
                action.setShortcut(QKeySequence(QKeySequence.StandardKey.Print))
                action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
                action.setToolTip(f"{printing} (Ctrl+P)")
                self.print_action: QAction | None = action
                break
        else:
            self.print_action = None


def open_receipt(receipt: Receipt, parent: QWidget | None = None) -> ReceiptPreview:
    """The "Buka bukti" action: the receipt in Qt's print preview (window-modal, not blocking), from which
    it prints or is exported as a PDF; returns the dialog (it deletes itself when closed)."""
    preview = ReceiptPreview(parent)
    preview.setObjectName("receipt_preview")
    preview.setWindowTitle(
        QCoreApplication.translate("ReceiptWriter", "Bukti perekaman No. {seq}").format(
            seq=receipt.seq
        )
    )
    preview.paintRequested.connect(lambda target: print_receipt(receipt, target))
    preview.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    preview.resize(900, 700)  # the whole toolbar, its Print button last
    preview.open()
    return preview


class ReceiptWriter(QObject):
    """Writes a PDF receipt for every saved entry, off the GUI thread (``tasks``: the window's
    :class:`~.tasks.TaskRunner`, or None to write at once); Ctrl+P opens the last one."""

    written = Signal(object)  # Path

    def __init__(
        self,
        folder: Path,
        key: bytes,
        tasks: TaskRunner | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.folder = folder
        self._key = key
        self.tasks = tasks
        self.last: Receipt | None = None
        self.last_written: Receipt | None = None  # the receipt of the last file written

    def entry_saved(self, entry: Entry) -> None:
        receipt = Receipt.from_entry(entry)
        self.last = receipt
        folder, key = self.folder, self._key
        if self.tasks is None:
            self._written(receipt, write_receipt_pdf(receipt, folder, key))
        else:
            self.tasks.run(
                lambda: write_receipt_pdf(receipt, folder, key),
                lambda path: self._written(receipt, path),
            )

    def _written(self, receipt: Receipt, path: Path | None) -> None:
        if path is not None:
            self.last_written = receipt
            self.written.emit(path)

    def open_last(self, parent: QWidget | None = None) -> ReceiptPreview | None:
        """The last receipt in the print preview; None if nothing was saved yet."""
        return None if self.last is None else open_receipt(self.last, parent)


def attach_receipts(window: MainWindow, folder: Path) -> ReceiptWriter:
    """Write a receipt after every save of ``window.form``; Ctrl+P in the form opens it."""
    writer = ReceiptWriter(folder, window.station.receipt_key, window.tasks, window)
    result = window.form.result_label  # the save's own place: never under the link badge

    def show(path: Path) -> None:
        assert writer.last_written is not None
        # an explicit context: lupdate would file ``window.tr`` under "window", a context the
        # window never asks for, and the message would stay Indonesian
        text = QCoreApplication.translate(
            "ReceiptWriter", "Entri No. {seq} tersimpan · Ctrl+P: buka bukti untuk dicetak"
        ).format(seq=writer.last_written.seq)
        missing = window.form.last_missing
        if missing:  # the save's own warning stays: the recording is to be finished
            text += " · " + QCoreApplication.translate(
                "ReceiptWriter", "biometrik belum lengkap ({n} bagian): Lengkapi di Antrean (F3)"
            ).format(n=len(missing))
        result.setText(text)
        # where it is kept, sealed (IT staff: ``ektp-station queue receipt SEQ -o FILE``)
        result.setToolTip(str(path.resolve()))

    window.form.saved.connect(writer.entry_saved)
    writer.written.connect(show)
    shortcut = QShortcut(QKeySequence("Ctrl+P"), window.form)  # the queue tab has its own
    shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
    shortcut.activated.connect(lambda: writer.open_last(window))
    return writer
