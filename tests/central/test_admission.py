"""Admission under a reconnect herd (issue #14): the bound on batches in flight follows what the
process completes, and health and the shed (Retry-After 2–6 s) are answered before FastAPI's
routing with the app's own bodies (a draining server still answers through the app)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import anyio
import httpx
import pytest

from ektp_station.central import CentralServer
from ektp_station.central.admission import Admission
from ektp_station.central.app import RETRY_AFTER_BUSY
from ektp_station.sync.protocol import parse_error_reply, parse_health


def test_the_bound_follows_what_the_process_completes() -> None:
    now = [1000.0]
    admission = Admission(target_wait=2.0, floor=8, window=5.0, clock=lambda: now[0])
    assert admission.bound(64) == 64  # nothing measured yet: the configured bound
    for _ in range(50):  # 10 batches a second for 5 s
        now[0] += 0.1
        admission._done.append(now[0])
    assert admission.rate() == pytest.approx(10.0, rel=0.05)
    assert admission.bound(64) == 20  # 2 s of work
    assert admission.bound(12) == 12
    now[0] += 10  # idle: nothing measured in the window
    assert admission.rate() is None and admission.bound(64) == 64


def test_ingest_runs_on_an_ingest_thread_and_counts_as_done() -> None:
    admission = Admission(ingest_threads=2)
    where: list[str] = []

    def work(n: int) -> int:
        where.append(threading.current_thread().name)
        return n * 2

    async def main() -> int:
        return await admission.run(work, 21)

    assert anyio.run(main) == 42
    assert where and where[0] != threading.main_thread().name
    assert len(admission._done) == 1


@pytest.fixture
def centre(tmp_path: Path) -> Iterator[CentralServer]:
    with CentralServer(f"sqlite:///{tmp_path / 'c.sqlite3'}", max_in_flight=2) as server:
        yield server


def test_health_and_the_shed_answered_before_the_routing(centre: CentralServer) -> None:
    reply = httpx.get(centre.url + "/v1/health")
    assert reply.status_code == 200 and reply.headers["content-type"] == "application/json"
    health = parse_health(reply.content, reply.headers["content-type"])
    assert health.protocols == [1, 2] and health.protocol == 1 and health.status == "ok"
    assert abs(health.server_time - datetime.now(UTC)) < timedelta(seconds=30)
    token = centre.add_station("ST-FAST")
    auth = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    centre.state.in_flight = 2  # every slot taken
    try:
        shed = httpx.post(centre.url + "/v1/batches", content=b"{}", headers=auth)
        assert shed.status_code == 503
        error = parse_error_reply(shed.content, shed.headers["content-type"])
        assert error is not None and error.error.code == "overloaded"
        assert RETRY_AFTER_BUSY <= int(shed.headers["retry-after"]) <= 3 * RETRY_AFTER_BUSY
        assert httpx.get(centre.url + "/v1/health").status_code == 200
    finally:
        centre.state.in_flight = 0
    assert httpx.post(centre.url + "/v1/batches", content=b"{}", headers=auth).status_code == 400
    centre.draining = True  # the app's own answers while it stops
    drained = httpx.get(centre.url + "/v1/health")
    assert drained.status_code == 503 and drained.json()["error"]["code"] == "draining"
