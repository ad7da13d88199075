"""Capture and correction through the core: validated alike, duplicates refused, each
correction that changes something a new revision."""

from __future__ import annotations

from datetime import date

import pytest

from ektp_station.domain import normalise
from ektp_station.errors import (
    AlreadyRecordedError,
    DuplicateNikError,
    EntryNotFound,
    RecordInvalid,
    TransitionError,
    WarningsUnconfirmed,
)
from ektp_station.station import Station
from ektp_station.store import State

from .support import OPERATOR, OPERATOR_PIN, SUPERVISOR, SUPERVISOR_PIN, verdict
from factories import make_nik, make_record


@pytest.fixture
def counter(station: Station) -> Station:
    """The station with its operator signed in."""
    station.sign_in(OPERATOR, OPERATOR_PIN)
    return station


def _codes(problems: list[object]) -> set[tuple[str, str]]:
    return {(p.field, p.code) for p in problems}  # type: ignore[attr-defined]


# -- capture ------------------------------------------------------------------------------------


def test_an_invalid_record_is_refused_with_every_problem(counter: Station) -> None:
    with pytest.raises(RecordInvalid) as refused:
        counter.capture(make_record(1, nik="12345", rt="000"), confirmed=True)

    assert {("nik", "nik_length"), ("rt", "rt_rw_zero")} <= _codes(refused.value.problems)
    assert all(p.is_error for p in refused.value.problems if p.field in ("nik", "rt"))
    assert counter.count() == 0


def test_warnings_must_be_confirmed(counter: Station) -> None:
    record = make_record(1, birth_date="1990-05-18")  # not the date in the NIK

    with pytest.raises(WarningsUnconfirmed) as unconfirmed:
        counter.capture(record)
    assert _codes(unconfirmed.value.warnings) == {("nik", "nik_birthdate_mismatch")}
    assert counter.count() == 0

    saved = counter.capture(record, confirmed=True)
    assert _codes(saved.warnings) == {("nik", "nik_birthdate_mismatch")}
    assert counter.entry(saved.entry.seq).state is State.PENDING


def test_a_record_is_saved_normalised_and_pending(counter: Station) -> None:
    raw = make_record(1, full_name="  budi   santoso ", rt="3", religion="Islam")

    saved = counter.capture(raw).entry

    stored = counter.entry(saved.seq)
    same = stored.record == normalise(raw)  # not compared in the assert: no record printed
    assert same, "the stored record is not the normalised one"
    assert stored.record["full_name"] == "BUDI SANTOSO" and stored.record["rt"] == "003"
    assert (stored.state, stored.revision, stored.attempts) == (State.PENDING, 1, 0)
    assert [e.action for e in counter.queue.audit_trail(saved.seq)] == ["captured"]


def test_a_resident_waiting_in_the_queue_is_not_captured_twice(counter: Station) -> None:
    first = counter.capture(make_record(1)).entry
    same_nik = make_record(1, full_name="BUDI SANTOSA", address="JL. LAIN NO. 2")

    with pytest.raises(DuplicateNikError) as duplicate:
        counter.capture(same_nik)

    assert (duplicate.value.seq, duplicate.value.state) == (first.seq, "pending")
    assert counter.count() == 1
    assert counter.find_waiting(make_record(1)["nik"]) == counter.entry(first.seq)


def test_a_rejected_resident_still_waits(counter: Station) -> None:
    first = counter.capture(make_record(1)).entry
    verdict(counter, first.seq, State.REJECTED, "rt_rw_zero")

    with pytest.raises(DuplicateNikError) as duplicate:
        counter.capture(make_record(1))

    assert duplicate.value.seq == first.seq


@pytest.mark.parametrize("state", [State.SYNCED, State.CONFLICT])
def test_a_resident_recorded_here_is_not_captured_again(counter: Station, state: State) -> None:
    first = counter.capture(make_record(1)).entry
    verdict(counter, first.seq, state)

    with pytest.raises(AlreadyRecordedError) as recorded:
        counter.capture(make_record(1))

    assert (recorded.value.seq, recorded.value.state) == (first.seq, state.value)
    assert counter.count() == 1


def test_a_resolved_resident_is_not_captured_again(station: Station) -> None:
    station.sign_in(SUPERVISOR, SUPERVISOR_PIN)
    first = station.capture(make_record(1)).entry
    verdict(station, first.seq, State.CONFLICT)
    station.resolve(first.seq, "sudah di pusat")

    with pytest.raises(AlreadyRecordedError):
        station.capture(make_record(1))


def test_a_discarded_resident_may_be_captured_again(counter: Station) -> None:
    first = counter.capture(make_record(1)).entry
    counter.discard(first.seq, "salah rekam")

    again = counter.capture(make_record(1)).entry

    assert again.seq != first.seq and again.entry_id != first.entry_id
    assert counter.entry(again.seq).state is State.PENDING


# -- corrections --------------------------------------------------------------------------------


def test_each_correction_that_changes_something_is_a_new_revision(counter: Station) -> None:
    seq = counter.capture(make_record(1)).entry.seq

    one = counter.correct(seq, fields={"address": "JL. MAWAR NO. 1"})
    two = counter.correct(seq, fields={"rt": "5", "phone": "0812-3456-7890"})

    assert (one.entry.revision, one.fields) == (2, ["address"])
    assert (two.entry.revision, two.fields) == (3, ["phone", "rt"])
    stored = counter.entry(seq)
    assert stored.revision == 3
    assert (stored.record["address"], stored.record["rt"]) == ("JL. MAWAR NO. 1", "005")
    assert stored.record["phone"] == "081234567890"
    assert stored.entry_id == one.entry.entry_id  # the same entry, a new revision
    trail = counter.queue.audit_trail(seq)
    assert [e.action for e in trail] == ["captured", "corrected", "corrected"]
    assert [e.detail.get("revision") for e in trail[1:]] == [2, 3]
    assert trail[2].detail["fields"] == ["phone", "rt"]
    assert all("JL. MAWAR" not in str(e.detail) for e in trail)  # names, never values


def test_no_revision_when_nothing_changes(counter: Station) -> None:
    record = make_record(1)
    seq = counter.capture(record).entry.seq

    same = counter.correct(seq, fields={"address": record["address"].lower()})  # normalises
    whole = counter.correct(seq, dict(record))

    assert same.fields == [] and whole.fields == []
    assert counter.entry(seq).revision == 1
    assert [e.action for e in counter.queue.audit_trail(seq)] == ["captured"]


def test_a_correction_is_validated_like_a_capture(counter: Station) -> None:
    seq = counter.capture(make_record(1)).entry.seq
    before = counter.entry(seq)

    with pytest.raises(RecordInvalid) as refused:
        counter.correct(seq, fields={"rt": "000", "kelurahan_code": "99.99.99.9999"})
    assert {("rt", "rt_rw_zero")} <= _codes(refused.value.problems)
    assert "kelurahan_code" in {p.field for p in refused.value.problems if p.is_error}

    with pytest.raises(WarningsUnconfirmed):
        counter.correct(seq, fields={"birth_date": "1990-05-18"})

    assert counter.entry(seq) == before
    done = counter.correct(seq, fields={"birth_date": "1990-05-18"}, confirmed=True)
    assert done.entry.revision == 2
    assert _codes(done.warnings) == {("nik", "nik_birthdate_mismatch")}


def test_a_corrected_rejection_is_in_line_again_without_its_errors(counter: Station) -> None:
    seq = counter.capture(make_record(1)).entry.seq
    rejected = verdict(counter, seq, State.REJECTED, "rt_rw_zero")
    assert rejected.errors

    done = counter.correct(seq, fields={"rt": "004"})

    assert done.entry.state is State.PENDING
    assert done.entry.errors == [] and done.entry.last_error is None
    assert done.entry.revision == 2


def test_a_rejection_corrected_with_no_change_stays_rejected(counter: Station) -> None:
    seq = counter.capture(make_record(1)).entry.seq
    verdict(counter, seq, State.REJECTED, "rt_rw_zero")

    same = counter.correct(seq, fields={"rt": "003"})

    assert same.fields == []
    assert counter.entry(seq).state is State.REJECTED


def test_a_correction_cannot_take_the_nik_of_another_resident(counter: Station) -> None:
    waiting = counter.capture(make_record(1)).entry.seq
    recorded = counter.capture(make_record(2)).entry.seq
    verdict(counter, recorded, State.SYNCED)
    seq = counter.capture(make_record(3)).entry.seq

    with pytest.raises(DuplicateNikError) as duplicate:
        counter.correct(seq, fields={"nik": make_record(1)["nik"]})
    assert duplicate.value.seq == waiting
    with pytest.raises(AlreadyRecordedError) as already:
        counter.correct(seq, fields={"nik": make_record(2)["nik"]})
    assert already.value.seq == recorded

    assert counter.entry(seq).revision == 1
    new_nik = make_nik(date(1990, 5, 17), serial=4)
    taken = counter.correct(seq, fields={"nik": new_nik}).entry.record["nik"] == new_nik
    assert taken, "the new NIK was not saved"


@pytest.mark.parametrize("state", [State.SYNCED, State.DISCARDED])
def test_a_finished_entry_cannot_be_corrected(counter: Station, state: State) -> None:
    seq = counter.capture(make_record(1)).entry.seq
    if state is State.SYNCED:
        verdict(counter, seq, state)
    else:
        counter.discard(seq, "salah rekam")

    with pytest.raises(TransitionError):
        counter.correct(seq, fields={"address": "JL. MAWAR NO. 1"})

    assert counter.entry(seq).revision == 1


def test_an_entry_being_sent_cannot_be_corrected(counter: Station) -> None:
    seq = counter.capture(make_record(1)).entry.seq
    counter.queue.claim_batch("uji", 10)

    with pytest.raises(TransitionError):
        counter.correct(seq, fields={"address": "JL. MAWAR NO. 1"})


def test_an_unknown_entry_is_reported(counter: Station) -> None:
    with pytest.raises(EntryNotFound):
        counter.correct(99, fields={"address": "JL. MAWAR NO. 1"})
    with pytest.raises(EntryNotFound):
        counter.resend(99)
    with pytest.raises(EntryNotFound):
        counter.discard(99, "x")


def test_an_entry_in_flight_is_neither_resent_nor_discarded(counter: Station) -> None:
    """sending -> pending is the engine's release; a resend must not pull an entry out of
    the batch it travels in (found by the state machine: Queue._move allowed it)."""
    seq = counter.capture(make_record(1)).entry.seq
    counter.queue.claim_batch("uji", 10)

    with pytest.raises(TransitionError) as resent:
        counter.resend(seq)
    with pytest.raises(TransitionError):
        counter.discard(seq, "salah rekam")

    assert "dikirim ulang" in resent.value.message("id")
    assert "resent" in resent.value.message("en")
    assert counter.entry(seq).state is State.SENDING
    assert [e.action for e in counter.queue.audit_trail(seq)] == ["captured"]


def test_a_pending_entry_is_not_resent(counter: Station) -> None:
    seq = counter.capture(make_record(1)).entry.seq

    with pytest.raises(TransitionError):
        counter.resend(seq)

    assert [e.action for e in counter.queue.audit_trail(seq)] == ["captured"]
