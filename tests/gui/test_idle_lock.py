"""The idle lock: after idle-lock-minutes without a key or a click the window hides its
contents, signs the operator out and asks for the PIN again; input resets the time; Esc keeps
it locked; the right PIN (of this or another operator) opens it again."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from ektp_station.gui.app import build_window
from ektp_station.gui.idle import IdleLock
from ektp_station.gui.main_window import MainWindow
from ektp_station.settings import Settings
from ektp_station.station import Station

from factories import make_record

MakeStation = Callable[..., Station]


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def locked_window(qtbot: QtBot, make_station: MakeStation) -> tuple[MainWindow, IdleLock, Clock]:
    station = make_station(
        sign_in=False, settings=Settings(station_id="ST-UJI-01", idle_lock_minutes=2)
    )
    station.create_first_account("KEPALA", "135790")
    station.add_operator("SITI", "2468")
    station.sign_in("SITI", "2468")
    window = build_window(station)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    clock = Clock()
    window.idle_lock.stop()
    lock = IdleLock(window, 2, clock=clock)
    return window, lock, clock


def test_idle_for_the_set_minutes_locks_the_window(qtbot: QtBot, make_station: MakeStation) -> None:
    window, lock, clock = locked_window(qtbot, make_station)
    window.form.load_record(make_record(5))  # a resident's record on screen, not saved yet
    clock.now += 119
    lock.check()
    assert not lock.is_locked
    clock.now += 2
    lock.check()
    assert lock.is_locked and not window.centralWidget().isVisible()
    assert window.station.actor is None  # signed out
    assert lock.dialog is not None and lock.dialog.isVisible()
    assert "Operator: –" in window.windowTitle()


def test_input_resets_the_idle_time(qtbot: QtBot, make_station: MakeStation) -> None:
    window, lock, clock = locked_window(qtbot, make_station)
    clock.now += 100
    qtbot.keyClick(window.form.inputs["nik"], Qt.Key.Key_3)  # the operator is there
    clock.now += 100
    lock.check()
    assert not lock.is_locked


def test_escape_keeps_it_locked_and_the_pin_opens_it(
    qtbot: QtBot, make_station: MakeStation
) -> None:
    window, lock, clock = locked_window(qtbot, make_station)
    window.form.load_record(make_record(6))
    clock.now += 200
    lock.check()
    first = lock.dialog
    assert first is not None
    qtbot.keyClick(first.name_input, Qt.Key.Key_Escape)
    qtbot.waitUntil(
        lambda: lock.dialog is not None and lock.dialog is not first and lock.dialog.isVisible()
    )
    assert lock.is_locked and not window.centralWidget().isVisible()
    dialog = lock.dialog
    assert dialog is not None
    qtbot.keyClicks(dialog.name_input, "siti")
    qtbot.keyClicks(dialog.pin_input, "2468")
    qtbot.keyClick(dialog.pin_input, Qt.Key.Key_Return)
    assert not lock.is_locked and window.centralWidget().isVisible()
    assert window.station.actor is not None and window.station.actor.name == "SITI"
    assert window.form.text_of("full_name") == "BUDI SANTOSO"  # the typing waited, hidden
    assert "Operator: SITI" in window.windowTitle()


def test_another_supervisor_may_open_it_with_a_supervisors_rights(
    qtbot: QtBot, make_station: MakeStation
) -> None:
    window, lock, clock = locked_window(qtbot, make_station)
    assert not window.settings_action.isEnabled()
    clock.now += 200
    lock.check()
    dialog = lock.dialog
    assert dialog is not None
    qtbot.keyClicks(dialog.name_input, "kepala")
    qtbot.keyClicks(dialog.pin_input, "135790")
    qtbot.keyClick(dialog.pin_input, Qt.Key.Key_Return)
    assert window.station.actor is not None and window.station.actor.is_supervisor
    assert window.settings_action.isEnabled()


def test_zero_minutes_never_locks(qtbot: QtBot, make_station: MakeStation) -> None:
    window, _lock, clock = locked_window(qtbot, make_station)
    never = IdleLock(window, 0, clock=clock)
    clock.now += 10_000
    never.check()
    assert not never.is_locked
