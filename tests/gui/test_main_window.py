"""The whole window over the station core: without a centre, with one that cannot be reached;
the core's one change notification refreshes the views; slow reads run off the GUI thread;
the one error hook shows a translated message and logs no exception message."""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Callable, Iterator
from datetime import datetime

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from ektp_station.errors import NotAllowed
from ektp_station.gui import receipt as receipt_module
from ektp_station.gui.app import build_window, run_window
from ektp_station.gui.crash import ErrorHook, install_error_hook
from ektp_station.gui.i18n import install_translator
from ektp_station.gui.main_window import MainWindow
from ektp_station.gui.receipt import RECEIPTS_DIR, ReceiptWriter
from ektp_station.settings import Settings
from ektp_station.station import Changes, DashboardReport, Permission, Station
from ektp_station.store import State
from ektp_station.sync.engine import Link

from factories import make_record

MakeStation = Callable[..., Station]


def open_window(qtbot: QtBot, station: Station) -> MainWindow:
    window = build_window(station)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def rows(window: MainWindow) -> list[int]:
    model = window.queue_tab.model
    return [model.seq_at(r) for r in range(model.rowCount())]


def test_window_opens_without_a_centre(qtbot: QtBot, make_station: MakeStation) -> None:
    station = make_station(settings=Settings(station_id="ST-A"))
    station.queue.enqueue(make_record(1), operator="ANI", station_id="ST-A")
    window = open_window(qtbot, station)
    assert window.station is station and station.engine is None
    assert "SITI" in window.windowTitle() and "ST-A" in window.windowTitle()
    assert "Operator: SITI" in window.windowTitle()
    tabs = [window.tabs.tabText(i) for i in range(window.tabs.count())]
    assert [t.split(" (")[0] for t in tabs] == ["Perekaman", "Antrean", "Dasbor"]
    assert window.status_bar.link_label.text() == "Pusat belum diatur"
    assert not window.status_bar.send_button.isEnabled()
    assert window.status_bar.pending_label.text() == "Menunggu: 1"
    assert window.form.city_code == "32.76"
    assert window.form.save_button.isVisible()
    window.close()


def test_settings_that_forbid_sending_leave_capture_working_and_say_why(
    qtbot: QtBot, make_station: MakeStation
) -> None:
    # config.json edited by hand to plain http to another host: the token must not travel
    insecure = Settings(station_id="ST-A", central_url="http://203.0.113.7:8765", token="t" * 32)
    station = make_station(settings=insecure)
    window = open_window(qtbot, station)
    window.start_sync()  # refused before any connection; the window stays open
    assert station.engine is None
    assert "https" in window.status_bar.currentMessage()
    assert window.form.save_button.isEnabled()
    window.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_saving_wakes_the_engine_and_the_status_shows_the_link_down(
    qtbot: QtBot, make_station: MakeStation
) -> None:
    settings = Settings(
        station_id="ST-A", central_url=f"http://127.0.0.1:{free_port()}", token="t" * 32
    )
    station = make_station(settings=settings)
    window = open_window(qtbot, station)
    assert station.engine is None  # nothing is sent before start_sync
    window.start_sync()
    engine = station.engine
    assert engine is not None and engine.running
    form = window.form
    form.confirm_warnings = lambda _w: True
    form.load_record(make_record(2))
    with qtbot.waitSignal(form.saved):
        form.save_button.click()
    qtbot.waitUntil(
        lambda: window.status_bar.link_label.text().startswith("Jaringan putus"), timeout=10000
    )
    qtbot.waitUntil(lambda: window.status_bar.pending_label.text() == "Menunggu: 1", timeout=10000)
    window.close()  # stops the engine
    assert station.engine is None
    assert engine.state.link is Link.STOPPED and not engine.running


def test_run_window_returns_when_the_window_closes(qtbot: QtBot, station: Station) -> None:
    opened: list[MainWindow] = []

    def close_it() -> None:
        opened.extend(w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow))
        for window in opened:
            window.close()
            window.deleteLater()

    QTimer.singleShot(0, close_it)
    assert run_window(station) == 0
    assert len(opened) == 1 and opened[0].station is station


# -- the one change notification ------------------------------------------------------------


def test_a_capture_outside_the_form_is_one_signal_and_the_queue_tab_lists_it(
    qtbot: QtBot, station: Station
) -> None:
    window = open_window(qtbot, station)
    window.tabs.setCurrentWidget(window.queue_tab)
    assert rows(window) == []
    seen: list[Changes] = []
    window.bridge.changed.connect(seen.append)
    captured = station.capture(make_record(3), confirmed=True)  # not through the form
    seq = captured.entry.seq
    assert seen == [Changes("capture", entries=(seq,), queue=True)]  # one signal, re-emitted
    assert rows(window) == [seq]
    assert window.queue_tab.count_label.text() == "1 dari 1 entri"
    assert window.status_bar.pending_label.text() == "Menunggu: 1"

    station.discard(seq, "contoh")
    assert [c.origin for c in seen] == ["capture", "discard"]
    assert window.queue_tab.model.data(window.queue_tab.model.index(0, 1)) == "Dibatalkan"
    assert window.status_bar.pending_label.text() == "Menunggu: 0"
    window.close()


def test_a_change_from_another_thread_reaches_the_views_on_the_gui_thread(
    qtbot: QtBot, station: Station
) -> None:
    window = open_window(qtbot, station)
    on_thread: list[int] = []
    window.bridge.changed.connect(lambda _c: on_thread.append(threading.get_ident()))
    worker = threading.Thread(target=lambda: station.capture(make_record(4), confirmed=True))
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: rows(window) == [1])
    assert on_thread == [threading.get_ident()]  # queued to the GUI thread, once
    assert window.status_bar.pending_label.text() == "Menunggu: 1"
    window.close()


def test_the_title_follows_who_is_signed_in(qtbot: QtBot, make_station: MakeStation) -> None:
    station = make_station(sign_in=False)
    station.create_first_account("SUPERVISOR SATU", "123456")
    station.add_operator("BUDI", "1357")
    window = open_window(qtbot, station)
    assert "Supervisor: SUPERVISOR SATU" in window.windowTitle()
    station.sign_out()  # the core's session change: the window retitles itself
    assert "SUPERVISOR SATU" not in window.windowTitle()
    station.sign_in("budi", "1357")
    assert window.windowTitle().endswith("Operator: BUDI")
    window.close()


# -- slow reads off the GUI thread ----------------------------------------------------------


def test_the_dashboard_report_is_read_off_the_gui_thread(
    qtbot: QtBot, supervisor: Station, monkeypatch: pytest.MonkeyPatch
) -> None:
    supervisor.queue.enqueue(make_record(5), operator="ANI", station_id="ST-A")
    read_on: list[int] = []
    real = supervisor.dashboard

    def dashboard(now: datetime) -> DashboardReport:
        read_on.append(threading.get_ident())
        return real(now)

    monkeypatch.setattr(supervisor, "dashboard", dashboard)
    window = open_window(qtbot, supervisor)
    board = window.dashboard
    assert board.report is None and read_on == []  # not on screen yet: nothing read
    window.tabs.setCurrentWidget(board)
    assert window.tasks.busy and board.report is None  # asked; the answer comes later
    qtbot.waitUntil(lambda: board.report is not None)
    assert not window.tasks.busy
    assert read_on and threading.get_ident() not in read_on
    assert board.count_labels[State.PENDING].text() == "1"  # shown on the GUI thread
    window.close()


def test_the_receipt_pdf_is_written_off_the_gui_thread(
    qtbot: QtBot, station: Station, monkeypatch: pytest.MonkeyPatch
) -> None:
    written_on: list[int] = []
    real = receipt_module.write_receipt_pdf

    def write(receipt: receipt_module.Receipt, folder: object, key: bytes) -> object:
        written_on.append(threading.get_ident())
        return real(receipt, folder, key)  # type: ignore[arg-type]

    monkeypatch.setattr(receipt_module, "write_receipt_pdf", write)
    window = open_window(qtbot, station)
    writer = window.findChild(ReceiptWriter)
    assert isinstance(writer, ReceiptWriter)
    form = window.form
    form.confirm_warnings = lambda _w: True
    form.load_record(make_record(6))
    with qtbot.waitSignal(writer.written, timeout=10000) as written:
        form.save_button.click()
    path = written.args[0]
    assert path == station.paths.data_dir / RECEIPTS_DIR / "bukti-000001.pdf.enc"
    assert station.receipt_pdf(1).startswith(b"%PDF-")
    assert written_on and threading.get_ident() not in written_on
    assert "Entri No. 1 tersimpan · Ctrl+P: buka bukti" in window.form.result_label.text()
    window.close()


# -- the one error hook ---------------------------------------------------------------------

SECRET = "3276021705900001 BUDI SANTOSO"  # what a library's message may quote


@pytest.fixture
def hook(qtbot: QtBot) -> Iterator[ErrorHook]:
    installed = install_error_hook(lambda: None)
    installed.interactive = False
    yield installed
    installed.uninstall()


def fail_on_capture(station: Station, monkeypatch: pytest.MonkeyPatch) -> None:
    def capture(record: object, *, confirmed: bool = False, **parts: object) -> object:
        raise RuntimeError(f"disk says no for {SECRET}")

    monkeypatch.setattr(station, "capture", capture)


@pytest.mark.qt_no_exception_capture
def test_an_error_in_a_slot_shows_one_translated_message_and_logs_no_message(
    qtbot: QtBot,
    station: Station,
    hook: ErrorHook,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    window = open_window(qtbot, station)
    fail_on_capture(station, monkeypatch)
    form = window.form
    form.confirm_warnings = lambda _w: True
    form.load_record(make_record(7))
    with caplog.at_level(logging.ERROR):
        form.save_button.click()  # the slot raises: Qt hands it to sys.excepthook
        qtbot.waitUntil(lambda: bool(hook.shown))
    assert len(hook.shown) == 1
    shown = hook.shown[0]
    assert shown.startswith("Terjadi kesalahan tak terduga (RuntimeError).")
    assert "tetap aman" in shown and SECRET not in shown
    assert "RuntimeError" in caplog.text and "Traceback" in caplog.text
    assert SECRET not in caplog.text
    assert station.queue.count() == 0
    window.close()


@pytest.mark.qt_no_exception_capture
def test_the_error_hook_speaks_the_windows_language(
    qtbot: QtBot,
    qapp: QApplication,
    station: Station,
    hook: ErrorHook,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert install_translator(qapp, "en") is not None
    try:
        window = open_window(qtbot, station)
        fail_on_capture(station, monkeypatch)
        form = window.form
        form.confirm_warnings = lambda _w: True
        form.load_record(make_record(8))
        form.save_button.click()
        qtbot.waitUntil(lambda: bool(hook.shown))
        window.close()
    finally:
        install_translator(qapp, "id")
    assert hook.shown[0].startswith("Something unexpected went wrong (RuntimeError).")
    assert SECRET not in hook.shown[0]
    # the station's own errors carry their message, in the window's language
    assert ErrorHook.message_for(NotAllowed(*Permission.CHANGE_SETTINGS)).startswith(
        "Hanya supervisor yang boleh mengubah pengaturan."
    )


@pytest.mark.qt_no_exception_capture
def test_an_error_on_another_thread_is_shown_on_the_gui_thread(
    qtbot: QtBot, hook: ErrorHook, caplog: pytest.LogCaptureFixture
) -> None:
    def work() -> None:
        raise ValueError(SECRET)

    with caplog.at_level(logging.ERROR):
        worker = threading.Thread(target=work)
        worker.start()
        worker.join()
        assert hook.shown == []  # handed to the GUI thread, shown when its loop runs
        qtbot.waitUntil(lambda: bool(hook.shown))
    assert len(hook.shown) == 1
    assert hook.shown[0].startswith("Terjadi kesalahan tak terduga (ValueError).")
    assert "ValueError" in caplog.text and SECRET not in caplog.text
