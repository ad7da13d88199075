from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ektp_station.central.runner import CentralServer
from ektp_station.devtools.faultproxy import FaultProxy
from ektp_station.store import Queue
from ektp_station.sync.engine import SyncEngine

from factories import TODAY
from sync_support import STATION


@pytest.fixture
def central(tmp_path: Path) -> Iterator[CentralServer]:
    server = CentralServer(f"sqlite:///{tmp_path / 'central.sqlite3'}", today=lambda: TODAY)
    with server:
        yield server


@pytest.fixture
def token(central: CentralServer) -> str:
    return central.add_station(STATION)


@pytest.fixture
def proxy(central: CentralServer) -> Iterator[FaultProxy]:
    with FaultProxy.for_url(central.url, seed=1234) as p:
        yield p


@pytest.fixture
def queue(data_dir: Path) -> Iterator[Queue]:
    q = Queue.open(data_dir)
    yield q
    q.close()


@pytest.fixture
def engines() -> Iterator[list[SyncEngine]]:
    """Engines made by a test; their clients are closed afterwards."""
    made: list[SyncEngine] = []
    yield made
    for engine in made:
        engine.stop()
        engine.client.close()
