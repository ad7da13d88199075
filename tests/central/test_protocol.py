"""The station-side parsers and the shared models of ektp_station.sync.protocol."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from central_support import make_batch
from pydantic import ValidationError

from ektp_station.sync import protocol as p
from ektp_station.sync.protocol import (
    PROTOCOL_VERSION,
    SUPPORTED_PROTOCOLS,
    BatchEntry,
    BatchReply,
    BatchRequest,
    EntryResult,
    Health,
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
        "protocol": 2,
        "server_time": "2026-11-24T03:00:00Z",
        "results": [
            {"entry_id": i, "status": "accepted", "reference": f"DPK-{n}", "revision": 1}
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
        (reply(IDS, protocol=1), JSON, ProtocolVersionError),  # a v2 station reads v2 only
        (reply(IDS, protocol=3), JSON, ProtocolVersionError),
        (reply(IDS, protocol=2.0), JSON, ProtocolVersionError),
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
        {"entry_id": IDS[0], "status": "accepted", "reference": "DPK-1"},  # no revision (v2)
        {"entry_id": IDS[0], "status": "already_accepted", "reference": "DPK-1", "revision": 0},
        {"entry_id": IDS[0], "status": "accepted", "reference": "DPK-1", "revision": "1"},
    ]
    for result in bad:
        with pytest.raises(NotProtocolJSON):
            parse_batch_reply(reply(IDS[:1], results=[result]), JSON, IDS[:1])


def test_health_and_error_replies() -> None:
    # A centre from before version 2: no "protocols", so it takes version 1 only.
    health = parse_health(
        b'{"protocol":1,"status":"ok","server_time":"2026-11-24T03:00:00Z"}', JSON
    )
    assert health.status == "ok" and health.protocols == [1]
    health = parse_health(
        b'{"protocol":1,"status":"ok","server_time":"2026-11-24T03:00:00Z","protocols":[1,2]}',
        JSON,
    )
    assert health.protocols == [1, 2]
    assert (
        parse_health(
            b'{"protocol":2,"status":"ok","server_time":"2026-11-24T03:00:00Z"}', JSON
        ).protocol
        == 2
    )
    for bad in (b'"protocols":[]', b'"protocols":["2"]', b'"protocol":3'):
        with pytest.raises(ProtocolError):
            parse_health(
                b'{"protocol":1,"status":"ok","server_time":"2026-11-24T03:00:00Z",' + bad + b"}",
                JSON,
            )
    with pytest.raises(ProtocolError):
        parse_health(b"<html>portal</html>", "text/html")
    for version in SUPPORTED_PROTOCOLS:
        body = json.dumps({"protocol": version, "error": {"code": "x", "message": "y"}})
        err = parse_error_reply(body.encode(), JSON)
        assert err is not None and err.error.code == "x"
    assert parse_error_reply(b'{"protocol":3,"error":{"code":"x","message":"y"}}', JSON) is None
    assert parse_error_reply(b"Service Unavailable", "text/plain") is None


def test_protocol_constants() -> None:
    assert PROTOCOL_VERSION == 2
    assert SUPPORTED_PROTOCOLS == (1, 2)
    assert BatchRequest.model_fields["protocol"].default == 2
    # Health and error bodies keep the version-1 shape every station reads.
    assert Health(server_time=datetime.now(UTC)).protocol == 1
    assert p.ErrorReply(error=p.ErrorBody(code="x", message="y")).protocol == 1


def test_request_protocol_is_the_integer_1_or_2() -> None:
    good = make_batch("S", [make_record(1)])
    for version in (1, 2):
        assert BatchRequest.model_validate(dict(good, protocol=version)).protocol == version
    for version in (True, 1.0, 2.0, "2", 0, 3, None):
        with pytest.raises(ValidationError):
            BatchRequest.model_validate(dict(good, protocol=version))
    assert (
        BatchRequest.model_validate({k: v for k, v in good.items() if k != "protocol"}).protocol
        == 2
    )


def test_revision_is_strict_and_bounded_in_version_2() -> None:
    for revision, ok in [
        (1, True),
        (2, True),
        (1_000_000, True),
        (0, False),
        (-1, False),
        (1_000_001, False),
        ("2", False),
        (2.0, False),
        (True, False),
        (None, False),
    ]:
        body = make_batch("S", [make_record(1)], protocol=2, revisions=[revision])
        if ok:
            assert BatchRequest.model_validate(body).entries[0].revision == revision
        else:
            with pytest.raises(ValidationError):
                BatchRequest.model_validate(body)
    # Without the key: revision 1.
    assert (
        BatchRequest.model_validate(make_batch("S", [make_record(1)], protocol=2))
        .entries[0]
        .revision
        == 1
    )


def test_version_1_request_ignores_any_revision() -> None:
    for revision in (7, 0, "x", None, [1]):
        body = make_batch("S", [make_record(1)], protocol=1, revisions=[revision])
        batch = BatchRequest.model_validate_json(json.dumps(body))
        assert batch.entries[0].revision == 1
        assert body["entries"][0]["revision"] == revision  # the input is not changed
    entry = BatchEntry.model_validate(
        dict(make_batch("S", [make_record(1)])["entries"][0], revision=5)
    )
    built = BatchRequest(
        protocol=1,
        station_id="S",
        station_time=datetime.now(UTC),
        backlog=p.Backlog(pending=1),
        entries=[entry],
    )
    assert built.entries[0].revision == 1
    built = BatchRequest(
        station_id="S",
        station_time=datetime.now(UTC),
        backlog=p.Backlog(pending=1),
        entries=[entry],
    )
    assert built.protocol == 2 and built.entries[0].revision == 5


def test_two_revisions_of_one_entry_in_a_batch_are_invalid() -> None:
    entry_id = str(uuid.uuid4())
    body = make_batch(
        "S",
        [make_record(1), make_record(1, rt="009")],
        [entry_id, entry_id],
        protocol=2,
        revisions=[1, 2],
    )
    with pytest.raises(ValidationError, match="unique"):
        BatchRequest.model_validate(body)


def test_version_2_reply_needs_revisions_version_1_does_not() -> None:
    at = datetime(2026, 11, 24, 3, tzinfo=UTC)
    accepted = EntryResult(entry_id=IDS[0], status="accepted", reference="DPK-1")
    assert BatchReply(protocol=1, server_time=at, results=[accepted]).protocol == 1
    with pytest.raises(ValidationError, match="revision"):
        BatchReply(protocol=2, server_time=at, results=[accepted])
    rejected = EntryResult(
        entry_id=IDS[0], status="rejected", errors=[p.FieldError(field="f", code="c", message="m")]
    )
    assert BatchReply(server_time=at, results=[rejected]).protocol == 2
    got = parse_batch_reply(reply(IDS[:1], results=[{"entry_id": IDS[0], "status": "accepted",
                                                      "reference": "DPK-1", "revision": 4}]),
                            JSON, IDS[:1])  # fmt: skip
    assert got.results[0].revision == 4


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
        ("protocol", 3),
        ("station_id", 5),
    ]:
        with pytest.raises(ValidationError):
            BatchRequest.model_validate(dict(good, **{key: value}))
    roundtrip = BatchRequest.model_validate_json(batch.model_dump_json())
    assert roundtrip == batch
    v2 = BatchRequest.model_validate(make_batch("S", [make_record(1)], protocol=2, revisions=[3]))
    assert BatchRequest.model_validate_json(v2.model_dump_json()) == v2
    assert json.loads(v2.model_dump_json())["entries"][0]["revision"] == 3


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


def test_version_2_station_meeting_an_old_centre_gets_protocol_unsupported() -> None:
    """What a centre from before version 2 answers a version-2 batch (its own error body)."""
    import httpx

    from ektp_station.errors import BadRequest, ProtocolUnsupported, RefusedError
    from ektp_station.sync.client import CentralClient

    def old_centre(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/health":
            return httpx.Response(
                200, json={"protocol": 1, "status": "ok", "server_time": "2026-11-24T03:00:00Z"}
            )
        body = {"protocol": 1, "error": {"code": "unsupported_protocol", "message": "harus 1"}}
        return httpx.Response(400, json=body)

    batch = BatchRequest.model_validate(make_batch("S", [make_record(1)], protocol=2))
    with CentralClient("http://old", "t", transport=httpx.MockTransport(old_centre)) as client:
        assert client.probe().protocols == [1]
        with pytest.raises(ProtocolUnsupported) as caught:
            client.send_batch(batch)
    assert isinstance(caught.value, RefusedError) and not isinstance(caught.value, BadRequest)
    assert "unsupported_protocol" in str(caught.value)

    def other_400(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            400, json={"protocol": 1, "error": {"code": "bad_json", "message": "x"}}
        )

    with CentralClient("http://c", "t", transport=httpx.MockTransport(other_400)) as client:
        with pytest.raises(BadRequest):
            client.send_batch(batch)
