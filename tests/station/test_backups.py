"""Rotating backups of the live queue: every N minutes on a thread of their own while saves go
on, once more at a clean exit, K generations kept, each checked before it counts; a folder that
is missing (a USB stick pulled) or full fails with its own message, keeps the older backups and
never leaves a partial copy behind. A restored backup delivers exactly once."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from ektp_station.central.runner import CentralServer
from ektp_station.errors import BackupFailed, QueueGone
from ektp_station.paths import AppPaths
from ektp_station.settings import Settings
from ektp_station.station import Station
from ektp_station.station.backups import BackupKeeper
from ektp_station.store import DB_FILENAME, Queue, State
from ektp_station.store.backup import (
    backup_into,
    generations,
    last_backup_at,
    restore,
)
from ektp_station.store.keys import KeyStore
from ektp_station.timeutil import utc_now

from .support import OpenStation
from factories import TODAY, many_records
from helpers import backup_info
from sync_support import FAST, STATION


def save(queue: Queue, count: int, start: int = 1) -> None:
    for record in many_records(count, start=start):
        queue.enqueue(record, operator="SITI", station_id=STATION)


class Ticking:
    """A clock one minute further at each call (generation names are per second)."""

    def __init__(self) -> None:
        self.now = utc_now()

    def __call__(self):  # type: ignore[no-untyped-def]
        self.now += timedelta(minutes=1)
        return self.now


def test_generations_rotate_and_each_is_checked(data_dir: Path, tmp_path: Path) -> None:
    queue = Queue.open(data_dir)
    folder = tmp_path / "stick"
    folder.mkdir()
    keep_me = folder / "notes.txt"  # not ours: never counted, never removed
    keep_me.write_text("IT notes\n")
    clock = Ticking()
    try:
        for round_ in range(5):
            save(queue, 4, start=1 + 4 * round_)
            info = backup_into(queue, folder, keep=3, now=clock())
            assert info.entries == 4 * (round_ + 1)
        made = generations(folder)
        assert len(made) == 3
        assert [backup_info(p).entries for p in made] == [12, 16, 20]  # the newest three
        assert keep_me.exists()
        assert not list(folder.glob("*.partial"))
        newest = last_backup_at(folder)
        assert newest is not None and abs(newest - clock.now) < timedelta(milliseconds=1)
    finally:
        queue.close()


def test_a_missing_folder_fails_with_its_message_and_keeps_older_backups(
    data_dir: Path, tmp_path: Path
) -> None:
    queue = Queue.open(data_dir)
    stick = tmp_path / "stick"
    stick.mkdir()
    try:
        save(queue, 3)
        backup_into(queue, stick, keep=5, now=utc_now())
        gone = tmp_path / "unplugged"
        with pytest.raises(BackupFailed) as caught:
            backup_into(queue, gone, keep=5, now=utc_now())
        assert str(gone) in caught.value.message("id")
        assert "flashdisk" in caught.value.message("id")
        assert not gone.exists()  # never made on the disk under an unplugged stick
        assert len(generations(stick)) == 1
        # the default folder (in the data folder) is made when missing
        made = backup_into(queue, data_dir / "backups", keep=5, now=utc_now(), create=True)
        assert made.path.parent == data_dir / "backups"
    finally:
        queue.close()


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 256 KiB tmpfs: a USB stick that is full."""
    mount = tmp_path / "full-stick"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mount)],
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs root)")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=True)  # fails if a file stays open


def test_a_full_folder_fails_leaves_no_partial_copy_and_keeps_the_older_one(
    data_dir: Path, small_disk: Path
) -> None:
    queue = Queue.open(data_dir)
    try:
        save(queue, 5)
        first = backup_into(queue, small_disk, keep=5, now=utc_now())
        save(queue, 600, start=10)  # now the copy no longer fits
        with pytest.raises(BackupFailed):
            backup_into(queue, small_disk, keep=5, now=utc_now() + timedelta(minutes=1))
        assert generations(small_disk) == [first.path]
        assert backup_info(first.path).entries == 5
        assert not list(small_disk.glob("*.partial"))
        assert queue.count() == 605  # the queue itself untouched
    finally:
        queue.close()


def test_a_gone_queue_is_not_backed_up_over_good_backups(data_dir: Path, tmp_path: Path) -> None:
    queue = Queue.open(data_dir)
    folder = tmp_path / "b"
    folder.mkdir()
    try:
        save(queue, 3)
        backup_into(queue, folder, keep=1, now=utc_now())
        (data_dir / DB_FILENAME).unlink()
        with pytest.raises(QueueGone):
            backup_into(queue, folder, keep=1, now=utc_now() + timedelta(minutes=1))
        assert [backup_info(p).entries for p in generations(folder)] == [3]
    finally:
        queue.close()


def test_the_keeper_backs_up_on_schedule_while_saves_go_on(data_dir: Path, tmp_path: Path) -> None:
    queue = Queue.open(data_dir)
    folder = tmp_path / "b"
    folder.mkdir()
    keeper = BackupKeeper(queue, folder, every=0.05, keep=2, clock=Ticking())
    try:
        keeper.start()
        saved = 0
        while keeper.made < 4:
            save(queue, 1, start=1 + saved)
            saved += 1
            assert saved < 5000, "the keeper made no backups"
        keeper.stop(final=True)  # a clean exit: one more, holding everything saved
        assert keeper.problem is None
        made = generations(folder)
        assert len(made) == 2
        assert backup_info(made[-1]).entries == saved
    finally:
        keeper.stop(final=False)
        queue.close()


def test_a_station_backs_up_when_it_closes_and_reports_its_health(
    open_station: OpenStation, data_dir: Path, tmp_path: Path
) -> None:
    stick = tmp_path / "stick"
    stick.mkdir()
    settings = Settings(station_id=STATION).with_value("backup-dir", str(stick))
    settings = settings.with_value("backup-every", "0")
    station = open_station(settings=settings)
    station.start_backups()
    save(station.queue, 7)
    health = station.health()
    assert health.backup_dir == stick and health.last_backup_at is None
    assert health.free_bytes is not None and not health.low_disk
    station.close()
    assert [backup_info(p).entries for p in generations(stick, STATION)] == [7]
    # reopened: the last backup is known from the folder
    reopened = open_station(settings=settings)
    assert reopened.health().last_backup_at is not None
    assert [w.code for w in reopened.health().warnings] == ["recovery_key_not_shown"]


def test_low_disk_and_a_failed_backup_are_warnings(
    open_station: OpenStation, tmp_path: Path
) -> None:
    stick = tmp_path / "stick"
    stick.mkdir()
    settings = Settings(station_id=STATION).with_value("backup-dir", str(stick))
    station = open_station(settings=settings.with_value("min-free-mb", "1000000"))
    station.start_backups()
    stick.rmdir()  # the stick is pulled
    with pytest.raises(BackupFailed):
        station.backup_now()
    codes = [w.code for w in station.health().warnings]
    assert codes == ["low_disk", "backup_failed", "recovery_key_not_shown"]
    (data_dir := station.paths.data_dir / DB_FILENAME).unlink()
    assert data_dir.exists() is False
    warnings = station.health().warnings
    assert warnings[0].code == "queue_unusable" and warnings[0].level == "error"


def test_a_restored_backup_is_delivered_exactly_once(
    data_dir: Path, tmp_path: Path, central: CentralServer, token: str
) -> None:
    settings = Settings(station_id=STATION, central_url=central.url, token=token)
    paths = AppPaths.resolve(data_dir)
    station = Station.open(paths, settings=settings, engine_config=FAST, today=lambda: TODAY)
    try:
        save(station.queue, 10)
        copy = station.backup_now(tmp_path / "before.sqlite3").path
        assert station.drain(give_up_after=20)
        save(station.queue, 3, start=50)
        assert station.drain(give_up_after=20)
    finally:
        station.close()
    assert central.stats()["registrations"] == 13
    (data_dir / DB_FILENAME).unlink()
    restore(data_dir, copy, station_id=STATION, keys=KeyStore.for_data_dir(data_dir))
    station = Station.open(paths, settings=settings, engine_config=FAST, today=lambda: TODAY)
    try:
        assert station.count(State.PENDING) == 10  # as the backup had them
        assert station.drain(give_up_after=20)
        assert station.count(State.SYNCED) == 10
        # nothing twice at the centre; the 3 made after the backup are still there
        assert central.stats()["registrations"] == 13
        assert station.status().unsynced == 0
    finally:
        station.close()


def test_stations_sharing_a_stick_keep_each_others_backups(tmp_path: Path) -> None:
    stick = tmp_path / "stick"
    stick.mkdir()
    queues = {name: Queue.open(tmp_path / name) for name in ("ST-A", "ST-B")}
    clock = Ticking()
    try:
        for name, queue in queues.items():
            save(queue, 2)
            for _ in range(3):
                backup_into(queue, stick, keep=1, now=clock(), owner=name)
        assert len(generations(stick, "ST-A")) == 1 and len(generations(stick, "ST-B")) == 1
        assert all(p.name.startswith("queue-ST-A-") for p in generations(stick, "ST-A"))
        a_last, b_last = last_backup_at(stick, "ST-A"), last_backup_at(stick, "ST-B")
        assert a_last is not None and b_last is not None and a_last < b_last
    finally:
        for queue in queues.values():
            queue.close()
