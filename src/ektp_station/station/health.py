"""The storage's health as the person in front of the station must hear of it: the queue file
gone or unusable, the disk filling up (before a save fails), a backup that failed.

:func:`check` is cheap (one ``stat``, one ``statvfs``; the backup folder is listed only when no
keeper runs) so that the window can ask every few seconds; ``queue status`` prints the same.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from ..errors import EktpError, QueueGone, QueueUnusable
from ..store import Queue
from ..store.backup import last_backup_at
from ..store.encryption import RECOVERY_SHOWN_KEY
from ..timeutil import format_utc
from .backups import BackupKeeper, last_failure

__all__ = ["HealthWarning", "StorageHealth", "check"]

MB = 1_000_000


@dataclass(frozen=True)
class HealthWarning:
    """One thing to tell, most severe first: ``level`` "error" (do not record) or "warning";
    ``code`` for scripts: ``queue_unusable``, ``low_disk``, ``backup_failed``,
    ``recovery_key_not_shown``."""

    level: str
    code: str
    message_id: str
    message_en: str

    def message(self, lang: str = "id") -> str:
        return self.message_en if lang == "en" else self.message_id


@dataclass(frozen=True)
class StorageHealth:
    free_bytes: int | None
    min_free_bytes: int
    queue_problem: QueueUnusable | None
    backup_dir: Path
    last_backup_at: datetime | None
    backup_problem: EktpError | None
    recovery_key_shown: bool = True  # False: no supervisor has written it down yet

    @property
    def low_disk(self) -> bool:
        return self.free_bytes is not None and self.free_bytes < self.min_free_bytes

    @property
    def warnings(self) -> list[HealthWarning]:
        out: list[HealthWarning] = []
        if self.queue_problem is not None:
            fault = self.queue_problem
            out.append(HealthWarning("error", "queue_unusable", fault.message_id, fault.message_en))
        if self.low_disk:
            free = (self.free_bytes or 0) // MB
            limit = self.min_free_bytes // MB
            out.append(
                HealthWarning(
                    "warning",
                    "low_disk",
                    f"Ruang disk hampir habis: tinggal {free} MB (batas peringatan {limit} MB). "
                    "Kosongkan ruang disk atau minta petugas TI sebelum penuh; data yang sudah "
                    "tersimpan aman.",
                    f"The disk is almost full: {free} MB left (warning below {limit} MB). Free "
                    "some space or call IT support before it is full; everything saved is safe.",
                )
            )
        if self.backup_problem is not None:
            failed = self.backup_problem
            out.append(
                HealthWarning("warning", "backup_failed", failed.message_id, failed.message_en)
            )
        if not self.recovery_key_shown:
            out.append(
                HealthWarning(
                    "warning",
                    "recovery_key_not_shown",
                    "Kunci pemulihan antrean belum dicatat. Supervisor: tampilkan sekali dan "
                    "simpan catatannya di tempat aman; tanpa kunci itu cadangan tidak dapat "
                    "dibuka di komputer lain.",
                    "The queue's recovery key has not been written down yet. Supervisor: show "
                    "it once and keep the note somewhere safe; without it no backup opens on "
                    "another PC.",
                )
            )
        return out

    def to_json(self) -> dict[str, Any]:
        """The keys ``queue status --json`` adds."""
        return {
            "free_bytes": self.free_bytes,
            "min_free_bytes": self.min_free_bytes,
            "low_disk": self.low_disk,
            "backup_dir": str(self.backup_dir),
            "last_backup_at": format_utc(self.last_backup_at) if self.last_backup_at else None,
            "recovery_key_shown": self.recovery_key_shown,
            "warnings": [
                {"level": w.level, "code": w.code, "message": w.message_en} for w in self.warnings
            ],
        }


def free_bytes(folder: Path) -> int | None:
    try:
        return shutil.disk_usage(folder).free
    except OSError:
        return None


def check(
    queue: Queue,
    *,
    min_free_mb: int,
    backup_dir: Path,
    engine_fault: QueueUnusable | None = None,
    backups: BackupKeeper | None = None,
    owner: str = "",
) -> StorageHealth:
    """The health now. ``engine_fault``: what stopped the sync engine, if a storage fault;
    ``backups``: the running :class:`~.backups.BackupKeeper` (its last backup and problem)."""
    problem: QueueUnusable | None = engine_fault
    if not queue.still_there():
        problem = QueueGone("queue file deleted or replaced")
    if backups is not None:
        last, backup_problem = backups.last_at, backups.problem
    else:
        last = last_backup_at(backup_dir, owner)
        backup_problem = last_failure(queue.path.parent)
    shown = True
    if problem is None:
        try:
            shown = queue.get_meta(RECOVERY_SHOWN_KEY) is not None
        except QueueUnusable as exc:
            problem = exc
    return StorageHealth(
        recovery_key_shown=shown,
        free_bytes=free_bytes(queue.path.parent),
        min_free_bytes=min_free_mb * MB,
        queue_problem=problem,
        backup_dir=backup_dir,
        last_backup_at=last,
        backup_problem=backup_problem,
    )
