"""Backups of the queue: SQLite's online backup API, each copy checked before it counts.

``backup`` copies a live queue (other connections may keep reading and writing; the copy is
one consistent snapshot) to a file beside the target, runs ``PRAGMA quick_check`` on the copy,
and only then renames it into place. ``restore`` puts a checked backup in place of the queue
file of a station that is not running, keeping the file it replaces.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from ..errors import QueueDamaged, QueueMissing, StationRunning, WrongStationBackup
from .db import translated
from .queue import DB_FILENAME, QUEUE_ID_FILENAME, QUEUE_ID_KEY, Queue

__all__ = ["BackupInfo", "backup", "inspect_backup", "restore"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    queue_id: str | None
    entries: int
    stations: tuple[str, ...]


def _check(path: Path) -> None:
    with translated(), sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        rows = [str(r[0]) for r in conn.execute("PRAGMA quick_check(5)")]
    if rows != ["ok"]:
        raise QueueDamaged("backup failed its integrity check")


def inspect_backup(path: Path) -> BackupInfo:
    """What a backup file holds (QueueDamaged unless it passes quick_check)."""
    if not path.is_file() or path.stat().st_size == 0:
        raise QueueMissing("backup file missing or empty")
    _check(path)
    with translated(), sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        try:
            row = conn.execute("SELECT value FROM meta WHERE key = ?", (QUEUE_ID_KEY,)).fetchone()
            entries = int(conn.execute("SELECT count(*) FROM entries").fetchone()[0])
            stations = tuple(
                str(r[0]) for r in conn.execute("SELECT DISTINCT station_id FROM entries")
            )
        except sqlite3.OperationalError:
            raise QueueDamaged("not a queue backup") from None
    return BackupInfo(path, str(row[0]) if row else None, entries, stations)


def backup(queue: Queue, target: Path) -> BackupInfo:
    """Copy the live queue to ``target`` (checked before it replaces anything there)."""
    partial = target.with_name(target.name + ".partial")
    with translated():
        target.parent.mkdir(parents=True, exist_ok=True)
        partial.unlink(missing_ok=True)
        raw = queue.engine.raw_connection()
        try:
            source = raw.driver_connection
            assert isinstance(source, sqlite3.Connection)
            dest = sqlite3.connect(partial)
            try:
                source.backup(dest)
                dest.execute("PRAGMA journal_mode=DELETE")
            finally:
                dest.close()
        finally:
            raw.close()
        try:
            info = inspect_backup(partial)
            with partial.open("rb") as handle:
                os.fsync(handle.fileno())
            os.replace(partial, target)
        finally:
            partial.unlink(missing_ok=True)
    log.info("queue backed up (%d entries)", info.entries)
    return BackupInfo(target, info.queue_id, info.entries, info.stations)


def restore(data_dir: Path, source: Path, *, station_id: str) -> BackupInfo:
    """Put the backup ``source`` in place of the queue under ``data_dir`` (the station must
    not be running: the sync lock is taken). Refuses a backup with another station's entries.
    The file replaced, if any, is kept as ``queue.sqlite3.before-restore-<UTC time>``."""
    info = inspect_backup(source)
    others = [s for s in info.stations if s != station_id]
    if others:
        raise WrongStationBackup()
    from .lock import ProcessLock
    from .queue import LOCK_FILENAME

    lock = ProcessLock(data_dir / LOCK_FILENAME)
    if not lock.try_acquire():
        raise StationRunning()
    try:
        db = data_dir / DB_FILENAME
        stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
        with translated():
            for suffix in ("", "-wal", "-shm"):
                old = db.with_name(db.name + suffix)
                if old.exists():
                    old.rename(old.with_name(f"{old.name}.before-restore-{stamp}"))
            src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
            try:
                dest = sqlite3.connect(db)
                try:
                    src.backup(dest)
                finally:
                    dest.close()
            finally:
                src.close()
            if info.queue_id:
                (data_dir / QUEUE_ID_FILENAME).write_text(info.queue_id + "\n", encoding="utf-8")
    finally:
        lock.release()
    log.info("queue restored from a backup (%d entries)", info.entries)
    return BackupInfo(db, info.queue_id, info.entries, info.stations)
