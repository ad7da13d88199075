"""Signing in by keyboard: the first account becomes the supervisor, wrong PINs are refused and
after a few the core locks the name (whichever dialog asks), and ``run_station`` opens the
window as that operator."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog
from pytestqt.qtbot import QtBot

from ektp_station.gui.app import run_station, sign_in
from ektp_station.gui.login import LoginDialog
from ektp_station.gui.main_window import MainWindow
from ektp_station.settings import Settings
from ektp_station.station import Station
from ektp_station.station.accounts import LOCK_SECONDS, MAX_ATTEMPTS, Accounts

MakeStation = Callable[..., Station]


@pytest.fixture
def counter(make_station: MakeStation) -> Station:
    """A station nobody is signed in to, with a supervisor SITI and an operator BUDI."""
    station = make_station(sign_in=False)
    station.create_first_account("SITI", "246802")
    station.add_operator("BUDI", "1357")
    station.sign_out()
    return station


def open_dialog(qtbot: QtBot, station: Station) -> LoginDialog:
    widget = LoginDialog(station)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    widget.activateWindow()
    qtbot.waitUntil(widget.name_input.hasFocus)
    return widget


@pytest.fixture
def dialog(qtbot: QtBot, counter: Station) -> Iterator[LoginDialog]:
    yield open_dialog(qtbot, counter)


def type_in(qtbot: QtBot, dialog: LoginDialog, name: str, pin: str) -> None:
    qtbot.keyClicks(dialog.name_input, name)
    qtbot.keyClick(dialog.name_input, Qt.Key.Key_Tab)
    assert dialog.pin_input.hasFocus()
    qtbot.keyClicks(dialog.pin_input, pin)
    qtbot.keyClick(dialog.pin_input, Qt.Key.Key_Return)


def test_first_run_creates_the_supervisor(qtbot: QtBot, make_station: MakeStation) -> None:
    station = make_station(sign_in=False)
    dialog = LoginDialog(station)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.first_run and dialog.ok_button.text() == "Buat akun"
    assert dialog.confirm_input is not None
    qtbot.keyClicks(dialog.name_input, "siti aminah")
    qtbot.keyClicks(dialog.pin_input, "246802")
    qtbot.keyClicks(dialog.confirm_input, "246800")
    qtbot.keyClick(dialog.confirm_input, Qt.Key.Key_Return)
    assert "berbeda" in dialog.message.text() and dialog.isVisible()
    assert station.accounts.first_run() and station.actor is None
    qtbot.keyClicks(dialog.pin_input, "246802")
    qtbot.keyClicks(dialog.confirm_input, "246802")
    with qtbot.waitSignal(dialog.accepted):
        qtbot.keyClick(dialog.confirm_input, Qt.Key.Key_Return)
    assert dialog.actor is not None
    assert dialog.actor.name == "SITI AMINAH" and dialog.actor.is_supervisor
    assert station.actor == dialog.actor  # the station acts as the new account
    assert not station.accounts.first_run()


def test_pin_field_is_masked_and_takes_digits_only(qtbot: QtBot, dialog: LoginDialog) -> None:
    assert dialog.pin_input.echoMode() is dialog.pin_input.EchoMode.Password
    qtbot.keyClicks(dialog.pin_input, "12ab34")
    assert dialog.pin_input.text() == "1234"


def test_right_pin_signs_in(qtbot: QtBot, dialog: LoginDialog, counter: Station) -> None:
    assert not dialog.first_run and dialog.confirm_input is None
    with qtbot.waitSignal(dialog.accepted):
        type_in(qtbot, dialog, "budi", "1357")
    assert dialog.actor is not None
    assert (dialog.actor.name, dialog.actor.role) == ("BUDI", "operator")
    assert counter.actor == dialog.actor
    assert dialog.result() == QDialog.DialogCode.Accepted


def lock_out(qtbot: QtBot, dialog: LoginDialog) -> None:
    """MAX_ATTEMPTS wrong PINs for SITI, by keyboard."""
    type_in(qtbot, dialog, "SITI", "1111")
    for _ in range(MAX_ATTEMPTS - 1):
        qtbot.keyClicks(dialog.pin_input, "1111")
        qtbot.keyClick(dialog.pin_input, Qt.Key.Key_Return)


def is_locked(dialog: LoginDialog) -> bool:
    return not (
        dialog.ok_button.isEnabled()
        or dialog.pin_input.isEnabled()
        or dialog.name_input.isEnabled()
    )


def test_wrong_pin_is_refused_and_the_core_locks_after_a_few(
    qtbot: QtBot, dialog: LoginDialog, counter: Station
) -> None:
    type_in(qtbot, dialog, "SITI", "1111")
    assert dialog.isVisible() and dialog.actor is None
    assert dialog.message.text() == "Nama atau PIN salah. Coba lagi."
    assert dialog.pin_input.text() == "" and dialog.pin_input.hasFocus()
    assert not is_locked(dialog)
    for _ in range(MAX_ATTEMPTS - 1):
        qtbot.keyClicks(dialog.pin_input, "1111")
        qtbot.keyClick(dialog.pin_input, Qt.Key.Key_Return)
    assert is_locked(dialog)
    assert dialog.message.text() == (
        f"{MAX_ATTEMPTS} kali salah. Tunggu {LOCK_SECONDS} detik, atau minta supervisor."
    )
    dialog.pin_input.setText("246802")
    dialog.accept()  # even the right PIN waits out the lock
    assert dialog.actor is None and counter.actor is None


def test_a_new_dialog_over_the_same_station_is_still_locked(
    qtbot: QtBot, dialog: LoginDialog, counter: Station
) -> None:
    lock_out(qtbot, dialog)
    assert is_locked(dialog)
    dialog.reject()
    again = open_dialog(qtbot, counter)  # closing the dialog does not reset the count
    assert not is_locked(again)  # nothing says which names are locked before one is tried
    type_in(qtbot, again, "siti", "246802")  # the right PIN
    assert again.isVisible() and again.actor is None and counter.actor is None
    assert is_locked(again)
    assert again.message.text().startswith(f"{MAX_ATTEMPTS} kali salah. Tunggu ")


def test_the_dialog_unlocks_when_the_cores_lock_ends(
    qtbot: QtBot, dialog: LoginDialog, counter: Station
) -> None:
    now = [1000.0]
    counter.accounts = Accounts(counter.accounts.store, clock=lambda: now[0])
    lock_out(qtbot, dialog)
    assert is_locked(dialog)
    dialog.reject()
    now[0] += LOCK_SECONDS - 0.5  # half a second left on the core's clock
    again = open_dialog(qtbot, counter)
    type_in(qtbot, again, "SITI", "246802")
    assert is_locked(again)
    assert again.message.text().startswith(f"{MAX_ATTEMPTS} kali salah. Tunggu 1 detik")
    qtbot.waitUntil(lambda: not is_locked(again), timeout=5000)  # the dialog's own timer
    assert again.message.text() == "" and again.pin_input.hasFocus()
    now[0] += 1
    qtbot.keyClicks(again.pin_input, "246802")
    with qtbot.waitSignal(again.accepted):
        qtbot.keyClick(again.pin_input, Qt.Key.Key_Return)  # Enter signs in, not "Batal"
    assert again.actor is not None and again.actor.is_supervisor
    assert counter.actor == again.actor


def test_escape_cancels(qtbot: QtBot, dialog: LoginDialog, counter: Station) -> None:
    with qtbot.waitSignal(dialog.rejected):
        qtbot.keyClick(dialog.name_input, Qt.Key.Key_Escape)
    assert dialog.actor is None and counter.actor is None


def test_sign_in_returns_the_actor(counter: Station) -> None:
    def fill_in() -> None:
        dialog = next(w for w in QApplication.topLevelWidgets() if isinstance(w, LoginDialog))
        dialog.name_input.setText("budi")
        dialog.pin_input.setText("1357")
        dialog.ok_button.click()

    QTimer.singleShot(0, fill_in)
    actor = sign_in(counter)
    assert actor is not None and actor.name == "BUDI" and counter.actor == actor


def test_run_station_signs_in_then_opens_the_window_as_that_operator(counter: Station) -> None:
    seen: list[tuple[str, str, bool]] = []

    def close_window() -> None:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, MainWindow) and widget.isVisible():
                actor = widget.station.actor
                assert actor is not None
                seen.append((widget.windowTitle(), actor.name, widget.station.is_supervisor))
                widget.close()
                widget.deleteLater()

    def fill_in() -> None:
        dialog = next(w for w in QApplication.topLevelWidgets() if isinstance(w, LoginDialog))
        dialog.name_input.setText("budi")
        dialog.pin_input.setText("1357")
        QTimer.singleShot(0, close_window)
        dialog.ok_button.click()

    QTimer.singleShot(0, fill_in)
    assert run_station(counter.paths, Settings(station_id="ST-A")) == 0
    assert len(seen) == 1
    title, operator, supervisor = seen[0]
    assert "Operator: BUDI" in title and "ST-A" in title
    assert operator == "BUDI" and not supervisor


def test_run_station_without_signing_in_opens_nothing(counter: Station) -> None:
    def cancel() -> None:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, LoginDialog):
                widget.reject()

    QTimer.singleShot(0, cancel)
    assert run_station(counter.paths, Settings(station_id="ST-A")) == 0
    assert not [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)]
