"""Fixtures of the window's tests: the station core over a real queue, signed in.

``station`` is the one shared station (an operator signed in); ``make_station`` builds others
(a role, settings, a date). Every window and widget is built over a real
:class:`~ektp_station.station.Station` — the same core the command line and the demo use.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from ektp_station.gui.i18n import TsTranslator, current_language, install_translator
from ektp_station.paths import AppPaths
from ektp_station.settings import Settings
from ektp_station.station import Actor, Station
from ektp_station.store import Queue
from ektp_station.sync.engine import EngineConfig

from factories import TODAY

pytest.importorskip("pytestqt")

STATION_ID = "ST-UJI-01"


@pytest.fixture(autouse=True)
def _indonesian(qapp: QApplication) -> None:
    """The language the window starts in: Bahasa Indonesia, Qt's own strings included (as
    ``gui.app`` installs it); a test that switches language switches back."""
    if current_language() != "id" or not qapp.findChildren(TsTranslator):
        install_translator(qapp, "id")


MakeStation = Callable[..., Station]


@pytest.fixture
def make_station(data_dir: Path) -> Iterator[MakeStation]:
    """``make_station(role="supervisor", name="SITI", settings=Settings(...), today=...)``:
    a station over ``data_dir`` (or ``folder``), acting as that account (unless ``sign_in`` is
    false), its engine tuned by ``engine_config`` once started; closed afterwards."""
    made: list[Station] = []

    def make(
        *,
        role: str = "operator",
        name: str = "SITI",
        settings: Settings | None = None,
        today: Callable[[], date] = lambda: TODAY,
        folder: Path | None = None,
        sign_in: bool = True,
        engine_config: EngineConfig | None = None,
    ) -> Station:
        paths = AppPaths.resolve(folder or data_dir)
        chosen = settings or Settings(station_id=STATION_ID, city_code="32.76")
        station = Station.open(paths, settings=chosen, today=today, engine_config=engine_config)
        if sign_in:
            station.act_as(Actor(name, role))
        made.append(station)
        return station

    yield make
    for station in made:
        station.close()


@pytest.fixture
def station(make_station: MakeStation) -> Station:
    """The shared station: operator SITI signed in, city Depok, today = factories.TODAY."""
    return make_station()


@pytest.fixture
def supervisor(make_station: MakeStation) -> Station:
    return make_station(role="supervisor", name="SUPERVISOR")


@pytest.fixture
def queue(station: Station) -> Queue:
    """The shared station's queue (to set up entries and read the store back)."""
    return station.queue
