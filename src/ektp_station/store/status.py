"""Counts for supervisors: per state, per station and operator, and the oldest unsynced entry.

Reads the trigger-maintained ``state_counts`` table and one index probe per unsynced state, so
the cost does not grow with the size of the queue.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, select

from ..timeutil import format_utc, parse_utc
from .delivery import LAST_SYNC_KEY
from .enrolment import enrolment_counts
from .parts import pending_totals
from .schema import entries, meta, state_counts
from .states import DECIDED, MUST_RETURN, UNSYNCED, State

__all__ = ["OperatorCounts", "QueueStatus", "read_status"]


def _zero_counts() -> dict[str, int]:
    return {s.value: 0 for s in State}


@dataclass(frozen=True)
class OperatorCounts:
    station_id: str
    operator: str
    counts: dict[str, int] = field(default_factory=_zero_counts)

    @property
    def unsynced(self) -> int:
        return sum(self.counts[s.value] for s in UNSYNCED)


@dataclass(frozen=True)
class QueueStatus:
    counts: dict[str, int]
    oldest_unsynced_at: datetime | None
    last_sync_at: datetime | None
    operators: list[OperatorCounts]
    #: biometric parts the centre has not verified yet, and their bytes not yet acknowledged
    attachments_pending: int = 0
    bytes_pending: int = 0
    #: the centre's decisions on entries delivered whole with their parts ("due": not asked
    #: yet; store/enrolment.py)
    enrolments: dict[str, int] = field(default_factory=lambda: dict.fromkeys(("due", *DECIDED), 0))

    @property
    def must_return(self) -> int:
        """Residents the centre's decision sends back to the counter (perlu rekam ulang)."""
        return sum(self.enrolments.get(status, 0) for status in MUST_RETURN)

    @property
    def unsynced(self) -> int:
        return sum(self.counts[s.value] for s in UNSYNCED)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def to_json(self) -> dict[str, Any]:
        """The stable JSON of ``queue status --json``."""

        def iso(moment: datetime | None) -> str | None:
            return format_utc(moment) if moment else None

        return {
            **self.counts,
            "total": self.total,
            "unsynced": self.unsynced,
            "oldest_unsynced_at": iso(self.oldest_unsynced_at),
            "last_sync_at": iso(self.last_sync_at),
            "attachments_pending": self.attachments_pending,
            "bytes_pending": self.bytes_pending,
            "enrolments": dict(self.enrolments),
            "print_ready": self.enrolments.get("print_ready", 0),
            "must_return": self.must_return,
            "operators": [
                {"station_id": o.station_id, "operator": o.operator, **o.counts}
                for o in self.operators
            ],
        }


def read_status(conn: Connection) -> QueueStatus:
    counts = _zero_counts()
    by_operator: dict[tuple[str, str], OperatorCounts] = {}
    rows = conn.execute(
        select(
            state_counts.c.station_id,
            state_counts.c.operator,
            state_counts.c.state,
            state_counts.c.n,
        ).where(state_counts.c.n != 0)
    )
    for station_id, operator, state, n in rows:
        counts[state] += n
        key = (station_id, operator)
        if key not in by_operator:
            by_operator[key] = OperatorCounts(station_id, operator)
        by_operator[key].counts[state] += n
    oldest: str | None = None
    for state in sorted(UNSYNCED):
        # MIN over the (state, captured_at) index: one probe each
        first = conn.execute(
            select(func.min(entries.c.captured_at)).where(entries.c.state == state.value)
        ).scalar()
        if first is not None and (oldest is None or first < oldest):
            oldest = first
    last_sync = conn.execute(select(meta.c.value).where(meta.c.key == LAST_SYNC_KEY)).scalar()
    waiting = pending_totals(conn)  # the partial index of unverified parts: the waiting ones
    return QueueStatus(
        counts=counts,
        oldest_unsynced_at=parse_utc(oldest) if oldest else None,
        last_sync_at=parse_utc(last_sync) if last_sync else None,
        operators=[by_operator[k] for k in sorted(by_operator)],
        attachments_pending=waiting.parts,
        bytes_pending=waiting.bytes,
        enrolments=enrolment_counts(conn),  # the partial index of entries with parts
    )
