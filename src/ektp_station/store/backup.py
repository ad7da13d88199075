"""Backups of the queue: SQLite's online backup API, each copy checked before it counts.

``backup`` copies a live queue (other connections may keep reading and writing; the copy is
one consistent snapshot) to a file beside the target, runs ``PRAGMA quick_check`` on the copy,
and only then renames it into place. ``backup_into`` makes one generation of the rotating
backups in a folder (``queue-<UTC time>Z.sqlite3``) and removes the oldest beyond ``keep`` —
only after the new one checked out, and only files of that exact name. ``restore`` puts a
checked backup in place of the queue file of a station that is not running, keeping the file
it replaces.
"""

from __future__ import annotations

import logging
import os
import re
import sqlite3
import time
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ..errors import (
    BackupDamaged,
    BackupFailed,
    EktpError,
    QueueDamaged,
    QueueGone,
    QueueMissing,
    StationRunning,
    WrongStationBackup,
)
from ..private import private_dir, private_files
from .db import translated
from .queue import DB_FILENAME, QUEUE_ID_FILENAME, QUEUE_ID_KEY, Queue

__all__ = [
    "BackupInfo",
    "backup",
    "backup_into",
    "backup_name",
    "generations",
    "inspect_backup",
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


def _check(path: Path) -> None:
    with translated(), closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        rows = [str(r[0]) for r in conn.execute("PRAGMA quick_check(5)")]
    if rows != ["ok"]:
        raise QueueDamaged("backup failed its integrity check")


def inspect_backup(path: Path) -> BackupInfo:
    """What a backup file holds (QueueDamaged unless it passes quick_check)."""
    if not path.is_file() or path.stat().st_size == 0:
        raise QueueMissing("backup file missing or empty")
    _check(path)
    with translated(), closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
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
        if not target.parent.is_dir():
            private_dir(target.parent)
        partial.unlink(missing_ok=True)
        try:  # a copy cut short (a full stick, a check failed) never stays behind
            raw = queue.engine.raw_connection()
            try:
                source = raw.driver_connection
                assert isinstance(source, sqlite3.Connection)
                dest = sqlite3.connect(partial)
                private_files([partial])  # holds every record: owner-only before a byte is in
                try:
                    source.backup(dest)
                    dest.execute("PRAGMA journal_mode=DELETE")
                finally:
                    dest.close()
            finally:
                raw.close()
            info = inspect_backup(partial)
            with partial.open("rb") as handle:
                os.fsync(handle.fileno())
            os.replace(partial, target)
        finally:
            partial.unlink(missing_ok=True)
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
    if removed:
        log.info("%d old backups removed (keeping %d)", len(removed), keep)
    return info


def restore(data_dir: Path, source: Path, *, station_id: str) -> BackupInfo:
    """Put the backup ``source`` in place of the queue under ``data_dir`` (the station must
    not be running: the sync lock is taken). Refuses a backup with another station's entries.
    The file replaced, if any, is kept as ``queue.sqlite3.before-restore-<UTC time>``."""
    try:
        info = inspect_backup(source)
    except (QueueDamaged, QueueMissing) as exc:
        raise BackupDamaged(exc.detail or "backup unusable") from None
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
            private_files([db])
            if info.queue_id:
                (data_dir / QUEUE_ID_FILENAME).write_text(info.queue_id + "\n", encoding="utf-8")
    finally:
        lock.release()
    log.info("queue restored from a backup (%d entries)", info.entries)
    return BackupInfo(db, info.queue_id, info.entries, info.stations)
