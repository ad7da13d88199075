"""Wake the sync engine when the operating system says the network changed.

Qt's :class:`QNetworkInformation` reports the machine's reachability (NetworkManager, glib,
Windows' NLM, macOS...). When it changes to anything but "disconnected" the engine is woken at
once (``SyncEngine.network_changed``): a cable plugged back in or a Wi-Fi that returns is used
within a moment, whatever the backoff had grown to. Going down needs no wake-up: the engine
finds out by itself at its next request.

Where no backend exists (a minimal container, the offscreen test platform without one), the
watcher does nothing: the engine's own health probe still notices the link's return.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, SignalInstance
from PySide6.QtNetwork import QNetworkInformation

__all__ = ["NetworkWatcher", "reachability_source"]

log = logging.getLogger(__name__)

Reachability = QNetworkInformation.Reachability
_NOT_A_WAY_BACK = frozenset({Reachability.Disconnected, Reachability.Unknown})


def reachability_source() -> QObject | None:
    """The process's :class:`QNetworkInformation` (loading the platform's default backend,
    else any backend that reports reachability); None if there is none."""
    info = QNetworkInformation.instance()
    if info is None:
        loaded = QNetworkInformation.loadDefaultBackend() or (
            QNetworkInformation.loadBackendByFeatures(QNetworkInformation.Feature.Reachability)
        )
        info = QNetworkInformation.instance() if loaded else None
    if info is None or not info.supports(QNetworkInformation.Feature.Reachability):
        return None
    return info


class NetworkWatcher(QObject):
    """Calls ``wake`` (on the GUI thread) when the network becomes reachable again.

    ``source`` is anything with a ``reachabilityChanged(Reachability)`` signal; by default the
    process's :class:`QNetworkInformation` (see :func:`reachability_source`).
    """

    def __init__(self, wake: Callable[[], None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._wake = wake
        self._signal: SignalInstance | None = None
        self.backend: str | None = None  # e.g. "networkmanager"; None while not watching

    @property
    def active(self) -> bool:
        return self._signal is not None

    def start(self, source: QObject | None = None) -> bool:
        """Watch ``source`` (default: the OS); False, silently, if there is nothing to watch."""
        self.stop()
        if source is None:
            source = reachability_source()
            if source is None:
                log.debug("no network information backend: not watching the network")
                return False
        signal: SignalInstance = source.reachabilityChanged  # type: ignore[attr-defined]
        signal.connect(self.on_reachability_changed)
        self._signal = signal
        backend = getattr(source, "backendName", None)
        self.backend = backend() if callable(backend) else type(source).__name__
        log.info("watching the network through %s", self.backend)
        return True

    def stop(self) -> None:
        """Stop watching (idempotent); the backend itself stays loaded for the process."""
        if self._signal is not None:
            self._signal.disconnect(self.on_reachability_changed)
            self._signal = None
            self.backend = None

    def on_reachability_changed(self, reachability: object) -> None:
        """The slot: wake the engine unless the network just went away."""
        log.info("network reachability changed: %s", getattr(reachability, "name", reachability))
        if reachability not in _NOT_A_WAY_BACK:
            self._wake()
