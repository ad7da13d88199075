"""Fixtures: a real reference centre on loopback over SQLite, and PostgreSQL when
``EKTP_TEST_PG_URL`` is set (each test in its own schema)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from central_support import Station

from ektp_station.central import CentralServer

from factories import TODAY

PG_URL = os.environ.get("EKTP_TEST_PG_URL")


def _pg_schema_url(base: str) -> Iterator[str]:
    schema = "t_" + uuid.uuid4().hex[:12]
    engine = sa.create_engine(base)
    with engine.begin() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    sep = "&" if "?" in base else "?"
    try:
        yield f"{base}{sep}options={quote(f'-csearch_path={schema}')}"
    finally:
        with engine.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        engine.dispose()


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param(
            "postgresql",
            marks=[
                pytest.mark.postgres,
                pytest.mark.skipif(not PG_URL, reason="EKTP_TEST_PG_URL not set"),
            ],
        ),
    ]
)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'central.sqlite3'}"
    else:
        assert PG_URL
        yield from _pg_schema_url(PG_URL)


@pytest.fixture
def central(db_url: str) -> Iterator[CentralServer]:
    with CentralServer(db_url, today=lambda: TODAY) as server:
        yield server


@pytest.fixture
def station(central: CentralServer) -> Station:
    return Station("DPK-HARJAMUKTI-1", central.add_station("DPK-HARJAMUKTI-1"), central)
