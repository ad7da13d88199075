"""After a long outage the first send waits a random moment (``herd_jitter``), so that the
stations of a region whose link comes back do not all call at once; after a short one it
goes at once. Counted where the requests arrive — the fault proxy."""

from __future__ import annotations

import logging
import re
import time
from dataclasses import replace

import pytest

from ektp_station.central.runner import CentralServer
from ektp_station.devtools.faultproxy import FaultProxy
from ektp_station.store import Queue, State
from ektp_station.sync.engine import EngineConfig, Link

from helpers import wait_until
from sync_support import FAST, fill, make_engine

CONFIG = replace(FAST, long_outage=1.0, herd_jitter=1.5)


def start_offline(
    queue: Queue, proxy: FaultProxy, token: str, engines: list, config: EngineConfig
) -> None:
    """Three entries waiting, the link down, the engine running and seeing it down."""
    fill(queue, 3)
    proxy.set_mode("down")
    engine = make_engine(engines, queue, proxy.url, token, config=config)
    engine.start()
    wait_until(lambda: engine.state.link is Link.OFFLINE, timeout=10)


def test_after_a_long_outage_the_first_send_waits_a_random_moment(
    queue: Queue,
    central: CentralServer,
    token: str,
    proxy: FaultProxy,
    engines: list,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="ektp_station.sync.engine")
    start_offline(queue, proxy, token, engines, CONFIG)
    # the outage is long once the engine's own failed requests span more than long_outage
    wait_until(
        lambda: (
            len(stamps := proxy.request_times()) >= 2
            and stamps[-1] - stamps[0] > CONFIG.long_outage * 1.5
        ),
        timeout=10,
    )
    proxy.set_mode("up")
    back = time.monotonic()
    wait_until(lambda: queue.count(State.SYNCED) == 3, timeout=20)
    said = re.search(r"first send in ([0-9.]+) s \(jitter\)", caplog.text)
    assert said is not None, caplog.text
    pause = float(said.group(1))
    assert 0.0 <= pause <= CONFIG.herd_jitter
    after = [t for t in proxy.request_times() if t >= back]
    assert len(after) >= 2  # the probe that found the link, then the batch
    assert after[1] - after[0] >= pause - 0.1  # the batch waited its draw (rounded)


def test_after_a_short_outage_it_goes_at_once(
    queue: Queue,
    central: CentralServer,
    token: str,
    proxy: FaultProxy,
    engines: list,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="ektp_station.sync.engine")
    start_offline(queue, proxy, token, engines, replace(CONFIG, long_outage=30))
    proxy.set_mode("up")
    wait_until(lambda: queue.count(State.SYNCED) == 3, timeout=20)
    assert "(jitter)" not in caplog.text
