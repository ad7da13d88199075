from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from ektp_station.errors import SchemaError
from ektp_station.store import Queue, State
from ektp_station.store.queue import DB_FILENAME
from ektp_station.store.schema import MIGRATIONS, SCHEMA_VERSION


def _make_v1_database(path: Path) -> None:
    """A queue as the first released version wrote it, with entries in several states."""
    with sqlite3.connect(path) as raw:
        for statement in MIGRATIONS[0]:
            raw.execute(statement)
        raw.execute("PRAGMA user_version = 1")
        for i, state in enumerate(["pending", "pending", "synced", "rejected"], start=1):
            raw.execute(
                "INSERT INTO entries (entry_id, station_id, operator, captured_at, nik_key, record,"
                " state, created_at, updated_at) VALUES (?, 'ST-OLD', 'SITI', ?, ?, '{}', ?, ?, ?)",
                (
                    f"00000000-0000-4000-8000-00000000000{i}",
                    f"2026-01-0{i}T08:00:00.000000Z",
                    f"key{i}",
                    state,
                    "2026-01-01T08:00:00.000000Z",
                    "2026-01-01T08:00:00.000000Z",
                ),
            )
        raw.execute("INSERT INTO meta VALUES ('nik_salt', '00ff')")


def test_old_queue_is_migrated_in_place_and_keeps_its_entries(data_dir: Path) -> None:
    _make_v1_database(data_dir / DB_FILENAME)
    queue = Queue.open(data_dir)
    with queue.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA user_version").scalar() == SCHEMA_VERSION
    status = queue.status()
    assert status.counts[State.PENDING] == 2
    assert status.counts[State.SYNCED] == 1
    assert status.counts[State.REJECTED] == 1
    assert status.oldest_unsynced_at is not None
    assert status.oldest_unsynced_at.day == 1
    assert [e.seq for e in queue.iter_entries()] == [1, 2, 3, 4]
    queue.close()


def test_newer_database_is_refused_not_damaged(data_dir: Path) -> None:
    path = data_dir / DB_FILENAME
    with sqlite3.connect(path) as raw:
        raw.execute("CREATE TABLE future (x)")
        raw.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    with pytest.raises(SchemaError) as caught:
        Queue.open(data_dir)
    assert "Perbarui" in caught.value.message("id")
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION + 5
