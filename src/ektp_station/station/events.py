"""What the station's core tells its front ends: one change notification, and the sync
engine's reports, through one listener interface (no Qt here; the window re-emits each call as
one Qt signal, see ``gui/bridge.py``)."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from ..sync.engine import EngineState, Progress

__all__ = ["Changes", "EventHub", "StationListener"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Changes:
    """What a use case (or a sync batch) changed, so that each view refreshes only what it
    shows. ``entries``: the entry numbers touched (empty with ``queue`` true: "some")."""

    origin: str  # the use case: "capture", "correct", "resend", "discard", "resolve", "sync", …
    entries: tuple[int, ...] = ()
    queue: bool = False  # entries were added or changed state: lists and counts are stale
    operators: bool = False  # accounts changed
    settings: bool = False  # settings changed (the sync engine was restarted)
    session: bool = False  # who is signed in changed

    @classmethod
    def of_entries(cls, origin: str, *seqs: int) -> Changes:
        return cls(origin, entries=tuple(seqs), queue=True)


class StationListener(Protocol):
    """Called on any thread (the sync engine's reports come from its own)."""

    def station_changed(self, changes: Changes) -> None: ...

    def sync_state_changed(self, state: EngineState) -> None: ...

    def sync_progress(self, progress: Progress) -> None: ...


class EventHub:
    """The station's listeners; a listener that raises is logged, never stops the others."""

    def __init__(self) -> None:
        self._listeners: list[StationListener] = []
        self._lock = threading.Lock()

    def subscribe(self, listener: StationListener) -> None:
        with self._lock:
            if listener not in self._listeners:
                self._listeners.append(listener)

    def unsubscribe(self, listener: StationListener) -> None:
        with self._lock:
            if listener in self._listeners:
                self._listeners.remove(listener)

    def _each(self) -> list[StationListener]:
        with self._lock:
            return list(self._listeners)

    def changed(self, changes: Changes) -> None:
        for listener in self._each():
            try:
                listener.station_changed(changes)
            except Exception:
                log.exception("a listener failed on a change notification")

    def sync_state_changed(self, state: EngineState) -> None:
        for listener in self._each():
            try:
                listener.sync_state_changed(state)
            except Exception:
                log.exception("a listener failed on a sync state report")

    def sync_progress(self, progress: Progress) -> None:
        for listener in self._each():
            try:
                listener.sync_progress(progress)
            except Exception:
                log.exception("a listener failed on a sync progress report")
