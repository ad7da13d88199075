"""Backups of the queue: SQLite's online backup API, each copy checked before it counts.

``backup`` copies a live queue (other connections may keep reading and writing; the copy is
one consistent snapshot) to a file beside the target, runs ``PRAGMA quick_check`` on the copy,
and only then renames it into place. ``backup_into`` makes one generation of the rotating
backups in a folder (``queue-<UTC time>Z.sqlite3``) and removes the oldest beyond ``keep`` —
only after the new one checked out, and only files of that exact name. ``restore`` puts a
checked backup in place of the queue file of a station that is not running, keeping the file
it replaces.

A backup is encrypted with its queue's key, like the queue (docs/encryption.md): on this PC
it opens with the key kept here; on another PC only with the recovery key
(:func:`key_of_backup`). A plain backup made before encryption still restores, and is
encrypted as it is put in place.
"""

from __future__ import annotations

import logging
import os
import re
import time
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ..errors import (
    BackupDamaged,
    BackupFailed,
    BackupKeyUnknown,
    EktpError,
    QueueDamaged,
    QueueGone,
    QueueMissing,
    RecoveryKeyInvalid,
    StationRunning,
    WrongStationBackup,
)
from ..paths import ATTACHMENTS_DIR
from ..private import private_dir, private_files
from .attachments import copy_missing, mirror
from .db import DriverError, connect_file, translated
from .encryption import PAGE_BYTES, QueueKey, encrypt_plain_locked, is_plain, opens_with
from .keys import KeyStore
from .lock import ProcessLock
from .queue import DB_FILENAME, LOCK_FILENAME, QUEUE_ID_FILENAME, QUEUE_ID_KEY, Queue

__all__ = [
    "BackupInfo",
    "backup",
    "backup_into",
    "backup_name",
    "generations",
    "inspect_backup",
    "key_of_backup",
    "last_backup_at",
    "restore",
    "rotate",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    queue_id: str | None
    entries: int
    stations: tuple[str, ...]


def _check(path: Path, key: bytes | None) -> None:
    with translated(), closing(connect_file(path, key, read_only=True)) as conn:
        rows = [str(r[0]) for r in conn.execute("PRAGMA quick_check(5)")]
    if rows != ["ok"]:
        raise QueueDamaged("backup failed its integrity check")


def key_of_backup(
    path: Path,
    keys: KeyStore,
    *,
    current: QueueKey | None = None,
    recovery: bytes | None = None,
) -> bytes | None:
    """The key that opens the backup ``path`` (None: a plain backup from before encryption):
    ``recovery`` when given (RecoveryKeyInvalid unless it opens it), else the queue's own key
    or another queue's key kept on this PC; when none does — then only the
    recovery key can open it (BackupKeyUnknown)."""
    if not path.is_file() or path.stat().st_size == 0:
        raise QueueMissing("backup file missing or empty")
    if is_plain(path):
        return None
    if path.stat().st_size % PAGE_BYTES:  # not whole SQLCipher pages: no key can help
        raise QueueDamaged("backup file is not whole pages")
    with translated():
        if recovery is not None:
            if opens_with(path, recovery):
                return recovery
            raise RecoveryKeyInvalid("the recovery key does not open this backup")
        if current is not None and opens_with(path, current.key):
            return current.key
        for _queue_id, key in keys.candidates():
            if opens_with(path, key):
                return key
    raise BackupKeyUnknown("no key of this PC opens the backup")


def inspect_backup(path: Path, key: bytes | None) -> BackupInfo:
    """What a backup file holds, opened with ``key`` (QueueDamaged unless it passes
    quick_check)."""
    if not path.is_file() or path.stat().st_size == 0:
        raise QueueMissing("backup file missing or empty")
    _check(path, key)
    with translated(), closing(connect_file(path, key, read_only=True)) as conn:
        try:
            row = conn.execute("SELECT value FROM meta WHERE key = ?", (QUEUE_ID_KEY,)).fetchone()
            entries = int(conn.execute("SELECT count(*) FROM entries").fetchone()[0])
            stations = tuple(
                str(r[0]) for r in conn.execute("SELECT DISTINCT station_id FROM entries")
            )
        except DriverError:
            raise QueueDamaged("not a queue backup") from None
    return BackupInfo(path, str(row[0]) if row else None, entries, stations)


def backup(queue: Queue, target: Path) -> BackupInfo:
    """Copy the live queue to ``target`` (checked before it replaces anything there), and
    mirror the biometric parts into ``attachments/`` beside it (encrypted already; the files
    of images purged since leave the copy too)."""
    partial = target.with_name(target.name + ".partial")
    with translated():
        if not target.parent.is_dir():
            private_dir(target.parent)
        partial.unlink(missing_ok=True)
        try:  # a copy cut short (a full stick, a check failed) never stays behind
            raw = queue.engine.raw_connection()
            try:
                source = raw.driver_connection
                assert source is not None
                # owner-only before a byte is in (and encrypted: the queue's key)
                os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
                dest = connect_file(partial, queue.key.key)
                try:
                    source.backup(dest)
                    dest.execute("PRAGMA journal_mode=DELETE")
                finally:
                    dest.close()
            finally:
                raw.close()
            info = inspect_backup(partial, queue.key.key)
            with partial.open("rb") as handle:
                os.fsync(handle.fileno())
            os.replace(partial, target)
        finally:
            partial.unlink(missing_ok=True)
        copied, removed = mirror(
            queue.path.parent / ATTACHMENTS_DIR, target.parent / ATTACHMENTS_DIR
        )
    if copied or removed:
        log.info("part files backed up: %d new, %d removed", copied, removed)
    log.info("queue backed up (%d entries)", info.entries)
    return BackupInfo(target, info.queue_id, info.entries, info.stations)


_GENERATION = re.compile(r"queue-(?:(.+)-)?(\d{8}T\d{6})(?:\.(\d{3}))?Z\.sqlite3")
_STAMP = "%Y%m%dT%H%M%S"


def backup_name(moment: datetime, owner: str = "") -> str:
    """The file name of ``owner``'s generation made at ``moment`` (owner: the station's id,
    so that stations sharing a stick never rotate out each other's backups):
    ``queue-ST-HARJAMUKTI-1-20261201T221000.250Z.sqlite3`` (UTC, ms; names sort as times)."""
    utc = moment.astimezone(UTC)
    who = f"{owner}-" if owner else ""
    return f"queue-{who}{utc.strftime(_STAMP)}.{utc.microsecond // 1000:03d}Z.sqlite3"


def generations(folder: Path, owner: str = "") -> list[Path]:
    """``owner``'s rotating backups in ``folder``, oldest first (other files, and other
    stations' backups, are never counted)."""
    try:
        names = [
            p
            for p in folder.iterdir()
            if (m := _GENERATION.fullmatch(p.name)) and (m.group(1) or "") == owner and p.is_file()
        ]
    except OSError:
        return []
    return sorted(names, key=lambda p: p.name)


def last_backup_at(folder: Path, owner: str = "") -> datetime | None:
    """When ``owner``'s newest generation in ``folder`` was made (from its name), or None."""
    found = generations(folder, owner)
    if not found:
        return None
    match = _GENERATION.fullmatch(found[-1].name)
    assert match is not None
    moment = datetime.strptime(match.group(2), _STAMP).replace(tzinfo=UTC)
    return moment.replace(microsecond=int(match.group(3) or 0) * 1000)


def rotate(folder: Path, keep: int, owner: str = "") -> list[Path]:
    """Remove ``owner``'s oldest generations beyond ``keep``; returns those removed."""
    found = generations(folder, owner)
    removed = found[: max(0, len(found) - keep)]
    for old in removed:
        try:
            old.unlink()
        except OSError as exc:  # a read-only stick, say: the next rotation tries again
            log.warning("old backup not removed (%s)", exc.__class__.__name__)
    return removed


def backup_into(
    queue: Queue,
    folder: Path,
    *,
    keep: int,
    now: datetime,
    create: bool = False,
    owner: str = "",
) -> BackupInfo:
    """One generation of the rotating backups in ``folder`` (made if ``create``: the default
    folder; a configured one — a USB stick — must be there), checked, then the oldest beyond
    ``keep`` removed. BackupFailed when it could not be written or checked (older ones are
    kept); QueueGone when the queue file was deleted or replaced (nothing is rotated out for
    a copy of the wrong file)."""
    queue.ensure_there()
    try:
        if not folder.is_dir():
            if not create:
                raise BackupFailed(str(folder), "backup folder missing")
            private_dir(folder)
        info = backup(queue, folder / backup_name(now, owner))
    except QueueGone:
        raise
    except (EktpError, OSError) as exc:
        if isinstance(exc, BackupFailed):
            raise
        detail = exc.detail if isinstance(exc, EktpError) else exc.__class__.__name__
        log.warning("queue backup failed (%s)", detail)
        raise BackupFailed(str(folder), detail or type(exc).__name__) from None
    removed = rotate(folder, keep, owner)
    private_files(generations(folder, owner))  # owner-only, also what an older version left
    if removed:
        log.info("%d old backups removed (keeping %d)", len(removed), keep)
    return info


def restore(
    data_dir: Path,
    source: Path,
    *,
    station_id: str,
    keys: KeyStore,
    current: QueueKey | None = None,
    recovery: bytes | None = None,
) -> BackupInfo:
    """Put the backup ``source`` in place of the queue under ``data_dir`` (the station must
    not be running: the sync lock is taken). Refuses a backup with another station's entries.
    The file replaced, if any, is kept as ``queue.sqlite3.before-restore-<UTC time>``.

    The backup opens with the key of :func:`key_of_backup`, which is then kept on this PC for
    the restored queue (before the file is in place); a plain backup is encrypted on the way.
    """
    try:
        key = key_of_backup(source, keys, current=current, recovery=recovery)
        info = inspect_backup(source, key)
    except BackupDamaged:
        raise
    except (QueueDamaged, QueueMissing) as exc:
        raise BackupDamaged(exc.detail or "backup unusable") from None
    others = [s for s in info.stations if s != station_id]
    if others:
        raise WrongStationBackup(others, station_id)
    with translated():
        private_dir(data_dir)  # a new PC's data folder may not exist yet
    lock = ProcessLock(data_dir / LOCK_FILENAME)
    if not lock.try_acquire():
        raise StationRunning()
    try:
        db = data_dir / DB_FILENAME
        stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
        with translated():
            if key is not None and info.queue_id and keys.get(info.queue_id) != key:
                keys.put(info.queue_id, key)
            for suffix in ("", "-wal", "-shm"):
                old = db.with_name(db.name + suffix)
                if old.exists():
                    old.rename(old.with_name(f"{old.name}.before-restore-{stamp}"))
            src = connect_file(source, key, read_only=True)
            try:
                os.close(os.open(db, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
                dest = connect_file(db, key)
                try:
                    src.backup(dest)
                finally:
                    dest.close()
            finally:
                src.close()
            private_files([db])
            # the biometric parts the backups kept (a new PC has none): those missing here
            kept = source.parent / ATTACHMENTS_DIR
            if kept.is_dir():
                copy_missing(kept, data_dir / ATTACHMENTS_DIR)
            if info.queue_id:
                (data_dir / QUEUE_ID_FILENAME).write_text(info.queue_id + "\n", encoding="utf-8")
            if key is None:  # from before encryption: encrypted now, before anyone reads it
                encrypt_plain_locked(db, data_dir / QUEUE_ID_FILENAME, keys, restored=True)
    finally:
        lock.release()
    log.info("queue restored from a backup (%d entries)", info.entries)
    return BackupInfo(db, info.queue_id, info.entries, info.stations)
