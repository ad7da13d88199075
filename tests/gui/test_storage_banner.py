"""The window's banner for the storage: hidden while all is well; amber before the disk is
full or when a backup failed; red when the queue file is deleted under the running window — and
then a save is refused (never written into the deleted file), the typed record stays."""

from __future__ import annotations

from collections.abc import Callable

from pytestqt.qtbot import QtBot

from ektp_station.gui.app import build_window
from ektp_station.gui.main_window import MainWindow
from ektp_station.settings import Settings
from ektp_station.station import Station
from ektp_station.store import DB_FILENAME

from factories import make_record

MakeStation = Callable[..., Station]


def open_window(qtbot: QtBot, station: Station) -> MainWindow:
    window = build_window(station)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def test_the_banner_is_hidden_while_all_is_well(qtbot: QtBot, station: Station) -> None:
    window = open_window(qtbot, station)
    window.check_health()
    assert not window.banner.isVisible()


def test_the_banner_warns_before_the_disk_is_full(qtbot: QtBot, make_station: MakeStation) -> None:
    settings = Settings(station_id="ST-UJI-01", city_code="32.76", min_free_mb=1_000_000)
    window = open_window(qtbot, make_station(settings=settings))
    assert window.banner.isVisible() and window.banner.level == "warning"
    assert "Ruang disk hampir habis" in window.banner.text()


def test_a_queue_deleted_under_the_window_turns_the_banner_red_and_refuses_saves(
    qtbot: QtBot, station: Station
) -> None:
    window = open_window(qtbot, station)
    before = station.queue.count()
    (station.paths.data_dir / DB_FILENAME).unlink()
    record = make_record(21)
    window.form.load_record(record)
    with qtbot.assertNotEmitted(window.form.saved):
        assert window.form.save() is None
    assert window.banner.isVisible() and window.banner.level == "error"
    assert "dihapus atau diganti" in window.banner.text()
    assert window.form.result_label.text().startswith("Belum tersimpan: Berkas antrean dihapus")
    assert window.form.text_of("full_name") == record["full_name"]  # the typing stays
    assert station.queue.count() == before  # nothing went into the deleted file


def test_sigterm_closes_the_window_cleanly_and_the_station_backs_up_at_exit(
    qtbot: QtBot, station: Station
) -> None:
    import os
    import signal

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from ektp_station.gui.app import run_window
    from ektp_station.store.backup import generations

    from helpers import backup_info

    station.capture(make_record(31), confirmed=True)
    opened: list[MainWindow] = []

    def terminate() -> None:  # a logout or IT's `kill`: SIGTERM to the running window
        opened.extend(w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow))
        os.kill(os.getpid(), signal.SIGTERM)

    QTimer.singleShot(0, terminate)
    assert run_window(station) == 0
    assert opened and not opened[0].isVisible()
    for window in opened:
        window.deleteLater()
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL  # the handler given back
    station.close()  # what run_station does next: the backup at exit
    made = generations(station.backup_folder, station.station_id)
    assert made and backup_info(made[-1]).entries == 1


def test_the_queue_list_says_when_the_personal_data_was_purged(
    qtbot: QtBot, make_station: MakeStation
) -> None:
    from ektp_station.station import Actor
    from ektp_station.store import Outcome, State

    station = make_station()
    seq = station.capture(make_record(41), confirmed=True).entry.seq
    (claimed,) = station.queue.claim_batch("uji", 10)
    station.queue.apply_outcomes("uji", [Outcome(claimed.entry_id, State.SYNCED, server_ref="R")])
    station.act_as(Actor("KEPALA", "supervisor"))
    station.purge(0)
    window = open_window(qtbot, station)
    window.queue_tab.refresh()
    model = window.queue_tab.table.model()
    row = next(r for r in range(model.rowCount()) if model.index(r, 0).data() == str(seq))
    assert model.index(row, 4).data() == "(data pribadi dihapus)"
