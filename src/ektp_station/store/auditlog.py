"""The audit trail: who captured, edited, resent or discarded which entry, and when."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, insert

from .schema import audit

__all__ = ["write_audit"]


def write_audit(
    conn: Connection,
    seq: int,
    actor: str,
    action: str,
    detail: Mapping[str, Any] | None,
    at: str,
) -> None:
    """Add one event in the caller's transaction. ``detail`` never holds personal data."""
    conn.execute(
        insert(audit).values(
            entry_seq=seq,
            at=at,
            actor=actor,
            action=action,
            detail=json.dumps(dict(detail), ensure_ascii=False) if detail else None,
        )
    )
