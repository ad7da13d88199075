"""The supervisor's USB bundles in the window (issue #15): "Ekspor ke USB" (Alt+E) and "Impor
tanda terima" (Alt+I) on the dashboard, over the real station, its real queue and the real
reference centre's import; only QFileDialog's static methods are replaced (they would wait for
a person).

A supervisor's export writes the bundle and says how many entries it carries; the centre's
receipt brought back marks them sent in every view; an operator has neither button; a
refusal (a garbage receipt, no centre key) is its translated message and changes nothing; Batal
and the window's close stop an export and leave no file."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox
from pytestqt.qtbot import QtBot

from ektp_station.central.app import default_upload_dir
from ektp_station.central.bundles import import_bundle
from ektp_station.central.identity import centre_identity
from ektp_station.central.runner import CentralServer
from ektp_station.errors import BundleRefused
from ektp_station.gui.bundles import BundlePanel
from ektp_station.gui.i18n import install_translator
from ektp_station.settings import Settings
from ektp_station.station import Station
from ektp_station.station.bundles import BundleProgress
from ektp_station.store import State

from factories import TODAY, make_record
from helpers import show_window, wait_until

MakeStation = Callable[..., Station]
STATION_ID = "ST-UJI-01"  # the station id of conftest.make_station


@pytest.fixture
def centre(tmp_path: Path) -> Iterator[CentralServer]:
    with CentralServer(f"sqlite:///{tmp_path / 'central.sqlite3'}", today=lambda: TODAY) as server:
        yield server


def settings_for(centre: CentralServer | None) -> Settings:
    """This station registered at ``centre`` (its token, the centre's key), no link to it;
    without a centre: a token but no centre key."""
    if centre is None:
        return Settings(station_id=STATION_ID, city_code="32.76", token="t" * 43)
    return Settings(
        station_id=STATION_ID,
        city_code="32.76",
        token=centre.add_station(STATION_ID),
        centre_key=str(centre_identity(centre._db).public),
    )


def record(station: Station, count: int = 3) -> list[str]:
    """``count`` residents captured; their NIKs and names (never to be shown)."""
    secrets: list[str] = []
    for n in range(1, count + 1):
        entry = station.queue.enqueue(make_record(n), operator="SITI", station_id=STATION_ID)
        secrets += [str(entry.record["nik"]), str(entry.record["full_name"])]
    return secrets


class Dialogs:
    """QFileDialog's static methods: what they were asked, and the path they answer."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.asked: list[tuple[str, str, str, str]] = []
        self.answer = ""
        for name in ("getSaveFileName", "getOpenFileName"):
            monkeypatch.setattr(QFileDialog, name, self._answer(name))

    def _answer(self, name: str) -> Callable[..., tuple[str, str]]:
        def answer(_parent: object, title: str, where: str, filters: str) -> tuple[str, str]:
            self.asked.append((name, title, where, filters))
            return self.answer, ""

        return staticmethod(answer)  # type: ignore[return-value]


@pytest.fixture
def dialogs(monkeypatch: pytest.MonkeyPatch) -> Dialogs:
    return Dialogs(monkeypatch)


def open_dashboard(qtbot: QtBot, station: Station) -> tuple[Any, BundlePanel]:
    window = show_window(qtbot, station, active=True)
    window.land()  # a supervisor lands on the dashboard
    window.open_tab(2)
    return window, window.dashboard.bundles


def message_of(
    qtbot: QtBot, panel: BundlePanel, previous: QMessageBox | None = None
) -> QMessageBox:
    """The panel's message once it says something (a new one, not ``previous``)."""
    qtbot.waitUntil(
        lambda: panel.message_box not in (None, previous) and not panel.busy, timeout=20000
    )
    box = panel.message_box
    assert box is not None and box.isVisible()
    return box


def test_a_supervisor_exports_by_keyboard_and_brings_the_receipt_back(
    qtbot: QtBot,
    make_station: MakeStation,
    centre: CentralServer,
    dialogs: Dialogs,
    tmp_path: Path,
) -> None:
    station = make_station(role="supervisor", name="SUPERVISOR", settings=settings_for(centre))
    secrets = record(station)
    window, panel = open_dashboard(qtbot, station)
    assert panel.isVisible() and panel.export_button.isEnabled()
    qtbot.waitUntil(lambda: panel.waiting_label.text() == "Belum dikonfirmasi pusat: 3 entri")
    seen: list[BundleProgress] = []
    panel._relay.progress.connect(seen.append)
    usb = tmp_path / "usb"
    usb.mkdir()
    dialogs.answer = str(usb / "untuk-pusat")  # no suffix typed: the bundle's is added

    qtbot.keyClick(window, Qt.Key.Key_E, Qt.KeyboardModifier.AltModifier)
    box = message_of(qtbot, panel)

    name, title, where, filters = dialogs.asked[0]
    assert (name, title) == ("getSaveFileName", "Ekspor 3 entri ke USB")
    assert re.fullmatch(r"ektp-ST-UJI-01-\d{8}-\d{4}\.ektpbundle", Path(where).name)
    assert "*.ektpbundle" in filters
    bundle = usb / "untuk-pusat.ektpbundle"
    assert sorted(p.name for p in usb.iterdir()) == [bundle.name]  # no .partial left
    assert box.text().startswith("Bundel tersimpan: 3 entri dan 0 bagian biometrik")
    assert str(bundle) in box.text() and "tanda terima" in box.text()
    assert seen and seen[0].entries_total == 3
    assert station.count(State.PENDING) == 3  # nothing at the station changed

    carried = import_bundle(
        centre._db, default_upload_dir(centre.db_url), bundle, usb / "dari-pusat.ektpreceipt"
    )
    assert carried.accepted == 3
    dialogs.answer = str(usb / "dari-pusat.ektpreceipt")
    box.accept()  # Enter, as at the counter; the window is active again
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window, Qt.Key.Key_I, Qt.KeyboardModifier.AltModifier)
    box = message_of(qtbot, panel, previous=box)

    assert dialogs.asked[1][:2] == ("getOpenFileName", "Impor tanda terima")
    assert "*.ektpreceipt" in dialogs.asked[1][3]
    assert box.text().startswith("Tanda terima diterapkan: 3 entri.\nTerkirim: 3 · ")
    assert "Ditolak pusat: 0 · Konflik: 0" in box.text()
    assert station.count(State.SYNCED) == 3
    # every view follows the station's change: the queue's list, the status line, the panel
    model = window.queue_tab.model
    qtbot.waitUntil(
        lambda: [model.index(r, 1).data() for r in range(model.rowCount())] == ["Terkirim"] * 3
    )
    qtbot.waitUntil(lambda: panel.waiting_label.text() == "Belum dikonfirmasi pusat: 0 entri")
    shown = [t for t, *_ in dialogs.asked] + [box.text()]
    assert not [s for s in secrets if any(s in text for text in shown)]


def test_an_operator_has_no_usb_buttons(
    qtbot: QtBot, station: Station, dialogs: Dialogs, tmp_path: Path
) -> None:
    record(station)
    window = show_window(qtbot, station, active=True)
    window.open_tab(2)
    panel = window.dashboard.bundles
    assert not panel.isVisible()
    assert not panel.export_button.isEnabled() and not panel.import_button.isEnabled()
    dialogs.answer = str(tmp_path / "x.ektpbundle")
    qtbot.keyClick(window, Qt.Key.Key_E, Qt.KeyboardModifier.AltModifier)
    panel.start_export()
    panel.start_import()
    qtbot.waitUntil(lambda: not window.tasks.busy)
    assert dialogs.asked == [] and panel.message_box is None
    assert not (tmp_path / "x.ektpbundle").exists()


def test_the_buttons_follow_who_signs_in(qtbot: QtBot, make_station: MakeStation) -> None:
    from ektp_station.station import Actor

    station = make_station(role="supervisor", name="SUPERVISOR")
    window, panel = open_dashboard(qtbot, station)
    assert panel.isVisible()
    station.act_as(Actor("SITI", "operator"))
    qtbot.waitUntil(lambda: not panel.isVisibleTo(window))
    assert not panel.export_button.isEnabled()
    station.act_as(Actor("SUPERVISOR", "supervisor"))
    qtbot.waitUntil(lambda: panel.isVisibleTo(window) and panel.export_button.isEnabled())


@pytest.mark.parametrize("language", ["id", "en"])
def test_a_garbage_receipt_is_refused_in_words_and_changes_nothing(
    qtbot: QtBot,
    make_station: MakeStation,
    centre: CentralServer,
    dialogs: Dialogs,
    tmp_path: Path,
    qapp: QApplication,
    language: str,
) -> None:
    station = make_station(role="supervisor", name="SUPERVISOR", settings=settings_for(centre))
    record(station)
    before = [(e.seq, e.state, e.revision) for e in station.iter_entries()]
    garbage = tmp_path / "garbage.ektpreceipt"
    garbage.write_bytes(b'{"format": "ektp-receipt-1", "receipt": 7}\n\x00\xff' * 40)
    dialogs.answer = str(garbage)
    install_translator(qapp, language)
    try:
        _window, panel = open_dashboard(qtbot, station)
        panel.import_button.click()
        box = message_of(qtbot, panel)
    finally:
        install_translator(qapp, "id")
    assert box.icon() is QMessageBox.Icon.Warning
    assert box.text() == BundleRefused("not_receipt").message(language)
    assert "Traceback" not in box.text()
    assert [(e.seq, e.state, e.revision) for e in station.iter_entries()] == before
    assert panel.import_button.isEnabled()  # free for the right file


def test_an_export_without_the_centre_key_says_what_to_do(
    qtbot: QtBot, make_station: MakeStation, dialogs: Dialogs, tmp_path: Path
) -> None:
    station = make_station(role="supervisor", name="SUPERVISOR", settings=settings_for(None))
    record(station, 1)
    _window, panel = open_dashboard(qtbot, station)
    dialogs.answer = str(tmp_path / "a.ektpbundle")
    panel.export_button.click()
    box = message_of(qtbot, panel)
    assert box.text() == BundleRefused("no_centre_key").message("id")
    assert list(tmp_path.glob("a.ektpbundle*")) == []
    assert panel.progress_dialog is None and panel.export_button.isEnabled()


def test_nothing_waiting_nothing_to_carry(
    qtbot: QtBot, make_station: MakeStation, centre: CentralServer, dialogs: Dialogs
) -> None:
    station = make_station(role="supervisor", name="SUPERVISOR", settings=settings_for(centre))
    _window, panel = open_dashboard(qtbot, station)
    panel.export_button.click()
    box = message_of(qtbot, panel)
    assert box.text().startswith("Tidak ada entri yang menunggu")
    assert dialogs.asked == []


def hold_the_worker(panel: BundlePanel, stopped: list[bool]) -> Callable[[], None]:
    """A task that keeps the window's worker until the panel's export is told to stop (at
    most 10 s); ``stopped`` gets whether it was."""

    def hold() -> None:
        try:
            wait_until(lambda: panel._cancel.is_set())
            stopped.append(True)
        except AssertionError:
            stopped.append(False)

    return hold


@pytest.mark.parametrize("how", ["Batal", "window closed"])
def test_a_stopped_export_leaves_no_file(
    qtbot: QtBot,
    make_station: MakeStation,
    centre: CentralServer,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    how: str,
) -> None:
    station = make_station(role="supervisor", name="SUPERVISOR", settings=settings_for(centre))
    record(station)
    window, panel = open_dashboard(qtbot, station)
    usb = tmp_path / "usb"
    usb.mkdir()
    stopped: list[bool] = []

    def save_dialog(*_args: object) -> tuple[str, str]:
        # the export is queued behind a task that holds the worker until it is stopped
        window.tasks.run(hold_the_worker(panel, stopped), lambda _r: None)
        return str(usb / "a.ektpbundle"), ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(save_dialog))
    panel.export_button.click()
    qtbot.waitUntil(lambda: panel.progress_dialog is not None)
    assert panel.progress_dialog is not None and panel.progress_dialog.isVisible()
    if how == "Batal":
        qtbot.keyClick(panel.progress_dialog, Qt.Key.Key_Escape)
        box = message_of(qtbot, panel)
        assert box.text().startswith("Ekspor dibatalkan")
        assert panel.progress_dialog is None
    else:
        window.close()  # waits for the worker: returns only because the export was stopped
    assert stopped == [True]
    assert list(usb.iterdir()) == []
    assert station.count(State.PENDING) == 3
