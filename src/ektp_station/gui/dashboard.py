"""The "Dasbor" tab for supervisors: entries per state, the oldest unsynced entry and its age,
today's entries per operator, captured vs synced per hour today, the sync engine's last error,
and (for a supervisor) the conflicts to review and the USB bundles (``gui.bundles``).

Refreshed every few seconds while it is on screen, and when the station changes; each refresh
is one report of the core (:meth:`Station.dashboard`, a few short index reads) read off the GUI
thread and shown when it arrives.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from PySide6.QtCore import QCoreApplication, QRectF, QSize, Qt, QTimer
from PySide6.QtGui import QColor, QHideEvent, QPainter, QPaintEvent, QShowEvent
from PySide6.QtWidgets import QGridLayout, QGroupBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from ..domain import mask_nik, vocabulary
from ..station import DashboardReport, Permission, Station
from ..station.reports import local_midnight
from ..store import State
from ..sync.engine import EngineState, Link
from .bridge import StationBridge
from .bundles import BundlePanel, waiting_of
from .conflicts import ConflictsPanel
from .i18n import current_language
from .queue_model import SHOWN_STATES, state_label
from .status_bar import error_text
from .tasks import TaskRunner

__all__ = ["REFRESH_MS", "Dashboard", "HourlyChart", "format_age", "local_midnight"]

REFRESH_MS = 5000
PROGRESS_REFRESH_MS = 1000  # while a queue drains: at most one refresh a second
CAPTURED_COLOUR = "#1565c0"
SYNCED_COLOUR = "#2e7d32"


def format_age(age: timedelta) -> str:
    minutes = max(0, int(age.total_seconds() // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        text = QCoreApplication.translate("Dashboard", "{days} hari {hours} jam")
    elif hours:
        text = QCoreApplication.translate("Dashboard", "{hours} jam {minutes} menit")
    elif minutes:
        text = QCoreApplication.translate("Dashboard", "{minutes} menit")
    else:
        text = QCoreApplication.translate("Dashboard", "kurang dari 1 menit")
    return text.format(days=days, hours=hours, minutes=minutes)


class HourlyChart(QWidget):
    """Two bars per hour of the day: captured (blue) and synced (green)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("hourly_chart")
        self.captured: list[int] = [0] * 24
        self.synced: list[int] = [0] * 24
        self.setMinimumHeight(100)
        self.setMaximumHeight(120)  # the room left goes to the conflicts to review

    def sizeHint(self) -> QSize:
        return QSize(520, 120)

    def set_data(self, captured: Sequence[int], synced: Sequence[int]) -> None:
        self.captured, self.synced = list(captured), list(synced)
        total_c, total_s = sum(self.captured), sum(self.synced)
        self.setToolTip(
            self.tr("Hari ini: {captured} direkam, {synced} terkirim").format(
                captured=total_c, synced=total_s
            )
        )
        self.update()

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        try:
            self._paint(painter)
        finally:
            painter.end()

    def _paint(self, painter: QPainter) -> None:
        hours = len(self.captured)
        metrics = painter.fontMetrics()
        text_height = metrics.height()
        width, height = self.width(), self.height()
        left, bottom = 4.0, height - text_height - 4.0
        top = text_height + 4.0
        painter.setPen(self.palette().windowText().color())
        # the legend: each square in its bars' colour
        x = left
        side = text_height * 0.7
        for colour, label in (
            (CAPTURED_COLOUR, self.tr("direkam")),
            (SYNCED_COLOUR, self.tr("terkirim")),
            (None, self.tr("(per jam, hari ini)")),
        ):
            if colour is not None:
                painter.fillRect(QRectF(x, (text_height - side) / 2, side, side), QColor(colour))
                x += side + 4
            painter.drawText(
                QRectF(x, 0, width - x, text_height), Qt.AlignmentFlag.AlignLeft, label
            )
            x += metrics.horizontalAdvance(label) + 14
        peak = max([1, *self.captured, *self.synced])
        slot = (width - left * 2) / max(1, hours)
        bar = max(1.0, slot / 2 - 1)
        for hour in range(hours):
            x = left + hour * slot
            for offset, value, colour in (
                (0.0, self.captured[hour], CAPTURED_COLOUR),
                (bar, self.synced[hour], SYNCED_COLOUR),
            ):
                if value:
                    bar_height = (bottom - top) * value / peak
                    painter.fillRect(
                        QRectF(x + offset, bottom - bar_height, bar, bar_height), QColor(colour)
                    )
            if hour % 3 == 0:
                painter.drawText(
                    QRectF(x, bottom + 2, slot * 3, text_height),
                    Qt.AlignmentFlag.AlignLeft,
                    f"{hour:02d}",
                )
        painter.drawLine(int(left), int(bottom), int(width - left), int(bottom))


class Dashboard(QWidget):
    def __init__(
        self,
        station: Station,
        bridge: StationBridge,
        tasks: TaskRunner,
        *,
        now: Callable[[], datetime] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.station = station
        self.tasks = tasks
        self.now = now or (lambda: datetime.now().astimezone())
        self.engine_state: EngineState | None = station.engine_state
        self.report: DashboardReport | None = None
        self._stale = True
        self._loading = False
        layout = QVBoxLayout(self)

        counts_box = QGroupBox(self.tr("Entri per status"))
        grid = QGridLayout(counts_box)
        self.count_labels: dict[State, QLabel] = {}
        for i, state in enumerate(SHOWN_STATES):
            value = QLabel("–")
            value.setObjectName(f"count_{state.value}")
            value.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
            label = QLabel(state_label(state) + ":")
            label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            # label and count side by side, a wide gap before the next pair: each number
            # reads with its own word
            grid.addWidget(label, i // 3, (i % 3) * 3)
            grid.addWidget(value, i // 3, (i % 3) * 3 + 1)
            self.count_labels[state] = value
        for gap in (2, 5):
            grid.setColumnMinimumWidth(gap, 48)
        grid.setColumnStretch(8, 1)
        # beside the counts, where they leave room: the supervisor's USB bundles
        self.bundles = BundlePanel(station, bridge, tasks, now=self.now)
        top = QHBoxLayout()
        top.addWidget(counts_box, 1)
        top.addWidget(self.bundles)
        layout.addLayout(top)

        self.oldest_label = QLabel()
        self.oldest_label.setObjectName("oldest_label")
        self.last_sync_label = QLabel()
        self.last_sync_label.setObjectName("dashboard_last_sync")
        self.error_label = QLabel()
        self.error_label.setObjectName("engine_error")
        self.error_label.setWordWrap(True)
        for widget in (self.oldest_label, self.last_sync_label, self.error_label):
            widget.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            layout.addWidget(widget)

        today_box = QGroupBox(self.tr("Hari ini"))
        today = QVBoxLayout(today_box)
        self.operators_label = QLabel()
        self.operators_label.setObjectName("operators_today")
        self.operators_label.setWordWrap(True)
        today.addWidget(self.operators_label)
        self.chart = HourlyChart()
        today.addWidget(self.chart)
        layout.addWidget(today_box)

        centre_box = QGroupBox(self.tr("Hasil pusat (pengganti AFIS di server referensi)"))
        centre_box.setObjectName("centre_results")
        centre = QVBoxLayout(centre_box)
        self.enrolment_label = QLabel()
        self.enrolment_label.setObjectName("enrolment_counts")
        self.enrolment_label.setWordWrap(True)
        self.must_return_label = QLabel()
        self.must_return_label.setObjectName("must_return_list")
        self.must_return_label.setWordWrap(True)
        self.must_return_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        centre.addWidget(self.enrolment_label)
        centre.addWidget(self.must_return_label)
        layout.addWidget(centre_box)

        self.conflicts: ConflictsPanel | None = None
        if station.may(Permission.RESOLVE_CONFLICT):
            self.conflicts = ConflictsPanel(station)
            layout.addWidget(self.conflicts, 1)
        else:
            layout.addStretch(1)

        self.timer = QTimer(self)
        self.timer.setInterval(REFRESH_MS)
        self.timer.timeout.connect(self.refresh)
        self._soon = QTimer(self)
        self._soon.setSingleShot(True)
        self._soon.setInterval(PROGRESS_REFRESH_MS)
        self._soon.timeout.connect(self.refresh)
        bridge.stateChanged.connect(self.on_engine_state)
        self._show_engine_state()

    # -- refreshing --------------------------------------------------------------------------

    def queue_changed(self) -> None:
        """Refresh soon if on screen (at most once per PROGRESS_REFRESH_MS while a queue
        drains), else at the next show."""
        if not self.isVisible():
            self._stale = True
        elif not self._soon.isActive():
            self._soon.start()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.timer.start()
        if self._stale:
            self.refresh()

    def hideEvent(self, event: QHideEvent) -> None:
        super().hideEvent(event)
        self.timer.stop()
        # A refresh that was due comes at the next show instead: none off screen, and none
        # after the window closed and shut its task runner down.
        if self._soon.isActive():
            self._soon.stop()
            self._stale = True

    def refresh(self) -> None:
        """Read the report off the GUI thread; show it when it arrives (one at a time)."""
        self._stale = False
        if self._loading:
            self._stale = True  # one more when this one is in
            return
        self._loading = True
        station, now = self.station, self.now()
        self.tasks.run(lambda: station.dashboard(now), self._show, self._failed)
        if self.conflicts is not None:
            self.conflicts.refresh()

    def _failed(self, _error: BaseException) -> None:
        self._loading = False

    def _show(self, report: DashboardReport) -> None:
        self._loading = False
        self.report = report
        status, now = report.status, report.now
        for state, label in self.count_labels.items():
            label.setText(str(status.counts[state.value]))
        self.bundles.set_waiting(waiting_of(status.counts))
        oldest = report.oldest
        if oldest is None:
            self.oldest_label.setText(
                self.tr("Belum terkirim tertua: tidak ada, semua sudah terkirim.")
            )
        else:
            when = oldest.captured_at.astimezone().strftime("%d-%m-%Y %H:%M")
            self.oldest_label.setText(
                self.tr(
                    "Belum terkirim tertua: No. {seq} ({state}), direkam {when}, {age} yang lalu"
                ).format(
                    seq=oldest.seq,
                    state=state_label(oldest.state),
                    when=when,
                    age=format_age(now - oldest.captured_at),
                )
            )
        if status.last_sync_at is None:
            self.last_sync_label.setText(self.tr("Terakhir terkirim: belum pernah"))
        else:
            shown = status.last_sync_at.astimezone().strftime("%d-%m-%Y %H:%M")
            self.last_sync_label.setText(self.tr("Terakhir terkirim: {time}").format(time=shown))
        if report.by_operator:
            counts = " · ".join(f"{op}: {n}" for op, n in report.by_operator)
            self.operators_label.setText(
                self.tr("Direkam per operator: {counts}").format(counts=counts)
            )
        else:
            self.operators_label.setText(self.tr("Direkam per operator: belum ada entri hari ini"))
        self.chart.set_data(report.captured_per_hour, report.synced_per_hour)
        self._show_centre_results(report)
        if self._stale and self.isVisible():
            self.refresh()

    def _show_centre_results(self, report: DashboardReport) -> None:
        decided = report.status.enrolments
        self.enrolment_label.setText(
            self.tr(
                "Siap cetak: {ready} · Perlu rekam ulang: {back} (data ganda {dup}, "
                "adjudikasi {adj}) · Menunggu hasil pusat: {due}"
            ).format(
                ready=decided.get("print_ready", 0),
                back=report.status.must_return,
                dup=decided.get("duplicate", 0),
                adj=decided.get("adjudication", 0),
                due=decided.get("due", 0),
            )
        )
        if not report.must_return:
            self.must_return_label.setText(self.tr("Tidak ada penduduk yang perlu rekam ulang."))
            return
        lang = current_language()
        lines = [
            f"No. {e.seq} · {e.full_name} · {mask_nik(e.nik)} · "
            + vocabulary.enrolment_reason(e.enrolment_reason or "", lang).split(";")[0]
            for e in report.must_return
        ]
        more = report.status.must_return - len(report.must_return)
        if more > 0:
            lines.append(
                self.tr("… dan {n} lagi: tab Antrean, Status: Perlu rekam ulang").format(n=more)
            )
        self.must_return_label.setText("\n".join(lines))

    # -- the engine --------------------------------------------------------------------------

    def engine_changed(self) -> None:
        """The station's engine was replaced (settings saved)."""
        self.engine_state = self.station.engine_state
        self._show_engine_state()

    def on_engine_state(self, state: EngineState) -> None:
        self.engine_state = state
        self._show_engine_state()

    def _show_engine_state(self) -> None:
        state = self.engine_state
        if not self.station.sync_configured and state is None:
            self.error_label.setText(self.tr("Galat pengiriman terakhir: pusat belum diatur"))
        elif state is None or not error_text(state) or state.link is Link.ONLINE:
            # connected again: the last error is history, not news (the log keeps it)
            self.error_label.setText(self.tr("Galat pengiriman terakhir: tidak ada"))
            self.error_label.setToolTip("")
        else:
            text = error_text(state)
            self.error_label.setText(
                self.tr("Galat pengiriman terakhir: {error}").format(error=text)
            )
            self.error_label.setToolTip(state.last_error or "")
