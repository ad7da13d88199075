"""Signing in by keyboard: the first account becomes the supervisor, wrong PINs are refused
and lock the dialog after a few tries, and ``run_station`` opens the window as that operator."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog
from pytestqt.qtbot import QtBot

from ektp_station.gui.app import run_station
from ektp_station.gui.login import MAX_ATTEMPTS, LoginDialog
from ektp_station.gui.main_window import MainWindow
from ektp_station.paths import AppPaths
from ektp_station.settings import Settings
from ektp_station.store import Queue
from ektp_station.store.operators import Operators


@pytest.fixture
def accounts(queue: Queue) -> Operators:
    return Operators(queue.engine)


@pytest.fixture
def dialog(qtbot: QtBot, accounts: Operators) -> Iterator[LoginDialog]:
    accounts.create("SITI", "2468")
    accounts.create("BUDI", "1357")
    widget = LoginDialog(accounts)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    widget.activateWindow()
    qtbot.waitUntil(widget.name_input.hasFocus)
    yield widget


def type_in(qtbot: QtBot, dialog: LoginDialog, name: str, pin: str) -> None:
    qtbot.keyClicks(dialog.name_input, name)
    qtbot.keyClick(dialog.name_input, Qt.Key.Key_Tab)
    assert dialog.pin_input.hasFocus()
    qtbot.keyClicks(dialog.pin_input, pin)
    qtbot.keyClick(dialog.pin_input, Qt.Key.Key_Return)


def test_first_run_creates_the_supervisor(qtbot: QtBot, accounts: Operators) -> None:
    dialog = LoginDialog(accounts)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.first_run and dialog.ok_button.text() == "Buat akun"
    assert dialog.confirm_input is not None
    qtbot.keyClicks(dialog.name_input, "siti aminah")
    qtbot.keyClicks(dialog.pin_input, "2468")
    qtbot.keyClicks(dialog.confirm_input, "2460")
    qtbot.keyClick(dialog.confirm_input, Qt.Key.Key_Return)
    assert "berbeda" in dialog.message.text() and dialog.isVisible()
    assert accounts.count() == 0
    qtbot.keyClicks(dialog.pin_input, "2468")
    qtbot.keyClicks(dialog.confirm_input, "2468")
    with qtbot.waitSignal(dialog.accepted):
        qtbot.keyClick(dialog.confirm_input, Qt.Key.Key_Return)
    assert dialog.operator is not None
    assert dialog.operator.name == "SITI AMINAH" and dialog.operator.is_supervisor


def test_pin_field_is_masked_and_takes_digits_only(qtbot: QtBot, dialog: LoginDialog) -> None:
    assert dialog.pin_input.echoMode() is dialog.pin_input.EchoMode.Password
    qtbot.keyClicks(dialog.pin_input, "12ab34")
    assert dialog.pin_input.text() == "1234"


def test_right_pin_signs_in(qtbot: QtBot, dialog: LoginDialog) -> None:
    assert not dialog.first_run and dialog.confirm_input is None
    with qtbot.waitSignal(dialog.accepted):
        type_in(qtbot, dialog, "budi", "1357")
    assert dialog.operator is not None
    assert (dialog.operator.name, dialog.operator.role) == ("BUDI", "operator")
    assert dialog.result() == QDialog.DialogCode.Accepted


def test_wrong_pin_is_refused_and_locks_after_a_few(qtbot: QtBot, dialog: LoginDialog) -> None:
    type_in(qtbot, dialog, "SITI", "1111")
    assert dialog.isVisible() and dialog.operator is None
    assert dialog.message.text() == "Nama atau PIN salah. Coba lagi."
    assert dialog.pin_input.text() == "" and dialog.pin_input.hasFocus()
    for _ in range(MAX_ATTEMPTS - 1):
        qtbot.keyClicks(dialog.pin_input, "1111")
        qtbot.keyClick(dialog.pin_input, Qt.Key.Key_Return)
    assert not dialog.ok_button.isEnabled() and not dialog.pin_input.isEnabled()
    dialog.pin_input.setText("2468")
    dialog.accept()  # even the right PIN waits out the lock
    assert dialog.operator is None
    dialog._unlock()  # the timer's slot, without waiting for it
    dialog.pin_input.setText("2468")
    dialog.accept()
    assert dialog.operator is not None and dialog.operator.is_supervisor


def test_escape_cancels(qtbot: QtBot, dialog: LoginDialog) -> None:
    with qtbot.waitSignal(dialog.rejected):
        qtbot.keyClick(dialog.name_input, Qt.Key.Key_Escape)
    assert dialog.operator is None


@dataclass
class FakeCli:
    paths: AppPaths
    settings: Settings
    the_queue: Queue

    def queue(self) -> Queue:
        return self.the_queue


def test_run_station_signs_in_then_opens_the_window_as_that_operator(
    data_dir: Path, queue: Queue, accounts: Operators
) -> None:
    accounts.create("SITI", "2468")
    accounts.create("BUDI", "1357")
    seen: list[tuple[str, str, bool]] = []

    def close_window() -> None:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, MainWindow) and widget.isVisible():
                station = widget.station
                seen.append((widget.windowTitle(), station.operator, station.is_supervisor))
                widget.close()
                widget.deleteLater()

    def sign_in() -> None:
        dialog = next(w for w in QApplication.topLevelWidgets() if isinstance(w, LoginDialog))
        dialog.name_input.setText("budi")
        dialog.pin_input.setText("1357")
        QTimer.singleShot(0, close_window)
        dialog.ok_button.click()

    QTimer.singleShot(0, sign_in)
    cli = FakeCli(AppPaths.resolve(data_dir), Settings(station_id="ST-A"), queue)
    assert run_station(cli) == 0
    assert len(seen) == 1
    title, operator, supervisor = seen[0]
    assert "Operator: BUDI" in title and operator == "BUDI" and not supervisor


def test_run_station_without_signing_in_opens_nothing(data_dir: Path, queue: Queue) -> None:
    def cancel() -> None:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, LoginDialog):
                widget.reject()

    QTimer.singleShot(0, cancel)
    cli = FakeCli(AppPaths.resolve(data_dir), Settings(station_id="ST-A"), queue)
    assert run_station(cli) == 0
    assert not [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)]
