"""The centre's side of the USB bundles on each database (SQLite, and PostgreSQL when
``EKTP_TEST_PG_URL`` is set): the identity made once however many processes ask at once; a
bundle imported twice, and its entries also arriving online, stored once."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
import sqlalchemy as sa

from ektp_station.central.app import default_upload_dir
from ektp_station.central.bundles import import_bundle
from ektp_station.central.db import CentralDB, registrations
from ektp_station.central.identity import centre_identity
from ektp_station.central.runner import CentralServer
from ektp_station.paths import AppPaths
from ektp_station.settings import Settings
from ektp_station.station import Station
from parts_support import capture, centre_parts

from factories import TODAY, make_record
from sync_support import FAST, STATION


def test_the_centre_s_identity_is_made_once(db_url: str) -> None:
    dbs = [CentralDB(db_url) for _ in range(4)]
    dbs[0].create_schema()
    found: list[str] = []
    start = threading.Barrier(len(dbs))

    def ask(db: CentralDB) -> None:
        start.wait()
        found.append(str(centre_identity(db).public))

    threads = [threading.Thread(target=ask, args=(db,)) for db in dbs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    try:
        assert len(found) == 4 and len(set(found)) == 1
        assert str(centre_identity(dbs[0]).public) == found[0]  # and kept
    finally:
        for db in dbs:
            db.dispose()


def test_a_bundle_twice_and_online_too_is_stored_once(
    central: CentralServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # on PostgreSQL the parts go to ./ektp-central-uploads, for the server and the import
    # alike: here, not in the working folder of the test run
    monkeypatch.chdir(tmp_path)
    db = central._db
    settings = Settings(
        station_id=STATION,
        token=central.add_station(STATION),
        centre_key=str(centre_identity(db).public),
    )
    station = Station.open(
        AppPaths.resolve(tmp_path / "station"),
        settings=settings,
        engine_config=FAST,
        today=lambda: TODAY,
    )
    try:
        station.create_first_account("SUPERVISOR UJI", "123456")
        capture(station.queue, station.attachments, 1)
        station.queue.enqueue(make_record(2), operator="SITI", station_id=STATION)
        bundle = station.export_bundle(tmp_path / "a.ektpbundle").path
        uploads = default_upload_dir(central.db_url)
        first = import_bundle(db, uploads, bundle, tmp_path / "a.ektpreceipt")
        second = import_bundle(db, uploads, bundle, tmp_path / "b.ektpreceipt")
        assert (first.accepted, first.parts_verified) == (2, 14)
        assert (second.already_accepted, second.parts_verified) == (2, 14)
        held = centre_parts(central)
        station.change_settings(
            Settings(
                station_id=STATION,
                token=settings.token,
                centre_key=settings.centre_key,
                central_url=central.url,
            )
        )
        assert station.drain(give_up_after=20)
        assert station.status().counts["synced"] == 2
        with db.engine.connect() as conn:
            assert conn.execute(sa.select(sa.func.count()).select_from(registrations)).scalar() == 2
        assert centre_parts(central) == held  # nothing sent twice
    finally:
        station.close()
