"""The backlog the centre shows for a station is current: a batch tells it as it was before
the batch, so when the engine falls idle with another figure it sends a heartbeat — after
the last batch the centre says 0 waiting, not 1. Garbage to the heartbeat is 4xx."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import httpx

from ektp_station.central.runner import CentralServer
from ektp_station.devtools.faultproxy import FaultProxy
from ektp_station.store import Queue, State

from factories import make_record
from helpers import wait_until
from sync_support import STATION, fill, make_engine


def reported(central: CentralServer) -> dict[str, object]:
    station = next(s for s in central.stats()["stations"] if s["station_id"] == STATION)
    backlog = station["reported_backlog"]
    assert isinstance(backlog, dict)
    return backlog


def test_after_the_last_batch_the_centre_shows_nothing_waiting(
    queue: Queue, central: CentralServer, token: str, engines: list
) -> None:
    fill(queue, 250)  # three batches of 100: the last one says 50 waiting, before it
    with FaultProxy.for_url(central.url, seed=2) as proxy:
        engine = make_engine(engines, queue, proxy.url, token)
        assert engine.drain(give_up_after=60)
        assert queue.count(State.SYNCED) == 250
        assert reported(central) == {"pending": 0, "oldest_unsynced_at": None}
        asked = proxy.counters.requests
        assert engine.drain(give_up_after=60)  # nothing changed: nothing told again
        assert proxy.counters.requests == asked
    # while the engine runs: a new entry is delivered, then the centre hears "0" again
    engine = make_engine(engines, queue, central.url, token)
    engine.start()
    queue.enqueue(make_record(9_999), operator="SITI", station_id=STATION)
    engine.wake()
    wait_until(lambda: queue.count(State.SYNCED) == 251, timeout=30)
    wait_until(lambda: reported(central)["pending"] == 0, timeout=30)


def test_garbage_to_the_heartbeat_is_4xx_never_5xx(central: CentralServer, token: str) -> None:
    auth = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    now = datetime.now(UTC).isoformat()
    good = {"protocol": 2, "station_id": STATION, "station_time": now, "backlog": {"pending": 3}}
    bodies = [
        b"",
        b"nope",
        b"[]",
        json.dumps({**good, "backlog": {"pending": -1}}).encode(),
        json.dumps({**good, "station_time": "yesterday"}).encode(),
        json.dumps({**good, "protocol": 9}).encode(),
        b"x" * 10_000,
    ]
    with httpx.Client(base_url=central.url, timeout=10) as http:
        for body in bodies:
            reply = http.post("/v1/heartbeat", content=body, headers=auth)
            assert 400 <= reply.status_code < 500, (body[:30], reply.status_code)
            assert reply.json()["error"]["code"]
        other = json.dumps({**good, "station_id": "ST-OTHER"}).encode()
        assert http.post("/v1/heartbeat", content=other, headers=auth).status_code == 403
        assert http.post("/v1/heartbeat", content=json.dumps(good)).status_code == 401
        ok = http.post("/v1/heartbeat", content=json.dumps(good), headers=auth)
        assert ok.status_code == 200 and ok.json()["protocol"] == 2
    assert reported(central)["pending"] == 3


def test_an_idle_station_still_says_it_is_there(
    queue: Queue, central: CentralServer, token: str, engines: list
) -> None:
    """Nothing to send and nothing changed: a heartbeat every heartbeat_interval all the
    same, so that the dashboard tells a quiet counter from a silent one (and not more often:
    the idle station's requests stay few)."""
    from dataclasses import replace

    from sync_support import FAST

    def last_seen() -> object:
        station = next(s for s in central.stats()["stations"] if s["station_id"] == STATION)
        return station["last_seen_at"]

    with FaultProxy.for_url(central.url, seed=3) as proxy:
        config = replace(FAST, heartbeat_interval=0.5, idle_probe=0.2, idle_poll=0.05)
        engine = make_engine(engines, queue, proxy.url, token, config=config)
        engine.start()
        wait_until(lambda: last_seen() is not None, timeout=30)
        seen = {last_seen()}
        wait_until(lambda: seen.add(last_seen()) or len(seen) >= 3, timeout=30)
        engine.stop()
        # the default: not one heartbeat more while nothing changes
        quiet = make_engine(engines, queue, proxy.url, token)
        assert quiet.drain(give_up_after=30)
        asked = proxy.counters.requests
        assert quiet.drain(give_up_after=30)
        assert proxy.counters.requests == asked
