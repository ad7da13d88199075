"""Qt's own strings in the Indonesian window: standard buttons, the edit menu, the print and
preview dialogs. Qt ships no Indonesian catalogue, so ``resources/i18n/qt_id.ts`` is ours; its
sources must be Qt's own, word for word (checked against a catalogue PySide6 ships), or Qt
would never ask for them."""

from __future__ import annotations

import struct
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QLibraryInfo
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QLineEdit, QMessageBox
from pytestqt.qtbot import QtBot

from ektp_station.gui.i18n import install_translator, load_ts, qt_ts_path

_MESSAGES, _END, _TRANSLATION, _SOURCE, _CONTEXT, _COMMENT = 0x69, 1, 3, 6, 7, 8


def qm_sources(path: Path) -> set[tuple[str, str]]:
    """``{(context, source)}`` of a compiled Qt catalogue (the .qm format's message block)."""
    data = path.read_bytes()
    pos, found = 16, set()  # after the magic number
    while pos < len(data):
        tag, length = data[pos], struct.unpack(">I", data[pos + 1 : pos + 5])[0]
        block, pos = data[pos + 5 : pos + 5 + length], pos + 5 + length
        if tag != _MESSAGES:
            continue
        at, context, source = 0, "", ""
        while at < len(block):
            field, at = block[at], at + 1
            if field == _END:
                found.add((context, source))
                context = source = ""
                continue
            size = struct.unpack(">I", block[at : at + 4])[0]
            size = 0 if size == 0xFFFFFFFF else size
            value, at = block[at + 4 : at + 4 + size], at + 4 + size
            if field == _SOURCE:
                source = value.decode()
            elif field == _CONTEXT:
                context = value.decode()
    return found


@pytest.fixture
def english(qapp: QApplication) -> Iterator[None]:
    install_translator(qapp, "en")
    yield
    install_translator(qapp, "id")


def test_every_source_is_one_qt_asks_for() -> None:
    folder = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath))
    shipped = qm_sources(folder / "qtbase_de.qm")
    ours = load_ts(qt_ts_path("id"))
    assert len(ours) > 150
    unknown = sorted(key for key in ours if key not in shipped)
    assert unknown == []
    assert all(text.strip() for text in ours.values())


def test_standard_buttons_speak_indonesian(qapp: QApplication, qtbot: QtBot) -> None:
    install_translator(qapp, "id")
    box = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Close | QDialogButtonBox.StandardButton.Cancel
    )
    qtbot.addWidget(box)
    assert box.button(QDialogButtonBox.StandardButton.Close).text() == "Tutup"
    assert box.button(QDialogButtonBox.StandardButton.Cancel).text() == "Batal"
    message = QMessageBox(
        QMessageBox.Icon.Question,
        "t",
        "?",
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
    )
    qtbot.addWidget(message)
    assert message.button(QMessageBox.StandardButton.Yes).text() == "&Ya"
    assert message.button(QMessageBox.StandardButton.No).text() == "&Tidak"


def test_edit_menu_speaks_indonesian(qapp: QApplication, qtbot: QtBot) -> None:
    install_translator(qapp, "id")
    line = QLineEdit()
    qtbot.addWidget(line)
    menu = line.createStandardContextMenu()
    texts = {action.text().split("\t")[0] for action in menu.actions()}
    assert {"&Salin", "&Tempel", "Pilih semua"} <= texts


def test_print_preview_speaks_indonesian(qapp: QApplication, qtbot: QtBot) -> None:
    from PySide6.QtGui import QAction
    from PySide6.QtPrintSupport import QPrintPreviewDialog

    install_translator(qapp, "id")
    preview = QPrintPreviewDialog()
    qtbot.addWidget(preview)
    texts = {action.text() for action in preview.findChildren(QAction)}
    assert {"Cetak", "Perbesar", "Halaman berikutnya"} <= texts
    assert "Print" not in texts


@pytest.mark.usefixtures("english")
def test_english_keeps_qt_own(qtbot: QtBot) -> None:
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
    qtbot.addWidget(box)
    assert box.button(QDialogButtonBox.StandardButton.Close).text() == "Close"
