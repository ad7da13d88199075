"""The station window's application context, built once and passed in (no globals):
paths, settings, the queue, the operator, and the sync engine with its Qt bridge."""

from __future__ import annotations

import getpass
import logging
from dataclasses import dataclass, field
from typing import Protocol

from ..paths import AppPaths
from ..settings import Settings
from ..store import Queue
from ..sync.client import CentralClient
from ..sync.engine import EngineConfig, SyncEngine
from .bridge import SyncBridge

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
        )
        if settings.central_url and settings.token:
            station.client = CentralClient(
                settings.central_url, settings.token, timeout=settings.timeout_seconds
            )
            station.engine = SyncEngine(
                station.queue,
                station.client,
                settings.effective_station_id,
                listener=station.bridge,
                config=engine_config or EngineConfig(batch_size=settings.batch_size),
            )
        return station

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
        if self.engine is not None:
            self.engine.start()

    def stop_sync(self) -> None:
        """Stop the engine's thread and close its connection (idempotent)."""
        if self.engine is not None:
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
