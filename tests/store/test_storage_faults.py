"""The queue file on a bad day: missing, emptied, damaged, read-only, on a full disk, deleted
or replaced while open. Every case is a translated StoreError, never a new empty queue nor a
driver error; nothing saved before is lost."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlcipher3.dbapi2
from sqlalchemy import event

from ektp_station.errors import (
    DiskFull,
    QueueBusy,
    QueueDamaged,
    QueueGone,
    QueueMissing,
    QueueReadOnly,
)
from ektp_station.store import DB_FILENAME, Queue
from ektp_station.store.db import storage_error
from ektp_station.store.queue import QUEUE_ID_FILENAME

from factories import many_records
from helpers import raw_queue

STATION = "ST-TEST-1"


def _fill(queue: Queue, count: int, start: int = 1) -> None:
    for record in many_records(count, start=start):
        queue.enqueue(record, operator="SITI", station_id=STATION)


@pytest.fixture
def saved(data_dir: Path) -> Iterator[Path]:
    """A data folder whose queue holds 20 entries (closed)."""
    queue = Queue.open(data_dir)
    _fill(queue, 20)
    queue.close()
    yield data_dir


def _full_disk(queue: Queue, spare_pages: int = 0) -> None:
    """Every connection of the queue may grow the file by ``spare_pages`` pages at most:
    SQLite then answers SQLITE_FULL, as on a full disk."""
    with raw_queue(queue.path) as probe:
        pages = int(probe.execute("PRAGMA page_count").fetchone()[0])
    queue.engine.dispose()

    @event.listens_for(queue.engine, "connect")
    def _limit(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute(f"PRAGMA max_page_count={pages + spare_pages}")


# -- missing or empty ------------------------------------------------------------------------


def test_a_new_folder_starts_a_queue_and_marks_it(data_dir: Path) -> None:
    queue = Queue.open(data_dir)
    try:
        assert queue.queue_id
        assert (data_dir / QUEUE_ID_FILENAME).read_text().strip() == queue.queue_id
        assert queue.get_meta("station_created")
    finally:
        queue.close()


@pytest.mark.parametrize("how", ["deleted", "emptied"])
def test_a_lost_queue_file_is_refused_never_a_new_empty_queue(saved: Path, how: str) -> None:
    db = saved / DB_FILENAME
    if how == "deleted":
        db.unlink()
    else:
        os.truncate(db, 0)
    with pytest.raises(QueueMissing) as caught:
        Queue.open(saved)
    assert "backup" in caught.value.message("en")
    assert not db.exists() or db.stat().st_size == 0  # nothing was created in its place


def test_a_new_queue_on_purpose_after_a_loss(saved: Path) -> None:
    db = saved / DB_FILENAME
    old_id = (saved / QUEUE_ID_FILENAME).read_text().strip()
    os.truncate(db, 0)
    queue = Queue.open(saved, new=True)
    try:
        assert queue.count() == 0
        assert queue.queue_id != old_id
        assert (saved / QUEUE_ID_FILENAME).read_text().strip() == queue.queue_id
    finally:
        queue.close()
    assert list(saved.glob(DB_FILENAME + ".lost-*"))  # the empty file was kept aside
    reopened = Queue.open(saved)  # and from then on it is the station's queue
    reopened.close()


def test_new_never_replaces_a_queue_that_is_there(saved: Path) -> None:
    queue = Queue.open(saved, new=True)
    try:
        assert queue.count() == 20
    finally:
        queue.close()


# -- damaged ---------------------------------------------------------------------------------


def _damage(db: Path, at: float, size: int = 4096) -> None:
    with db.open("r+b") as handle:
        handle.seek(int(db.stat().st_size * at))
        handle.write(b"\xa5" * size)


def test_half_the_file_truncated_is_damaged(data_dir: Path) -> None:
    queue = Queue.open(data_dir)
    _fill(queue, 400)
    queue.close()
    db = data_dir / DB_FILENAME
    os.truncate(db, db.stat().st_size // 2)
    with pytest.raises(QueueDamaged) as caught:
        Queue.open(data_dir)
    assert "backup" in caught.value.message("en")


def test_four_kib_flipped_in_the_middle_is_damaged(data_dir: Path) -> None:
    queue = Queue.open(data_dir)
    _fill(queue, 400)
    queue.close()
    _damage(data_dir / DB_FILENAME, 0.5)
    with pytest.raises(QueueDamaged):
        Queue.open(data_dir)


def test_a_garbled_header_is_damaged(saved: Path) -> None:
    _damage(saved / DB_FILENAME, 0.0, 100)
    with pytest.raises(QueueDamaged):
        Queue.open(saved)


# -- full disk -------------------------------------------------------------------------------


def test_a_full_disk_refuses_the_save_and_keeps_what_was_saved(saved: Path) -> None:
    queue = Queue.open(saved)
    try:
        _full_disk(queue)
        done = 0
        with pytest.raises(DiskFull) as caught:
            for record in many_records(500, start=100):  # the free pages go first
                queue.enqueue(record, operator="SITI", station_id=STATION)
                done += 1
        assert done < 500
        assert "full" in caught.value.message("en")
        assert queue.count() == 20 + done
    finally:
        queue.close()  # a checkpoint at close that fails does not fail the close
    queue = Queue.open(saved)
    try:
        assert queue.count() == 20 + done
        _fill(queue, 1, start=900)  # room again: saving works again
        assert queue.count() == 21 + done
    finally:
        queue.close()


def test_close_survives_a_failing_checkpoint(saved: Path) -> None:
    queue = Queue.open(saved)
    _fill(queue, 5, start=200)
    disposed: list[bool] = []
    event.listen(queue.engine, "engine_disposed", lambda *_: disposed.append(True))

    def refuse() -> None:
        raise DiskFull("SQLITE_FULL")

    queue.checkpoint = refuse  # type: ignore[method-assign]
    queue.close()
    assert disposed == [True]
    assert Queue.open(saved).count() == 25


def test_driver_errors_are_translated() -> None:
    def err(code: int) -> Exception:
        exc = sqlcipher3.dbapi2.OperationalError("x")
        exc.sqlite_errorcode = code
        exc.sqlite_errorname = "X"
        return exc

    assert isinstance(storage_error(err(13)), DiskFull)
    assert isinstance(storage_error(err(8)), QueueReadOnly)
    assert isinstance(storage_error(err(11)), QueueDamaged)
    assert isinstance(storage_error(err(26)), QueueDamaged)
    assert isinstance(storage_error(err(5)), QueueBusy)  # locked longer than the busy timeout
    assert isinstance(storage_error(err(6)), QueueBusy)
    assert storage_error(sqlcipher3.dbapi2.IntegrityError("x")) is None


# -- read-only -------------------------------------------------------------------------------


def test_a_read_only_queue_file_refuses_the_save_with_its_message(saved: Path) -> None:
    queue = Queue.open(saved)
    try:
        queue.engine.dispose()

        @event.listens_for(queue.engine, "connect")
        def _ro(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.execute("PRAGMA query_only=1")

        # query_only answers SQLITE_READONLY like a file the OS will not let us write
        with pytest.raises(QueueReadOnly):
            _fill(queue, 1, start=300)
        assert queue.count() == 20
    finally:
        queue.close()


def _chattr(flag: str, *paths: Path) -> bool:
    tool = shutil.which("chattr")
    if tool is None:
        return False
    done = subprocess.run([tool, flag, *map(str, paths)], capture_output=True, check=False)
    return done.returncode == 0


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits / chattr")
def test_a_read_only_data_folder_is_translated(saved: Path) -> None:
    files = [saved / DB_FILENAME, *saved.glob(DB_FILENAME + "-*")]
    if os.geteuid() == 0:
        # root ignores permission bits; an immutable folder and file stop root too
        if not _chattr("+i", saved, *files):
            pytest.skip("running as root without chattr +i: cannot make a folder read-only")
    else:
        for path in files:
            path.chmod(0o444)
        saved.chmod(0o555)
    try:
        with pytest.raises(QueueReadOnly):
            queue = Queue.open(saved)
            try:
                _fill(queue, 1, start=300)
            finally:
                queue.close()
    finally:
        if os.geteuid() == 0:
            _chattr("-i", saved, *files)
        else:
            saved.chmod(0o755)
            for path in files:
                path.chmod(0o644)
    queue = Queue.open(saved)  # writable again: nothing was lost
    try:
        assert queue.count() == 20
    finally:
        queue.close()


# -- deleted or replaced while open ----------------------------------------------------------


def test_still_there_sees_a_deleted_or_replaced_file(data_dir: Path, tmp_path: Path) -> None:
    queue = Queue.open(data_dir)
    try:
        assert queue.still_there()
        queue.ensure_there()
        other = tmp_path / "other.sqlite3"
        sqlite3.connect(other).close()
        other.write_bytes(queue.path.read_bytes())
        os.replace(other, queue.path)  # same name, another inode
        assert not queue.still_there()
        with pytest.raises(QueueGone):
            queue.ensure_there()
        queue.path.unlink()
        assert not queue.still_there()
    finally:
        queue.close()


def test_above_the_quick_check_size_the_header_check_still_sees_damage(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ektp_station.store import queue as queue_module

    queue = Queue.open(data_dir)
    _fill(queue, 400)
    queue.close()
    monkeypatch.setattr(queue_module, "QUICK_CHECK_MAX_BYTES", 0)
    reopened = Queue.open(data_dir)  # an intact file passes the header check
    reopened.close()
    db = data_dir / DB_FILENAME
    os.truncate(db, db.stat().st_size // 2)
    with pytest.raises(QueueDamaged):
        Queue.open(data_dir)
