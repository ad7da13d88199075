"""Screenshots of the district's dashboard for the docs, from a real centre and real stations.

    .venv/bin/python tools/dashboard_screenshots.py docs/screenshots

A reference centre on loopback (SQLite in a temporary folder) and four stations, each with
its own encrypted queue and sync engine behind its own fault proxy, record fictional
residents of Kota Depok: two deliver as they record, one delivers and then loses its link
(marked silent), one has been down since it started. Two stations record the same
resident, so the centre answers one "NIK already recorded". Debian's chromium (Playwright)
logs in as a supervisor and saves ``web-login.png``, ``web-dashboard.png`` (Indonesian)
and ``web-dashboard-en.png`` (English). No real person's data.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from dataclasses import replace
from pathlib import Path

from ektp_station.central.db import CentralDB
from ektp_station.central.runner import CentralServer
from ektp_station.central.supervisors import Supervisors
from ektp_station.devtools.faultproxy import FaultProxy
from ektp_station.devtools.residents import resident
from ektp_station.store import Queue, State
from ektp_station.sync.client import CentralClient
from ektp_station.sync.engine import EngineConfig, SyncEngine

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--headless=new",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "pengawas-kecamatan"  # noqa: S105  (a throwaway account in a temporary centre)
CONFIG = replace(
    EngineConfig(),
    probe_interval=0.5,
    idle_poll=0.2,
    idle_probe=1.0,
    backoff_initial=0.2,
    backoff_max=1.0,
    heartbeat_interval=2.0,
)


def wait_until(condition: object, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    pause = threading.Event()
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise TimeoutError("the stations did not get there in time")
        pause.wait(0.1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    out = parser.parse_args().out
    out.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("EKTP_KEYRING", "0")
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="ektp-dash-shots-") as tmp:
        folder = Path(tmp)
        os.environ["EKTP_KEY_DIR"] = str(folder / "keys")
        url = f"sqlite:///{folder / 'central.sqlite3'}"
        with CentralServer(url, silent_after=20) as central:
            db = CentralDB(url)
            Supervisors(db).add("kasi-pelayanan", PASSWORD)
            db.dispose()
            plan = {  # station: (first resident, how many, the link)
                "DPK-SUKMAJAYA-01": (0, 18, "up"),
                "DPK-CIMANGGIS-02": (40, 11, "up"),
                "DPK-HARJAMUKTI-01": (80, 14, "then-down"),
                "DPK-BEJI-03": (120, 9, "down"),
            }
            stations = []
            for station_id, (first, count, link) in plan.items():
                queue = Queue.open(folder / station_id)
                proxy = FaultProxy.for_url(central.url, seed=first + 1).start()
                proxy.set_mode("down" if link == "down" else "up")
                client = CentralClient(proxy.url, central.add_station(station_id), timeout=2.0)
                engine = SyncEngine(queue, client, station_id, config=CONFIG)
                stations.append((station_id, first, count, link, queue, proxy, engine))
            for *_rest, engine in stations:
                engine.start()
            # record at a counter's pace (fast-forwarded), the same resident at two stations
            for step in range(18):
                for station_id, first, count, _link, queue, _proxy, engine in stations:
                    if step < count:
                        queue.enqueue(
                            resident(first + step), operator="SITI", station_id=station_id
                        )
                        engine.wake()
                if step == 5:
                    queue = stations[1][4]
                    queue.enqueue(resident(2), operator="RINA", station_id=stations[1][0])
                threading.Event().wait(0.3)
            harja = stations[2]
            wait_until(
                lambda: harja[4].count(State.PENDING) == 0 and harja[4].count(State.SENDING) == 0
            )
            harja[5].set_mode("down")
            for *_head, queue, _proxy, _engine in stations[:2]:
                wait_until(lambda q=queue: q.count(State.PENDING) == 0)
            wait_until(lambda: _silent(central.url, "DPK-HARJAMUKTI-01"), 60)
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
                page = browser.new_page(viewport={"width": 1366, "height": 768})
                page.goto(central.url + "/dashboard/login")
                page.fill("#name", "kasi-pelayanan")
                page.screenshot(path=str(out / "web-login.png"))
                page.fill("#password", PASSWORD)
                page.click("#login")
                page.wait_for_url(central.url + "/dashboard")
                page.screenshot(path=str(out / "web-dashboard.png"), full_page=True)
                page.goto(central.url + "/dashboard?lang=en")
                page.screenshot(path=str(out / "web-dashboard-en.png"), full_page=True)
                page.goto(central.url + "/dashboard?lang=id")
                browser.close()
            for *_rest, queue, proxy, engine in stations:
                engine.stop()
                engine.client.close()
                proxy.stop()
                queue.close()
    print(f"saved in {out}", file=sys.stderr)
    return 0


def _silent(base: str, station_id: str) -> bool:
    import httpx

    with httpx.Client(base_url=base) as client:
        client.post("/v1/dashboard/session", json={"name": "kasi-pelayanan", "password": PASSWORD})
        data = client.get("/v1/dashboard/overview").json()
    return any(s["station_id"] == station_id and s["silent"] for s in data["stations"])


if __name__ == "__main__":
    raise SystemExit(main())
