"""Scheduled, rotating backups of the live queue while the station runs.

A :class:`BackupKeeper` makes one generation (``store.backup.backup_into``: SQLite's online
backup API, checked with ``quick_check`` before it counts, the oldest beyond ``keep`` removed)
every ``every`` seconds on a thread of its own, and one more at a clean exit. Saves and the sync
engine go on meanwhile (the copy is one read snapshot; WAL writers never wait for it). A failure
— a USB stick pulled, a full or read-only folder — is logged, kept as :attr:`BackupKeeper.problem`
for the window's banner and ``queue status``, and tried again at the next turn; older backups
are kept.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from ..errors import EktpError
from ..store import Queue
from ..store.backup import BackupInfo, backup_into, last_backup_at
from ..timeutil import utc_now

__all__ = ["FAILURE_FILENAME", "BackupKeeper", "clear_failure", "last_failure", "write_failure"]

#: In the data folder while the last backup failed, so that ``queue status`` in another
#: process says so too (the folder and the reason's code; never personal data).
FAILURE_FILENAME = "backup-failed.json"


def write_failure(data_dir: Path, folder: Path, exc: EktpError) -> None:
    try:
        (data_dir / FAILURE_FILENAME).write_text(
            json.dumps({"folder": str(folder), "detail": exc.detail or type(exc).__name__}),
            encoding="utf-8",
        )
    except OSError:
        pass  # the data folder itself full or read-only: the banner in this process says it


def clear_failure(data_dir: Path) -> None:
    try:
        (data_dir / FAILURE_FILENAME).unlink(missing_ok=True)
    except OSError:
        pass


def last_failure(data_dir: Path) -> EktpError | None:
    """The last backup's failure as another process left it, or None."""
    from ..errors import BackupFailed

    try:
        data = json.loads((data_dir / FAILURE_FILENAME).read_text(encoding="utf-8"))
        return BackupFailed(str(data["folder"]), str(data.get("detail") or ""))
    except (OSError, ValueError, KeyError, TypeError):
        return None


log = logging.getLogger(__name__)


class BackupKeeper:
    """See the module docstring. ``create``: the folder may be made (the default one in the
    data folder); a configured folder must be there."""

    def __init__(
        self,
        queue: Queue,
        folder: Path,
        *,
        every: float,
        keep: int,
        create: bool = False,
        owner: str = "",
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.queue = queue
        self.folder = folder
        self.every = every
        self.keep = keep
        self.create = create
        self.owner = owner  # the station's id, in every generation's name
        self._clock = clock
        self._lock = threading.Lock()  # one backup at a time (the timer, an exit, by hand)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.last_at: datetime | None = last_backup_at(folder, owner)
        self.problem: EktpError | None = None
        #: Generations made by this keeper (for tests and the log).
        self.made = 0

    def backup_now(self) -> BackupInfo:
        """One generation now; the error (BackupFailed, QueueGone) is raised and kept."""
        with self._lock:
            try:
                info = backup_into(
                    self.queue,
                    self.folder,
                    keep=self.keep,
                    now=self._clock(),
                    create=self.create,
                    owner=self.owner,
                )
            except EktpError as exc:
                self.problem = exc
                write_failure(self.queue.path.parent, self.folder, exc)
                raise
            self.problem = None
            clear_failure(self.queue.path.parent)
            self.last_at = self._clock()
            self.made += 1
            return info

    def start(self) -> None:
        """Back up every ``every`` seconds until :meth:`stop` (no thread when ``every`` is 0:
        then only at the exit)."""
        if self.every <= 0 or self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="ektp-backups", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            try:
                self.backup_now()
            except EktpError as exc:
                log.warning("scheduled backup failed: %s", exc)
            except Exception:  # never let the timer die: the next turn tries again
                log.exception("scheduled backup failed unexpectedly")

    def stop(self, *, final: bool) -> None:
        """Stop the timer; with ``final`` (a clean exit), one last generation."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        if final:
            try:
                self.backup_now()
            except EktpError as exc:
                log.warning("backup at exit failed: %s", exc)
