from __future__ import annotations

from pathlib import Path

import pytest

from ektp_station.errors import (
    AlreadyRecordedError,
    DuplicateNikError,
    EntryNotFound,
    SaveRefused,
    TransitionError,
)
from ektp_station.store import RECORDED, Outcome, Queue, State, can_transition
from ektp_station.store.db import writing
from ektp_station.store.queue import _RECORDED_NIK
from ektp_station.store.states import TRANSITIONS

from factories import make_nik, make_record
from helpers import raw_queue


@pytest.fixture
def queue(data_dir: Path) -> Queue:
    q = Queue.open(data_dir)
    yield q
    q.close()


def test_database_is_durable_wal_with_full_sync(queue: Queue) -> None:
    with queue.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 1000


def test_saved_entry_survives_reopen(data_dir: Path) -> None:
    q = Queue.open(data_dir)
    saved = q.enqueue(make_record(), operator="SITI", station_id="ST-1")
    q.close()
    again = Queue.open(data_dir)
    entry = again.get(saved.seq)
    again.close()
    assert entry.entry_id == saved.entry_id
    assert entry.state is State.PENDING
    assert entry.operator == "SITI"
    assert entry.station_id == "ST-1"
    assert entry.record["full_name"] == "BUDI SANTOSO"
    # the id is a UUID made at capture, the number counts up from 1
    assert len(entry.entry_id) == 36 and entry.seq == 1


def test_sequence_numbers_are_never_reused(queue: Queue) -> None:
    first = queue.enqueue(make_record(1), operator="A", station_id="S")
    queue.discard(first.seq, actor="SUP", reason="salah orang")
    second = queue.enqueue(make_record(2), operator="A", station_id="S")
    assert second.seq == first.seq + 1


def test_same_nik_cannot_wait_twice(queue: Queue) -> None:
    first = queue.enqueue(make_record(7), operator="A", station_id="S")
    nik = make_record(7)["nik"]
    spaced = f"{nik[:6]} {nik[6:12]}.{nik[12:]}"
    with pytest.raises(DuplicateNikError) as caught:
        queue.enqueue(make_record(7, nik=spaced), operator="B", station_id="S")
    assert caught.value.seq == first.seq
    assert f"#{first.seq}" in caught.value.message("id")
    assert nik not in str(caught.value)  # no personal data in the message
    assert queue.count() == 1


def test_nik_may_be_captured_again_once_the_first_is_synced_or_discarded(queue: Queue) -> None:
    first = queue.enqueue(make_record(3), operator="A", station_id="S")
    queue.discard(first.seq, actor="SUP", reason="foto buram, rekam ulang")
    again = queue.enqueue(make_record(3), operator="A", station_id="S")
    assert again.seq != first.seq


def test_rejected_entry_still_blocks_a_second_capture(queue: Queue) -> None:
    entry = queue.enqueue(make_record(4), operator="A", station_id="S")
    queue.claim_batch("engine-1", 10)
    queue.apply_outcomes("engine-1", [Outcome(entry.entry_id, State.REJECTED)])
    with pytest.raises(DuplicateNikError):
        queue.enqueue(make_record(4), operator="A", station_id="S")


@pytest.mark.parametrize("state", list(State))
def test_transition_table_is_closed(state: State) -> None:
    for target in State:
        assert can_transition(state, target) == (target in TRANSITIONS[state])
    assert not can_transition(state, state)


def test_a_correction_is_a_new_revision_back_in_line(queue: Queue) -> None:
    a = queue.enqueue(make_record(1), operator="A", station_id="S")
    assert a.revision == 1
    corrected, fields = queue.correct(a.seq, make_record(1, full_name="budi  santosa"), actor="A")
    assert corrected.record["full_name"] == "BUDI SANTOSA"
    assert (corrected.revision, fields, corrected.state) == (2, ["full_name"], State.PENDING)
    same, fields = queue.correct(a.seq, make_record(1, full_name="BUDI SANTOSA"), actor="A")
    assert (same.revision, fields) == (2, [])  # nothing changed: no revision
    queue.claim_batch("engine", 10)
    with pytest.raises(TransitionError):  # in flight: wait for the reply
        queue.correct(a.seq, make_record(1, rt="9"), actor="A")
    queue.apply_outcomes(
        "engine",
        [
            Outcome(
                a.entry_id,
                State.REJECTED,
                errors=({"field": "rt", "code": "rt_format", "message": "RT salah"},),
            )
        ],
    )
    fixed, fields = queue.correct(
        a.seq, make_record(1, full_name="BUDI SANTOSA", rt="5"), actor="A"
    )
    assert fixed.state is State.PENDING and fixed.record["rt"] == "005"
    assert (fixed.revision, fields, fixed.errors, fixed.last_error) == (3, ["rt"], [], None)


def test_a_conflict_can_be_corrected_resent_resolved_or_discarded(queue: Queue) -> None:
    entries = [queue.enqueue(make_record(i), operator="A", station_id="S") for i in (1, 2, 3, 4)]
    queue.claim_batch("e", 10)
    queue.apply_outcomes(
        "e",
        [
            Outcome(
                e.entry_id,
                State.CONFLICT,
                errors=({"field": "nik", "code": "nik_recorded", "message": "x"},),
            )
            for e in entries
        ],
    )
    one, two, three, four = (e.seq for e in entries)
    fixed, _ = queue.correct(one, make_record(5), actor="SPV")
    assert (fixed.state, fixed.revision, fixed.errors) == (State.PENDING, 2, [])
    assert queue.resend(two, actor="SPV").state is State.PENDING
    resolved = queue.resolve(three, actor="SPV", note="sudah direkam di kecamatan lain")
    assert resolved.state is State.RESOLVED
    assert queue.audit_trail(three)[-1].detail == {
        "from": "conflict",
        "note": "sudah direkam di kecamatan lain",
    }
    assert queue.discard(four, actor="SPV", reason="data uji").state is State.DISCARDED
    for action in (
        lambda: queue.resolve(one, actor="SPV", note="x"),  # only a conflict is resolved
        lambda: queue.correct(three, make_record(9), actor="SPV"),  # resolved is terminal
        lambda: queue.resend(three, actor="SPV"),
    ):
        with pytest.raises(TransitionError):
            action()
    assert queue.status().counts["resolved"] == 1


def test_correcting_to_a_nik_that_is_already_waiting_is_refused(queue: Queue) -> None:
    queue.enqueue(make_record(1), operator="A", station_id="S")
    b = queue.enqueue(make_record(2), operator="A", station_id="S")
    with pytest.raises(DuplicateNikError):
        queue.correct(b.seq, make_record(1), actor="A")
    unchanged = queue.get(b.seq)
    assert unchanged.record["nik"] == make_record(2)["nik"] and unchanged.revision == 1


def test_a_resident_recorded_here_is_not_captured_again(queue: Queue) -> None:
    a = queue.enqueue(make_record(1), operator="A", station_id="S")
    queue.claim_batch("e", 1)
    queue.apply_outcomes("e", [Outcome(a.entry_id, State.SYNCED, server_ref="DPK-1")])
    with pytest.raises(AlreadyRecordedError) as caught:
        queue.enqueue(make_record(1, full_name="BUDI LAIN"), operator="B", station_id="S")
    assert caught.value.seq == a.seq and caught.value.state == "synced"
    with writing(queue.engine) as conn, pytest.raises(AlreadyRecordedError):
        queue.enqueue_in(conn, make_record(1), operator="B", station_id="S")
    b = queue.enqueue(make_record(2), operator="A", station_id="S")
    with pytest.raises(AlreadyRecordedError):  # nor corrected into another entry
        queue.correct(b.seq, make_record(1), actor="A")
    c = queue.enqueue(make_record(3), operator="A", station_id="S")
    queue.discard(c.seq, actor="A", reason="salah")
    assert queue.enqueue(make_record(3), operator="A", station_id="S").state is State.PENDING
    assert queue.count() == 4


def test_an_integrity_error_no_rule_explains_is_a_translated_store_error(queue: Queue) -> None:
    with raw_queue(queue.path) as raw:
        raw.execute(
            "CREATE TRIGGER t_refuse BEFORE INSERT ON entries "
            "WHEN NEW.operator = 'X' BEGIN SELECT RAISE(ABORT, 'constraint failed'); END"
        )
    with pytest.raises(SaveRefused) as caught:
        queue.enqueue(make_record(1), operator="X", station_id="S")
    assert caught.value.message("id").startswith("Data belum tersimpan")
    assert "BUDI" not in str(caught.value) and "3276" not in str(caught.value)
    assert queue.count() == 0
    assert queue.enqueue(make_record(1), operator="A", station_id="S").seq >= 1


def test_results_for_entries_no_longer_claimed_leave_no_audit_event(queue: Queue) -> None:
    a = queue.enqueue(make_record(1), operator="A", station_id="S")
    b = queue.enqueue(make_record(2), operator="A", station_id="S")
    queue.claim_batch("old-engine", 10)
    queue.recover_orphans()  # the old engine died; its claim is void
    conflict = ({"field": "nik", "code": "nik_recorded", "message": "x"},)
    late = [Outcome(a.entry_id, State.CONFLICT, errors=conflict), Outcome(b.entry_id, State.SYNCED)]
    assert queue.apply_outcomes("old-engine", late) == 0
    assert [e.action for e in queue.audit_trail(a.seq)] == ["captured", "recovered"]
    assert queue.status().last_sync_at is None
    assert queue.get(a.seq).state is State.PENDING


def test_synced_discarded_and_resolved_are_terminal(queue: Queue) -> None:
    a = queue.enqueue(make_record(1), operator="A", station_id="S")
    queue.claim_batch("e", 1)
    queue.apply_outcomes("e", [Outcome(a.entry_id, State.SYNCED, server_ref="DPK-1")])
    for action in (
        lambda: queue.discard(a.seq, actor="S", reason="x"),
        lambda: queue.resend(a.seq, actor="S"),
        lambda: queue.correct(a.seq, make_record(1, rt="9"), actor="S"),
        lambda: queue.resolve(a.seq, actor="S", note="x"),
    ):
        with pytest.raises(TransitionError):
            action()
    assert queue.get(a.seq).server_ref == "DPK-1"


def test_audit_trail_records_who_did_what_without_personal_data(queue: Queue) -> None:
    a = queue.enqueue(make_record(1), operator="SITI", station_id="S")
    queue.correct(a.seq, make_record(1, full_name="BUDI S"), actor="SITI")
    queue.discard(a.seq, actor="PAK RT", reason="salah input")
    trail = queue.audit_trail(a.seq)
    assert [(e.actor, e.action) for e in trail] == [
        ("SITI", "captured"),
        ("SITI", "corrected"),
        ("PAK RT", "discarded"),
    ]
    assert trail[1].detail == {"fields": ["full_name"], "revision": 2, "from": "pending"}
    assert trail[2].detail["reason"] == "salah input"
    with raw_queue(queue.path) as raw:
        audit_text = " ".join(str(r) for r in raw.execute("SELECT * FROM audit"))
    assert "BUDI" not in audit_text and make_record(1)["nik"] not in audit_text


def test_claim_takes_oldest_pending_and_counts_attempts(queue: Queue) -> None:
    made = [queue.enqueue(make_record(i), operator="A", station_id="S") for i in range(1, 6)]
    batch = queue.claim_batch("engine-1", 3)
    assert [e.seq for e in batch] == [m.seq for m in made[:3]]
    assert all(e.state is State.SENDING and e.attempts == 1 for e in batch)
    assert [e.seq for e in queue.claim_batch("engine-1", 10)] == [m.seq for m in made[3:]]
    assert queue.claim_batch("engine-1", 10) == []


def test_results_apply_only_to_the_claims_owner(queue: Queue) -> None:
    a = queue.enqueue(make_record(1), operator="A", station_id="S")
    queue.claim_batch("engine-1", 10)
    assert queue.apply_outcomes("engine-2", [Outcome(a.entry_id, State.SYNCED)]) == 0
    assert queue.get(a.seq).state is State.SENDING
    assert queue.apply_outcomes("engine-1", [Outcome(a.entry_id, State.SYNCED, "R1")]) == 1
    # a late duplicate reply changes nothing
    assert queue.apply_outcomes("engine-1", [Outcome(a.entry_id, State.PENDING)]) == 0
    assert queue.get(a.seq).state is State.SYNCED


def test_release_puts_batch_back_with_the_error(queue: Queue) -> None:
    a = queue.enqueue(make_record(1), operator="A", station_id="S")
    queue.claim_batch("e", 10)
    queue.release("e", [a.entry_id], "connect timeout")
    entry = queue.get(a.seq)
    assert entry.state is State.PENDING and entry.last_error == "connect timeout"
    assert queue.claim_batch("e", 10)[0].attempts == 2


def test_sending_left_by_a_dead_process_goes_back_to_pending_on_open(data_dir: Path) -> None:
    q = Queue.open(data_dir)
    a = q.enqueue(make_record(1), operator="A", station_id="S")
    q.claim_batch("dead-engine", 10)
    q.close()
    again = Queue.open(data_dir)
    assert again.get(a.seq).state is State.PENDING
    assert [e.action for e in again.audit_trail(a.seq)][-1] == "recovered"
    again.close()


def test_claims_of_a_live_engine_are_not_stolen(data_dir: Path) -> None:
    q = Queue.open(data_dir)
    a = q.enqueue(make_record(1), operator="A", station_id="S")
    lock = q.sync_lock()
    assert lock.try_acquire()
    q.claim_batch("live-engine", 10)
    try:
        other = Queue.open(data_dir)  # e.g. the CLI opening the queue while the window syncs
        assert other.get(a.seq).state is State.SENDING
        other.close()
    finally:
        lock.release()
    q.close()


def test_unknown_entry_gives_a_clear_error(queue: Queue) -> None:
    with pytest.raises(EntryNotFound) as caught:
        queue.get(999)
    assert "#999" in caught.value.message("id") and "#999" in caught.value.message("en")
    # no command-line hints inside store errors: the window shows them too
    assert "queue" not in caught.value.message("id") and "queue list" not in str(caught.value)


def test_find_waiting_by_nik(queue: Queue) -> None:
    from datetime import date

    a = queue.enqueue(make_record(9), operator="A", station_id="S")
    found = queue.find_waiting(make_nik(date(1990, 5, 17), serial=9))
    assert found is not None and found.seq == a.seq
    assert queue.find_waiting(make_nik(date(1990, 5, 17), serial=10)) is None


def test_the_recorded_states_of_the_capture_check_are_the_state_machines() -> None:
    listed = _RECORDED_NIK.split("IN (")[1].split(")")[0]
    assert {v.strip(" '") for v in listed.split(",")} == {s.value for s in RECORDED}
