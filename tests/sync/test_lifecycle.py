"""The engine's own life: NEW -> RUNNING -> STOPPING -> STOPPED, and again from STOPPED."""

from __future__ import annotations

import threading

import pytest

from ektp_station.central.runner import CentralServer
from ektp_station.devtools.faultproxy import FaultProxy
from ektp_station.store import Queue, State
from ektp_station.sync.engine import Lifecycle, Link

from factories import make_record
from helpers import wait_until
from sync_support import STATION, make_engine


def _engine_threads() -> int:
    return sum(1 for t in threading.enumerate() if t.name == "sync-engine")


def test_start_on_a_running_engine_is_harmless(
    queue: Queue, central: CentralServer, token: str, engines: list
) -> None:
    engine = make_engine(engines, queue, central.url, token)
    assert engine.lifecycle is Lifecycle.NEW and not engine.running
    before = _engine_threads()
    assert engine.start() is True
    assert engine.start() is False
    assert engine.start() is False
    assert _engine_threads() == before + 1
    assert engine.lifecycle is Lifecycle.RUNNING and engine.running
    wait_until(lambda: engine.state.link is Link.ONLINE)
    with pytest.raises(RuntimeError):
        engine.drain()  # a second loop beside the thread: refused, not run
    queue.enqueue(make_record(1), operator="SITI", station_id=STATION)
    engine.wake()
    wait_until(lambda: queue.count(State.SYNCED) == 1)


def test_stop_is_idempotent(
    queue: Queue, central: CentralServer, token: str, engines: list
) -> None:
    engine = make_engine(engines, queue, central.url, token)
    engine.start()
    wait_until(lambda: engine.state.link is Link.ONLINE)
    assert engine.stop() is True
    assert engine.lifecycle is Lifecycle.STOPPED and not engine.running
    assert engine.state.link is Link.STOPPED
    assert engine.stop() is True
    assert engine.stop(timeout=0) is True
    assert engine.lifecycle is Lifecycle.STOPPED


def test_a_stopped_engine_starts_again_and_delivers(
    queue: Queue, central: CentralServer, token: str, engines: list
) -> None:
    engine = make_engine(engines, queue, central.url, token)
    engine.start()
    wait_until(lambda: engine.state.link is Link.ONLINE)
    assert engine.stop() is True
    queue.enqueue(make_record(1), operator="SITI", station_id=STATION)
    assert engine.start() is True
    assert engine.lifecycle is Lifecycle.RUNNING
    wait_until(lambda: queue.count(State.SYNCED) == 1)
    assert engine.running and engine.state.link is Link.ONLINE
    assert engine.stop() is True
    queue.enqueue(make_record(2), operator="SITI", station_id=STATION)
    assert engine.start() is True  # and a third time
    wait_until(lambda: queue.count(State.SYNCED) == 2)


def test_stop_before_start_then_start(
    queue: Queue, central: CentralServer, token: str, engines: list
) -> None:
    engine = make_engine(engines, queue, central.url, token)
    assert engine.stop() is True
    assert engine.lifecycle is Lifecycle.STOPPED
    assert engine.drain(give_up_after=5) is False  # a stop holds for a run on this thread
    queue.enqueue(make_record(1), operator="SITI", station_id=STATION)
    assert engine.start() is True  # only start() begins a fresh run
    wait_until(lambda: queue.count(State.SYNCED) == 1)


def test_a_stop_whose_wait_runs_out_reports_stopping_until_the_thread_ends(
    queue: Queue, central: CentralServer, token: str, proxy: FaultProxy, engines: list
) -> None:
    proxy.set_mode("blackhole")  # the start-up probe hangs for its 0.5 s timeout
    engine = make_engine(engines, queue, proxy.url, token)
    engine.start()
    assert proxy.wait_for(lambda c: c.blackholed >= 1, 5)
    assert engine.stop(timeout=0) is False
    assert engine.lifecycle is Lifecycle.STOPPING and engine.running
    assert engine.start() is False  # the old thread still finishes: no second one
    wait_until(lambda: engine.lifecycle is Lifecycle.STOPPED, timeout=5)
    assert not engine.running and engine.state.link is Link.STOPPED
    proxy.set_mode("up")
    queue.enqueue(make_record(1), operator="SITI", station_id=STATION)
    assert engine.start() is True
    wait_until(lambda: queue.count(State.SYNCED) == 1)


def test_drain_on_the_calling_thread_runs_and_ends(
    queue: Queue, central: CentralServer, token: str, engines: list
) -> None:
    engine = make_engine(engines, queue, central.url, token)
    queue.enqueue(make_record(1), operator="SITI", station_id=STATION)
    assert engine.drain(give_up_after=10) is True
    assert engine.lifecycle is Lifecycle.STOPPED and not engine.running
    queue.enqueue(make_record(2), operator="SITI", station_id=STATION)
    assert engine.drain(give_up_after=10) is True  # no stop asked: drains again
    assert engine.start() is True
    assert engine.stop() is True
