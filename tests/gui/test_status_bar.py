"""The status line follows the sync engine through the station's bridge, across threads; its
link texts come from the one vocabulary."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from pytestqt.qtbot import QtBot

from ektp_station.gui.bridge import StationBridge
from ektp_station.gui.status_bar import StationStatusBar
from ektp_station.sync.engine import EngineState, Link, Progress

NOW = 1_800_000_000.0


@pytest.fixture
def wired(qtbot: QtBot) -> tuple[StationBridge, StationStatusBar, list[str]]:
    calls: list[str] = []
    bar = StationStatusBar(lambda: calls.append("sync_now"), clock=lambda: NOW)
    qtbot.addWidget(bar)
    bridge = StationBridge()
    bridge.stateChanged.connect(bar.on_state)
    bridge.progress.connect(bar.on_progress)
    return bridge, bar, calls


def from_engine_thread(call: object, *args: object) -> None:
    """Call the listener from a plain thread, as the sync engine does."""
    assert callable(call)
    thread = threading.Thread(target=call, args=args)
    thread.start()
    thread.join()


@pytest.mark.parametrize(
    ("state", "text"),
    [
        (EngineState(Link.ONLINE, pending=0), "Terhubung ke pusat"),
        (EngineState(Link.OFFLINE, pending=4), "Jaringan putus"),
        (
            EngineState(Link.OFFLINE, pending=4, retry_at=NOW + 12.2),
            "Jaringan putus · Mencoba lagi dalam 12 dtk",
        ),
        (EngineState(Link.RETRYING, pending=4, retry_at=NOW + 30), "Mencoba lagi dalam 30 dtk"),
        (
            EngineState(Link.REFUSED, pending=4, last_error_id="Token salah"),
            "Pusat menolak stasiun ini",
        ),
    ],
)
def test_link_state_follows_the_bridge(
    qtbot: QtBot,
    wired: tuple[StationBridge, StationStatusBar, list[str]],
    state: EngineState,
    text: str,
) -> None:
    bridge, bar, _calls = wired
    from_engine_thread(bridge.sync_state_changed, state)
    qtbot.waitUntil(lambda: bar.link_label.text() == text)
    assert bar.pending_label.text() == f"Menunggu: {state.pending}"
    assert bar.link_label.toolTip() == (state.last_error_id or "")  # the engine's own words


def test_slots_run_on_the_gui_thread(
    qtbot: QtBot, wired: tuple[StationBridge, StationStatusBar, list[str]]
) -> None:
    bridge, _bar, _calls = wired
    seen: list[int] = []
    bridge.stateChanged.connect(lambda _s: seen.append(threading.get_ident()))
    from_engine_thread(bridge.sync_state_changed, EngineState(Link.ONLINE))
    qtbot.waitUntil(lambda: bool(seen))
    assert seen == [threading.get_ident()]


def test_progress_and_last_sync(
    qtbot: QtBot, wired: tuple[StationBridge, StationStatusBar, list[str]]
) -> None:
    bridge, bar, _calls = wired
    from_engine_thread(bridge.sync_progress, Progress(200, 200, 0, 0, 200, 300))
    qtbot.waitUntil(lambda: bar.pending_label.text() == "Menunggu: 300")
    assert not bar.progress_bar.isHidden()
    assert (bar.progress_bar.value(), bar.progress_bar.maximum()) == (200, 500)
    synced = datetime(2026, 11, 24, 3, 15, tzinfo=UTC)
    from_engine_thread(
        bridge.sync_state_changed, EngineState(Link.ONLINE, pending=0, last_sync_at=synced)
    )
    qtbot.waitUntil(lambda: bar.pending_label.text() == "Menunggu: 0")
    assert synced.astimezone().strftime("%H:%M") in bar.last_sync_label.text()
    from_engine_thread(bridge.sync_progress, Progress(300, 300, 0, 0, 500, 0))
    qtbot.waitUntil(lambda: bar.progress_bar.isHidden())


def test_send_now_button_asks_the_engine(
    qtbot: QtBot, wired: tuple[StationBridge, StationStatusBar, list[str]]
) -> None:
    _bridge, bar, calls = wired
    bar.send_button.click()
    assert calls == ["sync_now"]


def test_without_a_centre(qtbot: QtBot) -> None:
    bar = StationStatusBar(None)
    qtbot.addWidget(bar)
    assert bar.link_label.text() == "Pusat belum diatur"
    assert not bar.send_button.isEnabled()
