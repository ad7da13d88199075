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
    KeyMismatch,
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
    "derive",
    "encrypt_plain_locked",
    "is_plain",
    "key_for",
    "opens_with",
    "recover_key",
    "recovery_key",
    "recovery_key_noted",
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
                log.error(
                    "the queue file is another queue of this PC than queue.id names",
                    extra={"file_only": True},
                )
                raise QueueReplaced("the queue file opens with another queue's key")
            return QueueKey(other_id, other)
    if own is not None:
        # its own key is here and does not open it: the file damaged, or the key replaced
        log.error(
            "queue check failed: the file does not open with its key", extra={"file_only": True}
        )
        raise KeyMismatch("not decryptable with this queue's key")
    if not known:
        # no queue.id names it (every queue has one from its first open) and no key of this
        # PC opens it: not a queue of ours, or garbage
        log.error("queue check failed: no key opens the file", extra={"file_only": True})
        raise QueueDamaged("no queue.id and no key opens the file")
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


def encrypt_plain_locked(
    path: Path, id_file: Path, keys: KeyStore, *, restored: bool = False
) -> QueueKey:
    """Encrypt the plain queue file ``path`` in place; the caller holds the sync lock.

    Refused (QueueReplaced, the file untouched) when the plain file is not this station's
    queue from before encryption: another queue than ``queue.id`` names, or a queue whose key
    is kept already — it was encrypted once, so a plain file in its place was put there by
    hand (unless ``restored``: a plain backup restored on purpose). The ``.encrypting`` file,
    made before the key is kept and gone once the encrypted file is in place, tells an
    encryption cut short (finished now) from such a file."""
    partial = path.with_name(path.name + ".encrypting")
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
            known = _read_id(id_file)
            queue_id = str(row[0]) if row else (known or str(uuid.uuid4()))
            kept = keys.get(queue_id)
            if known and queue_id != known:
                log.error("plain queue file of another queue", extra={"file_only": True})
                raise QueueReplaced("a plain file of another queue in place of this one")
            if kept is not None and not restored and not partial.exists():
                log.error("plain file in place of the encrypted queue", extra={"file_only": True})
                raise QueueReplaced("a plain file in place of the encrypted queue")
            partial.unlink(missing_ok=True)
            fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            os.close(fd)  # owner-only before a byte is in; first: it marks the work begun
            key = kept if kept is not None else new_key()
            if kept is None:
                keys.put(queue_id, key)
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
    log.warning(
        "a queue written before encryption was encrypted in place", extra={"file_only": True}
    )
    return QueueKey(queue_id, key)


RECOVERY_SHOWN_KEY = "recovery_key_shown_at"


def recovery_key(engine: Engine, key: QueueKey) -> str:
    """The queue's recovery key, until it was noted (RecoveryKeyShown after
    :func:`recovery_key_noted`)."""
    with reading(engine) as conn:
        shown = conn.execute(select(meta.c.value).where(meta.c.key == RECOVERY_SHOWN_KEY)).scalar()
    if shown is not None:
        raise RecoveryKeyShown(str(shown))
    return format_recovery_key(key.key)


def recovery_key_noted(engine: Engine) -> None:
    """Record that the recovery key reached a person (printed in full, or the dialog's "I
    have written it down"): it is not shown again. Marked only then, so a key lost on the
    way (a closed pipe, a dialog closed otherwise) can still be shown."""
    with writing(engine) as conn:
        conn.execute(
            insert(meta)
            .values(key=RECOVERY_SHOWN_KEY, value=utc_now_iso())
            .prefix_with("OR IGNORE")
        )
    log.info("the recovery key was noted")


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
    log.warning("the queue key was put back from the recovery key", extra={"file_only": True})
    return queue_id
