"""The kelurahan of the registrations stored before ``registrations.kelurahan_code`` was set
at ingest (frozen; never edit).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02

A database adopted from before migrations gets the column empty (0001); the dashboard's
counts per place and its entries under review read it. One statement fills it from the
stored record where the record names one (SQLite's ``json_extract``, PostgreSQL's ``->>``);
rows whose record has none stay NULL ("unknown" on the dashboard). Harmless on a new
database (no rows) and when run again (only NULLs are touched).
"""

from __future__ import annotations

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name == "postgresql":
        code = "(record::json ->> 'kelurahan_code')"
    else:
        code = "json_extract(record, '$.kelurahan_code')"
    conn.exec_driver_sql(
        f"UPDATE registrations SET kelurahan_code = substr({code}, 1, 13) "  # noqa: S608  (no input)
        f"WHERE kelurahan_code IS NULL AND {code} IS NOT NULL"
    )


def downgrade() -> None:
    raise NotImplementedError("the centre's schema is never downgraded; restore a backup")
