"""Helpers for the station core's tests (accounts, a listener that records, verdicts)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from ektp_station.central.runner import CentralServer
from ektp_station.settings import Settings
from ektp_station.station import Changes, Station
from ektp_station.store import Entry, Outcome, State

from sync_support import STATION

SUPERVISOR, SUPERVISOR_PIN = "SUPERVISOR UJI", "123456"
OPERATOR, OPERATOR_PIN = "OPERATOR UJI", "0000"
OWNER = "uji-engine"  # the claimer's name when a test plays the sync engine

OpenStation = Callable[..., Station]


class Recorder:
    """A StationListener that keeps what it was told (called on any thread)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._changes: list[Changes] = []
        self._states: list[Any] = []
        self._progress: list[Any] = []

    def station_changed(self, changes: Changes) -> None:
        with self._lock:
            self._changes.append(changes)

    def sync_state_changed(self, state: Any) -> None:
        with self._lock:
            self._states.append(state)

    def sync_progress(self, progress: Any) -> None:
        with self._lock:
            self._progress.append(progress)

    @property
    def changes(self) -> list[Changes]:
        with self._lock:
            return list(self._changes)

    @property
    def states(self) -> list[Any]:
        with self._lock:
            return list(self._states)

    @property
    def progress(self) -> list[Any]:
        with self._lock:
            return list(self._progress)

    def clear(self) -> None:
        with self._lock:
            self._changes.clear()
            self._states.clear()
            self._progress.clear()


def centre_settings(central: CentralServer, token: str, **more: Any) -> Settings:
    return Settings(station_id=STATION, central_url=central.url, token=token, **more)


def verdict(station: Station, seq: int, state: State, code: str = "nik_registered") -> Entry:
    """Play the centre for one pending entry: claim it, apply ``state`` (a unit edge case)."""
    claimed = station.queue.claim_batch(OWNER, 1000)
    mine = [e for e in claimed if e.seq == seq]
    assert mine, f"entry #{seq} was not pending"
    others = [Outcome(e.entry_id, State.PENDING) for e in claimed if e.seq != seq]
    errors = () if state is State.SYNCED else ({"field": "nik", "code": code, "message": "x"},)
    station.queue.apply_outcomes(OWNER, [Outcome(mine[0].entry_id, state, errors=errors), *others])
    return station.entry(seq)


def sync_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "sync-engine" and t.is_alive()]
