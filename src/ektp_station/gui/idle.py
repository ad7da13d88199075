"""The idle lock: after ``idle-lock-minutes`` without a key press or a click anywhere in the
application, the window hides what it shows (a resident's record may be on screen), the
operator is signed out, and the sign-in dialog asks for a PIN again. Sending goes on meanwhile
(the sync engine needs nobody signed in); what was typed in the form stays, hidden, for the
operator who comes back.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication, QMainWindow

from .login import LoginDialog

__all__ = ["CHECK_MS", "IdleLock"]

CHECK_MS = 5000  # how often idleness is checked (the lock comes at most this late)
_ACTIVITY = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
    }
)


class IdleLock(QObject):
    locked = Signal()
    unlocked = Signal()

    def __init__(
        self,
        window: QMainWindow,
        minutes: int,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(window)
        self.window = window
        self.seconds = minutes * 60.0
        self._clock = clock
        self._last = clock()
        self.is_locked = False
        self.dialog: LoginDialog | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(CHECK_MS)
        self._timer.timeout.connect(self.check)
        app = QApplication.instance()
        if self.seconds > 0 and app is not None:
            app.installEventFilter(self)
            self._timer.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _ACTIVITY:
            self._last = self._clock()
        return False  # only watching

    def check(self) -> None:
        if self.seconds > 0 and not self.is_locked and self._clock() - self._last >= self.seconds:
            self.lock()

    def lock(self) -> None:
        station = getattr(self.window, "station", None)
        self.is_locked = True
        central = self.window.centralWidget()
        if central is not None:
            central.hide()
        if station is not None:
            station.sign_out()
        self.locked.emit()
        self._ask()

    def _ask(self) -> None:
        station = getattr(self.window, "station", None)
        if station is None or not self.is_locked:
            return
        dialog = LoginDialog(station, self.window)
        dialog.setWindowTitle(self.tr("Terkunci — masuk lagi"))
        dialog.accepted.connect(self._unlock)
        dialog.rejected.connect(self._ask_again)
        self.dialog = dialog
        dialog.open()  # window-modal: the window stays painted behind it, its contents hidden

    def _ask_again(self) -> None:
        """Esc or "Batal" keeps the window locked: the dialog comes back."""
        if self.dialog is not None:
            self.dialog.deleteLater()
            self.dialog = None
        QTimer.singleShot(0, self._ask)

    def _unlock(self) -> None:
        self.is_locked = False
        if self.dialog is not None:
            self.dialog.deleteLater()
            self.dialog = None
        central = self.window.centralWidget()
        if central is not None:
            central.show()
        self._last = self._clock()
        self.unlocked.emit()

    def stop(self) -> None:
        self._timer.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
