"""The durable local queue: capture, correction and withdrawal of registrations.

Every method is one short transaction. Delivery (claiming batches, applying the centre's
results) lives in :mod:`.delivery`; counts for supervisors in :mod:`.status`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
import uuid
from collections.abc import Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from ..domain import clean_nik, normalise
from ..errors import DuplicateEntryError, DuplicateNikError, EntryNotFound, TransitionError
from ..timeutil import format_utc, utc_now_iso
from . import delivery
from .auditlog import write_audit
from .db import create_queue_engine, reading, writing
from .entry import AuditEvent, Entry, Outcome
from .lock import ProcessLock
from .schema import audit, entries, meta, migrate
from .states import EDITABLE, WAITING, State, can_transition
from .status import QueueStatus, read_status

__all__ = ["Queue"]

log = logging.getLogger(__name__)

DB_FILENAME = "queue.sqlite3"
LOCK_FILENAME = "sync.lock"


class Queue:
    """The queue in one SQLite file. Safe to share between threads; open it once per process."""

    def __init__(self, engine: Engine, path: Path, nik_salt: bytes) -> None:
        self.engine = engine
        self.path = path
        self._nik_salt = nik_salt

    # -- opening -----------------------------------------------------------------------------

    @classmethod
    def open(cls, data_dir: Path, *, recover: bool = True) -> Queue:
        """Open (create, migrate) the queue under ``data_dir``.

        With ``recover`` (the default), entries left in ``sending`` by a process that died are
        put back to ``pending`` — but only if no live sync engine holds the queue's lock.
        """
        path = data_dir / DB_FILENAME
        engine = create_queue_engine(path)
        with writing(engine) as conn:
            old = migrate(conn)
            salt = conn.execute(select(meta.c.value).where(meta.c.key == "nik_salt")).scalar()
            if salt is None:
                salt = secrets.token_hex(32)
                conn.execute(insert(meta).values(key="nik_salt", value=salt))
        if old:
            log.info("queue schema migrated from version %d", old)
        queue = cls(engine, path, bytes.fromhex(salt))
        if recover:
            lock = queue.sync_lock()
            if lock.try_acquire():
                try:
                    queue.recover_orphans()
                finally:
                    lock.release()
        return queue

    def close(self) -> None:
        self.engine.dispose()

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
    ) -> Entry:
        """Save one registration as ``pending`` — durable when this returns.

        Raises DuplicateNikError if the same resident is already waiting.
        """
        with writing(self.engine) as conn:
            return self.enqueue_in(
                conn,
                record,
                operator=operator,
                station_id=station_id,
                captured_at=captured_at,
                entry_id=entry_id,
                action=action,
                detail=detail,
            )

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
    ) -> Entry:
        """As :meth:`enqueue`, inside the caller's transaction (under a savepoint, so a
        refused entry leaves the rest of the transaction intact)."""
        clean = normalise(record)
        now = utc_now_iso()
        values = {
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
        }
        savepoint = conn.begin_nested()
        try:
            key = conn.execute(insert(entries).values(**values)).inserted_primary_key
            assert key is not None
            seq = int(key[0])
            write_audit(conn, seq, operator, action, detail, now)
        except IntegrityError:
            savepoint.rollback()
            existing = self._waiting_with(conn, str(values["nik_key"]))
            if existing is not None:
                raise DuplicateNikError(*existing) from None
            same_id = conn.execute(
                select(entries.c.seq).where(entries.c.entry_id == values["entry_id"])
            ).scalar()
            if same_id is not None:
                raise DuplicateEntryError(same_id) from None
            raise
        savepoint.commit()
        return Entry.from_row({**values, "seq": seq, **_EMPTY})

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

    def edit(self, seq: int, record: Mapping[str, object], *, actor: str) -> Entry:
        """Replace the record of a ``pending`` or ``rejected`` entry."""
        clean = normalise(record)
        with writing(self.engine) as conn:
            current = self._get(conn, seq)
            if current.state not in EDITABLE:
                raise TransitionError(seq, current.state, "edit")
            changed = sorted(k for k in clean if clean[k] != current.record.get(k))
            key = self.nik_key(clean.get("nik") or "")
            now = utc_now_iso()
            savepoint = conn.begin_nested()
            try:
                conn.execute(
                    update(entries)
                    .where(entries.c.seq == seq)
                    .values(
                        record=json.dumps(clean, ensure_ascii=False, separators=(",", ":")),
                        nik_key=key,
                        updated_at=now,
                    )
                )
            except IntegrityError:
                savepoint.rollback()
                existing = self._waiting_with(conn, key)
                if existing is None:
                    raise
                raise DuplicateNikError(*existing) from None
            savepoint.commit()
            # field names only: the audit trail never copies personal data
            write_audit(conn, seq, actor, "edited", {"fields": changed}, now)
            return self._get(conn, seq)

    def resend(self, seq: int, *, actor: str) -> Entry:
        """Put a ``rejected`` or ``conflict`` entry back in line to be sent."""
        return self._move(seq, State.PENDING, actor, "resent", None, clear_errors=True)

    def discard(self, seq: int, *, actor: str, reason: str) -> Entry:
        """Withdraw an entry that must not be sent (kept, with the reason, for the audit)."""
        return self._move(seq, State.DISCARDED, actor, "discarded", {"reason": reason})

    def _move(
        self,
        seq: int,
        new: State,
        actor: str,
        action: str,
        detail: Mapping[str, Any] | None,
        *,
        clear_errors: bool = False,
    ) -> Entry:
        with writing(self.engine) as conn:
            current = self._get(conn, seq)
            if not can_transition(current.state, new):
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

    # -- delivery (see .delivery) ------------------------------------------------------------

    def claim_batch(self, owner: str, limit: int) -> list[Entry]:
        with writing(self.engine) as conn:
            return delivery.claim(conn, owner, limit)

    def apply_outcomes(self, owner: str, outcomes: list[Outcome]) -> int:
        with writing(self.engine) as conn:
            return delivery.apply(conn, owner, outcomes)

    def release(self, owner: str, entry_ids: list[str], error: str) -> int:
        outcomes = [Outcome(e, State.PENDING, last_error=error) for e in entry_ids]
        return self.apply_outcomes(owner, outcomes)

    def recover_orphans(self) -> int:
        with writing(self.engine) as conn:
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


def _not_found(what: str) -> EntryNotFound:
    return EntryNotFound(
        f"Entri {what} tidak ada di antrean ini. Periksa nomornya dengan 'queue list'.",
        f"Entry {what} is not in this queue. Check the number with 'queue list'.",
    )
