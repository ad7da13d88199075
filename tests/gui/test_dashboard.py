"""The "Dasbor" tab against a real queue: its numbers are the store's, conflicts are closed with
a reason that lands in the audit trail."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from ektp_station.gui.bridge import SyncBridge
from ektp_station.gui.conflicts import ConflictsPanel
from ektp_station.gui.context import StationContext
from ektp_station.gui.dashboard import Dashboard, format_age, local_midnight
from ektp_station.paths import AppPaths
from ektp_station.settings import Settings
from ektp_station.store import Entry, Outcome, Queue, State
from ektp_station.store.queries import hourly_activity, oldest_unsynced
from ektp_station.sync.engine import EngineState, Link

from factories import make_record

NOW = datetime(2026, 11, 24, 15, 30).astimezone()  # local time at the counter
MIDNIGHT = local_midnight(NOW)


def make_station(data_dir: Path, queue: Queue, **extra: object) -> StationContext:
    station = StationContext(
        paths=AppPaths.resolve(data_dir),
        settings=Settings(station_id="ST-A"),
        queue=queue,
        operator="SUPERVISOR",
        bridge=SyncBridge(),
    )
    for name, value in extra.items():
        setattr(station, name, value)
    return station


def judge(queue: Queue, entries: list[Entry], state: State, **extra: object) -> None:
    claimed = queue.claim_batch("test", len(entries))
    assert [e.seq for e in claimed] == [e.seq for e in entries]
    outcomes = [Outcome(e.entry_id, state, **extra) for e in entries]  # type: ignore[arg-type]
    queue.apply_outcomes("test", outcomes)


def capture(queue: Queue, serial: int, operator: str, at: datetime) -> Entry:
    return queue.enqueue(make_record(serial), operator=operator, station_id="ST-A", captured_at=at)


CONFLICT = {"field": "nik", "code": "nik_recorded", "message": "NIK ini sudah direkam di pusat."}


@pytest.fixture
def filled(queue: Queue) -> dict[str, Entry]:
    """Yesterday: one synced (ANI). Today: ANI 2 (08:10 rejected, 08:40 conflict), BUDI 3
    (09:05 synced, 09:20 pending, 14:55 pending)."""
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
def dashboard(qtbot: QtBot, data_dir: Path, queue: Queue) -> Dashboard:
    widget = Dashboard(make_station(data_dir, queue, role="supervisor"), now=lambda: NOW)
    qtbot.addWidget(widget)
    widget.resize(800, 700)
    return widget


def show(qtbot: QtBot, widget: Dashboard) -> None:
    widget.show()
    qtbot.waitExposed(widget)
    widget.activateWindow()


def test_numbers_are_the_stores(
    qtbot: QtBot, dashboard: Dashboard, queue: Queue, filled: dict[str, Entry]
) -> None:
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
    }
    oldest = oldest_unsynced(queue)
    assert oldest is not None and oldest.seq == filled["rejected"].seq
    assert f"No. {oldest.seq} (Ditolak)" in dashboard.oldest_label.text()
    assert "7 jam 20 menit yang lalu" in dashboard.oldest_label.text()
    assert dashboard.operators_label.text() == "Direkam per operator: BUDI: 3 · ANI: 2"
    captured = dashboard.chart.captured
    assert sum(captured) == 5
    assert (captured[8], captured[9], captured[14]) == (2, 2, 1)
    assert "Terakhir terkirim:" in dashboard.last_sync_label.text()
    assert dashboard.error_label.text() == "Galat pengiriman terakhir: pusat belum diatur"
    dashboard.grab()  # the chart paints without error


def test_refreshes_on_sync_progress_and_on_its_timer(
    qtbot: QtBot, dashboard: Dashboard, queue: Queue, filled: dict[str, Entry]
) -> None:
    show(qtbot, dashboard)
    assert dashboard.timer.isActive()
    judge(queue, [filled["pending"]], State.SYNCED, server_ref="R-5")
    dashboard.station.bridge.progress.emit(None)
    dashboard.station.bridge.progress.emit(None)  # a burst of batches: one refresh, soon
    qtbot.waitUntil(lambda: dashboard.count_labels[State.SYNCED].text() == "3", timeout=3000)
    queue.discard(filled["late"].seq, actor="ANI", reason="dobel")
    dashboard.timer.setInterval(10)
    qtbot.waitUntil(lambda: dashboard.count_labels[State.DISCARDED].text() == "1")
    dashboard.hide()
    assert not dashboard.timer.isActive()


def test_shows_the_engines_last_error(qtbot: QtBot, dashboard: Dashboard) -> None:
    state = EngineState(
        Link.OFFLINE, last_error="connect failed", last_error_id="Pusat tidak terjangkau."
    )
    dashboard.station.bridge.stateChanged.emit(state)
    assert dashboard.error_label.text() == "Galat pengiriman terakhir: Pusat tidak terjangkau."
    assert dashboard.error_label.toolTip() == "connect failed"
    dashboard.station.bridge.stateChanged.emit(EngineState(Link.ONLINE))
    assert dashboard.error_label.text() == "Galat pengiriman terakhir: tidak ada"


def test_resolving_a_conflict_writes_the_reason(
    qtbot: QtBot, dashboard: Dashboard, queue: Queue, filled: dict[str, Entry]
) -> None:
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
    qtbot.keyClick(panel, Qt.Key.Key_T, Qt.KeyboardModifier.AltModifier)  # "&Tandai selesai"
    qtbot.waitUntil(lambda: panel.reason_dialog is not None)
    dialog = panel.reason_dialog
    assert dialog is not None
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(lambda: dialog.reason_input.hasFocus())
    qtbot.keyClicks(dialog.reason_input, "sama dengan entri pusat R-77")
    with qtbot.waitSignal(panel.changed):
        qtbot.keyClick(dialog.reason_input, Qt.Key.Key_Return)
    seq = filled["conflict"].seq
    assert queue.get(seq).state is State.DISCARDED
    last = queue.audit_trail(seq)[-1]
    assert (last.action, last.actor) == ("discarded", "SUPERVISOR")
    assert last.detail == {"from": "conflict", "reason": "resolved: sama dengan entri pusat R-77"}
    assert panel.model.rowCount() == 0


def test_withdrawing_a_conflict_keeps_the_reason_as_given(
    qtbot: QtBot, data_dir: Path, queue: Queue, filled: dict[str, Entry]
) -> None:
    panel = ConflictsPanel(queue, actor="SUPERVISOR")
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
    last = queue.audit_trail(seq)[-1]
    assert last.detail == {"from": "conflict", "reason": "warga pindah domisili"}
    assert "dibatalkan" in panel.message_label.text()


def test_an_operator_sees_no_conflicts_to_review(
    qtbot: QtBot, data_dir: Path, queue: Queue
) -> None:
    station = make_station(data_dir, queue, role="operator")
    if not hasattr(type(station), "is_supervisor"):
        station = make_station(data_dir, queue, is_supervisor=False)
    widget = Dashboard(station, now=lambda: NOW)
    qtbot.addWidget(widget)
    assert widget.conflicts is None


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
