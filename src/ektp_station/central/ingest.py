"""Idempotent batch ingest: validate, insert by the unique constraints, classify from storage.

Entries are inserted with ``INSERT ... ON CONFLICT DO NOTHING`` (no check-then-insert), so two
requests racing with the same entry id or NIK, in one process or several, leave one row. Each
entry is then classified from what is stored:

- the row with this entry id has this content hash -> ``accepted`` (inserted now) or
  ``already_accepted`` (inserted earlier), with the stored reference;
- the row with this entry id has another hash -> ``conflict`` / ``id_reused``;
- no row with this id, but one with this NIK -> ``conflict`` / ``nik_recorded``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from ektp_station.domain import normalise, validate
from ektp_station.domain.problems import Severity
from ektp_station.sync.protocol import (
    BatchEntry,
    BatchRequest,
    EntryResult,
    FieldError,
    content_hash,
)

from .db import CentralDB, registrations, stations

__all__ = ["Ingestor", "reference_for"]

log = logging.getLogger(__name__)

REFERENCE_PREFIX = "DPK-"


def reference_for(entry_id: str) -> str:
    """The centre's reference for an entry: stable, derived from its id, 80 bits.

    ``DPK-`` + 16 base32 characters of sha256(entry_id) in groups of four,
    e.g. ``DPK-7Q2M-XK4C-J9RA-B3TD``.
    """
    digest = hashlib.sha256(entry_id.encode("ascii")).digest()[:10]
    text = base64.b32encode(digest).decode("ascii")
    return REFERENCE_PREFIX + "-".join(text[i : i + 4] for i in range(0, 16, 4))


@dataclass(frozen=True, slots=True)
class _Prepared:
    entry: BatchEntry
    hash: str
    record: dict[str, str | None]
    errors: list[FieldError]


class Ingestor:
    """Applies one batch in one transaction; thread-safe (each call uses its own connection)."""

    def __init__(self, db: CentralDB, *, today: Callable[[], date] | None = None) -> None:
        self.db = db
        self._today = today or (lambda: datetime.now().astimezone().date())

    def _prepare(self, station_id: str, entry: BatchEntry, today: date) -> _Prepared:
        record = normalise(entry.record)
        problems = validate(record, today=today, area=None, normalised=True)
        errors = [
            FieldError(field=p.field, code=p.code, message=p.message("id"))
            for p in problems
            if p.severity is Severity.ERROR
        ]
        digest = content_hash(
            station_id=station_id,
            operator=entry.operator,
            captured_at=entry.captured_at,
            record=record,
            normalised=True,
        )
        return _Prepared(entry=entry, hash=digest, record=record, errors=errors)

    def _insert(self) -> Any:
        dialect = postgresql if self.db.dialect == "postgresql" else sqlite
        return dialect.insert(registrations).on_conflict_do_nothing()

    def ingest(self, station_id: str, batch: BatchRequest) -> list[EntryResult]:
        """Store what is new, answer every entry of ``batch`` (in its order)."""
        now = datetime.now(UTC)
        today = self._today()
        prepared = [self._prepare(station_id, e, today) for e in batch.entries]
        valid = [p for p in prepared if not p.errors]
        db_time = self.db.db_time
        rows: list[dict[str, Any]] = [
            {
                "entry_id": p.entry.entry_id,
                "nik": p.record.get("nik") or "",
                "station_id": station_id,
                "operator": p.entry.operator,
                "captured_at": db_time(p.entry.captured_at),
                "received_at": db_time(now),
                "content_hash": p.hash,
                "record": json.dumps(p.record, sort_keys=True, ensure_ascii=False),
                "reference": reference_for(p.entry.entry_id),
            }
            for p in valid
        ]
        skew = (batch.station_time - now).total_seconds()
        with self.db.engine.begin() as conn:
            # First statement writes: on SQLite the transaction holds the write lock from here.
            conn.execute(
                sa.update(stations)
                .where(stations.c.station_id == station_id)
                .values(
                    last_seen_at=db_time(now),
                    reported_pending=batch.backlog.pending,
                    reported_oldest_unsynced_at=db_time(batch.backlog.oldest_unsynced_at),
                    clock_skew_seconds=skew,
                )
            )
            inserted: set[str] = set()
            if rows:  # RETURNING names the rows this statement inserted (insertmanyvalues)
                stmt = self._insert().returning(registrations.c.entry_id)
                inserted.update(conn.execute(stmt, rows).scalars())
            by_id = self._rows_by(
                conn, registrations.c.entry_id, [p.entry.entry_id for p in prepared]
            )
            by_nik = self._rows_by(conn, registrations.c.nik, [r["nik"] for r in rows])
        results = [self._classify(p, inserted, by_id, by_nik) for p in prepared]
        counts = Counter(r.conflict or r.status for r in results)
        log.info(
            "batch from station %s: %d entries, %s",
            station_id,
            len(results),
            ", ".join(f"{k}={v}" for k, v in sorted(counts.items())),
        )
        return results

    @staticmethod
    def _rows_by(
        conn: sa.Connection, column: sa.Column[Any], keys: Sequence[str]
    ) -> dict[str, Any]:
        found: dict[str, Any] = {}
        keys = sorted(set(keys))
        for start in range(0, len(keys), 400):
            chunk = keys[start : start + 400]
            query = sa.select(
                registrations.c.entry_id,
                registrations.c.nik,
                registrations.c.content_hash,
                registrations.c.reference,
            ).where(column.in_(chunk))
            for row in conn.execute(query):
                found[row._mapping[column.name]] = row
        return found

    @staticmethod
    def _classify(
        p: _Prepared, inserted: set[str], by_id: dict[str, Any], by_nik: dict[str, Any]
    ) -> EntryResult:
        entry_id = p.entry.entry_id
        stored = by_id.get(entry_id)
        if stored is not None:
            if stored.content_hash != p.hash:
                return EntryResult(entry_id=entry_id, status="conflict", conflict="id_reused")
            if entry_id in inserted:
                return EntryResult(entry_id=entry_id, status="accepted", reference=stored.reference)
            return EntryResult(
                entry_id=entry_id, status="already_accepted", reference=stored.reference
            )
        if p.errors:
            return EntryResult(entry_id=entry_id, status="rejected", errors=p.errors)
        if by_nik.get(p.record.get("nik") or "") is not None:
            return EntryResult(entry_id=entry_id, status="conflict", conflict="nik_recorded")
        # Not stored under its id nor its NIK: only a reference collision (80 bits) gets here.
        log.error("entry %s was not stored and has no conflicting row", entry_id)
        raise RuntimeError(f"entry {entry_id} could not be stored")
