"""A batch answered with rejections or conflicts is told at once in the window, in words,
until the queue or the dashboard is opened."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from ektp_station.station import Station
from ektp_station.sync.engine import Progress

from helpers import show_window


def test_rejections_and_conflicts_are_told_until_the_queue_is_opened(
    qtbot: QtBot, station: Station
) -> None:
    window = show_window(qtbot, station)
    assert not window.entry_notice.isVisible()
    with qtbot.waitSignal(window.bridge.progress):  # all delivered: nothing to tell
        window.bridge.sync_progress(Progress(5, 5, 0, 0, 5, 0))
    assert not window.entry_notice.isVisible()
    window.bridge.sync_progress(Progress(4, 1, 2, 1, 6, 0))
    qtbot.waitUntil(window.entry_notice.isVisible)
    text = window.entry_notice.text()
    assert "2 entri ditolak pusat" in text and "1 entri menjadi konflik" in text
    window.bridge.sync_progress(Progress(1, 0, 1, 0, 6, 0))
    qtbot.waitUntil(lambda: "3 entri ditolak pusat" in window.entry_notice.text())
    window.tabs.setCurrentWidget(window.queue_tab)
    assert not window.entry_notice.isVisible()
