"""Backups of the queue: a checked copy of a live queue, restored only on its own station."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from ektp_station.store import DB_FILENAME, Queue

from .support import STATION, Result, write_jsonl
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


def test_backups_into_the_configured_folder_rotate(cli: Cli, station: Path, tmp_path: Path) -> None:
    stick = tmp_path / "stick"
    refused = cli("--data-dir", station, "config", "set", "backup-dir", stick)
    assert refused.rc == 3 and "backup-dir" in refused.err  # not there (yet): refused
    stick.mkdir()
    assert cli("--data-dir", station, "config", "set", "backup-dir", stick).rc == 0
    assert cli("--data-dir", station, "config", "set", "backup-keep", "2").rc == 0
    assert cli("--data-dir", station, "config", "set", "backup-keep", "0").rc == 3
    assert cli("--data-dir", station, "config", "set", "backup-every", "1441").rc == 3
    source = write_jsonl(tmp_path / "a.jsonl", many_records(4))
    assert cli("--data-dir", station, "queue", "import", source).rc == 0
    made = [cli("--data-dir", station, "queue", "backup") for _ in range(3)]
    assert all(m.rc == 0 for m in made), [m.err for m in made]
    kept = sorted(stick.glob("queue-*Z.sqlite3"))
    assert [p.name for p in kept] == sorted(
        Path(m.out.split(": ")[1].split(" (")[0]).name for m in made[1:]
    )
    status = cli("--data-dir", station, "queue", "status", "--json").json()
    assert status["backup_dir"] == str(stick)
    assert status["last_backup_at"] is not None
    assert status["low_disk"] is False
    assert [w["code"] for w in status["warnings"]] == ["recovery_key_not_shown"]
    assert status["free_bytes"] > 0


def test_status_warns_before_the_disk_is_full(cli: Cli, station: Path) -> None:
    assert cli("--data-dir", station, "config", "set", "min-free-mb", "1000000").rc == 0
    text = cli("--data-dir", station, "queue", "status")
    assert text.rc == 0
    assert "⚠ Ruang disk hampir habis" in text.out
    status = cli("--data-dir", station, "queue", "status", "--json").json()
    assert status["low_disk"] is True
    assert [w["code"] for w in status["warnings"]] == ["low_disk", "recovery_key_not_shown"]


def test_a_restore_from_a_bad_backup_file_says_it_is_the_backup(
    cli: Cli, station: Path, tmp_path: Path
) -> None:
    source = write_jsonl(tmp_path / "a.jsonl", many_records(3))
    assert cli("--data-dir", station, "queue", "import", source).rc == 0
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"not a database at all" * 100)
    for bad in (junk, tmp_path / "nothing-here.sqlite3"):
        refused = cli("--data-dir", station, "queue", "restore", bad)
        assert refused.rc == 5, refused.err
        assert (
            "Berkas cadangan ini" in refused.err and "antrean yang ada tidak diubah" in refused.err
        )
    assert cli("--data-dir", station, "queue", "status", "--json").json()["pending"] == 3


def test_a_mount_point_is_not_a_backup_folder(cli: Cli, station: Path) -> None:
    refused = cli("--data-dir", station, "config", "set", "backup-dir", "/proc")
    assert refused.rc == 3 and "titik kait" in refused.err


def test_a_failed_backup_is_told_by_queue_status_in_the_next_process(
    cli: Cli, station: Path, tmp_path: Path
) -> None:
    stick = tmp_path / "stick"
    stick.mkdir()
    assert cli("--data-dir", station, "config", "set", "backup-dir", stick).rc == 0
    stick.rmdir()  # pulled
    assert cli("--data-dir", station, "queue", "backup").rc == 3
    status = cli("--data-dir", station, "queue", "status", "--json").json()
    assert [w["code"] for w in status["warnings"]] == ["backup_failed", "recovery_key_not_shown"]
    stick.mkdir()  # plugged in again: the next backup clears it
    assert cli("--data-dir", station, "queue", "backup").rc == 0
    status = cli("--data-dir", station, "queue", "status", "--json").json()
    assert [w["code"] for w in status["warnings"]] == ["recovery_key_not_shown"]


def test_a_replacement_pc_is_told_to_take_the_stations_id(
    cli: Cli, station: Path, tmp_path: Path
) -> None:
    source = write_jsonl(tmp_path / "a.jsonl", many_records(3))
    assert cli("--data-dir", station, "queue", "import", source).rc == 0
    copy = tmp_path / "copy.sqlite3"
    assert cli("--data-dir", station, "queue", "backup", "-o", copy).rc == 0
    new_pc = tmp_path / "new-pc"
    refused = cli("--data-dir", new_pc, "queue", "restore", copy)  # its id: the host name
    assert refused.rc == 3
    assert STATION in refused.err and f"config set station-id {STATION}" in refused.err
    assert not (new_pc / DB_FILENAME).exists()  # no queue made just to be refused
    assert cli("--data-dir", new_pc, "config", "set", "station-id", STATION).rc == 0
    assert cli("--data-dir", new_pc, "queue", "restore", copy).rc == 0
    assert cli("--data-dir", new_pc, "queue", "status", "--json").json()["pending"] == 3
