"""Load shedding: with every batch slot taken, the centre answers 503 "overloaded" at once,
each with its own Retry-After (2–6 s, drawn anew), so a herd of stations turned away does not
come back as one; when the slot frees, batches are taken again."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from ektp_station.central.app import RETRY_AFTER_BUSY
from ektp_station.central.runner import CentralServer

from helpers import wait_until


@pytest.fixture
def busy_centre(tmp_path: Path) -> Iterator[CentralServer]:
    url = f"sqlite:///{tmp_path / 'shed.sqlite3'}"
    with CentralServer(url, max_in_flight=1, body_idle_timeout=30.0) as server:
        yield server


def test_a_full_centre_sheds_with_a_spread_retry_after(busy_centre: CentralServer) -> None:
    token = busy_centre.add_station("ST-SLOW")
    auth = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    # one station's batch holds the only slot: its body trickles (a slow link)
    slow = socket.create_connection(("127.0.0.1", busy_centre.port))
    head = (
        "POST /v1/batches HTTP/1.1\r\nHost: centre\r\n"
        f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
        "Content-Length: 2000\r\n\r\n{"
    )
    slow.sendall(head.encode())
    replies: list[httpx.Response] = []
    with httpx.Client(base_url=busy_centre.url, timeout=10) as http:

        def shed() -> bool:
            reply = http.post("/v1/batches", content=b"{}", headers=auth)
            if reply.status_code == 503:
                replies.append(reply)
            return reply.status_code == 503

        wait_until(shed, timeout=10)
        while len(replies) < 30:
            assert shed()
        assert all(r.json()["error"]["code"] == "overloaded" for r in replies)
        waits = [int(r.headers["Retry-After"]) for r in replies]
        assert all(RETRY_AFTER_BUSY <= w <= 3 * RETRY_AFTER_BUSY for w in waits), waits
        assert len(set(waits)) > 1, waits  # spread, not one instant for the whole herd
        slow.close()  # the slot frees
        wait_until(
            lambda: http.post("/v1/batches", content=b"{}", headers=auth).status_code == 400,
            timeout=10,
        )
