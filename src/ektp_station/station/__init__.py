"""The station's application core (no Qt): every use case in one service, :class:`Station`.

The window (``gui/``), the command line (``cli.py``), the demo and the benchmarks build the
station through :meth:`Station.open` and act through its use cases; role rules are checked
here against the signed-in operator (:class:`Actor`); each use case returns what it changed
and publishes it as one :class:`Changes` notification to the subscribed listeners.
"""

from __future__ import annotations

from .capture import Assessment, Captured, Corrected
from .events import Changes, StationListener
from .reports import DashboardReport
from .roles import Actor, Permission, os_user_name
from .service import STOP_WAIT_SECONDS, Station, SyncLife, save_settings

__all__ = [
    "STOP_WAIT_SECONDS",
    "Actor",
    "Assessment",
    "Captured",
    "Changes",
    "Corrected",
    "DashboardReport",
    "Permission",
    "Station",
    "StationListener",
    "SyncLife",
    "os_user_name",
    "save_settings",
]
