"""Fixtures: a real reference centre on loopback over SQLite, and PostgreSQL when
``EKTP_TEST_PG_URL`` is set (each test in its own schema)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
import sqlalchemy as sa

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


@dataclass
class Station:
    station_id: str
    token: str
    central: CentralServer

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def post(self, body: Any, client: httpx.Client | None = None, **kw: Any) -> httpx.Response:
        kw.setdefault("timeout", 30)
        url = self.central.url + "/v1/batches"
        headers = {**self.headers, **kw.pop("headers", {})}
        if isinstance(body, bytes | str):
            return (client or httpx).post(url, content=body, headers=headers, **kw)  # type: ignore[attr-defined]
        return (client or httpx).post(url, json=body, headers=headers, **kw)  # type: ignore[attr-defined]


@pytest.fixture
def station(central: CentralServer) -> Station:
    return Station("DPK-HARJAMUKTI-1", central.add_station("DPK-HARJAMUKTI-1"), central)


def iso(dt: datetime) -> str:
    return dt.isoformat().replace("+00:00", "Z")


def make_batch(
    station_id: str,
    records: Sequence[dict[str, Any]],
    ids: Sequence[str] | None = None,
    *,
    operator: str = "op-siti",
    captured_at: datetime | None = None,
) -> dict[str, Any]:
    ids = list(ids) if ids is not None else [str(uuid.uuid4()) for _ in records]
    now = datetime.now(UTC)
    captured = captured_at or datetime(2026, 11, 24, 2, 30, tzinfo=UTC)
    return {
        "protocol": 1,
        "station_id": station_id,
        "station_time": iso(now),
        "backlog": {"pending": len(records), "oldest_unsynced_at": iso(captured)},
        "entries": [
            {
                "entry_id": entry_id,
                "seq": n + 1,
                "operator": operator,
                "captured_at": iso(captured),
                "record": record,
            }
            for n, (entry_id, record) in enumerate(zip(ids, records, strict=True))
        ],
    }


def assert_error_shape(response: httpx.Response, status: int | None = None) -> dict[str, Any]:
    if status is not None:
        assert response.status_code == status, response.text
    assert response.status_code != 200
    assert response.status_code < 500 or response.status_code == 503, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert body["protocol"] == 1
    assert isinstance(body["error"]["code"], str) and body["error"]["code"]
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    return body  # type: ignore[no-any-return]
