"""One clock while the link is down: probes and batch retries alike keep ``probe_interval``
apart (docs/sync-engine.md), counted where the requests arrive — at the fault proxy."""

from __future__ import annotations

import itertools
import time

from ektp_station.central.runner import CentralServer
from ektp_station.devtools.faultproxy import FaultProxy
from ektp_station.store import Queue, State
from ektp_station.sync.engine import EngineConfig, Link

from helpers import wait_until
from sync_support import FAST, fill, make_engine

WINDOW = 3.0  # seconds of outage looked at
# The proxy stamps a request when it accepts the connection: on a loaded 2-core CI machine
# one connection can wait tens of ms longer than the next to be accepted (0.031 s seen), so
# a gap at the proxy can be that much shorter than the engine's own. A pacing bug shows as
# gaps near 0 (requests back to back), far below this.
TOLERANCE = 0.06


def _gaps(stamps: list[float]) -> list[float]:
    return [b - a for a, b in itertools.pairwise(stamps)]


def test_while_the_link_is_down_every_request_keeps_one_probe_interval_apart(
    queue: Queue, central: CentralServer, token: str, proxy: FaultProxy, engines: list
) -> None:
    fill(queue, 30)
    proxy.set_mode("down")
    engine = make_engine(engines, queue, proxy.url, token)  # probe 0.2 s; backoff 0.5-1 s
    engine.start()
    needed = int(WINDOW / FAST.probe_interval) + 2
    wait_until(lambda: len(proxy.request_times()) >= needed, timeout=WINDOW * 4)
    stamps = proxy.request_times()
    first = stamps[0]
    in_window = [t for t in stamps if t <= first + WINDOW]
    # the batch was retried during the outage (each retry claims it again: attempts + 1)
    attempts = max(e.attempts for e in queue.iter_entries())
    assert attempts >= 2
    assert min(_gaps(stamps)) >= FAST.probe_interval - TOLERANCE
    assert len(in_window) <= WINDOW / FAST.probe_interval + 1
    assert engine.state.link is Link.OFFLINE
    # and the link coming back is still found within one probe interval or so
    restored = time.monotonic()
    proxy.set_mode("up")
    wait_until(lambda: queue.count(State.SYNCED) == 30, timeout=10, interval=0.01)
    first_up = next(t for t in proxy.request_times() if t >= restored)
    assert first_up - restored <= FAST.probe_interval + 0.1


def test_sync_now_still_cuts_the_wait_for_the_next_slot(
    queue: Queue, central: CentralServer, token: str, proxy: FaultProxy, engines: list
) -> None:
    # a slot far away: only "sync now" can explain a request soon after the last one
    config = EngineConfig(batch_size=50, probe_interval=60.0, backoff_initial=60.0)
    fill(queue, 5)
    proxy.set_mode("down")
    engine = make_engine(engines, queue, proxy.url, token, config=config)
    engine.start()
    wait_until(lambda: engine.state.link is Link.OFFLINE and engine.state.retry_at is not None)
    seen = len(proxy.request_times())
    assert seen == 1  # the start-up probe; the batch waits for its slot, a minute away
    assert engine.state.retry_at - time.time() > 30
    proxy.set_mode("up")
    asked = time.monotonic()
    engine.sync_now()
    wait_until(lambda: queue.count(State.SYNCED) == 5, timeout=5, interval=0.01)
    assert proxy.request_times()[seen] - asked < 1.0
