"""``run_window(ctx)``: the station window, opened by ``ektp-station`` without a subcommand."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication

from ..paths import APP_NAME
from .context import CliContext, StationContext
from .main_window import MainWindow

__all__ = ["build_window", "run_window"]


def application() -> QApplication:
    app = QApplication.instance()
    if isinstance(app, QApplication):
        return app
    app = QApplication(sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(APP_NAME)
    return app


def build_window(ctx: CliContext, *, operator: str | None = None) -> MainWindow:
    """The main window over a new :class:`StationContext` (sync not started yet)."""
    application()
    return MainWindow(StationContext.build(ctx, operator=operator))


def run_window(ctx: CliContext) -> int:
    app = application()
    window = build_window(ctx)
    window.resize(960, 720)  # fits a 1366x768 counter screen
    window.show()
    window.form.inputs["nik"].setFocus()
    window.station.start_sync()
    try:
        return app.exec()
    finally:
        window.station.stop_sync()
