"""USB bundles: the centre's own keys, and each station's bundle signing key (frozen; never
edit).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02

``centre_keys`` holds the centre's identity (one row, made at its first use:
central/identity.py); ``stations.bundle_key`` the public key a station's bundles are signed
with, set when its token is made. Stations registered before it have none: their bundles
are refused until ``central add-station`` gives them a new token (docs/bundles.md).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "centre_keys",
        sa.Column("slot", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("centre_id", sa.String(32), nullable=False),
        sa.Column("sign_key", sa.String(64), nullable=False),
        sa.Column("box_key", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    with op.batch_alter_table("stations") as batch:  # batch mode: SQLite's ALTER
        batch.add_column(sa.Column("bundle_key", sa.String(64)))


def downgrade() -> None:
    raise NotImplementedError("the centre's schema is never downgraded; restore a backup")
