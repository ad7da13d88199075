"""One batch per station at a time across server processes (PostgreSQL): the ingest takes a
per-station advisory lock without waiting, and a batch that finds it held is a 429 — checked
on two ingestors (two engines, as two processes would have) and on ``central serve --workers
2``."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
import sqlalchemy as sa
from central_support import assert_error_shape, make_batch

from ektp_station.central import CentralDB
from ektp_station.central.db import station_lock_key
from ektp_station.central.ingest import Ingestor, StationBusy
from ektp_station.sync.protocol import BatchRequest

from factories import TODAY, make_record
from helpers import wait_until

PG_URL = os.environ.get("EKTP_TEST_PG_URL")

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not PG_URL, reason="EKTP_TEST_PG_URL not set"),
]

STATION = "DPK-WORKERS-1"


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A throwaway schema (as in conftest; not imported from there, see central_support)."""
    assert PG_URL
    schema = "t_" + uuid.uuid4().hex[:12]
    engine = sa.create_engine(PG_URL)
    with engine.begin() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    sep = "&" if "?" in PG_URL else "?"
    try:
        yield f"{PG_URL}{sep}options={quote(f'-csearch_path={schema}')}"
    finally:
        with engine.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        engine.dispose()


@pytest.fixture
def held_lock(pg_url: str) -> Iterator[sa.Connection]:
    """A transaction elsewhere holding the station's batch lock (as another worker's ingest
    would); rolled back at the end."""
    engine = sa.create_engine(pg_url)
    try:
        with engine.connect() as conn:
            conn.begin()
            conn.execute(sa.select(sa.func.pg_advisory_xact_lock(station_lock_key(STATION))))
            yield conn
            conn.rollback()
    finally:
        engine.dispose()


def test_ingest_refuses_while_another_transaction_holds_the_station(
    pg_url: str,
) -> None:
    db = CentralDB(pg_url)
    db.create_schema()
    db.add_station(STATION)
    ingestor = Ingestor(db, today=lambda: TODAY)
    batch = BatchRequest.model_validate(make_batch(STATION, [make_record(1)], protocol=2))
    engine = sa.create_engine(pg_url)
    try:
        with engine.connect() as other:
            other.begin()
            key = station_lock_key(STATION)
            assert other.execute(sa.select(sa.func.pg_try_advisory_xact_lock(key))).scalar_one()
            with pytest.raises(StationBusy):
                ingestor.ingest(STATION, batch)
            # Another station is not held up.
            db.add_station("DPK-WORKERS-2")
            other_batch = BatchRequest.model_validate(
                make_batch("DPK-WORKERS-2", [make_record(2)], protocol=2)
            )
            assert ingestor.ingest("DPK-WORKERS-2", other_batch)[0].status == "accepted"
            other.rollback()
        assert ingestor.ingest(STATION, batch)[0].status == "accepted"
        assert db.registration_count() == 2
    finally:
        engine.dispose()
        db.dispose()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def two_workers(pg_url: str, tmp_path: Path) -> Iterator[str]:
    db = CentralDB(pg_url)
    db.create_schema()
    db.dispose()
    port = _free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    log = (tmp_path / "serve.log").open("wb")
    proc = subprocess.Popen(
        [
            *(sys.executable, "-m", "ektp_station", "--data-dir", str(tmp_path)),
            *("central", "serve", "--db", pg_url, "--workers", "2", "--port", str(port)),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
    )
    url = f"http://127.0.0.1:{port}"

    def up() -> bool:
        assert proc.poll() is None, (tmp_path / "serve.log").read_text()
        try:
            return httpx.get(url + "/v1/health", timeout=1).status_code == 200
        except httpx.TransportError:
            return False

    try:
        wait_until(up, timeout=30)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
        log.close()


def test_two_workers_answer_429_while_the_station_is_held_elsewhere(
    pg_url: str, two_workers: str, held_lock: sa.Connection
) -> None:
    db = CentralDB(pg_url)
    try:
        token, _ = db.add_station(STATION)
        headers = {"Authorization": f"Bearer {token}"}
        body = make_batch(STATION, [make_record(1)], protocol=2)
        # Several requests on fresh connections: whichever worker takes each, it is refused.
        for _ in range(6):
            with httpx.Client(base_url=two_workers, timeout=30) as client:
                busy = client.post("/v1/batches", json=body, headers=headers)
            assert assert_error_shape(busy, 429)["error"]["code"] == "batch_in_flight"
            assert float(busy.headers["Retry-After"]) > 0
        assert db.registration_count() == 0
        held_lock.rollback()  # the other "worker" is done
        response = httpx.post(two_workers + "/v1/batches", json=body, headers=headers, timeout=30)
        assert response.status_code == 200, response.text
        assert response.json()["results"][0]["status"] == "accepted"
        assert db.registration_count() == 1
    finally:
        db.dispose()
