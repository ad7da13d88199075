"""Delivery-side queue operations, each run inside one caller-supplied write transaction.

A claim marks the oldest pending entries ``sending`` with the claimer's name; results are
applied only to entries still claimed by that same owner, so a late or duplicated reply can
never overwrite what another engine (or a recovery) did since.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence

from sqlalchemy import Connection, and_, bindparam, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..timeutil import utc_now_iso
from .auditlog import write_audit
from .entry import Entry, Outcome
from .parts import hold_for_parts
from .schema import entries, meta
from .states import State

__all__ = ["LAST_SYNC_KEY", "apply", "claim", "recover"]

log = logging.getLogger(__name__)

LAST_SYNC_KEY = "last_sync_at"
_RESULT_STATES = frozenset({State.SYNCED, State.REJECTED, State.CONFLICT, State.PENDING})


def claim(conn: Connection, owner: str, limit: int) -> list[Entry]:
    now = utc_now_iso()
    seqs = list(
        conn.execute(
            select(entries.c.seq)
            .where(entries.c.state == State.PENDING.value)
            .order_by(entries.c.seq)
            .limit(limit)
        ).scalars()
    )
    if not seqs:
        return []
    conn.execute(
        update(entries)
        .where(entries.c.seq.in_(seqs))
        .values(
            state=State.SENDING.value,
            attempts=entries.c.attempts + 1,
            claimed_by=owner,
            claimed_at=now,
            updated_at=now,
        )
    )
    rows = conn.execute(select(entries).where(entries.c.seq.in_(seqs)).order_by(entries.c.seq))
    return [Entry.from_row(r) for r in rows.mappings()]


def apply(conn: Connection, owner: str, outcomes: Sequence[Outcome]) -> int:
    """Apply per-entry results; returns how many entries changed state."""
    if not outcomes:
        return 0
    now = utc_now_iso()
    for outcome in outcomes:
        if outcome.state not in _RESULT_STATES:
            raise ValueError(f"not a result state: {outcome.state}")
    statement = (
        update(entries)
        .where(
            and_(
                entries.c.entry_id == bindparam("b_entry_id"),
                entries.c.state == State.SENDING.value,
                entries.c.claimed_by == owner,
            )
        )
        .values(
            state=bindparam("b_state"),
            server_ref=bindparam("b_server_ref"),
            errors=bindparam("b_errors"),
            last_error=bindparam("b_last_error"),
            synced_at=bindparam("b_synced_at"),
            claimed_by=None,
            claimed_at=None,
            updated_at=now,
        )
    )
    # Which verdicts will apply: only entries still claimed by this owner. Read in the same
    # write transaction, so nothing can change in between; the audit and "last sync" follow
    # what really changed, never a late or duplicated reply.
    ids = [o.entry_id for o in outcomes]
    seq_of: dict[str, int] = {}
    for start in range(0, len(ids), 500):
        rows = conn.execute(
            select(entries.c.entry_id, entries.c.seq).where(
                entries.c.entry_id.in_(ids[start : start + 500]),
                entries.c.state == State.SENDING.value,
                entries.c.claimed_by == owner,
            )
        )
        seq_of.update({str(entry_id): int(seq) for entry_id, seq in rows})
    applying = [o for o in outcomes if o.entry_id in seq_of]
    if len(applying) != len(outcomes):
        log.warning(
            "%d of %d results were for entries no longer claimed by this engine",
            len(outcomes) - len(applying),
            len(outcomes),
        )
    if not applying:
        return 0
    params = [
        {
            "b_entry_id": o.entry_id,
            "b_state": o.state.value,
            "b_server_ref": o.server_ref,
            "b_errors": json.dumps([dict(e) for e in o.errors], ensure_ascii=False)
            if o.errors
            else None,
            "b_last_error": o.last_error,
            "b_synced_at": now if o.state is State.SYNCED else None,
        }
        for o in applying
    ]
    changed = int(conn.execute(statement, params).rowcount)
    # taken by the centre, but with biometric parts still to send: not delivered yet
    hold_for_parts(conn, [seq_of[o.entry_id] for o in applying if o.state is State.SYNCED], now)
    for o in applying:
        if o.state in (State.REJECTED, State.CONFLICT):
            codes = sorted({str(e.get("code", "")) for e in o.errors})
            write_audit(conn, seq_of[o.entry_id], "central", o.state.value, {"codes": codes}, now)
    if any(o.state is State.SYNCED for o in applying):
        conn.execute(
            sqlite_insert(meta)
            .values(key=LAST_SYNC_KEY, value=now)
            .on_conflict_do_update(index_elements=[meta.c.key], set_={"value": now})
        )
    return changed


def recover(conn: Connection) -> int:
    """Put every ``sending`` entry back to ``pending`` (call only while holding the sync lock
    or after taking it: then no live engine owns a claim)."""
    now = utc_now_iso()
    rows = list(
        conn.execute(select(entries.c.seq).where(entries.c.state == State.SENDING.value)).scalars()
    )
    if not rows:
        return 0
    conn.execute(
        update(entries)
        .where(entries.c.state == State.SENDING.value)
        .values(state=State.PENDING.value, claimed_by=None, claimed_at=None, updated_at=now)
    )
    for seq in rows:
        write_audit(conn, seq, "system", "recovered", {"from": State.SENDING.value}, now)
    log.info("recovered %d entries left in sending by a stopped process", len(rows))
    return len(rows)
