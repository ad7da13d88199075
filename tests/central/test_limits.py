"""Limits and timeouts against the real centre on loopback, with raw sockets: a request body
that stops arriving answers 408 and never locks its station out; a client leaving mid-body is
an INFO line; the in-flight slot is released on every way out."""

from __future__ import annotations

import json
import logging
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from central_support import Station, make_batch, results_of

from ektp_station.central import CentralServer

from factories import TODAY, make_record
from helpers import wait_until

IDLE = 0.5
TOTAL = 1.5


@pytest.fixture
def limited(tmp_path: Path) -> Iterator[Station]:
    """A centre with short body deadlines, and one station."""
    with CentralServer(
        f"sqlite:///{tmp_path / 'central.sqlite3'}",
        today=lambda: TODAY,
        body_timeout=TOTAL,
        body_idle_timeout=IDLE,
    ) as server:
        yield Station("DPK-LIMIT-1", server.add_station("DPK-LIMIT-1"), server)


def _head(station: Station, extra: str) -> bytes:
    return (
        f"POST /v1/batches HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Authorization: Bearer {station.token}\r\nContent-Type: application/json\r\n"
        f"{extra}\r\n"
    ).encode()


def _read_reply(sock: socket.socket, timeout: float) -> tuple[bytes, bool]:
    """Everything the server sends within ``timeout`` s, and whether it closed the socket."""
    sock.settimeout(timeout)
    data = b""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            chunk = sock.recv(4096)
        except TimeoutError:
            return data, False
        if not chunk:
            return data, True
        data += chunk
    return data, False


def _status_and_body(reply: bytes) -> tuple[int, dict[str, object]]:
    head, _, body = reply.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    return status, json.loads(body)


def _assert_408(reply: bytes) -> None:
    status, body = _status_and_body(reply)
    assert status == 408, reply[:300]
    assert body["protocol"] == 1
    assert body["error"]["code"] == "request_timeout"  # type: ignore[index]


def test_half_open_upload_is_408_after_the_idle_deadline_and_frees_the_station(
    limited: Station,
) -> None:
    with socket.create_connection(("127.0.0.1", limited.central.port), timeout=10) as sock:
        sock.sendall(_head(limited, "Content-Length: 1000\r\n") + b'{"protocol": 1, ')
        wait_until(lambda: limited.central.state.stations_in_flight == {limited.station_id})
        started = time.monotonic()
        reply, closed = _read_reply(sock, 10)
        took = time.monotonic() - started
    _assert_408(reply)
    assert closed, "the connection must be closed after a 408"
    assert took < IDLE + 1.0, took
    assert limited.central.state.stations_in_flight == set()
    assert limited.central.state.in_flight == 0
    body = make_batch(limited.station_id, [make_record(1)])
    assert results_of(limited.post(body), body)[0]["status"] == "accepted"


def test_chunked_body_that_never_ends_is_408_at_the_total_deadline(tmp_path: Path) -> None:
    with CentralServer(
        f"sqlite:///{tmp_path / 'central.sqlite3'}",
        today=lambda: TODAY,
        body_timeout=TOTAL,
        body_idle_timeout=30,
    ) as server:
        station = Station("DPK-LIMIT-2", server.add_station("DPK-LIMIT-2"), server)
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
            sock.sendall(_head(station, "Transfer-Encoding: chunked\r\n") + b'5\r\n{"pro\r\n')
            started = time.monotonic()
            reply, closed = _read_reply(sock, 10)
            took = time.monotonic() - started
        _assert_408(reply)
        assert closed
        assert took < TOTAL + 1.0, took  # the total deadline, not the 30 s idle one
        assert server.state.stations_in_flight == set()
        body = make_batch(station.station_id, [make_record(2)])
        assert results_of(station.post(body), body)[0]["status"] == "accepted"


def test_body_arriving_in_time_is_not_cut(limited: Station) -> None:
    body = json.dumps(make_batch(limited.station_id, [make_record(3)])).encode()
    with socket.create_connection(("127.0.0.1", limited.central.port), timeout=10) as sock:
        sock.sendall(_head(limited, f"Content-Length: {len(body)}\r\n") + body[:20])
        sock.sendall(body[20:])
        reply, _closed = _read_reply(sock, 5)
    status, answer = _status_and_body(reply)
    assert status == 200, reply[:300]
    assert answer["results"][0]["status"] == "accepted"  # type: ignore[index]


def test_client_leaving_mid_body_is_an_info_line_and_frees_the_station(
    limited: Station, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    with socket.create_connection(("127.0.0.1", limited.central.port), timeout=10) as sock:
        sock.sendall(_head(limited, "Content-Length: 1000\r\n") + b'{"protocol": 1, ')
        wait_until(lambda: limited.central.state.stations_in_flight == {limited.station_id})
    wait_until(lambda: limited.central.state.stations_in_flight == set(), timeout=IDLE / 2)
    wait_until(lambda: any("disconnected" in r.getMessage() for r in caplog.records))
    line = next(r for r in caplog.records if "disconnected" in r.getMessage())
    assert line.levelno == logging.INFO and line.exc_info is None
    assert limited.token not in caplog.text
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    body = make_batch(limited.station_id, [make_record(4)])
    assert results_of(limited.post(body), body)[0]["status"] == "accepted"


def test_timeouts_must_be_positive(tmp_path: Path) -> None:
    from ektp_station.central import create_app

    with pytest.raises(ValueError):
        create_app(f"sqlite:///{tmp_path / 'c.sqlite3'}", body_timeout=0)


HEADER_TIMEOUT = 1.0
SLOW_CLIENTS = 50


def test_slow_header_connections_are_dropped_and_health_stays_fast(tmp_path: Path) -> None:
    import httpx

    with CentralServer(
        f"sqlite:///{tmp_path / 'central.sqlite3'}",
        today=lambda: TODAY,
        header_timeout=HEADER_TIMEOUT,
    ) as server:
        socks = [
            socket.create_connection(("127.0.0.1", server.port), timeout=10)
            for _ in range(SLOW_CLIENTS)
        ]
        try:
            opened = time.monotonic()
            for sock in socks:
                sock.sendall(b"GET /v1/he")  # a partial request line, then nothing
            started = time.monotonic()
            health = httpx.get(server.url + "/v1/health", timeout=5)
            latency = time.monotonic() - started
            assert health.status_code == 200
            assert latency < 1.0, latency
            for sock in socks:
                left = opened + HEADER_TIMEOUT + 2.0 - time.monotonic()
                data, closed = _read_reply(sock, max(left, 0.1))
                assert closed, "slow-header connection still open after the header timeout"
                assert data == b""
            assert time.monotonic() - opened >= HEADER_TIMEOUT * 0.9  # not dropped at once
        finally:
            for sock in socks:
                sock.close()


def test_trickled_headers_do_not_extend_the_header_deadline(tmp_path: Path) -> None:
    with CentralServer(
        f"sqlite:///{tmp_path / 'central.sqlite3'}",
        today=lambda: TODAY,
        header_timeout=HEADER_TIMEOUT,
    ) as server:
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
            opened = time.monotonic()
            closed = False
            for byte in b"GET /v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ":
                try:
                    sock.sendall(bytes([byte]))
                except OSError:
                    closed = True
                    break
                # One byte per 0.1 s, paced by a read with a deadline (the server says nothing).
                _data, closed = _read_reply(sock, 0.1)
                if closed:
                    break
            if not closed:
                _data, closed = _read_reply(sock, HEADER_TIMEOUT + 2.0)
            assert closed
            assert time.monotonic() - opened < HEADER_TIMEOUT + 1.0


def test_kept_alive_connection_serves_the_next_request(tmp_path: Path) -> None:
    import httpx

    with (
        CentralServer(
            f"sqlite:///{tmp_path / 'central.sqlite3'}",
            today=lambda: TODAY,
            header_timeout=HEADER_TIMEOUT,
        ) as server,
        httpx.Client(base_url=server.url, timeout=5) as client,
    ):
        assert client.get("/v1/health").status_code == 200
        assert client.get("/v1/health").status_code == 200  # same connection, new request
