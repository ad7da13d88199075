"""The station's main window: tabs "Perekaman" (the entry form), "Antrean" and "Dasbor", with
the status line always at the bottom; "Stasiun → Pengaturan" (Ctrl+,) for a supervisor.

Everything goes through the station core (:class:`~ektp_station.station.Station`): the window
subscribes one :class:`~.bridge.StationBridge` and each view refreshes itself on its one
``changed`` signal; no view calls another by hand.
"""

from __future__ import annotations

import gc
from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import QLabel, QMainWindow, QScrollArea, QTabWidget, QVBoxLayout, QWidget

from ..errors import EktpError
from ..settings import Settings
from ..station import Changes, Permission, Station
from ..store import State
from ..sync.engine import EngineState, Link, Progress
from .about import show_about
from .accounts import AccountsDialog
from .banner import StorageBanner
from .bridge import StationBridge
from .dashboard import PROGRESS_REFRESH_MS, Dashboard
from .entry_form import EntryForm
from .i18n import current_language
from .idle import IdleLock
from .netwatch import NetworkWatcher
from .queue_tab import QueueTab
from .recovery import RecoveryKeyDialog, show_recovery_key
from .settings_dialog import SettingsDialog
from .status_bar import StationStatusBar
from .tasks import TaskRunner

__all__ = ["HEALTH_CHECK_MS", "MainWindow"]

HEALTH_CHECK_MS = 5000  # how often the banner asks the storage's health


class MainWindow(QMainWindow):
    def __init__(self, station: Station, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.station = station
        self.bridge = StationBridge(self)
        station.subscribe(self.bridge)
        self.tasks = TaskRunner(self)
        self.network_watcher: NetworkWatcher | None = None
        #: Put before the title (the demo's "[DEMO] ").
        self.title_prefix = ""
        self.settings_dialog: SettingsDialog | None = None
        self.update_title()
        self.form = EntryForm(station)
        scroll = QScrollArea()
        scroll.setWidget(self.form)
        scroll.setWidgetResizable(True)
        self.tabs = QTabWidget()
        self.tabs.addTab(scroll, self.tr("Perekaman (Ctrl+1)"))
        self.queue_tab = QueueTab(station)
        self.dashboard = Dashboard(station, self.bridge, self.tasks)
        self.tabs.addTab(self.queue_tab, self.tr("Antrean (Ctrl+2)"))
        self.tabs.addTab(self.dashboard, self.tr("Dasbor (Ctrl+3)"))
        self.banner = StorageBanner()
        #: What the centre's answers need someone to look at (rejected, conflicts), until the
        #: queue or the dashboard is opened.
        self.entry_notice = QLabel()
        self.entry_notice.setObjectName("entry_notice")
        self.entry_notice.setWordWrap(True)
        self.entry_notice.setStyleSheet(
            "background: #fff3e0; color: #3e2723; padding: 4px 8px; font-weight: bold;"
        )
        self.entry_notice.hide()
        self._noticed = (0, 0)  # rejected, conflicts since the notice was last cleared
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.banner)
        layout.addWidget(self.entry_notice)
        layout.addWidget(self.tabs)
        self.setCentralWidget(central)
        # the queue file, the free space, the backups: cheap to ask (a stat, a statvfs)
        self._health_timer = QTimer(self)
        self._health_timer.setInterval(HEALTH_CHECK_MS)
        self._health_timer.timeout.connect(self.check_health)
        self._health_timer.start()
        for index in range(self.tabs.count()):
            shortcut = QShortcut(QKeySequence(f"Ctrl+{index + 1}"), self)
            shortcut.activated.connect(lambda i=index: self.open_tab(i))
        self.status_bar = StationStatusBar(self._sync_now_or_none())
        self.setStatusBar(self.status_bar)
        self.bridge.stateChanged.connect(self.status_bar.on_state)
        self.bridge.progress.connect(self.status_bar.on_progress)
        self.bridge.progress.connect(self._batch_answered)
        self.tabs.currentChanged.connect(self._tab_opened)
        # While a queue drains, batches answer many times a second: refresh the table at most
        # every PROGRESS_REFRESH_MS so that the GUI thread stays free for the operator.
        self._queue_refresh = QTimer(self)
        self._queue_refresh.setSingleShot(True)
        self._queue_refresh.setInterval(PROGRESS_REFRESH_MS)
        self._queue_refresh.timeout.connect(self.queue_tab.refresh)
        self.bridge.changed.connect(self.on_changed)
        self.bridge.stateChanged.connect(self._engine_state)
        self.form.refused.connect(lambda _exc: self.check_health())  # the banner at once
        #: Signs the operator out and asks for the PIN again after idle-lock-minutes.
        self.idle_lock = IdleLock(self, station.settings.idle_lock_minutes)
        self._build_menu()
        self._show_local_status()
        self.check_health()
        notice = station.settings.ignored_notice(current_language())
        if notice:
            self.status_bar.showMessage(notice, 15000)

    def _sync_now_or_none(self) -> Callable[[], None] | None:
        return self.station.sync_now if self.station.sync_configured else None

    def update_title(self) -> None:
        actor = self.station.actor
        role = (
            self.tr("Supervisor")
            if actor is not None and actor.is_supervisor
            else self.tr("Operator")
        )
        self.setWindowTitle(
            self.title_prefix
            + self.tr("Perekaman e-KTP — {station} — {role}: {operator}").format(
                station=self.station.station_id,
                role=role,
                operator=actor.name if actor is not None else "–",
            )
        )

    def _build_menu(self) -> None:
        menu = self.menuBar().addMenu(self.tr("S&tasiun"))
        self.settings_action = QAction(self.tr("&Pengaturan…"), self)
        self.settings_action.setObjectName("settings_action")
        self.settings_action.setShortcut(QKeySequence("Ctrl+,"))
        self.settings_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        supervisor = self.station.may(Permission.CHANGE_SETTINGS)
        self.settings_action.setEnabled(supervisor)
        if not supervisor:
            self.settings_action.setStatusTip(self.tr("Hanya untuk supervisor."))
        self.settings_action.triggered.connect(self.open_settings)
        menu.addAction(self.settings_action)
        self.addAction(self.settings_action)  # the shortcut works with the menu closed
        self.accounts_action = QAction(self.tr("&Akun operator…"), self)
        self.accounts_action.setObjectName("accounts_action")
        self.accounts_action.setEnabled(self.station.may(Permission.MANAGE_ACCOUNTS))
        self.accounts_action.triggered.connect(self.open_accounts)
        menu.addAction(self.accounts_action)
        self.recovery_action = QAction(self.tr("Kunci pe&mulihan…"), self)
        self.recovery_action.setObjectName("recovery_action")
        self.recovery_action.setEnabled(self.station.may(Permission.SEE_RECOVERY_KEY))
        self.recovery_action.triggered.connect(self.open_recovery_key)
        menu.addAction(self.recovery_action)
        menu.addSeparator()
        # sign out and let the next one sign in: the idle lock, at once
        self.lock_action = QAction(self.tr("&Ganti pengguna / kunci"), self)
        self.lock_action.setObjectName("lock_action")
        self.lock_action.setShortcut(QKeySequence("Ctrl+L"))
        self.lock_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.lock_action.triggered.connect(self.idle_lock.lock)
        menu.addAction(self.lock_action)
        self.addAction(self.lock_action)
        self.quit_action = QAction(self.tr("&Keluar"), self)
        self.quit_action.setObjectName("quit_action")
        self.quit_action.setShortcut(QKeySequence("Ctrl+Q"))
        self.quit_action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        self.quit_action.triggered.connect(self.close)  # as the close button: sync stops
        menu.addAction(self.quit_action)
        self.addAction(self.quit_action)
        help_menu = self.menuBar().addMenu(self.tr("&Bantuan"))
        self.about_action = QAction(self.tr("&Tentang ektp-station…"), self)
        self.about_action.setShortcut(QKeySequence("F1"))
        self.about_action.triggered.connect(lambda: show_about(self, self.station))
        help_menu.addAction(self.about_action)
        self.addAction(self.about_action)

    # -- sending -----------------------------------------------------------------------------

    def start_sync(self) -> None:
        """Start the station's engine and watch the OS's network state. Settings that do not
        allow sending (an insecure address, say) leave capture working and say why."""
        try:
            started = self.station.start_sync()
        except EktpError as exc:
            self.status_bar.showMessage(exc.message(current_language()))  # until replaced
            return
        if started:
            # What start-up built lives as long as the window: keep it out of the cyclic
            # collector, whose full passes over it (~50-80 ms, any thread) stall the GUI
            # thread while a queue drains (tests/gui/test_responsive.py).
            gc.freeze()
        if self.network_watcher is None:
            self.network_watcher = NetworkWatcher(self.station.network_changed, self)
            self.network_watcher.start()

    def stop_sync(self) -> None:
        if self.network_watcher is not None:
            self.network_watcher.stop()
            self.network_watcher = None
        gc.unfreeze()
        self.station.stop_sync()

    # -- settings ----------------------------------------------------------------------------

    def open_settings(self) -> SettingsDialog | None:
        """The settings dialog (window-modal, not blocking), for a supervisor only."""
        if not self.station.may(Permission.CHANGE_SETTINGS):
            self.status_bar.showMessage(
                self.tr("Hanya supervisor yang dapat mengubah pengaturan."), 5000
            )
            return None
        if self.settings_dialog is not None:
            self.settings_dialog.raise_()
            return self.settings_dialog
        station = self.station
        dialog = SettingsDialog(
            station.settings, station.paths, station.regions, self.save_settings, self
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(self._settings_closed)
        self.settings_dialog = dialog
        dialog.open()
        return dialog

    def open_accounts(self) -> AccountsDialog | None:
        """The station's accounts (a supervisor's), window-modal."""
        if not self.station.may(Permission.MANAGE_ACCOUNTS):
            self.status_bar.showMessage(
                self.tr("Hanya supervisor yang dapat mengelola akun operator."), 5000
            )
            return None
        dialog = AccountsDialog(self.station, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def open_recovery_key(self) -> RecoveryKeyDialog | None:
        """The recovery key, once (a supervisor's); the banner's reminder goes with it."""
        shown = show_recovery_key(self, self.station)
        if isinstance(shown, str):
            self.status_bar.showMessage(shown, 10000)
            return None
        shown.accepted.connect(self._recovery_key_noted)
        shown.finished.connect(lambda _result: self.check_health())
        return shown

    def _recovery_key_noted(self) -> None:
        try:
            self.station.recovery_key_noted()
        except EktpError as exc:
            self.show_error(exc)

    def _settings_closed(self, _result: int) -> None:
        self.settings_dialog = None

    def save_settings(self, settings: Settings) -> None:
        """The dialog's save: through the core (saved, engine restarted); EktpError if not."""
        language_changed = settings.language != self.station.settings.language
        self.station.change_settings(settings)
        text = self.tr("Pengaturan tersimpan.")
        if language_changed:
            text += " " + self.tr("Bahasa berganti setelah aplikasi dibuka ulang.")
        self.status_bar.showMessage(text, 8000)

    # -- the one change notification ---------------------------------------------------------

    def on_changed(self, changes: Changes) -> None:
        """Every change of the station, from a use case here or a sync batch."""
        if changes.settings:
            self.status_bar.set_sync_now(self._sync_now_or_none())
            self.dashboard.engine_changed()
            self.form.set_station()
            self.update_title()
            self._show_local_status()
        if changes.session:  # signed out (the idle lock) or another operator signed in
            self.update_title()
            self.land()
            self.settings_action.setEnabled(self.station.may(Permission.CHANGE_SETTINGS))
            self.recovery_action.setEnabled(self.station.may(Permission.SEE_RECOVERY_KEY))
            self.accounts_action.setEnabled(self.station.may(Permission.MANAGE_ACCOUNTS))
            self.check_health()
        if changes.queue:
            if changes.origin == "sync":
                # a batch answered: the progress signal carries the count; refresh the table
                # at most every PROGRESS_REFRESH_MS, the GUI thread stays the operator's
                if not self._queue_refresh.isActive():
                    self._queue_refresh.start()
            else:
                self._show_local_status()
                self.queue_tab.refresh()
                self.check_health()
            self.dashboard.queue_changed()

    def land(self) -> None:
        """Where the one signed in starts: a supervisor on the dashboard, an operator on the
        form."""
        actor = self.station.actor
        if actor is None:
            return
        if actor.is_supervisor:
            self.tabs.setCurrentWidget(self.dashboard)
        else:
            self.tabs.setCurrentIndex(0)
            self.form.inputs["nik"].setFocus()

    def check_health(self) -> None:
        """The banner shows what the storage tells (queue file gone or unusable, disk almost
        full, a failed backup), or hides."""
        self.banner.show_health(
            self.station.health(), supervisor=self.station.may(Permission.SEE_RECOVERY_KEY)
        )

    def _engine_state(self, state: EngineState) -> None:
        if state.link is Link.STOPPED or state.last_error_id:
            self.check_health()  # stopped by the queue file, say: the banner at once

    def _batch_answered(self, progress: Progress) -> None:
        """A batch came back with rejections or conflicts: tell at once, in words."""
        if not (progress.rejected or progress.conflict):
            return
        rejected, conflict = self._noticed
        rejected, conflict = rejected + progress.rejected, conflict + progress.conflict
        self._noticed = (rejected, conflict)
        parts = []
        if rejected:
            parts.append(self.tr("{n} entri ditolak pusat").format(n=rejected))
        if conflict:
            parts.append(self.tr("{n} entri menjadi konflik").format(n=conflict))
        self.entry_notice.setText(
            "⚠ "
            + " · ".join(parts)
            + " — "
            + self.tr(
                "lihat tab Antrean (Ctrl+2): perbaiki dan kirim ulang, atau minta supervisor."
            )
        )
        self.entry_notice.show()
        self._show_local_status()

    def open_tab(self, index: int) -> None:
        """Ctrl+1/2/3: the tab, with the keyboard where its work starts (the queue's list:
        Down and Ctrl+P at once; the form's NIK)."""
        self.tabs.setCurrentIndex(index)
        page = self.tabs.widget(index)
        if page is self.queue_tab:
            self.queue_tab.table.setFocus()
            if (
                not self.queue_tab.table.currentIndex().isValid()
                and self.queue_tab.model.rowCount()
            ):
                self.queue_tab.table.selectRow(0)
        elif index == 0:
            self.form.inputs["nik"].setFocus()

    def _tab_opened(self, index: int) -> None:
        if self.tabs.widget(index) in (self.queue_tab, self.dashboard):
            self._noticed = (0, 0)
            self.entry_notice.hide()

    def _show_local_status(self) -> None:
        status = self.station.status()  # one short local read
        self.status_bar.set_counts(
            pending=status.counts[State.PENDING.value],
            rejected=status.counts[State.REJECTED.value],
            conflict=status.counts[State.CONFLICT.value],
        )
        if status.last_sync_at is not None:
            self.status_bar.set_last_sync(status.last_sync_at)
        self.status_bar.set_parts(status.attachments_pending, status.bytes_pending, None)

    def show_error(self, exc: EktpError) -> None:
        self.status_bar.showMessage(exc.message(current_language()), 8000)

    def closeEvent(self, event: QCloseEvent) -> None:
        self._health_timer.stop()
        self.idle_lock.stop()
        self.stop_sync()
        self.tasks.shutdown()
        self.station.unsubscribe(self.bridge)
        super().closeEvent(event)
