"""The replay's machinery: the reference centre on loopback, and per station a fault proxy, a
real :class:`~ektp_station.station.Station` (its own encrypted queue in its own folder, its
key in a folder beside it, its sync engine with the counter's defaults) and an operator at the
counter saving residents through the station's capture — the window's save.

Everything lives in one throwaway folder. The link is cut far from the counter (the
kelurahan's uplink), so no station is told of a network change: each engine finds the link
down and back by itself, as at Harjamukti.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

from ..central.db import CentralDB, registrations
from ..central.runner import CentralServer
from ..central.supervisors import Supervisors
from ..devtools.faultproxy import FaultProxy
from ..errors import EktpError
from ..logs import log_unexpected
from ..paths import AppPaths
from ..settings import DEFAULT_CITY, Settings
from ..station import Actor, Station
from ..store.keys import KeyStore
from ..timeutil import utc_now
from .weekend_checks import DELIVERY_GRACE, SETTLE, StationView
from .weekend_plan import Plan, StationPlan, weekend_resident

__all__ = ["Clock", "Counter", "DashboardOverview", "Rig", "Save"]

log = logging.getLogger(__name__)


class Clock:
    """Seconds of the replay, and the wall-clock moment it started."""

    def __init__(self) -> None:
        self.t0 = time.monotonic()
        self.wall0 = utc_now()

    def now(self) -> float:
        return time.monotonic() - self.t0

    def seconds_of(self, moment: datetime) -> float:
        return (moment - self.wall0).total_seconds()


@dataclass(frozen=True, slots=True)
class Save:
    at: float  # seconds of the replay when the save returned
    ms: float  # how long the station's save took
    down: bool  # the link was down when it began


@dataclass
class _Saved:
    ids: list[str] = field(default_factory=list)  # entry ids, in the order saved
    at: list[float] = field(default_factory=list)  # replay seconds each save returned
    wall: list[datetime] = field(default_factory=list)  # the same, on the wall clock
    niks: dict[str, str] = field(default_factory=dict)  # NIK -> entry id (never printed)


class Counter:
    """One station of the replay and the operator at its counter (a thread of its own)."""

    def __init__(self, plan: StationPlan, station: Station, proxy: FaultProxy, clock: Clock):
        self.plan = plan
        self.station = station
        self.proxy = proxy
        self.clock = clock
        self.lock = threading.Lock()
        self.started = 0  # saves begun and not failed
        self.saved = _Saved()
        self.saves: list[Save] = []
        self.failures: list[tuple[float, str]] = []  # (replay seconds, kind)
        self.up = True
        self.up_since = 0.0
        self.link_log: list[tuple[float, bool]] = [(0.0, True)]
        #: replay seconds since which the station's status shows nothing unsynced
        self.clear_since: float | None = None
        self.thread = threading.Thread(
            target=self._run, name=f"counter-{plan.station_id}", daemon=True
        )
        self._stop = threading.Event()

    @property
    def station_id(self) -> str:
        return self.plan.station_id

    def set_link(self, up: bool) -> None:
        with self.lock:
            if up == self.up:
                return
            self.proxy.set_mode("up" if up else "down")
            at = self.clock.now()
            self.up = up
            if up:
                self.up_since = at
            self.link_log.append((at, up))

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        for n, arrival in zip(self.plan.residents, self.plan.arrivals, strict=True):
            if self._stop.wait(max(0.0, arrival - self.clock.now())):
                return
            self._save(weekend_resident(n))

    def _save(self, record: dict[str, Any]) -> None:
        with self.lock:
            self.started += 1
            down = not self.up
        began = time.perf_counter()
        try:
            captured = self.station.capture(record, confirmed=True)
        except Exception as exc:  # noqa: BLE001  (counted as a violation, never a traceback)
            if not isinstance(exc, EktpError):
                log_unexpected(exc, None)
            with self.lock:
                self.started -= 1
                self.failures.append((self.clock.now(), type(exc).__name__))
            return
        ms = (time.perf_counter() - began) * 1000
        wall, at = utc_now(), self.clock.now()
        with self.lock:
            saved = self.saved
            saved.ids.append(captured.entry.entry_id)
            saved.at.append(at)
            saved.wall.append(wall)
            saved.niks[str(record["nik"])] = captured.entry.entry_id
            self.saves.append(Save(at, ms, down))

    def saved_count(self) -> int:
        with self.lock:
            return len(self.saved.ids)

    def view(
        self, at: float, before: int, status: Mapping[str, object], held: frozenset[str]
    ) -> StationView:
        """This station's :class:`StationView` from what was read before (``before`` saves
        finished, its ``status``, the entry ids the centre ``held``); read last."""
        with self.lock:
            started = self.started
            saved = self.saved
            ids_after = frozenset(saved.ids)
            up, up_since = self.up, self.up_since
            last_save = saved.at[-1] if saved.at else None
        oldest: datetime | None = None
        waiting = overdue = 0
        for i in range(before):
            if saved.ids[i] in held:
                continue
            waiting += 1
            if oldest is None:
                oldest = saved.wall[i]
            if up and at - max(up_since, saved.at[i]) > DELIVERY_GRACE:
                overdue += 1
        unsynced = status.get("unsynced")
        if unsynced == 0:
            self.clear_since = at if self.clear_since is None else self.clear_since
        else:
            self.clear_since = None
        quiet = (
            up
            and at - up_since >= SETTLE
            and self.clear_since is not None
            and at - self.clear_since >= SETTLE
            and (last_save is None or at - last_save >= SETTLE)
            and started == len(ids_after)
        )
        return StationView(
            station_id=self.station_id,
            at=at,
            saved_before=before,
            status=status,
            at_centre=held,
            started_after=started,
            saved_after=ids_after,
            oldest_waiting=oldest,
            waiting=waiting,
            overdue=overdue,
            quiet=quiet,
        )

    def outages(self, end: float) -> list[tuple[float, float]]:
        """The link's down spells as they were switched: (down at, up at) in replay seconds."""
        spells, down_at = [], None
        with self.lock:
            log_ = list(self.link_log)
        for at, up in log_:
            if not up and down_at is None:
                down_at = at
            elif up and down_at is not None:
                spells.append((down_at, at))
                down_at = None
        if down_at is not None:
            spells.append((down_at, end))
        return spells


class DashboardOverview:
    """The supervisors' dashboard as a supervisor's script reads it: a supervisor account of
    its own, ``POST /v1/dashboard/session``, then ``GET /v1/dashboard/overview`` with the
    session cookie, straight to the centre (the district office's link is not the
    counters'). An answer that is not the overview is ``{"unavailable": status}``."""

    NAME = "PENGAWAS SIMULASI"

    def __init__(self, central_url: str, db_url: str) -> None:
        password = secrets.token_urlsafe(24)
        db = CentralDB(db_url)
        try:
            Supervisors(db).add(self.NAME, password)
        finally:
            db.dispose()
        self._client = httpx.Client(base_url=central_url, timeout=10.0)
        try:
            reply = self._client.post(
                "/v1/dashboard/session", json={"name": self.NAME, "password": password}
            )
            reply.raise_for_status()
        except BaseException:
            self._client.close()
            raise

    def overview(self) -> dict[str, Any]:
        try:
            reply = self._client.get("/v1/dashboard/overview")
            if reply.status_code != 200:
                return {"unavailable": reply.status_code}
            data = reply.json()
        except (httpx.HTTPError, ValueError) as exc:
            return {"unavailable": type(exc).__name__}
        return data if isinstance(data, dict) else {"unavailable": "not_an_object"}

    def close(self) -> None:
        self._client.close()


class Rig:
    """Centre, proxies, stations and counters for ``plan`` under ``root`` (``with``)."""

    def __init__(self, plan: Plan, root: Path) -> None:
        self.plan = plan
        self.root = root
        self.central: CentralServer | None = None
        self.counters: list[Counter] = []
        self.clock = Clock()
        self._db: CentralDB | None = None
        self.dashboard: DashboardOverview | None = None
        self._driver = threading.Thread(target=self._drive_links, name="links", daemon=True)
        self._stop = threading.Event()

    def __enter__(self) -> Rig:
        try:
            self._open()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _open(self) -> None:
        db_url = f"sqlite:///{self.root / 'central' / 'central.sqlite3'}"
        (self.root / "central").mkdir(parents=True, exist_ok=True)
        self.central = CentralServer(db_url).start()
        self._db = CentralDB(db_url)
        self.dashboard = DashboardOverview(self.central.url, db_url)
        keys = KeyStore(self.root / "keys", use_keyring=False)
        for i, station_plan in enumerate(self.plan.stations):
            proxy = FaultProxy.for_url(self.central.url, seed=self.plan.seed + i).start()
            sid = station_plan.station_id
            settings = Settings(
                station_id=sid,
                central_url=proxy.url,
                token=self.central.add_station(sid),
                city_code=DEFAULT_CITY,
            )
            try:
                station = Station.open(
                    AppPaths.resolve(self.root / sid), settings=settings, keys=keys
                )
            except BaseException:
                proxy.stop()
                raise
            station.act_as(Actor.operator(f"OPERATOR {i + 1}"))
            self.counters.append(Counter(station_plan, station, proxy, self.clock))

    def start(self) -> None:
        """Start the engines, then the clock, the links' schedule and the counters."""
        for counter in self.counters:
            counter.station.start_sync()
        self.clock = Clock()
        for counter in self.counters:
            counter.clock = self.clock
        self._driver.start()
        for counter in self.counters:
            counter.start()

    def _drive_links(self) -> None:
        events = sorted(
            (moment, i, up)
            for i, counter in enumerate(self.counters)
            for spell in counter.plan.outages
            for moment, up in ((spell.start, False), (spell.end, True))
            if not (up and spell.end >= self.plan.duration)  # the end brings every link up
        )
        for moment, i, up in events:
            if self._stop.wait(max(0.0, moment - self.clock.now())):
                return
            self.counters[i].set_link(up)

    def finish_capture(self) -> None:
        """Wait for the counters' last saves, stop the schedule, bring every link up."""
        for counter in self.counters:
            counter.thread.join()
        self._stop.set()
        if self._driver.is_alive():
            self._driver.join()
        for counter in self.counters:
            counter.set_link(True)

    def read(self) -> tuple[list[StationView], dict[str, Any], datetime]:
        """One look at everything, in the order the checks rely on (weekend_checks): each
        station's saves finished and queue status, the centre's truth, the dashboard's
        overview, then what each counter saved meanwhile."""
        assert self.dashboard is not None
        at = self.clock.now()
        first = [(c, c.saved_count(), c.station.status().to_json()) for c in self.counters]
        held = self.held()
        overview = self.dashboard.overview()
        now = utc_now()
        views = [
            c.view(at, before, status, held.get(c.station_id, frozenset()))
            for c, before, status in first
        ]
        return views, overview, now

    @property
    def last_link_up(self) -> float:
        return max((c.up_since for c in self.counters), default=0.0)

    # -- the truth at the centre -------------------------------------------------------------

    def held(self) -> dict[str, frozenset[str]]:
        """Entry ids the centre holds, per station."""
        assert self._db is not None
        query = sa.select(registrations.c.station_id, registrations.c.entry_id)
        found: dict[str, set[str]] = {}
        with self._db.engine.connect() as conn:
            for station_id, entry_id in conn.execute(query):
                found.setdefault(str(station_id), set()).add(str(entry_id))
        return {s: frozenset(ids) for s, ids in found.items()}

    def held_count(self) -> int:
        assert self._db is not None
        return self._db.registration_count()

    def registrations(self) -> list[tuple[str, str, datetime]]:
        """(NIK, station, received at) of every registration at the centre."""
        assert self._db is not None
        query = sa.select(
            registrations.c.nik, registrations.c.station_id, registrations.c.received_at
        )
        with self._db.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [(str(nik), str(station), _utc(received)) for nik, station, received in rows]

    def close(self) -> None:
        self._stop.set()
        for counter in self.counters:
            counter.stop()
        for counter in self.counters:
            if counter.thread.is_alive():
                counter.thread.join()
            counter.station.close()
            counter.proxy.stop()
        self.counters.clear()
        if self.dashboard is not None:
            self.dashboard.close()
            self.dashboard = None
        if self._db is not None:
            self._db.dispose()
            self._db = None
        if self.central is not None:
            self.central.stop()
            self.central = None


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
