"""The "Antrean" tab driven by keyboard against a real queue: filter, search, correcting and
resending a rejected entry, withdrawing an entry with a reason."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from ektp_station.gui.bridge import SyncBridge
from ektp_station.gui.context import StationContext
from ektp_station.gui.main_window import MainWindow
from ektp_station.gui.queue_tab import QueueTab, is_supervisor
from ektp_station.paths import AppPaths
from ektp_station.settings import Settings
from ektp_station.store import Entry, Outcome, Queue, State

from factories import TODAY, make_record


def make_station(data_dir: Path, queue: Queue) -> StationContext:
    return StationContext(
        paths=AppPaths.resolve(data_dir),
        settings=Settings(station_id="ST-A"),
        queue=queue,
        operator="SITI",
        bridge=SyncBridge(),
    )


def judge(queue: Queue, entry: Entry, state: State, **extra: object) -> None:
    claimed = queue.claim_batch("test", 1)
    assert [e.seq for e in claimed] == [entry.seq]
    queue.apply_outcomes("test", [Outcome(entry.entry_id, state, **extra)])  # type: ignore[arg-type]


@pytest.fixture
def tab(qtbot: QtBot, data_dir: Path, queue: Queue) -> Iterator[QueueTab]:
    widget = QueueTab(make_station(data_dir, queue), today=lambda: TODAY)
    qtbot.addWidget(widget)
    widget.resize(900, 500)
    widget.show()
    qtbot.waitExposed(widget)
    widget.activateWindow()
    widget.table.setFocus()
    qtbot.waitUntil(lambda: widget.table.hasFocus())
    yield widget


def focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None
    return widget


def rows(tab: QueueTab) -> list[int]:
    return [tab.model.seq_at(r) for r in range(tab.model.rowCount())]


def test_filter_and_search_from_the_keyboard(qtbot: QtBot, tab: QueueTab, queue: Queue) -> None:
    first = queue.enqueue(make_record(1), operator="ANI", station_id="ST-A")
    second = queue.enqueue(
        make_record(2, full_name="RATNA DEWI"), operator="ANI", station_id="ST-A"
    )
    judge(queue, first, State.SYNCED, server_ref="R-1")
    tab.refresh()
    assert rows(tab) == [second.seq, first.seq]
    assert tab.count_label.text() == "2 dari 2 entri"

    tab.state_combo.setFocus()
    qtbot.keyClicks(tab.state_combo, "Terkirim")
    qtbot.waitUntil(lambda: rows(tab) == [first.seq])
    assert tab.count_label.text() == "1 dari 1 entri"
    tab.state_combo.setCurrentIndex(0)

    qtbot.keyClick(tab, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: tab.search_input.hasFocus())
    qtbot.keyClicks(tab.search_input, "ratna")
    qtbot.waitUntil(lambda: rows(tab) == [second.seq])  # after the typing pause
    assert tab.count_label.text() == "1 cocok"
    tab.search_input.clear()
    qtbot.keyClicks(tab.search_input, make_record(1)["nik"][-4:])
    qtbot.keyClick(tab.search_input, Qt.Key.Key_Return)  # at once
    assert rows(tab) == [first.seq]


def test_fix_and_resend_a_rejected_entry_by_keyboard(
    qtbot: QtBot, tab: QueueTab, queue: Queue
) -> None:
    entry = queue.enqueue(
        make_record(3, full_name="BUDI SANTOS"), operator="ANI", station_id="ST-A"
    )
    judge(
        queue,
        entry,
        State.REJECTED,
        errors=(
            {"field": "full_name", "code": "name_mismatch", "message": "Nama tidak sesuai KK."},
        ),
        last_error="rejected by the centre",
    )
    tab.refresh()
    tab.table.setFocus()
    qtbot.keyClick(tab.table, Qt.Key.Key_Down)  # the first line gets the selection
    assert tab.selected_seq() == entry.seq
    assert tab.fix_button.isEnabled()
    qtbot.keyClick(tab.table, Qt.Key.Key_F2)
    qtbot.waitUntil(lambda: tab.correction_dialog is not None)
    dialog = tab.correction_dialog
    assert dialog is not None
    qtbot.waitExposed(dialog)
    form = dialog.form
    problem = form.problem_labels["full_name"]
    assert problem.isVisible() and "Pusat: Nama tidak sesuai KK." in problem.text()
    qtbot.waitUntil(lambda: form.inputs["full_name"].hasFocus())  # the field to fix
    name = focused()
    assert isinstance(name, QLineEdit)
    name.selectAll()
    qtbot.keyClicks(name, "budi santoso")
    assert not problem.isVisible()  # changed: the centre's verdict no longer applies
    form.confirm_warnings = lambda _w: True
    with qtbot.waitSignal(tab.changed):
        qtbot.keyClick(name, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: tab.correction_dialog is None)

    fixed = queue.get(entry.seq)
    assert fixed.state is State.PENDING
    assert fixed.record["full_name"] == "BUDI SANTOSO"
    assert fixed.errors == []
    events = queue.audit_trail(entry.seq)
    assert [e.action for e in events][-2:] == ["edited", "resent"]
    assert events[-2].detail["fields"] == ["full_name"]
    assert {e.actor for e in events[-2:]} == {"SITI"}
    assert tab.selected_seq() == entry.seq
    assert tab.model.data(tab.model.index(0, 1)) == "Menunggu"
    assert "dikirim ulang" in tab.message_label.text()


def test_escape_leaves_a_correction_unsaved(qtbot: QtBot, tab: QueueTab, queue: Queue) -> None:
    entry = queue.enqueue(make_record(4), operator="ANI", station_id="ST-A")
    tab.refresh()
    tab.select_seq(entry.seq)
    tab.fix_button.click()
    dialog = tab.correction_dialog
    assert dialog is not None
    qtbot.waitExposed(dialog)
    qtbot.keyClicks(dialog.form.inputs["full_name"], "X")
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: tab.correction_dialog is None)
    assert queue.get(entry.seq).record == entry.record
    assert [e.action for e in queue.audit_trail(entry.seq)] == ["captured"]


def test_discard_with_a_reason_by_keyboard(qtbot: QtBot, tab: QueueTab, queue: Queue) -> None:
    entry = queue.enqueue(make_record(5), operator="ANI", station_id="ST-A")
    tab.refresh()
    qtbot.keyClick(tab.table, Qt.Key.Key_Down)
    qtbot.keyClick(tab.table, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: tab.reason_dialog is not None)
    dialog = tab.reason_dialog
    assert dialog is not None
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(lambda: dialog.reason_input.hasFocus())
    assert not dialog.ok_button.isEnabled()  # a reason is required
    qtbot.keyClicks(dialog.reason_input, "warga  salah   antrean")
    with qtbot.waitSignal(tab.changed):
        qtbot.keyClick(dialog.reason_input, Qt.Key.Key_Return)
    assert queue.get(entry.seq).state is State.DISCARDED
    last = queue.audit_trail(entry.seq)[-1]
    assert (last.action, last.actor) == ("discarded", "SITI")
    assert last.detail == {"from": "pending", "reason": "warga salah antrean"}
    assert tab.model.data(tab.model.index(0, 1)) == "Dibatalkan"
    assert not tab.discard_button.isEnabled() and not tab.fix_button.isEnabled()


def test_synced_entries_cannot_be_fixed_or_withdrawn(
    qtbot: QtBot, tab: QueueTab, queue: Queue
) -> None:
    entry = queue.enqueue(make_record(6), operator="ANI", station_id="ST-A")
    judge(queue, entry, State.SYNCED, server_ref="R-6")
    tab.refresh()
    tab.select_seq(entry.seq)
    assert not tab.fix_button.isEnabled() and not tab.discard_button.isEnabled()
    qtbot.keyClick(tab.table, Qt.Key.Key_F2)
    assert tab.correction_dialog is None
    assert "Terkirim" in tab.message_label.text()


def test_supervisor_role_is_optional() -> None:
    class Plain:
        pass

    class Operator:
        is_supervisor = False

    assert is_supervisor(Plain())
    assert not is_supervisor(Operator())


def test_the_window_lists_a_new_entry_and_counts_a_withdrawal(
    qtbot: QtBot, data_dir: Path, queue: Queue
) -> None:
    window = MainWindow(make_station(data_dir, queue), today=lambda: TODAY)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    assert window.tabs.widget(1) is window.queue_tab
    assert window.tabs.widget(2) is window.dashboard
    form = window.form
    form.confirm_warnings = lambda _w: True
    form.load_record(make_record(8))
    with qtbot.waitSignal(form.saved):
        form.save_button.click()
    tab = window.queue_tab
    assert rows(tab) == [1]
    assert window.status_bar.pending_label.text() == "Menunggu: 1"
    tab.discard(1, "contoh")
    assert window.status_bar.pending_label.text() == "Menunggu: 0"
    window.tabs.setCurrentIndex(2)
    qtbot.waitUntil(lambda: window.dashboard.count_labels[State.DISCARDED].text() == "1")
    window.close()
