"""Client input never causes a 5xx: integers and datetimes out of range, datetimes that are
not ISO-8601 strings with an offset, and bodies that are not application/json are refused
with a 4xx in the error shape (real centre on loopback, SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from central_support import Station, assert_error_shape, make_batch, results_of

from ektp_station.sync.protocol import MAX_WIRE_INT

from factories import make_record


def _body(station: Station) -> dict[str, Any]:
    return make_batch(station.station_id, [make_record(1)], protocol=2)


@pytest.mark.parametrize("value", [2**63, 2**31, MAX_WIRE_INT + 1, -1, 1.5, True, "1"])
@pytest.mark.parametrize("where", ["pending", "seq"])
def test_integers_out_of_range_are_400(station: Station, where: str, value: object) -> None:
    body = _body(station)
    if where == "pending":
        body["backlog"]["pending"] = value
    else:
        body["entries"][0]["seq"] = value
    response = station.post(body)
    assert assert_error_shape(response, 400)["error"]["code"] == "invalid_request"
    assert station.central.stats()["registrations"] == 0


def test_largest_integers_are_taken(station: Station) -> None:
    body = _body(station)
    body["backlog"]["pending"] = MAX_WIRE_INT
    body["entries"][0]["seq"] = MAX_WIRE_INT
    assert results_of(station.post(body), body)[0]["status"] == "accepted"
    (info,) = station.central.stats()["stations"]
    assert info["reported_backlog"]["pending"] == MAX_WIRE_INT


BAD_TIMES = [
    0,
    1764000000,
    1.5,
    True,
    None,
    "0001-01-01T00:00:00+07:00",
    "0001-01-01T00:00:00Z",
    "9999-12-31T23:59:59-07:00",
    "9999-12-31T23:59:59Z",
    "1999-12-31T23:59:59Z",
    "2000-01-01T06:59:59+07:00",
    "2100-01-01T00:00:00Z",
    "2026-11-24",
    "2026-11-24T02:30:00",
    "2026-11-24 02:30:00Z",
    "20261124T023000Z",
    "2026-11-24T02:30:00.1234567Z",
    "2026-11-24T02:30:00+24:00",
    "2026-13-24T02:30:00Z",
]


@pytest.mark.parametrize("value", BAD_TIMES)
@pytest.mark.parametrize("where", ["captured_at", "station_time", "oldest_unsynced_at"])
def test_datetimes_not_iso_with_offset_or_out_of_range_are_400(
    station: Station, where: str, value: object
) -> None:
    body = _body(station)
    if where == "captured_at":
        body["entries"][0]["captured_at"] = value
    elif where == "station_time":
        body["station_time"] = value
    else:
        if value is None:
            return  # optional: null is "nothing waiting"
        body["backlog"]["oldest_unsynced_at"] = value
    response = station.post(body)
    assert assert_error_shape(response, 400)["error"]["code"] == "invalid_request"
    assert station.central.stats()["registrations"] == 0


@pytest.mark.parametrize(
    "value",
    ["2000-01-01T00:00:00Z", "2099-12-31T23:59:59.999999Z", "2026-11-24T09:30:00+07:00"],
)
def test_datetimes_at_the_bounds_are_taken(station: Station, value: str) -> None:
    body = _body(station)
    body["entries"][0]["captured_at"] = value
    body["station_time"] = value
    body["backlog"]["oldest_unsynced_at"] = value
    assert results_of(station.post(body), body)[0]["status"] == "accepted"


@pytest.mark.parametrize(
    "content_type",
    [None, "text/plain", "application/x-www-form-urlencoded", "multipart/form-data", "json"],
)
def test_body_that_is_not_application_json_is_415(
    station: Station, content_type: str | None
) -> None:
    body = json.dumps(_body(station)).encode()
    headers = {**station.headers}
    if content_type is not None:
        headers["Content-Type"] = content_type
    response = httpx.post(
        station.central.url + "/v1/batches", content=body, headers=headers, timeout=30
    )
    assert assert_error_shape(response, 415)["error"]["code"] == "unsupported_media_type"
    assert station.central.stats()["registrations"] == 0


@pytest.mark.parametrize(
    "content_type", ["application/json", "application/json; charset=utf-8", "Application/JSON"]
)
def test_application_json_with_parameters_is_taken(station: Station, content_type: str) -> None:
    body = _body(station)
    response = station.post(json.dumps(body).encode(), headers={"Content-Type": content_type})
    assert results_of(response, body)[0]["status"] == "accepted"
