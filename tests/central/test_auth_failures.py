"""Failed authentications: logged (address and reason, never the token) and slowed down per
client address (429 with Retry-After once an address failed too often in a window)."""

from __future__ import annotations

import logging

import httpx
import pytest
from central_support import Station, assert_error_shape, make_batch, results_of

from ektp_station.central.auth import AuthFailures

from factories import make_record
from helpers import wait_until

LIMIT = 3
WINDOW = 1.0


def test_failed_authentications_are_logged_and_throttled_per_address(
    station: Station, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    station.central.state.auth_failures = AuthFailures(LIMIT, WINDOW)
    url = station.central.url + "/v1/batches"
    body = make_batch(station.station_id, [make_record(1)])
    wrong = "W" * 43
    for headers in ({"Authorization": f"Bearer {wrong}"}, {}, {"Authorization": "Basic x"}):
        assert_error_shape(httpx.post(url, json=body, headers=headers, timeout=30), 401)
    throttled = httpx.post(url, json=body, headers={"Authorization": f"Bearer {wrong}"}, timeout=30)
    assert assert_error_shape(throttled, 429)["error"]["code"] == "too_many_auth_failures"
    assert 1 <= int(throttled.headers["Retry-After"]) <= WINDOW + 1
    # The throttle is per address and comes before the token: the right token waits too.
    assert assert_error_shape(station.post(body), 429)["error"]["code"] == (
        "too_many_auth_failures"
    )
    failed = [r for r in caplog.records if "authentication failed" in r.getMessage()]
    assert len(failed) == LIMIT
    assert all(r.levelno == logging.WARNING and "127.0.0.1" in r.getMessage() for r in failed)
    assert wrong not in caplog.text and station.token not in caplog.text
    # Once the window has moved on, the station gets through again.
    wait_until(lambda: station.central.state.auth_failures.retry_after("127.0.0.1") is None)
    assert results_of(station.post(body), body)[0]["status"] == "accepted"


def test_a_good_token_does_not_count_as_a_failure(station: Station) -> None:
    station.central.state.auth_failures = AuthFailures(LIMIT, 60)
    for n in range(LIMIT + 2):
        body = make_batch(station.station_id, [make_record(10 + n)])
        assert results_of(station.post(body), body)[0]["status"] == "accepted"


def test_auth_failures_window_and_bound() -> None:
    now = [0.0]
    failures = AuthFailures(2, 10.0, clock=lambda: now[0])
    assert failures.retry_after("a") is None
    assert failures.record("a") == 1 and failures.retry_after("a") is None
    now[0] = 4.0
    assert failures.record("a") == 2
    assert failures.retry_after("a") == pytest.approx(6.0)
    assert failures.retry_after("b") is None  # another address is not held up
    now[0] = 10.5  # the first failure left the window
    assert failures.retry_after("a") is None
    assert failures.record("a") == 2
    with pytest.raises(ValueError):
        AuthFailures(0, 1.0)
