"""The OS's "network changed" wakes the sync engine at once (gui/netwatch.py)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QNetworkInformation
from pytestqt.qtbot import QtBot

from ektp_station.gui.demo import Demo
from ektp_station.gui.netwatch import NetworkWatcher, reachability_source
from ektp_station.store import State
from ektp_station.sync.engine import EngineConfig, Link

from factories import make_record

Reachability = QNetworkInformation.Reachability

#: Backoff and probes far longer than the test: only a wake-up can make the engine send.
LONG_BACKOFF = EngineConfig(
    batch_size=50, probe_interval=120.0, backoff_initial=60.0, backoff_max=120.0
)


class FakeNetworkInformation(QObject):
    """Stands in for QNetworkInformation: the same signal, emitted by the test."""

    reachabilityChanged = Signal(object)

    def backendName(self) -> str:
        return "fake"


def test_wakes_when_the_network_comes_back_not_when_it_goes(qtbot: QtBot) -> None:
    woken: list[int] = []
    watcher = NetworkWatcher(lambda: woken.append(1))
    source = FakeNetworkInformation()
    assert watcher.start(source) and watcher.active and watcher.backend == "fake"
    source.reachabilityChanged.emit(Reachability.Disconnected)
    source.reachabilityChanged.emit(Reachability.Unknown)
    assert woken == []
    source.reachabilityChanged.emit(Reachability.Online)
    source.reachabilityChanged.emit(Reachability.Local)
    assert woken == [1, 1]
    watcher.stop()
    watcher.stop()  # idempotent
    source.reachabilityChanged.emit(Reachability.Online)
    assert woken == [1, 1] and not watcher.active


def test_without_a_source_it_uses_the_os_backend_or_does_nothing(qtbot: QtBot) -> None:
    woken: list[int] = []
    watcher = NetworkWatcher(lambda: woken.append(1))
    source = reachability_source()
    started = watcher.start()  # never raises, whatever the platform offers
    assert started == (source is not None) == watcher.active
    if source is not None:
        assert watcher.backend == QNetworkInformation.instance().backendName()
        watcher.on_reachability_changed(Reachability.Online)  # as the backend would call it
        assert woken == [1]
    watcher.stop()


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[Demo]:
    with Demo(tmp_path / "demo", engine_config=LONG_BACKOFF) as running:
        yield running


def test_network_change_ends_a_long_backoff_at_once(qtbot: QtBot, demo: Demo) -> None:
    assert demo.proxy is not None and demo.central is not None and demo.queue is not None
    proxy, central = demo.proxy, demo.central
    before = central.stats()["registrations"]  # the demo's other station had one
    demo.queue.enqueue(make_record(1), operator="ANI", station_id="DEMO-01")
    proxy.set_mode("down")
    window = demo.build_window()
    qtbot.addWidget(window)
    station = window.station
    window.start_sync()
    engine = station.engine
    assert engine is not None and engine.running
    assert window.network_watcher is not None  # started with the engine
    source = FakeNetworkInformation()
    assert window.network_watcher.start(source)

    def backing_off_long() -> bool:
        state = engine.state
        return (
            state.link is Link.OFFLINE
            and state.retry_at is not None
            and state.retry_at - time.time() > 20
        )

    # full jitter may draw a short wait first: wait until one draw is long
    qtbot.waitUntil(backing_off_long, timeout=20000)
    proxy.set_mode("up")
    woken_at = time.monotonic()
    source.reachabilityChanged.emit(Reachability.Online)
    qtbot.waitUntil(lambda: central.stats()["registrations"] == before + 1, timeout=10000)
    qtbot.waitUntil(lambda: station.queue.count(State.SYNCED) == 1, timeout=10000)
    qtbot.waitUntil(lambda: engine.state.link is Link.ONLINE, timeout=10000)
    assert time.monotonic() - woken_at < 10  # far inside the backoff of > 20 s

    window.stop_sync()
    assert window.network_watcher is None and station.engine is None
    assert not engine.running
    window.close()
