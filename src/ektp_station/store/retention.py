"""Retention: the personal data of an entry is kept only as long as the station needs it.

Once the centre confirmed an entry (``synced``, or a conflict ``resolved``) or it was withdrawn
(``discarded``), and ``retention-days`` have passed since, :func:`purge` replaces its record by
the masked NIK alone and drops the centre's field errors; the entry's id, number, reference,
state, revision, times and audit trail stay, so every count and the history stay right, and
the NIK's keyed digest stays so that the same resident is still known as recorded here. The
entry then carries ``purged_at``; the audit trail has a ``purged`` event.
"""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import Connection, and_, or_, select, update

from ..domain import mask_nik
from ..timeutil import format_utc
from .auditlog import write_audit
from .schema import entries
from .states import State

__all__ = ["PURGEABLE", "PURGE_BATCH", "purge_batch", "purged_record"]

#: Entries purged per write transaction (saves at the counter wait at most one batch).
PURGE_BATCH = 500
PURGEABLE = (State.SYNCED, State.RESOLVED, State.DISCARDED)


def purged_record(record: dict[str, object]) -> dict[str, str | None]:
    """What stays of a record: the NIK, masked."""
    nik = record.get("nik")
    return {"nik": mask_nik(str(nik)) if nik else None}


def purge_batch(conn: Connection, *, cutoff: datetime, now: datetime, actor: str) -> list[int]:
    """Purge up to PURGE_BATCH entries finished before ``cutoff``; their numbers."""
    limit = format_utc(cutoff)
    confirmed = and_(
        entries.c.state == State.SYNCED.value,
        entries.c.synced_at <= limit,
        # the centre's decision is asked with the parts' hashes: kept until it is in
        or_(entries.c.enrolment.is_(None), entries.c.enrolment != "due"),
    )
    finished = and_(
        entries.c.state.in_([State.RESOLVED.value, State.DISCARDED.value]),
        entries.c.updated_at <= limit,
    )
    rows = conn.execute(
        select(entries.c.seq, entries.c.record, entries.c.state)
        .where(entries.c.purged_at.is_(None), or_(confirmed, finished))
        .order_by(entries.c.seq)
        .limit(PURGE_BATCH)
    ).all()
    stamp = format_utc(now)
    for seq, record, state in rows:
        kept = purged_record(json.loads(record))
        conn.execute(
            update(entries)
            .where(entries.c.seq == seq)
            .values(record=json.dumps(kept), errors=None, purged_at=stamp)
        )
        write_audit(conn, seq, actor, "purged", {"state": state}, stamp)
    return [int(seq) for seq, _record, _state in rows]
