"""Fixtures for the station core's tests: a station folder with accounts, the real centre."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ektp_station.central.runner import CentralServer
from ektp_station.paths import AppPaths
from ektp_station.settings import Settings
from ektp_station.station import Station

from .support import OPERATOR, OPERATOR_PIN, SUPERVISOR, SUPERVISOR_PIN, OpenStation
from factories import TODAY
from sync_support import FAST, STATION


@pytest.fixture
def central(tmp_path: Path) -> Iterator[CentralServer]:
    server = CentralServer(f"sqlite:///{tmp_path / 'central.sqlite3'}", today=lambda: TODAY)
    with server:
        yield server


@pytest.fixture
def token(central: CentralServer) -> str:
    return central.add_station(STATION)


@pytest.fixture
def open_station(data_dir: Path) -> Iterator[OpenStation]:
    """Open a station (by default on ``data_dir``, without a centre); closed afterwards."""
    opened: list[Station] = []

    def make(folder: Path | None = None, settings: Settings | None = None) -> Station:
        station = Station.open(
            AppPaths.resolve(folder or data_dir),
            settings=settings or Settings(station_id=STATION),
            engine_config=FAST,
            today=lambda: TODAY,
        )
        opened.append(station)
        return station

    yield make
    for station in opened:
        station.close()


@pytest.fixture
def station(open_station: OpenStation) -> Station:
    """A station without a centre, with a supervisor and an operator; nobody signed in."""
    st = open_station()
    st.create_first_account(SUPERVISOR, SUPERVISOR_PIN)
    st.add_operator(OPERATOR, OPERATOR_PIN)
    st.sign_out()
    return st
