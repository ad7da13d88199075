"""Baseline: the centre's schema as it was when migrations began (frozen; never edit).

Revision ID: 0001
Revises: -
Create Date: 2026-11-30

On an empty database :func:`upgrade` creates the nine tables and their indexes exactly as
``CentralDB.create_schema`` made them before alembic, dashboard included (commit 5e28403;
tests/central/data/centre_schema_0001.sqlite.sql holds that DDL).
A database made by that older code has no ``alembic_version`` table: ``central/schema.py``
brings it to this revision with :func:`adopt_legacy` (in place, what ``create_schema`` did
then) and stamps it ``0001``; the revisions after this one then run on it as on any other.

The tables are defined here, not taken from ``central/db.py``: ``db.metadata`` moves on with
every revision, this file must not.
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None

log = logging.getLogger("ektp_station.central.schema")


def baseline_metadata() -> sa.MetaData:
    """The tables of this revision (a new MetaData on every call)."""
    md = sa.MetaData()
    sa.Table(
        "stations",
        md,
        sa.Column("station_id", sa.String(64), primary_key=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True)),
        sa.Column("reported_pending", sa.Integer),
        sa.Column("reported_oldest_unsynced_at", sa.DateTime(timezone=True)),
        sa.Column("clock_skew_seconds", sa.Float),
        sa.Column("nik_recorded_answers", sa.Integer, nullable=False, server_default=sa.text("0")),
        sa.Column("nik_probe_window_start", sa.DateTime(timezone=True)),
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
        sa.Column("captured_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("record", sa.Text, nullable=False),
        sa.Column("reference", sa.String(32), nullable=False, unique=True),
        sa.Column("revision", sa.Integer, nullable=False, server_default=sa.text("1")),
        sa.Column("corrected_at", sa.DateTime(timezone=True)),
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
        sa.Column("captured_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
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
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("verified_at", sa.DateTime(timezone=True)),
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
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
    )
    # the supervisors' dashboard (central/dashboard_data.py, central/supervisors.py)
    sa.Table(
        "backlog_samples",
        md,
        sa.Column("station_id", sa.String(64), primary_key=True),
        sa.Column("minute", sa.DateTime(timezone=True), primary_key=True),
        sa.Column("pending", sa.Integer, nullable=False),
    )
    sa.Table(
        "supervisors",
        md,
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("password_changed_at", sa.DateTime(timezone=True), nullable=False),
    )
    sa.Table(
        "supervisor_sessions",
        md,
        sa.Column("session_hash", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(64), nullable=False, index=True),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
    )
    sa.Table(
        "login_failures",
        md,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("key", sa.String(128), nullable=False),
        sa.Column("failed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Index("ix_login_failures_key_at", "key", "failed_at"),
    )
    return md


def upgrade() -> None:
    baseline_metadata().create_all(op.get_bind(), checkfirst=False)


def downgrade() -> None:
    raise NotImplementedError("the centre's schema is never downgraded; restore a backup")


# -- a database made before migrations (no alembic_version) --------------------------------

# Columns added to existing tables by the releases before alembic: name -> what follows the
# column's type in ``ADD COLUMN``. Tables added by them (registration_revisions, uploads,
# enrolments, the dashboard's) and indexes (the upload hash, registrations.captured_at) are
# simply created when missing.
_ADDED_COLUMNS = {
    "registrations": {"revision": " NOT NULL DEFAULT 1", "corrected_at": "", "kelurahan_code": ""},
    "stations": {
        "nik_recorded_answers": " NOT NULL DEFAULT 0",
        "nik_probe_window_start": "",
        "nik_probe_window_count": " NOT NULL DEFAULT 0",
    },
}


def adopt_legacy(conn: sa.Connection) -> None:
    """Bring a database made by the code before migrations to this revision, in place (any
    earlier release: whatever of this revision is missing is added; rows stay). The caller
    holds the schema lock and stamps the database ``0001`` afterwards."""
    md = baseline_metadata()
    md.create_all(conn, checkfirst=True)
    for table in md.tables.values():
        for index in table.indexes:  # create_all skips the indexes of tables that exist
            index.create(conn, checkfirst=True)
    for table_name, added in _ADDED_COLUMNS.items():
        table = md.tables[table_name]
        present = {c["name"] for c in sa.inspect(conn).get_columns(table_name)}
        for name, constraints in added.items():
            if name in present:
                continue
            ddl = table.c[name].type.compile(dialect=conn.dialect)
            conn.exec_driver_sql(f"ALTER TABLE {table_name} ADD COLUMN {name} {ddl}{constraints}")
            log.info("database upgraded: %s.%s added", table_name, name)
