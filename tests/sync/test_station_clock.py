"""A station whose clock is far off (a dead CMOS battery reads 1970 or 2000-01-01 00:00 in
the wrong zone) sends nothing and says why; its entries stay pending, and nothing crashes the
engine — the wire's datetimes must lie in 2000..2100."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ektp_station.central.runner import CentralServer
from ektp_station.errors import StationClockWrong
from ektp_station.store import Queue, State
from ektp_station.sync import engine as engine_module
from ektp_station.sync.engine import Link, SyncEngine

from helpers import wait_until
from sync_support import fill, make_engine


@pytest.fixture
def clock_in_1970(monkeypatch: pytest.MonkeyPatch) -> None:
    # the one edge case mocked: the PC's clock (the queue and the centre are real)
    monkeypatch.setattr(engine_module, "utc_now", lambda: datetime(1970, 1, 1, tzinfo=UTC))


def test_a_wrong_clock_sends_nothing_and_keeps_the_entries(
    clock_in_1970: None,
    queue: Queue,
    central: CentralServer,
    token: str,
    engines: list[SyncEngine],
) -> None:
    fill(queue, 3)
    engine = make_engine(engines, queue, central.url, token)
    with pytest.raises(StationClockWrong) as caught:
        engine.send_once()
    assert "jam" in caught.value.message("id") and "date and time" in caught.value.message("en")
    assert queue.count(State.PENDING) == 3 and queue.count(State.SENDING) == 0
    assert central.stats()["registrations"] == 0


def test_the_running_engine_shows_the_clock_and_keeps_running(
    clock_in_1970: None,
    queue: Queue,
    central: CentralServer,
    token: str,
    engines: list[SyncEngine],
) -> None:
    fill(queue, 2)
    engine = make_engine(engines, queue, central.url, token)
    engine.start()
    wait_until(lambda: engine.state.last_error_id == StationClockWrong.MESSAGE_ID)
    assert engine.state.link is Link.REFUSED and engine.running
    assert queue.count(State.PENDING) == 2 and central.stats()["registrations"] == 0
