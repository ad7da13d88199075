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
        # the moment has come, the attempt is on its way: never "dalam 0 dtk"
        (EngineState(Link.OFFLINE, retry_at=NOW - 0.4), "Jaringan putus · Mencoba sekarang…"),
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


@pytest.mark.parametrize(
    ("link", "icon"),
    [
        (Link.ONLINE, "●"),
        (Link.OFFLINE, "✕"),
        (Link.RETRYING, "↻"),
        (Link.REFUSED, "⊘"),
        (Link.LOCKED, "■"),
    ],
)
def test_the_badge_changes_within_100_ms_of_the_engine(
    qtbot: QtBot,
    wired: tuple[StationBridge, StationStatusBar, list[str]],
    link: Link,
    icon: str,
) -> None:
    import time

    from ektp_station.gui.status_bar import BADGES

    bridge, bar, _calls = wired
    started = time.monotonic()
    from_engine_thread(bridge.sync_state_changed, EngineState(link, pending=2))
    qtbot.waitUntil(lambda: bar.badge_state == link.value, timeout=1000)
    assert time.monotonic() - started < 0.1 + 0.05  # the signal's hop, not a poll
    assert bar.link_icon.text() == icon
    background = BADGES[link.value][1]
    assert background in bar.link_badge.styleSheet()
    assert bar.link_label.text()  # a word beside the colour and the icon


def test_the_countdown_counts_down(qtbot: QtBot) -> None:
    now = [NOW]
    bar = StationStatusBar(lambda: None, clock=lambda: now[0])
    qtbot.addWidget(bar)
    bar.on_state(EngineState(Link.RETRYING, pending=1, retry_at=NOW + 5))
    assert bar.link_label.text() == "Mencoba lagi dalam 5 dtk"
    now[0] += 2
    qtbot.waitUntil(lambda: bar.link_label.text() == "Mencoba lagi dalam 3 dtk", timeout=2500)


def test_rejected_and_conflicts_show_only_when_there_are_any(qtbot: QtBot) -> None:
    bar = StationStatusBar(None)
    qtbot.addWidget(bar)
    bar.show()
    bar.set_counts(pending=7, rejected=0, conflict=0)
    assert bar.pending_label.text() == "Menunggu: 7"
    assert not bar.rejected_label.isVisible() and not bar.conflict_label.isVisible()
    bar.set_counts(pending=7, rejected=2, conflict=1)
    assert bar.rejected_label.isVisible() and bar.rejected_label.text() == "Ditolak: 2"
    assert bar.conflict_label.isVisible() and bar.conflict_label.text() == "Konflik: 1"


def test_parts_left_with_bytes_and_time_at_the_measured_rate(
    qtbot: QtBot, wired: tuple[StationBridge, StationStatusBar, list[str]]
) -> None:
    bridge, bar, _calls = wired
    bar.show()
    assert not bar.parts_label.isVisible()
    state = EngineState(Link.ONLINE, parts_left=12, bytes_left=3_400_000, part_rate=16_000.0)
    bridge.stateChanged.emit(state)
    assert bar.parts_label.text() == "Biometrik: 12 bagian · 3,4 MB · ± 4 mnt lagi"
    assert bar.parts_label.isVisible()
    bar.set_parts(2, 40_000, None)  # from the queue's counts, before any rate is known
    assert bar.parts_label.text() == "Biometrik: 2 bagian · 40 kB"
    bridge.stateChanged.emit(EngineState(Link.ONLINE, parts_left=0, part_rate=20_000.0))
    assert not bar.parts_label.isVisible()  # all sent


def test_parts_waiting_for_the_link_say_so(
    qtbot: QtBot, wired: tuple[StationBridge, StationStatusBar, list[str]]
) -> None:
    bridge, bar, _calls = wired
    bar.show()
    down = EngineState(Link.OFFLINE, parts_left=3, bytes_left=90_000, part_rate=16_000.0)
    bridge.stateChanged.emit(down)
    assert bar.parts_label.text() == "Biometrik: 3 bagian · 90 kB · menunggu jaringan"


def test_a_full_status_line_never_widens_the_window(qtbot: QtBot) -> None:
    """The link down with its countdown, parts waiting, the last sync, the counts: the
    window stays within the counter's 1366 px and the texts end in "…"."""
    from PySide6.QtWidgets import QMainWindow

    window = QMainWindow()
    qtbot.addWidget(window)
    bar = StationStatusBar(lambda: None, clock=lambda: NOW)
    window.setStatusBar(bar)
    window.resize(1000, 600)
    window.show()
    qtbot.waitExposed(window)
    bar.on_state(
        EngineState(
            Link.OFFLINE,
            pending=12_345,
            retry_at=NOW + 3_599,
            last_error="ConnectError on batch",
            parts_left=1_234,
            bytes_left=987_654_321,
            part_rate=16_000.0,
            last_sync_at=datetime(2026, 12, 2, 8, 30, tzinfo=UTC),
        )
    )
    bar.set_counts(pending=12_345, rejected=234, conflict=56)
    from PySide6.QtCore import QCoreApplication

    QCoreApplication.processEvents()  # the layout pass the new texts asked for
    assert window.width() == 1000 and window.minimumSizeHint().width() <= 1000
    assert bar.parts_label.is_elided() or bar.link_label.is_elided()
    assert bar.parts_label.toolTip().startswith("Biometrik: 1234 bagian")
