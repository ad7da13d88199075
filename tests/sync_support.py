"""Shared set-up for the sync tests: fast engine timings, engine factory."""

from __future__ import annotations

from ektp_station.central.runner import CentralServer
from ektp_station.store import Queue, State
from ektp_station.store.db import writing
from ektp_station.sync.client import CentralClient
from ektp_station.sync.engine import EngineConfig, SyncEngine

from factories import many_records

STATION = "ST-DEPOK-01"

FAST = EngineConfig(
    batch_size=100,
    probe_interval=0.2,
    backoff_initial=0.05,
    backoff_max=0.5,
    idle_poll=0.1,
    idle_probe=1.0,
    refused_wait=0.5,
    lock_poll=0.1,
)


def make_engine(
    made: list[SyncEngine], queue: Queue, url: str, token: str, **kwargs: object
) -> SyncEngine:
    client = CentralClient(url, token, timeout=2.0, probe_timeout=0.5)
    config = kwargs.pop("config", FAST)
    engine = SyncEngine(queue, client, STATION, config=config, **kwargs)  # type: ignore[arg-type]
    made.append(engine)
    return engine


def fill(queue: Queue, count: int) -> None:
    with writing(queue.engine) as conn:
        for record in many_records(count):
            queue.enqueue_in(conn, record, operator="SITI", station_id=STATION)


def assert_exactly_once(queue: Queue, central: CentralServer, count: int) -> None:
    status = queue.status()
    assert status.counts["synced"] == count
    assert status.unsynced == 0
    assert central.stats()["registrations"] == count
    local = {e.entry_id for e in queue.iter_entries(State.SYNCED)}
    with central._db.engine.connect() as conn:  # the centre's own table, read directly
        remote = {row[0] for row in conn.exec_driver_sql("SELECT entry_id FROM registrations")}
    assert local == remote
