"""Reports for supervisors: what the station's dashboard shows, read in one go (a few short
index reads; run it off the GUI thread)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from ..store import Queue, QueueStatus
from ..store.queries import (
    EntrySummary,
    OldestEntry,
    captured_by_operator,
    entry_summaries,
    hourly_activity,
    oldest_unsynced,
)

__all__ = ["DashboardReport", "dashboard_report", "local_midnight"]


def local_midnight(now: datetime) -> datetime:
    """The start of ``now``'s day in the station's local time (an aware datetime)."""
    local = now.astimezone()
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


@dataclass(frozen=True, slots=True)
class DashboardReport:
    now: datetime
    status: QueueStatus
    oldest: OldestEntry | None
    by_operator: list[tuple[str, int]]  # captured today, most first
    captured_per_hour: list[int]  # today, from local midnight
    synced_per_hour: list[int]
    #: the first residents the centre's decision sends back to the counter, oldest first
    must_return: list[EntrySummary] = field(default_factory=list)


def dashboard_report(queue: Queue, now: datetime) -> DashboardReport:
    midnight = local_midnight(now)
    captured, synced = hourly_activity(queue, midnight)
    return DashboardReport(
        now=now,
        status=queue.status(),
        oldest=oldest_unsynced(queue),
        by_operator=captured_by_operator(queue, midnight),
        captured_per_hour=captured,
        synced_per_hour=synced,
        must_return=_must_return(queue),
    )


MUST_RETURN_SHOWN = 20


def _must_return(queue: Queue) -> list[EntrySummary]:
    seqs = queue.must_return(MUST_RETURN_SHOWN)
    found = entry_summaries(queue, seqs)
    return [found[seq] for seq in seqs if seq in found]
