"""Backups of the queue: a checked copy of a live queue, restored only on its own station."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from ektp_station.store import DB_FILENAME, Queue

from .support import Result, write_jsonl
from factories import many_records

Cli = Callable[..., Result]


def test_backup_then_restore_after_a_loss(cli: Cli, station: Path, tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "a.jsonl", many_records(30))
    assert cli("--data-dir", station, "queue", "import", source).rc == 0
    copy = tmp_path / "copy.sqlite3"
    made = cli("--data-dir", station, "queue", "backup", "-o", copy)
    assert made.rc == 0, made.err
    assert "30" in made.out and copy.stat().st_size > 0

    os.truncate(station / DB_FILENAME, 0)
    assert cli("--data-dir", station, "queue", "status").rc == 8
    restored = cli("--data-dir", station, "queue", "restore", copy)
    assert restored.rc == 0, restored.err
    status = cli("--data-dir", station, "queue", "status", "--json")
    assert status.rc == 0, status.err
    assert status.json()["pending"] == 30
    assert list(station.glob(DB_FILENAME + ".before-restore-*"))  # the empty file kept


def test_a_damaged_backup_is_refused(cli: Cli, station: Path, tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "a.jsonl", many_records(300))
    assert cli("--data-dir", station, "queue", "import", source).rc == 0
    copy = tmp_path / "copy.sqlite3"
    assert cli("--data-dir", station, "queue", "backup", "-o", copy).rc == 0
    with copy.open("r+b") as handle:
        handle.seek(copy.stat().st_size // 2)
        handle.write(b"\x5a" * 4096)
    refused = cli("--data-dir", station, "queue", "restore", copy)
    assert refused.rc == 5, refused.err
    queue = Queue.open(station)  # the queue in place is untouched
    try:
        assert queue.count() == 300
    finally:
        queue.close()


def test_another_stations_backup_is_refused(cli: Cli, station: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    (other / "config.json").write_text('{"station_id": "ST-LAIN-9"}', encoding="utf-8")
    source = write_jsonl(tmp_path / "a.jsonl", many_records(5))
    assert cli("--data-dir", other, "queue", "import", source).rc == 0
    copy = tmp_path / "other.sqlite3"
    assert cli("--data-dir", other, "queue", "backup", "-o", copy).rc == 0
    refused = cli("--data-dir", station, "queue", "restore", copy)
    assert refused.rc == 3
    assert "stasiun lain" in refused.err
