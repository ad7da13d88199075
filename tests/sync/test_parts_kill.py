"""The parts' upload survives the worst: the sync process SIGKILLed mid-part again and again,
and the centre restarted mid-part — every part arrives once, with the right hash."""

from __future__ import annotations

import random
import signal
import sys
from pathlib import Path

import pytest
from test_kill import _go, _reap, _sync_process

from ektp_station.central.runner import CentralServer
from ektp_station.devtools.faultproxy import FaultProxy
from ektp_station.store import Queue, State
from ektp_station.store.attachments import AttachmentStore
from parts_support import assert_every_part_once, capture, centre_bytes, engine_for

from factories import TODAY
from helpers import wait_until
from sync_support import STATION


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_sigkill_mid_part_resumes_at_the_centres_offset(
    data_dir: Path, central: CentralServer, token: str, proxy: FaultProxy
) -> None:
    queue = Queue.open(data_dir)
    store = AttachmentStore(data_dir / "attachments", queue.key.key)
    seeds = {seed: capture(queue, store, seed) for seed in (31, 32, 33)}
    queue.close()
    proxy.bandwidth_bps = 1_500_000  # ~190 kB/s: each part takes a while
    rng = random.Random(20261202)
    kills = 0
    process = _sync_process(data_dir, proxy.url, token)
    try:
        for _round in range(8):
            _go(process)
            running, process = process, _sync_process(data_dir, proxy.url, token)
            # killed once the centre holds a random number of bytes more: a random point
            # inside a part (a chunk's bytes arrive over time on the capped link)
            target = centre_bytes(central) + rng.randint(1, 120_000)
            try:
                wait_until(
                    lambda p=running, t=target: centre_bytes(central) >= t or p.poll() is not None,
                    timeout=60,
                    interval=0.005,
                )
            finally:
                if running.poll() is None:
                    running.send_signal(signal.SIGKILL)
                    kills += 1
                _reap(running)
        assert kills >= 4
        _go(process)  # the last run finishes
        assert process.wait(timeout=180) == 0
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
        _reap(process)
    reopened = Queue.open(data_dir)
    try:
        assert_every_part_once(central, reopened, seeds)
        assert reopened.count(State.SENDING) == 0
    finally:
        reopened.close()


@pytest.mark.slow
def test_the_centre_restarted_mid_part(queue: Queue, tmp_path: Path, engines: list) -> None:
    store = AttachmentStore(queue.path.parent / "attachments", queue.key.key)
    seeds = {seed: capture(queue, store, seed) for seed in (41, 42)}
    db = f"sqlite:///{tmp_path / 'restart.sqlite3'}"
    first = CentralServer(db, today=lambda: TODAY).start()
    token = first.add_station(STATION)
    port = first.port
    with FaultProxy.for_url(first.url, seed=3) as proxy:
        proxy.bandwidth_bps = 2_000_000
        engine = engine_for(engines, queue, store, proxy.url, token)
        engine.start()
        wait_until(lambda: centre_bytes(first) > 100_000, timeout=60, interval=0.01)
        first.stop()  # mid-part: whatever is in flight is cut
        second = CentralServer(db, today=lambda: TODAY, port=port).start()
        try:
            wait_until(
                lambda: all(queue.get(seq).state is State.SYNCED for seq in seeds.values()),
                timeout=120,
            )
            assert_every_part_once(second, queue, seeds)
        finally:
            engine.stop()
            second.stop()
