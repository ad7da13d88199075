"""The one bridge between the sync engine's thread and the GUI thread.

The engine calls :class:`SyncBridge` (a :class:`~ektp_station.sync.engine.SyncListener`) on its
own thread; the bridge only re-emits those calls as Qt signals. The bridge lives on the GUI
thread, so Qt queues the signals and every connected slot runs on the GUI thread.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from ..sync.engine import EngineState, Progress

__all__ = ["SyncBridge"]


class SyncBridge(QObject):
    """Implements ``SyncListener``; safe to call from any thread."""

    stateChanged = Signal(object)  # EngineState
    progress = Signal(object)  # Progress

    def sync_state_changed(self, state: EngineState) -> None:
        self.stateChanged.emit(state)

    def sync_progress(self, progress: Progress) -> None:
        self.progress.emit(progress)
