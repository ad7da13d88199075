"""The centre's decisions in the window: the queue tab says "Terkirim · siap cetak" or "Perlu
rekam ulang" (in red, the reason in the note), its filter lists the residents who must come
back; the supervisor's dashboard counts the decisions and lists those residents."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from ektp_station.devtools.images import demo_parts
from ektp_station.gui.bridge import StationBridge
from ektp_station.gui.dashboard import Dashboard
from ektp_station.gui.main_window import MainWindow
from ektp_station.gui.queue_tab import MUST_RETURN_FILTER
from ektp_station.gui.tasks import TaskRunner
from ektp_station.station import Station
from ektp_station.store import Outcome, State

from factories import make_record


def delivered(station: Station, serial: int, decision: str | None, reason: str | None) -> int:
    """A resident captured with every part, delivered whole, and the centre's ``decision``
    kept (None: not asked yet)."""
    queue = station.queue
    seq = station.capture(make_record(serial), images=demo_parts(("gui", serial))).entry.seq
    entry = queue.get(seq)
    assert [e.seq for e in queue.claim_batch("test", 1)] == [seq]
    queue.apply_outcomes("test", [Outcome(entry.entry_id, State.SYNCED, server_ref=f"R-{seq}")])
    assert queue.get(seq).state is State.UPLOADING
    for row in queue.parts(seq):
        queue.part_verified(seq, row.part)
    assert queue.get(seq).enrolment == "due"
    if decision is not None:
        assert queue.record_enrolment(seq, decision, reason)
    return seq


@pytest.fixture
def decided(supervisor: Station) -> dict[str, int]:
    return {
        "ready": delivered(supervisor, 1, "print_ready", None),
        "duplicate": delivered(supervisor, 2, "duplicate", "fingerprint_enrolled"),
        "adjudication": delivered(supervisor, 3, "adjudication", "few_fingerprints"),
        "due": delivered(supervisor, 4, None, None),
    }


@pytest.fixture
def window(qtbot: QtBot, supervisor: Station) -> Iterator[MainWindow]:
    made = MainWindow(supervisor)
    qtbot.addWidget(made)
    made.resize(1100, 700)
    made.show()
    qtbot.waitExposed(made)
    yield made
    made.close()


def test_the_queue_says_who_is_print_ready_and_who_must_come_back(
    qtbot: QtBot, decided: dict[str, int], window: MainWindow
) -> None:
    tab = window.queue_tab
    tab.refresh()
    model = tab.model

    def status_of(seq: int) -> tuple[str, str, object]:
        row = model.row_of(seq)
        assert row is not None
        status = model.index(row, 1)
        note = model.index(row, 6)
        return (
            model.data(status),
            model.data(note),
            model.data(status, Qt.ItemDataRole.ForegroundRole),
        )

    text, note, _ = status_of(decided["ready"])
    assert text == "Terkirim · siap cetak" and note == ""
    text, note, colour = status_of(decided["duplicate"])
    assert text == "Perlu rekam ulang" and "data ganda" in note
    assert colour is not None and colour.color().name() == "#c62828"
    text, note, _ = status_of(decided["adjudication"])
    assert text == "Perlu rekam ulang" and "adjudikasi" in note
    assert status_of(decided["due"])[0] == "Terkirim · menunggu hasil pusat"

    # the filter: only those who must come back, and the count says how many there are
    tab.state_combo.setCurrentIndex(tab.state_combo.findData(MUST_RETURN_FILTER))
    tab.apply_filter()
    shown = [model.seq_at(r) for r in range(model.rowCount())]
    assert shown == [decided["adjudication"], decided["duplicate"]]  # newest first
    assert tab.count_label.text() == "2 dari 2 entri"
    tab.state_combo.setCurrentIndex(0)
    tab.apply_filter()
    assert model.rowCount() == 4


def test_the_dashboard_counts_the_decisions_and_lists_who_must_come_back(
    qtbot: QtBot, decided: dict[str, int], supervisor: Station
) -> None:
    bridge, tasks = StationBridge(), TaskRunner()
    supervisor.subscribe(bridge)
    dashboard = Dashboard(supervisor, bridge, tasks)
    qtbot.addWidget(dashboard)
    try:
        dashboard.resize(900, 700)
        dashboard.show()
        qtbot.waitExposed(dashboard)
        qtbot.waitUntil(lambda: dashboard.report is not None)
        counts = dashboard.enrolment_label.text()
        assert "Siap cetak: 1" in counts and "Perlu rekam ulang: 2" in counts
        assert "data ganda 1, adjudikasi 1" in counts and "Menunggu hasil pusat: 1" in counts
        listed = dashboard.must_return_label.text().splitlines()
        assert [line.split(" · ")[0] for line in listed] == [
            f"No. {decided['duplicate']}",
            f"No. {decided['adjudication']}",
        ]
        name = make_record(2)["full_name"]
        assert name in listed[0] and "data ganda" in listed[0]
        assert make_record(2)["nik"] not in dashboard.must_return_label.text()  # masked
    finally:
        tasks.shutdown()
        supervisor.unsubscribe(bridge)
