"""The station window's application context, built once and passed in (no globals):
paths, settings, the queue, the operator, and the sync engine with its Qt bridge."""

from __future__ import annotations

import gc
import getpass
import logging
from dataclasses import dataclass, field
from typing import Protocol

from ..paths import AppPaths
from ..settings import Settings
from ..store import Queue
from ..sync.client import CentralClient
from ..sync.engine import EngineConfig, EngineState, Progress, SyncEngine
from .bridge import SyncBridge
from .netwatch import NetworkWatcher

STOP_WAIT_SECONDS = 2.0

__all__ = ["CliContext", "StationContext", "default_operator"]

log = logging.getLogger(__name__)


class CliContext(Protocol):
    """What ``ektp-station`` hands to :func:`~.app.run_window` (``cli.Context``)."""

    @property
    def paths(self) -> AppPaths: ...

    @property
    def settings(self) -> Settings: ...

    def queue(self) -> Queue: ...


class _EngineRelay:
    """One engine's listener: passes its reports to the bridge until that engine is replaced
    (so a replaced engine's last words cannot overwrite its successor's)."""

    def __init__(self, bridge: SyncBridge) -> None:
        self.bridge = bridge
        self.active = True

    def sync_state_changed(self, state: EngineState) -> None:
        if self.active:
            self.bridge.sync_state_changed(state)

    def sync_progress(self, progress: Progress) -> None:
        if self.active:
            self.bridge.sync_progress(progress)


def default_operator() -> str:
    """The OS user name: the operator when the window is built without signing in."""
    try:
        name = getpass.getuser()
    except (OSError, KeyError):  # no user name in the environment or the passwd database
        name = ""
    return name.strip().upper() or "OPERATOR"


@dataclass
class StationContext:
    paths: AppPaths
    settings: Settings
    queue: Queue
    operator: str  # the signed-in operator's name, written on every entry
    bridge: SyncBridge
    engine: SyncEngine | None = None
    role: str = "operator"  # "operator" | "supervisor" (store.operators.ROLES)
    client: CentralClient | None = field(default=None, repr=False)
    engine_config: EngineConfig | None = None  # None: the defaults with the settings' batch size
    sync_started: bool = False
    _relay: _EngineRelay | None = field(default=None, repr=False)
    network_watcher: NetworkWatcher | None = field(default=None, repr=False)

    @classmethod
    def build(
        cls,
        ctx: CliContext,
        *,
        operator: str | None = None,
        role: str = "operator",
        engine_config: EngineConfig | None = None,
    ) -> StationContext:
        """Needs a QApplication (the bridge is a QObject). The engine exists only when the
        centre's address and the station's token are both configured."""
        settings = ctx.settings
        station = cls(
            paths=ctx.paths,
            settings=settings,
            queue=ctx.queue(),
            operator=operator or default_operator(),
            bridge=SyncBridge(),
            role=role,
            engine_config=engine_config,
        )
        station._make_engine()
        return station

    def _make_engine(self) -> None:
        settings = self.settings
        if not (settings.central_url and settings.token):
            return
        self.client = CentralClient(
            settings.central_url, settings.token, timeout=settings.timeout_seconds
        )
        self._relay = _EngineRelay(self.bridge)
        self.engine = SyncEngine(
            self.queue,
            self.client,
            settings.effective_station_id,
            listener=self._relay,
            config=self.engine_config or EngineConfig(batch_size=settings.batch_size),
        )

    @property
    def is_supervisor(self) -> bool:
        return self.role == "supervisor"

    @property
    def station_id(self) -> str:
        return self.settings.effective_station_id

    @property
    def city_code(self) -> str | None:
        return self.settings.city_code or None

    def start_sync(self) -> None:
        self.sync_started = True
        if self.engine is not None:
            # What start-up built lives as long as the window: keep it out of the cyclic
            # collector, whose full passes over it (~50-80 ms, any thread) stall the GUI
            # thread while a queue drains (tests/gui/test_responsive.py).
            gc.freeze()
            self.engine.start()
            self._watch_network()

    def _watch_network(self) -> None:
        """Wake the engine when the OS says the network changed (nothing without a backend)."""
        if self.network_watcher is None:
            self.network_watcher = NetworkWatcher(self._network_changed)
            self.network_watcher.start()

    def _network_changed(self) -> None:
        if self.engine is not None:
            self.engine.network_changed()

    def restart_sync(self, settings: Settings) -> None:
        """After the settings changed: stop the engine, then a fresh one over ``settings``
        (none without a centre and a token), started if sync had been started."""
        if self._relay is not None:
            self._relay.active = False
            self._relay = None
        started = self.sync_started
        self.stop_sync()
        self.settings = settings
        self._make_engine()
        if started:
            self.start_sync()

    def stop_sync(self) -> None:
        """Stop the engine's thread and close its connection (idempotent)."""
        if self.network_watcher is not None:
            self.network_watcher.stop()
            self.network_watcher = None
        if self.engine is not None:
            gc.unfreeze()
            # Bounded wait on the GUI thread: a request still in flight is abandoned (its
            # batch is recovered to pending at the next start, and the centre's idempotency
            # makes the resend harmless).
            self.engine.stop(timeout=STOP_WAIT_SECONDS)
            stopped = not self.engine.running
            self.engine = None
            if not stopped:
                self.client = None  # still in use by the abandoned request; closed at exit
        if self.client is not None:
            self.client.close()
            self.client = None
