"""The centre's identity for the USB bundles: its id and key pairs (bundles/keys.py).

Made once, at the first use (``central centre-key``, ``add-station``, ``import-bundle``),
and kept in the centre's database (``centre_keys``, one row), where every worker and every
command finds it: an insert that does nothing when another process made it first, then a
read. The private keys lie in the database as it is: whoever holds the database (or a
backup of it) can open the bundles made for it, as they can read its registrations.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from sqlalchemy.dialects import postgresql, sqlite

from ..bundles.keys import CentreKey, b64, unb64
from .db import CentralDB, metadata

__all__ = ["CentreIdentity", "centre_identity", "centre_keys"]

centre_keys = sa.Table(
    "centre_keys",
    metadata,
    sa.Column("slot", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("centre_id", sa.String(32), nullable=False),
    sa.Column("sign_key", sa.String(64), nullable=False),  # Ed25519 private, base64url raw
    sa.Column("box_key", sa.String(64), nullable=False),  # X25519 private, base64url raw
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

_RAW = (
    serialization.Encoding.Raw,
    serialization.PrivateFormat.Raw,
    serialization.NoEncryption(),
)


@dataclass(frozen=True)
class CentreIdentity:
    centre_id: str
    sign_key: Ed25519PrivateKey
    box_key: X25519PrivateKey

    @property
    def public(self) -> CentreKey:
        return CentreKey(self.centre_id, self.sign_key.public_key(), self.box_key.public_key())


def centre_identity(db: CentralDB) -> CentreIdentity:
    """The centre's identity, made now if it has none."""
    dialect = postgresql if db.dialect == "postgresql" else sqlite
    with db.engine.begin() as conn:
        conn.execute(
            dialect.insert(centre_keys)
            .values(
                slot=1,
                centre_id=secrets.token_hex(16),
                sign_key=b64(Ed25519PrivateKey.generate().private_bytes(*_RAW)),
                box_key=b64(X25519PrivateKey.generate().private_bytes(*_RAW)),
                created_at=db.db_time(datetime.now(UTC)),
            )
            .on_conflict_do_nothing()
        )
        row = conn.execute(sa.select(centre_keys).where(centre_keys.c.slot == 1)).one()
    return CentreIdentity(
        str(row.centre_id),
        Ed25519PrivateKey.from_private_bytes(unb64(row.sign_key)),
        X25519PrivateKey.from_private_bytes(unb64(row.box_key)),
    )
