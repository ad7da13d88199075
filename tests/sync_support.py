"""Shared set-up for the sync tests: fast engine timings, engine factory."""

from __future__ import annotations

from ektp_station.store import Queue
from ektp_station.sync.client import CentralClient
from ektp_station.sync.engine import EngineConfig, SyncEngine

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


def make_engine(made: list[SyncEngine], queue: Queue, url: str, token: str, **kwargs: object) -> SyncEngine:
    client = CentralClient(url, token, timeout=2.0, probe_timeout=0.5)
    config = kwargs.pop("config", FAST)
    engine = SyncEngine(queue, client, STATION, config=config, **kwargs)  # type: ignore[arg-type]
    made.append(engine)
    return engine
