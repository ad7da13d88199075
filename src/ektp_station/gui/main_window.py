"""The station's main window: tabs "Perekaman" (the entry form), "Antrean" and "Dasbor", with
the status line always at the bottom."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import QMainWindow, QScrollArea, QTabWidget, QWidget

from ..store import Entry, State
from .context import StationContext
from .dashboard import Dashboard
from .entry_form import EntryForm
from .queue_tab import QueueTab
from .status_bar import StationStatusBar

__all__ = ["MainWindow"]


class MainWindow(QMainWindow):
    def __init__(
        self,
        station: StationContext,
        *,
        today: Callable[[], date] = date.today,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.station = station
        self.setWindowTitle(
            f"Perekaman e-KTP — {station.station_id} — Operator: {station.operator}"
        )
        self.form = EntryForm(
            station.queue,
            operator=station.operator,
            station_id=station.station_id,
            city_code=station.city_code,
            today=today,
            lang="en" if station.settings.language == "en" else "id",
        )
        scroll = QScrollArea()
        scroll.setWidget(self.form)
        scroll.setWidgetResizable(True)
        self.tabs = QTabWidget()
        self.tabs.addTab(scroll, "Perekaman (Ctrl+1)")
        self.queue_tab = QueueTab(station, today=today)
        self.dashboard = Dashboard(station)
        self.tabs.addTab(self.queue_tab, "Antrean (Ctrl+2)")
        self.tabs.addTab(self.dashboard, "Dasbor (Ctrl+3)")
        self.setCentralWidget(self.tabs)
        for index in range(self.tabs.count()):
            shortcut = QShortcut(QKeySequence(f"Ctrl+{index + 1}"), self)
            shortcut.activated.connect(lambda i=index: self.tabs.setCurrentIndex(i))
        engine = station.engine
        self.status_bar = StationStatusBar(engine.sync_now if engine is not None else None)
        self.setStatusBar(self.status_bar)
        station.bridge.stateChanged.connect(self.status_bar.on_state)
        station.bridge.progress.connect(self.status_bar.on_progress)
        station.bridge.progress.connect(lambda _p: self.queue_tab.refresh())
        self.form.saved.connect(self._entry_saved)
        self.queue_tab.changed.connect(self._queue_changed)
        if self.dashboard.conflicts is not None:
            self.dashboard.conflicts.changed.connect(self._queue_changed)
        self._show_local_status()

    def _show_local_status(self) -> None:
        status = self.station.queue.status()  # one short local read
        self.status_bar.set_pending(status.counts[State.PENDING.value])
        if status.last_sync_at is not None:
            self.status_bar.set_last_sync(status.last_sync_at)

    def _entry_saved(self, entry: Entry) -> None:
        if self.station.engine is not None:
            self.station.engine.wake()
        self.status_bar.set_pending(self.station.queue.count(State.PENDING))
        self.status_bar.showMessage(f"Entri No. {entry.seq} tersimpan di antrean.", 5000)
        self.queue_tab.refresh()
        self.dashboard.queue_changed()

    def _queue_changed(self) -> None:
        """An entry was corrected, resent or withdrawn in the "Antrean" or "Dasbor" tab."""
        if self.station.engine is not None:
            self.station.engine.wake()
        self.status_bar.set_pending(self.station.queue.count(State.PENDING))
        self.queue_tab.refresh()
        self.dashboard.queue_changed()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.station.stop_sync()
        super().closeEvent(event)
