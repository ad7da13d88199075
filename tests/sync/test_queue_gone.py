"""The queue file deleted while the engine runs (a cleaning tool, a wrong `rm`): the engine
stops writing and says so; it never goes on reporting "sent" or "waiting" from a file that is
gone, and ``sync`` refuses with the queue-gone status."""

from __future__ import annotations

from pathlib import Path

import pytest

from ektp_station.central.runner import CentralServer
from ektp_station.devtools.faultproxy import FaultProxy
from ektp_station.errors import QueueGone
from ektp_station.store import DB_FILENAME, Queue
from ektp_station.sync.engine import Lifecycle, SyncEngine

from helpers import wait_until
from sync_support import fill, make_engine


def test_a_deleted_queue_stops_the_engine_with_a_clear_message(
    data_dir: Path,
    central: CentralServer,
    proxy: FaultProxy,
    token: str,
    engines: list[SyncEngine],
) -> None:
    queue = Queue.open(data_dir)
    try:
        fill(queue, 5)
        proxy.set_mode("down")  # the entries wait: the engine idles and probes
        engine = make_engine(engines, queue, proxy.url, token)
        engine.start()
        wait_until(lambda: engine.state.last_error is not None)
        for suffix in ("", "-wal", "-shm"):
            (data_dir / f"{DB_FILENAME}{suffix}").unlink(missing_ok=True)
        proxy.set_mode("up")
        wait_until(lambda: engine.state.last_error_id == QueueGone(".").message_id, timeout=15)
        wait_until(lambda: engine.lifecycle is Lifecycle.STOPPED or not engine.running)
        # nothing was claimed from the vanished file and sent: the centre holds nothing
        assert central.stats()["registrations"] == 0 and engine.total_synced == 0
    finally:
        queue.close()


def test_drain_refuses_a_file_that_is_gone(
    data_dir: Path, central: CentralServer, token: str, engines: list[SyncEngine]
) -> None:
    queue = Queue.open(data_dir)
    try:
        fill(queue, 3)
        (data_dir / DB_FILENAME).unlink()
        engine = make_engine(engines, queue, central.url, token)
        with pytest.raises(QueueGone):
            engine.drain(give_up_after=5)
        assert central.stats()["registrations"] == 0
    finally:
        queue.close()
