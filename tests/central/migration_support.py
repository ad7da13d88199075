"""For test_centre_migrations: today's schema frozen as MetaData, and two older releases', rows for
every table, and ways to read a database's schema and rows back."""

from __future__ import annotations

import sqlite3
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from ektp_station.central import connect
from ektp_station.central.db import as_utc
from ektp_station.central.schema import SCHEMA_LOCK_KEY, VERSION_TABLE

T0 = datetime(2026, 11, 21, 1, 30, tzinfo=UTC)
T1 = datetime(2026, 11, 21, 2, 45, tzinfo=UTC)
CONNECT_PY = connect.__file__  # where make_engine's BEGIN IMMEDIATE hook lives
ENTRY = "0b9e9c3e-4a57-4d0c-9a39-3f0d2a4b7e11"


def today() -> sa.MetaData:
    """The tables exactly as ``ektp_station.central`` defined them before migrations (commit
    5e28403; frozen: a copy made then, never edited; checked against
    data/centre_schema_0001.sqlite.sql)."""
    md = sa.MetaData()
    dt = sa.DateTime(timezone=True)
    sa.Table(
        "stations",
        md,
        sa.Column("station_id", sa.String(64), primary_key=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", dt, nullable=False),
        sa.Column("last_seen_at", dt),
        sa.Column("reported_pending", sa.Integer),
        sa.Column("reported_oldest_unsynced_at", dt),
        sa.Column("clock_skew_seconds", sa.Float),
        sa.Column("nik_recorded_answers", sa.Integer, nullable=False, server_default=sa.text("0")),
        sa.Column("nik_probe_window_start", dt),
        sa.Column(
            "nik_probe_window_count", sa.Integer, nullable=False, server_default=sa.text("0")
        ),
    )
    sa.Table(
        "registrations",
        md,
        sa.Column("entry_id", sa.String(36), primary_key=True),
        sa.Column("nik", sa.String(16), nullable=False, unique=True),
        sa.Column("station_id", sa.String(64), nullable=False, index=True),
        sa.Column("operator", sa.String(64), nullable=False),
        sa.Column("captured_at", dt, nullable=False),
        sa.Column("received_at", dt, nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("record", sa.Text, nullable=False),
        sa.Column("reference", sa.String(32), nullable=False, unique=True),
        sa.Column("revision", sa.Integer, nullable=False, server_default=sa.text("1")),
        sa.Column("corrected_at", dt),
        sa.Column("kelurahan_code", sa.String(13)),
        sa.Index("ix_registrations_captured_at", "captured_at"),
    )
    sa.Table(
        "registration_revisions",
        md,
        sa.Column("entry_id", sa.String(36), primary_key=True),
        sa.Column("revision", sa.Integer, primary_key=True),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("record", sa.Text, nullable=False),
        sa.Column("nik", sa.String(16), nullable=False),
        sa.Column("operator", sa.String(64), nullable=False),
        sa.Column("captured_at", dt, nullable=False),
        sa.Column("received_at", dt, nullable=False),
    )
    uploads = sa.Table(
        "uploads",
        md,
        sa.Column("upload_id", sa.String(32), primary_key=True),
        sa.Column("station_id", sa.String(64), nullable=False),
        sa.Column("entry_id", sa.String(36), nullable=False),
        sa.Column("part", sa.String(16), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("length", sa.BigInteger, nullable=False),
        sa.Column("received", sa.BigInteger, nullable=False, server_default=sa.text("0")),
        sa.Column("created_at", dt, nullable=False),
        sa.Column("verified_at", dt),
        sa.UniqueConstraint("entry_id", "part", name="uq_uploads_entry_part"),
    )
    sa.Index("ix_uploads_sha256", uploads.c.sha256)
    sa.Table(
        "enrolments",
        md,
        sa.Column("entry_id", sa.String(36), primary_key=True),
        sa.Column("station_id", sa.String(64), nullable=False, index=True),
        sa.Column("manifest_hash", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reason", sa.String(32)),
        sa.Column("decided_at", dt, nullable=False),
    )
    sa.Table(
        "backlog_samples",
        md,
        sa.Column("station_id", sa.String(64), primary_key=True),
        sa.Column("minute", dt, primary_key=True),
        sa.Column("pending", sa.Integer, nullable=False),
    )
    sa.Table(
        "supervisors",
        md,
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("created_at", dt, nullable=False),
        sa.Column("password_changed_at", dt, nullable=False),
    )
    sa.Table(
        "supervisor_sessions",
        md,
        sa.Column("session_hash", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(64), nullable=False, index=True),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        sa.Column("created_at", dt, nullable=False),
        sa.Column("last_seen_at", dt, nullable=False),
    )
    sa.Table(
        "login_failures",
        md,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("key", sa.String(128), nullable=False),
        sa.Column("failed_at", dt, nullable=False),
        sa.Index("ix_login_failures_key_at", "key", "failed_at"),
    )
    return md


DASHBOARD = ("backlog_samples", "supervisors", "supervisor_sessions", "login_failures")


def _without(
    tables: tuple[str, ...], columns: dict[str, set[str]], indexes: tuple[str, ...] = ()
) -> sa.MetaData:
    """Today's tables but ``tables``, without ``columns`` (table -> names) and ``indexes``."""
    md = sa.MetaData()
    for name, table in today().tables.items():
        if name in tables:
            continue
        gone = columns.get(name, set())
        copy = sa.Table(name, md, *(c._copy() for c in table.c if c.name not in gone))
        for index in table.indexes:  # those of index=True came along with their columns
            if getattr(index, "_column_flag", False) or index.name in indexes:
                continue
            sa.Index(index.name, *(copy.c[c.name] for c in index.columns))
        for unique in table.constraints:  # those of unique=True came along likewise
            if isinstance(unique, sa.UniqueConstraint) and not unique._column_flag:
                copy.append_constraint(
                    sa.UniqueConstraint(*(c.name for c in unique.columns), name=unique.name)
                )
    return md


def before_dashboard() -> sa.MetaData:
    """The release before the supervisors' dashboard (commit ab7f41f; checked against
    data/centre_schema_before_dashboard.sqlite.sql)."""
    return _without(
        DASHBOARD, {"registrations": {"kelurahan_code"}}, ("ix_registrations_captured_at",)
    )


def first_release() -> sa.MetaData:
    """The first release's tables: stations and registrations, without the columns added
    since (today's others did not exist)."""
    later = {
        "registrations": {"revision", "corrected_at", "kelurahan_code"},
        "stations": {"nik_recorded_answers", "nik_probe_window_start", "nik_probe_window_count"},
    }
    others = tuple(n for n in today().tables if n not in later)
    return _without(others, later, ("ix_registrations_captured_at",))


_HASH = "ab" * 32
ROWS: dict[str, list[dict[str, Any]]] = {
    "stations": [
        {
            "station_id": "DPK-MIGRASI-1",
            "token_hash": _HASH,
            "created_at": T0,
            "last_seen_at": T1,
            "reported_pending": 3,
            "reported_oldest_unsynced_at": T0,
            "clock_skew_seconds": -1.5,
            "nik_recorded_answers": 2,
            "nik_probe_window_start": T1,
            "nik_probe_window_count": 1,
        }
    ],
    "registrations": [
        {
            "entry_id": ENTRY,
            "nik": "3276014101900001",
            "station_id": "DPK-MIGRASI-1",
            "operator": "OPERATOR DEMO",
            "captured_at": T0,
            "received_at": T1,
            "content_hash": _HASH,
            "record": '{"nama": "WARGA FIKTIF"}',
            "reference": "DPK-0001",
            "revision": 2,
            "corrected_at": T1,
            "kelurahan_code": "32.76.01.1001",
        }
    ],
    "registration_revisions": [
        {
            "entry_id": ENTRY,
            "revision": 1,
            "content_hash": "cd" * 32,
            "record": '{"nama": "WARGA FIKTIP"}',
            "nik": "3276014101900001",
            "operator": "OPERATOR DEMO",
            "captured_at": T0,
            "received_at": T0,
        }
    ],
    "uploads": [
        {
            "upload_id": "u" * 32,
            "station_id": "DPK-MIGRASI-1",
            "entry_id": ENTRY,
            "part": "photo",
            "sha256": _HASH,
            "length": 5_000_000_000,
            "received": 4096,
            "created_at": T0,
            "verified_at": None,
        }
    ],
    "enrolments": [
        {
            "entry_id": ENTRY,
            "station_id": "DPK-MIGRASI-1",
            "manifest_hash": _HASH,
            "status": "print_ready",
            "reason": None,
            "decided_at": T1,
        }
    ],
    "backlog_samples": [{"station_id": "DPK-MIGRASI-1", "minute": T0, "pending": 7}],
    "supervisors": [
        {
            "name": "SUPERVISOR DEMO",
            "password_hash": "scrypt$" + "00" * 40,
            "created_at": T0,
            "password_changed_at": T0,
        }
    ],
    "supervisor_sessions": [
        {
            "session_hash": "ef" * 32,
            "name": "SUPERVISOR DEMO",
            "csrf_token": "12" * 32,
            "created_at": T0,
            "last_seen_at": T1,
        }
    ],
    "login_failures": [{"id": 1, "key": "addr:192.0.2.7", "failed_at": T1}],
}


def rows_of(engine: sa.Engine, only: dict[str, Any] | None = None) -> dict[str, Any]:
    """Every row of every table (alembic's aside), as dicts in primary-key order, datetimes
    in UTC; ``only``: the tables and columns of an earlier snapshot."""
    out: dict[str, Any] = {}
    md = sa.MetaData()
    with engine.connect() as conn:
        md.reflect(conn)
        for name, table in sorted(md.tables.items()):
            if name == VERSION_TABLE or (only is not None and name not in only):
                continue
            keep = set(only[name][0]) if only and only[name] else {c.name for c in table.c}
            query = sa.select(*(c for c in table.c if c.name in keep))
            rows = conn.execute(query.order_by(*table.primary_key.columns)).mappings()
            out[name] = [
                {k: as_utc(v) if isinstance(v, datetime) else v for k, v in row.items()}
                for row in rows
            ]
    return out


def sqlite_ddl(path: Path) -> list[str]:
    """The DDL of a SQLite database (alembic's table aside), or of a .sql file of it, each
    statement once, sorted (the order tables are created in is not the schema)."""
    if path.suffix == ".sql":
        text = "\n".join(
            line for line in path.read_text("utf-8").splitlines() if not line.startswith("--")
        )
        return sorted(s.strip() for s in text.split(";\n") if s.strip())
    with sqlite3.connect(path) as raw:
        rows = raw.execute(
            "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND tbl_name != ? ORDER BY rowid",
            (VERSION_TABLE,),
        ).fetchall()
    return sorted(str(sql).strip() for (sql,) in rows)


def waits_for_the_lock(db_url: str, thread: threading.Thread) -> bool:
    """Whether ``thread`` is waiting for the schema lock: on PostgreSQL a backend waits for
    the advisory lock (pg_locks); on SQLite the thread is inside the ``BEGIN IMMEDIATE``
    that SQLite's busy handler holds up (seen on its Python stack: nothing else shows it)."""
    if db_url.startswith("sqlite"):
        # only the code objects: another running thread's f_locals are not safe to read
        frame = sys._current_frames().get(thread.ident or -1)
        while frame is not None:
            if frame.f_code.co_name == "_on_begin" and frame.f_code.co_filename == CONNECT_PY:
                return True  # make_engine's hook, inside its BEGIN IMMEDIATE
            frame = frame.f_back
        return False
    key = SCHEMA_LOCK_KEY
    engine = sa.create_engine(db_url)
    try:
        with engine.connect() as conn:
            waiting = conn.execute(
                sa.text(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
                    " AND classid::bigint = :high AND objid::bigint = :low"
                ),
                {"high": (key >> 32) & 0xFFFF_FFFF, "low": key & 0xFFFF_FFFF},
            ).scalar_one()
    finally:
        engine.dispose()
    return bool(waiting)
