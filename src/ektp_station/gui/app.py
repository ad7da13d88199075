"""``run_station(paths, settings)``: open the station core, sign the operator in, then the
station window (``ektp-station`` without a subcommand). ``build_window`` / ``run_window`` open
the window over a station whose operator is signed in."""

from __future__ import annotations

import signal
import sys

from PySide6.QtCore import QSize, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QWidget

from ..errors import EktpError, KeyMissing
from ..paths import APP_NAME, AppPaths
from ..resources import resource_path
from ..settings import Settings
from ..station import Actor, Station
from .about import app_icon
from .crash import install_error_hook
from .i18n import SOURCE_LANGUAGE, current_language, install_translator
from .login import LoginDialog
from .main_window import MainWindow
from .receipt import RECEIPTS_DIR, attach_receipts
from .recovery import RecoveryKeyEntry

__all__ = ["application", "build_window", "run_station", "run_window", "sign_in"]

WINDOW_SIZE = (960, 720)  # fits a 1366x768 counter screen


def application() -> QApplication:
    app = QApplication.instance()
    if isinstance(app, QApplication):
        if not app.styleSheet():  # one made elsewhere (a test's): the station's style too
            _apply_style(app)
        return app
    app = QApplication(sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(APP_NAME)
    app.setWindowIcon(app_icon())
    _apply_style(app)
    install_translator(app, SOURCE_LANGUAGE)  # Qt's own strings too; a setting may switch it
    return app


def _apply_style(app: QApplication) -> None:
    """The station's font size and style sheet (readable all day at the counter)."""
    font = app.font()
    font.setPointSizeF(10.5)
    app.setFont(font)
    app.setStyleSheet(style_sheet())


def style_sheet() -> str:
    """The station's one style (``resources/style/station.qss``; "" when missing)."""
    try:
        return resource_path("style", "station.qss").read_text(encoding="utf-8")
    except OSError:
        return ""


def build_window(station: Station) -> MainWindow:
    """The main window over ``station`` (sync not started yet: ``window.start_sync()``),
    writing a receipt under ``<data dir>/receipts/`` after every save."""
    application()
    window = MainWindow(station)
    attach_receipts(window, station.paths.data_dir / RECEIPTS_DIR)
    return window


def attach_station_devices(window: MainWindow, station: Station) -> None:
    """The biometric step after the biodata, with this station's devices: installed
    plug-ins, the camera where present, the signature pad, the ``scan-folder`` setting's
    images (gui/capture.py)."""
    from .capture import choose_devices, installed_plugins
    from .recording import attach_biometrics

    devices = choose_devices(
        demo=False, plugins=installed_plugins(), folder=station.settings.scan_folder or None
    )
    attach_biometrics(window.form, devices, window.queue_tab)


def run_window(station: Station, *, window: MainWindow | None = None) -> int:
    """The window until it closes (Ctrl+C in the terminal and SIGTERM close it too)."""
    app = application()
    window = window or build_window(station)
    hook = install_error_hook(lambda: window)
    screen = window.screen()
    # the whole screen even where no window manager maximises (a kiosk, a bare X server)
    window.resize(screen.availableSize() if screen is not None else QSize(*WINDOW_SIZE))
    window.showMaximized()  # the counter's screen is the station's (1366×768 fits)
    window.land()  # a supervisor on the dashboard, an operator on the form
    window.start_sync()
    station.start_backups()  # every backup-every minutes, and once more when it closes
    # Ctrl+C in the terminal, and SIGTERM (a logout, a shutdown, IT's kill) close the window
    # as its close button does: the engine stops, the backup at exit is made.
    previous = {
        sig: signal.signal(sig, lambda *_a: window.close())
        for sig in (signal.SIGINT, signal.SIGTERM)
    }
    # Qt's loop holds the interpreter: wake Python now and then so the handler can run.
    ticker = QTimer(window)
    ticker.timeout.connect(lambda: None)
    ticker.start(300)
    try:
        return app.exec()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        window.stop_sync()
        hook.uninstall()


def show_refusal(exc: EktpError, parent: QWidget | None = None) -> None:
    """One translated dialog for an error that keeps the station from opening."""
    lang = current_language()
    title = "ektp-station"
    box = QMessageBox(QMessageBox.Icon.Critical, title, exc.message(lang), parent=parent)
    box.setStandardButtons(QMessageBox.StandardButton.Ok)
    box.exec()


def sign_in(station: Station, parent: QWidget | None = None) -> Actor | None:
    """Ask for name and PIN (or create the first, supervisor, account); None if cancelled."""
    application()
    dialog = LoginDialog(station, parent)
    try:
        accepted = dialog.exec() == QDialog.DialogCode.Accepted
        return dialog.actor if accepted else None
    finally:
        dialog.deleteLater()


def _open_station(paths: AppPaths, settings: Settings) -> Station:
    """The station; when its queue's key is not on this PC, the recovery key typed in a dialog
    puts it back (cancelled: the KeyMissing goes on to the refusal)."""
    try:
        return Station.open(paths, settings=settings)
    except KeyMissing as exc:
        entry = RecoveryKeyEntry(paths, exc.message(current_language()))
        try:
            if entry.exec() != QDialog.DialogCode.Accepted:
                raise
        finally:
            entry.deleteLater()
        return Station.open(paths, settings=settings)


def run_station(paths: AppPaths, settings: Settings) -> int:
    """Sign in, then the window; 0 without a window when the operator cancels. The
    ``language`` setting picks the translation first."""
    install_translator(application(), settings.language)
    try:
        station = _open_station(paths, settings)
    except EktpError as exc:  # a missing, damaged or read-only queue: say it in the window too
        show_refusal(exc)
        raise  # the command line then exits with the status of that error

    try:
        if sign_in(station) is None:
            return 0
        window = build_window(station)
        attach_station_devices(window, station)
        return run_window(station, window=window)
    finally:
        station.close()
