"""The window's side of metrics 5 and 6, run as its own process (offscreen Qt) by bench_gui.

``python -m bench.gui_probe responsiveness --data-dir D --url U --token T ...``
    The main window over queue D with its sync engine pointed at U; a heartbeat QTimer on the
    GUI thread; prints one JSON line after the queue drained ({"phase": "drained", ...}), then
    waits for one line on stdin (the parent has made the link stall), then measures the
    heartbeat for ``--stall-seconds`` while the engine meets the stalled link, prints the
    second JSON line and exits.

``python -m bench.gui_probe upload --data-dir D --url U --token T --seconds S``
    The main window over D (residents with parts waiting) idle for S seconds, then S seconds
    while its engine sends the parts; prints one JSON line with both heartbeats (metric 8).

``python -m bench.gui_probe scale --data-dir D``
    Queue.status(), the queue tab's model and first page, and the window's start-up over D;
    prints one JSON line with the timings and this process's peak RSS.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

HEARTBEAT_MS = 5


def emit(data: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(data) + "\n")
    sys.stdout.flush()


def rusage_peak_mb() -> float:
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    return kb / 1024 if sys.platform != "darwin" else kb / 1024 / 1024


def peak_rss_mb() -> float:
    """This process's own RSS high-water mark: ``VmHWM`` where there is /proc. (On Linux
    ``ru_maxrss`` survives exec: a child spawned by a big parent inherits the parent's peak.)"""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return rusage_peak_mb()


def open_station(data_dir: Path, settings: Any) -> Any:
    """The station core over ``data_dir``, an operator signed in (the window's precondition)."""
    from ektp_station.paths import AppPaths
    from ektp_station.station import Actor, Station

    station = Station.open(AppPaths.resolve(data_dir), settings=settings)
    station.act_as(Actor.operator("SITI"))
    return station


class Heartbeat:
    """Gaps between the ticks of a QTimer on the GUI thread: the longest is the longest stall."""

    def __init__(self) -> None:
        from PySide6.QtCore import Qt, QTimer

        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(HEARTBEAT_MS)
        self.timer.timeout.connect(self._tick)
        self.reset()

    def reset(self) -> None:
        self.last = time.perf_counter()
        self.gaps: list[float] = []

    def _tick(self) -> None:
        now = time.perf_counter()
        self.gaps.append((now - self.last) * 1000)
        self.last = now

    def start(self) -> None:
        self.reset()
        self.timer.start()

    def summary(self) -> dict[str, Any]:
        gaps = sorted(self.gaps)
        if not gaps:
            return {"ticks": 0, "max_gap_ms": None}
        return {
            "ticks": len(gaps),
            "max_gap_ms": round(gaps[-1], 2),
            "p99_gap_ms": round(gaps[max(0, int(len(gaps) * 0.99) - 1)], 2),
            "over_50ms": sum(1 for g in gaps if g >= 50),
            "interval_ms": HEARTBEAT_MS,
        }


def run_until(app: Any, done: Any, timeout: float) -> bool:
    """Run a local event loop until ``done()`` or ``timeout`` seconds (checked every 5 ms).
    (Not ``app.exec()``/``quit()``: Qt 6's quit closes every window.)"""
    from PySide6.QtCore import QEventLoop, QTimer

    deadline = time.monotonic() + timeout
    loop = QEventLoop()
    check = QTimer()
    check.setInterval(5)
    check.timeout.connect(lambda: (done() or time.monotonic() > deadline) and loop.quit())
    check.start()
    loop.exec()
    check.stop()
    return bool(done())


def responsiveness(args: argparse.Namespace) -> int:
    from ektp_station.gui.app import application, build_window
    from ektp_station.settings import Settings
    from ektp_station.store import State

    from .common import make_record

    app = application()
    settings = Settings(
        station_id=args.station,
        central_url=args.url,
        token=args.token,
        timeout_seconds=args.timeout,
    )
    station = open_station(args.data_dir, settings)
    queue = station.queue
    window = build_window(station)
    window.resize(960, 720)
    window.show()
    window.tabs.setCurrentIndex(1)  # watching the queue tab drain: the heavier view
    run_until(app, lambda: window.windowHandle() and window.windowHandle().isExposed(), 10)
    progress: list[Any] = []
    states: list[str] = []
    window.bridge.progress.connect(progress.append)
    window.bridge.stateChanged.connect(lambda s: states.append(s.link.value))
    total = queue.count(State.PENDING)

    beat = Heartbeat()
    beat.start()
    t0 = time.perf_counter()
    profile = None
    if os.environ.get("EKTP_BENCH_PROFILE_GUI"):
        import cProfile

        profile = cProfile.Profile()
        profile.enable()
    window.start_sync()
    drained = run_until(
        app, lambda: bool(progress) and progress[-1].pending == 0, args.timeout_drain
    )
    seconds = time.perf_counter() - t0
    beat.timer.stop()
    if profile is not None:
        import pstats

        profile.disable()
        pstats.Stats(profile, stream=sys.stderr).sort_stats("tottime").print_stats(25)
    emit(
        {
            "phase": "drained",
            "drained": drained,
            "entries": total,
            "seconds": round(seconds, 3),
            "batches": len(progress),
            "synced": queue.count(State.SYNCED),
            **beat.summary(),
        }
    )
    sys.stdin.readline()  # the parent made the link stall

    for i in range(args.stall_entries):
        queue.enqueue(make_record(900_000 + i), operator="SITI", station_id=args.station)
    states.clear()
    beat.start()
    station.sync_now()
    run_until(app, lambda: False, args.stall_seconds)
    beat.timer.stop()
    emit(
        {
            "phase": "stalled",
            "seconds": args.stall_seconds,
            "state_changes": states,
            "pending": queue.count(State.PENDING),
            **beat.summary(),
        }
    )
    window.close()  # stops the engine (bounded wait; the stalled request is abandoned)
    station.close()
    return 0


def upload(args: argparse.Namespace) -> int:
    """The window idle for ``--seconds`` (its engine not started), then for as long while its
    engine sends the biometric parts waiting in the queue (metric 8)."""
    from ektp_station.gui.app import application, build_window
    from ektp_station.settings import Settings

    app = application()
    settings = Settings(station_id=args.station, central_url=args.url, token=args.token)
    station = open_station(args.data_dir, settings)
    window = build_window(station)
    window.resize(960, 720)
    window.show()
    window.tabs.setCurrentIndex(1)  # the queue tab, as in metric 5
    run_until(app, lambda: window.windowHandle() and window.windowHandle().isExposed(), 10)
    beat = Heartbeat()
    beat.start()
    run_until(app, lambda: False, args.seconds)
    beat.timer.stop()
    idle = beat.summary()
    left = station.queue.part_totals().bytes
    beat.start()
    window.start_sync()
    run_until(app, lambda: False, args.seconds)
    beat.timer.stop()
    busy = beat.summary()
    after = station.queue.part_totals().bytes
    emit(
        {
            "seconds": args.seconds,
            "idle": idle,
            "upload": busy,
            "bytes_moved": left - after,
            "bytes_left": after,
        }
    )
    window.close()
    station.close()
    return 0


def scale(args: argparse.Namespace) -> int:
    t_import = time.perf_counter()
    from PySide6.QtCore import QModelIndex, Qt  # noqa: F401

    from ektp_station.gui.queue_model import COLUMNS, QueueModel
    from ektp_station.settings import Settings

    from .common import percentile

    imported = time.perf_counter() - t_import
    out: dict[str, Any] = {"import_s": round(imported, 3)}
    t0 = time.perf_counter()
    station = open_station(args.data_dir, Settings(station_id="ST-BENCH-01"))
    queue = station.queue
    out["open_ms"] = round((time.perf_counter() - t0) * 1000, 2)
    out["total"] = queue.status().total

    samples = []
    for i in range(args.status_calls + 10):
        t0 = time.perf_counter()
        queue.status()
        if i >= 10:
            samples.append((time.perf_counter() - t0) * 1000)
    out["status_p50_ms"] = round(percentile(samples, 50), 3)
    out["status_p99_ms"] = round(percentile(samples, 99), 3)

    def first_page() -> float:
        t0 = time.perf_counter()
        model = QueueModel(station)
        rows = min(model.rowCount(), args.visible_rows)
        for row in range(rows):
            for column in range(len(COLUMNS)):
                model.data(model.index(row, column))
        elapsed = (time.perf_counter() - t0) * 1000
        if rows == 0:
            raise RuntimeError("the queue model shows no rows")
        return elapsed

    out["first_page_first_ms"] = round(first_page(), 2)  # the first in this process
    again = [first_page() for _ in range(args.page_repeats)]
    out["first_page_p50_ms"] = round(percentile(again, 50), 2)
    out["first_page_max_ms"] = round(max(again), 2)

    from ektp_station.gui.app import build_window

    t0 = time.perf_counter()
    window = build_window(station)
    built = time.perf_counter()
    window.resize(960, 720)
    window.show()
    app = __import__("PySide6.QtWidgets", fromlist=["QApplication"]).QApplication.instance()
    handle = window.windowHandle()
    while not (window.form.isVisible() and handle is not None and handle.isExposed()):
        app.processEvents()
        handle = window.windowHandle()
        if time.perf_counter() - t0 > 60:
            raise RuntimeError("the window did not show its form within 60 s")
    app.processEvents()  # the first paint
    ready = time.perf_counter()
    out["window_build_ms"] = round((built - t0) * 1000, 1)
    out["window_ready_ms"] = round((ready - t0) * 1000, 1)
    window.close()
    station.close()
    out["peak_rss_mb"] = round(peak_rss_mb(), 1)
    out["ru_maxrss_mb"] = round(rusage_peak_mb(), 1)
    emit(out)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.gui_probe")
    sub = parser.add_subparsers(dest="command", required=True)
    r = sub.add_parser("responsiveness")
    r.add_argument("--data-dir", type=Path, required=True)
    r.add_argument("--url", required=True)
    r.add_argument("--token", required=True)
    r.add_argument("--station", default="ST-BENCH-01")
    r.add_argument("--timeout", type=float, default=5.0, help="the client's request timeout")
    r.add_argument("--timeout-drain", type=float, default=600.0)
    r.add_argument("--stall-seconds", type=float, default=10.0)
    r.add_argument("--stall-entries", type=int, default=5)
    s = sub.add_parser("scale")
    s.add_argument("--data-dir", type=Path, required=True)
    s.add_argument("--status-calls", type=int, default=100)
    s.add_argument("--visible-rows", type=int, default=30)
    s.add_argument("--page-repeats", type=int, default=10)
    u = sub.add_parser("upload")
    u.add_argument("--data-dir", type=Path, required=True)
    u.add_argument("--url", required=True)
    u.add_argument("--token", required=True)
    u.add_argument("--station", default="ST-BENCH-01")
    u.add_argument("--seconds", type=float, default=15.0)
    args = parser.parse_args(argv)
    run = {"responsiveness": responsiveness, "upload": upload, "scale": scale}[args.command]
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
