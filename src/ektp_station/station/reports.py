"""Reports for supervisors: what the station's dashboard shows, read in one go (a few short
index reads; run it off the GUI thread)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ..store import Queue, QueueStatus
from ..store.queries import OldestEntry, captured_by_operator, hourly_activity, oldest_unsynced

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
    )
