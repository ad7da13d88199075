"""``run_station(ctx)``: sign the operator in, then open the station window (``ektp-station``
without a subcommand). ``run_window`` / ``build_window`` open the window for a known operator."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication, QDialog, QWidget

from ..paths import APP_NAME
from ..store import Queue
from ..store.operators import Operator, Operators
from .about import app_icon
from .context import CliContext, StationContext
from .i18n import install_translator
from .login import LoginDialog
from .main_window import MainWindow
from .receipt import RECEIPTS_DIR, attach_receipts

__all__ = ["build_window", "run_station", "run_window", "sign_in"]


def application() -> QApplication:
    app = QApplication.instance()
    if isinstance(app, QApplication):
        return app
    app = QApplication(sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(APP_NAME)
    app.setWindowIcon(app_icon())
    return app


def build_window(
    ctx: CliContext, *, operator: str | None = None, role: str = "operator"
) -> MainWindow:
    """The main window over a new :class:`StationContext` (sync not started yet), writing a
    receipt under ``<data dir>/receipts/`` after every save."""
    application()
    window = MainWindow(StationContext.build(ctx, operator=operator, role=role))
    attach_receipts(window, ctx.paths.data_dir / RECEIPTS_DIR)
    return window


def run_window(ctx: CliContext, *, operator: Operator | None = None) -> int:
    """The window until it closes; without ``operator``, the OS user as a plain operator."""
    app = application()
    if operator is None:
        window = build_window(ctx)
    else:
        window = build_window(ctx, operator=operator.name, role=operator.role)
    window.resize(960, 720)  # fits a 1366x768 counter screen
    window.show()
    window.form.inputs["nik"].setFocus()
    window.station.start_sync()
    try:
        return app.exec()
    finally:
        window.station.stop_sync()


def sign_in(queue: Queue, parent: QWidget | None = None) -> Operator | None:
    """Ask for name and PIN (or create the first, supervisor, account); None if cancelled."""
    application()
    dialog = LoginDialog(Operators(queue.engine), parent)
    try:
        accepted = dialog.exec() == QDialog.DialogCode.Accepted
        return dialog.operator if accepted else None
    finally:
        dialog.deleteLater()


def run_station(ctx: CliContext) -> int:
    """Sign in, then the window; 0 without a window when the operator cancels. The
    ``language`` setting picks the translation first."""
    install_translator(application(), ctx.settings.language)
    operator = sign_in(ctx.queue())
    if operator is None:
        return 0
    return run_window(ctx, operator=operator)
