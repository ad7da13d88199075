"""The window's one error hook: an unexpected error anywhere (a slot, a thread) is logged —
its traceback, never its message, which may quote personal data — and shown to the person in
one translated dialog that says nothing already saved is lost. No traceback reaches a person.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable
from types import TracebackType

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from ..errors import EktpError
from ..logs import safe_traceback
from .i18n import current_language

__all__ = ["ErrorHook", "install_error_hook"]

log = logging.getLogger(__name__)


class ErrorHook(QObject):
    """Installed as ``sys.excepthook`` and ``threading.excepthook``; shows on the GUI thread."""

    _show = Signal(str)

    def __init__(self, parent_widget: Callable[[], QWidget | None] = lambda: None) -> None:
        super().__init__()
        self._parent_widget = parent_widget
        self._show.connect(self._dialog)
        self.shown: list[str] = []  # what was shown (tests read it)
        self.interactive = True
        self._previous = (sys.excepthook, threading.excepthook)

    def install(self) -> ErrorHook:
        sys.excepthook = self.handle
        threading.excepthook = self._thread_hook
        return self

    def uninstall(self) -> None:
        sys.excepthook, threading.excepthook = self._previous

    def _thread_hook(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_value is not None:
            self.handle(args.exc_type, args.exc_value, args.exc_traceback)

    def handle(
        self,
        exc_type: type[BaseException],
        exc: BaseException,
        tb: TracebackType | None,
    ) -> None:
        if isinstance(exc, KeyboardInterrupt):
            app = QApplication.instance()
            if app is not None:
                app.quit()
            return
        exc.__traceback__ = exc.__traceback__ or tb
        log.error("unexpected error in the window\n%s", safe_traceback(exc))
        self._show.emit(self.message_for(exc))

    @staticmethod
    def message_for(exc: BaseException) -> str:
        lang = current_language()
        if isinstance(exc, EktpError):
            return exc.message(lang)
        kind = type(exc).__name__
        if lang == "en":
            return (
                f"Something unexpected went wrong ({kind}). Entries already saved are safe. "
                "Details are in the log (Help → About shows where); tell IT support."
            )
        return (
            f"Terjadi kesalahan tak terduga ({kind}). Entri yang sudah tersimpan tetap aman. "
            "Rinciannya ada di log (Bantuan → Tentang menunjukkan tempatnya); beri tahu petugas TI."
        )

    def _dialog(self, text: str) -> None:
        self.shown.append(text)
        if not self.interactive:
            return
        box = QMessageBox(QMessageBox.Icon.Critical, self._title(), text)
        box.setParent(self._parent_widget(), box.windowFlags())
        box.setStandardButtons(QMessageBox.StandardButton.Ok)
        box.exec()

    @staticmethod
    def _title() -> str:
        return "Unexpected error" if current_language() == "en" else "Kesalahan tak terduga"


def install_error_hook(parent_widget: Callable[[], QWidget | None]) -> ErrorHook:
    return ErrorHook(parent_widget).install()
