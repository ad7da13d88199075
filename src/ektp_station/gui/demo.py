"""``ektp-station demo``: a whole counter on one PC, to watch "putus-nyambung" handled.

A throwaway data folder (removed at exit unless ``--keep``) holds a reference centre on
loopback (SQLite), a fault proxy in front of it, and a station that sends through the proxy.
The window gets a "Jaringan" switch: *Nyambung* (link up), *Putus* (link down), *Flaky* (up,
but about half the requests fail one way or another), *Lambat* (up, but capped at 128 kbit/s,
as some kecamatan have: watch the biometric parts go chunk by chunk). Capture goes on while the link is down;
the queue drains when it returns.
"""

from __future__ import annotations

import logging
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Literal

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QButtonGroup, QLabel, QRadioButton, QToolBar, QWidget

from ..central.runner import CentralServer
from ..devtools.faultproxy import FLAKY, FaultProxy
from ..devtools.residents import resident
from ..paths import AppPaths
from ..settings import DEFAULT_CITY, Settings
from ..station import Actor, Station
from ..store import Queue
from ..store.keys import KeyStore
from ..sync.engine import EngineConfig
from .i18n import QT_TRANSLATE_NOOP
from .main_window import MainWindow
from .receipt import RECEIPTS_DIR, ReceiptWriter, attach_receipts

__all__ = [
    "DEMO_OPERATOR",
    "DEMO_STATION_ID",
    "DEMO_SUPERVISOR",
    "Demo",
    "NetworkMode",
    "NetworkSwitch",
    "run_demo",
]

log = logging.getLogger(__name__)

NetworkMode = Literal["nyambung", "putus", "flaky", "lambat"]
#: The "Lambat" link: what some kecamatan have (issue #13).
SLOW_BPS = 128_000
DEMO_STATION_ID = "DEMO-01"
#: (name, PIN) of the demo's accounts; the window opens signed in as the operator.
DEMO_SUPERVISOR = ("SUPERVISOR DEMO", "123456")
DEMO_OPERATOR = ("OPERATOR DEMO", "0000")
#: The other station of the demo's centre, which records one resident first.
OTHER_STATION_ID = "DEMO-02"
#: The residents (``devtools.residents``) the demo starts with: refused, in conflict.
SEED_REJECTED, SEED_CONFLICT = 40, 32
#: Quicker than a counter's defaults, so that the link's return shows within a second or two.
DEMO_ENGINE = EngineConfig(batch_size=50, probe_interval=1.0, backoff_max=10.0, idle_poll=2.0)

#: (mode, label, tooltip); label and tooltip are Indonesian source texts, shown translated.
_MODES: tuple[tuple[NetworkMode, str, str], ...] = (
    (
        "nyambung",
        QT_TRANSLATE_NOOP("NetworkSwitch", "Nyambung"),
        QT_TRANSLATE_NOOP("NetworkSwitch", "Jaringan ke pusat tersambung"),
    ),
    (
        "putus",
        QT_TRANSLATE_NOOP("NetworkSwitch", "Putus"),
        QT_TRANSLATE_NOOP("NetworkSwitch", "Jaringan ke pusat terputus: perekaman tetap jalan"),
    ),
    (
        "flaky",
        QT_TRANSLATE_NOOP("NetworkSwitch", "Flaky"),
        QT_TRANSLATE_NOOP("NetworkSwitch", "Putus-nyambung: kira-kira separuh permintaan gagal"),
    ),
    (
        "lambat",
        QT_TRANSLATE_NOOP("NetworkSwitch", "Lambat"),
        QT_TRANSLATE_NOOP("NetworkSwitch", "Tersambung, tetapi lambat: 128 kbit/s"),
    ),
)


def _tr(text: str) -> str:
    return QCoreApplication.translate("NetworkSwitch", text)


_KEYS: dict[str, str] = {"nyambung": "F6", "putus": "F7", "flaky": "F8", "lambat": "F9"}


class NetworkSwitch(QToolBar):
    """The demo's three-way link switch, acting on the fault proxy (thread-safe setters);
    ``network_changed`` tells the station, as the OS would when a link comes back."""

    modeChanged = Signal(str)  # NetworkMode

    def __init__(
        self,
        proxy: FaultProxy,
        network_changed: Callable[[], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Jaringan"))
        self.setObjectName("network_switch")
        self._proxy = proxy
        self._network_changed = network_changed
        self._mode: NetworkMode = "nyambung"
        self.addWidget(QLabel(self.tr("Jaringan (F6 / F7 / F8 / F9): ")))
        self.group = QButtonGroup(self)
        self.buttons: dict[NetworkMode, QRadioButton] = {}
        for mode, text, tip in _MODES:
            button = QRadioButton(_tr(text))
            button.setObjectName(f"network_{mode}")
            button.setToolTip(_tr(tip))
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keep Tab within the form
            button.toggled.connect(lambda on, m=mode: self._toggled(m, on))
            self.group.addButton(button)
            self.buttons[mode] = button
            self.addWidget(button)
            # from the keyboard too, wherever the focus is in the window
            key = QShortcut(QKeySequence(_KEYS[mode]), self)
            key.setContext(Qt.ShortcutContext.WindowShortcut)
            key.activated.connect(lambda m=mode: self.set_mode(m))
        self.buttons["nyambung"].setChecked(True)

    def _toggled(self, mode: NetworkMode, on: bool) -> None:
        if on and mode != self._mode:
            self.set_mode(mode)

    @property
    def mode(self) -> NetworkMode:
        return self._mode

    def set_mode(self, mode: NetworkMode) -> None:
        self._proxy.bandwidth_bps = SLOW_BPS if mode == "lambat" else None
        if mode == "putus":
            self._proxy.set_mode("down")
        else:
            self._proxy.set_mode("up")
            if mode == "flaky":
                self._proxy.set_faults(FLAKY)
            else:
                self._proxy.clear_faults()
        self._mode = mode
        self.buttons[mode].setChecked(True)  # no-op when the click came from the button
        if mode != "putus":
            self._network_changed()  # as the OS would say when a link comes back
        log.info("demo network switched to %s", mode)
        self.modeChanged.emit(mode)


class Demo:
    """Centre + proxy + station in one folder. ``with Demo() as demo: demo.build_window()``."""

    def __init__(
        self,
        root: Path | None = None,
        *,
        keep: bool = False,
        engine_config: EngineConfig = DEMO_ENGINE,
    ) -> None:
        self._given_root = root
        self.keep = keep
        self.engine_config = engine_config
        self.root: Path | None = None
        self.central: CentralServer | None = None
        self.proxy: FaultProxy | None = None
        self.station: Station | None = None
        self.paths: AppPaths | None = None
        self.settings: Settings | None = None
        self.window: MainWindow | None = None
        self.switch: NetworkSwitch | None = None
        self.receipts: ReceiptWriter | None = None

    def start(self) -> Demo:
        try:
            self._start()
        except BaseException:
            self.close()
            raise
        return self

    def _start(self) -> None:
        if self._given_root is not None:
            self.root = self._given_root
            self.root.mkdir(parents=True, exist_ok=True)
        else:
            self.root = Path(tempfile.mkdtemp(prefix="ektp-demo-"))
        central_dir = self.root / "central"
        central_dir.mkdir(exist_ok=True)
        self.central = CentralServer(f"sqlite:///{central_dir / 'central.sqlite3'}").start()
        self.proxy = FaultProxy.for_url(self.central.url).start()
        token = self.central.add_station(DEMO_STATION_ID)
        self.paths = AppPaths.resolve(self.root / "station")
        self.settings = Settings(
            station_id=DEMO_STATION_ID,
            central_url=self.proxy.url,
            token=token,
            centre_key=self.central.centre_key(),  # the supervisor's "Ekspor ke USB"
            city_code=DEFAULT_CITY,
        )
        self.settings.save(self.paths)
        # the demo's queue key beside its station folder, never among the PC's own keys: it
        # goes with the demo folder when that is removed
        keys = KeyStore(self.root / "keys", use_keyring=False)
        station = Station.open(
            self.paths, settings=self.settings, engine_config=self.engine_config, keys=keys
        )
        self.station = station
        if station.accounts.first_run():
            station.create_first_account(*DEMO_SUPERVISOR)  # the first account supervises
            station.add_operator(*DEMO_OPERATOR, role="operator")
        if station.queue.count() == 0:
            self._seed(station, keys)
        station.sign_in(*DEMO_OPERATOR)

    def _seed(self, station: Station, keys: KeyStore) -> None:
        """A new demo starts with an entry the centre will refuse and one that another
        station recorded first, so that fixing and resending, and reviewing a conflict, can
        be tried at once (both come back as soon as the window sends)."""
        assert self.central is not None and self.root is not None
        token = self.central.add_station(OTHER_STATION_ID)
        other_settings = Settings(
            station_id=OTHER_STATION_ID, central_url=self.central.url, token=token
        )
        other_paths = AppPaths.resolve(self.root / "other-station")
        with Station.open(other_paths, settings=other_settings, keys=keys) as other:
            other.act_as(Actor.operator("OPERATOR LAIN"))
            other.capture(resident(SEED_CONFLICT), confirmed=True)
            if not other.drain(give_up_after=30):
                log.warning("demo: the other station did not deliver; no conflict to show")
        # from a paper list, without the form's checks: a resident of 15 (the centre refuses
        # her) and the one the other station recorded first
        for n in (SEED_REJECTED, SEED_CONFLICT):
            station.queue.enqueue(
                resident(n), operator=DEMO_OPERATOR[0], station_id=DEMO_STATION_ID
            )

    @property
    def queue(self) -> Queue | None:
        return self.station.queue if self.station is not None else None

    def sign_in(self, name: str, pin: str) -> None:
        """Act as another demo account (before :meth:`build_window`)."""
        assert self.station is not None
        self.station.sign_in(name, pin)

    def build_window(self) -> MainWindow:
        """The station window signed in as the demo operator, with the network switch (sync
        not started yet: call ``window.start_sync()``)."""
        assert self.station is not None and self.proxy is not None
        station = self.station
        window = MainWindow(station)
        window.title_prefix = "[DEMO] "
        window.update_title()
        self.switch = NetworkSwitch(self.proxy, station.network_changed, window)
        window.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.switch)
        self.receipts = attach_receipts(window, station.paths.data_dir / RECEIPTS_DIR)
        self.window = window
        return window

    def close(self) -> None:
        """Stop everything and remove the folder unless ``keep`` (idempotent)."""
        if self.window is not None:
            self.window.stop_sync()
            self.window = None
        if self.station is not None:
            self.station.close()
            self.station = None
        if self.proxy is not None:
            self.proxy.stop()
            self.proxy = None
        if self.central is not None:
            self.central.stop()
            self.central = None
        if self.root is not None and not self.keep and self._given_root is None:
            try:
                shutil.rmtree(self.root)
            except OSError as exc:
                log.warning("demo folder %s not removed: %s", self.root, exc)
            self.root = None

    def __enter__(self) -> Demo:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def run_demo(*, keep: bool = False) -> int:
    """Open the demo window; returns when it closes."""
    from .app import application, run_window
    from .capture import choose_devices
    from .recording import attach_biometrics

    application()
    with Demo(keep=keep) as demo:
        assert demo.station is not None
        window = demo.build_window()
        # the camera where one is present, the real signature pad, synthetic scanners
        attach_biometrics(window.form, choose_devices(demo=True), window.queue_tab)
        result = run_window(demo.station, window=window)
        if keep:
            sys.stdout.write(f"Folder demo disimpan: {demo.root}\n")
    return int(result)
