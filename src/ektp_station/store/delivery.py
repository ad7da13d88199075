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
from .parts import deliver_if_done, hold_for_parts
from .schema import entries, meta, parts
from .states import State

__all__ = ["LAST_SYNC_KEY", "apply", "apply_carried", "claim", "recover"]

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


def apply_carried(
    conn: Connection,
    owner: str,
    carried: Sequence[tuple[int, Outcome]],
    verified: Sequence[tuple[str, str, str]],
) -> dict[str, int]:
    """A bundle's receipt (bundles/receipt.py), as if its replies had come over the network.

    ``carried``: (revision carried, outcome) per entry. An outcome applies to an entry still
    ``pending`` at that revision: it is claimed by ``owner`` and :func:`apply` takes it from
    there, so the states move as the engine moves them. An entry sent online meanwhile, being
    sent now, corrected since (a newer revision waits) or withdrawn is left as it is.
    ``verified``: (entry id, part, sha256) the centre verified; a part still holding that
    image is marked verified, and an entry whose parts are all in becomes ``synced``.

    Returns the carried entries' states after (and "unchanged": left as they were)."""
    now = utc_now_iso()
    ids = [o.entry_id for _revision, o in carried] + [entry_id for entry_id, _p, _s in verified]
    found: dict[str, tuple[int, int, str]] = {}
    for start in range(0, len(ids), 500):
        rows = conn.execute(
            select(entries.c.entry_id, entries.c.seq, entries.c.revision, entries.c.state).where(
                entries.c.entry_id.in_(ids[start : start + 500])
            )
        )
        found.update({str(r.entry_id): (int(r.seq), int(r.revision), str(r.state)) for r in rows})
    taking = [
        o
        for revision, o in carried
        if (row := found.get(o.entry_id)) is not None
        and row[1] == revision
        and row[2] == State.PENDING.value
    ]
    if taking:
        seqs = [found[o.entry_id][0] for o in taking]
        for start in range(0, len(seqs), 500):
            conn.execute(
                update(entries)
                .where(
                    entries.c.seq.in_(seqs[start : start + 500]),
                    entries.c.state == State.PENDING.value,
                )
                .values(state=State.SENDING.value, claimed_by=owner, claimed_at=now)
            )
        apply(conn, owner, taking)
        for seq in seqs:
            write_audit(conn, seq, "central", "carried", {"by": owner}, now)
    touched: set[int] = set()
    parts_changed = 0
    for entry_id, part, sha256 in verified:
        if (row := found.get(entry_id)) is None:
            continue
        changed = conn.execute(
            update(parts)
            .where(
                parts.c.entry_seq == row[0],
                parts.c.part == part,
                parts.c.sha256 == sha256,
                parts.c.verified_at.is_(None),
            )
            .values(verified_at=now, acked=parts.c.size)
        ).rowcount
        if changed:
            touched.add(row[0])
            parts_changed += changed
    for seq in sorted(touched):
        deliver_if_done(conn, seq, now)
    counts = {"synced": 0, "uploading": 0, "rejected": 0, "conflict": 0, "unchanged": 0}
    taken = {o.entry_id for o in taking}
    seq_list = [found[o.entry_id][0] for _r, o in carried if o.entry_id in found]
    states: dict[int, str] = {}
    for start in range(0, len(seq_list), 500):
        rows = conn.execute(
            select(entries.c.seq, entries.c.state).where(
                entries.c.seq.in_(seq_list[start : start + 500])
            )
        )
        states.update({int(r.seq): str(r.state) for r in rows})
    counts["withdrawn_here"] = 0  # withdrawn here, yet stored there from the bundle
    for _revision, o in carried:
        row = found.get(o.entry_id)
        if row is not None and row[2] == State.DISCARDED.value and o.state is State.SYNCED:
            counts["withdrawn_here"] += 1
        state = states.get(row[0]) if row is not None else None
        if row is None or (o.entry_id not in taken and row[0] not in touched):
            counts["unchanged"] += 1
        elif state in ("synced", "uploading", "rejected", "conflict"):
            counts[state] += 1
        else:  # only its parts moved (corrected since: its new revision waits)
            counts["unchanged"] += 1
    counts["parts_verified"] = parts_changed
    return counts
