"""The station owns the sync engine's life: start, stop, restart, close — against the real
reference centre on loopback; entries captured while it runs are delivered."""

from __future__ import annotations

from pathlib import Path

import pytest

from ektp_station.central.runner import CentralServer
from ektp_station.settings import Settings
from ektp_station.station import Actor, Station, SyncLife
from ektp_station.store import State

from .support import OpenStation, centre_settings, sync_threads
from factories import TODAY, make_record
from helpers import wait_until
from sync_support import STATION


def _console(station: Station) -> Station:
    station.act_as(Actor.console_user("UJI"))
    return station


def _delivered(station: Station, *seqs: int) -> bool:
    return all(station.entry(s).state is State.SYNCED for s in seqs)


def _registrations(central: CentralServer) -> int:
    return int(central.stats()["registrations"])


def test_a_second_start_is_refused_and_harmless(
    open_station: OpenStation, central: CentralServer, token: str
) -> None:
    station = _console(open_station(settings=centre_settings(central, token)))

    assert station.start_sync() is True
    engine = station.engine
    assert station.start_sync() is False

    assert station.engine is engine  # not replaced
    assert station.sync_life is SyncLife.RUNNING
    assert len(sync_threads()) == 1
    first = station.capture(make_record(1)).entry
    wait_until(lambda: _delivered(station, first.seq))
    assert _registrations(central) == 1


def test_stop_is_idempotent_and_ends_the_engine_thread(
    open_station: OpenStation, central: CentralServer, token: str
) -> None:
    station = _console(open_station(settings=centre_settings(central, token)))
    assert station.start_sync()
    wait_until(lambda: len(sync_threads()) == 1)

    station.stop_sync()
    station.stop_sync()

    assert station.sync_life is SyncLife.STOPPED
    assert station.engine is None and station.engine_state is None
    wait_until(lambda: not sync_threads())
    saved = station.capture(make_record(2)).entry  # a capture with no engine: just saved
    assert station.entry(saved.seq).state is State.PENDING


def test_a_start_after_a_stop_delivers_what_waited(
    open_station: OpenStation, central: CentralServer, token: str
) -> None:
    station = _console(open_station(settings=centre_settings(central, token)))
    assert station.start_sync()
    station.stop_sync()
    waiting = [station.capture(make_record(i)).entry.seq for i in (1, 2, 3)]

    assert station.start_sync() is True

    assert station.sync_life is SyncLife.RUNNING
    wait_until(lambda: _delivered(station, *waiting))
    assert _registrations(central) == 3
    assert len(sync_threads()) == 1


def test_entries_captured_while_running_are_delivered(
    open_station: OpenStation, central: CentralServer, token: str
) -> None:
    station = _console(open_station(settings=centre_settings(central, token)))
    assert station.start_sync()

    seqs = [station.capture(make_record(i)).entry.seq for i in range(1, 8)]

    wait_until(lambda: _delivered(station, *seqs))
    assert station.status().unsynced == 0
    assert _registrations(central) == len(seqs)
    assert station.status().last_sync_at is not None


def test_restart_with_new_settings_delivers_with_them(
    open_station: OpenStation, central: CentralServer, token: str, tmp_path: Path
) -> None:
    station = _console(open_station(settings=centre_settings(central, token)))
    assert station.start_sync()
    before = station.capture(make_record(1)).entry
    wait_until(lambda: _delivered(station, before.seq))
    other = CentralServer(f"sqlite:///{tmp_path / 'other.sqlite3'}", today=lambda: TODAY)
    with other:
        new = centre_settings(other, other.add_station(STATION))

        assert station.restart_sync(new) is True

        assert station.settings == new
        assert station.sync_life is SyncLife.RUNNING
        after = station.capture(make_record(2)).entry
        wait_until(lambda: _delivered(station, after.seq))
        assert _registrations(other) == 1  # the new centre got the new entry
        assert _registrations(central) == 1  # and the old one nothing more
        assert len(sync_threads()) == 1
        station.stop_sync()


def test_restart_while_stopped_takes_the_settings_but_starts_nothing(
    open_station: OpenStation, central: CentralServer, token: str
) -> None:
    station = _console(open_station())
    new = centre_settings(central, token)

    assert station.restart_sync(new) is False

    assert station.settings == new
    assert station.engine is None
    assert station.sync_life is SyncLife.IDLE
    assert not sync_threads()


@pytest.mark.parametrize(
    "settings",
    [
        Settings(station_id=STATION),
        Settings(station_id=STATION, central_url="http://127.0.0.1:9"),  # no token
        Settings(station_id=STATION, token="abc"),  # no address
    ],
    ids=["nothing", "no-token", "no-url"],
)
def test_no_engine_without_a_centre(open_station: OpenStation, settings: Settings) -> None:
    station = _console(open_station(settings=settings))

    assert station.sync_configured is False
    assert station.start_sync() is False

    assert station.engine is None
    assert station.sync_life is SyncLife.IDLE
    assert not sync_threads()
    station.wake()  # without an engine: a no-op, not an error
    station.sync_now()
    station.network_changed()


def test_close_is_idempotent_stops_the_engine_and_refuses_a_later_start(
    open_station: OpenStation, central: CentralServer, token: str
) -> None:
    station = _console(open_station(settings=centre_settings(central, token)))
    assert station.start_sync()
    wait_until(lambda: len(sync_threads()) == 1)

    station.close()
    station.close()

    wait_until(lambda: not sync_threads())
    assert station.engine is None
    with pytest.raises(RuntimeError):
        station.start_sync()


def test_the_station_reopens_on_the_same_folder_and_delivers(
    open_station: OpenStation, central: CentralServer, token: str, data_dir: Path
) -> None:
    first = _console(open_station(settings=centre_settings(central, token)))
    saved = first.capture(make_record(1)).entry
    first.close()

    again = _console(open_station(data_dir, centre_settings(central, token)))
    assert again.entry(saved.seq).state is State.PENDING
    assert again.start_sync()

    wait_until(lambda: _delivered(again, saved.seq))
    assert _registrations(central) == 1
