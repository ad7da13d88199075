"""Protocol version 2 at the centre: corrections are revisions of an entry (SQLite, and
PostgreSQL when EKTP_TEST_PG_URL is set)."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Sequence
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from central_support import Station, assert_error_shape, make_batch, results_of

from ektp_station.central import CentralServer, reference_for
from ektp_station.central.db import (
    CentralDB,
    hash_token,
    registration_revisions,
    registrations,
)
from ektp_station.central.ingest import Ingestor
from ektp_station.domain import normalise
from ektp_station.sync.protocol import BatchRequest, content_hash, parse_health

from factories import TODAY, make_record


def send(
    station: Station,
    records: Sequence[dict[str, Any]],
    ids: Sequence[str],
    revisions: Sequence[int],
    *,
    station_id: str | None = None,
) -> list[dict[str, Any]]:
    body = make_batch(
        station_id or station.station_id, records, ids, protocol=2, revisions=revisions
    )
    response = station.post(body)
    reply = response.json()
    assert reply["protocol"] == 2, response.text
    return results_of(response, body)


def one(station: Station, record: dict[str, Any], entry_id: str, revision: int) -> dict[str, Any]:
    return send(station, [record], [entry_id], [revision])[0]


def outcome(result: dict[str, Any]) -> tuple[Any, ...]:
    return (result["status"], result["conflict"], result["revision"])


def stored(central: CentralServer, entry_id: str) -> tuple[Any, list[Any]]:
    """The registrations row of ``entry_id`` (or None) and its history rows by revision."""
    db = CentralDB(central.db_url)
    try:
        with db.engine.connect() as conn:
            row = conn.execute(
                sa.select(registrations).where(registrations.c.entry_id == entry_id)
            ).first()
            history = conn.execute(
                sa.select(registration_revisions)
                .where(registration_revisions.c.entry_id == entry_id)
                .order_by(registration_revisions.c.revision)
            ).all()
    finally:
        db.dispose()
    return row, list(history)


def new_id() -> str:
    return str(uuid.uuid4())


def test_version_1_batch_is_answered_in_version_1(station: Station) -> None:
    body = make_batch(station.station_id, [make_record(1)], revisions=[7])  # v1: ignored
    response = station.post(body)
    assert response.json()["protocol"] == 1
    [result] = results_of(response, body)
    assert (result["status"], result["revision"]) == ("accepted", None)
    row, history = stored(station.central, body["entries"][0]["entry_id"])
    assert row.revision == 1 and row.corrected_at is None and history == []
    # A v1 resend is idempotent as before, also with a garbage "revision" key.
    body["entries"][0]["revision"] = "garbage"
    [again] = results_of(station.post(body), body)
    assert again["status"] == "already_accepted"


def test_version_2_new_entries(station: Station) -> None:
    first, later = new_id(), new_id()
    assert outcome(one(station, make_record(1), first, 1)) == ("accepted", None, 1)
    # Corrected twice at the station before it was ever delivered: stored as revision 3.
    result = one(station, make_record(2), later, 3)
    assert outcome(result) == ("accepted", None, 3)
    assert result["reference"] == reference_for(later)
    row, history = stored(station.central, later)
    assert row.revision == 3 and row.corrected_at is None and history == []
    stats = station.central.stats()
    assert (stats["registrations"], stats["corrected"], stats["corrected_after_delivery"]) == (
        2,
        1,
        0,
    )


def test_new_revision_is_stored_and_the_old_one_kept_as_history(station: Station) -> None:
    entry_id = new_id()
    original = make_record(3)
    first = one(station, original, entry_id, 1)
    corrected = make_record(3, address="JL. MAWAR NO. 5")
    result = one(station, corrected, entry_id, 2)
    assert outcome(result) == ("accepted", None, 2)
    assert result["reference"] == first["reference"] == reference_for(entry_id)

    row, history = stored(station.central, entry_id)
    assert row.revision == 2 and json.loads(row.record)["address"] == "JL. MAWAR NO. 5"
    assert row.corrected_at is not None
    [old] = history
    assert old.revision == 1 and json.loads(old.record)["address"] == original["address"]
    assert old.nik == original["nik"] and old.operator == "op-siti"
    assert old.content_hash != row.content_hash

    # A third revision keeps both earlier ones; corrected_at stays the first correction's.
    one(station, make_record(3, address="JL. MAWAR NO. 6"), entry_id, 3)
    row3, history3 = stored(station.central, entry_id)
    assert [h.revision for h in history3] == [1, 2]
    assert history3[1].content_hash == row.content_hash
    assert row3.corrected_at == row.corrected_at

    stats = station.central.stats()
    assert stats["registrations"] == 1
    assert stats["corrected"] == stats["corrected_after_delivery"] == 1
    [info] = stats["stations"]
    assert (info["registrations"], info["corrected"], info["corrected_after_delivery"]) == (1, 1, 1)


def test_repeats_of_the_current_and_of_older_revisions(station: Station) -> None:
    entry_id = new_id()
    revisions = [make_record(4, address=f"JL. KE-{n}") for n in range(4)]
    for n in (1, 2, 3):
        assert one(station, revisions[n], entry_id, n)["status"] == "accepted"
    # The current revision again (a lost reply): already accepted.
    assert outcome(one(station, revisions[3], entry_id, 3)) == ("already_accepted", None, 3)
    # A late copy of an older revision (a duplicated request): already accepted, and the reply
    # says which revision the centre holds now.
    for n in (1, 2):
        assert outcome(one(station, revisions[n], entry_id, n)) == ("already_accepted", None, 3)
    # Nothing moved.
    row, history = stored(station.central, entry_id)
    assert row.revision == 3 and [h.revision for h in history] == [1, 2]


def test_same_revision_with_other_content_is_id_reused(station: Station) -> None:
    entry_id = new_id()
    one(station, make_record(5), entry_id, 1)
    one(station, make_record(5, rt="001"), entry_id, 2)
    other = make_record(5, rt="009")
    assert outcome(one(station, other, entry_id, 2)) == ("conflict", "id_reused", None)  # current
    assert outcome(one(station, other, entry_id, 1)) == ("conflict", "id_reused", None)  # older
    # An older revision the centre never held (it went from 2 straight to 4):
    one(station, make_record(5, rt="004"), entry_id, 4)
    assert outcome(one(station, other, entry_id, 3))[:2] == ("conflict", "id_reused")
    row, history = stored(station.central, entry_id)
    assert row.revision == 4 and [h.revision for h in history] == [1, 2]


def test_new_revision_with_errors_is_rejected_and_the_old_one_stays(station: Station) -> None:
    entry_id = new_id()
    one(station, make_record(6), entry_id, 1)
    before, _ = stored(station.central, entry_id)
    result = one(station, make_record(6, full_name=""), entry_id, 2)
    assert result["status"] == "rejected" and result["reference"] is None
    assert ("full_name", "required") in {(e["field"], e["code"]) for e in result["errors"]}
    row, history = stored(station.central, entry_id)
    assert row == before and history == []
    # The fixed record, as the next revision, is then accepted.
    assert outcome(one(station, make_record(6, full_name="BUDI"), entry_id, 3)) == (
        "accepted",
        None,
        3,
    )


def test_new_revision_with_another_entrys_nik_is_nik_recorded(station: Station) -> None:
    mine, theirs = new_id(), new_id()
    one(station, make_record(7), mine, 1)
    one(station, make_record(8), theirs, 1)
    taken = make_record(7, nik=make_record(8)["nik"])
    assert outcome(one(station, taken, mine, 2)) == ("conflict", "nik_recorded", None)
    row, history = stored(station.central, mine)
    assert row.revision == 1 and row.nik == make_record(7)["nik"] and history == []


def test_revision_changing_the_nik_frees_the_old_nik(station: Station) -> None:
    entry_id, newcomer = new_id(), new_id()
    wrong_nik = make_record(9)  # the operator typed another resident's NIK
    one(station, wrong_nik, entry_id, 1)
    right = make_record(10)
    assert one(station, right, entry_id, 2)["status"] == "accepted"
    row, [old] = stored(station.central, entry_id)
    assert row.nik == right["nik"] and old.nik == wrong_nik["nik"]
    # The resident whose NIK it was can now be recorded.
    assert outcome(one(station, make_record(9, full_name="SITI"), newcomer, 1)) == (
        "accepted",
        None,
        1,
    )


def test_nik_freed_by_a_correction_in_the_same_batch(station: Station) -> None:
    entry_id, newcomer = new_id(), new_id()
    one(station, make_record(11), entry_id, 1)
    # One batch: the newcomer with the NIK the correction frees (listed first), the correction.
    results = send(
        station,
        [make_record(11, full_name="SITI"), make_record(12)],
        [newcomer, entry_id],
        [1, 2],
    )
    assert [outcome(r) for r in results] == [("accepted", None, 1), ("accepted", None, 2)]
    assert stored(station.central, newcomer)[0].nik == make_record(11)["nik"]


def test_two_corrections_to_one_new_nik_in_a_batch(station: Station) -> None:
    """The NIK unique constraint refuses the second update (nothing stored showed the clash
    beforehand); its savepoint is rolled back and the batch goes on (PostgreSQL would abort
    the whole transaction otherwise)."""
    x, y, z = (str(uuid.UUID(int=n)) for n in (0xA1, 0xA2, 0xA3))  # applied in this order
    for entry_id, serial in ((x, 31), (y, 32), (z, 33)):
        one(station, make_record(serial), entry_id, 1)
    newcomer = new_id()
    results = send(
        station,
        [make_record(34), make_record(34, rt="001"), make_record(35), make_record(36)],
        [y, x, z, newcomer],
        [2, 2, 2, 1],
    )
    assert [outcome(r) for r in results] == [
        ("conflict", "nik_recorded", None),  # y: x took that NIK first
        ("accepted", None, 2),
        ("accepted", None, 2),  # after the refused update, in the same transaction
        ("accepted", None, 1),
    ]
    assert stored(station.central, x)[0].nik == make_record(34)["nik"]
    row_y, history_y = stored(station.central, y)
    assert (row_y.revision, row_y.nik, history_y) == (1, make_record(32)["nik"], [])
    assert [h.revision for h in stored(station.central, z)[1]] == [1]


def test_another_station_cannot_correct_an_entry(station: Station) -> None:
    entry_id = new_id()
    one(station, make_record(13), entry_id, 1)
    intruder = Station("OTHER-1", station.central.add_station("OTHER-1"), station.central)
    result = send(intruder, [make_record(13, rt="001")], [entry_id], [2])[0]
    assert outcome(result) == ("conflict", "id_reused", None)
    row, history = stored(station.central, entry_id)
    assert row.revision == 1 and row.station_id == station.station_id and history == []


def test_two_revisions_of_one_entry_in_a_batch_are_400(station: Station) -> None:
    entry_id = new_id()
    body = make_batch(
        station.station_id,
        [make_record(14), make_record(14, rt="001")],
        [entry_id, entry_id],
        protocol=2,
        revisions=[1, 2],
    )
    assert assert_error_shape(station.post(body), 400)["error"]["code"] == "invalid_request"
    assert stored(station.central, entry_id) == (None, [])


@pytest.mark.parametrize("revision", [0, -1, 1_000_001, "2", 2.0, True, None])
def test_bad_revisions_are_400(station: Station, revision: object) -> None:
    body = make_batch(station.station_id, [make_record(15)], protocol=2, revisions=[revision])  # type: ignore[list-item]
    response = station.post(body)
    assert assert_error_shape(response, 400)["error"]["code"] == "invalid_request"
    assert "3276" not in response.text


def test_unsupported_protocol_is_400(station: Station) -> None:
    body = make_batch(station.station_id, [make_record(16)], protocol=3)
    error = assert_error_shape(station.post(body), 400)
    assert error["protocol"] == 1 and error["error"]["code"] == "unsupported_protocol"
    assert station.central.stats()["registrations"] == 0


def test_health_lists_the_versions_taken(central: CentralServer) -> None:
    response = httpx.get(central.url + "/v1/health")
    health = parse_health(response.content, response.headers["content-type"])
    assert (health.protocol, health.protocols) == (1, [1, 2])


# These races run on an Ingestor without the per-station advisory lock (which would refuse all
# but one of them with StationBusy). Every ingest also first updates its station's row, and
# that row lock serialises one station's batches on PostgreSQL; an ingest under a station id
# without a stations row takes no such lock, so there the entry-level guards (ON CONFLICT,
# "revision = :seen", savepoints) race entirely on their own.
LOCKING = pytest.mark.parametrize(
    "station_id", ["DPK-HARJAMUKTI-1", "UNREGISTERED-1"], ids=["station-lock", "row-guards"]
)


@LOCKING
def test_same_new_revision_in_parallel_is_applied_once(station: Station, station_id: str) -> None:
    """The race of a correction with itself, without the per-station 429 in front of it."""
    entry_id = new_id()

    def batch(record: dict[str, Any], revision: int) -> BatchRequest:
        body = make_batch(station_id, [record], [entry_id], protocol=2, revisions=[revision])
        return BatchRequest.model_validate(body)

    [first] = _race(station, station_id, [batch(make_record(17), 1)])
    assert first.status == "accepted"
    outcomes = _race(station, station_id, [batch(make_record(17, address="JL. BARU"), 2)] * 6)
    assert sorted(r.status for r in outcomes) == ["accepted"] + ["already_accepted"] * 5
    assert {r.revision for r in outcomes} == {2}
    row, history = stored(station.central, entry_id)
    assert row.revision == 2 and [h.revision for h in history] == [1]


@LOCKING
def test_different_new_revisions_in_parallel_keep_every_superseded_one(
    station: Station, station_id: str
) -> None:
    for trial in range(5):
        entry_id = new_id()
        batches = [
            BatchRequest.model_validate(
                make_batch(
                    station_id,
                    [make_record(20 + trial, address=f"JL. KE-{r}")],
                    [entry_id],
                    protocol=2,
                    revisions=[r],
                )
            )
            for r in range(1, 8)
        ]
        assert _race(station, station_id, batches[:1])[0].status == "accepted"
        outcomes = _race(station, station_id, batches[1:])
        accepted = sorted(r.revision for r in outcomes if r.status == "accepted")
        assert accepted and all(r.status in ("accepted", "conflict") for r in outcomes)
        assert all(r.conflict == "id_reused" for r in outcomes if r.status == "conflict")
        row, history = stored(station.central, entry_id)
        assert row.revision == accepted[-1] == 7  # the highest always ends up stored
        assert [h.revision for h in history] == [1, *accepted[:-1]]


def _race(station: Station, station_id: str, batches: list[BatchRequest]) -> list[Any]:
    db = CentralDB(station.central.db_url)
    # Without the per-station advisory lock: the entry-level guards race on their own.
    ingestor = Ingestor(db, today=lambda: TODAY, station_lock=False)
    barrier = threading.Barrier(len(batches))
    outcomes: list[Any] = []
    failures: list[BaseException] = []
    lock = threading.Lock()

    def run(batch: BatchRequest) -> None:
        barrier.wait(10)
        try:
            [result] = ingestor.ingest(station_id, batch)
        except BaseException as exc:  # reported below, in the test's thread
            with lock:
                failures.append(exc)
            return
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=run, args=(b,)) for b in batches]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    db.dispose()
    assert not failures, failures
    assert len(outcomes) == len(batches)
    return outcomes


# -- upgrading a centre database made before revisions ------------------------------------

# The table definitions of the first release, copied here as they were.
_old = sa.MetaData()
sa.Table(
    "stations",
    _old,
    sa.Column("station_id", sa.String(64), primary_key=True),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("last_seen_at", sa.DateTime(timezone=True)),
    sa.Column("reported_pending", sa.Integer),
    sa.Column("reported_oldest_unsynced_at", sa.DateTime(timezone=True)),
    sa.Column("clock_skew_seconds", sa.Float),
)
_old_registrations = sa.Table(
    "registrations",
    _old,
    sa.Column("entry_id", sa.String(36), primary_key=True),
    sa.Column("nik", sa.String(16), nullable=False, unique=True),
    sa.Column("station_id", sa.String(64), nullable=False, index=True),
    sa.Column("operator", sa.String(64), nullable=False),
    sa.Column("captured_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("content_hash", sa.String(64), nullable=False),
    sa.Column("record", sa.Text, nullable=False),
    sa.Column("reference", sa.String(32), nullable=False, unique=True),
)


def test_database_from_before_revisions_is_upgraded_at_start(db_url: str) -> None:
    record = make_record(19)
    entry_id = new_id()
    token = "old-station-token"
    first = make_batch("OLD-1", [record], [entry_id])  # what the station sent back then
    entry = BatchRequest.model_validate(first).entries[0]
    old_hash = content_hash(
        station_id="OLD-1", operator=entry.operator, captured_at=entry.captured_at, record=record
    )
    engine = sa.create_engine(db_url)
    try:
        _old.create_all(engine)
        with engine.begin() as conn:
            conn.execute(
                _old.tables["stations"]
                .insert()
                .values(
                    station_id="OLD-1", token_hash=hash_token(token), created_at=entry.captured_at
                )
            )
            conn.execute(
                _old_registrations.insert().values(
                    entry_id=entry_id,
                    nik=record["nik"],
                    station_id="OLD-1",
                    operator=entry.operator,
                    captured_at=entry.captured_at,
                    received_at=entry.captured_at,
                    content_hash=old_hash,
                    record=json.dumps(normalise(record), sort_keys=True, ensure_ascii=False),
                    reference=reference_for(entry_id),
                )
            )
            old_columns = {c["name"] for c in sa.inspect(conn).get_columns("registrations")}
            assert "revision" not in old_columns  # really the old layout
            assert not sa.inspect(conn).has_table("registration_revisions")
    finally:
        engine.dispose()

    db = CentralDB(db_url)
    try:
        db.create_schema()
        db.create_schema()  # idempotent
        with db.engine.connect() as conn:
            columns = {c["name"] for c in sa.inspect(conn).get_columns("registrations")}
            assert {"revision", "corrected_at"} <= columns
            assert sa.inspect(conn).has_table("registration_revisions")
    finally:
        db.dispose()

    with CentralServer(db_url, today=lambda: TODAY) as central:  # upgrades again: a no-op
        station = Station("OLD-1", token, central)
        row, history = stored(central, entry_id)
        assert (row.revision, row.corrected_at, history) == (1, None, [])
        stats = central.stats()
        assert (stats["registrations"], stats["corrected"]) == (1, 0)
        # The old row answers as before (version 1 and 2), and can be corrected.
        [again] = results_of(station.post(first), first)
        assert again["status"] == "already_accepted"
        assert outcome(one(station, record, entry_id, 1)) == ("already_accepted", None, 1)
        result = one(station, make_record(19, rt="002"), entry_id, 2)
        assert outcome(result) == ("accepted", None, 2)
        assert result["reference"] == reference_for(entry_id)
        row, history = stored(central, entry_id)
        assert row.revision == 2 and [h.revision for h in history] == [1]
        assert history[0].content_hash == old_hash and history[0].nik == record["nik"]
        assert central.stats()["corrected_after_delivery"] == 1
