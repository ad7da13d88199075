"""The retention use case's parts: what a purge did, and the daily run while the station runs.

``Station.purge`` (a supervisor, or the daily run acting as the station) removes the personal
data of entries the centre confirmed or that were withdrawn, ``retention-days`` after (see
``store/retention.py``), together with their receipts.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..errors import EktpError

__all__ = ["DAILY", "DailyPurge", "PurgeReport"]

log = logging.getLogger(__name__)

DAILY = 86_400.0


@dataclass(frozen=True)
class PurgeReport:
    purged: tuple[int, ...]  # entry numbers whose personal data was removed
    receipts_removed: int
    older_than_days: int

    def to_json(self) -> dict[str, Any]:
        """The keys of ``queue purge --json``."""
        return {
            "purged": len(self.purged),
            "receipts_removed": self.receipts_removed,
            "older_than_days": self.older_than_days,
            "seqs": list(self.purged),
        }


class DailyPurge:
    """Runs ``purge`` once at :meth:`start` and then every ``every`` seconds on its own
    thread until :meth:`stop`; a failure is logged and tried again at the next turn."""

    def __init__(self, purge: Callable[[], object], *, every: float = DAILY) -> None:
        self._purge = purge
        self.every = every
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="ektp-retention", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._purge()
            except EktpError as exc:
                log.warning("retention purge failed: %s", exc)
            except Exception:  # never let the timer die
                log.exception("retention purge failed unexpectedly")
            if self._stop.wait(self.every):
                return

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
