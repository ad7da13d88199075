"""The station-side parsers and the shared models of ektp_station.sync.protocol."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from conftest import make_batch
from ektp_station.sync import protocol as p
from ektp_station.sync.protocol import (
    BatchReply,
    BatchRequest,
    NotProtocolJSON,
    ProtocolError,
    ProtocolVersionError,
    ResultsMismatch,
    WireError,
    content_hash,
    parse_batch_reply,
    parse_error_reply,
    parse_health,
    parse_retry_after,
)

from factories import make_record

JSON = "application/json"
IDS = [str(uuid.uuid4()) for _ in range(3)]


def reply(ids: list[str], **changes: object) -> bytes:
    body = {
        "protocol": 1,
        "server_time": "2026-11-24T03:00:00Z",
        "results": [
            {"entry_id": i, "status": "accepted", "reference": f"DPK-{n}"}
            for n, i in enumerate(ids)
        ],
    }
    body.update(changes)
    return json.dumps(body).encode()


def test_all_lists_every_public_name() -> None:
    defined = {
        name
        for name, value in vars(p).items()
        if not name.startswith("_") and getattr(value, "__module__", None) == p.__name__
    }
    assert defined <= set(p.__all__)
    assert all(hasattr(p, name) for name in p.__all__)


def test_exception_tree() -> None:
    for exc in (NotProtocolJSON, ProtocolVersionError, ResultsMismatch):
        assert issubclass(exc, ProtocolError)
    assert issubclass(ProtocolError, WireError)


def test_good_reply_parses_in_any_order_and_case() -> None:
    got = parse_batch_reply(
        reply(IDS[::-1]), "application/json; charset=utf-8", [i.upper() for i in IDS]
    )
    assert isinstance(got, BatchReply)
    assert {r.entry_id for r in got.results} == set(IDS)
    assert got.server_time == datetime(2026, 11, 24, 3, tzinfo=UTC)


@pytest.mark.parametrize(
    ("body", "content_type", "error"),
    [
        (b"<html><body>Login Wi-Fi</body></html>", "text/html", NotProtocolJSON),
        (b"<html>", JSON, NotProtocolJSON),
        (reply(IDS)[:40], JSON, NotProtocolJSON),
        (reply(IDS), None, NotProtocolJSON),
        (b"[]", JSON, NotProtocolJSON),
        (reply(IDS, protocol=2), JSON, ProtocolVersionError),
        (reply(IDS, protocol=True), JSON, ProtocolVersionError),
        (reply(IDS[:2]), JSON, ResultsMismatch),
        (reply([*IDS, str(uuid.uuid4())]), JSON, ResultsMismatch),
        (reply([*IDS[:2], IDS[0]]), JSON, ResultsMismatch),
        (reply([*IDS, IDS[0]]), JSON, ResultsMismatch),
        (reply(IDS, results="nope"), JSON, NotProtocolJSON),
        (reply(IDS, server_time="2026-11-24T03:00:00"), JSON, NotProtocolJSON),
    ],
)
def test_bad_replies_raise_protocol_error(
    body: bytes, content_type: str | None, error: type
) -> None:
    with pytest.raises(error):
        parse_batch_reply(body, content_type, IDS)


def test_inconsistent_results_are_protocol_errors() -> None:
    bad = [
        {"entry_id": IDS[0], "status": "accepted", "reference": None},
        {"entry_id": IDS[0], "status": "conflict"},
        {"entry_id": IDS[0], "status": "rejected", "errors": []},
        {"entry_id": IDS[0], "status": "lost"},
    ]
    for result in bad:
        with pytest.raises(NotProtocolJSON):
            parse_batch_reply(reply(IDS[:1], results=[result]), JSON, IDS[:1])


def test_health_and_error_replies() -> None:
    health = parse_health(
        b'{"protocol":1,"status":"ok","server_time":"2026-11-24T03:00:00Z"}', JSON
    )
    assert health.status == "ok"
    with pytest.raises(ProtocolError):
        parse_health(b"<html>portal</html>", "text/html")
    err = parse_error_reply(b'{"protocol":1,"error":{"code":"x","message":"y"}}', JSON)
    assert err is not None and err.error.code == "x"
    assert parse_error_reply(b"Service Unavailable", "text/plain") is None


def test_retry_after() -> None:
    now = datetime(2026, 11, 24, 3, 0, 0, tzinfo=UTC)
    assert parse_retry_after(None) is None
    assert parse_retry_after("") is None
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after(" 1.5 ") == 1.5
    assert parse_retry_after("-3") == 0.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after("nan") is None
    assert parse_retry_after("Tue, 24 Nov 2026 03:00:30 GMT", now=now) == 30.0
    assert parse_retry_after("Tue, 24 Nov 2026 02:00:00 GMT", now=now) == 0.0


def test_request_model_is_strict_where_it_matters() -> None:
    good = make_batch("S", [make_record(1)])
    batch = BatchRequest.model_validate(good)
    assert batch.entries[0].captured_at.tzinfo is UTC
    wib = dict(good, station_time="2026-11-24T10:00:00+07:00")
    assert BatchRequest.model_validate(wib).station_time == datetime(2026, 11, 24, 3, tzinfo=UTC)
    for key, value in [
        ("station_time", "2026-11-24T10:00:00"),
        ("protocol", 1.0),
        ("station_id", 5),
    ]:
        with pytest.raises(ValidationError):
            BatchRequest.model_validate(dict(good, **{key: value}))
    roundtrip = BatchRequest.model_validate_json(batch.model_dump_json())
    assert roundtrip == batch


def test_content_hash_follows_normalisation_and_identity() -> None:
    at = datetime(2026, 11, 24, 2, 30, tzinfo=UTC)
    record = make_record(1)
    base = content_hash(station_id="S", operator="op", captured_at=at, record=record)
    same = content_hash(
        station_id="S",
        operator="op",
        captured_at=at.astimezone(__import__("zoneinfo").ZoneInfo("Asia/Jakarta")),
        record={**record, "full_name": " budi santoso", "unknown_key": "x"},
    )
    assert base == same and len(base) == 64
    for change in [
        {"station_id": "T"},
        {"operator": "op2"},
        {"captured_at": at + timedelta(microseconds=1)},
        {"record": {**record, "rt": "004"}},
    ]:
        args = {"station_id": "S", "operator": "op", "captured_at": at, "record": record, **change}
        assert content_hash(**args) != base  # type: ignore[arg-type]
