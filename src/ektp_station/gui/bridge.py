"""The one bridge between the station core and the GUI thread.

The core calls :class:`StationBridge` (a :class:`~ektp_station.station.StationListener`) on
any thread — the sync engine's reports come from its own; the bridge only re-emits those
calls as Qt signals. It lives on the GUI thread, so Qt queues the signals and every connected
slot runs on the GUI thread. ``changed`` is the one change notification every view listens to.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from ..station import Changes
from ..sync.engine import EngineState, Progress

__all__ = ["StationBridge"]


class StationBridge(QObject):
    """Implements ``StationListener``; safe to call from any thread."""

    changed = Signal(object)  # Changes
    stateChanged = Signal(object)  # EngineState
    progress = Signal(object)  # Progress

    def station_changed(self, changes: Changes) -> None:
        self.changed.emit(changes)

    def sync_state_changed(self, state: EngineState) -> None:
        self.stateChanged.emit(state)

    def sync_progress(self, progress: Progress) -> None:
        self.progress.emit(progress)
