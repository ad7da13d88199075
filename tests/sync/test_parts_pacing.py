"""After an upload is cut in mid-stream the engine looks again soon (``probe_after_cut``) for a
few seconds, then keeps the usual link-down clock (``probe_interval``): a drop of a second
costs little, a long outage is not hammered. Counted where the requests arrive — the proxy."""

from __future__ import annotations

import itertools
import time
from dataclasses import replace
from pathlib import Path

from ektp_station.central.runner import CentralServer
from ektp_station.devtools.faultproxy import FaultProxy
from ektp_station.store import Queue, State
from ektp_station.store.attachments import AttachmentStore
from ektp_station.sync.client import CentralClient
from ektp_station.sync.engine import Link, SyncEngine
from parts_support import CONFIG, capture, centre_bytes

from helpers import wait_until
from sync_support import STATION

TOLERANCE = 0.06  # the proxy stamps at accept: see test_pacing.py


def test_after_a_cut_it_looks_again_soon_then_keeps_the_link_down_clock(
    queue: Queue, data_dir: Path, central: CentralServer, token: str, engines: list
) -> None:
    store = AttachmentStore(data_dir / "attachments", queue.key.key)
    config = replace(CONFIG, probe_interval=1.0, probe_after_cut=0.1, after_cut_window=0.8)
    seq = capture(queue, store, 41)
    with FaultProxy.for_url(central.url, seed=3) as proxy:
        proxy.bandwidth_bps = 400_000  # the parts take seconds: the cut lands mid-upload
        client = CentralClient(proxy.url, token, timeout=3.0, probe_timeout=0.5)
        engine = SyncEngine(queue, client, STATION, config=config, attachments=store)
        engines.append(engine)
        engine.start()
        wait_until(lambda: centre_bytes(central) > 20_000, timeout=30)
        proxy.set_mode("down")  # cuts what is in flight
        cut = time.monotonic()
        wait_until(lambda: engine.state.link is Link.OFFLINE, timeout=10)
        wait_until(lambda: sum(1 for t in proxy.request_times() if t > cut + 0.8) >= 3, timeout=15)
        after = [t for t in proxy.request_times() if t > cut]
        gaps = [b - a for a, b in itertools.pairwise(after)]
        soon = [t for t in after if t <= cut + 0.8]
        late = [b - a for a, b in itertools.pairwise(after) if a > cut + 0.8]
        assert len(soon) >= 3, after  # looked again within the window, several times
        assert min(gaps) >= config.probe_after_cut - TOLERANCE  # never back to back
        assert late and min(late) >= config.probe_interval - TOLERANCE  # then the usual clock
        proxy.bandwidth_bps = None
        proxy.set_mode("up")
        wait_until(lambda: queue.get(seq).state is State.SYNCED, timeout=60)
        engine.stop()


def test_the_rate_shown_is_the_rate_the_parts_move_at(
    queue: Queue, data_dir: Path, central: CentralServer, token: str, engines: list
) -> None:
    """The window's "± N lagi" divides by this: measured from one acknowledged chunk to the
    next, so the requests in between (each part's creation, on a link with a long round trip)
    count too — a chunk's own transfer alone would read about twice too fast here."""
    store = AttachmentStore(data_dir / "attachments", queue.key.key)
    seq = capture(queue, store, 42)
    payload = sum(row.size or 0 for row in queue.parts(seq))
    with FaultProxy.for_url(central.url, seed=5) as proxy:
        proxy.latency_ms = 150.0  # each request waits a round trip: a far kecamatan's link
        client = CentralClient(proxy.url, token, timeout=5.0, probe_timeout=2.0)
        engine = SyncEngine(queue, client, STATION, config=CONFIG, attachments=store)
        engines.append(engine)
        assert engine.send_once() == 1  # the biodata first, not timed
        started = time.monotonic()
        assert engine.drain(give_up_after=120)
        moved_at = payload / (time.monotonic() - started)
        assert queue.get(seq).state is State.SYNCED
        rate = engine.state.part_rate
        assert rate is not None and 0.5 * moved_at < rate < 1.5 * moved_at, (rate, moved_at)
