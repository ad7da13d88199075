"""One queued registration as the rest of the program sees it."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..timeutil import parse_utc
from .states import MUST_RETURN, State

__all__ = ["AuditEvent", "Entry", "Outcome"]


@dataclass(frozen=True)
class Entry:
    seq: int
    entry_id: str
    station_id: str
    operator: str
    captured_at: datetime
    record: dict[str, str | None]
    state: State
    attempts: int = 0
    last_error: str | None = None
    errors: list[dict[str, str]] = field(default_factory=list)
    server_ref: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    synced_at: datetime | None = None
    revision: int = 1  # 1 at capture, +1 per correction; travels with the entry
    #: When its personal data was purged (retention); the record then holds the masked NIK.
    purged_at: datetime | None = None
    #: The centre's decision once delivered whole with its parts (store/enrolment.py):
    #: None (biodata only, or not yet), "due", "print_ready", "duplicate", "adjudication".
    enrolment: str | None = None
    enrolment_reason: str | None = None

    @property
    def must_return(self) -> bool:
        """The centre's decision sends the resident back to the counter (perlu rekam ulang)."""
        return self.enrolment in MUST_RETURN

    @classmethod
    def from_row(cls, row: Mapping[Any, Any]) -> Entry:
        def when(value: str | None) -> datetime | None:
            return parse_utc(value) if value else None

        return cls(
            seq=row["seq"],
            entry_id=row["entry_id"],
            station_id=row["station_id"],
            operator=row["operator"],
            captured_at=parse_utc(row["captured_at"]),
            record=json.loads(row["record"]),
            state=State(row["state"]),
            attempts=row["attempts"],
            last_error=row["last_error"],
            errors=json.loads(row["errors"]) if row["errors"] else [],
            server_ref=row["server_ref"],
            created_at=when(row["created_at"]),
            updated_at=when(row["updated_at"]),
            synced_at=when(row["synced_at"]),
            revision=row.get("revision") or 1,
            purged_at=when(row.get("purged_at")),
            enrolment=row.get("enrolment"),
            enrolment_reason=row.get("enrolment_reason"),
        )


@dataclass(frozen=True)
class Outcome:
    """What became of one sent entry: the sync engine's verdict, applied by the queue."""

    entry_id: str
    state: State  # SYNCED, REJECTED, CONFLICT, or PENDING (try again)
    server_ref: str | None = None
    errors: tuple[Mapping[str, str], ...] = ()
    last_error: str | None = None


@dataclass(frozen=True)
class AuditEvent:
    entry_seq: int
    at: datetime
    actor: str
    action: str
    detail: dict[str, Any]
