"""What ingest reads back of the rows already stored: the ``registrations`` row under an entry
id or a NIK (what classification needs of it), and the content hashes of superseded
revisions in ``registration_revisions``."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from .db import registration_revisions, registrations

__all__ = ["Stored", "history_hashes", "rows_by"]

CHUNK = 400  # keys per IN (...) list


@dataclass(frozen=True, slots=True)
class Stored:
    """What classification needs of a ``registrations`` row."""

    entry_id: str
    nik: str
    station_id: str
    content_hash: str
    reference: str
    revision: int
    captured_at: datetime | None = None


_STORED_COLUMNS = (
    registrations.c.entry_id,
    registrations.c.nik,
    registrations.c.station_id,
    registrations.c.content_hash,
    registrations.c.reference,
    registrations.c.revision,
    registrations.c.captured_at,
)


def rows_by(conn: sa.Connection, column: sa.Column[Any], keys: Sequence[str]) -> dict[str, Stored]:
    """The stored rows whose ``column`` is one of ``keys``, by that value."""
    found: dict[str, Stored] = {}
    wanted = sorted(set(keys))
    for start in range(0, len(wanted), CHUNK):
        chunk = wanted[start : start + CHUNK]
        for row in conn.execute(sa.select(*_STORED_COLUMNS).where(column.in_(chunk))):
            stored = Stored(
                entry_id=row.entry_id,
                nik=row.nik,
                station_id=row.station_id,
                content_hash=row.content_hash,
                reference=row.reference,
                revision=int(row.revision),
                captured_at=row.captured_at,
            )
            found[row._mapping[column.name]] = stored
    return found


def history_hashes(
    conn: sa.Connection, wanted_keys: Iterable[tuple[str, int]]
) -> dict[tuple[str, int], str]:
    """Content hash of each stored superseded (entry id, revision) asked for."""
    wanted = set(wanted_keys)
    found: dict[tuple[str, int], str] = {}
    ids = sorted({entry_id for entry_id, _ in wanted})
    h = registration_revisions.c
    for start in range(0, len(ids), CHUNK):
        query = sa.select(h.entry_id, h.revision, h.content_hash).where(
            h.entry_id.in_(ids[start : start + CHUNK])
        )
        for row in conn.execute(query):
            key = (str(row.entry_id), int(row.revision))
            if key in wanted:
                found[key] = str(row.content_hash)
    return found
