"""Signing out and in as someone else (Ctrl+L), quitting (Ctrl+Q), where each role lands, and
the station menu's mnemonics — in both languages."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from ektp_station.gui.i18n import install_translator
from ektp_station.gui.main_window import MainWindow
from ektp_station.settings import Settings
from ektp_station.station import Station, SyncLife

from helpers import show_window

MakeStation = Callable[..., Station]


def window_of(qtbot: QtBot, make_station: MakeStation) -> MainWindow:
    station = make_station(sign_in=False, settings=Settings(station_id="ST-UJI-01"))
    station.create_first_account("KEPALA", "135790")
    station.add_operator("SITI", "2468")
    station.sign_in("SITI", "2468")
    window = show_window(qtbot, station, active=True)
    window.land()
    return window


def test_ctrl_l_signs_out_and_a_supervisor_lands_on_the_dashboard(
    qtbot: QtBot, make_station: MakeStation
) -> None:
    window = window_of(qtbot, make_station)
    assert window.tabs.currentIndex() == 0 and "Operator: SITI" in window.windowTitle()
    nik = window.form.inputs["nik"]
    qtbot.keyClick(nik, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    lock = window.idle_lock
    assert lock.is_locked and window.station.actor is None
    assert not window.centralWidget().isVisible()
    dialog = lock.dialog
    assert dialog is not None and dialog.isVisible()
    qtbot.keyClicks(dialog.name_input, "kepala")
    qtbot.keyClicks(dialog.pin_input, "135790")
    qtbot.keyClick(dialog.pin_input, Qt.Key.Key_Return)
    actor = window.station.actor
    assert actor is not None and actor.name == "KEPALA" and actor.is_supervisor
    assert "Supervisor: KEPALA" in window.windowTitle()
    assert window.tabs.currentWidget() is window.dashboard
    assert window.settings_action.isEnabled() and window.recovery_action.isEnabled()


def test_ctrl_q_quits_and_stops_sending(qtbot: QtBot, make_station: MakeStation) -> None:
    window = window_of(qtbot, make_station)
    window.start_sync()
    qtbot.keyClick(window.form.inputs["nik"], Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not window.isVisible())
    assert window.station.sync_life is not SyncLife.RUNNING


@pytest.fixture(params=["id", "en"])
def language(request: pytest.FixtureRequest, qapp: QApplication) -> Iterator[str]:
    install_translator(qapp, request.param)
    yield request.param
    install_translator(qapp, "id")


def test_the_menus_mnemonics_do_not_clash(
    qtbot: QtBot, make_station: MakeStation, language: str
) -> None:
    window = window_of(qtbot, make_station)
    for menu_action in window.menuBar().actions():
        menu = menu_action.menu()
        keys = [
            a.text().split("&", 1)[1][0].lower()
            for a in menu.actions()  # type: ignore[union-attr]
            if "&" in a.text()
        ]
        assert len(keys) == len(set(keys)), (language, menu_action.text(), keys)
    bar = [a.text().split("&", 1)[1][0].lower() for a in window.menuBar().actions()]
    assert len(bar) == len(set(bar))
