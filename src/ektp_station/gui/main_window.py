"""The station's main window: tabs "Perekaman" (the entry form), "Antrean" and "Dasbor", with
the status line always at the bottom; "Stasiun → Pengaturan" (Ctrl+,) for a supervisor."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import QMainWindow, QScrollArea, QTabWidget, QWidget

from ..settings import Settings
from ..store import Entry, State
from .about import show_about
from .context import StationContext
from .dashboard import PROGRESS_REFRESH_MS, Dashboard
from .entry_form import EntryForm
from .queue_tab import QueueTab
from .settings_dialog import SettingsDialog
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
        #: Put before the title (the demo's "[DEMO] ").
        self.title_prefix = ""
        self.settings_dialog: SettingsDialog | None = None
        self.update_title()
        self.form = EntryForm(
            station.queue,
            operator=station.operator,
            station_id=station.station_id,
            city_code=station.city_code,
            today=today,
        )
        scroll = QScrollArea()
        scroll.setWidget(self.form)
        scroll.setWidgetResizable(True)
        self.tabs = QTabWidget()
        self.tabs.addTab(scroll, self.tr("Perekaman (Ctrl+1)"))
        self.queue_tab = QueueTab(station, today=today)
        self.dashboard = Dashboard(station)
        self.tabs.addTab(self.queue_tab, self.tr("Antrean (Ctrl+2)"))
        self.tabs.addTab(self.dashboard, self.tr("Dasbor (Ctrl+3)"))
        self.setCentralWidget(self.tabs)
        for index in range(self.tabs.count()):
            shortcut = QShortcut(QKeySequence(f"Ctrl+{index + 1}"), self)
            shortcut.activated.connect(lambda i=index: self.tabs.setCurrentIndex(i))
        engine = station.engine
        self.status_bar = StationStatusBar(engine.sync_now if engine is not None else None)
        self.setStatusBar(self.status_bar)
        station.bridge.stateChanged.connect(self.status_bar.on_state)
        station.bridge.progress.connect(self.status_bar.on_progress)
        # While a queue drains, batches answer many times a second: refresh the table at most
        # every PROGRESS_REFRESH_MS so that the GUI thread stays free for the operator.
        self._queue_refresh = QTimer(self)
        self._queue_refresh.setSingleShot(True)
        self._queue_refresh.setInterval(PROGRESS_REFRESH_MS)
        self._queue_refresh.timeout.connect(self.queue_tab.refresh)
        station.bridge.progress.connect(lambda _p: _throttle(self._queue_refresh))
        self.form.saved.connect(self._entry_saved)
        self.queue_tab.changed.connect(self._queue_changed)
        if self.dashboard.conflicts is not None:
            self.dashboard.conflicts.changed.connect(self._queue_changed)
        self._build_menu()
        self._show_local_status()

    def update_title(self) -> None:
        self.setWindowTitle(
            self.title_prefix
            + self.tr("Perekaman e-KTP — {station} — Operator: {operator}").format(
                station=self.station.station_id, operator=self.station.operator
            )
        )

    def _build_menu(self) -> None:
        menu = self.menuBar().addMenu(self.tr("S&tasiun"))
        self.settings_action = QAction(self.tr("&Pengaturan…"), self)
        self.settings_action.setObjectName("settings_action")
        self.settings_action.setShortcut(QKeySequence("Ctrl+,"))
        self.settings_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        supervisor = self.station.is_supervisor
        self.settings_action.setEnabled(supervisor)
        if not supervisor:
            self.settings_action.setStatusTip(self.tr("Hanya untuk supervisor."))
        self.settings_action.triggered.connect(self.open_settings)
        menu.addAction(self.settings_action)
        self.addAction(self.settings_action)  # the shortcut works with the menu closed
        help_menu = self.menuBar().addMenu(self.tr("&Bantuan"))
        self.about_action = QAction(self.tr("&Tentang ektp-station…"), self)
        self.about_action.setShortcut(QKeySequence("F1"))
        self.about_action.triggered.connect(lambda: show_about(self, self.station))
        help_menu.addAction(self.about_action)
        self.addAction(self.about_action)

    # -- settings ----------------------------------------------------------------------------

    def open_settings(self) -> SettingsDialog | None:
        """The settings dialog (window-modal, not blocking), for a supervisor only."""
        if not self.station.is_supervisor:
            self.status_bar.showMessage(
                self.tr("Hanya supervisor yang dapat mengubah pengaturan."), 5000
            )
            return None
        if self.settings_dialog is not None:
            self.settings_dialog.raise_()
            return self.settings_dialog
        station = self.station
        dialog = SettingsDialog(station.settings, station.paths, self.form.regions, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.saved.connect(self.apply_settings)
        dialog.finished.connect(self._settings_closed)
        self.settings_dialog = dialog
        dialog.open()
        return dialog

    def _settings_closed(self, _result: int) -> None:
        self.settings_dialog = None

    def apply_settings(self, settings: Settings) -> None:
        """Saved settings take effect: a fresh sync engine, the station id and city in the
        form and the title; a new language at the next start."""
        station = self.station
        language_changed = settings.language != station.settings.language
        station.restart_sync(settings)
        engine = station.engine
        self.status_bar.set_sync_now(engine.sync_now if engine is not None else None)
        self.dashboard.engine_changed()
        self.form.set_station(station.station_id, station.city_code)
        self.update_title()
        self._show_local_status()
        text = self.tr("Pengaturan tersimpan.")
        if language_changed:
            text += " " + self.tr("Bahasa berganti setelah aplikasi dibuka ulang.")
        self.status_bar.showMessage(text, 8000)

    def _show_local_status(self) -> None:
        status = self.station.queue.status()  # one short local read
        self.status_bar.set_pending(status.counts[State.PENDING.value])
        if status.last_sync_at is not None:
            self.status_bar.set_last_sync(status.last_sync_at)

    def _entry_saved(self, entry: Entry) -> None:
        if self.station.engine is not None:
            self.station.engine.wake()
        self.status_bar.set_pending(self.station.queue.count(State.PENDING))
        self.status_bar.showMessage(
            self.tr("Entri No. {seq} tersimpan di antrean.").format(seq=entry.seq), 5000
        )
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


def _throttle(timer: QTimer) -> None:
    """Start ``timer`` unless it already runs: at most one refresh per interval."""
    if not timer.isActive():
        timer.start()
