"""The centre's database: stations (token hashes only), registrations and their history.

``registrations`` holds the latest accepted revision of every entry; each revision it replaced
is kept in ``registration_revisions`` (primary key entry id + revision). A database made
before revisions existed is upgraded in place by :meth:`CentralDB.create_schema`, which keeps
the schema at alembic's newest revision (central/schema.py, central/migrations; a table or
column added here needs a new revision there: docs/central.md).

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
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from ..sync.protocol import ENROLMENT_STATUSES
from .connect import make_engine

if TYPE_CHECKING:
    from .schema import SchemaUpgrade

__all__ = [
    "CentralDB",
    "StationInfo",
    "enrolments",
    "hash_token",
    "metadata",
    "registration_revisions",
    "registrations",
    "station_lock_key",
    "stations",
    "uploads",
]

log = logging.getLogger(__name__)


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
    # "this NIK is recorded by another entry" answers to this station: in all, and in the
    # current hour (a station asking about NIKs it did not record is probing; see ingest)
    sa.Column("nik_recorded_answers", sa.Integer, nullable=False, server_default=sa.text("0")),
    sa.Column("nik_probe_window_start", sa.DateTime(timezone=True)),
    sa.Column("nik_probe_window_count", sa.Integer, nullable=False, server_default=sa.text("0")),
    # the public key its USB bundles are signed with (bundles/keys.py: from its token)
    sa.Column("bundle_key", sa.String(64)),
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
    # Protocol version 2: the revision held (1 at capture, +1 per correction at the station)
    # and when a newer revision first replaced one stored here (None: never corrected here).
    sa.Column("revision", sa.Integer, nullable=False, server_default=sa.text("1")),
    sa.Column("corrected_at", sa.DateTime(timezone=True)),
    # Revision 0002: the record's kelurahan, for the dashboard's counts per place (set at
    # ingest; filled in from ``record`` for the rows before it)
    sa.Column("kelurahan_code", sa.String(13)),
    sa.Index("ix_registrations_captured_at", "captured_at"),
)

registration_revisions = sa.Table(
    "registration_revisions",
    metadata,
    sa.Column("entry_id", sa.String(36), primary_key=True),
    sa.Column("revision", sa.Integer, primary_key=True),
    sa.Column("content_hash", sa.String(64), nullable=False),
    sa.Column("record", sa.Text, nullable=False),
    sa.Column("nik", sa.String(16), nullable=False),
    sa.Column("operator", sa.String(64), nullable=False),
    sa.Column("captured_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
)
"""Every revision that a newer one replaced in ``registrations`` (history; never updated)."""

# Biometric parts uploaded by tus (central/uploads.py): one row per (entry, part); ``received``
# is the upload's offset, moved only by a conditional update.
uploads = sa.Table(
    "uploads",
    metadata,
    sa.Column("upload_id", sa.String(32), primary_key=True),
    sa.Column("station_id", sa.String(64), nullable=False),
    sa.Column("entry_id", sa.String(36), nullable=False),
    sa.Column("part", sa.String(16), nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("length", sa.BigInteger, nullable=False),
    sa.Column("received", sa.BigInteger, nullable=False, server_default=sa.text("0")),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("verified_at", sa.DateTime(timezone=True)),
    sa.UniqueConstraint("entry_id", "part", name="uq_uploads_entry_part"),
)
# the stand-in's duplicate check looks fingerprint images up by their hash
UPLOADS_SHA256_INDEX = sa.Index("ix_uploads_sha256", uploads.c.sha256)

# The stand-in for the national pipeline after the parts (central/enrolments.py): one row
# per entry whose biodata and every part the centre holds, with the decision taken.
enrolments = sa.Table(
    "enrolments",
    metadata,
    sa.Column("entry_id", sa.String(36), primary_key=True),
    sa.Column("station_id", sa.String(64), nullable=False, index=True),
    sa.Column("manifest_hash", sa.String(64), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("reason", sa.String(32)),
    sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
)


#: The window in which "NIK recorded" answers to one station are counted against the limit.
NIK_PROBE_WINDOW = timedelta(hours=1)


def _in_window(start: datetime | None, count: int | None) -> int:
    began = as_utc(start)
    if began is None or datetime.now(UTC) - began >= NIK_PROBE_WINDOW:
        return 0
    return int(count or 0)


def new_token() -> str:
    """32 random bytes, URL-safe base64, never starting with "-" (so that
    ``ektp-station config set token TOKEN`` never takes it for an option)."""
    while True:
        token = secrets.token_urlsafe(32)
        if not token.startswith("-"):
            return token


def hash_token(token: str) -> str:
    """sha256 hex of a station token: the only form in which a token is stored."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def station_lock_key(station_id: str) -> int:
    """The PostgreSQL advisory-lock key of a station: 64 bits of sha256 of its id, signed
    (``pg_try_advisory_xact_lock(bigint)``); the same in every server process."""
    digest = hashlib.sha256(b"ektp-station/batch:" + station_id.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


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
    corrected: int = 0
    """Registrations whose stored revision is > 1 (corrected after capture)."""
    corrected_after_delivery: int = 0
    """Of those, the ones where a newer revision replaced one the centre had already stored."""
    nik_recorded_answers: int = 0
    """Entries answered "NIK recorded by another entry", in all."""
    nik_recorded_last_hour: int = 0
    """The same in the current hour's window (past the limit, the station is slowed down)."""

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
            "corrected": self.corrected,
            "corrected_after_delivery": self.corrected_after_delivery,
            "nik_recorded_answers": self.nik_recorded_answers,
            "nik_recorded_last_hour": self.nik_recorded_last_hour,
        }


class CentralDB:
    """The centre's tables behind a small API; every method is one short transaction."""

    def __init__(self, db_url: str) -> None:
        self.engine = make_engine(db_url)
        self.dialect = self.engine.dialect.name

    def create_schema(self) -> SchemaUpgrade:
        """Upgrade the database to the newest schema revision (alembic, central/schema.py):
        an empty one is created, one made before migrations is adopted in place (existing
        rows kept), a versioned one is upgraded. Idempotent, and safe when several processes
        start at once (a lock held for the whole check and upgrade)."""
        from .schema import upgrade_to_head

        return upgrade_to_head(self.engine)

    def drop_schema(self) -> None:
        """Drop every table of the centre and alembic's version table (tests)."""
        from .schema import drop_all

        drop_all(self.engine)

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
        from ..bundles.keys import station_public_key

        token = new_token()
        digest = hash_token(token)
        bundle_key = station_public_key(token)
        now = self.db_time(datetime.now(UTC))
        with self.engine.begin() as conn:
            updated = conn.execute(
                sa.update(stations)
                .where(stations.c.station_id == station_id)
                .values(token_hash=digest, bundle_key=bundle_key)
            ).rowcount
            if not updated:
                conn.execute(
                    sa.insert(stations).values(
                        station_id=station_id,
                        token_hash=digest,
                        bundle_key=bundle_key,
                        created_at=now,
                    )
                )
        log.info("station %s: token %s", station_id, "rotated" if updated else "created")
        return token, bool(updated)

    def revoke_station(self, station_id: str) -> bool:
        """Make the station's token invalid at once (its registrations stay); False if there
        is no such station. ``add_station`` gives it a new token later.

        The stored hash is replaced by a value no sha256 hex digest can equal."""
        revoked = "revoked:" + secrets.token_hex(16)
        with self.engine.begin() as conn:
            updated = conn.execute(
                sa.update(stations)
                .where(stations.c.station_id == station_id)
                .values(token_hash=revoked, bundle_key=None)
            ).rowcount
        if updated:
            log.info("station %s: token revoked", station_id)
        return bool(updated)

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

    @staticmethod
    def _counts() -> tuple[sa.Label[Any], sa.Label[Any], sa.Label[Any]]:
        """count(*), corrected (revision > 1), corrected after delivery (corrected_at set)."""
        corrected = sa.func.sum(sa.case((registrations.c.revision > 1, 1), else_=0))
        after = sa.func.sum(sa.case((registrations.c.corrected_at.is_not(None), 1), else_=0))
        return (
            sa.func.count().label("n"),
            sa.func.coalesce(corrected, 0).label("corrected"),
            sa.func.coalesce(after, 0).label("corrected_after_delivery"),
        )

    def station_infos(self, conn: sa.Connection | None = None) -> list[StationInfo]:
        """Every station with its counts; in ``conn``'s transaction when given (one snapshot
        with the caller's other reads: the dashboard's overview)."""
        counts = (
            sa.select(registrations.c.station_id, *self._counts())
            .group_by(registrations.c.station_id)
            .subquery()
        )
        query = (
            sa.select(
                stations,
                sa.func.coalesce(counts.c.n, 0).label("n"),
                sa.func.coalesce(counts.c.corrected, 0).label("corrected"),
                sa.func.coalesce(counts.c.corrected_after_delivery, 0).label("after"),
            )
            .select_from(stations.outerjoin(counts, counts.c.station_id == stations.c.station_id))
            .order_by(stations.c.station_id)
        )
        if conn is None:
            with self.engine.connect() as own:
                rows = own.execute(query).all()
        else:
            rows = conn.execute(query).all()
        return [
            StationInfo(
                station_id=row.station_id,
                registrations=int(row.n),
                last_seen_at=as_utc(row.last_seen_at),
                reported_pending=row.reported_pending,
                reported_oldest_unsynced_at=as_utc(row.reported_oldest_unsynced_at),
                clock_skew_seconds=row.clock_skew_seconds,
                corrected=int(row.corrected),
                corrected_after_delivery=int(row.after),
                nik_recorded_answers=int(row.nik_recorded_answers or 0),
                nik_recorded_last_hour=_in_window(
                    row.nik_probe_window_start, row.nik_probe_window_count
                ),
            )
            for row in rows
        ]

    def nik_probe_wait(self, station_id: str, limit: int) -> float | None:
        """Seconds until this station's hour window ends when it had more than ``limit``
        "NIK recorded" answers in it (its batches wait meanwhile); None otherwise."""
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(
                    stations.c.nik_probe_window_start, stations.c.nik_probe_window_count
                ).where(stations.c.station_id == station_id)
            ).first()
        if row is None or row.nik_probe_window_start is None:
            return None
        start = as_utc(row.nik_probe_window_start)
        assert start is not None
        left = (start + NIK_PROBE_WINDOW - datetime.now(UTC)).total_seconds()
        if left <= 0 or int(row.nik_probe_window_count) <= limit:
            return None
        return left

    def registration_count(self) -> int:
        with self.engine.connect() as conn:
            return int(
                conn.execute(sa.select(sa.func.count()).select_from(registrations)).scalar_one()
            )

    def record_backlog(
        self,
        station_id: str,
        now: datetime,
        pending: int,
        oldest_unsynced_at: datetime | None,
        skew: float,
    ) -> None:
        """What a station said it has left (a heartbeat, central/heartbeat.py), recorded as
        a batch records it (central/reports.py)."""
        from .reports import record_report

        with self.engine.begin() as conn:
            record_report(conn, station_id, now, pending, oldest_unsynced_at, skew)

    def enrolment_counts(self) -> dict[str, int]:
        """The pipeline stand-in's decisions by status (central/enrolments.py)."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(enrolments.c.status, sa.func.count()).group_by(enrolments.c.status)
            ).all()
        found = {status: int(n) for status, n in rows}
        return {s: found.get(s, 0) for s in ENROLMENT_STATUSES}

    def stats(self) -> dict[str, Any]:
        """``{"registrations": N, "corrected": C, "corrected_after_delivery": D,
        "parts_verified": P, "bytes_verified": B, "stations": [...]}`` as documented for
        ``central stats`` (P, B: biometric parts whose whole sha256 the centre verified).

        ``corrected``: registrations held at a revision > 1 (corrected at the station after
        capture, before or after they were first sent); ``corrected_after_delivery``: those
        where a newer revision replaced one the centre had already stored.
        """
        infos = self.station_infos()
        with self.engine.connect() as conn:
            totals = conn.execute(sa.select(*self._counts()).select_from(registrations)).one()
            parts, size = conn.execute(
                sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(uploads.c.length), 0))
                .select_from(uploads)
                .where(uploads.c.verified_at.is_not(None))
            ).one()
        return {
            "registrations": int(totals.n),
            "corrected": int(totals.corrected),
            "corrected_after_delivery": int(totals.corrected_after_delivery),
            "parts_verified": int(parts),
            "bytes_verified": int(size),
            "enrolments": self.enrolment_counts(),
            "stations": [info.to_json() for info in infos],
        }
