"""What a station reports of itself — last seen, backlog, oldest unsynced entry, clock skew —
recorded in one place for a batch (central/ingest.py, in the batch's transaction) and for a
heartbeat (central/heartbeat.py): the ``stations`` row, and the minute's sample of the
backlog over the day (``backlog_samples``, read by the dashboard)."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from .db import _for_db, metadata, stations

__all__ = ["backlog_samples", "record_report"]

backlog_samples = sa.Table(
    "backlog_samples",
    metadata,
    sa.Column("station_id", sa.String(64), primary_key=True),
    sa.Column("minute", sa.DateTime(timezone=True), primary_key=True),
    sa.Column("pending", sa.Integer, nullable=False),
)


def record_report(
    conn: sa.Connection,
    station_id: str,
    now: datetime,
    pending: int,
    oldest_unsynced_at: datetime | None,
    skew: float,
) -> None:
    """Keep what ``station_id`` reported at ``now``, in the caller's transaction: its row in
    ``stations``, and ``pending`` as its backlog in the minute of ``now`` (the last report in
    a minute wins)."""
    dialect = conn.dialect.name
    conn.execute(
        sa.update(stations)
        .where(stations.c.station_id == station_id)
        .values(
            last_seen_at=_for_db(now, dialect),
            reported_pending=pending,
            reported_oldest_unsynced_at=_for_db(oldest_unsynced_at, dialect),
            clock_skew_seconds=skew,
        )
    )
    minute = _for_db(now.astimezone(UTC).replace(second=0, microsecond=0), dialect)
    insert = (postgresql if dialect == "postgresql" else sqlite).insert(backlog_samples)
    conn.execute(
        insert.values(station_id=station_id, minute=minute, pending=pending).on_conflict_do_update(
            index_elements=[backlog_samples.c.station_id, backlog_samples.c.minute],
            set_={"pending": pending},
        )
    )
