"""The command line on a bad day for the queue file: each kind of loss is one translated line
and an exit status of its own (README: 5 damaged, 6 read-only, 7 disk full, 8 queue missing);
an import stopped by a full disk still reports every line."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event

from ektp_station.errors import DiskFull
from ektp_station.store import DB_FILENAME, Queue
from ektp_station.store import db as db_module
from ektp_station.store import queue as queue_module

from .support import Result, write_jsonl
from factories import many_records
from helpers import raw_queue

Cli = Callable[..., Result]


def _import(cli: Cli, station: Path, tmp_path: Path, count: int, start: int = 1) -> Result:
    source = write_jsonl(tmp_path / f"batch-{start}.jsonl", many_records(count, start=start))
    return cli("--data-dir", station, "queue", "import", source, "--json")


def test_status_in_an_empty_folder_starts_a_queue(cli: Cli, tmp_path: Path) -> None:
    result = cli("--data-dir", tmp_path / "new", "queue", "status", "--json")
    assert result.rc == 0, result.err
    assert result.json()["pending"] == 0


@pytest.mark.parametrize("how", ["deleted", "emptied"])
def test_a_lost_queue_is_refused_and_a_new_one_only_on_purpose(
    cli: Cli, station: Path, tmp_path: Path, how: str
) -> None:
    assert _import(cli, station, tmp_path, 5).rc == 0
    db = station / DB_FILENAME
    if how == "deleted":
        db.unlink()
    else:
        os.truncate(db, 0)

    refused = cli("--data-dir", station, "queue", "status")
    assert refused.rc == 8
    assert "cadangan" in refused.err and "queue init --new" in refused.err
    assert "Traceback" not in refused.err
    assert not db.exists() or db.stat().st_size == 0
    assert cli("--data-dir", station, "queue", "import", tmp_path / "batch-1.jsonl").rc == 8

    started = cli("--data-dir", station, "queue", "init", "--new")
    assert started.rc == 0, started.err
    status = cli("--data-dir", station, "queue", "status", "--json")
    assert status.rc == 0
    assert status.json()["pending"] == 0


def test_a_damaged_queue_exits_5_with_what_to_do(cli: Cli, station: Path, tmp_path: Path) -> None:
    assert _import(cli, station, tmp_path, 300).rc == 0
    db = station / DB_FILENAME
    with db.open("r+b") as handle:
        handle.seek(db.stat().st_size // 2)
        handle.write(b"\x5a" * 4096)
    for command in (["queue", "status"], ["queue", "list"]):
        result = cli("--data-dir", station, *command)
        assert result.rc == 5, result.err
        assert "rusak" in result.err and "Traceback" not in result.err


def test_a_full_disk_stops_the_import_and_reports_every_line(
    cli: Cli, station: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert _import(cli, station, tmp_path, 10).rc == 0
    with raw_queue(station) as probe:
        pages = int(probe.execute("PRAGMA page_count").fetchone()[0])
    make = db_module.create_queue_engine

    def small_disk(path: Path, key: bytes | None) -> Engine:
        engine = make(path, key)

        @event.listens_for(engine, "connect")
        def _limit(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.execute(f"PRAGMA max_page_count={pages + 200}")

        return engine

    monkeypatch.setattr(queue_module, "create_queue_engine", small_disk)
    result = _import(cli, station, tmp_path, 2000, start=100)
    assert result.rc == 7, result.err
    assert "penuh" in result.err
    report = result.json()
    assert report["stopped"] == "disk_full"
    assert len(report["lines"]) == 2000  # every line is named, done or not
    assert [r["line"] for r in report["lines"]] == list(range(1, 2001))
    imported = [r for r in report["lines"] if r["status"] == "imported"]
    rest = [r for r in report["lines"] if r["status"] == "rejected"]
    assert 0 < report["imported"] == len(imported) < 2000
    assert {e["code"] for r in rest for e in r["errors"]} == {"disk_full"}
    monkeypatch.undo()
    # exactly the lines reported imported are in the queue, nothing saved before is damaged
    queue = Queue.open(station)
    try:
        assert queue.count() == 10 + len(imported)
        ids = {e.entry_id for e in queue.iter_entries()}
        assert {r["entry_id"] for r in imported} <= ids
    finally:
        queue.close()
    assert cli("--data-dir", station, "queue", "status").rc == 0


def test_status_exits_0_when_the_checkpoint_at_close_fails(
    cli: Cli, station: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert _import(cli, station, tmp_path, 3).rc == 0

    def refuse(self: Queue) -> None:
        raise DiskFull("SQLITE_FULL")

    monkeypatch.setattr(Queue, "checkpoint", refuse)
    result = cli("--data-dir", station, "queue", "status", "--json")
    assert result.rc == 0, result.err
    assert result.json()["pending"] == 3


def test_a_queue_locked_too_long_exits_9_and_nothing_is_lost(
    cli: Cli, station: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(db_module, "BUSY_TIMEOUT_MS", 150)
    assert _import(cli, station, tmp_path, 3).rc == 0
    other = raw_queue(station)
    try:
        other.execute("BEGIN IMMEDIATE")  # another program takes the write lock and keeps it
        refused = _import(cli, station, tmp_path, 2, start=10)
        assert refused.rc == 9, refused.err
        assert "dikunci program lain" in refused.err
        assert "Traceback" not in refused.err
        other.execute("ROLLBACK")
        status = cli("--data-dir", station, "queue", "status", "--json")
        assert status.rc == 0 and status.json()["pending"] == 3
        assert _import(cli, station, tmp_path, 2, start=10).rc == 0
    finally:
        other.close()


@pytest.fixture
def small_disk(tmp_path: Path):  # type: ignore[no-untyped-def]
    """A 2 MiB tmpfs for the data folder (a full disk), grown later by remounting."""
    import subprocess

    mount = tmp_path / "disk"
    mount.mkdir()
    made = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)],
        capture_output=True,
        check=False,
    )
    if made.returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs root)")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


@pytest.mark.slow
def test_after_a_full_disk_the_queue_opens_again_once_there_is_room(
    small_disk: Path, tmp_path: Path
) -> None:
    """A checkpoint cut short at close writes the new size into page 1 before the file has
    grown: with the write-ahead log still there, that is not a damaged queue."""
    import subprocess

    from .support import run_ektp

    station = small_disk / "station"
    station.mkdir()
    (station / "config.json").write_text('{"station_id": "ST-UJI-01", "min_free_mb": 0}')
    source = write_jsonl(tmp_path / "big.jsonl", many_records(3000))
    full = run_ektp("--data-dir", station, "queue", "import", source, "--json")
    assert full.rc == 7, full.err
    saved = full.json()["imported"]
    assert 0 < saved < 3000
    assert "Logging error" not in full.err and "Traceback" not in full.err
    subprocess.run(["mount", "-o", "remount,size=16m", str(small_disk)], check=True)
    status = run_ektp("--data-dir", station, "queue", "status", "--json")
    assert status.rc == 0, status.err
    assert status.json()["pending"] == saved  # everything saved before the disk filled up
    more = write_jsonl(tmp_path / "more.jsonl", many_records(5, start=5000))
    assert run_ektp("--data-dir", station, "queue", "import", more).rc == 0


def test_a_queue_file_swapped_for_another_is_refused(
    cli: Cli, station: Path, tmp_path: Path
) -> None:
    assert _import(cli, station, tmp_path, 3).rc == 0
    other = tmp_path / "other"
    other.mkdir()
    (other / "config.json").write_text('{"station_id": "ST-LAIN"}')
    assert _import(cli, other, tmp_path, 2, start=100).rc == 0
    for suffix in ("", "-wal", "-shm"):
        (station / (DB_FILENAME + suffix)).unlink(missing_ok=True)
    import shutil

    shutil.copyfile(other / DB_FILENAME, station / DB_FILENAME)
    refused = cli("--data-dir", station, "queue", "status")
    assert refused.rc == 8
    assert "bukan antrean stasiun ini" in refused.err and "queue restore" in refused.err
