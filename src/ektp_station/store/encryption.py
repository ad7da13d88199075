"""Which key opens a queue file, and turning a plain queue (before encryption) into an
encrypted one. See docs/encryption.md.

A queue file is found to be one of:

* new: a new id and a new key, the key kept (:class:`.keys.KeyStore`) before the file exists;
* plain SQLite (made by a version before encryption): encrypted in place, once, at the first
  open — the key is kept first, the encrypted copy written and flushed beside the file, then
  renamed over it, so a power cut at any point leaves one whole queue and its key;
* encrypted: opened with the key kept for the id in ``queue.id``. A file no kept key opens is
  another station's file put in its place (QueueReplaced) when a key of this PC for another
  queue opens it, damaged (QueueDamaged) when this queue's key is here but does not open it,
  and KeyMissing when this queue's key is nowhere on this PC.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import uuid
from pathlib import Path

from sqlalchemy import Engine, insert, select

from ..errors import (
    QueueDamaged,
    QueueReplaced,
    RecoveryKeyInvalid,
    RecoveryKeyShown,
    StationRunning,
)
from ..private import private_files
from ..timeutil import utc_now_iso
from .db import DriverError, connect_file, reading, translated, writing
from .keys import KeyStore, format_recovery_key, new_key
from .lock import ProcessLock
from .schema import meta, refuse_newer

__all__ = [
    "PAGE_BYTES",
    "PLAIN_MAGIC",
    "RECOVERY_SHOWN_KEY",
    "QueueKey",
    "claim_recovery_key",
    "derive",
    "encrypt_plain_locked",
    "is_plain",
    "key_for",
    "opens_with",
    "recover_key",
]

log = logging.getLogger(__name__)

PLAIN_MAGIC = b"SQLite format 3\x00"
#: SQLCipher 4's page size: an encrypted file is a whole number of pages
PAGE_BYTES = 4096
_SQLITE_NOTADB = 26


class QueueKey:
    """A queue's id and key (never printed: ``repr`` shows the id only)."""

    __slots__ = ("key", "queue_id")

    def __init__(self, queue_id: str, key: bytes) -> None:
        self.queue_id = queue_id
        self.key = key

    def __repr__(self) -> str:
        return f"QueueKey({self.queue_id!r})"


def derive(key: bytes, purpose: str) -> bytes:
    """A key for one purpose (the NIK digest, receipts) from the queue key: HMAC-SHA256 of
    the purpose's name, so none of them reveals the queue key or another one."""
    return hmac.new(key, f"ektp-station {purpose}".encode(), hashlib.sha256).digest()


def is_plain(path: Path) -> bool:
    """Whether ``path`` starts as a plain SQLite file (an encrypted one starts with its salt)."""
    try:
        with path.open("rb") as handle:
            return handle.read(16) == PLAIN_MAGIC
    except OSError:
        return False


def opens_with(path: Path, key: bytes | None) -> bool:
    """Whether ``key`` (None: no key, a plain file) opens ``path`` (its first page reads and
    authenticates). Any other driver error than "not a database" (a read-only folder, a
    file locked) is raised, for :func:`.db.translated` to say what it is."""
    conn = connect_file(path, key, timeout=10)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return True
    except DriverError as exc:
        if (getattr(exc, "sqlite_errorcode", 0) or 0) & 0xFF == _SQLITE_NOTADB:
            return False
        raise
    finally:
        conn.close()


def _read_id(target: Path) -> str | None:
    try:
        text = target.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return None
    try:
        return str(uuid.UUID(text))
    except ValueError:
        return None


def key_for(path: Path, id_file: Path, keys: KeyStore, *, fresh: bool) -> QueueKey:
    """The id and key of the queue file ``path`` (see the module's text)."""
    if fresh:
        queue_id = str(uuid.uuid4())
        key = new_key()
        with translated():
            keys.put(queue_id, key)
        log.info("a new queue key was made and kept")
        return QueueKey(queue_id, key)
    if is_plain(path):
        return _encrypt_plain(path, id_file, keys)
    known = _read_id(id_file)
    own = keys.get(known) if known else None
    if known and own is not None and opens_with(path, own):
        return QueueKey(known, own)
    for other_id, other in keys.candidates():
        if other_id != known and opens_with(path, other):
            if known:
                log.error("the queue file is another queue of this PC than queue.id names")
                raise QueueReplaced("the queue file opens with another queue's key")
            return QueueKey(other_id, other)
    if own is not None or not known:
        # its own key is here and does not open it, or no queue.id names it (every queue
        # has one from its first open) and no key of this PC opens it: not a queue of ours
        log.error(
            "queue check failed: the file does not open with its key", extra={"file_only": True}
        )
        raise QueueDamaged("not decryptable with this queue's key")
    raise keys.missing(known, "no key for the queue file")


def _encrypt_plain(path: Path, id_file: Path, keys: KeyStore) -> QueueKey:
    """Encrypt a queue written before encryption (see the module's text), holding the sync
    lock: no other process of this version sends from it meanwhile."""
    lock = ProcessLock(path.with_name("sync.lock"))
    if not lock.try_acquire():
        raise StationRunning()
    try:
        return encrypt_plain_locked(path, id_file, keys)
    finally:
        lock.release()


def encrypt_plain_locked(path: Path, id_file: Path, keys: KeyStore) -> QueueKey:
    """Encrypt the plain queue file ``path`` in place; the caller holds the sync lock."""
    with translated():
        conn = connect_file(path, None)
        try:
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
            refuse_newer(version)  # a newer program's file is never touched
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            row = None
            try:
                row = conn.execute("SELECT value FROM meta WHERE key = 'queue_id'").fetchone()
            except DriverError:
                pass  # a queue from before the queue id: it gets one now
            queue_id = str(row[0]) if row else (_read_id(id_file) or str(uuid.uuid4()))
            kept = keys.get(queue_id)
            key = kept if kept is not None else new_key()
            if kept is None:
                keys.put(queue_id, key)
            partial = path.with_name(path.name + ".encrypting")
            partial.unlink(missing_ok=True)
            fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            os.close(fd)  # owner-only before a byte is in
            try:
                conn.execute(
                    f"ATTACH DATABASE ? AS encrypted KEY \"x'{key.hex()}'\"", (str(partial),)
                )
                conn.execute("SELECT sqlcipher_export('encrypted')")
                conn.execute(f"PRAGMA encrypted.user_version = {version}")
                conn.execute("DETACH DATABASE encrypted")
            except BaseException:
                partial.unlink(missing_ok=True)
                raise
        finally:
            conn.close()
        if not opens_with(partial, key):
            partial.unlink(missing_ok=True)
            raise QueueDamaged("the encrypted copy did not open")
        with partial.open("rb") as handle:
            os.fsync(handle.fileno())
        for suffix in ("-wal", "-shm"):  # empty after the checkpoint; the new file has none
            path.with_name(path.name + suffix).unlink(missing_ok=True)
        os.replace(partial, path)
        private_files([path])
    log.warning("a queue written before encryption was encrypted in place")
    return QueueKey(queue_id, key)


RECOVERY_SHOWN_KEY = "recovery_key_shown_at"


def claim_recovery_key(engine: Engine, key: QueueKey) -> str:
    """The queue's recovery key, once: the first call records when (``meta``), every later
    one raises RecoveryKeyShown — also from another process at the same moment (the meta
    row's primary key decides)."""
    from sqlalchemy.exc import IntegrityError

    now = utc_now_iso()
    try:
        with writing(engine) as conn:
            conn.execute(insert(meta).values(key=RECOVERY_SHOWN_KEY, value=now))
    except IntegrityError:
        with reading(engine) as conn:
            shown = conn.execute(
                select(meta.c.value).where(meta.c.key == RECOVERY_SHOWN_KEY)
            ).scalar()
        raise RecoveryKeyShown(str(shown)) from None
    log.info("the recovery key was shown")
    return format_recovery_key(key.key)


def recover_key(path: Path, id_file: Path, keys: KeyStore, key: bytes) -> str:
    """Keep ``key`` (typed from the recovery key) for the queue file ``path`` when it opens
    it; returns the queue's id. RecoveryKeyInvalid when it does not open it."""
    with translated():
        if not path.is_file() or is_plain(path) or not opens_with(path, key):
            raise RecoveryKeyInvalid("the recovery key does not open the queue file")
        conn = connect_file(path, key)
        try:
            row = conn.execute("SELECT value FROM meta WHERE key = 'queue_id'").fetchone()
        finally:
            conn.close()
        queue_id = str(row[0]) if row else _read_id(id_file)
        if queue_id is None:
            raise RecoveryKeyInvalid("the queue file has no id")
        keys.put(queue_id, key)
        if _read_id(id_file) != queue_id:
            id_file.write_text(queue_id + "\n", encoding="utf-8")
    log.warning("the queue key was put back from the recovery key")
    return queue_id
