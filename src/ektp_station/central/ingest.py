"""Idempotent batch ingest: validate, insert by the unique constraints, classify from storage.

An entry is (entry id, revision r, content hash h). Every valid entry of a batch goes into one
``INSERT ... ON CONFLICT DO NOTHING ... RETURNING`` (no check-then-insert), so two requests
racing with the same entry id or NIK, in one process or several, leave one row; an entry that
statement inserted is ``accepted`` (also with r > 1: corrected before it was ever delivered).
The others are settled against the row stored under their entry id:

========================  ==============================================================
stored row                answer
========================  ==============================================================
none                      errors: ``rejected``; NIK held by another entry:
                          ``conflict/nik_recorded``
revision r, hash h        ``already_accepted`` (even if today's validation complains)
revision r, other hash    ``conflict/id_reused``
revision < r              another station's entry: ``id_reused``; errors: ``rejected`` (the
                          stored revision stays); NIK held by another entry:
                          ``nik_recorded``; else the correction is applied: the old row
                          moves to ``registration_revisions``, the row becomes revision r
                          (the NIK may change), ``corrected_at`` is set -> ``accepted``
revision > r              (entry, r) in the history with hash h: ``already_accepted`` (a late
                          copy of an older revision), else ``id_reused``
========================  ==============================================================

``accepted`` and ``already_accepted`` carry the entry's reference (derived from its id, so it
never changes) and the revision stored now.

A correction is two guarded statements inside a savepoint (the NIK unique constraint may
refuse the update, and on PostgreSQL an error would otherwise abort the transaction):
``INSERT INTO registration_revisions SELECT ... WHERE entry_id = :id AND revision = :s ON
CONFLICT DO NOTHING`` and ``UPDATE registrations ... WHERE entry_id = :id AND revision = :s``,
where s is the revision just read. If another transaction moved the row on in between, the
update touches nothing, the savepoint is rolled back and the entry is settled again from a
fresh read; the guard is ``revision = :s`` rather than ``< r`` so that a revision committed in
between is never overwritten without being kept in the history. Corrections are applied in
entry-id order (the same lock order in every transaction). A new entry whose NIK a correction
in the same batch has just freed is inserted after the corrections.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from ektp_station.domain.regions import default_regions
from ektp_station.sync.protocol import BatchRequest, EntryResult

from .db import (
    NIK_PROBE_WINDOW,
    CentralDB,
    as_utc,
    registration_revisions,
    registrations,
    station_lock_key,
    stations,
)
from .prepare import PgBulkInsert, prepare, reference_for
from .prepare import Prepared as _Prepared
from .reports import record_report
from .stored import Stored as _Stored
from .stored import history_hashes, rows_by

#: "NIK recorded by another entry" answers one station may get in an hour before its batches
#: wait for the window to end: a counter re-sends a few, a station probing NIKs many.
NIK_PROBE_LIMIT = 200

__all__ = ["Ingestor", "StationBusy", "reference_for"]

log = logging.getLogger(__name__)


_HISTORY_COLUMNS = (
    "entry_id",
    "revision",
    "content_hash",
    "record",
    "nik",
    "operator",
    "captured_at",
    "received_at",
)


def _accepted(p: _Prepared, status: str, revision: int) -> EntryResult:
    return EntryResult.model_validate(
        {
            "entry_id": p.entry_id,
            "status": status,
            "reference": p.reference,
            "revision": revision,
        }
    )


def _conflict(p: _Prepared, kind: str, holder: _Stored | None = None) -> EntryResult:
    """A conflict; for ``nik_recorded`` naming the station and time of the entry that holds
    the NIK, so that the supervisor knows whom to ask."""
    body: dict[str, Any] = {"entry_id": p.entry_id, "status": "conflict", "conflict": kind}
    if holder is not None and holder.captured_at is not None:
        at = holder.captured_at
        body["holder"] = {
            "station_id": holder.station_id,
            "captured_at": at if at.tzinfo else at.replace(tzinfo=UTC),
        }
    return EntryResult.model_validate(body)


def _rejected(p: _Prepared) -> EntryResult:
    return EntryResult(entry_id=p.entry_id, status="rejected", errors=p.errors)


class StationBusy(Exception):
    """Another transaction (in this or another server process) is ingesting a batch of the
    same station: answered 429 ``batch_in_flight``."""


class Ingestor:
    """Applies one batch in one transaction; thread-safe (each call uses its own connection)."""

    _rows_by = staticmethod(rows_by)

    def __init__(
        self,
        db: CentralDB,
        *,
        today: Callable[[], date] | None = None,
        station_lock: bool = True,
        nik_probe_limit: int = NIK_PROBE_LIMIT,
    ) -> None:
        """``station_lock=False`` leaves out the per-station advisory lock (tests of the
        entry-level guards racing on their own)."""
        self.db = db
        self.nik_probe_limit = nik_probe_limit
        self._station_lock = station_lock and db.dialect == "postgresql"
        self._today = today or (lambda: datetime.now().astimezone().date())
        dialect = postgresql if db.dialect == "postgresql" else sqlite
        self._insert_stmt: Any = (
            dialect.insert(registrations)
            .on_conflict_do_nothing()
            .returning(registrations.c.entry_id)
        )
        self._dialect = dialect
        # PostgreSQL: a batch's new rows in one fixed statement (central/prepare.py)
        self._bulk = PgBulkInsert(registrations, "entry_id") if db.dialect == "postgresql" else None
        default_regions()  # loaded now, not by the first batch (half a second of CPU)

    def _row(self, station_id: str, p: _Prepared, now: datetime) -> dict[str, Any]:
        db_time = self.db.db_time
        return {
            "entry_id": p.entry_id,
            "revision": p.revision,
            "nik": p.nik,
            "station_id": station_id,
            "operator": p.entry.operator,
            "captured_at": db_time(p.entry.captured_at),
            "received_at": db_time(now),
            "content_hash": p.hash,
            "record": p.record_json,
            "reference": p.reference,
            "kelurahan_code": p.record.get("kelurahan_code"),
        }

    def ingest(
        self, station_id: str, batch: BatchRequest, *, report: bool = True
    ) -> list[EntryResult]:
        """Store what is new or newer, answer every entry of ``batch`` (in its order).

        Version-1 batches get version-1 results (no ``revision``). ``report=False``: the
        batch says nothing of the station now (a USB bundle's, made days ago: its backlog
        and clock are not the station's today)."""
        now = datetime.now(UTC)
        today = self._today()
        prepared = [prepare(station_id, e, today) for e in batch.entries]
        rows = {p.entry_id: self._row(station_id, p, now) for p in prepared if not p.errors}
        skew = (batch.station_time - now).total_seconds()
        results: dict[str, EntryResult] = {}
        corrected = 0
        with self.db.engine.begin() as conn:
            # One batch per station at a time, across every server process: on PostgreSQL a
            # transaction-scoped advisory lock per station, taken without waiting (released
            # at commit or rollback); on SQLite (one process) BEGIN IMMEDIATE already
            # serialises every writer, and the app's per-process check answers the 429.
            if self._station_lock:
                locked = conn.execute(
                    sa.select(sa.func.pg_try_advisory_xact_lock(station_lock_key(station_id)))
                ).scalar_one()
                if not locked:
                    raise StationBusy(station_id)
            # First statement writes: on SQLite the transaction holds the write lock from here.
            if report:
                record_report(
                    conn,
                    station_id,
                    now,
                    batch.backlog.pending,
                    batch.backlog.oldest_unsynced_at,
                    skew,
                )
            # The hot path: new entries are this one statement (and nothing else).
            inserted = self._insert_new(conn, list(rows.values()))
            for p in prepared:
                if p.entry_id in inserted:
                    results[p.entry_id] = _accepted(p, "accepted", p.revision)
            rest = [p for p in prepared if p.entry_id not in inserted]
            if rest:
                by_id = self._rows_by(conn, registrations.c.entry_id, [p.entry_id for p in rest])
                by_nik = self._rows_by(
                    conn, registrations.c.nik, [p.nik for p in rest if not p.errors]
                )
                # Stored entries (corrections among them) first, in entry-id order: the same
                # lock order in every transaction, and NIKs they free are known to the rest.
                rest.sort(key=lambda p: (p.entry_id not in by_id, p.entry_id))
                history = history_hashes(
                    conn,
                    [
                        (p.entry_id, p.revision)
                        for p in rest
                        if (s := by_id.get(p.entry_id)) is not None and s.revision > p.revision
                    ],
                )
                freed: set[str] = set()
                unexplained: list[_Prepared] = []
                for p in rest:
                    result = self._settle(
                        conn, station_id, p, by_id.get(p.entry_id), by_nik, history, freed, now
                    )
                    if result is None:
                        unexplained.append(p)
                    else:
                        results[p.entry_id] = result
                        if result.status == "accepted":
                            corrected += 1
                if unexplained:
                    corrected += self._insert_again(
                        conn, station_id, unexplained, rows, freed, now, results
                    )
            probes = sum(1 for r in results.values() if r.conflict == "nik_recorded")
            if probes:
                self._count_nik_recorded(conn, station_id, probes, now)
        ordered = [results[p.entry_id] for p in prepared]
        if batch.protocol < 2:
            ordered = [r.model_copy(update={"revision": None}) for r in ordered]
        counts = Counter(r.conflict or r.status for r in ordered)
        log.info(
            "batch from station %s: %d entries, %s, corrections=%d",
            station_id,
            len(ordered),
            ", ".join(f"{k}={v}" for k, v in sorted(counts.items())),
            corrected,
        )
        return ordered

    def _insert_new(self, conn: sa.Connection, rows: list[dict[str, Any]]) -> set[str]:
        """Insert what no unique constraint refuses; the entry ids this statement inserted
        (RETURNING names exactly those; insertmanyvalues batches it)."""
        if not rows:
            return set()
        if self._bulk is not None:
            return self._bulk(conn, rows)
        return set(conn.execute(self._insert_stmt, rows).scalars())

    def _insert_again(
        self,
        conn: sa.Connection,
        station_id: str,
        entries: list[_Prepared],
        rows: dict[str, dict[str, Any]],
        freed: set[str],
        now: datetime,
        results: dict[str, EntryResult],
    ) -> int:
        """Valid entries that were not inserted though nothing is stored under their id, and
        whose NIK is free now (a correction moved it, here or in a concurrent transaction):
        insert them now, settle the rest from a fresh read. Returns corrections applied."""
        inserted = self._insert_new(conn, [rows[p.entry_id] for p in entries])
        left = [p for p in entries if p.entry_id not in inserted]
        for p in entries:
            if p.entry_id in inserted:
                results[p.entry_id] = _accepted(p, "accepted", p.revision)
        by_id = self._rows_by(conn, registrations.c.entry_id, [p.entry_id for p in left])
        by_nik = self._rows_by(conn, registrations.c.nik, [p.nik for p in left])
        corrected = 0
        for p in left:
            result = self._settle(
                conn, station_id, p, by_id.get(p.entry_id), by_nik, None, set(), now
            )
            if result is None:
                # Neither its id nor its NIK is stored: only a reference collision (80 bits).
                log.error("entry %s was not stored and has no conflicting row", p.entry_id)
                raise RuntimeError(f"entry {p.entry_id} could not be stored")
            results[p.entry_id] = result
            corrected += result.status == "accepted"
        return corrected

    def _settle(
        self,
        conn: sa.Connection,
        station_id: str,
        p: _Prepared,
        stored: _Stored | None,
        by_nik: dict[str, _Stored],
        history: dict[tuple[str, int], str] | None,
        freed: set[str],
        now: datetime,
    ) -> EntryResult | None:
        """The answer for an entry the batch insert did not insert, applying a correction when
        it is one; None when nothing stored explains why it was not inserted."""
        while True:
            if stored is None:
                if p.errors:
                    return _rejected(p)
                holder = by_nik.get(p.nik)
                if holder is not None and p.nik not in freed:
                    return _conflict(p, "nik_recorded", holder)
                return None
            if stored.revision == p.revision:
                if stored.content_hash == p.hash:
                    return _accepted(p, "already_accepted", stored.revision)
                return _conflict(p, "id_reused")
            if stored.revision > p.revision:
                if history is None or (p.entry_id, p.revision) not in history:
                    history = history_hashes(conn, [(p.entry_id, p.revision)])
                if history.get((p.entry_id, p.revision)) == p.hash:
                    return _accepted(p, "already_accepted", stored.revision)
                return _conflict(p, "id_reused")
            # A newer revision of a stored entry: a correction.
            if stored.station_id != station_id:
                return _conflict(p, "id_reused")  # another station's entry id
            if p.errors:
                return _rejected(p)
            holder = by_nik.get(p.nik)
            if holder is not None and holder.entry_id != p.entry_id and p.nik not in freed:
                return _conflict(p, "nik_recorded", holder)
            applied = self._apply_correction(conn, station_id, p, stored, now)
            if applied is None:
                return _conflict(p, "nik_recorded")
            if applied:
                if stored.nik != p.nik:
                    freed.add(stored.nik)
                return _accepted(p, "accepted", p.revision)
            # Another transaction moved the row on since it was read: settle again.
            stored = self._rows_by(conn, registrations.c.entry_id, [p.entry_id]).get(p.entry_id)

    def _count_nik_recorded(
        self, conn: sa.Connection, station_id: str, answers: int, now: datetime
    ) -> None:
        """Count "NIK recorded by another entry" answers to this station, in all and in the
        current hour's window (a new window when the last one is over)."""
        row = conn.execute(
            sa.select(stations.c.nik_probe_window_start, stations.c.nik_probe_window_count).where(
                stations.c.station_id == station_id
            )
        ).one()
        start = as_utc(row.nik_probe_window_start)
        in_window = int(row.nik_probe_window_count or 0)
        if start is None or now - start >= NIK_PROBE_WINDOW:
            start, in_window = now, 0
        conn.execute(
            sa.update(stations)
            .where(stations.c.station_id == station_id)
            .values(
                nik_recorded_answers=stations.c.nik_recorded_answers + answers,
                nik_probe_window_start=self.db.db_time(start),
                nik_probe_window_count=in_window + answers,
            )
        )
        if in_window + answers > self.nik_probe_limit >= in_window:
            log.warning(
                "station %s: %d 'NIK recorded' answers this hour (limit %d): slowed down",
                station_id,
                in_window + answers,
                self.nik_probe_limit,
            )

    def _apply_correction(
        self, conn: sa.Connection, station_id: str, p: _Prepared, stored: _Stored, now: datetime
    ) -> bool | None:
        """Move revision ``stored.revision`` to the history and store ``p`` in its place.

        True: applied; False: the row is no longer that revision (nothing changed); None: the
        new NIK is held by another entry (nothing changed)."""
        current = sa.and_(
            registrations.c.entry_id == p.entry_id,
            registrations.c.revision == stored.revision,
            registrations.c.station_id == station_id,
        )
        archive = (
            self._dialect.insert(registration_revisions)
            .from_select(
                list(_HISTORY_COLUMNS),
                sa.select(*(registrations.c[name] for name in _HISTORY_COLUMNS)).where(current),
            )
            .on_conflict_do_nothing()
        )
        db_time = self.db.db_time
        update = (
            sa.update(registrations)
            .where(current)
            .values(
                revision=p.revision,
                nik=p.nik,
                operator=p.entry.operator,
                captured_at=db_time(p.entry.captured_at),
                received_at=db_time(now),
                content_hash=p.hash,
                record=p.record_json,
                kelurahan_code=p.record.get("kelurahan_code"),
                corrected_at=sa.func.coalesce(registrations.c.corrected_at, db_time(now)),
            )
        )
        savepoint = conn.begin_nested()
        try:
            conn.execute(archive)
            updated = conn.execute(update).rowcount
        except IntegrityError:  # the new NIK: the only unique column the update changes
            savepoint.rollback()
            return None
        if updated != 1:
            savepoint.rollback()
            return False
        savepoint.commit()
        return True
