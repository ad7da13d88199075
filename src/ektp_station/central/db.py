"""The centre's database: stations (token hashes only) and registrations.

SQLAlchemy Core over SQLite (WAL, busy_timeout, ``BEGIN IMMEDIATE`` so that writers queue on
the busy timeout instead of failing a lock upgrade) or PostgreSQL (``postgresql+psycopg://``),
where several server processes can share one database.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

__all__ = [
    "CentralDB",
    "StationInfo",
    "hash_token",
    "metadata",
    "registrations",
    "stations",
]

log = logging.getLogger(__name__)

SQLITE_BUSY_TIMEOUT_MS = 10_000

metadata = sa.MetaData()

stations = sa.Table(
    "stations",
    metadata,
    sa.Column("station_id", sa.String(64), primary_key=True),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("last_seen_at", sa.DateTime(timezone=True)),
    sa.Column("reported_pending", sa.Integer),
    sa.Column("reported_oldest_unsynced_at", sa.DateTime(timezone=True)),
    sa.Column("clock_skew_seconds", sa.Float),
)

registrations = sa.Table(
    "registrations",
    metadata,
    sa.Column("entry_id", sa.String(36), primary_key=True),
    sa.Column("nik", sa.String(16), nullable=False, unique=True),
    sa.Column("station_id", sa.String(64), nullable=False, index=True),
    sa.Column("operator", sa.String(64), nullable=False),
    sa.Column("captured_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("content_hash", sa.String(64), nullable=False),
    sa.Column("record", sa.Text, nullable=False),
    sa.Column("reference", sa.String(32), nullable=False, unique=True),
)


def hash_token(token: str) -> str:
    """sha256 hex of a station token: the only form in which a token is stored."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def as_utc(value: datetime | None) -> datetime | None:
    """SQLite hands datetimes back naive; they were stored in UTC."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _for_db(value: datetime | None, dialect: str) -> datetime | None:
    if value is None:
        return None
    value = value.astimezone(UTC)
    return value.replace(tzinfo=None) if dialect == "sqlite" else value


@dataclass(frozen=True, slots=True)
class StationInfo:
    station_id: str
    registrations: int
    last_seen_at: datetime | None
    reported_pending: int | None
    reported_oldest_unsynced_at: datetime | None
    clock_skew_seconds: float | None

    def to_json(self) -> dict[str, Any]:
        def iso(d: datetime | None) -> str | None:
            return d.isoformat().replace("+00:00", "Z") if d else None

        return {
            "station_id": self.station_id,
            "registrations": self.registrations,
            "last_seen_at": iso(self.last_seen_at),
            "reported_backlog": {
                "pending": self.reported_pending,
                "oldest_unsynced_at": iso(self.reported_oldest_unsynced_at),
            },
            "clock_skew_seconds": self.clock_skew_seconds,
        }


def make_engine(db_url: str) -> Engine:
    """An engine for ``db_url`` with the pragmas/pool the centre needs."""
    url = sa.make_url(db_url)
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @sa.event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.isolation_level = None  # we emit BEGIN ourselves
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
            cur.execute("PRAGMA synchronous=FULL")
            cur.close()

        @sa.event.listens_for(engine, "begin")
        def _on_begin(conn: sa.Connection) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    return sa.create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


class CentralDB:
    """The centre's tables behind a small API; every method is one short transaction."""

    def __init__(self, db_url: str) -> None:
        self.engine = make_engine(db_url)
        self.dialect = self.engine.dialect.name

    def create_schema(self) -> None:
        metadata.create_all(self.engine, checkfirst=True)

    def drop_schema(self) -> None:
        """Drop the centre's tables (tests)."""
        metadata.drop_all(self.engine, checkfirst=True)

    def dispose(self) -> None:
        self.engine.dispose()

    def db_time(self, value: datetime | None) -> datetime | None:
        return _for_db(value, self.dialect)

    # -- stations --------------------------------------------------------------------------

    def add_station(self, station_id: str) -> tuple[str, bool]:
        """Create ``station_id`` or rotate its token; returns (new token, rotated?).

        Only the token's sha256 is stored; the token itself exists only in the return value.
        """
        if not station_id or len(station_id) > 64 or not station_id.isprintable():
            raise ValueError("station id must be 1..64 printable characters")
        token = secrets.token_urlsafe(32)
        digest = hash_token(token)
        now = self.db_time(datetime.now(UTC))
        with self.engine.begin() as conn:
            updated = conn.execute(
                sa.update(stations)
                .where(stations.c.station_id == station_id)
                .values(token_hash=digest)
            ).rowcount
            if not updated:
                conn.execute(
                    sa.insert(stations).values(
                        station_id=station_id, token_hash=digest, created_at=now
                    )
                )
        log.info("station %s: token %s", station_id, "rotated" if updated else "created")
        return token, bool(updated)

    def authenticate(self, token: str) -> str | None:
        """The station id the bearer ``token`` belongs to, or None."""
        digest = hash_token(token)
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(stations.c.station_id, stations.c.token_hash).where(
                    stations.c.token_hash == digest
                )
            ).first()
        if row is None or not hmac.compare_digest(str(row.token_hash), digest):
            return None
        return str(row.station_id)

    def station_infos(self) -> list[StationInfo]:
        counts = (
            sa.select(registrations.c.station_id, sa.func.count().label("n"))
            .group_by(registrations.c.station_id)
            .subquery()
        )
        query = (
            sa.select(stations, sa.func.coalesce(counts.c.n, 0).label("n"))
            .select_from(stations.outerjoin(counts, counts.c.station_id == stations.c.station_id))
            .order_by(stations.c.station_id)
        )
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [
            StationInfo(
                station_id=row.station_id,
                registrations=int(row.n),
                last_seen_at=as_utc(row.last_seen_at),
                reported_pending=row.reported_pending,
                reported_oldest_unsynced_at=as_utc(row.reported_oldest_unsynced_at),
                clock_skew_seconds=row.clock_skew_seconds,
            )
            for row in rows
        ]

    def registration_count(self) -> int:
        with self.engine.connect() as conn:
            return int(
                conn.execute(sa.select(sa.func.count()).select_from(registrations)).scalar_one()
            )

    def stats(self) -> dict[str, Any]:
        """``{"registrations": N, "stations": [...]}`` as documented for ``central stats``."""
        infos = self.station_infos()
        return {
            "registrations": self.registration_count(),
            "stations": [info.to_json() for info in infos],
        }
