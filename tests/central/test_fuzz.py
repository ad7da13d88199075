"""Hypothesis-made bodies against /v1/batches: never a 5xx, always the error JSON shape, and a
200 always in the request's protocol version."""

from __future__ import annotations

import copy
import json
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import httpx
import pytest
from central_support import assert_error_shape, make_batch, results_of
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ektp_station.central import CentralServer
from ektp_station.sync.protocol import (
    MAX_WIRE_INT,
    MAX_WIRE_TIME,
    MIN_WIRE_TIME,
    PROTOCOL_VERSION,
)

from factories import TODAY, make_record, many_records

STATION = "FUZZ-1"
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=20,
)


@pytest.fixture(scope="module")
def fuzz_target(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[CentralServer, str, httpx.Client]]:
    path: Path = tmp_path_factory.mktemp("fuzz") / "central.sqlite3"
    with (
        CentralServer(f"sqlite:///{path}", today=lambda: TODAY) as server,
        httpx.Client(base_url=server.url, timeout=30) as client,
    ):
        token = server.add_station(STATION)
        yield server, token, client


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(value, dict):
        for key, child in value.items():
            out += _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for i, child in enumerate(value):
            out += _paths(child, (*prefix, i))
    return out


revisions = st.none() | st.lists(st.integers(1, 4), min_size=2, max_size=2)


@st.composite
def near_misses(draw: st.DrawFn) -> bytes:
    body = make_batch(
        STATION,
        many_records(2, start=draw(st.integers(1, 5000))),
        protocol=draw(st.sampled_from([1, 2])),
        revisions=draw(revisions),
    )
    for _ in range(draw(st.integers(1, 3))):
        paths = [p for p in _paths(body) if p]
        path = draw(st.sampled_from(paths))
        parent: Any = body
        for key in path[:-1]:
            parent = parent[key]
        action = draw(st.sampled_from(["replace", "delete", "duplicate"]))
        if action == "delete":
            del parent[path[-1]]
        elif action == "duplicate" and isinstance(parent, list):
            parent.append(copy.deepcopy(parent[path[-1]]))
        else:
            parent[path[-1]] = draw(json_values)
    return json.dumps(body).encode()


def _check(response: httpx.Response, body: bytes) -> None:
    assert response.status_code < 500, response.text
    if response.status_code == 200:
        sent = json.loads(body)
        assert response.json()["protocol"] == sent.get("protocol", PROTOCOL_VERSION)  # absent: 2
    else:
        assert_error_shape(response)


# A few entry ids, NIKs and contents, so that valid bodies keep hitting every ingest path:
# new entries, repeats, corrections (also changing the NIK), late and conflicting revisions.
POOL_IDS = [str(uuid.UUID(int=0xF022 << 64 | n)) for n in range(4)]
POOL_RECORDS = [
    make_record(9000 + nik, address=address, full_name=name)
    for nik in range(3)
    for address in ("JL. MERDEKA NO. 10", "JL. LAIN NO. 2")
    for name in ("BUDI SANTOSO", "")  # "" is invalid: required
]


@st.composite
def valid_bodies(draw: st.DrawFn) -> dict[str, Any]:
    ids = draw(st.lists(st.sampled_from(POOL_IDS), min_size=1, max_size=4, unique=True))
    records = [draw(st.sampled_from(POOL_RECORDS)) for _ in ids]
    protocol = draw(st.sampled_from([1, 2]))
    revs = [draw(st.integers(1, 4)) for _ in ids]
    return make_batch(STATION, records, ids, protocol=protocol, revisions=revs)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=near_misses())
def test_near_miss_bodies(
    fuzz_target: tuple[CentralServer, str, httpx.Client], body: bytes
) -> None:
    _server, token, client = fuzz_target
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    _check(client.post("/v1/batches", content=body, headers=headers), body)


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=valid_bodies())
def test_valid_bodies_with_revisions(
    fuzz_target: tuple[CentralServer, str, httpx.Client], body: dict[str, Any]
) -> None:
    _server, token, client = fuzz_target
    headers = {"Authorization": f"Bearer {token}"}
    results = results_of(client.post("/v1/batches", json=body, headers=headers), body)
    sent = {e["entry_id"]: e["revision"] for e in body["entries"]}
    for result in results:
        if body["protocol"] == 2 and result["status"] == "accepted":
            assert result["revision"] == sent[result["entry_id"]]
        elif body["protocol"] == 2 and result["status"] == "already_accepted":
            assert result["revision"] >= sent[result["entry_id"]]
        else:
            assert result["revision"] is None


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=st.one_of(st.binary(max_size=300), json_values.map(lambda v: json.dumps(v).encode())))
def test_random_bodies(fuzz_target: tuple[CentralServer, str, httpx.Client], body: bytes) -> None:
    _server, token, client = fuzz_target
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    response = client.post("/v1/batches", content=body, headers=headers)
    assert_error_shape(response, 400)


# Where the wire has datetimes and bounded integers: any datetime of any year with any offset
# (spelled in several ways, or as a number), any integer, must be a 200 or a 400, never a 5xx.
offsets = st.integers(-(23 * 60 + 59), 23 * 60 + 59).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)
any_datetime = st.datetimes(
    min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=offsets
)
time_values = st.one_of(
    any_datetime.map(lambda d: d.isoformat()),
    any_datetime.map(lambda d: d.isoformat().replace("+00:00", "Z")),
    any_datetime.map(lambda d: d.replace(tzinfo=None).isoformat()),
    any_datetime.map(lambda d: d.isoformat(sep=" ")),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=40),
)
int_values = st.one_of(
    st.integers(-(2**70), 2**70),
    st.sampled_from([0, 2**31 - 1, 2**31, 2**63 - 1, 2**63, 2**64]),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
)


@st.composite
def bounded_field_bodies(draw: st.DrawFn) -> bytes:
    body = make_batch(
        STATION,
        many_records(1, start=draw(st.integers(5001, 9000))),
        protocol=draw(st.sampled_from([1, 2])),
    )
    entry = body["entries"][0]
    for key, holder in (
        ("station_time", body),
        ("oldest_unsynced_at", body["backlog"]),
        ("captured_at", entry),
    ):
        if draw(st.booleans()):
            holder[key] = draw(time_values)
    for key, holder in (("pending", body["backlog"]), ("seq", entry)):
        if draw(st.booleans()):
            holder[key] = draw(int_values)
    return json.dumps(body).encode()


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=bounded_field_bodies())
def test_datetimes_and_integers_of_any_range(
    fuzz_target: tuple[CentralServer, str, httpx.Client], body: bytes
) -> None:
    _server, token, client = fuzz_target
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    response = client.post("/v1/batches", content=body, headers=headers)
    _check(response, body)
    if response.status_code == 200:  # what was taken lies within the wire's bounds
        sent = json.loads(body)
        assert 0 <= sent["backlog"]["pending"] <= MAX_WIRE_INT
        assert 0 <= sent["entries"][0]["seq"] <= MAX_WIRE_INT
        for value in (sent["station_time"], sent["entries"][0]["captured_at"]):
            assert isinstance(value, str)
            assert MIN_WIRE_TIME <= datetime.fromisoformat(value) < MAX_WIRE_TIME


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    content_type=st.one_of(
        st.none(),
        st.sampled_from(["text/plain", "application/xml", "application/jsonx", "text/json"]),
        st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=126), max_size=30),
    )
)
def test_content_types_other_than_json_are_415(
    fuzz_target: tuple[CentralServer, str, httpx.Client], content_type: str | None
) -> None:
    _server, token, client = fuzz_target
    body = json.dumps(make_batch(STATION, many_records(1, start=9500))).encode()
    headers = {"Authorization": f"Bearer {token}"}
    if content_type is not None:
        headers["Content-Type"] = content_type
    response = client.post("/v1/batches", content=body, headers=headers)
    media = (content_type or "").partition(";")[0].strip().lower()
    if media == "application/json":
        assert response.status_code == 200, response.text
    else:
        assert_error_shape(response, 415)
