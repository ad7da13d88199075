"""Exactly-once delivery over a putus-nyambung link: the real centre behind the fault proxy."""

from __future__ import annotations

import threading
import time

from ektp_station.central.runner import CentralServer
from ektp_station.devtools.faultproxy import FaultMix, FaultProxy
from ektp_station.store import Queue, State
from ektp_station.sync.engine import EngineConfig, Link

from helpers import wait_until, waiting
from sync_support import assert_exactly_once, fill, make_engine


def test_thousands_through_every_fault_arrive_exactly_once(
    queue: Queue, central: CentralServer, token: str, proxy: FaultProxy, engines: list
) -> None:
    count = 3000
    fill(queue, count)
    proxy.set_faults(
        FaultMix(
            reset_before=0.08,
            reset_after=0.12,
            stall=0.05,
            http503=0.08,
            captive=0.05,
            truncate=0.08,
            stall_seconds=3.0,
        )
    )
    proxy.latency_ms = 5
    for kind in ("reset_before", "reset_after", "stall", "http503", "captive", "truncate"):
        proxy.force_next(kind)  # each at least once, whatever the dice say
    engine = make_engine(engines, queue, proxy.url, token)
    stop_flapping = threading.Event()

    def flap() -> None:  # outages on and off while the faults go on
        while not stop_flapping.is_set():
            proxy.set_mode("down")
            stop_flapping.wait(0.4)
            proxy.set_mode("up")
            stop_flapping.wait(0.8)

    flapper = threading.Thread(target=flap, daemon=True)
    flapper.start()
    engine.start()
    try:
        wait_until(
            lambda: waiting(queue) == 0 and central.stats()["registrations"] >= count,
            timeout=240,
            interval=0.2,
        )
    finally:
        stop_flapping.set()
        flapper.join()
        proxy.set_mode("up")
        engine.stop()
    faults = proxy.counters.faults
    for kind in ("reset_before", "reset_after", "stall", "http503", "captive", "truncate"):
        assert faults.get(kind, 0) > 0, f"fault {kind} never happened"
    assert_exactly_once(queue, central, count)


def test_first_entry_goes_out_within_two_seconds_of_the_link_returning(
    queue: Queue, central: CentralServer, token: str, proxy: FaultProxy, engines: list
) -> None:
    # production probe interval; a backoff that has grown far past it
    config = EngineConfig(batch_size=50, probe_interval=2.0, backoff_initial=8.0, backoff_max=600.0)
    proxy.set_mode("down")
    fill(queue, 10)
    engine = make_engine(engines, queue, proxy.url, token, config=config)
    engine.start()
    # wait until the engine is backing off for longer than the probe interval
    wait_until(
        lambda: (
            engine.state.link is Link.OFFLINE
            and engine.state.retry_at is not None
            and engine.state.retry_at - time.time() > 5.0
        ),
        timeout=120,
    )
    outage_start = time.monotonic()

    def attempts() -> int:
        c = proxy.counters
        return c.connections + c.connections_refused

    before = attempts()
    wait_until(lambda: attempts() >= before + 3, timeout=30)
    outage = time.monotonic() - outage_start
    during = attempts() - before
    # at most one request every 2 s while the link is down (probes included)
    assert during <= outage / 2.0 + 1
    restored = time.monotonic()
    proxy.set_mode("up")
    wait_until(lambda: central.stats()["registrations"] >= 1, timeout=10, interval=0.01)
    assert time.monotonic() - restored <= 2.5
    wait_until(lambda: queue.count(State.SYNCED) == 10, timeout=10)
