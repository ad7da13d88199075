from __future__ import annotations

from datetime import datetime

from ektp_station.central.runner import CentralServer
from ektp_station.devtools.faultproxy import FaultProxy
from ektp_station.store import Queue, State
from ektp_station.sync.engine import Link

from factories import make_record, many_records
from sync_support import make_engine


def _fill(queue: Queue, records: list[dict[str, object]]) -> None:
    for r in records:
        queue.enqueue(r, operator="SITI", station_id="ST-DEPOK-01")


def test_drain_delivers_every_entry_once(
    queue: Queue, central: CentralServer, token: str, engines
) -> None:
    _fill(queue, many_records(250))
    engine = make_engine(engines, queue, central.url, token)
    assert engine.drain(give_up_after=30)
    status = queue.status()
    assert status.counts["synced"] == 250 and status.counts["pending"] == 0
    assert central.stats()["registrations"] == 250
    assert status.last_sync_at is not None
    refs = {e.server_ref for e in queue.iter_entries()}
    assert len(refs) == 250 and None not in refs


def test_rejected_entries_carry_the_centres_field_errors(
    queue: Queue, central: CentralServer, token: str, engines
) -> None:
    # saved locally despite an error (e.g. an old import); the centre rejects it
    queue.enqueue(make_record(1, rt="000"), operator="SITI", station_id="ST-DEPOK-01")
    queue.enqueue(make_record(2), operator="SITI", station_id="ST-DEPOK-01")
    engine = make_engine(engines, queue, central.url, token)
    assert engine.drain(give_up_after=30)
    rejected = queue.list_entries(State.REJECTED)
    assert len(rejected) == 1
    assert any(e["field"] == "rt" for e in rejected[0].errors)
    assert queue.count(State.SYNCED) == 1


def test_conflicts_are_kept_for_a_supervisor(
    queue: Queue, central: CentralServer, token: str, tmp_path, engines
) -> None:
    # another station already recorded this resident
    other = Queue.open(tmp_path / "other")
    first = other.enqueue(make_record(5), operator="ANDI", station_id="ST-DEPOK-01")
    assert make_engine(engines, other, central.url, token).drain(give_up_after=30)
    other.close()
    entry = queue.enqueue(make_record(5), operator="SITI", station_id="ST-DEPOK-01")
    assert make_engine(engines, queue, central.url, token).drain(give_up_after=30)
    got = queue.get(entry.seq)
    assert got.state is State.CONFLICT
    assert got.errors[0]["code"] == "nik_recorded"
    # who holds the NIK, as the centre reports it: whom the supervisor asks
    assert got.errors[0]["holder_station"] == "ST-DEPOK-01"
    assert "(stasiun ST-DEPOK-01, direkam " in got.errors[0]["message"]
    held = datetime.fromisoformat(got.errors[0]["holder_captured_at"])
    assert abs((held - first.captured_at).total_seconds()) < 0.001


def test_captive_portal_never_marks_anything_synced(
    queue: Queue, central: CentralServer, token: str, proxy: FaultProxy, engines
) -> None:
    _fill(queue, many_records(20))
    proxy.set_faults(captive=1.0)
    engine = make_engine(engines, queue, proxy.url, token)
    assert not engine.drain(give_up_after=1.5)
    assert queue.count(State.SYNCED) == 0
    assert queue.count(State.PENDING) == 20
    assert central.stats()["registrations"] == 0
    assert engine.state.link is Link.OFFLINE


def test_wrong_token_is_reported_not_retried_forever(
    queue: Queue, central: CentralServer, engines
) -> None:
    central.add_station("ST-DEPOK-01")
    _fill(queue, many_records(3))
    engine = make_engine(engines, queue, central.url, "not-the-token")
    assert not engine.drain(give_up_after=1.0)
    assert engine.state.link is Link.REFUSED
    assert queue.count(State.PENDING) == 3
