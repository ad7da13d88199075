"""The supervisor's recovery key in the window: reminded in the banner until written down,
shown once in a dialog (Stasiun › Kunci pemulihan…), refused after; an operator sees neither."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from ektp_station.gui.main_window import MainWindow
from ektp_station.gui.recovery import RecoveryKeyDialog
from ektp_station.station import Station
from ektp_station.store.keys import parse_recovery_key

from helpers import show_window


def open_window(qtbot: QtBot, station: Station) -> MainWindow:
    return show_window(qtbot, station)


def test_an_operator_sees_no_reminder_and_cannot_show_the_key(
    qtbot: QtBot, station: Station
) -> None:
    window = open_window(qtbot, station)
    window.check_health()
    assert not window.banner.isVisible()
    assert not window.recovery_action.isEnabled()
    assert window.open_recovery_key() is None
    assert "Hanya supervisor" in window.status_bar.currentMessage()


def test_a_supervisor_writes_the_key_down_once(qtbot: QtBot, supervisor: Station) -> None:
    window = open_window(qtbot, supervisor)
    window.check_health()
    assert window.banner.isVisible() and "Kunci pemulihan antrean belum dicatat" in (
        window.banner.text()
    )
    assert window.recovery_action.isEnabled()
    window.recovery_action.trigger()
    dialog = window.findChild(RecoveryKeyDialog)
    assert isinstance(dialog, RecoveryKeyDialog)
    qtbot.waitExposed(dialog)
    shown = dialog.key_label.text()
    assert re.fullmatch(r"(?:[A-Z2-7]{4}-){13}[A-Z2-7]{4}", shown)
    assert parse_recovery_key(shown) == supervisor.queue.key.key  # it is the queue's key
    with qtbot.waitSignal(dialog.finished):
        dialog.accept()
    qtbot.waitUntil(lambda: not window.banner.isVisible())
    assert window.open_recovery_key() is None  # once only
    assert "sudah ditampilkan" in window.status_bar.currentMessage()


def test_a_lost_key_is_put_back_at_start_up_with_the_recovery_key(
    qtbot: QtBot, supervisor: Station, _key_folder: Path
) -> None:
    from ektp_station.errors import KeyMissing
    from ektp_station.gui.recovery import RecoveryKeyEntry

    recovery = supervisor.recovery_key()
    supervisor.recovery_key_noted()
    paths, settings = supervisor.paths, supervisor.settings
    supervisor.close()
    for key_file in _key_folder.glob("*.key"):
        key_file.unlink()
    with pytest.raises(KeyMissing) as missing:
        Station.open(paths, settings=settings)
    entry = RecoveryKeyEntry(paths, missing.value.message("id"))
    qtbot.addWidget(entry)
    entry.show()
    qtbot.keyClicks(entry.key_edit, "ABCD-" * 13 + "ABCD")  # well formed, wrong checksum
    entry.try_key()
    assert entry.isVisible() and "Kunci pemulihan salah" in entry.error_label.text()
    assert list(_key_folder.glob("*.key")) == []
    entry.key_edit.setText(recovery.lower())
    with qtbot.waitSignal(entry.accepted):
        entry.try_key()
    reopened = Station.open(paths, settings=settings)
    try:
        assert reopened.queue.queue_id == supervisor.queue.queue_id
    finally:
        reopened.close()


def test_a_dialog_closed_without_writing_it_down_shows_the_key_again(
    qtbot: QtBot, supervisor: Station
) -> None:
    window = open_window(qtbot, supervisor)
    first = window.open_recovery_key()
    assert first is not None
    key = first.key_label.text()
    with qtbot.waitSignal(first.finished):
        first.reject()  # Esc: not written down
    assert window.banner.isVisible()
    second = window.open_recovery_key()
    assert second is not None and second.key_label.text() == key
    with qtbot.waitSignal(second.finished):
        second.accept()
    assert window.open_recovery_key() is None
