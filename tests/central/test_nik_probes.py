"""A station that keeps asking about NIKs it did not record is visible and slowed down: the
centre counts its "NIK recorded by another entry" answers (in all and this hour), shows them in
`central stats`, and past the limit answers its batches 429 ``nik_probe_limit`` with a
Retry-After until the hour is over — other stations are not affected."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from ektp_station.central.cli import format_stats
from ektp_station.central.runner import CentralServer
from ektp_station.store import Queue
from ektp_station.sync.outcomes import to_wire
from ektp_station.sync.protocol import Backlog, BatchRequest
from ektp_station.timeutil import utc_now

from factories import TODAY, many_records

LIMIT = 5


@pytest.fixture
def centre(tmp_path: Path) -> Iterator[CentralServer]:
    server = CentralServer(
        f"sqlite:///{tmp_path / 'central.sqlite3'}", today=lambda: TODAY, nik_probe_limit=LIMIT
    )
    with server:
        yield server


def send(
    centre: CentralServer, token: str, station: str, queue: Queue, records: list
) -> httpx.Response:  # type: ignore[type-arg]
    saved = [queue.enqueue(r, operator="X", station_id=station) for r in records]
    wire, _local = to_wire(saved)
    request = BatchRequest(
        station_id=station,
        station_time=utc_now(),
        backlog=Backlog(pending=len(wire), oldest_unsynced_at=None),
        entries=wire,
    )
    body = request.model_dump_json()
    return httpx.post(
        f"{centre.url}/v1/batches",
        content=body,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        timeout=10,
    )


def test_nik_probes_are_counted_shown_and_slowed_down(
    centre: CentralServer, tmp_path: Path
) -> None:
    honest_token = centre.add_station("ST-JUJUR")
    probe_token = centre.add_station("ST-PROBE")
    honest_q = Queue.open(tmp_path / "honest")
    probe_q = Queue.open(tmp_path / "probe")
    try:
        residents = many_records(12)
        assert send(centre, honest_token, "ST-JUJUR", honest_q, residents).status_code == 200
        # the probing station sends the same NIKs as new entries of its own: each is answered
        # "recorded by another entry"
        first = send(centre, probe_token, "ST-PROBE", probe_q, residents[:4])
        assert first.status_code == 200
        assert {r["conflict"] for r in first.json()["results"]} == {"nik_recorded"}
        second = send(centre, probe_token, "ST-PROBE", probe_q, residents[4:8])
        assert second.status_code == 200  # 8 answers now: over the limit of 5
        slowed = send(centre, probe_token, "ST-PROBE", probe_q, residents[8:])
        assert slowed.status_code == 429 and slowed.json()["error"]["code"] == "nik_probe_limit"
        assert 3000 <= int(slowed.headers["retry-after"]) <= 3600
        assert (
            send(centre, honest_token, "ST-JUJUR", honest_q, many_records(2, start=500)).status_code
            == 200
        )
        stats = {s["station_id"]: s for s in centre.stats()["stations"]}
        assert stats["ST-PROBE"]["nik_recorded_answers"] == 8
        assert stats["ST-PROBE"]["nik_recorded_last_hour"] == 8
        assert stats["ST-JUJUR"]["nik_recorded_answers"] == 0
        table = format_stats(centre.stats())
        assert "NIK sudah direkam" in table and "8 (8)" in table
    finally:
        honest_q.close()
        probe_q.close()
