"""Retention: the personal data of entries the centre confirmed (or that were withdrawn or
resolved) is purged after ``retention-days`` — with their receipts — while numbers, states,
counts, references and the audit trail stay; nothing of it stays readable in the file."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from ektp_station.errors import AlreadyRecordedError, NotAllowed
from ektp_station.paths import receipt_file_name
from ektp_station.station import Station
from ektp_station.store import DB_FILENAME, Outcome, State
from ektp_station.store.db import writing
from ektp_station.store.schema import entries
from ektp_station.timeutil import format_utc, utc_now

from .support import OPERATOR, OPERATOR_PIN, SUPERVISOR, SUPERVISOR_PIN
from factories import make_record
from helpers import decrypted_pages


def deliver(station: Station, *seqs: int) -> None:
    queue = station.queue
    claimed = [e for e in queue.claim_batch("uji", 100) if e.seq in seqs]
    others = [e.entry_id for e in queue.list_entries(State.SENDING) if e.seq not in seqs]
    queue.apply_outcomes(
        "uji", [Outcome(e.entry_id, State.SYNCED, server_ref=f"R-{e.seq}") for e in claimed]
    )
    queue.release("uji", others, "not this time")


def receipt(station: Station, seq: int) -> None:
    folder = station.paths.receipts_dir
    folder.mkdir(parents=True, exist_ok=True)
    (folder / receipt_file_name(seq)).write_bytes(b"%PDF- a receipt")


@pytest.fixture
def day(station: Station) -> dict[str, int]:
    """Five residents captured: two delivered, one withdrawn, two still waiting; receipts."""
    station.sign_in(OPERATOR, OPERATOR_PIN)
    seqs = [station.capture(make_record(i), confirmed=True).entry.seq for i in range(1, 6)]
    for seq in seqs:
        receipt(station, seq)
    deliver(station, seqs[0], seqs[1])
    station.sign_in(SUPERVISOR, SUPERVISOR_PIN)
    station.discard(seqs[2], "salah orang")
    return {"synced": seqs[0], "synced2": seqs[1], "discarded": seqs[2], "pending": seqs[3]}


def test_a_purge_removes_the_personal_data_and_receipts_and_keeps_the_counts(
    station: Station, day: dict[str, int]
) -> None:
    before = station.status().counts
    report = station.purge(0)
    assert sorted(report.purged) == sorted([day["synced"], day["synced2"], day["discarded"]])
    assert report.receipts_removed == 3
    assert station.status().counts == before  # states untouched: every count stays right
    for key in ("synced", "synced2", "discarded"):
        entry = station.entry(day[key])
        assert entry.purged_at is not None
        assert set(entry.record) == {"nik"} and "*" in str(entry.record["nik"])
        assert not (station.paths.receipts_dir / receipt_file_name(day[key])).exists()
        actions = [event.action for event in station.queue.audit_trail(day[key])]
        assert actions[-1] == "purged"
    assert station.entry(day["synced"]).server_ref == f"R-{day['synced']}"
    waiting = station.entry(day["pending"])
    assert waiting.purged_at is None and waiting.record["full_name"] == "BUDI SANTOSO"
    assert (station.paths.receipts_dir / receipt_file_name(day["pending"])).exists()
    assert station.purge(0).purged == ()  # nothing twice


def test_nothing_readable_stays_in_the_file(station: Station, day: dict[str, int]) -> None:
    """Not in the encrypted bytes, and — secure_delete, TRUNCATE checkpoint — not in the
    pages either, free ones included, for someone who holds the key."""
    purged = [make_record(i) for i in (1, 2, 3)]  # those delivered and withdrawn
    station.purge(0)
    key = station.queue.key.key
    station.close()
    path = station.paths.data_dir / DB_FILENAME
    raw = b"".join(p.read_bytes() for p in path.parent.glob(DB_FILENAME + "*") if p.is_file())
    pages = decrypted_pages(path, key)
    still = make_record(4)
    for record in purged:
        assert record["nik"].encode() not in pages
        assert record["address"].encode() in pages  # the waiting ones still hold it …
        assert record["address"].encode() not in raw  # … encrypted
    assert still["nik"].encode() in pages  # … and their NIKs
    assert still["nik"].encode() not in raw


def test_the_retention_days_are_counted_from_the_confirmation(
    station: Station, day: dict[str, int]
) -> None:
    assert station.purge().purged == ()  # default 30 days: delivered just now, kept
    old = format_utc(utc_now() - timedelta(days=31))
    with writing(station.queue.engine) as conn:
        conn.execute(update(entries).where(entries.c.seq == day["synced"]).values(synced_at=old))
    assert station.purge().purged == (day["synced"],)
    assert station.purge(40).purged == ()


def test_a_purged_resident_is_still_known_as_recorded_here(
    station: Station, day: dict[str, int]
) -> None:
    station.purge(0)
    with pytest.raises(AlreadyRecordedError):
        station.capture(make_record(1), confirmed=True)


def test_only_a_supervisor_purges(station: Station, day: dict[str, int]) -> None:
    station.sign_in(OPERATOR, OPERATOR_PIN)
    with pytest.raises(NotAllowed):
        station.purge(0)
    assert station.entry(day["synced"]).purged_at is None


def test_the_daily_run_purges_while_the_station_runs(
    open_station,
    day: dict[str, int],
    station: Station,  # type: ignore[no-untyped-def]
) -> None:
    from ektp_station.settings import Settings

    from helpers import wait_until

    station.close()
    running = open_station(
        settings=Settings(station_id="ST-UJI-01").with_value("retention-days", "0")
    )
    running.start_backups()  # the window and `sync --watch` start it: a run at once, then daily
    wait_until(lambda: running.entry(day["synced"]).purged_at is not None, timeout=10)
    assert running.entry(day["pending"]).purged_at is None
    events = running.queue.audit_trail(day["synced"])
    assert events[-1].action == "purged" and events[-1].actor == "SISTEM"


def test_the_queue_list_says_that_the_data_was_purged(
    station: Station, day: dict[str, int]
) -> None:
    station.purge(0)
    summaries = station.entry_summaries([day["synced"], day["pending"]])
    assert summaries[day["synced"]].purged and summaries[day["synced"]].full_name == ""
    assert not summaries[day["pending"]].purged


def test_an_entry_waiting_for_the_centres_decision_keeps_its_parts_until_it_comes(
    station: Station,
) -> None:
    """The decision is asked with the parts' hashes: the purge leaves the entry (and its
    images) alone while it is due, and takes it once the centre decided."""
    from ektp_station.devtools.images import demo_parts

    station.sign_in(OPERATOR, OPERATOR_PIN)
    seq = station.capture(make_record(7), images=demo_parts("retained"), confirmed=True).entry.seq
    queue = station.queue
    deliver(station, seq)
    assert queue.get(seq).state is State.UPLOADING
    for row in queue.parts(seq):
        queue.part_verified(seq, row.part)
    assert queue.get(seq).enrolment == "due"
    station.sign_in(SUPERVISOR, SUPERVISOR_PIN)
    assert seq not in station.purge(0).purged
    assert len(queue.parts(seq)) == 14 and queue.next_enrolment() is not None
    assert queue.record_enrolment(seq, "print_ready", None)
    assert seq in station.purge(0).purged
    assert queue.parts(seq) == [] and queue.get(seq).enrolment == "print_ready"
