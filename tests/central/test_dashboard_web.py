"""The supervisors' dashboard over HTTP against the real centre: accounts, sessions, CSRF,
the login throttle, and what the overview says after real batches and heartbeats.

(The page in a real browser: test_dashboard_browser.py.)"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from central_support import Station, make_batch, results_of

from ektp_station.central import CentralServer
from ektp_station.central.dashboard import SESSION_COOKIE
from ektp_station.central.dashboard_texts import TEXTS
from ektp_station.central.db import CentralDB
from ektp_station.central.supervisors import Supervisors, hash_password, verify_password
from ektp_station.devtools.residents import resident

PASSWORD = "kata-sandi-panjang"
TEMPLATES = Path(__file__).parents[2] / "src" / "ektp_station" / "central" / "templates"


@pytest.fixture
def supervisor(central: CentralServer) -> str:
    db = CentralDB(central.db_url)
    try:
        Supervisors(db).add("budi", PASSWORD)
    finally:
        db.dispose()
    return "budi"


@pytest.fixture
def browser(central: CentralServer) -> httpx.Client:
    with httpx.Client(base_url=central.url, timeout=30) as client:
        yield client


def login(client: httpx.Client, name: str = "budi", password: str = PASSWORD) -> httpx.Response:
    return client.post("/v1/dashboard/session", json={"name": name, "password": password})


def overview(client: httpx.Client) -> dict:
    reply = client.get("/v1/dashboard/overview")
    assert reply.status_code == 200, reply.text
    return reply.json()


def station_row(data: dict, station_id: str) -> dict:
    return next(s for s in data["stations"] if s["station_id"] == station_id)


def test_nothing_without_a_session(central: CentralServer, browser: httpx.Client) -> None:
    token = central.add_station("DPK-01")
    assert browser.get("/v1/dashboard/overview").status_code == 401
    assert browser.get("/dashboard/panel").status_code == 401
    page = browser.get("/dashboard")
    assert page.status_code == 303 and page.headers["location"] == "/dashboard/login"
    # a station's token opens nothing here, as a bearer or as the cookie
    bearer = browser.get("/v1/dashboard/overview", headers={"Authorization": f"Bearer {token}"})
    assert bearer.status_code == 401
    browser.cookies.set(SESSION_COOKIE, token)
    assert browser.get("/v1/dashboard/overview").status_code == 401


def test_login_sets_a_strict_httponly_cookie_and_logout_needs_the_csrf_token(
    supervisor: str, browser: httpx.Client
) -> None:
    assert login(browser, password="salah-sekali-ini").status_code == 401
    reply = login(browser)
    assert reply.status_code == 200
    cookie = reply.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=")
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/" in cookie
    csrf = reply.json()["csrf_token"]
    assert overview(browser)["totals"]["stations"] == 0
    # an action without the token, or with another, is refused and changes nothing
    assert browser.delete("/v1/dashboard/session").status_code == 403
    assert browser.delete("/v1/dashboard/session", headers={"X-CSRF-Token": "x"}).status_code == 403
    logout = browser.post("/dashboard/logout", data={"csrf": "not-it"})
    assert logout.status_code == 403
    assert browser.get("/v1/dashboard/overview").status_code == 200
    assert (
        browser.delete("/v1/dashboard/session", headers={"X-CSRF-Token": csrf}).status_code == 204
    )
    assert browser.get("/v1/dashboard/overview").status_code == 401


def test_the_login_form_checks_its_own_csrf_token(supervisor: str, browser: httpx.Client) -> None:
    form = browser.get("/dashboard/login")
    assert form.status_code == 200
    assert "frame-ancestors 'none'" in form.headers["content-security-policy"]
    csrf = re.search(r'name="csrf" value="([^"]+)"', form.text)
    assert csrf
    # a form posted from elsewhere has no matching cookie
    forged = httpx.post(
        f"{browser.base_url}/dashboard/login",
        data={"name": "budi", "password": PASSWORD, "csrf": csrf.group(1)},
    )
    assert forged.status_code == 403 and SESSION_COOKIE not in forged.headers.get("set-cookie", "")
    wrong = browser.post(
        "/dashboard/login",
        data={"name": "budi", "password": "salah-lagi-ya", "csrf": csrf.group(1)},
    )
    assert wrong.status_code == 401 and "Nama atau kata sandi salah." in wrong.text
    csrf = re.search(r'name="csrf" value="([^"]+)"', wrong.text)
    assert csrf
    ok = browser.post(
        "/dashboard/login", data={"name": "budi", "password": PASSWORD, "csrf": csrf.group(1)}
    )
    assert ok.status_code == 303 and ok.headers["location"] == "/dashboard"
    page = browser.get("/dashboard")
    assert page.status_code == 200 and "budi" in page.text


def test_failed_logins_are_slowed_down_per_name_and_per_address(  # 5 a name, 20 an address
    supervisor: str, browser: httpx.Client
) -> None:
    for _ in range(5):
        assert login(browser, password="tebak-tebakan").status_code == 401
    refused = login(browser)  # the right password, but only after the wait
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["retry-after"]) <= 15 * 60 + 1
    assert refused.json()["error"]["code"] == "too_many_login_failures"
    # the same address may still try other names (colleagues behind one NAT)...
    for n in range(15):
        assert login(browser, name=f"nama-{n}", password="tebak-tebakan").status_code == 401
    # ...until it has failed 20 times in the window: then every name waits
    assert login(browser, name="siapa-saja").status_code == 429


def test_a_new_password_ends_the_sessions_and_sessions_expire(
    central: CentralServer, supervisor: str, browser: httpx.Client
) -> None:
    assert login(browser).status_code == 200
    db = CentralDB(central.db_url)
    try:
        Supervisors(db).add("budi", "yang-baru-lagi-ya")
        assert browser.get("/v1/dashboard/overview").status_code == 401
        # an idle session ends on its own
        short = Supervisors(db, idle=timedelta(seconds=0))
        made = short.login("budi", "yang-baru-lagi-ya", "127.0.0.1")
        assert made is not None
        assert short.session(made[1]) is None
        assert Supervisors(db).session(made[1]) is None  # and is gone for good
    finally:
        db.dispose()


def test_passwords_are_stored_as_slow_salted_hashes() -> None:
    one, two = hash_password(PASSWORD), hash_password(PASSWORD)
    assert one != two and PASSWORD not in one and one.startswith("scrypt$32768$8$1$")
    assert verify_password(PASSWORD, one) and not verify_password(PASSWORD + "x", one)
    assert not verify_password(PASSWORD, "garbage") and not verify_password(PASSWORD, "")


def test_overview_counts_what_stations_deliver_today_and_whom_it_has_not_heard(
    central: CentralServer, supervisor: str, browser: httpx.Client
) -> None:
    a = Station("DPK-01", central.add_station("DPK-01"), central)
    central.add_station("DPK-02")  # registered, never heard from
    assert login(browser).status_code == 200
    now = datetime.now(UTC)
    records = [resident(n) for n in range(3)]
    body = make_batch(a.station_id, records, captured_at=now)
    body["backlog"] = {"pending": 7, "oldest_unsynced_at": body["entries"][0]["captured_at"]}
    assert [r["status"] for r in results_of(a.post(body), body)] == ["accepted"] * 3
    old = make_batch(a.station_id, [resident(3)], captured_at=now - timedelta(days=3))
    results_of(a.post(old), old)

    data = overview(browser)
    row = station_row(data, "DPK-01")
    assert row["registrations"] == 4 and row["registrations_today"] == 3
    assert row["silent"] is False and row["reported_backlog"]["pending"] == 1  # the last batch's
    assert [p[1] for p in row["backlog_today"]] == [1]  # one minute, its last report
    assert station_row(data, "DPK-02")["silent"] is True
    assert data["totals"] == {
        "stations": 2,
        "silent": 1,
        "backlog": 1,
        "registrations": 4,
        "registrations_today": 3,
    }
    places = {
        kel["code"]: kel["count"] for kec in data["today"]["kecamatan"] for kel in kec["kelurahan"]
    }
    expected: dict[str, int] = {}
    for record in records:
        expected[record["kelurahan_code"]] = expected.get(record["kelurahan_code"], 0) + 1
    assert places == expected
    assert all(kec["name"] for kec in data["today"]["kecamatan"])

    # the heartbeat after the last batch makes the backlog current
    beat = {
        "protocol": 2,
        "station_id": a.station_id,
        "station_time": now.isoformat(),
        "backlog": {"pending": 0, "oldest_unsynced_at": None},
    }
    reply = httpx.post(f"{central.url}/v1/heartbeat", json=beat, headers=a.headers)
    assert reply.status_code == 200, reply.text
    row = station_row(overview(browser), "DPK-01")
    assert row["reported_backlog"]["pending"] == 0 and [p[1] for p in row["backlog_today"]] == [0]
    # nothing personal in the supervisors' picture
    text = browser.get("/v1/dashboard/overview").text + browser.get("/dashboard").text
    for record in records:
        assert record["nik"] not in text and record["full_name"] not in text


def test_the_dashboard_answers_garbage_with_4xx(supervisor: str, browser: httpx.Client) -> None:
    bad = [
        browser.post(
            "/v1/dashboard/session",
            content=b"\xff\xfe{",
            headers={"Content-Type": "application/json"},
        ),
        browser.post("/v1/dashboard/session", json={"name": "budi"}),
        browser.post("/v1/dashboard/session", json=[1, 2]),
        browser.post("/v1/dashboard/session", data={"name": "budi", "password": PASSWORD}),
        browser.post(
            "/v1/dashboard/session",
            content=b"x" * 100_000,
            headers={"Content-Type": "application/json"},
        ),
        browser.post(
            "/dashboard/login",
            content=b"%%%&&&==" * 10,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        ),
        browser.post("/dashboard/login", content=b"\xff" * 50),
        browser.post("/dashboard/logout", content=b"a=" + b"b" * 10_000),
        browser.get("/dashboard/static/../../db.py"),
        browser.get("/dashboard/static/nothing.js"),
        browser.get("/dashboard?lang=" + "x" * 5000),
    ]
    for reply in bad:
        assert 300 <= reply.status_code < 500, (reply.request.url, reply.status_code, reply.text)


def test_every_text_the_pages_use_exists_in_both_languages() -> None:
    used = set()
    for template in TEMPLATES.glob("*.html"):
        used |= set(re.findall(r"""\bt\(\s*["']([a-z_]+)["']""", template.read_text()))
    assert used and used <= set(TEXTS), sorted(used - set(TEXTS))
    assert {"duplicate", "adjudication"} <= set(TEXTS)  # statuses shown through t(status)
    for key, (indonesian, english) in TEXTS.items():
        assert indonesian and english, key


def test_the_page_speaks_english_when_asked(supervisor: str, browser: httpx.Client) -> None:
    assert login(browser).status_code == 200
    assert "Stasiun perekaman" in browser.get("/dashboard").text
    english = browser.get("/dashboard?lang=en")
    assert "Recording stations" in english.text and 'lang="en"' in english.text
    assert "Recording stations" in browser.get("/dashboard").text  # remembered
    assert "Stasiun perekaman" in browser.get("/dashboard?lang=id").text


def test_the_api_is_in_the_openapi_description(browser: httpx.Client) -> None:
    paths = browser.get("/openapi.json").json()["paths"]
    assert {"post", "delete"} <= set(paths["/v1/dashboard/session"])
    assert "get" in paths["/v1/dashboard/overview"]
    assert "/dashboard" not in paths  # the pages are not API


def test_accounts_refuse_bad_names_and_short_passwords(central: CentralServer) -> None:
    db = CentralDB(central.db_url)
    try:
        accounts = Supervisors(db)
        for name, password in (("", PASSWORD), (" budi", PASSWORD), ("budi", "pendek")):
            with pytest.raises(ValueError):
                accounts.add(name, password)
        assert accounts.add("siti", PASSWORD) is False
        assert accounts.add("siti", PASSWORD + "!") is True
        assert accounts.names() == ["siti"]
        assert accounts.remove("siti") and not accounts.remove("siti")
    finally:
        db.dispose()


def test_an_unknown_name_costs_as_long_as_a_wrong_password(central: CentralServer) -> None:
    """No timing here: both paths verify one scrypt hash (counted, not timed)."""
    import ektp_station.central.supervisors as module

    calls: list[str] = []
    real = module.verify_password

    def counting(password: str, stored: str) -> bool:
        calls.append(stored[:6])
        return real(password, stored)

    db = CentralDB(central.db_url)
    try:
        accounts = Supervisors(db)
        accounts.add("budi", PASSWORD)
        module.verify_password = counting
        try:
            assert accounts.login("nobody-" + uuid.uuid4().hex[:6], PASSWORD, "a") is None
            assert accounts.login("budi", "salah-sekali-ya", "b") is None
        finally:
            module.verify_password = real
    finally:
        db.dispose()
    assert calls == ["scrypt", "scrypt"]
