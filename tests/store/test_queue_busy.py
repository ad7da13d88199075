"""Another program holds the queue file locked (a second copy of the application, a backup
tool): after the busy timeout a write is refused with QueueBusy — a translated message, no
record in it, nothing saved before touched — and works again once the lock is gone. The sync
engine pauses and carries on: every entry delivered exactly once."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ektp_station.central.runner import CentralServer
from ektp_station.errors import QueueBusy
from ektp_station.store import DB_FILENAME, Queue, State
from ektp_station.store import db as db_module
from ektp_station.sync.client import CentralClient
from ektp_station.sync.engine import SyncEngine

from factories import TODAY, make_record, many_records
from helpers import raw_queue, wait_until
from sync_support import FAST, STATION, assert_exactly_once


@pytest.fixture
def short_busy_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(db_module, "BUSY_TIMEOUT_MS", 150)


class Holder:
    """Another process's view of the file: a raw connection that takes the write lock."""

    def __init__(self, path: Path) -> None:
        self.conn = raw_queue(path)

    def lock(self) -> None:
        self.conn.execute("BEGIN IMMEDIATE")

    def unlock(self) -> None:
        self.conn.execute("ROLLBACK")

    def close(self) -> None:
        self.conn.close()


@pytest.fixture
def holder(data_dir: Path) -> Iterator[Holder]:
    h = Holder(data_dir / DB_FILENAME)
    yield h
    h.close()


def test_a_save_while_another_program_holds_the_lock_is_refused_then_works(
    short_busy_timeout: None, data_dir: Path
) -> None:
    queue = Queue.open(data_dir)
    holder = Holder(data_dir / DB_FILENAME)
    try:
        saved = queue.enqueue(make_record(), operator="SITI", station_id=STATION)
        holder.lock()
        record = make_record(2)
        with pytest.raises(QueueBusy) as caught:
            queue.enqueue(record, operator="SITI", station_id=STATION)
        for text in (caught.value.message("id"), caught.value.message("en"), str(caught.value)):
            assert record["nik"] not in text and record["full_name"] not in text
        assert "dikunci" in caught.value.message("id")
        assert queue.count() == 1  # a read still works under the other program's write lock
        holder.unlock()
        queue.enqueue(record, operator="SITI", station_id=STATION)
        assert queue.count() == 2
        assert queue.get(saved.seq).entry_id == saved.entry_id
    finally:
        holder.close()
        queue.close()


def test_the_engine_pauses_while_the_file_is_locked_and_delivers_everything_once(
    short_busy_timeout: None, data_dir: Path, tmp_path: Path
) -> None:
    queue = Queue.open(data_dir)
    holder = Holder(data_dir / DB_FILENAME)
    central = CentralServer(f"sqlite:///{tmp_path / 'central.sqlite3'}", today=lambda: TODAY)
    with central:
        token = central.add_station(STATION)
        client = CentralClient(central.url, token, timeout=5.0, probe_timeout=0.5)
        engine = SyncEngine(queue, client, STATION, config=FAST)
        try:
            for record in many_records(20):
                queue.enqueue(record, operator="SITI", station_id=STATION)
            holder.lock()
            engine.start()
            wait_until(lambda: engine.state.last_error_id == QueueBusy("").message_id)
            assert engine.running
            holder.unlock()
            for record in many_records(5, start=100):
                queue.enqueue(record, operator="SITI", station_id=STATION)
            engine.sync_now()
            wait_until(lambda: queue.count(State.SYNCED) == 25, timeout=20)
        finally:
            engine.stop()
            client.close()
            holder.close()
        assert_exactly_once(queue, central, 25)
    queue.close()
