"""The centre's decision on an entry delivered whole with its parts (schema v10).

When an entry's last part is verified, ``store.parts.deliver_if_done`` makes it ``synced``
with ``enrolment = 'due'``: the engine then asks the centre's pipeline (central/enrolments.py,
a stand-in for the national AFIS) and keeps its answer here — ``print_ready``, ``duplicate``
or ``adjudication``, with a reason code. Operators and supervisors see the answer: the first
can be printed, the other two must come back ("perlu rekam ulang").
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, select, update

from .parts import parts_of
from .schema import enrolment_counts as counts_table
from .schema import entries
from .states import DECIDED, MUST_RETURN

__all__ = [
    "EnrolmentDue",
    "enrolment_counts",
    "must_return",
    "next_enrolment",
    "record_enrolment",
]


@dataclass(frozen=True)
class EnrolmentDue:
    seq: int
    entry_id: str
    parts: dict[str, str]  # part -> sha256
    exceptions: dict[str, str]  # part -> reason


def next_enrolment(conn: Connection, *, after: int = 0) -> EnrolmentDue | None:
    """The oldest entry whose decision is to be asked (after entry ``after``)."""
    row = conn.execute(
        select(entries.c.seq, entries.c.entry_id)
        .where(entries.c.enrolment == "due", entries.c.seq > after)
        .order_by(entries.c.seq)
        .limit(1)
    ).first()
    if row is None:
        return None
    rows = parts_of(conn, int(row.seq))
    return EnrolmentDue(
        int(row.seq),
        str(row.entry_id),
        {p.part: p.sha256 for p in rows if p.sha256 is not None},
        {p.part: p.reason for p in rows if p.reason is not None},
    )


def record_enrolment(conn: Connection, seq: int, status: str, reason: str | None, at: str) -> bool:
    """Keep the centre's decision on entry ``seq``; False when it was not due (any more)."""
    if status not in DECIDED:
        raise ValueError(f"unknown enrolment status {status!r}")
    done = conn.execute(
        update(entries)
        .where(entries.c.seq == seq, entries.c.enrolment == "due")
        .values(enrolment=status, enrolment_reason=reason, enrolment_at=at)
    ).rowcount
    return bool(done)


def enrolment_counts(conn: Connection) -> dict[str, int]:
    """Entries by the centre's decision ("due": not asked yet), from the counts the
    triggers keep (schema v10)."""
    rows = conn.execute(select(counts_table.c.status, counts_table.c.n)).all()
    found = {str(status): int(n) for status, n in rows}
    return {s: found.get(s, 0) for s in ("due", *DECIDED)}


def must_return(conn: Connection, limit: int = 500) -> list[int]:
    """Entries whose residents must come back (duplicate, adjudication), oldest first."""
    rows = conn.execute(
        select(entries.c.seq)
        .where(entries.c.enrolment.in_(MUST_RETURN))
        .order_by(entries.c.seq)
        .limit(limit)
    )
    return [int(seq) for seq in rows.scalars()]
