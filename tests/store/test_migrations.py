from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from ektp_station.errors import SchemaError
from ektp_station.store import Queue, State
from ektp_station.store.db import DriverIntegrityError
from ektp_station.store.queue import DB_FILENAME
from ektp_station.store.schema import MIGRATIONS, SCHEMA_VERSION

from helpers import raw_queue


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
    with sqlite3.connect(path) as raw:  # left as it was: plain, untouched
        assert raw.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION + 5


def _make_v4_queue(data_dir: Path) -> tuple[list[int], list[str]]:
    """A queue as version 4 left it: real entries, audit events, an operator account."""
    from ektp_station.store.db import create_queue_engine, writing
    from ektp_station.store.operators import hash_pin
    from ektp_station.store.schema import migrate

    engine = create_queue_engine(data_dir / DB_FILENAME, None)
    with writing(engine) as conn:
        conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
        migrate(conn, target=4)
        conn.exec_driver_sql("INSERT INTO meta VALUES ('nik_salt', '00ff')")
    engine.dispose()
    # the v4 code path wrote entries through the same statements (minus the revision)
    with sqlite3.connect(data_dir / DB_FILENAME) as raw:
        for i in range(1, 6):
            raw.execute(
                "INSERT INTO entries (entry_id, station_id, operator, captured_at, nik_key, record,"
                " state, created_at, updated_at) VALUES (?, 'ST-OLD', 'SITI', ?, ?, ?, ?, ?, ?)",
                (
                    f"00000000-0000-4000-8000-00000000000{i}",
                    f"2026-01-0{i}T08:00:00.000000Z",
                    f"key{i}",
                    '{"nik": "x"}',
                    "conflict" if i == 5 else "pending",
                    "2026-01-01T08:00:00.000000Z",
                    "2026-01-01T08:00:00.000000Z",
                ),
            )
            raw.execute(
                "INSERT INTO audit (entry_seq, at, actor, action) VALUES (?, ?, 'SITI', 'captured')",
                (i, "2026-01-01T08:00:00.000000Z"),
            )
        raw.execute("UPDATE sqlite_sequence SET seq = 7 WHERE name = 'entries'")
        raw.execute(
            "INSERT INTO operators VALUES ('SPV', ?, '00', 'supervisor', ?)",
            (hash_pin("1234", b"\0"), "2026-01-01T08:00:00.000000Z"),
        )
    return [1, 2, 3, 4, 5], ["SPV"]


def test_v4_queue_becomes_v5_keeping_entries_audit_numbers_and_accounts(data_dir: Path) -> None:
    from factories import make_record

    seqs, names = _make_v4_queue(data_dir)
    queue = Queue.open(data_dir)
    try:
        with queue.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA user_version").scalar() == SCHEMA_VERSION
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA foreign_key_check").first() is None
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
        assert [e.seq for e in queue.iter_entries()] == seqs
        assert {e.revision for e in queue.iter_entries()} == {1}
        assert [e.action for e in queue.audit_trail(2)] == ["captured"]
        assert queue.status().counts["pending"] == 4  # the trigger-kept counts survive
        # a conflict can now be resolved (the old CHECK knew no 'resolved')
        assert queue.resolve(5, actor="SPV", note="sudah ada").state is State.RESOLVED
        # numbers continue after the highest ever handed out, never reused
        assert queue.enqueue(make_record(1), operator="A", station_id="S").seq == 8
        from ektp_station.store.operators import Operators

        accounts = Operators(queue.engine).accounts()
        assert [(o.name, o.active, o.last_sign_in_at) for o in accounts] == [(names[0], True, None)]
        with raw_queue(queue.path) as raw, pytest.raises(DriverIntegrityError):
            raw.execute("UPDATE entries SET state = 'lost' WHERE seq = 1")  # still checked
    finally:
        queue.close()


def test_v9_queue_becomes_v10_and_asks_the_centre_about_entries_delivered_whole(
    data_dir: Path,
) -> None:
    """Entries delivered whole with all fourteen parts before v10 are due for the centre's
    decision; a biodata-only entry is not; the trigger-kept counts start right."""
    from ektp_station.domain.biometrics import PARTS
    from ektp_station.store.db import create_queue_engine, writing
    from ektp_station.store.schema import migrate

    engine = create_queue_engine(data_dir / DB_FILENAME, None)
    with writing(engine) as conn:
        conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
        migrate(conn, target=9)
        conn.exec_driver_sql("INSERT INTO meta VALUES ('nik_salt', '00ff')")
        for i, state in enumerate(["synced", "synced", "uploading"], start=1):
            conn.exec_driver_sql(
                "INSERT INTO entries (entry_id, station_id, operator, captured_at, nik_key, record,"
                " state, created_at, updated_at) VALUES (?, 'ST', 'SITI', ?, ?, '{}', ?, ?, ?)",
                (
                    f"00000000-0000-4000-8000-00000000000{i}",
                    "2026-01-01T08:00:00.000000Z",
                    f"key{i}",
                    state,
                    "2026-01-01T08:00:00.000000Z",
                    "2026-01-01T08:00:00.000000Z",
                ),
            )
        for seq in (1, 3):  # entry 2 is biodata only
            for part in PARTS:
                conn.exec_driver_sql(
                    "INSERT INTO parts (entry_seq, part, sha256, size, captured_at, acked,"
                    " verified_at) VALUES (?, ?, ?, 10, '2026-01-01T08:00:00.000000Z', 10, ?)",
                    (seq, part, f"{seq:02d}{part}".ljust(64, "0"), "2026" if seq == 1 else None),
                )
    engine.dispose()
    queue = Queue.open(data_dir)
    try:
        assert [queue.get(s).enrolment for s in (1, 2, 3)] == ["due", None, None]
        assert queue.status().enrolments == {
            "due": 1,
            "print_ready": 0,
            "duplicate": 0,
            "adjudication": 0,
        }
        due = queue.next_enrolment()
        assert due is not None and due.seq == 1 and set(due.parts) == set(PARTS)
        assert queue.record_enrolment(1, "duplicate", "fingerprint_enrolled")
        assert not queue.record_enrolment(1, "print_ready", None)  # decided once
        assert queue.status().enrolments["duplicate"] == 1
        assert queue.status().enrolments["due"] == 0
        assert queue.must_return() == [1]
    finally:
        queue.close()
