"""The always-visible status line: the link badge (colour, icon and word, readable from two
metres; a live countdown while it waits to retry), the entries waiting, rejected and in
conflict in large type, the last successful sync, "Kirim sekarang", and progress while a batch
drains.

Fed only by the :class:`~.bridge.StationBridge` signals (and local counts the window passes in);
it never touches the network. When a supervisor allowed plain ``http://`` to a centre that is
not on loopback (``allow-insecure``), a warning stays in view (:meth:`StationStatusBar.
set_link_security`; taken from the station's settings when ``sync_now`` is a station's).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QCoreApplication, QSize, Qt, QTimer
from PySide6.QtGui import QKeySequence, QPainter, QPaintEvent, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QStatusBar,
    QWidget,
)

from ..domain import vocabulary
from ..errors import CertificateRefused
from ..settings import Settings, insecure_url
from ..sync.engine import EngineState, Link, Progress
from .i18n import current_language

__all__ = [
    "CERTIFICATE_TEXT",
    "INSECURE_WARNING",
    "NOT_CONFIGURED",
    "StationStatusBar",
    "error_text",
    "link_text",
]

NOT_CONFIGURED = "not_configured"  # a key of the vocabulary's link texts
#: The link label while the centre's certificate does not verify, from a batch or a probe:
#: never "link down" (Bahasa Indonesia, English).
CERTIFICATE_TEXT = ("Sertifikat pusat tidak sah", "The centre's certificate is not valid")
#: The warning while the link to the centre is plain http:// (Bahasa Indonesia, English).
INSECURE_WARNING = (
    "⚠ Tanpa enkripsi: token dan data terkirim lewat http:// (diizinkan supervisor)",
    "⚠ Not encrypted: token and data travel over http:// (allowed by a supervisor)",
)


#: The badge of each link state: (icon, background, text colour); high contrast, and the
#: word beside the icon so that colour is never the only sign.
BADGES: dict[str, tuple[str, str, str]] = {
    Link.STARTING.value: ("…", "#e0e0e0", "#212121"),
    Link.ONLINE.value: ("●", "#1b5e20", "#ffffff"),
    Link.OFFLINE.value: ("✕", "#424242", "#ffffff"),
    Link.RETRYING.value: ("↻", "#e65100", "#ffffff"),
    Link.REFUSED.value: ("⊘", "#b00020", "#ffffff"),
    Link.LOCKED.value: ("■", "#4a148c", "#ffffff"),
    Link.STOPPED.value: ("■", "#424242", "#ffffff"),
    NOT_CONFIGURED: ("○", "#e0e0e0", "#212121"),
}
_COUNT_STYLE = "font-size: 13pt; font-weight: bold; padding: 0 6px;"


def _link(key: str) -> str:
    """A link text of the one vocabulary, in the station's language."""
    return vocabulary.link_text(key, current_language())


def error_text(state: EngineState) -> str:
    """The engine's last error in the station's language ("" when none): the engine keeps a
    Bahasa Indonesia message for operators and a short English one."""
    if current_language() == "en":
        return state.last_error or state.last_error_id or ""
    return state.last_error_id or state.last_error or ""


def link_text(state: EngineState, now: float) -> str:
    """What the operator reads about the link, e.g. "Mencoba lagi dalam 12 dtk"."""
    if state.link is not Link.ONLINE and state.last_error_id == CertificateRefused.MESSAGE_ID:
        return CERTIFICATE_TEXT[current_language() == "en"]
    text = _link(state.link.value)
    if state.link in (Link.OFFLINE, Link.RETRYING) and state.retry_at is not None:
        seconds = round(state.retry_at - now)
        retry = (
            QCoreApplication.translate("StationStatusBar", "Mencoba lagi dalam {seconds} dtk")
            if seconds > 0  # at 0 the attempt is on its way: no "0 dtk" while it is
            else QCoreApplication.translate("StationStatusBar", "Mencoba sekarang…")
        ).format(seconds=seconds)
        return retry if state.link is Link.RETRYING else f"{text} · {retry}"
    return text


def _megabytes(size: int) -> str:
    """1536000 -> "1,5 MB" (the decimal comma of Bahasa Indonesia; English keeps the point)."""
    text = f"{size / 1_000_000:.1f} MB" if size >= 100_000 else f"{max(1, size // 1000)} kB"
    return text if current_language() == "en" else text.replace(".", ",")


def _duration(seconds: float) -> str:
    if seconds < 60:
        return QCoreApplication.translate("StationStatusBar", "{n} dtk").format(
            n=max(1, round(seconds))
        )
    return QCoreApplication.translate("StationStatusBar", "{n} mnt").format(n=round(seconds / 60))


class ElidingLabel(QLabel):
    """A one-line label that gives up width before the window does: when the status line is
    full (the link down, parts waiting, a long countdown) its text ends in "…" instead of
    pushing the window wider than the counter's screen."""

    MIN_WIDTH = 48

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        return QSize(min(hint.width(), self.MIN_WIDTH), hint.height())

    def is_elided(self) -> bool:
        return self.fontMetrics().horizontalAdvance(self.text()) > self.contentsRect().width()

    def paintEvent(self, event: QPaintEvent) -> None:
        if not self.is_elided():
            super().paintEvent(event)
            return
        painter = QPainter(self)
        try:
            rect = self.contentsRect()
            shown = self.fontMetrics().elidedText(
                self.text(), Qt.TextElideMode.ElideRight, rect.width()
            )
            self.style().drawItemText(
                painter,
                rect,
                int(self.alignment()),
                self.palette(),
                self.isEnabled(),
                shown,
                self.foregroundRole(),
            )
        finally:
            painter.end()


class StationStatusBar(QStatusBar):
    """``sync_now`` is the engine's ``sync_now`` (None when no centre is configured)."""

    def __init__(
        self,
        sync_now: Callable[[], None] | None,
        *,
        clock: Callable[[], float] = time.time,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._sync_now = sync_now
        self._clock = clock
        self._state: EngineState | None = None
        self._countdown = QTimer(self)
        self._countdown.setInterval(1000)
        self._countdown.timeout.connect(self._show_link)
        self.link_badge = QWidget()
        self.link_badge.setObjectName("link_badge")
        badge = QHBoxLayout(self.link_badge)
        badge.setContentsMargins(10, 2, 10, 2)
        badge.setSpacing(6)
        self.link_icon = QLabel()
        self.link_icon.setObjectName("link_icon")
        self.link_label = ElidingLabel()
        self.link_label.setObjectName("link_label")
        badge.addWidget(self.link_icon)
        badge.addWidget(self.link_label)
        #: The link state the badge shows (a key of BADGES), for tests and styles.
        self.badge_state = ""
        self.insecure_label = QLabel()
        self.insecure_label.setObjectName("insecure_label")
        self.insecure_label.setStyleSheet("color: #b00020; font-weight: bold")
        self.insecure_label.hide()
        self.pending_label = QLabel(self.tr("Menunggu: {count}").format(count="–"))
        self.pending_label.setObjectName("pending_label")
        self.pending_label.setStyleSheet(_COUNT_STYLE)
        self.rejected_label = QLabel()
        self.rejected_label.setObjectName("rejected_label")
        self.rejected_label.setStyleSheet(_COUNT_STYLE + "color: #b00020;")
        self.rejected_label.hide()
        self.conflict_label = QLabel()
        self.conflict_label.setObjectName("conflict_label")
        self.conflict_label.setStyleSheet(_COUNT_STYLE + "color: #e65100;")
        self.conflict_label.hide()
        self.parts_label = ElidingLabel()
        self.parts_label.setObjectName("parts_label")
        self.parts_label.hide()
        self.last_sync_label = ElidingLabel(self.tr("Terakhir terkirim: belum pernah"))
        self.last_sync_label.setObjectName("last_sync_label")
        self.progress_bar = QProgressBar()
        self.progress_bar.setObjectName("progress_bar")
        self.progress_bar.setFormat(self.tr("Mengirim %v dari %m"))
        self.progress_bar.setMaximumWidth(220)
        self.progress_bar.hide()
        self.send_button = QPushButton(self.tr("Kirim sekarang (F5)"))
        self.send_button.setObjectName("send_button")
        self.send_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keep Tab within the form
        self.send_button.clicked.connect(self.send_now)
        self.set_sync_now(sync_now)
        shortcut = QShortcut(QKeySequence("F5"), self)
        shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
        shortcut.activated.connect(self.send_now)
        for widget in (
            self.insecure_label,
            self.link_badge,
            self.pending_label,
            self.rejected_label,
            self.conflict_label,
            self.parts_label,
            self.last_sync_label,
        ):
            self.addPermanentWidget(widget)
        self.addPermanentWidget(self.progress_bar)
        self.addPermanentWidget(self.send_button)

    def set_sync_now(self, sync_now: Callable[[], None] | None) -> None:
        """A new engine (or none) after the settings changed: the link shows as starting."""
        self._sync_now = sync_now
        self._state = None
        self._countdown.stop()
        state = Link.STARTING.value if sync_now else NOT_CONFIGURED
        self.link_label.setText(_link(state))
        self.link_label.setToolTip("")
        self._paint_badge(state)
        self.send_button.setEnabled(sync_now is not None)
        owner = getattr(sync_now, "__self__", None)  # the station, for its settings
        settings = getattr(owner, "settings", None)
        self.set_link_security(settings if isinstance(settings, Settings) else None)

    def set_link_security(self, settings: Settings | None) -> None:
        """Warn while the centre is reached over plain http:// to another host (allowed by a
        supervisor); nothing for https://, loopback, or no centre."""
        insecure = (
            settings is not None and settings.allow_insecure and insecure_url(settings.central_url)
        )
        self.insecure_label.setText(INSECURE_WARNING[current_language() == "en"])
        self.insecure_label.setVisible(bool(insecure))

    # -- slots (GUI thread) ------------------------------------------------------------------

    def send_now(self) -> None:
        if self._sync_now is not None:
            self._sync_now()
            self.showMessage(self.tr("Meminta pengiriman sekarang…"), 3000)

    def set_parts(
        self, parts: int, size: int, rate: float | None, *, link_down: bool = False
    ) -> None:
        """The biometric parts still to send: how many, how many bytes, and at the rate
        measured lately, about how long (while the link is down: that they wait for it)."""
        if parts <= 0:
            self.parts_label.hide()
            return
        text = self.tr("Biometrik: {parts} bagian · {size}").format(
            parts=parts, size=_megabytes(size)
        )
        if link_down:
            text += " · " + self.tr("menunggu jaringan")
        elif rate:
            text += " · " + self.tr("± {time} lagi").format(time=_duration(size / rate))
        self.parts_label.setText(text)
        self.parts_label.setToolTip(text)  # whole, where the line is too full to show it
        self.parts_label.show()

    def on_state(self, state: EngineState) -> None:
        self._state = state
        if state.parts_left or state.part_rate is not None:
            self.set_parts(
                state.parts_left,
                state.bytes_left,
                state.part_rate,
                link_down=state.link in (Link.OFFLINE, Link.RETRYING),
            )
        self._show_link()
        self.set_pending(state.pending)
        if state.last_sync_at is not None:
            self.set_last_sync(state.last_sync_at)
        waiting = state.link in (Link.OFFLINE, Link.RETRYING) and state.retry_at is not None
        if waiting and not self._countdown.isActive():
            self._countdown.start()
        elif not waiting:
            self._countdown.stop()
        if state.link is not Link.ONLINE:
            self.progress_bar.hide()

    def on_progress(self, progress: Progress) -> None:
        done = progress.total_synced
        self.progress_bar.setMaximum(max(1, done + progress.pending))
        self.progress_bar.setValue(done)
        self.progress_bar.setVisible(progress.pending > 0)
        self.set_pending(progress.pending)

    def set_pending(self, count: int) -> None:
        self.pending_label.setText(self.tr("Menunggu: {count}").format(count=count))

    def set_counts(self, *, pending: int, rejected: int, conflict: int) -> None:
        """The entries waiting, rejected by the centre and in conflict (the last two only
        when there are any: they need someone to act)."""
        self.set_pending(pending)
        self.rejected_label.setText(self.tr("Ditolak: {count}").format(count=rejected))
        self.rejected_label.setVisible(rejected > 0)
        self.conflict_label.setText(self.tr("Konflik: {count}").format(count=conflict))
        self.conflict_label.setVisible(conflict > 0)

    def _paint_badge(self, state: str) -> None:
        if state == self.badge_state:
            return  # a style sheet re-polishes the badge: only when the state changes
        icon, background, colour = BADGES.get(state, BADGES[Link.STARTING.value])
        self.badge_state = state
        self.link_icon.setText(icon)
        self.link_badge.setStyleSheet(
            f"#link_badge {{ background: {background}; border-radius: 4px; }}"
            f" QLabel {{ color: {colour}; font-size: 13pt; font-weight: bold; }}"
        )

    def set_last_sync(self, moment: datetime) -> None:
        local = moment.astimezone()
        today = datetime.now().astimezone().date()
        shown = local.strftime("%H:%M") if local.date() == today else local.strftime("%d-%m %H:%M")
        self.last_sync_label.setText(self.tr("Terakhir terkirim: {time}").format(time=shown))

    def _show_link(self) -> None:
        if self._state is None:
            return
        self.link_label.setText(link_text(self._state, self._clock()))
        self.link_label.setToolTip(error_text(self._state))
        certificate = self._state.last_error_id == CertificateRefused.MESSAGE_ID
        refused = self._state.link is not Link.ONLINE and certificate
        self._paint_badge(Link.REFUSED.value if refused else self._state.link.value)
