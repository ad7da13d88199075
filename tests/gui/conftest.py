from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ektp_station.store import Queue

pytest.importorskip("pytestqt")


@pytest.fixture
def queue(data_dir: Path) -> Iterator[Queue]:
    q = Queue.open(data_dir)
    yield q
    q.close()
