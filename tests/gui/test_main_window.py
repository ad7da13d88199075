"""The whole window over a real queue: without a centre, and with one that cannot be reached."""

from __future__ import annotations

import socket
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from ektp_station.gui.app import build_window, run_window
from ektp_station.gui.main_window import MainWindow
from ektp_station.gui.status_bar import NOT_CONFIGURED
from ektp_station.paths import AppPaths
from ektp_station.settings import Settings
from ektp_station.store import Queue
from ektp_station.sync.engine import Link

from factories import make_record


@dataclass
class FakeCli:
    """What ``cli.Context`` offers the window."""

    paths: AppPaths
    settings: Settings
    the_queue: Queue

    def queue(self) -> Queue:
        return self.the_queue


def open_window(qtbot: QtBot, data_dir: Path, queue: Queue, settings: Settings) -> MainWindow:
    window = build_window(FakeCli(AppPaths.resolve(data_dir), settings, queue), operator="SITI")
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def test_window_opens_without_a_centre(qtbot: QtBot, data_dir: Path, queue: Queue) -> None:
    queue.enqueue(make_record(1), operator="ANI", station_id="ST-A")
    window = open_window(qtbot, data_dir, queue, Settings(station_id="ST-A"))
    assert window.station.engine is None
    assert "SITI" in window.windowTitle() and "ST-A" in window.windowTitle()
    tabs = [window.tabs.tabText(i) for i in range(window.tabs.count())]
    assert [t.split(" (")[0] for t in tabs] == ["Perekaman", "Antrean", "Dasbor"]
    assert window.status_bar.link_label.text() == NOT_CONFIGURED
    assert window.status_bar.pending_label.text() == "Menunggu: 1"
    assert window.form.city_code == "32.76"
    assert window.form.save_button.isVisible()
    window.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_saving_wakes_the_engine_and_the_status_shows_the_link_down(
    qtbot: QtBot, data_dir: Path, queue: Queue
) -> None:
    settings = Settings(
        station_id="ST-A", central_url=f"http://127.0.0.1:{free_port()}", token="t" * 32
    )
    window = open_window(qtbot, data_dir, queue, settings)
    engine = window.station.engine
    assert engine is not None
    window.station.start_sync()
    form = window.form
    form.confirm_warnings = lambda _w: True
    form.load_record(make_record(2))
    with qtbot.waitSignal(form.saved):
        form.save_button.click()
    qtbot.waitUntil(
        lambda: window.status_bar.link_label.text().startswith("Terputus"), timeout=10000
    )
    qtbot.waitUntil(lambda: window.status_bar.pending_label.text() == "Menunggu: 1", timeout=10000)
    window.close()
    assert window.station.engine is None
    assert engine.state.link is Link.STOPPED


def test_run_window_returns_when_the_window_closes(
    qtbot: QtBot, data_dir: Path, queue: Queue
) -> None:
    cli = FakeCli(AppPaths.resolve(data_dir), Settings(station_id="ST-A"), queue)

    opened: list[MainWindow] = []

    def close_it() -> None:
        opened.extend(w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow))
        for window in opened:
            window.close()
            window.deleteLater()

    QTimer.singleShot(0, close_it)
    assert run_window(cli) == 0
    assert len(opened) == 1
