"""Read-only queries for the station window's queue list and dashboard (no Qt here).

Each function is one short read transaction whose cost does not grow with the size of the
queue, except the searches (see :func:`page_seqs`) and :func:`hourly_activity`'s synced count.

* Pages are keyset pages by ``seq``, newest first, over the primary key or the
  ``(state, seq)`` index.
* "Today" counts use the ``(state, captured_at)`` index: ``state IN (every state)`` lets SQLite
  range-scan it once per state.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Integer, and_, case, cast, func, literal, select

from ..domain import clean_nik
from ..domain.biometrics import PARTS
from ..timeutil import format_utc, parse_utc
from .db import reading
from .queue import Queue
from .schema import entries, parts
from .states import MUST_RETURN, UNSYNCED, State

__all__ = [
    "EntrySummary",
    "OldestEntry",
    "captured_by_operator",
    "entry_summaries",
    "hourly_activity",
    "oldest_unsynced",
    "page_seqs",
    "search_condition",
]

_ALL_STATES = [s.value for s in State]


@dataclass(frozen=True, slots=True)
class EntrySummary:
    """What one line of the queue list shows (the record's NIK and name, nothing else)."""

    seq: int
    state: State
    captured_at: datetime
    operator: str
    nik: str
    full_name: str
    last_error: str | None
    error_field: str | None  # the centre's first field error, if any
    error_message: str | None
    purged: bool = False  # its personal data was removed after retention
    enrolment: str | None = None  # the centre's decision (store/enrolment.py)
    enrolment_reason: str | None = None
    #: biometric parts still to be taken (a recording saved incomplete, or a part whose file
    #: was lost here): "Lengkapi biometrik" finishes it; -1: biodata only, no part at all
    parts_missing: int = 0


@dataclass(frozen=True, slots=True)
class OldestEntry:
    seq: int
    state: State
    captured_at: datetime


def search_condition(text: str) -> ColumnElement[bool] | None:
    """NIK digits (anywhere in the NIK, so the last four of a masked NIK find it) or a part of
    the name, case-insensitive. None when ``text`` is blank.

    A ``LIKE`` over the raw JSON text first narrows the scan cheaply (no JSON parsing per row);
    ``json_extract`` then checks the right field of the rows that pass.
    """
    text = text.strip()
    if not text:
        return None
    digits = clean_nik(text)
    if digits.isdigit():
        field, needle = "$.nik", digits
        exact = func.instr(func.json_extract(entries.c.record, field), needle) > 0
    else:
        needle = " ".join(text.upper().split())
        field_value = func.upper(func.json_extract(entries.c.record, "$.full_name"))
        exact = func.instr(field_value, needle) > 0
    if '"' in needle or "\\" in needle:  # escaped inside the JSON text: no raw pre-filter
        return exact
    pattern = "%" + needle.replace("^", "^^").replace("%", "^%").replace("_", "^_") + "%"
    return and_(entries.c.record.like(pattern, escape="^"), exact)


def page_seqs(
    queue: Queue,
    *,
    state: State | None = None,
    search: str = "",
    must_return: bool = False,
    before_seq: int | None = None,
    after_seq: int | None = None,
    limit: int = 200,
) -> list[int]:
    """Entry numbers, newest first: at most ``limit`` below ``before_seq`` (the next page), or
    all above ``after_seq`` (entries added since), filtered by state and search text, and to
    the residents who must come back (``must_return``: the centre's decision)."""
    query = select(entries.c.seq)
    if state is not None:
        query = query.where(entries.c.state == state.value)
    if must_return:
        query = query.where(entries.c.enrolment.in_(MUST_RETURN))
    condition = search_condition(search)
    if condition is not None:
        query = query.where(condition)
    if before_seq is not None:
        query = query.where(entries.c.seq < before_seq)
    if after_seq is not None:
        query = query.where(entries.c.seq > after_seq)
    query = query.order_by(entries.c.seq.desc()).limit(limit)
    with reading(queue.engine) as conn:
        return [int(s) for s in conn.execute(query).scalars()]


def _parts_missing() -> ColumnElement[int]:
    """Per entry: the parts a recording saved incomplete lacks (it has 1–13 of the 14),
    plus the parts whose file was lost here; -1 for an entry without any part (biodata
    only). Two probes of the parts' primary key."""
    of_entry = parts.c.entry_seq == entries.c.seq
    taken = select(func.count()).where(of_entry).scalar_subquery()
    lost = select(func.count()).where(of_entry, parts.c.lost_at.is_not(None)).scalar_subquery()
    return case(
        (taken == 0, -1),
        (taken < len(PARTS), len(PARTS) - taken + lost),
        else_=lost,
    )


def entry_summaries(queue: Queue, seqs: Iterable[int]) -> dict[int, EntrySummary]:
    """The list's columns for these entries (one query; unknown numbers are left out)."""
    wanted = sorted(set(seqs))
    if not wanted:
        return {}
    query = select(
        entries.c.seq,
        entries.c.state,
        entries.c.captured_at,
        entries.c.operator,
        func.json_extract(entries.c.record, "$.nik"),
        func.json_extract(entries.c.record, "$.full_name"),
        entries.c.last_error,
        func.json_extract(entries.c.errors, "$[0].field"),
        func.json_extract(entries.c.errors, "$[0].message"),
        entries.c.purged_at,
        entries.c.enrolment,
        entries.c.enrolment_reason,
        _parts_missing(),
    ).where(entries.c.seq.in_(wanted))
    with reading(queue.engine) as conn:
        rows = conn.execute(query).all()
    return {
        int(r[0]): EntrySummary(
            seq=int(r[0]),
            state=State(r[1]),
            captured_at=parse_utc(r[2]),
            operator=r[3],
            nik=str(r[4] or ""),
            full_name=str(r[5] or ""),
            last_error=r[6],
            error_field=r[7],
            error_message=r[8],
            purged=r[9] is not None,
            enrolment=r[10],
            enrolment_reason=r[11],
            parts_missing=int(r[12] if r[12] is not None else 0),
        )
        for r in rows
    }


def oldest_unsynced(queue: Queue) -> OldestEntry | None:
    """The unsynced entry captured first (one index probe per unsynced state)."""
    found: list[OldestEntry] = []
    with reading(queue.engine) as conn:
        for state in sorted(UNSYNCED):
            row = conn.execute(
                select(entries.c.seq, entries.c.captured_at)
                .where(entries.c.state == state.value)
                .order_by(entries.c.captured_at)
                .limit(1)
            ).first()
            if row is not None:
                found.append(OldestEntry(int(row.seq), state, parse_utc(row.captured_at)))
    return min(found, key=lambda e: (e.captured_at, e.seq), default=None)


def captured_by_operator(queue: Queue, since: datetime) -> list[tuple[str, int]]:
    """Entries captured at or after ``since`` per operator, most first."""
    n = func.count().label("n")
    query = (
        select(entries.c.operator, n)
        .where(entries.c.state.in_(_ALL_STATES), entries.c.captured_at >= format_utc(since))
        .group_by(entries.c.operator)
        .order_by(n.desc(), entries.c.operator)
    )
    with reading(queue.engine) as conn:
        return [(str(op), int(count)) for op, count in conn.execute(query)]


def hourly_activity(queue: Queue, since: datetime, hours: int = 24) -> tuple[list[int], list[int]]:
    """Entries captured and entries synced in each hour from ``since`` (e.g. local midnight).

    Hours are counted from ``since`` itself, so any UTC offset works. The synced count reads
    the partial index on ``synced_at`` (schema v4; only synced entries have one).
    """
    start = format_utc(since)

    def hour_of(column: ColumnElement[str | None]) -> ColumnElement[int]:
        return cast((func.julianday(column) - func.julianday(literal(start))) * 24, Integer)

    captured = [0] * hours
    synced = [0] * hours
    with reading(queue.engine) as conn:
        bucket = hour_of(entries.c.captured_at)
        for hour, count in conn.execute(
            select(bucket, func.count())
            .where(entries.c.state.in_(_ALL_STATES), entries.c.captured_at >= start)
            .group_by(bucket)
        ):
            if 0 <= hour < hours:
                captured[hour] = int(count)
        bucket = hour_of(entries.c.synced_at)
        for hour, count in conn.execute(
            select(bucket, func.count()).where(entries.c.synced_at >= start).group_by(bucket)
        ):
            if 0 <= hour < hours:
                synced[hour] = int(count)
    return captured, synced
