"""The receipt: a real PDF under receipts/, the QR code of the entry id drawn module by module,
the same drawing on a printer, and a receipt after every save in the window."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from ektp_station.errors import ReceiptUnreadable
from ektp_station.gui.demo import Demo
from ektp_station.gui.receipt import (
    QUIET_ZONE,
    RECEIPTS_DIR,
    Receipt,
    open_receipt,
    paint_qr,
    print_receipt,
    qr_matrix,
    write_receipt_pdf,
)
from ektp_station.station.receipts import read_receipt
from ektp_station.store import Entry, State

from factories import make_record
from helpers import receipt_preview

ENTRY_ID = "3f2b6c1e-8d4a-4c2e-9b7f-0a1b2c3d4e5f"


def entry(seq: int = 12) -> Entry:
    record = make_record(3)
    return Entry(
        seq=seq,
        entry_id=ENTRY_ID,
        station_id="DPK-01",
        operator="SITI",
        captured_at=datetime(2026, 3, 1, 1, 30, tzinfo=UTC),
        record=record,
        state=State.PENDING,
    )


def test_receipt_lines_mask_the_nik_and_show_local_time() -> None:
    receipt = Receipt.from_entry(entry())
    lines = dict(receipt.lines())
    nik = str(entry().record["nik"])
    assert lines["No."] == "12" and lines["Stasiun"] == "DPK-01" and lines["Operator"] == "SITI"
    assert lines["NIK"] != nik and lines["NIK"][:4] == nik[:4] and "*" in lines["NIK"]
    assert lines["Nama"] == entry().record["full_name"]
    local = datetime(2026, 3, 1, 1, 30, tzinfo=UTC).astimezone()
    assert lines["Waktu perekaman"].startswith(local.strftime("%d-%m-%Y %H:%M"))
    assert receipt.file_name == "bukti-000012.pdf.enc"  # no personal data in the name


def finder_at(matrix: list[list[bool]], top: int, left: int) -> bool:
    """The 7x7 finder pattern: dark ring, light ring, dark 3x3 centre."""
    for y in range(7):
        for x in range(7):
            ring = max(abs(y - 3), abs(x - 3))
            if matrix[top + y][left + x] != (ring != 2):
                return False
    return True


def test_qr_matrix_is_a_qr_code_of_the_entry_id() -> None:
    matrix = qr_matrix(ENTRY_ID)
    size = len(matrix)
    assert all(len(row) == size for row in matrix)
    assert (size - 17) % 4 == 0  # 17 + 4 * version modules
    assert size >= 29  # 36 bytes at level M need version 3
    assert finder_at(matrix, 0, 0)
    assert finder_at(matrix, 0, size - 7)
    assert finder_at(matrix, size - 7, 0)
    assert qr_matrix(ENTRY_ID) == matrix and qr_matrix(ENTRY_ID[:-1] + "0") != matrix


@pytest.fixture(autouse=True)
def _gui(qapp: QApplication) -> None:
    """Fonts and painting need a QGuiApplication."""


def test_the_qr_code_is_drawn_module_by_module() -> None:
    matrix = qr_matrix(ENTRY_ID)
    count = len(matrix) + 2 * QUIET_ZONE
    scale = 4
    image = QImage(count * scale, count * scale, QImage.Format.Format_RGB32)
    image.fill(QColor("red"))
    painter = QPainter(image)
    paint_qr(painter, matrix, QRectF(0, 0, image.width(), image.height()))
    painter.end()
    for y in range(count):
        for x in range(count):
            inside = QUIET_ZONE <= x < count - QUIET_ZONE and QUIET_ZONE <= y < count - QUIET_ZONE
            dark = inside and matrix[y - QUIET_ZONE][x - QUIET_ZONE]
            pixel = image.pixelColor(x * scale + scale // 2, y * scale + scale // 2)
            assert pixel == QColor("black" if dark else "white"), (x, y)


KEY = b"\x07" * 32


def test_pdf_is_written_under_receipts_sealed(tmp_path: Path) -> None:
    receipt = Receipt.from_entry(entry())
    path = write_receipt_pdf(receipt, tmp_path / RECEIPTS_DIR, KEY)
    assert path == tmp_path / RECEIPTS_DIR / "bukti-000012.pdf.enc"
    sealed = path.read_bytes()
    assert b"%PDF" not in sealed and receipt.name.encode() not in sealed
    data = read_receipt(tmp_path / RECEIPTS_DIR, 12, KEY)
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    assert b"/Count 1" in data  # one page
    with pytest.raises(ReceiptUnreadable):  # another station's key
        read_receipt(tmp_path / RECEIPTS_DIR, 12, b"\x08" * 32)
    path.write_bytes(sealed[:-1] + bytes([sealed[-1] ^ 1]))  # one bit changed
    with pytest.raises(ReceiptUnreadable):
        read_receipt(tmp_path / RECEIPTS_DIR, 12, KEY)


def test_pdf_folder_that_cannot_be_made_is_reported(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert write_receipt_pdf(Receipt.from_entry(entry()), blocker / RECEIPTS_DIR, KEY) is None


def test_the_same_drawing_prints(tmp_path: Path) -> None:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    assert print_receipt(Receipt.from_entry(entry()), printer)
    assert (tmp_path / "printed.pdf").read_bytes().startswith(b"%PDF-")


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[Demo]:
    with Demo(tmp_path / "demo") as running:
        yield running


def test_every_save_in_the_window_writes_a_receipt(qtbot: QtBot, demo: Demo) -> None:
    window = demo.build_window()
    qtbot.addWidget(window)
    assert demo.paths is not None
    folder = demo.paths.data_dir / RECEIPTS_DIR
    writer = demo.receipts
    assert writer is not None and writer.folder == folder
    form = window.form
    form.confirm_warnings = lambda _w: True
    form.load_record(make_record(4))
    with qtbot.waitSignal(writer.written) as written:
        form.save_button.click()
    saved = written.args[0]
    assert saved.parent == folder and not saved.read_bytes().startswith(b"%PDF-")
    assert writer.last_written is not None
    assert window.station.receipt_pdf(writer.last_written.seq).startswith(b"%PDF-")
    actor = window.station.actor
    assert actor is not None and writer.last is not None and writer.last.operator == actor.name
    assert "Ctrl+P: buka bukti" in window.form.result_label.text()
    assert window.form.result_label.toolTip() == str(saved.resolve())
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    nik = window.form.inputs["nik"]
    nik.setFocus()
    qtbot.keyClick(nik, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    preview = receipt_preview(qtbot, window)
    assert preview.windowTitle() == f"Bukti perekaman No. {writer.last_written.seq}"
    preview.close()
    window.close()


def test_a_receipt_and_its_folder_are_owner_only(tmp_path: Path) -> None:
    import stat

    path = write_receipt_pdf(Receipt.from_entry(entry()), tmp_path / RECEIPTS_DIR, KEY)
    assert path is not None
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # it bears the resident's name
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_the_preview_keeps_its_printer(qtbot: QtBot) -> None:
    """The preview only points at its printer: after Python's collector ran, it still paints
    (a printer left to the collector crashed the next repaint under X)."""
    import gc

    from PySide6.QtPrintSupport import QPrintPreviewWidget
    from PySide6.QtWidgets import QWidget

    parent = QWidget()
    qtbot.addWidget(parent)
    preview = open_receipt(Receipt.from_entry(entry()), parent)
    del preview
    gc.collect()
    shown = receipt_preview(qtbot, parent)
    assert shown.print_action is not None  # Qt's "Print", in Indonesian, reached by Ctrl+P
    assert shown.print_action.text() == "Cetak"
    assert shown.print_action.shortcut().toString() == "Ctrl+P"
    pages = shown.findChild(QPrintPreviewWidget)
    pages.updatePreview()
    qtbot.waitUntil(lambda: pages.pageCount() == 1)
    shown.close()


def test_an_incomplete_recording_still_says_so_once_its_receipt_is_written(
    qtbot: QtBot, demo: Demo
) -> None:
    from ektp_station.devtools.images import photo_jpeg

    window = demo.build_window()
    qtbot.addWidget(window)
    writer = demo.receipts
    assert writer is not None
    form = window.form
    form.confirm_warnings = lambda _w: True
    form.tasks = None  # saved on this thread: the receipt follows the save
    form.collect_parts = lambda _record: ({"photo": photo_jpeg("receipt")}, {})
    form.load_record(make_record(6))
    with qtbot.waitSignal(writer.written):
        form.save_button.click()
    text = form.result_label.text()
    assert "Ctrl+P: buka bukti" in text
    assert "biometrik belum lengkap (13 bagian): Lengkapi di Antrean (F3)" in text
