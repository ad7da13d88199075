"""Translations: the English .ts is valid Linguist XML, is read without a .qm, and switching to
English changes every visible string of the sign-in dialog (no Indonesian left behind)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from ektp_station.gui.i18n import current_language, install_translator, load_ts, ts_path
from ektp_station.gui.login import LoginDialog
from ektp_station.station import Station

MakeStation = Callable[..., Station]


@pytest.fixture
def english(qapp: QApplication) -> Iterator[None]:
    assert install_translator(qapp, "en") is not None
    yield
    install_translator(qapp, "id")
    assert current_language() == "id"


def visible_texts(root: QWidget) -> set[str]:
    texts = {root.windowTitle()}
    for label in root.findChildren(QLabel):
        texts.add(label.text())
    for button in root.findChildren(QAbstractButton):
        texts.add(button.text())
    for line in root.findChildren(QLineEdit):
        texts.add(line.placeholderText())
    return {t for t in texts if t.strip()}


def test_ts_file_reads_into_messages() -> None:
    messages = load_ts(ts_path("en"))
    assert messages[("LoginDialog", "Masuk")] == "Sign in"
    assert all(text.strip() for text in messages.values())


def test_ts_file_compiles_with_lrelease(tmp_path: Path) -> None:
    beside = Path(sys.executable).with_name("pyside6-lrelease")
    lrelease = str(beside) if beside.exists() else shutil.which("pyside6-lrelease")
    if lrelease is None:
        pytest.skip("pyside6-lrelease not installed")
    out = tmp_path / "en.qm"
    subprocess.run([lrelease, str(ts_path("en")), "-qm", str(out)], check=True, capture_output=True)
    assert out.stat().st_size > 0


def dialog_texts(qtbot: QtBot, station: Station) -> set[str]:
    dialog = LoginDialog(station)
    qtbot.addWidget(dialog)
    dialog.show()
    texts = visible_texts(dialog)
    dialog.close()
    return texts


@pytest.mark.parametrize("first_run", [True, False])
def test_english_changes_every_visible_string(
    qtbot: QtBot, make_station: MakeStation, qapp: QApplication, first_run: bool
) -> None:
    station = make_station(sign_in=False)
    if not first_run:
        station.create_first_account("SITI", "246802")
        station.sign_out()
    indonesian = dialog_texts(qtbot, station)
    assert "Batal" in indonesian
    install_translator(qapp, "en")
    try:
        assert current_language() == "en"
        english = dialog_texts(qtbot, station)
    finally:
        install_translator(qapp, "id")
    same = (indonesian & english) - {"PIN"}  # the same word in both languages
    assert not same
    assert "Cancel" in english and len(english) == len(indonesian)


def test_messages_follow_the_language(
    qtbot: QtBot, make_station: MakeStation, english: None
) -> None:
    station = make_station(sign_in=False)
    station.create_first_account("SITI", "246802")
    station.sign_out()
    dialog = LoginDialog(station)
    qtbot.addWidget(dialog)
    dialog.name_input.setText("SITI")
    dialog.pin_input.setText("1111")
    dialog.accept()
    assert dialog.message.text() == "Wrong name or PIN. Try again."


def test_untranslated_text_falls_back_to_indonesian(english: None) -> None:
    assert QCoreApplication.translate("LoginDialog", "Tidak ada") == "Tidak ada"
    assert QCoreApplication.translate("LoginDialog", "Batal") == "Cancel"


def test_unknown_language_keeps_indonesian(qapp: QApplication) -> None:
    assert install_translator(qapp, "xx") is None
    assert current_language() == "id"
