"""Batch ingest against the real reference centre on loopback (SQLite, and PostgreSQL)."""

from __future__ import annotations

import socket
import threading
import uuid
from collections.abc import Iterator

import httpx
import pytest
from central_support import Station, assert_error_shape, make_batch, results_of

from ektp_station.sync.protocol import MAX_BATCH_ENTRIES, MAX_BODY_BYTES

from factories import make_record, many_records

_results = results_of


def test_accept_then_resend_is_already_accepted_with_same_references(station: Station) -> None:
    body = make_batch(station.station_id, many_records(5))
    first = _results(station.post(body), body)
    assert [r["status"] for r in first] == ["accepted"] * 5
    refs = [r["reference"] for r in first]
    assert len(set(refs)) == 5 and all(ref.startswith("DPK-") for ref in refs)

    again = _results(station.post(body), body)
    assert [r["status"] for r in again] == ["already_accepted"] * 5
    assert [r["reference"] for r in again] == refs
    assert station.central.stats()["registrations"] == 5


def test_same_content_in_other_spelling_is_already_accepted(station: Station) -> None:
    body = make_batch(station.station_id, [make_record(7, religion="ISLAM")])
    assert _results(station.post(body), body)[0]["status"] == "accepted"
    body["entries"][0]["record"]["full_name"] = "  budi santoso "  # normalises alike
    assert _results(station.post(body), body)[0]["status"] == "already_accepted"


def test_same_id_different_content_is_id_reused(station: Station) -> None:
    body = make_batch(station.station_id, [make_record(1)])
    assert _results(station.post(body), body)[0]["status"] == "accepted"
    body["entries"][0]["record"]["address"] = "JL. LAIN NO. 2"
    result = _results(station.post(body), body)[0]
    assert (result["status"], result["conflict"], result["reference"]) == (
        "conflict",
        "id_reused",
        None,
    )


def test_same_nik_under_another_id_is_nik_recorded(station: Station) -> None:
    record = make_record(3)
    first = make_batch(station.station_id, [record])
    assert _results(station.post(first), first)[0]["status"] == "accepted"
    other = make_batch(station.station_id, [record])
    result = _results(station.post(other), other)[0]
    assert (result["status"], result["conflict"]) == ("conflict", "nik_recorded")


def test_same_nik_twice_in_one_batch(station: Station) -> None:
    record = make_record(4)
    body = make_batch(station.station_id, [record, dict(record)])
    statuses = [(r["status"], r["conflict"]) for r in _results(station.post(body), body)]
    assert statuses == [("accepted", None), ("conflict", "nik_recorded")]


def test_invalid_record_is_rejected_with_field_errors(station: Station) -> None:
    bad = make_record(5, nik="12345", full_name="")
    body = make_batch(station.station_id, [make_record(6), bad])
    ok, rejected = _results(station.post(body), body)
    assert ok["status"] == "accepted"
    assert rejected["status"] == "rejected" and rejected["reference"] is None
    fields = {(e["field"], e["code"]) for e in rejected["errors"]}
    assert ("nik", "nik_length") in fields
    assert ("full_name", "required") in fields
    assert all(e["message"] for e in rejected["errors"])
    assert station.central.stats()["registrations"] == 1


def test_batch_as_another_station_is_403(station: Station) -> None:
    station.central.add_station("OTHER")
    response = station.post(make_batch("OTHER", [make_record(1)]))
    assert assert_error_shape(response, 403)["error"]["code"] == "wrong_station"
    assert station.central.stats()["registrations"] == 0


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer nope"},
        {"Authorization": "Basic abc"},
        {"Authorization": "Bearer"},
    ],
)
def test_missing_or_bad_token_is_401(station: Station, headers: dict[str, str]) -> None:
    url = station.central.url + "/v1/batches"
    response = httpx.post(
        url, json=make_batch(station.station_id, [make_record(1)]), headers=headers
    )
    assert assert_error_shape(response, 401)["error"]["code"] == "unauthorized"


def test_rotated_token_replaces_the_old_one(station: Station) -> None:
    old = station.token
    station.token = station.central.add_station(station.station_id)
    assert station.token != old
    body = make_batch(station.station_id, [make_record(1)])
    assert station.post(body).status_code == 200
    assert_error_shape(station.post(body, headers={"Authorization": f"Bearer {old}"}), 401)


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"{not json", "bad_json"),
        (b"", "bad_json"),
        (b"[1, 2]", "invalid_request"),
        (b'{"protocol": 1}', "invalid_request"),
        (b'{"protocol": 3, "station_id": "x"}', "unsupported_protocol"),
        (b'{"protocol": 0, "station_id": "x"}', "unsupported_protocol"),
        (b'{"protocol": "2", "station_id": "x"}', "unsupported_protocol"),
        (b'{"protocol": 2.0, "station_id": "x"}', "unsupported_protocol"),
        (b'{"protocol": true, "station_id": "x"}', "unsupported_protocol"),
    ],
)
def test_malformed_bodies_are_400(station: Station, content: bytes, code: str) -> None:
    response = station.post(content, headers={"Content-Type": "application/json"})
    assert assert_error_shape(response, 400)["error"]["code"] == code


def test_schema_violations_are_400(station: Station) -> None:
    good = make_batch(station.station_id, [make_record(1)])
    mutations = [
        lambda b: b["entries"][0].__setitem__("seq", "1"),
        lambda b: b["entries"][0].__setitem__("entry_id", "not-a-uuid"),
        lambda b: b["entries"][0].__setitem__("captured_at", "2026-11-24T02:30:00"),  # naive
        lambda b: b["entries"][0]["record"].__setitem__("nik", 3276021705900001),
        lambda b: b["backlog"].__setitem__("pending", -1),
        lambda b: b.__setitem__("entries", []),
        lambda b: b.__setitem__("protocol", True),
        lambda b: b["entries"].append(dict(b["entries"][0])),  # duplicate entry id
    ]
    for mutate in mutations:
        body = make_batch(station.station_id, [make_record(1)], [good["entries"][0]["entry_id"]])
        mutate(body)
        response = station.post(body)
        assert_error_shape(response, 400)
        assert "3276" not in response.text  # values are never echoed back
    assert station.central.stats()["registrations"] == 0


def test_too_many_entries_is_400(station: Station) -> None:
    body = make_batch(station.station_id, many_records(MAX_BATCH_ENTRIES + 1))
    assert_error_shape(station.post(body), 400)


def test_full_batch_is_accepted(station: Station) -> None:
    body = make_batch(station.station_id, many_records(MAX_BATCH_ENTRIES))
    results = _results(station.post(body), body)
    assert {r["status"] for r in results} == {"accepted"}


def test_declared_oversized_body_is_413_before_reading(station: Station) -> None:
    host, port = "127.0.0.1", station.central.port
    head = (
        f"POST /v1/batches HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {station.token}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {MAX_BODY_BYTES + 1}\r\n\r\n"
    ).encode()
    with socket.create_connection((host, port), timeout=10) as sock:
        sock.sendall(head + b"{")
        reply = b""
        while b"\r\n\r\n" not in reply:
            chunk = sock.recv(4096)
            if not chunk:
                break
            reply += chunk
    assert reply.startswith(b"HTTP/1.1 413"), reply[:200]


def test_chunked_oversized_body_is_413(station: Station) -> None:
    def body() -> Iterator[bytes]:
        yield b'{"protocol": 1, "entries": ["'
        for _ in range(MAX_BODY_BYTES // 65536 + 2):
            yield b"x" * 65536

    response = httpx.post(
        station.central.url + "/v1/batches",
        content=body(),
        headers={**station.headers, "Content-Type": "application/json"},
        timeout=30,
    )
    assert_error_shape(response, 413)


def test_unknown_path_and_method_have_error_shape(station: Station) -> None:
    assert_error_shape(httpx.get(station.central.url + "/v1/nothing"), 404)
    assert_error_shape(httpx.get(station.central.url + "/v1/batches"), 405)


def test_second_batch_while_one_is_in_flight_is_429(station: Station) -> None:
    release = threading.Event()
    started = threading.Event()
    body = make_batch(station.station_id, [make_record(1)])
    import json

    payload = json.dumps(body).encode()

    def slow_body() -> Iterator[bytes]:
        yield payload[:10]
        started.set()
        release.wait(30)
        yield payload[10:]

    replies: list[httpx.Response] = []
    thread = threading.Thread(
        target=lambda: replies.append(
            httpx.post(
                station.central.url + "/v1/batches",
                content=slow_body(),
                headers={**station.headers, "Content-Type": "application/json"},
                timeout=30,
            )
        )
    )
    thread.start()
    try:
        assert started.wait(10)
        # The first request is inside the server once its headers are parsed; poll the state.
        from helpers import wait_until

        wait_until(lambda: station.central.state.in_flight == 1)
        busy = station.post(make_batch(station.station_id, [make_record(2)]))
        assert assert_error_shape(busy, 429)["error"]["code"] == "batch_in_flight"
        assert float(busy.headers["Retry-After"]) > 0
    finally:
        release.set()
        thread.join(30)
    assert replies[0].status_code == 200


def test_draining_server_answers_503_with_retry_after(station: Station) -> None:
    station.central.draining = True
    response = station.post(make_batch(station.station_id, [make_record(1)]))
    assert_error_shape(response, 503)
    assert int(response.headers["Retry-After"]) >= 1
    assert_error_shape(httpx.get(station.central.url + "/v1/health"), 503)
    station.central.draining = False
    assert httpx.get(station.central.url + "/v1/health").json()["status"] == "ok"


def test_concurrent_identical_batches_leave_one_row_per_entry(station: Station) -> None:
    body = make_batch(station.station_id, many_records(40))
    barrier = threading.Barrier(8)
    replies: list[httpx.Response] = []
    lock = threading.Lock()

    def send() -> None:
        barrier.wait(10)
        response = station.post(body)
        with lock:
            replies.append(response)

    threads = [threading.Thread(target=send) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(replies) == 8
    assert {r.status_code for r in replies} <= {200, 429}
    ok = [_results(r, body) for r in replies if r.status_code == 200]
    assert ok
    refs = {tuple(x["reference"] for x in results) for results in ok}
    assert len(refs) == 1
    assert station.central.stats()["registrations"] == 40


def test_racing_ingest_in_threads_is_idempotent(station: Station) -> None:
    """The unique-constraint race itself, without the per-station 429 in front of it."""
    from ektp_station.central.db import CentralDB
    from ektp_station.central.ingest import Ingestor
    from ektp_station.sync.protocol import BatchRequest

    from factories import TODAY

    batch = BatchRequest.model_validate(make_batch(station.station_id, many_records(60)))
    db = CentralDB(station.central.db_url)
    # Without the per-station advisory lock: the entry-level guards race on their own.
    ingestor = Ingestor(db, today=lambda: TODAY, station_lock=False)
    barrier = threading.Barrier(6)
    outcomes: list[list[str]] = []
    lock = threading.Lock()

    def run() -> None:
        barrier.wait(10)
        results = ingestor.ingest(station.station_id, batch)
        with lock:
            outcomes.append([r.status for r in results])

    threads = [threading.Thread(target=run) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    db.dispose()
    assert len(outcomes) == 6
    for i in range(60):
        column = [o[i] for o in outcomes]
        assert column.count("accepted") == 1
        assert column.count("already_accepted") == 5
    assert station.central.stats()["registrations"] == 60


def test_stats_report_last_seen_backlog_and_skew(station: Station) -> None:
    station.central.add_station("IDLE")
    body = make_batch(station.station_id, many_records(3))
    body["backlog"] = {"pending": 17, "oldest_unsynced_at": "2026-11-24T01:00:00+07:00"}
    body["station_time"] = "2000-01-01T00:00:00Z"  # a station clock far behind
    assert station.post(body).status_code == 200
    stats = station.central.stats()
    assert stats["registrations"] == 3
    by_id = {s["station_id"]: s for s in stats["stations"]}
    idle, busy = by_id["IDLE"], by_id[station.station_id]
    assert idle["registrations"] == 0 and idle["last_seen_at"] is None
    assert busy["registrations"] == 3 and busy["last_seen_at"].endswith("Z")
    assert busy["reported_backlog"] == {"pending": 17, "oldest_unsynced_at": "2026-11-23T18:00:00Z"}
    assert busy["clock_skew_seconds"] < -800_000_000


def test_health_and_openapi(station: Station) -> None:
    health = httpx.get(station.central.url + "/v1/health")
    assert health.status_code == 200 and health.json()["protocol"] == 1
    assert health.json()["protocols"] == [1, 2]
    spec = httpx.get(station.central.url + "/openapi.json").json()
    schemas = spec["components"]["schemas"]
    assert {"BatchRequest", "BatchReply", "EntryResult", "ErrorReply", "Health"} <= set(schemas)
    post = spec["paths"]["/v1/batches"]["post"]
    ref = post["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert ref == "#/components/schemas/BatchRequest"
    assert {"200", "400", "401", "403", "413", "429", "503"} <= set(post["responses"])
    assert uuid.UUID(str(uuid.uuid4()))
