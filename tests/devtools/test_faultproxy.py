"""The fault proxy between an httpx client and the real reference centre."""

from __future__ import annotations

import socket
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from ektp_station.central import CentralServer
from ektp_station.devtools import FaultMix, FaultProxy
from ektp_station.sync.protocol import (
    PROTOCOL_VERSION,
    NotProtocolJSON,
    parse_batch_reply,
    parse_health,
)

from factories import TODAY, many_records


@pytest.fixture(scope="module")
def central(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CentralServer]:
    path: Path = tmp_path_factory.mktemp("central") / "central.sqlite3"
    with CentralServer(f"sqlite:///{path}", today=lambda: TODAY) as server:
        yield server


@pytest.fixture(scope="module")
def token(central: CentralServer) -> str:
    return central.add_station("PROXY-1")


@pytest.fixture
def proxy(central: CentralServer) -> Iterator[FaultProxy]:
    with FaultProxy.for_url(central.url, seed=7) as p:
        yield p


def batch(count: int = 2) -> dict:
    now = datetime.now(UTC).isoformat()
    records = many_records(count, start=int(uuid.uuid4().int % 9000) + 1)
    return {
        "protocol": PROTOCOL_VERSION,
        "station_id": "PROXY-1",
        "station_time": now,
        "backlog": {"pending": count, "oldest_unsynced_at": None},
        "entries": [
            {
                "entry_id": str(uuid.uuid4()),
                "seq": n,
                "revision": 1,
                "operator": "op",
                "captured_at": now,
                "record": r,
            }
            for n, r in enumerate(records)
        ],
    }


def registrations(central: CentralServer, ids: list[str]) -> int:
    import sqlalchemy as sa

    from ektp_station.central.db import CentralDB
    from ektp_station.central.db import registrations as table

    db = CentralDB(central.db_url)
    try:
        with db.engine.connect() as conn:
            return int(
                conn.execute(
                    sa.select(sa.func.count()).where(table.c.entry_id.in_(ids))
                ).scalar_one()
            )
    finally:
        db.dispose()


def post(client: httpx.Client, token: str, body: dict) -> httpx.Response:
    return client.post("/v1/batches", json=body, headers={"Authorization": f"Bearer {token}"})


def test_pass_through_on_keep_alive(proxy: FaultProxy, token: str) -> None:
    assert proxy.url.startswith("http://127.0.0.1:")
    with httpx.Client(base_url=proxy.url, timeout=10) as client:
        for _ in range(3):
            r = client.get("/v1/health")
            assert parse_health(r.content, r.headers["content-type"]).status == "ok"
        body = batch()
        r = post(client, token, body)
        ids = [e["entry_id"] for e in body["entries"]]
        assert {
            x.status for x in parse_batch_reply(r.content, r.headers["content-type"], ids).results
        } == {"accepted"}
    # The proxy counts a reply after writing it: wait for the count, don't race it.
    assert proxy.wait_for(lambda c: c.replies == 4, 5)
    c = proxy.counters
    assert (c.connections, c.requests, c.forwarded, c.replies) == (1, 4, 4, 4)
    assert c.faults == {}


def test_reset_before_server_never_sees_it(
    proxy: FaultProxy, central: CentralServer, token: str
) -> None:
    proxy.force_next("reset_before")
    body = batch()
    with httpx.Client(base_url=proxy.url, timeout=10) as client:
        with pytest.raises(httpx.TransportError):
            post(client, token, body)
        assert client.get("/v1/health").status_code == 200  # next request is fine
    assert registrations(central, [e["entry_id"] for e in body["entries"]]) == 0
    assert proxy.counters.fault("reset_before") == 1
    assert proxy.counters.forwarded == 1


def test_reset_after_server_committed_reply_lost(
    proxy: FaultProxy, central: CentralServer, token: str
) -> None:
    proxy.force_next("reset_after")
    body = batch()
    ids = [e["entry_id"] for e in body["entries"]]
    with httpx.Client(base_url=proxy.url, timeout=10) as client:
        with pytest.raises(httpx.TransportError):
            post(client, token, body)
        assert registrations(central, ids) == 2  # committed although the station never heard
        again = post(client, token, body)  # the re-send is harmless
    statuses = {
        x.status
        for x in parse_batch_reply(again.content, again.headers["content-type"], ids).results
    }
    assert statuses == {"already_accepted"}
    assert proxy.counters.fault("reset_after") == 1


def test_http503_and_captive_answered_by_the_proxy(proxy: FaultProxy, token: str) -> None:
    proxy.force_next("http503")
    proxy.force_next("captive")
    body = batch()
    with httpx.Client(base_url=proxy.url, timeout=10) as client:
        busy = post(client, token, body)
        assert busy.status_code == 503 and busy.headers["Retry-After"] == "1"
        portal = post(client, token, body)
        assert portal.status_code == 200 and portal.headers["content-type"].startswith("text/html")
        with pytest.raises(NotProtocolJSON):
            parse_batch_reply(
                portal.content,
                portal.headers["content-type"],
                [e["entry_id"] for e in body["entries"]],
            )
        assert client.get("/v1/health").status_code == 200
    assert proxy.wait_for(lambda c: c.replies == 3, 5)
    c = proxy.counters
    assert (c.fault("http503"), c.fault("captive"), c.forwarded, c.connections) == (1, 1, 1, 1)


def test_truncated_reply(proxy: FaultProxy, token: str) -> None:
    proxy.force_next("truncate")
    with httpx.Client(base_url=proxy.url, timeout=10) as client:
        with pytest.raises(httpx.RemoteProtocolError):
            post(client, token, batch())
    assert proxy.counters.fault("truncate") == 1


def test_stall_for_a_while_and_for_ever(proxy: FaultProxy) -> None:
    proxy.set_faults(stall_seconds=0.3)
    proxy.force_next("stall")
    with httpx.Client(base_url=proxy.url, timeout=10) as client:
        start = time.monotonic()
        assert client.get("/v1/health").status_code == 200
        assert time.monotonic() - start >= 0.3
    proxy.set_faults(stall_seconds=None)
    proxy.force_next("stall")
    with httpx.Client(base_url=proxy.url, timeout=0.5) as client, pytest.raises(httpx.ReadTimeout):
        client.get("/v1/health")
    assert proxy.counters.fault("stall") == 2


def test_latency_each_way(proxy: FaultProxy) -> None:
    proxy.latency_ms = 150
    with httpx.Client(base_url=proxy.url, timeout=10) as client:
        start = time.monotonic()
        assert client.get("/v1/health").status_code == 200
        assert time.monotonic() - start >= 0.3


def test_down_resets_new_and_cuts_existing_connections(proxy: FaultProxy) -> None:
    with httpx.Client(base_url=proxy.url, timeout=5) as client:
        assert client.get("/v1/health").status_code == 200
        proxy.set_mode("down")
        with pytest.raises(httpx.TransportError):
            client.get("/v1/health")
        try:
            with socket.create_connection(("127.0.0.1", proxy.port), timeout=5) as raw:
                raw.sendall(b"GET /v1/health HTTP/1.1\r\nHost: x\r\n\r\n")
                assert raw.recv(100) == b""
        except (ConnectionResetError, BrokenPipeError):
            pass
        assert proxy.wait_for(lambda c: c.connections_refused >= 1, 5)
        proxy.set_mode("up")
        assert client.get("/v1/health").status_code == 200


def test_blackhole_never_answers(proxy: FaultProxy) -> None:
    proxy.set_mode("blackhole")
    with httpx.Client(base_url=proxy.url, timeout=0.5) as client:
        with pytest.raises(httpx.ReadTimeout):
            client.get("/v1/health")
    assert proxy.wait_for(lambda c: c.blackholed == 1, 5)
    assert proxy.counters.forwarded == 0
    proxy.set_mode("up")
    with httpx.Client(base_url=proxy.url, timeout=5) as client:
        assert client.get("/v1/health").status_code == 200


def _outcomes(url: str, seed: int, n: int = 40) -> list[str]:
    with FaultProxy.for_url(url, seed=seed) as proxy:
        proxy.set_faults(FaultMix(reset_before=0.2, http503=0.2, captive=0.2, truncate=0.1))
        out = []
        with httpx.Client(base_url=proxy.url, timeout=5) as client:
            for _ in range(n):
                try:
                    r = client.get("/v1/health")
                    out.append(f"{r.status_code}:{r.headers.get('content-type', '')[:9]}")
                except httpx.TransportError as exc:
                    out.append(type(exc).__name__)
        c = proxy.counters
        assert c.requests == n
        assert sum(c.faults.values()) + c.forwarded - c.fault("truncate") == n
        return out


def test_seeded_mix_is_deterministic(central: CentralServer) -> None:
    first = _outcomes(central.url, seed=42)
    assert first == _outcomes(central.url, seed=42)
    assert len(set(first)) >= 4  # the mix really mixes
    assert first != _outcomes(central.url, seed=43)


def test_bad_mix_is_refused() -> None:
    with pytest.raises(ValueError):
        FaultMix(reset_before=0.7, http503=0.7)


def test_request_times_stamp_every_attempt_in_every_mode(proxy: FaultProxy) -> None:
    assert proxy.request_times() == []
    before = time.monotonic()
    with httpx.Client(base_url=proxy.url, timeout=5) as client:
        for _ in range(3):  # one keep-alive connection, three requests
            assert client.get("/v1/health").status_code == 200
    assert proxy.wait_for(lambda c: c.replies == 3, 5)
    proxy.set_mode("down")
    with httpx.Client(base_url=proxy.url, timeout=5) as client:
        for _ in range(2):  # each a new connection, reset on arrival
            with pytest.raises(httpx.TransportError):
                client.get("/v1/health")
    assert proxy.wait_for(lambda c: c.connections_refused == 2, 5)
    after = time.monotonic()
    stamps = proxy.request_times()
    assert len(stamps) == 5
    assert stamps == sorted(stamps)
    assert before <= stamps[0] and stamps[-1] <= after
    proxy.clear_request_times()
    assert proxy.request_times() == []


def test_request_times_are_safe_to_read_while_requests_arrive(proxy: FaultProxy) -> None:
    def hammer() -> None:
        with httpx.Client(base_url=proxy.url, timeout=5) as client:
            for _ in range(25):
                client.get("/v1/health")

    threads = [threading.Thread(target=hammer) for _ in range(4)]
    for t in threads:
        t.start()
    seen = 0
    while any(t.is_alive() for t in threads):
        now = len(proxy.request_times())
        assert now >= seen  # a consistent, growing log, never a torn read
        seen = now
    for t in threads:
        t.join()
    assert len(proxy.request_times()) == 100


def test_down_cuts_a_slow_transfer_in_flight_and_counts_no_more(proxy: FaultProxy) -> None:
    """``down`` in the middle of a capped upload: the request never reaches the centre whole,
    the client sees the cut, and ``bytes_up`` stops where the link dropped."""
    proxy.bandwidth_bps = 400_000  # 50 kB/s: a 400 kB body takes 8 s
    body = b"x" * 400_000
    errors: list[BaseException] = []

    def upload() -> None:
        try:
            with httpx.Client(base_url=proxy.url, timeout=30) as client:
                client.post("/v1/batches", content=body)
        except httpx.TransportError as exc:
            errors.append(exc)

    sender = threading.Thread(target=upload)
    sender.start()
    assert proxy.wait_for(lambda c: c.bytes_up > 20_000, 10)
    proxy.set_mode("down")
    at_cut = proxy.counters.bytes_up
    sender.join(10)
    assert errors and not sender.is_alive()
    proxy.set_mode("up")
    proxy.bandwidth_bps = None
    with httpx.Client(base_url=proxy.url, timeout=5) as client:  # the loop went on meanwhile
        assert client.get("/v1/health").status_code == 200
    health = 200  # a GET's head, well under this
    assert at_cut < proxy.counters.bytes_up <= at_cut + 2_500 + health  # one step at most
    assert proxy.counters.forwarded == 1  # only the GET went through whole
