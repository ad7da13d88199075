"""Reference central server: the centre's side of the station protocol (no Qt).

``create_app`` builds the FastAPI app; ``CentralServer`` runs it on a background thread;
``CentralDB`` is its database (stations with token hashes, registrations).

Names are loaded on first use, so that the station's command line (which only registers the
``central`` subcommands) does not pay for importing FastAPI.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .app import create_app
    from .db import CentralDB, hash_token
    from .ingest import reference_for
    from .runner import CentralServer

__all__ = ["CentralDB", "CentralServer", "create_app", "hash_token", "reference_for"]

_WHERE = {
    "create_app": ".app",
    "CentralDB": ".db",
    "hash_token": ".db",
    "reference_for": ".ingest",
    "CentralServer": ".runner",
}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(_WHERE[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
