"""Delivery: drain throughput (metric 2), the slow link (3) and link-return latency (4).

The station side is the real station core (:class:`Station`: its queue and its sync engine,
wired as the window and the command line wire them) in this process; the centre
is ``ektp-station central serve`` in its own process (it is another machine, so its CPU is not
the station's); the fault proxy, when there is one, runs on its own thread here.
"""

from __future__ import annotations

import itertools
import math
import random
import threading
import time
from pathlib import Path
from typing import Any

from ektp_station.devtools.faultproxy import FaultProxy, ProxyCounters
from ektp_station.paths import AppPaths
from ektp_station.settings import Settings
from ektp_station.station import Actor, Changes, Station
from ektp_station.store import State
from ektp_station.sync.engine import EngineConfig, EngineState, Progress

from .common import (
    STATION,
    Context,
    Row,
    central_process,
    copy_queue,
    fill_pending,
    make_record,
    percentile,
    say,
    seed_everything,
    wait_until,
)

DRAIN_TARGET_SPEEDUP = 20.0
DRAIN_TARGET_RATE = 2000.0
SLOW_LATENCY_MS = 150.0
SLOW_TARGET_RATIO = 1.5
RETURN_TARGET_P95 = 2.0
DOWN_TARGET_RATE = 0.5  # one request every 2 s
LONG_BACKOFF = 60.0


def sizes(ctx: Context) -> dict[str, int]:
    if ctx.quick:
        return {"entries": 600, "single": 150, "cycles": 3}
    return {"entries": 10_000, "single": 2_000, "cycles": 20}


def source_queue(ctx: Context) -> Path:
    """The pending queue every delivery benchmark starts from (built once per run)."""
    if "pending_queue" not in ctx.shared:
        n = sizes(ctx)["entries"]
        t0 = time.perf_counter()
        path = fill_pending(ctx.folder("pending-source"), n)
        say(
            f"  {n:,} pending entries saved with Queue.enqueue_in in {time.perf_counter() - t0:.1f} s"
        )
        ctx.shared["pending_queue"] = path
    return Path(ctx.shared["pending_queue"])


def open_station(folder: Path, url: str, token: str, config: EngineConfig) -> Station:
    """The station core over ``folder``'s queue, sending to ``url`` with ``config``."""
    settings = Settings(
        station_id=STATION, central_url=url, token=token, batch_size=config.batch_size
    )
    station = Station.open(AppPaths.resolve(folder), settings=settings, engine_config=config)
    station.act_as(Actor.operator("SITI"))
    return station


class Recorder:
    """A StationListener that keeps what the benchmarks need (called on the engine's thread)."""

    def __init__(self, stop_after: int | None = None, station: Station | None = None) -> None:
        self.batches: list[tuple[float, Progress]] = []
        self.first_synced_at: float | None = None
        self.stop_after = stop_after
        self.station = station
        self.synced = threading.Event()

    def station_changed(self, changes: Changes) -> None:
        pass

    def sync_state_changed(self, state: EngineState) -> None:
        pass

    def sync_progress(self, progress: Progress) -> None:
        now = time.perf_counter()
        self.batches.append((now, progress))
        if progress.synced and self.first_synced_at is None:
            self.first_synced_at = now
            self.synced.set()
        if self.stop_after and progress.total_synced >= self.stop_after and self.station:
            self.station.stop_foreground()


def _drain(
    queue_dir: Path,
    url: str,
    token: str,
    config: EngineConfig,
    stop_after: int | None = None,
) -> tuple[float, int, int]:
    """Seconds to drain (or to deliver ``stop_after`` entries), entries synced, requests."""
    station = open_station(queue_dir, url, token, config)
    try:
        recorder = Recorder(stop_after, station)
        station.subscribe(recorder)
        t0 = time.perf_counter()
        station.drain(give_up_after=900)
        seconds = time.perf_counter() - t0
        synced = station.count(State.SYNCED)
        return seconds, synced, len(recorder.batches)
    finally:
        station.close()


def run_drain(ctx: Context) -> list[Row]:
    n = sizes(ctx)
    source = source_queue(ctx)
    folder = ctx.folder("drain")
    rows: list[Row] = []
    with central_process(f"sqlite:///{folder}/central-batched.sqlite3", [STATION]) as central:
        work = copy_queue(source, folder / "batched")
        seconds, synced, requests = _drain(
            work, central.url, central.tokens[STATION], EngineConfig()
        )
        if synced != n["entries"] or central.registrations() != n["entries"]:
            raise RuntimeError(f"batched drain delivered {synced} of {n['entries']}")
    batched = synced / seconds
    say(
        f"  batched (200): {synced:,} entries in {seconds:.2f} s = {batched:,.0f}/s, {requests} requests"
    )
    with central_process(f"sqlite:///{folder}/central-single.sqlite3", [STATION]) as central:
        work = copy_queue(source, folder / "single")
        s_seconds, s_synced, s_requests = _drain(
            work,
            central.url,
            central.tokens[STATION],
            EngineConfig(batch_size=1),
            stop_after=n["single"],
        )
    single = s_synced / s_seconds
    say(f"  one per request: {s_synced:,} entries in {s_seconds:.2f} s = {single:,.0f}/s")
    detail = {"entries": synced, "seconds": round(seconds, 3), "requests": requests}
    rows.append(
        Row(
            2,
            "drain_single",
            "Drain, one entry per request (batch_size=1)",
            single,
            "entries/s",
            detail={
                "entries": s_synced,
                "seconds": round(s_seconds, 3),
                "requests": s_requests,
                "note": "rate over the first entries of the same queue (stopped after "
                f"{n['single']:,}: the per-request cost does not depend on the count)",
            },
        )
    )
    rows.append(
        Row(
            2,
            "drain_speedup",
            "Drain, default batching, vs one per request",
            batched,
            "entries/s",
            target=DRAIN_TARGET_SPEEDUP,
            target_on="ratio",
            target_op=">=",
            size=synced,
            detail=detail,
        ).with_baseline(single, "drain_single")
    )
    rows.append(
        Row(
            2,
            "drain_rate",
            "Drain, default batching, absolute",
            batched,
            "entries/s",
            target=DRAIN_TARGET_RATE,
            target_on="value",
            target_op=">",
            size=synced,
            detail=detail,
        )
    )
    return rows


def run_slow_link(ctx: Context) -> list[Row]:
    n = sizes(ctx)["entries"]
    source = source_queue(ctx)
    folder = ctx.folder("slowlink")
    config = EngineConfig()
    with central_process(f"sqlite:///{folder}/central.sqlite3", [STATION]) as central:
        with FaultProxy.for_url(central.url, seed=1) as proxy:
            proxy.latency_ms = SLOW_LATENCY_MS
            work = copy_queue(source, folder / "queue")
            seconds, synced, requests = _drain(work, proxy.url, central.tokens[STATION], config)
            forwarded = proxy.counters.forwarded
    if synced != n:
        raise RuntimeError(f"slow-link drain delivered {synced} of {n}")
    batches = math.ceil(n / config.batch_size)
    ideal = batches * 2 * SLOW_LATENCY_MS / 1000
    say(
        f"  slow link: {n:,} entries in {seconds:.2f} s; ideal {ideal:.1f} s ({batches} round trips)"
    )
    return [
        Row(
            3,
            "slow_link_drain",
            f"Drain through +{SLOW_LATENCY_MS:g} ms each way",
            seconds,
            "s",
            target=SLOW_TARGET_RATIO,
            target_on="ratio",
            target_op="<=",
            size=n,
            detail={
                "batches": batches,
                "requests_forwarded": forwarded,
                "engine_batches": requests,
                "entries_per_s": round(n / seconds, 1),
            },
        ).with_baseline(ideal, f"ideal: {batches} round trips x 300 ms")
    ]


class RequestClock:
    """Timestamps of every connection the proxy sees (a thread on the proxy's condition)."""

    def __init__(self, proxy: FaultProxy) -> None:
        self.proxy = proxy
        self.times: list[float] = []
        self._stop = threading.Event()
        self._seen = 0
        self._thread = threading.Thread(target=self._run, name="request-clock", daemon=True)
        self._thread.start()

    @staticmethod
    def total(c: ProxyCounters) -> int:
        return c.connections + c.connections_refused

    def _run(self) -> None:
        while not self._stop.is_set():
            seen = self._seen
            if self.proxy.wait_for(lambda c, seen=seen: self.total(c) > seen, 0.2):
                now = time.perf_counter()
                total = self.total(self.proxy.counters)
                self.times.extend([now] * (total - seen))
                self._seen = total

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(2)


def run_link_return(ctx: Context) -> list[Row]:
    cycles = sizes(ctx)["cycles"]
    hold = (0.5, 2.0) if ctx.quick else (2.0, 6.0)
    folder = ctx.folder("linkreturn")
    seed_everything(20261124)
    rng = random.Random(7)
    # the defaults, but a backoff that passes a minute within a failure or two
    config = EngineConfig(backoff_initial=300.0, backoff_max=600.0)
    latencies: list[float] = []
    outages: list[dict[str, Any]] = []
    presses = 0
    fill_pending(folder / "queue", 0)
    with central_process(f"sqlite:///{folder}/central.sqlite3", [STATION]) as central:
        with FaultProxy.for_url(central.url, seed=1) as proxy:
            station = open_station(folder / "queue", proxy.url, central.tokens[STATION], config)
            recorder = Recorder()
            station.subscribe(recorder)
            clock = RequestClock(proxy)
            station.start_sync()

            def link() -> str:
                state = station.engine_state
                return state.link.value if state is not None else "starting"

            def retry_at() -> float | None:
                state = station.engine_state
                return state.retry_at if state is not None else None

            try:
                wait_until(lambda: link() == "online", 30, "engine online")
                for cycle in range(cycles):
                    # idle and online; the link goes down, then the operator saves an entry
                    proxy.set_mode("down")
                    down_at = time.perf_counter()
                    station.capture(make_cycle_record(cycle), confirmed=True)  # wakes it

                    last: float | None = None
                    while True:  # until the backoff has grown past a minute
                        wait_until(
                            lambda last=last: retry_at() not in (None, last),
                            10,
                            "a failed send",
                        )
                        last = retry_at()
                        if last is not None and last - time.time() > LONG_BACKOFF:
                            break
                        presses += 1  # a short draw of the jittered backoff: "sync now" again
                        station.sync_now()
                    long_at = time.perf_counter()
                    until = long_at + rng.uniform(*hold)
                    wait_until(lambda u=until: time.perf_counter() >= u, 30, "hold")
                    recorder.synced.clear()
                    recorder.first_synced_at = None
                    up_at = time.perf_counter()
                    proxy.set_mode("up")
                    wait_until(recorder.synced.is_set, 30, "first accepted entry")
                    assert recorder.first_synced_at is not None
                    latencies.append(recorder.first_synced_at - up_at)
                    during = [t for t in clock.times if down_at <= t < up_at]
                    # the long backoff's phase: the failed send that drew it, then probes
                    backing = [t for t in during if t < long_at][-1:] + [
                        t for t in during if t >= long_at
                    ]
                    outages.append(
                        {
                            "down_s": up_at - down_at,
                            "after_first_s": up_at - during[0] if during else 0.0,
                            "requests": len(during),
                            "gaps": [b - a for a, b in itertools.pairwise(backing)],
                        }
                    )
                    wait_until(lambda: station.count(State.PENDING) == 0, 30, "entry delivered")
            finally:
                station.stop_sync()
                clock.stop()
                station.close()
    total_down = sum(o["down_s"] for o in outages)
    total_requests = sum(o["requests"] for o in outages)
    steady_time = sum(o["after_first_s"] for o in outages)
    steady_requests = sum(max(0, o["requests"] - 1) for o in outages)
    gaps = [g for o in outages for g in o["gaps"]]
    p50, p95 = percentile(latencies, 50), percentile(latencies, 95)
    say(
        f"  link return over {cycles} cycles: p50 {p50:.2f} s, p95 {p95:.2f} s; "
        f"{total_requests} requests in {total_down:.1f} s down"
    )
    detail = {
        "cycles": cycles,
        "latencies_s": [round(x, 3) for x in latencies],
        "probe_interval_s": config.probe_interval,
        "backoff": {"initial": config.backoff_initial, "max": config.backoff_max},
    }
    rate_detail = {
        "requests_while_down": total_requests,
        "seconds_down": round(total_down, 2),
        "overall_rate_per_s": round(total_requests / total_down, 3) if total_down else None,
        "steady_requests": steady_requests,
        "steady_seconds": round(steady_time, 2),
        "min_gap_in_long_backoff_s": round(min(gaps), 3) if gaps else None,
        "sync_now_presses": presses,
        "note": "steady = after each outage's first failed send (that send is the operator's "
        "save meeting a dead link); the overall rate counts it too",
    }
    return [
        Row(
            4,
            "link_return_p50",
            "Link return to first accepted entry, p50",
            p50,
            "s",
            detail=detail,
        ),
        Row(
            4,
            "link_return_p95",
            "Link return to first accepted entry, p95",
            p95,
            "s",
            target=RETURN_TARGET_P95,
            target_on="value",
            target_op="<=",
            detail=detail,
        ),
        Row(
            4,
            "down_request_rate",
            "Requests per second while down (steady)",
            steady_requests / steady_time if steady_time else 0.0,
            "req/s",
            target=DOWN_TARGET_RATE,
            target_on="value",
            target_op="<=",
            detail=rate_detail,
        ),
    ]


def make_cycle_record(cycle: int) -> dict[str, Any]:
    return make_record(500_000 + cycle)
