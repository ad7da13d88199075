"""The "Dasbor" tab over the station core: its numbers are the store's, read off the GUI
thread; conflicts are a supervisor's, closed ("resolved") or withdrawn with a note that lands
in the audit trail."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from PySide6.QtCore import Qt, QTimer
from pytestqt.qtbot import QtBot

from ektp_station.gui import dashboard as dashboard_module
from ektp_station.gui.bridge import StationBridge
from ektp_station.gui.conflicts import ConflictsPanel
from ektp_station.gui.dashboard import Dashboard, format_age, local_midnight
from ektp_station.gui.tasks import TaskRunner
from ektp_station.station import DashboardReport, Station
from ektp_station.store import Entry, Outcome, Queue, State
from ektp_station.store.queries import hourly_activity, oldest_unsynced
from ektp_station.sync.engine import EngineState, Link

from factories import make_record

NOW = datetime(2026, 11, 24, 15, 30).astimezone()  # local time at the counter
MIDNIGHT = local_midnight(NOW)

MakeDashboard = Callable[[Station], Dashboard]


@pytest.fixture
def make_dashboard(qtbot: QtBot) -> Iterator[MakeDashboard]:
    """A dashboard over ``station`` wired as the window wires it: a bridge subscribed to the
    core, and a task runner for the report."""
    made: list[tuple[Station, StationBridge, TaskRunner]] = []

    def make(station: Station) -> Dashboard:
        bridge, tasks = StationBridge(), TaskRunner()
        station.subscribe(bridge)
        made.append((station, bridge, tasks))
        widget = Dashboard(station, bridge, tasks, now=lambda: NOW)
        qtbot.addWidget(widget)
        widget.resize(800, 700)
        return widget

    yield make
    for station, bridge, tasks in made:
        tasks.shutdown()
        station.unsubscribe(bridge)


def judge(queue: Queue, entries: list[Entry], state: State, **extra: object) -> None:
    claimed = queue.claim_batch("test", len(entries))
    assert [e.seq for e in claimed] == [e.seq for e in entries]
    outcomes = [Outcome(e.entry_id, state, **extra) for e in entries]  # type: ignore[arg-type]
    queue.apply_outcomes("test", outcomes)


def capture(queue: Queue, serial: int, operator: str, at: datetime) -> Entry:
    return queue.enqueue(make_record(serial), operator=operator, station_id="ST-A", captured_at=at)


CONFLICT = {"field": "nik", "code": "nik_recorded", "message": "NIK ini sudah direkam di pusat."}


@pytest.fixture
def filled(supervisor: Station) -> dict[str, Entry]:
    """Yesterday: one synced (ANI). Today: ANI 2 (08:10 rejected, 08:40 conflict), BUDI 3
    (09:05 synced, 09:20 pending, 14:55 pending)."""
    queue = supervisor.queue
    made = {
        "old": capture(queue, 1, "ANI", MIDNIGHT - timedelta(hours=2)),
        "rejected": capture(queue, 2, "ANI", MIDNIGHT + timedelta(hours=8, minutes=10)),
        "conflict": capture(queue, 3, "ANI", MIDNIGHT + timedelta(hours=8, minutes=40)),
        "synced": capture(queue, 4, "BUDI", MIDNIGHT + timedelta(hours=9, minutes=5)),
        "pending": capture(queue, 5, "BUDI", MIDNIGHT + timedelta(hours=9, minutes=20)),
        "late": capture(queue, 6, "BUDI", MIDNIGHT + timedelta(hours=14, minutes=55)),
    }
    judge(queue, [made["old"]], State.SYNCED, server_ref="R-1")
    judge(
        queue,
        [made["rejected"]],
        State.REJECTED,
        errors=({"field": "rt", "code": "x", "message": "RT tidak ada."},),
    )
    judge(queue, [made["conflict"]], State.CONFLICT, errors=(CONFLICT,))
    judge(queue, [made["synced"]], State.SYNCED, server_ref="R-4")
    return made


@pytest.fixture
def dashboard(make_dashboard: MakeDashboard, supervisor: Station) -> Dashboard:
    return make_dashboard(supervisor)


def show(qtbot: QtBot, widget: Dashboard) -> None:
    """On screen, and its first report (read off the GUI thread) arrived."""
    widget.show()
    qtbot.waitExposed(widget)
    widget.activateWindow()
    qtbot.waitUntil(lambda: widget.report is not None)


def test_numbers_are_the_stores(
    qtbot: QtBot, dashboard: Dashboard, supervisor: Station, filled: dict[str, Entry]
) -> None:
    queue = supervisor.queue
    assert dashboard.report is None  # nothing read before it comes on screen
    show(qtbot, dashboard)  # refreshed when it comes on screen
    counts = queue.status().counts
    shown = {s.value: int(label.text()) for s, label in dashboard.count_labels.items()}
    assert shown == counts
    assert shown == {
        "pending": 2,
        "sending": 0,
        "synced": 2,
        "rejected": 1,
        "conflict": 1,
        "discarded": 0,
        "resolved": 0,
        "uploading": 0,
    }
    oldest = oldest_unsynced(queue)
    assert oldest is not None and oldest.seq == filled["rejected"].seq
    assert f"No. {oldest.seq} (Ditolak pusat)" in dashboard.oldest_label.text()
    assert "7 jam 20 menit yang lalu" in dashboard.oldest_label.text()
    assert dashboard.operators_label.text() == "Direkam per operator: BUDI: 3 · ANI: 2"
    captured = dashboard.chart.captured
    assert sum(captured) == 5
    assert (captured[8], captured[9], captured[14]) == (2, 2, 1)
    assert "Terakhir terkirim:" in dashboard.last_sync_label.text()
    assert dashboard.error_label.text() == "Galat pengiriman terakhir: pusat belum diatur"
    dashboard.grab()  # the chart paints without error


def test_a_burst_of_changes_is_one_report_read_off_the_gui_thread(
    qtbot: QtBot,
    dashboard: Dashboard,
    supervisor: Station,
    filled: dict[str, Entry],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    queue = supervisor.queue
    read_on: list[int] = []
    real = supervisor.dashboard

    def report(now: datetime) -> DashboardReport:
        read_on.append(threading.get_ident())
        return real(now)

    monkeypatch.setattr(supervisor, "dashboard", report)
    show(qtbot, dashboard)
    assert dashboard.timer.isActive()
    assert len(read_on) == 1 and threading.get_ident() not in read_on
    judge(queue, [filled["pending"]], State.SYNCED, server_ref="R-5")
    dashboard.queue_changed()
    dashboard.queue_changed()  # a burst of batches: one refresh, soon
    assert dashboard.count_labels[State.SYNCED].text() == "2"  # not read on the GUI thread
    qtbot.waitUntil(lambda: dashboard.count_labels[State.SYNCED].text() == "3", timeout=3000)
    assert len(read_on) == 2 and threading.get_ident() not in read_on
    supervisor.discard(filled["late"].seq, "dobel")
    dashboard.timer.setInterval(10)  # and its timer refreshes it too
    qtbot.waitUntil(lambda: dashboard.count_labels[State.DISCARDED].text() == "1")
    dashboard.hide()
    assert not dashboard.timer.isActive()


def test_a_hidden_dashboard_reads_nothing_until_shown(
    qtbot: QtBot, dashboard: Dashboard, supervisor: Station, filled: dict[str, Entry]
) -> None:
    show(qtbot, dashboard)
    dashboard.hide()
    first = dashboard.report
    supervisor.discard(filled["late"].seq, "dobel")
    dashboard.queue_changed()
    assert not dashboard.tasks.busy and dashboard.report is first
    dashboard.show()  # stale: read again as it comes back
    qtbot.waitUntil(lambda: dashboard.count_labels[State.DISCARDED].text() == "1")
    assert dashboard.report is not first


def test_a_failed_report_leaves_the_last_numbers_and_the_next_one_comes(
    qtbot: QtBot,
    dashboard: Dashboard,
    supervisor: Station,
    filled: dict[str, Entry],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    show(qtbot, dashboard)
    real = supervisor.dashboard
    fail = [True]

    def report(now: datetime) -> DashboardReport:
        if fail.pop() if fail else False:
            raise OSError("disk busy")
        return real(now)

    monkeypatch.setattr(supervisor, "dashboard", report)
    supervisor.discard(filled["late"].seq, "dobel")
    dashboard.refresh()
    qtbot.waitUntil(lambda: not dashboard.tasks.busy)
    assert dashboard.count_labels[State.DISCARDED].text() == "0"  # the last report stays
    dashboard.refresh()  # not stuck "loading"
    qtbot.waitUntil(lambda: dashboard.count_labels[State.DISCARDED].text() == "1")


def test_shows_the_engines_last_error(qtbot: QtBot, supervisor: Station) -> None:
    bridge, tasks = StationBridge(), TaskRunner()
    dashboard = Dashboard(supervisor, bridge, tasks, now=lambda: NOW)
    qtbot.addWidget(dashboard)
    state = EngineState(
        Link.OFFLINE, last_error="connect failed", last_error_id="Pusat tidak terjangkau."
    )
    with qtbot.waitSignal(bridge.stateChanged):
        # from the engine's thread, as the core relays it
        worker = threading.Thread(target=bridge.sync_state_changed, args=(state,))
        worker.start()
        worker.join()
    assert dashboard.error_label.text() == "Galat pengiriman terakhir: Pusat tidak terjangkau."
    assert dashboard.error_label.toolTip() == "connect failed"
    bridge.stateChanged.emit(EngineState(Link.ONLINE))
    assert dashboard.error_label.text() == "Galat pengiriman terakhir: tidak ada"
    # the engine keeps its last error after the link came back: not news for the supervisor
    bridge.stateChanged.emit(replace(state, link=Link.ONLINE))
    assert dashboard.error_label.text() == "Galat pengiriman terakhir: tidak ada"
    assert dashboard.error_label.toolTip() == ""
    tasks.shutdown()


def test_resolving_a_conflict_marks_it_resolved_with_the_note(
    qtbot: QtBot, dashboard: Dashboard, supervisor: Station, filled: dict[str, Entry]
) -> None:
    queue = supervisor.queue
    show(qtbot, dashboard)
    panel = dashboard.conflicts
    assert panel is not None
    assert [panel.model.seq_at(r) for r in range(panel.model.rowCount())] == [
        filled["conflict"].seq
    ]
    assert "Konflik untuk ditinjau: 1" in panel.title.text()
    panel.table.setFocus()
    qtbot.waitUntil(lambda: panel.table.hasFocus())
    qtbot.keyClick(panel.table, Qt.Key.Key_Down)
    assert panel.resolve_button.isEnabled()
    qtbot.keyClick(panel, Qt.Key.Key_S, Qt.KeyboardModifier.AltModifier)  # "Tandai &selesai"
    qtbot.waitUntil(lambda: panel.reason_dialog is not None)
    dialog = panel.reason_dialog
    assert dialog is not None
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(lambda: dialog.reason_input.hasFocus())
    qtbot.keyClicks(dialog.reason_input, "sama dengan entri pusat R-77")
    with qtbot.waitSignal(panel.model.modelReset):
        qtbot.keyClick(dialog.reason_input, Qt.Key.Key_Return)
    seq = filled["conflict"].seq
    assert queue.get(seq).state is State.RESOLVED
    last = queue.audit_trail(seq)[-1]
    assert (last.action, last.actor) == ("resolved", "SUPERVISOR")
    assert last.detail == {"from": "conflict", "note": "sama dengan entri pusat R-77"}
    assert panel.model.rowCount() == 0
    assert panel.message_label.text() == f"Konflik No. {seq} selesai."
    assert "Konflik untuk ditinjau: 0" in panel.title.text()


def test_withdrawing_a_conflict_keeps_the_reason_as_given(
    qtbot: QtBot, supervisor: Station, filled: dict[str, Entry]
) -> None:
    queue = supervisor.queue
    panel = ConflictsPanel(supervisor)
    qtbot.addWidget(panel)
    panel.show()
    qtbot.waitExposed(panel)
    seq = filled["conflict"].seq
    assert panel.select_seq(seq)
    panel.withdraw_button.click()
    dialog = panel.reason_dialog
    assert dialog is not None
    dialog.reason_input.setText("warga pindah domisili")
    dialog.ok_button.click()
    assert queue.get(seq).state is State.DISCARDED
    last = queue.audit_trail(seq)[-1]
    assert (last.action, last.actor) == ("discarded", "SUPERVISOR")
    assert last.detail == {"from": "conflict", "reason": "warga pindah domisili"}
    assert "dibatalkan" in panel.message_label.text()
    assert panel.model.rowCount() == 0


def test_the_cores_refusal_shows_in_the_panel(
    qtbot: QtBot, station: Station, filled: dict[str, Entry]
) -> None:
    panel = ConflictsPanel(station)  # an operator: the core says no, the panel says why
    qtbot.addWidget(panel)
    seq = filled["conflict"].seq
    panel.resolve(seq, "sudah di pusat")
    panel.withdraw(seq, "dobel")
    assert station.queue.get(seq).state is State.CONFLICT
    assert panel.message_label.text() == (
        "Hanya supervisor yang boleh membatalkan entri konflik. Minta supervisor masuk."
    )
    assert [e.action for e in station.queue.audit_trail(seq)][-1] != "resolved"


def test_an_operator_sees_no_conflicts_to_review(
    make_dashboard: MakeDashboard, station: Station, supervisor: Station
) -> None:
    assert station.actor is not None and not station.actor.is_supervisor
    assert make_dashboard(station).conflicts is None
    assert make_dashboard(supervisor).conflicts is not None


def test_hourly_activity_counts_synced_entries_by_the_hour(queue: Queue) -> None:
    entry = queue.enqueue(make_record(1), operator="ANI", station_id="ST-A")
    judge(queue, [entry], State.SYNCED, server_ref="R-1")
    synced_at = queue.get(entry.seq).synced_at
    assert synced_at is not None
    captured, synced = hourly_activity(queue, synced_at - timedelta(minutes=90), hours=3)
    assert synced == [0, 1, 0]
    assert sum(captured) == 1


def test_format_age() -> None:
    assert format_age(timedelta(seconds=20)) == "kurang dari 1 menit"
    assert format_age(timedelta(minutes=5)) == "5 menit"
    assert format_age(timedelta(hours=3, minutes=12)) == "3 jam 12 menit"
    assert format_age(timedelta(days=2, hours=3, minutes=1)) == "2 hari 3 jam"
    assert local_midnight(NOW).hour == 0 and local_midnight(NOW).date() == NOW.date()


def test_a_refresh_due_when_it_leaves_the_screen_waits_for_its_return(
    qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch,
    make_dashboard: MakeDashboard,
    supervisor: Station,
    filled: dict[str, Entry],
) -> None:
    monkeypatch.setattr(dashboard_module, "PROGRESS_REFRESH_MS", 10)
    dashboard = make_dashboard(supervisor)
    show(qtbot, dashboard)
    reads: list[datetime] = []
    real = supervisor.dashboard
    monkeypatch.setattr(supervisor, "dashboard", lambda now: reads.append(now) or real(now))
    dashboard.queue_changed()  # due in 10 ms …
    dashboard.hide()  # … but it left the screen (another tab, or the window closed)
    later = QTimer()
    later.setSingleShot(True)
    with qtbot.waitSignal(later.timeout):
        later.start(100)  # well after the refresh was due
    assert reads == [] and not dashboard.tasks.busy
    dashboard.show()  # back on screen: refreshed at once
    qtbot.waitUntil(lambda: len(reads) == 1 and not dashboard.tasks.busy)


def test_a_shut_down_runner_drops_new_tasks(qtbot: QtBot) -> None:
    tasks = TaskRunner()
    done: list[int] = []
    tasks.run(lambda: 1, done.append)
    qtbot.waitUntil(lambda: done == [1])
    tasks.shutdown()
    tasks.run(lambda: 2, done.append)  # a timer that fired as the window closed: no error
    assert not tasks.busy and done == [1]


def test_the_charts_legend_squares_have_the_bars_colours(qtbot: QtBot) -> None:
    from PySide6.QtGui import QColor

    from ektp_station.gui.dashboard import CAPTURED_COLOUR, SYNCED_COLOUR, HourlyChart

    chart = HourlyChart()
    qtbot.addWidget(chart)
    chart.resize(520, 170)
    chart.set_data([0] * 8 + [5, 9] + [0] * 14, [0] * 9 + [4, 8] + [0] * 13)
    image = chart.grab().toImage()
    legend_row = chart.fontMetrics().height() // 2
    colours = {image.pixelColor(x, legend_row).name() for x in range(image.width())}
    assert QColor(CAPTURED_COLOUR).name() in colours and QColor(SYNCED_COLOUR).name() in colours
