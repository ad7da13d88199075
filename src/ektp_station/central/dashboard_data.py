"""What the supervisors' dashboard shows, read from the centre's database in a few queries.

- every station: last seen, the backlog and oldest unsynced entry as it last reported them,
  clock skew, registrations (in all and captured today), silent past a threshold, and its
  backlog over the day (``backlog_samples``, central/reports.py: one row per station per
  minute, the last report in that minute, written by batches and heartbeats);
- registrations captured today per kecamatan and kelurahan (``registrations.kelurahan_code``,
  set at ingest), "today" in the centre's time zone (WIB unless told);
- entries under review: the stand-in pipeline's duplicates and adjudications, and per station
  the entries answered "NIK already recorded by another entry". By reference, station and
  kelurahan only: never a NIK or a name.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from ..domain.regions import default_regions
from .db import CentralDB, as_utc, enrolments, registrations
from .reports import backlog_samples

__all__ = [
    "DEFAULT_SILENT_AFTER",
    "DEFAULT_TIMEZONE",
    "overview",
]

DEFAULT_SILENT_AFTER = 15 * 60
"""Seconds without a word from a station after which the dashboard marks it silent."""
DEFAULT_TIMEZONE = "Asia/Jakarta"
"""Where "today" begins and ends (Kota Depok keeps WIB)."""
REVIEW_ITEMS = 50
"""The newest entries under review listed by reference (the counts cover them all)."""


def _iso(value: datetime | None) -> str | None:
    value = as_utc(value)
    return value.isoformat().replace("+00:00", "Z") if value else None


def _day_start(now: datetime, zone: ZoneInfo) -> datetime:
    local = now.astimezone(zone)
    return local.replace(hour=0, minute=0, second=0, microsecond=0).astimezone(UTC)


def overview(
    db: CentralDB,
    *,
    now: datetime | None = None,
    silent_after: float = DEFAULT_SILENT_AFTER,
    timezone: str = DEFAULT_TIMEZONE,
) -> dict[str, Any]:
    """The dashboard's whole picture as JSON-ready data (``GET /v1/dashboard/overview``)."""
    now = now or datetime.now(UTC)
    zone = ZoneInfo(timezone)
    start = _day_start(now, zone)
    since = db.db_time(start)
    with db.engine.connect() as conn:
        # one snapshot for every figure (a batch landing between two reads must not show
        # more registered today than in all): on SQLite the connection's one transaction, on
        # PostgreSQL a repeatable-read one
        if db.dialect == "postgresql":
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
        infos = db.station_infos(conn)
        today_by_station: dict[str, int] = dict(
            conn.execute(
                sa.select(registrations.c.station_id, sa.func.count())
                .where(registrations.c.captured_at >= since)
                .group_by(registrations.c.station_id)
            ).all()
        )
        by_place = conn.execute(
            sa.select(registrations.c.kelurahan_code, sa.func.count())
            .where(registrations.c.captured_at >= since)
            .group_by(registrations.c.kelurahan_code)
        ).all()
        samples = conn.execute(
            sa.select(backlog_samples)
            .where(backlog_samples.c.minute >= since)
            .order_by(backlog_samples.c.station_id, backlog_samples.c.minute)
        ).all()
        decided = conn.execute(
            sa.select(enrolments.c.status, sa.func.count())
            .where(enrolments.c.status.in_(("duplicate", "adjudication")))
            .group_by(enrolments.c.status)
        ).all()
        items = conn.execute(
            sa.select(
                registrations.c.reference,
                enrolments.c.station_id,
                registrations.c.kelurahan_code,
                enrolments.c.status,
                enrolments.c.reason,
                enrolments.c.decided_at,
            )
            .select_from(
                enrolments.join(registrations, registrations.c.entry_id == enrolments.c.entry_id)
            )
            .where(enrolments.c.status.in_(("duplicate", "adjudication")))
            .order_by(enrolments.c.decided_at.desc())
            .limit(REVIEW_ITEMS)
        ).all()
    history: dict[str, list[list[Any]]] = {}
    for row in samples:
        history.setdefault(row.station_id, []).append([_iso(row.minute), int(row.pending)])
    stations = []
    for info in infos:
        seen = info.last_seen_at
        quiet = None if seen is None else max(0.0, (now - seen).total_seconds())
        oldest = info.reported_oldest_unsynced_at
        stations.append(
            {
                **info.to_json(),
                "registrations_today": int(today_by_station.get(info.station_id, 0)),
                "seconds_since_seen": quiet,
                "silent": quiet is None or quiet > silent_after,
                "oldest_unsynced_age_s": (
                    None if oldest is None else max(0.0, (now - oldest).total_seconds())
                ),
                "backlog_today": history.get(info.station_id, []),
            }
        )
    counts = {status: int(n) for status, n in decided}
    nik_recorded = sum(s["nik_recorded_answers"] for s in stations)
    today_total = sum(int(n) for _code, n in by_place)
    return {
        "generated_at": _iso(now),
        "timezone": timezone,
        "day": now.astimezone(zone).date().isoformat(),
        "day_start": _iso(start),
        "generated_local": now.astimezone(zone).strftime("%H:%M:%S %Z"),
        "silent_after_s": silent_after,
        "totals": {
            "stations": len(stations),
            "silent": sum(1 for s in stations if s["silent"]),
            "backlog": sum(s["reported_backlog"]["pending"] or 0 for s in stations),
            "registrations": sum(s["registrations"] for s in stations),
            "registrations_today": today_total,
        },
        "stations": stations,
        "today": {"total": today_total, "kecamatan": _places(by_place)},
        "under_review": {
            "duplicate": counts.get("duplicate", 0),
            "adjudication": counts.get("adjudication", 0),
            "nik_recorded": nik_recorded,
            "items": [
                {
                    "reference": row.reference,
                    "station_id": row.station_id,
                    "kelurahan_code": row.kelurahan_code,
                    "kelurahan": _name(row.kelurahan_code),
                    "status": row.status,
                    "reason": row.reason,
                    "decided_at": _iso(row.decided_at),
                }
                for row in items
            ],
        },
    }


def _name(code: str | None) -> str | None:
    return default_regions().name(code) if code else None


def _places(by_place: Sequence[Any]) -> list[dict[str, Any]]:
    """Today's counts per kelurahan, grouped under their kecamatan (largest first)."""
    regions = default_regions()
    groups: dict[str, dict[str, Any]] = {}
    for code, n in by_place:
        kecamatan = code.rsplit(".", 1)[0] if code else ""
        group = groups.setdefault(
            kecamatan,
            {
                "code": kecamatan or None,
                "name": regions.name(kecamatan) if kecamatan else None,
                "count": 0,
                "kelurahan": [],
            },
        )
        group["count"] += int(n)
        group["kelurahan"].append(
            {"code": code, "name": regions.name(code) if code else None, "count": int(n)}
        )
    for group in groups.values():
        group["kelurahan"].sort(key=lambda k: (-k["count"], k["code"] or ""))
    return sorted(groups.values(), key=lambda g: (-g["count"], g["code"] or ""))
