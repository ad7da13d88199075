"""The GUI thread keeps responding (no stall over 100 ms) while the link stalls and while a
large queue drains: the real window, the real centre on loopback behind the fault proxy.

A heartbeat timer on the GUI thread ticks every 10 ms and records the longest gap between two
ticks; any slot, query or wait on the GUI thread that takes longer shows up as a gap.
"""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import QObject, Qt, QTimer
from pytestqt.qtbot import QtBot

from ektp_station.central.db import CentralDB
from ektp_station.gui.demo import DEMO_OPERATOR, DEMO_STATION_ID, Demo
from ektp_station.gui.main_window import MainWindow
from ektp_station.settings import Settings
from ektp_station.station import Station
from ektp_station.store import Queue, State
from ektp_station.store.db import writing
from ektp_station.sync.engine import EngineConfig, Link

from factories import many_records

MAX_GAP_MS = 100.0
TICK_MS = 10

#: Short timeouts so that a stalled request gives up within the test's few seconds.
STALL_ENGINE = EngineConfig(
    batch_size=50, probe_interval=0.3, backoff_initial=0.2, backoff_max=1.0, idle_poll=0.5
)
DRAIN_ENGINE = EngineConfig(batch_size=200, probe_interval=0.5, idle_poll=0.5)


class Heartbeat(QObject):
    """Ticks on the GUI thread; ``max_gap_ms`` is the longest time between two ticks.

    For the failure message it keeps the worst gaps with what explains them: the GUI thread's
    own CPU time during the gap (its slots and queries) and the garbage collector's passes
    that overlapped it (any thread: a pass holds the GIL)."""

    def __init__(self) -> None:
        super().__init__()
        self.timer = QTimer(self)
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self._tick)
        self.ticks = 0
        self.max_gap_ms = 0.0
        self.worst: list[tuple[float, float, float, float]] = []  # gap, at, gui cpu, gc (ms)
        self._start = self._last = self._last_cpu = 0.0
        self._gc_start = 0.0
        self._gc: list[tuple[float, float]] = []  # (start, end) perf_counter
        self.load_seen: list[float] = []  # 1-minute load average at start and stop

    def start(self) -> None:
        self._start = self._last = time.perf_counter()
        self._last_cpu = time.thread_time()
        self.load_seen.append(os.getloadavg()[0])
        gc.callbacks.append(self._on_gc)
        self.timer.start()

    def stop(self) -> None:
        if self.timer.isActive():
            self.load_seen.append(os.getloadavg()[0])
        self.timer.stop()
        if self._on_gc in gc.callbacks:
            gc.callbacks.remove(self._on_gc)

    def _on_gc(self, phase: str, _info: dict[str, int]) -> None:
        if phase == "start":
            self._gc_start = time.perf_counter()
        else:
            self._gc.append((self._gc_start, time.perf_counter()))

    def _tick(self) -> None:
        now, cpu = time.perf_counter(), time.thread_time()
        gap = (now - self._last) * 1000
        self.max_gap_ms = max(self.max_gap_ms, gap)
        if gap > TICK_MS * 4:
            in_gc = sum(min(e, now) - max(b, self._last) for b, e in self._gc if e > self._last)
            entry = (gap, now - self._start, (cpu - self._last_cpu) * 1000, in_gc * 1000)
            self.worst = sorted([*self.worst, entry], reverse=True)[:5]
        self._gc = [g for g in self._gc if g[1] > now - 1]
        self._last, self._last_cpu = now, cpu
        self.ticks += 1

    def report(self) -> str:
        worst = "; ".join(
            f"{gap:.0f} ms at {at:.2f} s (GUI thread CPU {cpu:.0f} ms, GC {in_gc:.0f} ms)"
            for gap, at, cpu, in_gc in self.worst
        )
        return f"max gap {self.max_gap_ms:.1f} ms, {self.ticks} ticks; worst: {worst or '-'}"


def assert_responsive(heartbeat: Heartbeat, detail: str = "") -> None:
    """The longest gap is under MAX_GAP_MS. On a CPU already oversubscribed by other
    processes (1-minute load above the CPU count) a miss measures the OS scheduler more than
    this process, so it is reported as an expected failure with the numbers, not hidden."""
    report = f"{heartbeat.report()}{detail}"
    print(report)  # shown with -s (and on failure): the numbers behind the verdict
    if heartbeat.max_gap_ms < MAX_GAP_MS:
        return
    load = max(heartbeat.load_seen)
    cpus = os.cpu_count() or 1
    if load > cpus:
        pytest.xfail(f"machine busy (load {load:.1f} on {cpus} CPUs): {report}")
    raise AssertionError(report)


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[Demo]:
    with Demo(tmp_path / "demo", engine_config=STALL_ENGINE) as running:
        yield running


@pytest.fixture
def heartbeat() -> Iterator[Heartbeat]:
    beat = Heartbeat()
    yield beat
    beat.stop()


def fill(queue: Queue, count: int) -> None:
    """``count`` pending entries in one transaction, before the engine starts."""
    with writing(queue.engine) as conn:
        for record in many_records(count):
            queue.enqueue_in(conn, record, operator=DEMO_OPERATOR[0], station_id=DEMO_STATION_ID)


def open_window(qtbot: QtBot, demo: Demo, *, timeout: float) -> MainWindow:
    """The demo's window, its client giving up a request after ``timeout`` seconds."""
    station = demo.station
    assert station is not None
    station.restart_sync(replace(station.settings, timeout_seconds=timeout))  # not started yet
    window = demo.build_window()
    qtbot.addWidget(window)
    window.resize(1100, 760)
    window.show()
    qtbot.waitExposed(window)
    return window


def test_gui_keeps_responding_while_the_link_stalls(
    qtbot: QtBot, demo: Demo, heartbeat: Heartbeat
) -> None:
    assert demo.proxy is not None
    assert demo.queue is not None
    fill(demo.queue, 120)
    demo.proxy.set_mode("blackhole")  # requests are read and never answered
    window = open_window(qtbot, demo, timeout=1.0)
    proxy = demo.proxy
    window.tabs.setCurrentWidget(window.queue_tab)
    # the tab's first page (loaded off the GUI thread) and its first paint are the tab
    # switch's, not the stall's: both done before the heartbeat starts
    qtbot.waitUntil(lambda: window.queue_tab.model.rowCount() >= 120, timeout=10000)
    window.queue_tab.repaint()
    window.start_sync()
    engine = window.station.engine
    assert engine is not None and engine.running
    # measured from the first stalled request on: the engine's start (one-time work such as
    # PySide's lazy set-up of the network module's enums, ~50 ms) is not the stall's
    qtbot.waitUntil(lambda: proxy.counters.blackholed >= 1, timeout=10000)
    heartbeat.start()

    def offline_and_waiting() -> bool:
        state = engine.state
        return (
            state.link is Link.OFFLINE
            and state.retry_at is not None
            and proxy.counters.blackholed >= 2
        )

    qtbot.waitUntil(offline_and_waiting, timeout=20000)
    assert window.status_bar.link_label.text().startswith("Jaringan putus")

    # "Kirim sekarang" during the stall: the click returns at once, the engine tries again
    before = proxy.counters.blackholed
    window.status_bar.send_button.click()
    qtbot.waitUntil(lambda: proxy.counters.blackholed >= before + 1, timeout=10000)
    window.tabs.setCurrentWidget(window.dashboard)
    qtbot.waitUntil(lambda: proxy.counters.blackholed >= before + 3, timeout=15000)
    qtbot.waitUntil(offline_and_waiting, timeout=10000)
    heartbeat.stop()

    # nothing of ours got through the stalled link (the demo's other station had one)
    assert demo.central is not None and demo.central.stats()["registrations"] == 1
    assert heartbeat.ticks > 100, heartbeat.report()
    assert_responsive(heartbeat)

    # the link comes back: everything that waited is delivered
    demo.proxy.set_mode("up")
    window.station.network_changed()
    qtbot.waitUntil(lambda: window.station.queue.count(State.SYNCED) == 120, timeout=20000)
    window.close()


CENTRAL_PROCESS = """
import sys
from ektp_station.central.runner import CentralServer
with CentralServer(sys.argv[1]) as central:
    print(central.url, central.add_station(sys.argv[2]), flush=True)
    sys.stdin.read()  # until the test closes our stdin
"""


@pytest.fixture
def central_process(tmp_path: Path) -> Iterator[tuple[str, str, str]]:
    """The reference centre in its own process, as a counter PC sees it: only the station's
    own threads share the GIL with the GUI thread. Yields (url, token, database URL)."""
    db = f"sqlite:///{tmp_path / 'central.sqlite3'}"
    child = subprocess.Popen(
        [sys.executable, "-c", CENTRAL_PROCESS, db, DEMO_STATION_ID],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdin is not None and child.stdout is not None
    try:
        url, token = child.stdout.readline().split()
        yield url, token, db
    finally:
        child.stdin.close()
        child.wait(timeout=30)
        child.stdout.close()


@pytest.mark.slow
def test_gui_keeps_responding_while_a_large_queue_drains(
    qtbot: QtBot,
    make_station: Callable[..., Station],
    central_process: tuple[str, str, str],
    heartbeat: Heartbeat,
) -> None:
    count = 10_000
    url, token, central_db = central_process
    settings = Settings(station_id=DEMO_STATION_ID, central_url=url, token=token)
    station = make_station(
        role="supervisor",  # the dashboard with its conflicts panel: the most to refresh
        name=DEMO_OPERATOR[0],
        settings=settings,
        engine_config=DRAIN_ENGINE,
    )
    queue = station.queue
    fill(queue, count)
    window = MainWindow(station)
    qtbot.addWidget(window)
    window.resize(1100, 760)
    window.show()
    qtbot.waitExposed(window)
    window.tabs.setCurrentWidget(window.dashboard)  # the heavier refresh on every batch
    progress: list[int] = []
    window.bridge.progress.connect(lambda p: progress.append(p.pending))
    # the dashboard's first report (loaded off the GUI thread) is the tab switch's
    qtbot.waitUntil(lambda: window.dashboard.report is not None, timeout=10000)
    started = time.perf_counter()
    window.start_sync()
    # measured from the first batch answered on: the engine's one-time start-up (PySide's
    # lazy enum set-up, ~50-100 ms of GUI CPU) is not the drain's, as in the stall test
    qtbot.waitUntil(lambda: bool(progress), timeout=20000)
    heartbeat.start()

    # half way, the operator looks at the queue instead
    qtbot.waitUntil(lambda: bool(progress) and progress[-1] <= count // 2, timeout=60000)
    window.tabs.setCurrentWidget(window.queue_tab)
    qtbot.waitUntil(lambda: bool(progress) and progress[-1] == 0, timeout=60000)
    drained = time.perf_counter() - started
    heartbeat.stop()

    assert queue.count(State.SYNCED) == count
    assert window.status_bar.pending_label.text() == "Menunggu: 0"
    assert len(progress) >= count // DRAIN_ENGINE.batch_size
    window.close()
    central = CentralDB(central_db)  # the centre's own database: every entry, once
    try:
        assert central.stats()["registrations"] == count
    finally:
        central.dispose()
    assert_responsive(heartbeat, f", drained in {drained:.1f} s")
