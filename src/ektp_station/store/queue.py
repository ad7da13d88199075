"""The durable local queue: capture, correction and withdrawal of registrations.

Every method is one short transaction. Delivery (claiming batches, applying the centre's
results) lives in :mod:`.delivery`; counts for supervisors in :mod:`.status`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from ..domain import clean_nik, normalise
from ..errors import (
    AlreadyRecordedError,
    DuplicateEntryError,
    DuplicateNikError,
    EntryNotFound,
    QueueDamaged,
    QueueGone,
    QueueMissing,
    QueueReplaced,
    QueueUnusable,
    SaveRefused,
    TransitionError,
)
from ..private import private_files
from ..timeutil import format_utc, utc_now, utc_now_iso
from . import delivery
from .auditlog import write_audit
from .db import DriverError, DriverIntegrityError, create_queue_engine, reading, translated, writing
from .encryption import PAGE_BYTES, QueueKey, derive, key_for
from .enrolment import (
    EnrolmentDue,
    enrolment_counts,
    must_return,
    next_enrolment,
    record_enrolment,
)
from .entry import AuditEvent, Entry, Outcome
from .keys import KeyStore
from .lock import ProcessLock
from .parts import (
    INSERT_PART,
    PartRow,
    PartToSend,
    PartTotals,
    all_referenced,
    delete_parts,
    deliver_if_done,
    mark_lost,
    mark_verified,
    next_part,
    part_values,
    parts_of,
    pending_totals,
    record_progress,
    replace_parts,
    still_referenced,
)
from .retention import PURGE_BATCH, purge_batch
from .schema import SCHEMA_VERSION, audit, entries, meta, schema_version, upgrade
from .states import EDITABLE, WAITING, State, can_transition
from .status import QueueStatus, read_status

__all__ = ["HISTORY_MARKERS", "QUEUE_ID_FILENAME", "Queue", "queue_has_history"]

log = logging.getLogger(__name__)

DB_FILENAME = "queue.sqlite3"
LOCK_FILENAME = "sync.lock"
CHECKPOINT_EVERY = 2000
#: A small file beside the queue naming it (its ``meta.queue_id``), written when the queue is
#: created: its presence says "this station has a queue" even if the queue file is gone.
QUEUE_ID_FILENAME = "queue.id"
QUEUE_ID_KEY = "queue_id"
CREATED_KEY = "station_created"
#: What only a station that has run leaves in its data folder. Not config.json nor logs/:
#: the command line writes those before the queue is first opened (``config set`` comes
#: first on a new station), so they do not prove that a queue ever existed.
HISTORY_MARKERS = (
    QUEUE_ID_FILENAME,
    LOCK_FILENAME,
    "receipts",
    "attachments",
    DB_FILENAME + "-wal",
)


def queue_has_history(data_dir: Path) -> list[str]:
    """The markers under ``data_dir`` that show a queue existed here (empty: a new folder):
    its id, the sync lock, receipts, a write-ahead log, backups of it."""
    found = [name for name in HISTORY_MARKERS if (data_dir / name).exists()]
    backups = data_dir / "backups"
    if backups.is_dir() and any(backups.glob("queue-*.sqlite3")):
        found.append("backups")
    return found


class Queue:
    """The queue in one SQLite file. Safe to share between threads; open it once per process."""

    def __init__(self, engine: Engine, path: Path, nik_salt: bytes, key: QueueKey) -> None:
        self.engine = engine
        self.path = path
        self._nik_salt = nik_salt
        self.key = key  # the file's encryption key (backups are made with it)
        self._writes_since_checkpoint = 0
        self.queue_id: str | None = None
        self._orphans = False
        try:
            st = os.stat(path)
            self._identity: tuple[int, int] | None = (st.st_dev, st.st_ino)
        except OSError:
            self._identity = None

    # -- opening -----------------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        data_dir: Path,
        *,
        recover: bool = True,
        new: bool = False,
        check: bool = True,
        keys: KeyStore | None = None,
    ) -> Queue:
        """Open (create, migrate) the queue under ``data_dir``.

        With ``recover`` (the default), entries left in ``sending`` by a process that died are
        put back to ``pending`` — but only if no live sync engine holds the queue's lock.

        A missing or empty queue file is created only in a new data folder, or with ``new``
        (starting a new queue on purpose after a loss); where the station has a history
        (:data:`HISTORY_MARKERS`) it raises QueueMissing. With ``check`` the file passes
        ``PRAGMA quick_check`` first (QueueDamaged otherwise). A damaged, read-only or full
        file raises the translated StoreError, never a driver error.

        The file is encrypted with the queue's key from ``keys`` (this PC's key store by
        default): KeyMissing when it is not there (see :mod:`.encryption`).
        """
        path = data_dir / DB_FILENAME
        fresh = not path.exists() or path.stat().st_size == 0
        if fresh:
            markers = queue_has_history(data_dir)
            if markers and not new:
                raise QueueMissing("queue file missing or empty; found " + ", ".join(markers))
            if markers:
                _set_aside_leftovers(path)
                log.warning("a new queue is started on purpose (found %s)", ", ".join(markers))
        keys = keys or KeyStore.for_data_dir(data_dir)
        with translated():
            key = key_for(path, data_dir / QUEUE_ID_FILENAME, keys, fresh=fresh)
        engine = create_queue_engine(path, key.key)
        try:
            with translated():
                queue = cls._open_engine(engine, path, data_dir, key, fresh=fresh, check=check)
        except BaseException:
            engine.dispose()
            raise
        # owner-only, also what an older version left readable (the WAL holds records too)
        private_files(
            data_dir / name
            for name in (DB_FILENAME, f"{DB_FILENAME}-wal", f"{DB_FILENAME}-shm", QUEUE_ID_FILENAME)
        )
        if recover and queue._orphans:
            lock = queue.sync_lock()
            if lock.try_acquire():
                try:
                    queue.recover_orphans()
                finally:
                    lock.release()
        return queue

    @classmethod
    def _open_engine(
        cls, engine: Engine, path: Path, data_dir: Path, key: QueueKey, *, fresh: bool, check: bool
    ) -> Queue:
        if check and not fresh:
            _quick_check(engine, path)
        # A read first: opening an up-to-date queue (e.g. for `queue status`) writes nothing
        # and so never waits behind a long import.
        with reading(engine) as conn:
            salt = _ready_salt(conn)
            orphans = salt is not None and _has_sending(conn)
            queue_id = _meta_value(conn, QUEUE_ID_KEY) if salt is not None else None
        if salt is None or queue_id is None:
            old = upgrade(engine)
            if old and old < SCHEMA_VERSION:
                log.info("queue schema migrated from version %d", old)
            with writing(engine) as conn:
                salt = _meta_value(conn, "nik_salt")
                if salt is None:  # a new queue: the NIK digest keyed with the queue key
                    salt = derive(key.key, "nik digest").hex()
                    conn.execute(insert(meta).values(key="nik_salt", value=salt))
                queue_id = _meta_value(conn, QUEUE_ID_KEY)
                if queue_id is None:
                    queue_id = key.queue_id
                    conn.execute(insert(meta).values(key=QUEUE_ID_KEY, value=queue_id))
                    conn.execute(insert(meta).values(key=CREATED_KEY, value=utc_now_iso()))
                orphans = _has_sending(conn)
        _write_queue_id(data_dir / QUEUE_ID_FILENAME, queue_id, fresh=fresh)
        if queue_id != key.queue_id:
            raise QueueReplaced("the file's queue id is not its key's")
        queue = cls(engine, path, bytes.fromhex(salt), key)
        queue.queue_id = queue_id
        queue._orphans = orphans
        return queue

    @property
    def identity(self) -> tuple[int, int] | None:
        """(device, inode) of the file opened (None when it could not be read at open)."""
        return self._identity

    def still_there(self) -> bool:
        """Whether the queue file is still the one opened: False when it was deleted or
        replaced (another inode) since. A sync engine must stop writing and say so
        (QueueGone) instead of reporting counts from a file that is gone."""
        if self._identity is None:
            return True
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return False
        except OSError:
            return True  # unreadable now (e.g. permissions): not evidence of a loss
        return (st.st_dev, st.st_ino) == self._identity and st.st_size > 0

    def ensure_there(self) -> None:
        """Raise QueueGone unless :meth:`still_there`."""
        if not self.still_there():
            log.error("the queue file was deleted or replaced while open")
            raise QueueGone("queue file deleted or replaced while open")

    @contextmanager
    def writing(self) -> Iterator[Connection]:
        """One write transaction on this queue's file, refused (QueueGone) when the file was
        deleted or replaced — SQLite would write on into the unlinked file, and lose it at
        close — and checked again after the commit: a write that landed in a file gone
        meanwhile is reported, never "saved"."""
        self.ensure_there()
        with writing(self.engine) as conn:
            yield conn
        self.ensure_there()

    def close(self) -> None:
        """Checkpoint and close. Never fails a command for the checkpoint: a read-only or full
        disk may refuse it, and every commit is already durable in the write-ahead log."""
        try:
            self.checkpoint()
        except (QueueUnusable, DriverError, OSError) as exc:
            log.warning("checkpoint at close skipped: %s", type(exc).__name__)
        finally:
            self.engine.dispose()

    def checkpoint(self, mode: str = "PASSIVE") -> None:
        """Copy the write-ahead log back into the database (PASSIVE: never blocks a writer;
        TRUNCATE, after a purge: also empties the log, so that no old page image of a purged
        record stays in it).

        Automatic checkpoints are off so that no save pays for one; the sync engine calls
        this after each batch and while idle, imports between their transactions, and a
        process that only saves does it itself every CHECKPOINT_EVERY saves.
        """
        self._writes_since_checkpoint = 0
        with translated():
            raw = self.engine.raw_connection()  # outside any transaction, as it must be
            try:
                cursor = raw.cursor()
                try:
                    if mode not in ("PASSIVE", "TRUNCATE"):
                        raise ValueError(f"checkpoint mode {mode!r}")
                    cursor.execute(f"PRAGMA wal_checkpoint({mode})")
                finally:
                    cursor.close()
            finally:
                raw.close()

    def sync_lock(self) -> ProcessLock:
        """The lock a sync engine must hold while it claims and sends."""
        return ProcessLock(self.path.with_name(LOCK_FILENAME))

    def nik_key(self, nik: str) -> str:
        """Keyed digest of a NIK: lets the queue find a waiting resident without storing the NIK
        outside the record (which can then be encrypted or purged as one unit)."""
        return hmac.new(self._nik_salt, clean_nik(nik).encode(), hashlib.sha256).hexdigest()

    # -- capture -----------------------------------------------------------------------------

    def enqueue(
        self,
        record: Mapping[str, object],
        *,
        operator: str,
        station_id: str,
        captured_at: datetime | None = None,
        entry_id: str | None = None,
        action: str = "captured",
        detail: Mapping[str, Any] | None = None,
        revision: int = 1,
        parts: Sequence[PartRow] = (),
    ) -> Entry:
        """Save one registration as ``pending`` — durable when this returns — with its
        biometric ``parts`` (their files already in the attachment store), in one transaction.

        Raises DuplicateNikError if the same resident is already waiting, AlreadyRecordedError
        if they were recorded here before, SaveRefused if the database refused otherwise.
        """
        values = self._entry_values(record, operator, station_id, captured_at, entry_id, revision)
        self.ensure_there()  # never into a file that was deleted or replaced (lost at close)
        try:
            with translated():
                seq = self._save_one(values, action, detail, parts)
        except DriverIntegrityError as exc:
            with reading(self.engine) as conn:
                self._raise_duplicate(conn, values)
            raise SaveRefused(type(exc).__name__) from None
        self.ensure_there()  # gone while saving: not "saved"
        self._writes_since_checkpoint += 1
        if self._writes_since_checkpoint >= CHECKPOINT_EVERY:
            self.checkpoint()  # a backstop; normally the sync thread got there first
        return Entry.from_row({**values, "seq": seq, **_EMPTY})

    def _save_one(
        self,
        values: Mapping[str, Any],
        action: str,
        detail: Mapping[str, Any] | None,
        parts: Sequence[PartRow] = (),
    ) -> int:
        """The counter's hot path: one durable transaction of two fixed statements on the
        pool's DB-API connection (SQLAlchemy's per-statement machinery cost as much as the
        fsync itself; see docs/performance.md)."""
        raw = self.engine.raw_connection()
        try:
            cursor = raw.cursor()
            try:
                cursor.execute("BEGIN IMMEDIATE")
                try:
                    cursor.execute(_RECORDED_NIK, (values["nik_key"],))
                    recorded = cursor.fetchone()
                    if recorded is not None:
                        raise AlreadyRecordedError(*recorded)
                    cursor.execute(_INSERT_ENTRY, _entry_row(values))
                    seq = int(cursor.lastrowid or 0)
                    cursor.execute(_INSERT_AUDIT, _audit_row(seq, values, action, detail))
                    if parts:
                        now = str(values["created_at"])
                        cursor.executemany(INSERT_PART, [part_values(seq, p, now) for p in parts])
                    cursor.execute("COMMIT")
                except BaseException:
                    _rollback(cursor)
                    raise
            finally:
                cursor.close()
        finally:
            raw.close()
        return seq

    def enqueue_in(
        self,
        conn: Connection,
        record: Mapping[str, object],
        *,
        operator: str,
        station_id: str,
        captured_at: datetime | None = None,
        entry_id: str | None = None,
        action: str = "captured",
        detail: Mapping[str, Any] | None = None,
        revision: int = 1,
        parts: Sequence[PartRow] = (),
    ) -> Entry:
        """As :meth:`enqueue`, inside the caller's transaction (under a savepoint, so a
        refused entry leaves the rest of the transaction intact)."""
        values = self._entry_values(record, operator, station_id, captured_at, entry_id, revision)
        recorded = conn.exec_driver_sql(_RECORDED_NIK, (values["nik_key"],)).first()
        if recorded is not None:
            raise AlreadyRecordedError(*recorded)
        savepoint = conn.begin_nested()
        try:
            seq = _insert_entry(conn, values, action, detail)
            if parts:
                now = str(values["created_at"])
                conn.exec_driver_sql(INSERT_PART, [part_values(seq, p, now) for p in parts])
        except IntegrityError as exc:
            savepoint.rollback()
            self._raise_duplicate(conn, values)
            raise SaveRefused(type(exc.orig).__name__) from None
        savepoint.commit()
        return Entry.from_row({**values, "seq": seq, **_EMPTY})

    def _entry_values(
        self,
        record: Mapping[str, object],
        operator: str,
        station_id: str,
        captured_at: datetime | None,
        entry_id: str | None,
        revision: int = 1,
    ) -> dict[str, Any]:
        clean = normalise(record)
        now = utc_now_iso()
        return {
            "entry_id": entry_id or str(uuid.uuid4()),
            "station_id": station_id,
            "operator": operator,
            "captured_at": format_utc(captured_at) if captured_at else now,
            "nik_key": self.nik_key(clean.get("nik") or ""),
            "record": json.dumps(clean, ensure_ascii=False, separators=(",", ":")),
            "state": State.PENDING.value,
            "attempts": 0,
            "created_at": now,
            "updated_at": now,
            "revision": revision,
        }

    def _raise_duplicate(self, conn: Connection, values: Mapping[str, Any]) -> None:
        """After an IntegrityError: raise the domain error that explains it, if any."""
        existing = self._waiting_with(conn, str(values["nik_key"]))
        if existing is not None:
            raise DuplicateNikError(*existing) from None
        same_id = conn.execute(
            select(entries.c.seq).where(entries.c.entry_id == values["entry_id"])
        ).scalar()
        if same_id is not None:
            raise DuplicateEntryError(same_id) from None

    def _waiting_with(self, conn: Connection, nik_key: str) -> tuple[int, str, str] | None:
        row = conn.execute(
            select(entries.c.seq, entries.c.entry_id, entries.c.state).where(
                entries.c.nik_key == nik_key,
                entries.c.state.in_([s.value for s in WAITING]),
            )
        ).first()
        return None if row is None else (row.seq, row.entry_id, row.state)

    def find_waiting(self, nik: str) -> Entry | None:
        """The entry in which this NIK is already waiting, if any."""
        with reading(self.engine) as conn:
            found = self._waiting_with(conn, self.nik_key(nik))
            return None if found is None else self._get(conn, found[0])

    # -- corrections -------------------------------------------------------------------------

    def correct(
        self, seq: int, record: Mapping[str, object], *, actor: str
    ) -> tuple[Entry, list[str]]:
        """Make ``record`` the next revision of a pending, rejected or conflict entry and put
        it (back) in line to be sent; return the entry and the names of the fields changed.

        Nothing changes (no revision) when the record is the same. The revision travels with
        the entry: the centre keeps the latest and the history, so a correction of an entry
        whose first send may have reached the centre is never taken for a tampered queue.
        """
        clean = normalise(record)
        with self.writing() as conn:
            current = self._get(conn, seq)
            if current.state not in EDITABLE:
                raise TransitionError(seq, current.state, "correct")
            changed = sorted(k for k in clean if clean[k] != current.record.get(k))
            if not changed:
                return current, []
            key = self.nik_key(clean.get("nik") or "")
            recorded = conn.exec_driver_sql(_RECORDED_NIK, (key,)).first()
            if recorded is not None and recorded[0] != seq:
                raise AlreadyRecordedError(*recorded)
            now = utc_now_iso()
            revision = current.revision + 1
            values: dict[str, Any] = {
                "record": json.dumps(clean, ensure_ascii=False, separators=(",", ":")),
                "nik_key": key,
                "revision": revision,
                "state": State.PENDING.value,
                "updated_at": now,
            }
            if current.state is not State.PENDING:
                values.update(errors=None, last_error=None)
            savepoint = conn.begin_nested()
            try:
                conn.execute(update(entries).where(entries.c.seq == seq).values(**values))
            except IntegrityError as exc:
                savepoint.rollback()
                existing = self._waiting_with(conn, key)
                if existing is None:
                    raise SaveRefused(type(exc.orig).__name__) from None
                raise DuplicateNikError(*existing) from None
            savepoint.commit()
            # field names only: the audit trail never copies personal data
            detail = {"fields": changed, "revision": revision, "from": current.state.value}
            write_audit(conn, seq, actor, "corrected", detail, now)
            return self._get(conn, seq), changed

    def resend(self, seq: int, *, actor: str) -> Entry:
        """Put a ``rejected`` or ``conflict`` entry back in line to be sent (never one that is
        being sent: sending -> pending is the engine's own release)."""
        return self._move(
            seq,
            State.PENDING,
            actor,
            "resent",
            None,
            clear_errors=True,
            only_from=frozenset({State.REJECTED, State.CONFLICT}),
        )

    def discard(self, seq: int, *, actor: str, reason: str) -> Entry:
        """Withdraw an entry that must not be sent (kept, with the reason, for the audit)."""
        return self._move(seq, State.DISCARDED, actor, "discarded", {"reason": reason})

    def resolve(self, seq: int, *, actor: str, note: str) -> Entry:
        """Close a conflict: the resident is recorded at the centre; nothing more to send."""
        return self._move(seq, State.RESOLVED, actor, "resolved", {"note": note})

    def _move(
        self,
        seq: int,
        new: State,
        actor: str,
        action: str,
        detail: Mapping[str, Any] | None,
        *,
        clear_errors: bool = False,
        only_from: frozenset[State] | None = None,
    ) -> Entry:
        with self.writing() as conn:
            current = self._get(conn, seq)
            allowed = can_transition(current.state, new)
            if not allowed or (only_from is not None and current.state not in only_from):
                raise TransitionError(seq, current.state, action)
            now = utc_now_iso()
            values: dict[str, Any] = {"state": new.value, "updated_at": now}
            if clear_errors:
                values.update(errors=None, last_error=None)
            conn.execute(update(entries).where(entries.c.seq == seq).values(**values))
            write_audit(
                conn, seq, actor, action, {"from": current.state.value, **(detail or {})}, now
            )
            return self._get(conn, seq)

    # -- retention (see .retention) ----------------------------------------------------------

    def purge(self, *, cutoff: datetime, actor: str) -> tuple[list[int], set[str]]:
        """Purge the personal data of every entry finished before ``cutoff`` (batches of
        ``PURGE_BATCH``, one short transaction each), their biometric parts included; the
        numbers purged, and the images no entry names any more (to remove from the store)."""
        purged: list[int] = []
        freed: set[str] = set()
        while True:
            with self.writing() as conn:
                batch = purge_batch(conn, cutoff=cutoff, now=utc_now(), actor=actor)
                images = delete_parts(conn, batch)
                freed |= images - still_referenced(conn, images)
            purged += batch
            if len(batch) < PURGE_BATCH:
                break
        if purged:
            self.checkpoint("TRUNCATE")  # the old page images leave the write-ahead log
        return purged, freed

    # -- delivery (see .delivery) ------------------------------------------------------------

    def claim_batch(self, owner: str, limit: int) -> list[Entry]:
        with self.writing() as conn:
            return delivery.claim(conn, owner, limit)

    def apply_outcomes(self, owner: str, outcomes: list[Outcome]) -> int:
        with self.writing() as conn:
            return delivery.apply(conn, owner, outcomes)

    def apply_carried(
        self,
        owner: str,
        carried: Sequence[tuple[int, Outcome]],
        verified: Sequence[tuple[str, str, str]],
    ) -> dict[str, int]:
        """A bundle's receipt (``delivery.apply_carried``), in one transaction."""
        with self.writing() as conn:
            return delivery.apply_carried(conn, owner, carried, verified)

    def release(self, owner: str, entry_ids: list[str], error: str) -> int:
        outcomes = [Outcome(e, State.PENDING, last_error=error) for e in entry_ids]
        return self.apply_outcomes(owner, outcomes)

    def recover_orphans(self) -> int:
        with self.writing() as conn:
            return delivery.recover(conn)

    # -- reading -----------------------------------------------------------------------------

    def get(self, seq: int) -> Entry:
        with reading(self.engine) as conn:
            return self._get(conn, seq)

    def get_by_id(self, entry_id: str) -> Entry:
        with reading(self.engine) as conn:
            seq = conn.execute(select(entries.c.seq).where(entries.c.entry_id == entry_id)).scalar()
            if seq is None:
                raise _not_found(entry_id)
            return self._get(conn, seq)

    def _get(self, conn: Connection, seq: int) -> Entry:
        row = conn.execute(select(entries).where(entries.c.seq == seq)).mappings().first()
        if row is None:
            raise _not_found(f"#{seq}")
        return Entry.from_row(row)

    def list_entries(
        self,
        state: State | None = None,
        *,
        limit: int = 100,
        after_seq: int = 0,
    ) -> list[Entry]:
        """Entries in capture order, ``limit`` at a time after ``after_seq`` (keyset paging)."""
        query = select(entries).where(entries.c.seq > after_seq)
        if state is not None:
            query = query.where(entries.c.state == state.value)
        query = query.order_by(entries.c.seq).limit(limit)
        with reading(self.engine) as conn:
            return [Entry.from_row(r) for r in conn.execute(query).mappings()]

    def iter_entries(self, state: State | None = None, *, page: int = 1000) -> Iterator[Entry]:
        after = 0
        while batch := self.list_entries(state, limit=page, after_seq=after):
            yield from batch
            after = batch[-1].seq

    def count(self, state: State | None = None) -> int:
        query = select(func.count()).select_from(entries)
        if state is not None:
            query = query.where(entries.c.state == state.value)
        with reading(self.engine) as conn:
            return int(conn.execute(query).scalar_one())

    def status(self) -> QueueStatus:
        with reading(self.engine) as conn:
            return read_status(conn)

    def parts(self, seq: int) -> list[PartRow]:
        """The biometric parts of entry ``seq`` (captured or excepted), by part name."""
        with reading(self.engine) as conn:
            return parts_of(conn, seq)

    # -- the parts' delivery (see .parts, sync/uploads.py) ----------------------------------

    def next_part(self) -> PartToSend | None:
        with reading(self.engine) as conn:
            return next_part(conn)

    def record_part_progress(
        self, seq: int, part: str, *, upload_url: str | None, acked: int
    ) -> None:
        """Where the part's upload is at the centre and the bytes it acknowledged: durable,
        so a cut, a crash or a power cut resumes from there."""
        with self.writing() as conn:
            record_progress(conn, seq, part, upload_url=upload_url, acked=acked)

    def part_verified(self, seq: int, part: str) -> bool:
        """The centre verified the part; True when the entry is now delivered whole."""
        now = utc_now_iso()
        with self.writing() as conn:
            done = mark_verified(conn, seq, part, now)
            if done:
                write_audit(conn, seq, "central", "parts_verified", None, now)
        return done

    def complete_parts(self, seq: int, rows: Sequence[PartRow], *, actor: str) -> Entry:
        """Finish (or redo) entry ``seq``'s biometric recording with ``rows`` (their files
        stored first), while it waits: pending, rejected, or uploading. An uploading entry
        that is now complete with everything verified is delivered."""
        now = utc_now_iso()
        with self.writing() as conn:
            current = self._get(conn, seq)
            if current.state not in (State.PENDING, State.REJECTED, State.UPLOADING):
                raise TransitionError(seq, current.state, "completed")
            replace_parts(conn, seq, rows, now)
            write_audit(conn, seq, actor, "parts_completed", {"parts": [r.part for r in rows]}, now)
            if current.state is State.UPLOADING:
                deliver_if_done(conn, seq, now)
            return self._get(conn, seq)

    def part_lost(self, seq: int, part: str, *, actor: str = "SISTEM") -> None:
        """The part's file is missing or damaged at this station: not sent; the entry waits
        for it to be captured again (the audit says which part, never its content)."""
        now = utc_now_iso()
        with self.writing() as conn:
            mark_lost(conn, seq, part, now)
            write_audit(conn, seq, actor, "part_lost", {"part": part}, now)

    def referenced_images(self) -> set[str]:
        """Every image some entry's part names (the rest of the store is leftovers)."""
        with reading(self.engine) as conn:
            return all_referenced(conn)

    # -- the centre's decision on entries delivered whole (see .enrolment) -------------------

    def next_enrolment(self, *, after: int = 0) -> EnrolmentDue | None:
        with reading(self.engine) as conn:
            return next_enrolment(conn, after=after)

    def record_enrolment(self, seq: int, status: str, reason: str | None) -> bool:
        """Keep the centre's decision (print_ready, duplicate, adjudication) on entry
        ``seq``; the audit says which, as codes."""
        now = utc_now_iso()
        with self.writing() as conn:
            done = record_enrolment(conn, seq, status, reason, now)
            if done:
                write_audit(
                    conn, seq, "central", "enrolment", {"status": status, "reason": reason}, now
                )
        return done

    def enrolment_counts(self) -> dict[str, int]:
        with reading(self.engine) as conn:
            return enrolment_counts(conn)

    def must_return(self, limit: int = 500) -> list[int]:
        """Entries whose residents must come back to be recorded again, oldest first."""
        with reading(self.engine) as conn:
            return must_return(conn, limit)

    def part_totals(self) -> PartTotals:
        """Parts (and their bytes) the centre has not verified yet, of entries on their way."""
        with reading(self.engine) as conn:
            return pending_totals(conn)

    def audit_trail(self, seq: int) -> list[AuditEvent]:
        query = select(audit).where(audit.c.entry_seq == seq).order_by(audit.c.id)
        with reading(self.engine) as conn:
            return [
                AuditEvent(
                    entry_seq=r.entry_seq,
                    at=datetime.fromisoformat(r.at.replace("Z", "+00:00")),
                    actor=r.actor,
                    action=r.action,
                    detail=json.loads(r.detail) if r.detail else {},
                )
                for r in conn.execute(query)
            ]

    def get_meta(self, key: str) -> str | None:
        with reading(self.engine) as conn:
            return conn.execute(select(meta.c.value).where(meta.c.key == key)).scalar()


_EMPTY = {
    "last_error": None,
    "errors": None,
    "server_ref": None,
    "synced_at": None,
}


_INSERT_ENTRY = (
    "INSERT INTO entries (entry_id, station_id, operator, captured_at, nik_key, record, state,"
    " attempts, created_at, updated_at, revision) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
#: The entry in which this resident was already recorded here (the nik_key index); the
#: states are those of ``states.RECORDED`` (a test keeps the two equal).
_RECORDED_NIK = (
    "SELECT seq, entry_id, state FROM entries"
    " WHERE nik_key = ? AND state IN ('conflict', 'resolved', 'synced', 'uploading')"
    " ORDER BY seq LIMIT 1"
)


def _rollback(cursor: Any) -> None:
    """ROLLBACK after a failed statement; SQLite may have rolled back itself already (a full
    disk, an I/O error), and that must not hide the original error."""
    try:
        cursor.execute("ROLLBACK")
    except DriverError as exc:
        log.debug("rollback after a failed save: %s", type(exc).__name__)


_INSERT_AUDIT = "INSERT INTO audit (entry_seq, at, actor, action, detail) VALUES (?, ?, ?, ?, ?)"


def _insert_entry(
    conn: Connection, values: Mapping[str, Any], action: str, detail: Mapping[str, Any] | None
) -> int:
    """The entry and its audit event inside the caller's transaction (fixed statements)."""
    seq = int(conn.exec_driver_sql(_INSERT_ENTRY, _entry_row(values)).lastrowid)
    conn.exec_driver_sql(_INSERT_AUDIT, _audit_row(seq, values, action, detail))
    return seq


_ENTRY_COLUMNS = (
    "entry_id",
    "station_id",
    "operator",
    "captured_at",
    "nik_key",
    "record",
    "state",
    "attempts",
    "created_at",
    "updated_at",
    "revision",
)


def _entry_row(values: Mapping[str, Any]) -> tuple[Any, ...]:
    return tuple(values[k] for k in _ENTRY_COLUMNS)


def _audit_row(
    seq: int, values: Mapping[str, Any], action: str, detail: Mapping[str, Any] | None
) -> tuple[Any, ...]:
    text = json.dumps(dict(detail), ensure_ascii=False) if detail else None
    return (seq, values["created_at"], values["operator"], action, text)


def _ready_salt(conn: Connection) -> str | None:
    """The NIK salt of an up-to-date queue; None when the file needs creating or migrating."""
    if schema_version(conn) != SCHEMA_VERSION:
        return None
    salt: str | None = conn.execute(select(meta.c.value).where(meta.c.key == "nik_salt")).scalar()
    return salt


def _meta_value(conn: Connection, key: str) -> str | None:
    value: str | None = conn.execute(select(meta.c.value).where(meta.c.key == key)).scalar()
    return value


#: Above this size the open check is the header's (quick_check reads every page: about 0.3 to
#: 0.6 s per 100,000 entries, see docs/failure-modes.md); a damaged page is then still
#: reported as QueueDamaged by the first statement that reads it.
QUICK_CHECK_MAX_BYTES = 128 * 1024 * 1024


def _header_check(path: Path) -> None:
    """The cheap check of an encrypted file, whose header is ciphertext too: a whole number
    of pages (catches most truncations without reading every page); a page that does not
    authenticate is reported as QueueDamaged by the first statement that reads it."""
    size = path.stat().st_size
    wal = path.with_name(path.name + "-wal")
    if wal.exists() and wal.stat().st_size > 0:
        # A checkpoint cut short (a full disk at close) writes pages before the file has
        # grown: the write-ahead log still holds every page, SQLite replays it at open, and
        # quick_check judges the result. Only a file with no log to finish it is truncated.
        return
    if size < PAGE_BYTES or size % PAGE_BYTES:
        raise QueueDamaged("not a whole number of pages (truncated)")


def _quick_check(engine: Engine, path: Path) -> None:
    """``PRAGMA quick_check`` (QueueDamaged unless it says ok) up to QUICK_CHECK_MAX_BYTES,
    the header check above that."""
    try:
        with translated():
            _header_check(path)
    except QueueDamaged as exc:
        log.error("queue header check failed: %s", exc.detail, extra={"file_only": True})
        raise
    if path.stat().st_size > QUICK_CHECK_MAX_BYTES:
        return
    started = time.monotonic()
    with reading(engine) as conn:
        rows = [str(r[0]) for r in conn.exec_driver_sql("PRAGMA quick_check(5)")]
    log.debug("quick_check took %.3f s", time.monotonic() - started)
    if rows != ["ok"]:
        log.error(
            "queue integrity check failed (%d problems listed)",
            len(rows),
            extra={"file_only": True},
        )
        raise QueueDamaged("quick_check failed")


def _write_queue_id(target: Path, queue_id: str, *, fresh: bool) -> None:
    """The queue's id beside it (best effort: a read-only folder still opens for reading).

    QueueReplaced when ``queue.id`` names another queue than the file holds: the queue file
    was swapped for another one (another station's, an old copy) by hand. ``queue restore``
    writes the id itself; a new queue started on purpose (``fresh``) takes the new id."""
    try:
        known = target.read_text(encoding="utf-8").strip() if target.exists() else ""
    except OSError as exc:
        log.warning("could not read %s: %s", target.name, type(exc).__name__)
        known = ""
    if known == queue_id:
        return
    if known and not fresh:
        log.error("the queue file holds another queue than %s names", target.name)
        raise QueueReplaced("queue.id names another queue")
    try:
        target.write_text(queue_id + "\n", encoding="utf-8")
    except OSError as exc:
        log.warning("could not write %s: %s", target.name, type(exc).__name__)


def _set_aside_leftovers(path: Path) -> None:
    """Before a new queue is started on purpose: keep (renamed) an empty queue file and a
    write-ahead log left from the lost one, so SQLite never mixes them into the new file."""
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
    for suffix in ("", "-wal", "-shm"):
        leftover = path.with_name(path.name + suffix)
        if leftover.exists():
            aside = leftover.with_name(f"{leftover.name}.lost-{stamp}")
            with translated():
                leftover.rename(aside)
            log.warning("kept %s as %s", leftover.name, aside.name)


def _has_sending(conn: Connection) -> bool:
    query = select(entries.c.seq).where(entries.c.state == State.SENDING.value).limit(1)
    return conn.execute(query).first() is not None


def _not_found(what: str) -> EntryNotFound:
    return EntryNotFound(what)
