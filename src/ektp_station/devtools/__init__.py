"""Developer tools: the fault-injecting proxy used by tests, benchmarks and the demo.

Names are imported lazily so that ``python -m ektp_station.devtools.faultproxy`` runs cleanly.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .faultproxy import FAULT_KINDS, FLAKY, FaultMix, FaultProxy, ProxyCounters

__all__ = ["FAULT_KINDS", "FLAKY", "FaultMix", "FaultProxy", "ProxyCounters"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from . import faultproxy

        return getattr(faultproxy, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
