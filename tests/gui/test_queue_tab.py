"""The "Antrean" tab driven by keyboard, in the window over the station core: filter, search,
correcting a rejected entry (a new revision, back in line), withdrawing an entry with a reason;
what may be done to an entry is the core's answer, and the buttons show it."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from ektp_station.gui.main_window import MainWindow
from ektp_station.gui.queue_tab import QueueTab
from ektp_station.station import Changes, Station
from ektp_station.store import Entry, Outcome, Queue, State

from factories import make_record
from helpers import receipt_preview

MakeTab = Callable[[Station], QueueTab]


def judge(queue: Queue, entry: Entry, state: State, **extra: object) -> None:
    claimed = queue.claim_batch("test", 1)
    assert [e.seq for e in claimed] == [entry.seq]
    queue.apply_outcomes("test", [Outcome(entry.entry_id, state, **extra)])  # type: ignore[arg-type]


@pytest.fixture
def make_tab(qtbot: QtBot) -> Iterator[MakeTab]:
    """The queue tab of a window over ``station`` (the window refreshes it on the core's
    change notification), on screen, the list focused."""
    windows: list[MainWindow] = []

    def make(station: Station) -> QueueTab:
        window = MainWindow(station)
        qtbot.addWidget(window)
        windows.append(window)
        window.resize(900, 600)
        window.tabs.setCurrentWidget(window.queue_tab)
        window.show()
        qtbot.waitExposed(window)
        window.activateWindow()
        widget = window.queue_tab
        widget.table.setFocus()
        qtbot.waitUntil(lambda: widget.table.hasFocus())
        return widget

    yield make
    for window in windows:
        window.close()


@pytest.fixture
def tab(make_tab: MakeTab, station: Station) -> QueueTab:
    return make_tab(station)


def window_of(tab: QueueTab) -> MainWindow:
    window = tab.window()
    assert isinstance(window, MainWindow)
    return window


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


def test_fix_a_rejected_entry_by_keyboard_makes_a_new_revision(
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
    assert tab.fix_button.isEnabled() and tab.discard_button.isEnabled()
    qtbot.keyClick(tab.table, Qt.Key.Key_F2)
    qtbot.waitUntil(lambda: tab.correction_dialog is not None)
    dialog = tab.correction_dialog
    assert dialog is not None
    qtbot.waitExposed(dialog)
    header = dialog.findChild(QLabel, "correction_header")
    assert isinstance(header, QLabel) and "(Ditolak pusat, revisi 1)" in header.text()
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
    seen: list[Changes] = []
    window_of(tab).bridge.changed.connect(seen.append)
    with qtbot.waitSignal(form.saved):
        qtbot.keyClick(name, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: tab.correction_dialog is None)
    assert seen == [Changes("correct", entries=(entry.seq,), queue=True)]

    fixed = queue.get(entry.seq)
    assert fixed.state is State.PENDING and fixed.revision == 2
    assert fixed.record["full_name"] == "BUDI SANTOSO"
    assert fixed.errors == []
    last = queue.audit_trail(entry.seq)[-1]
    assert (last.action, last.actor) == ("corrected", "SITI")
    assert last.detail == {"fields": ["full_name"], "revision": 2, "from": "rejected"}
    assert tab.selected_seq() == entry.seq
    assert tab.model.data(tab.model.index(0, 1)) == "Menunggu dikirim"
    assert tab.message_label.text() == (
        f"Perbaikan entri No. {entry.seq} tersimpan (revisi 2); dikirim ke pusat saat jaringan ada."
    )


def test_saving_a_correction_without_a_change_makes_no_revision(
    qtbot: QtBot, tab: QueueTab, queue: Queue
) -> None:
    entry = queue.enqueue(make_record(9), operator="ANI", station_id="ST-A")
    tab.refresh()
    assert tab.select_seq(entry.seq)
    tab.fix_button.click()
    dialog = tab.correction_dialog
    assert dialog is not None
    dialog.form.confirm_warnings = lambda _w: True
    with qtbot.waitSignal(dialog.form.saved):
        dialog.form.save_button.click()
    assert queue.get(entry.seq).revision == 1
    assert [e.action for e in queue.audit_trail(entry.seq)] == ["captured"]
    assert tab.message_label.text() == f"Entri No. {entry.seq}: tidak ada yang berubah."


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
    with qtbot.waitSignal(window_of(tab).bridge.changed):
        qtbot.keyClick(dialog.reason_input, Qt.Key.Key_Return)
    assert queue.get(entry.seq).state is State.DISCARDED
    last = queue.audit_trail(entry.seq)[-1]
    assert (last.action, last.actor) == ("discarded", "SITI")
    assert last.detail == {"from": "pending", "reason": "warga salah antrean"}
    assert tab.model.data(tab.model.index(0, 1)) == "Dibatalkan"
    assert not tab.discard_button.isEnabled() and not tab.fix_button.isEnabled()
    assert tab.message_label.text() == f"Entri No. {entry.seq} dibatalkan."


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


CONFLICT = {"field": "nik", "code": "nik_recorded", "message": "NIK sudah direkam di pusat."}


def test_an_operator_may_not_touch_a_conflict_the_buttons_say_so(
    qtbot: QtBot, tab: QueueTab, station: Station, queue: Queue
) -> None:
    entry = queue.enqueue(make_record(7), operator="ANI", station_id="ST-A")
    judge(queue, entry, State.CONFLICT, errors=(CONFLICT,))
    tab.refresh()
    assert station.actions_for(State.CONFLICT) == frozenset()  # the core's answer …
    assert tab.select_seq(entry.seq)
    assert not tab.fix_button.isEnabled() and not tab.discard_button.isEnabled()  # … shown
    qtbot.keyClick(tab.table, Qt.Key.Key_F2)
    assert tab.correction_dialog is None
    assert tab.message_label.text() == (
        f"Entri No. {entry.seq} berstatus Konflik: tidak dapat diperbaiki di sini."
    )
    qtbot.keyClick(tab.table, Qt.Key.Key_Delete)
    assert tab.reason_dialog is None
    assert "tidak dapat dibatalkan" in tab.message_label.text()
    assert queue.get(entry.seq).state is State.CONFLICT


def test_a_supervisor_may_correct_or_withdraw_a_conflict(
    qtbot: QtBot, make_tab: MakeTab, supervisor: Station
) -> None:
    queue = supervisor.queue
    entry = queue.enqueue(make_record(8), operator="ANI", station_id="ST-A")
    judge(queue, entry, State.CONFLICT, errors=(CONFLICT,))
    tab = make_tab(supervisor)
    assert {"correct", "discard"} <= supervisor.actions_for(State.CONFLICT)
    assert tab.select_seq(entry.seq)
    assert tab.fix_button.isEnabled() and tab.discard_button.isEnabled()
    tab.ask_discard()
    dialog = tab.reason_dialog
    assert dialog is not None
    dialog.reason_input.setText("warga pindah")
    dialog.ok_button.click()
    assert queue.get(entry.seq).state is State.DISCARDED
    assert queue.audit_trail(entry.seq)[-1].actor == "SUPERVISOR"


def test_the_window_lists_a_new_entry_and_counts_a_withdrawal(qtbot: QtBot, tab: QueueTab) -> None:
    window = window_of(tab)
    assert window.tabs.widget(1) is window.queue_tab
    assert window.tabs.widget(2) is window.dashboard
    window.tabs.setCurrentIndex(0)
    form = window.form
    form.confirm_warnings = lambda _w: True
    form.load_record(make_record(8))
    with qtbot.waitSignal(form.saved):
        form.save_button.click()
    assert rows(tab) == [1]
    assert window.status_bar.pending_label.text() == "Menunggu: 1"
    tab.discard(1, "contoh")
    assert window.status_bar.pending_label.text() == "Menunggu: 0"
    window.tabs.setCurrentIndex(2)
    qtbot.waitUntil(lambda: window.dashboard.count_labels[State.DISCARDED].text() == "1")


def test_open_an_entrys_receipt_from_the_list(qtbot: QtBot, tab: QueueTab, queue: Queue) -> None:
    older = queue.enqueue(make_record(5), operator="ANI", station_id="ST-A")
    queue.enqueue(make_record(6), operator="ANI", station_id="ST-A")
    tab.refresh()
    tab.table.clearSelection()
    tab.table.setCurrentIndex(tab.model.index(-1, 0))
    assert not tab.receipt_button.isEnabled()
    assert tab.select_seq(older.seq)
    assert tab.receipt_button.isEnabled()
    tab.table.setFocus()
    qtbot.keyClick(tab.table, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    preview = receipt_preview(qtbot, tab)
    assert preview.windowTitle() == f"Bukti perekaman No. {older.seq}"
    preview.close()


def test_ctrl_2_puts_the_keyboard_on_the_list(qtbot: QtBot, station: Station, queue: Queue) -> None:
    from helpers import show_window

    entry = queue.enqueue(make_record(7), operator="ANI", station_id="ST-A")
    window = show_window(qtbot, station, active=True)
    tab = window.queue_tab
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: tab.table.hasFocus() and tab.model.rowCount() == 1)
    qtbot.keyClick(tab.table, Qt.Key.Key_Down)
    assert tab.selected_seq() == entry.seq
    qtbot.keyClick(tab.table, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    preview = receipt_preview(qtbot, tab)
    assert preview.windowTitle() == f"Bukti perekaman No. {entry.seq}"
    preview.close()
    window.close()
