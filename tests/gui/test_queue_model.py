"""The queue's table model over the station core: Qt's model rules, keyset paging, filter,
search, and cheap refreshes that keep the selection; states named by the one vocabulary."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt
from PySide6.QtWidgets import QTableView
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from ektp_station.domain import mask_nik
from ektp_station.gui.queue_model import COLUMNS, SEQ_ROLE, SHOWN_STATES, QueueModel, state_label
from ektp_station.station import Station
from ektp_station.store import Entry, Outcome, Queue, State
from ektp_station.store.db import writing
from ektp_station.store.queries import captured_by_operator, page_seqs

from factories import make_record, many_records


def fill(queue: Queue, count: int, start: int = 1, operator: str = "ANI") -> None:
    """``count`` pending entries in one transaction (a save each would take an fsync each)."""
    with writing(queue.engine) as conn:
        for record in many_records(count, start):
            queue.enqueue_in(conn, record, operator=operator, station_id="ST-A")


def judge(queue: Queue, entry: Entry, state: State, **extra: object) -> None:
    """Send ``entry`` (only) and apply the centre's verdict."""
    claimed = queue.claim_batch("test", 1)
    assert [e.seq for e in claimed] == [entry.seq]
    queue.apply_outcomes("test", [Outcome(entry.entry_id, state, **extra)])  # type: ignore[arg-type]


def cell(model: QueueModel, row: int, column: int) -> str:
    return str(model.data(model.index(row, column)))


def test_model_passes_qt_model_tests(
    qtmodeltester: ModelTester, station: Station, queue: Queue
) -> None:
    fill(queue, 450)
    rejected = queue.get(1)
    judge(
        queue,
        rejected,
        State.REJECTED,
        errors=({"field": "full_name", "code": "x", "message": "Nama tidak sesuai KK."},),
    )
    model = QueueModel(station, page_size=200)
    qtmodeltester.check(model)
    model.fetchMore(QModelIndex())
    qtmodeltester.check(model)
    model.set_filter(State.REJECTED)
    qtmodeltester.check(model)
    assert model.rowCount() == 1


def test_pages_newest_first_until_the_end(station: Station, queue: Queue) -> None:
    fill(queue, 1000)
    model = QueueModel(station, page_size=200)
    assert model.rowCount() == 200
    assert model.columnCount() == len(COLUMNS)
    assert model.canFetchMore(QModelIndex())
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())
    seqs = [model.data(model.index(r, 0), SEQ_ROLE) for r in range(model.rowCount())]
    assert seqs == list(range(1000, 0, -1))
    assert model.rowCount(model.index(0, 0)) == 0  # a table: no children
    assert not model.canFetchMore(model.index(0, 0))


def test_columns_mask_the_nik_and_name_the_state_in_indonesian(
    station: Station, queue: Queue
) -> None:
    record = make_record(5, full_name="SITI AMINAH")
    entry = queue.enqueue(record, operator="ANI", station_id="ST-A")
    judge(
        queue,
        entry,
        State.REJECTED,
        errors=({"field": "full_name", "code": "x", "message": "Nama tidak sesuai KK."},),
        last_error="rejected by the centre",
    )
    model = QueueModel(station)
    assert cell(model, 0, 0) == str(entry.seq)
    assert cell(model, 0, 1) == "Ditolak pusat"
    assert cell(model, 0, 3) == mask_nik(record["nik"]) != record["nik"]
    assert cell(model, 0, 4) == "SITI AMINAH"
    assert cell(model, 0, 5) == "ANI"
    assert cell(model, 0, 6) == "Nama lengkap: Nama tidak sesuai KK."
    local = entry.captured_at.astimezone().strftime("%d-%m-%Y %H:%M")
    assert cell(model, 0, 2) == local
    assert model.headerData(3, Qt.Orientation.Horizontal) == "NIK"


def test_state_filter_and_search_run_in_sql(station: Station, queue: Queue) -> None:
    fill(queue, 300)
    special = make_record(9001, birth=date(1970, 1, 2), full_name="RATNA DEWI")
    target = queue.enqueue(special, operator="BUDI", station_id="ST-A")
    judge(queue, queue.get(1), State.SYNCED, server_ref="R-1")
    model = QueueModel(station, page_size=50)

    model.set_filter(State.SYNCED)
    assert [model.seq_at(r) for r in range(model.rowCount())] == [1]
    assert not model.canFetchMore(QModelIndex())

    model.set_filter(None, "ratna")  # part of the name, any case
    assert [model.seq_at(r) for r in range(model.rowCount())] == [target.seq]
    model.set_filter(None, special["nik"][-6:])  # the digits a masked NIK still shows, and more
    assert [model.seq_at(r) for r in range(model.rowCount())] == [target.seq]
    model.set_filter(None, f"{special['nik'][:6]}.{special['nik'][6:12]}")  # typed with a dot
    assert target.seq in [model.seq_at(r) for r in range(model.rowCount())]
    model.set_filter(State.PENDING, "budi santoso")  # the other 300
    assert model.rowCount() == 50 and model.canFetchMore(QModelIndex())
    model.set_filter(None, "100%_")  # LIKE wildcards are plain text
    assert model.rowCount() == 0
    assert page_seqs(queue, search="   ") == page_seqs(queue)  # blank: no filter
    assert dict(captured_by_operator(queue, target.captured_at)) == {"BUDI": 1}


def test_refresh_inserts_new_entries_on_top_and_keeps_the_selection(
    qtbot: QtBot, station: Station, queue: Queue
) -> None:
    fill(queue, 10)
    model = QueueModel(station, page_size=5)
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    flags = (
        QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
    )
    view.selectionModel().setCurrentIndex(model.index(2, 0), flags)  # entry 8
    fill(queue, 2, start=50)
    with qtbot.assertNotEmitted(model.modelReset):
        model.refresh()
    assert [model.seq_at(r) for r in range(model.rowCount())] == [12, 11, 10, 9, 8, 7, 6]
    selected = view.selectionModel().selectedRows()
    assert [model.seq_at(i.row()) for i in selected] == [8]

    model.set_filter(State.PENDING)
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())
    assert model.rowCount() == 12
    judge(queue, queue.get(1), State.SYNCED, server_ref="R-1")  # entry 1 leaves "pending"
    with qtbot.waitSignal(model.modelReset):
        model.refresh()
    assert [model.seq_at(r) for r in range(model.rowCount())] == list(range(12, 1, -1))


def test_refresh_repaints_a_state_change_in_place(
    qtbot: QtBot, station: Station, queue: Queue
) -> None:
    fill(queue, 3)
    model = QueueModel(station)
    assert cell(model, 2, 1) == "Menunggu dikirim"
    judge(queue, queue.get(1), State.SYNCED, server_ref="R-1")
    with qtbot.waitSignal(model.dataChanged), qtbot.assertNotEmitted(model.modelReset):
        model.refresh()
    assert cell(model, 2, 1) == "Terkirim"


def test_every_state_has_its_label_and_a_resolved_conflict_is_listed(
    station: Station, supervisor: Station, queue: Queue
) -> None:
    assert set(SHOWN_STATES) == set(State)
    labels = [state_label(s) for s in SHOWN_STATES]
    assert len(set(labels)) == len(labels) and all(
        label != s.value for label, s in zip(labels, SHOWN_STATES, strict=True)
    )
    entry = queue.enqueue(make_record(7), operator="ANI", station_id="ST-A")
    judge(
        queue,
        entry,
        State.CONFLICT,
        errors=({"field": "nik", "code": "nik_recorded", "message": "x"},),
    )
    model = QueueModel(station, state=State.CONFLICT)
    assert model.rowCount() == 1
    supervisor.resolve(entry.seq, "sudah di pusat")
    model.refresh()
    assert model.rowCount() == 0
    model.set_filter(State.RESOLVED)
    assert [model.seq_at(r) for r in range(model.rowCount())] == [entry.seq]
    assert cell(model, 0, 1) == "Konflik selesai"
