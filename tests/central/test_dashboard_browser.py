"""The dashboard in a real browser (Debian's chromium, driven by Playwright) while real
stations deliver through the fault proxy: a supervisor logs in, watches the counts change
without reloading, and sees the station whose link went away marked silent."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from ektp_station.central import CentralServer
from ektp_station.central.db import CentralDB
from ektp_station.central.supervisors import Supervisors
from ektp_station.devtools.faultproxy import FaultProxy
from ektp_station.store import Queue, State
from ektp_station.store.db import writing
from ektp_station.sync.client import CentralClient
from ektp_station.sync.engine import SyncEngine

from factories import TODAY, many_records
from helpers import wait_until
from sync_support import FAST

CHROMIUM = os.environ.get("EKTP_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--headless=new",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "pengawas-kecamatan"
SILENT_AFTER = 4.0

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        shutil.which(CHROMIUM) is None and not os.environ.get("CI"),
        reason=f"no chromium at {CHROMIUM} (CI installs Debian's chromium)",
    ),
]


@pytest.fixture
def page(tmp_path: Path) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="id-ID")
        try:
            yield context.new_page()
        finally:
            context.close()
            browser.close()


class Counter:
    """One station: its own encrypted queue and engine, syncing through its own proxy."""

    def __init__(self, central: CentralServer, folder: Path, station_id: str, start: int, n: int):
        self.station_id = station_id
        self.queue = Queue.open(folder)
        with writing(self.queue.engine) as conn:
            for record in many_records(n, start=start):
                self.queue.enqueue_in(conn, record, operator="SITI", station_id=station_id)
        self.proxy = FaultProxy.for_url(central.url, seed=start).start()
        self.proxy.set_mode("down")
        client = CentralClient(self.proxy.url, central.add_station(station_id), timeout=2.0)
        config = replace(FAST, heartbeat_interval=0.5)
        self.engine = SyncEngine(self.queue, client, station_id, config=config)

    def close(self) -> None:
        self.engine.stop()
        self.engine.client.close()
        self.proxy.stop()
        self.queue.close()


def test_a_supervisor_watches_stations_deliver_and_sees_the_silent_one(
    tmp_path: Path, page: object
) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    server = CentralServer(
        f"sqlite:///{tmp_path / 'central.sqlite3'}", today=lambda: TODAY, silent_after=SILENT_AFTER
    )
    with server as central:
        db = CentralDB(central.db_url)
        Supervisors(db).add("kasi-pelayanan", PASSWORD)
        db.dispose()
        a = Counter(central, tmp_path / "a", "DPK-SUKMAJAYA-01", 1, 30)
        b = Counter(central, tmp_path / "b", "DPK-HARJAMUKTI-01", 5000, 20)
        try:
            for counter in (a, b):
                counter.engine.start()

            page.goto(central.url + "/dashboard")
            expect(page).to_have_url(central.url + "/dashboard/login")
            page.fill("#name", "kasi-pelayanan")
            page.fill("#password", "salah-kata-sandi")
            page.click("#login")
            expect(page.locator("#login-message")).to_have_text("Nama atau kata sandi salah.")
            page.fill("#name", "kasi-pelayanan")
            page.fill("#password", PASSWORD)
            page.click("#login")
            expect(page).to_have_url(central.url + "/dashboard")
            expect(page.locator("#total-stations")).to_have_text("2")
            expect(page.locator("#total-registrations")).to_have_text("0")
            page.evaluate("window.__notReloaded = true")

            # the first counter's link comes back: its 30 arrive, the page follows by itself
            a.proxy.set_mode("up")
            wait_until(lambda: a.queue.count(State.SYNCED) == 30, timeout=60)
            expect(page.locator("#total-registrations")).to_have_text("30", timeout=20_000)
            row_a = page.locator('tr[data-station="DPK-SUKMAJAYA-01"]')
            expect(row_a.locator("td.backlog")).to_have_text("0", timeout=20_000)
            expect(row_a).not_to_have_class("station silent")

            # the second delivers, then its link goes away and it falls silent
            b.proxy.set_mode("up")
            wait_until(lambda: b.queue.count(State.SYNCED) == 20, timeout=60)
            expect(page.locator("#total-registrations")).to_have_text("50", timeout=20_000)
            b.proxy.set_mode("down")
            row_b = page.locator('tr[data-station="DPK-HARJAMUKTI-01"]')
            expect(row_b).to_have_class("station silent", timeout=30_000)
            expect(row_b.locator(".badge")).to_have_text("SENYAP")
            expect(page.locator("#total-silent")).to_have_text("1")
            expect(row_a).to_have_class("station")  # still heard from
            assert page.evaluate("window.__notReloaded === true")  # refreshed in place

            shot = tmp_path / "dashboard.png"
            page.screenshot(path=str(shot), full_page=True)
            assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000

            page.click("#logout")
            expect(page).to_have_url(central.url + "/dashboard/login")
            page.goto(central.url + "/dashboard")
            expect(page).to_have_url(central.url + "/dashboard/login")
        finally:
            a.close()
            b.close()
