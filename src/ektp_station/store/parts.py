"""The biometric parts of queued entries (table ``parts``, schema v8).

Each row is one part of one entry: captured (the image's sha256 and size; the file is in the
:class:`~.attachments.AttachmentStore`) or excepted (a reason code and maybe a note), never
both. The rows are written in the same transaction as their entry, after the files are
durable, so an entry never names a file that is not there. The upload's place at the centre
and the bytes it acknowledged are kept here too (the transfer resumes from them).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, bindparam, delete, func, select, update

from .schema import entries, parts
from .states import UNSYNCED

__all__ = [
    "INSERT_PART",
    "PartRow",
    "PartToSend",
    "PartTotals",
    "all_referenced",
    "delete_parts",
    "deliver_if_done",
    "hold_for_parts",
    "mark_lost",
    "mark_verified",
    "next_part",
    "part_values",
    "parts_of",
    "pending_totals",
    "record_progress",
    "replace_parts",
    "still_referenced",
]

INSERT_PART = (
    "INSERT INTO parts (entry_seq, part, sha256, size, media_type, reason, note, captured_at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)


@dataclass(frozen=True)
class PartRow:
    """One part of an entry: captured (``sha256``) or excepted (``reason``)."""

    part: str
    sha256: str | None = None
    size: int | None = None
    media_type: str | None = None
    reason: str | None = None
    note: str = ""
    acked: int = 0
    upload_url: str | None = None
    verified_at: str | None = None
    lost_at: str | None = None

    def __post_init__(self) -> None:
        if (self.sha256 is None) == (self.reason is None):
            raise ValueError("a part is either captured or excepted")

    @property
    def captured(self) -> bool:
        return self.sha256 is not None

    @classmethod
    def from_row(cls, row: Any) -> PartRow:
        return cls(
            part=row.part,
            sha256=row.sha256,
            size=row.size,
            media_type=row.media_type,
            reason=row.reason,
            note=row.note or "",
            acked=row.acked,
            upload_url=row.upload_url,
            verified_at=row.verified_at,
            lost_at=row.lost_at,
        )

    def to_json(self) -> dict[str, Any]:
        if self.captured:
            return {"part": self.part, "sha256": self.sha256, "size": self.size}
        return {"part": self.part, "reason": self.reason, "note": self.note}


@dataclass(frozen=True)
class PartTotals:
    """Parts not yet verified by the centre, of entries still on their way."""

    parts: int
    bytes: int  # not yet acknowledged


def part_values(seq: int, row: PartRow, now: str) -> tuple[Any, ...]:
    return (seq, row.part, row.sha256, row.size, row.media_type, row.reason, row.note, now)


def parts_of(conn: Connection, seq: int) -> list[PartRow]:
    rows = conn.execute(select(parts).where(parts.c.entry_seq == seq).order_by(parts.c.part))
    return [PartRow.from_row(r) for r in rows]


def pending_totals(conn: Connection) -> PartTotals:
    unverified = (
        select(
            func.count(),
            func.coalesce(func.sum(parts.c.size - parts.c.acked), 0),
        )
        .select_from(parts.join(entries, entries.c.seq == parts.c.entry_seq))
        .where(
            parts.c.sha256.is_not(None),
            parts.c.verified_at.is_(None),
            entries.c.state.in_([s.value for s in UNSYNCED]),
        )
    )
    count, left = conn.execute(unverified).one()
    return PartTotals(int(count), int(left))


def delete_parts(conn: Connection, seqs: Sequence[int]) -> set[str]:
    """Remove the part rows of ``seqs``; the images they named."""
    if not seqs:
        return set()
    chosen = parts.c.entry_seq.in_(bindparam("seqs", expanding=True))
    named = conn.execute(
        select(parts.c.sha256).where(chosen, parts.c.sha256.is_not(None)), {"seqs": list(seqs)}
    )
    images = {str(sha) for sha in named.scalars()}
    conn.execute(delete(parts).where(chosen), {"seqs": list(seqs)})
    return images


def still_referenced(conn: Connection, images: Iterable[str]) -> set[str]:
    """Those of ``images`` some entry's part still names."""
    wanted = list(images)
    if not wanted:
        return set()
    rows = conn.execute(
        select(parts.c.sha256).where(parts.c.sha256.in_(bindparam("shas", expanding=True))),
        {"shas": wanted},
    )
    return {str(sha) for sha in rows.scalars()}


def all_referenced(conn: Connection) -> set[str]:
    rows = conn.execute(select(parts.c.sha256).where(parts.c.sha256.is_not(None)).distinct())
    return {str(sha) for sha in rows.scalars()}


# -- delivery of the parts (sync/uploads.py) ---------------------------------------------------


@dataclass(frozen=True)
class PartToSend:
    seq: int
    entry_id: str
    row: PartRow


#: An entry waits in ``uploading`` while it has a captured part the centre has not verified,
#: or while its recording is incomplete (some parts, not all fourteen: to be finished; an
#: entry without any part is biodata only and is delivered as such).
_UNVERIFIED = (
    "(EXISTS (SELECT 1 FROM parts WHERE parts.entry_seq = entries.seq"
    " AND parts.sha256 IS NOT NULL AND parts.verified_at IS NULL)"
    " OR (SELECT count(*) FROM parts WHERE parts.entry_seq = entries.seq) BETWEEN 1 AND 13)"
)


def hold_for_parts(conn: Connection, seqs: Sequence[int], now: str) -> int:
    """Entries the centre just took (``synced``) that still have parts to send wait in
    ``uploading`` instead; how many."""
    if not seqs:
        return 0
    marks = ",".join("?" * len(seqs))
    return int(
        conn.exec_driver_sql(
            f"UPDATE entries SET state = 'uploading', synced_at = NULL, updated_at = ?"  # noqa: S608
            f" WHERE seq IN ({marks}) AND state = 'synced' AND {_UNVERIFIED}",
            (now, *seqs),
        ).rowcount
    )


def next_part(conn: Connection) -> PartToSend | None:
    """The next part to send: of the oldest entry waiting in ``uploading``, in capture
    order (``domain.biometrics.PARTS``)."""
    from ..domain.biometrics import PARTS

    sendable = (
        select(parts.c.entry_seq)
        .where(
            parts.c.sha256.is_not(None),
            parts.c.verified_at.is_(None),
            parts.c.lost_at.is_(None),
        )
        .scalar_subquery()
    )
    row = conn.execute(
        select(entries.c.seq, entries.c.entry_id)
        .where(entries.c.state == "uploading", entries.c.seq.in_(sendable))
        .order_by(entries.c.seq)
        .limit(1)
    ).first()
    if row is None:
        return None  # an entry whose only parts left are lost waits to be captured again
    seq, entry_id = int(row.seq), str(row.entry_id)
    waiting = [
        p for p in parts_of(conn, seq) if p.captured and p.verified_at is None and not p.lost_at
    ]
    order = {name: i for i, name in enumerate(PARTS)}
    first = min(waiting, key=lambda p: order.get(p.part, len(order)))
    return PartToSend(seq, entry_id, first)


def record_progress(
    conn: Connection, seq: int, part: str, *, upload_url: str | None, acked: int
) -> None:
    conn.execute(
        update(parts)
        .where(parts.c.entry_seq == seq, parts.c.part == part)
        .values(upload_url=upload_url, acked=acked)
    )


def mark_verified(conn: Connection, seq: int, part: str, now: str) -> bool:
    """The centre verified this part; True when it was the entry's last (now ``synced``)."""
    conn.execute(
        update(parts)
        .where(parts.c.entry_seq == seq, parts.c.part == part)
        .values(verified_at=now, acked=parts.c.size)
    )
    return deliver_if_done(conn, seq, now)


def deliver_if_done(conn: Connection, seq: int, now: str) -> bool:
    """An ``uploading`` entry with its recording complete and every part verified is
    ``synced`` (and the centre's decision on it due: store/enrolment.py); True when it just
    became so."""
    done = conn.exec_driver_sql(
        "UPDATE entries SET state = 'synced', synced_at = ?, updated_at = ?,"  # noqa: S608
        " enrolment = 'due', enrolment_reason = NULL, enrolment_at = NULL"
        f" WHERE seq = ? AND state = 'uploading' AND NOT {_UNVERIFIED}",
        (now, now, seq),
    ).rowcount
    return bool(done)


def mark_lost(conn: Connection, seq: int, part: str, now: str) -> None:
    """The part's file is missing or damaged here: it is not sent (the entry waits for the
    part to be captured again), and the others go on."""
    conn.execute(
        update(parts).where(parts.c.entry_seq == seq, parts.c.part == part).values(lost_at=now)
    )


def replace_parts(conn: Connection, seq: int, rows: Sequence[PartRow], now: str) -> None:
    """Finish or redo an entry's recording: these parts take the place of the ones of the same
    name not verified yet (a verified part stays as the centre has it)."""
    for row in rows:
        conn.execute(
            delete(parts).where(
                parts.c.entry_seq == seq, parts.c.part == row.part, parts.c.verified_at.is_(None)
            )
        )
        kept = conn.execute(
            select(parts.c.part).where(parts.c.entry_seq == seq, parts.c.part == row.part)
        ).first()
        if kept is None:
            conn.exec_driver_sql(INSERT_PART, part_values(seq, row, now))
