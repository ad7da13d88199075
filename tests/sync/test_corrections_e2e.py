"""Corrections as revisions, end to end: the station core, the real centre on loopback, the
fault proxy between them.

The case that used to turn a legitimate correction into a "tampered queue" conflict: the
centre commits a batch, the reply is lost on the way back, the operator corrects the entry
(still pending at the station), the link returns.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, rule

from ektp_station.central.runner import CentralServer
from ektp_station.devtools.faultproxy import FaultProxy
from ektp_station.errors import SyncError
from ektp_station.paths import AppPaths
from ektp_station.settings import Settings
from ektp_station.station import Actor, Station
from ektp_station.store import State

from factories import TODAY, make_record
from sync_support import FAST, STATION


def open_station(folder: Path, url: str, token: str) -> Station:
    settings = Settings(station_id=STATION, central_url=url, token=token, city_code="32.76")
    station = Station.open(
        AppPaths.resolve(folder), settings=settings, engine_config=FAST, today=lambda: TODAY
    )
    station.act_as(Actor.operator("SITI"))
    return station


def centre_rows(central: CentralServer) -> dict[str, dict[str, Any]]:
    """The centre's registrations by entry id, read from its own tables."""
    with central._db.engine.connect() as conn:
        rows = conn.execute(
            sa.text("SELECT entry_id, revision, record, corrected_at FROM registrations")
        ).mappings()
        return {r["entry_id"]: dict(r) for r in rows}


def centre_history(central: CentralServer) -> list[tuple[str, int]]:
    with central._db.engine.connect() as conn:
        rows = conn.execute(
            sa.text("SELECT entry_id, revision FROM registration_revisions ORDER BY revision")
        )
        return [(str(e), int(r)) for e, r in rows]


@pytest.fixture
def station(data_dir: Path, proxy: FaultProxy, token: str) -> Iterator[Station]:
    opened = open_station(data_dir, proxy.url, token)
    yield opened
    opened.close()


def test_a_reply_lost_after_commit_then_a_correction_is_delivered_once_no_conflict(
    station: Station, central: CentralServer, proxy: FaultProxy
) -> None:
    entry = station.capture(make_record(1), confirmed=True).entry
    proxy.force_next("reset_after")  # the centre commits revision 1; the reply never arrives
    with pytest.raises(SyncError):
        station.send_once()
    assert proxy.counters.fault("reset_after") == 1
    assert station.entry(entry.seq).state is State.PENDING  # the station never heard back
    assert centre_rows(central)[entry.entry_id]["revision"] == 1

    corrected = station.correct(entry.seq, fields={"address": "JL. MAWAR NO. 2"})
    assert (corrected.entry.revision, corrected.fields) == (2, ["address"])

    assert station.drain(give_up_after=20)
    delivered = station.entry(entry.seq)
    assert delivered.state is State.SYNCED and delivered.server_ref
    status = station.status()
    assert status.counts["conflict"] == 0 and status.unsynced == 0
    rows = centre_rows(central)
    assert list(rows) == [entry.entry_id]  # once
    held = rows[entry.entry_id]
    assert held["revision"] == 2 and "JL. MAWAR NO. 2" in held["record"]
    assert held["corrected_at"] is not None  # the centre shows it was corrected after sending
    assert centre_history(central) == [(entry.entry_id, 1)]
    assert central.stats()["registrations"] == 1


def test_a_correction_before_any_send_is_accepted_as_its_revision(
    station: Station, central: CentralServer
) -> None:
    entry = station.capture(make_record(2), confirmed=True).entry
    station.correct(entry.seq, fields={"rt": "4"})
    station.correct(entry.seq, fields={"rw": "8"})
    assert station.drain(give_up_after=20)
    held = centre_rows(central)[entry.entry_id]
    assert held["revision"] == 3 and held["corrected_at"] is None  # first seen as revision 3
    assert centre_history(central) == []


# -- random interleavings --------------------------------------------------------------------

FAULTS = st.sampled_from([None, "reset_before", "reset_after", "http503", "truncate"])
FIELDS = st.sampled_from(
    [("address", "JL. KENANGA NO. {n}"), ("rt", "{n}"), ("rw", "{n}"), ("full_name", "SITI {c}")]
)


class CorrectionsAcrossCuts(RuleBasedStateMachine):
    """Saves, corrections, sends through random faults, restarts of the station: afterwards
    the centre holds every entry once, at the station's latest revision, and nothing is a
    conflict."""

    entries = Bundle("entries")

    def __init__(self) -> None:
        super().__init__()
        import tempfile

        self._tmp = tempfile.TemporaryDirectory(prefix="ektp-rev-")
        root = Path(self._tmp.name)
        self.central = CentralServer(f"sqlite:///{root / 'central.sqlite3'}", today=lambda: TODAY)
        self.central.start()
        self.token = self.central.add_station(STATION)
        self.proxy = FaultProxy.for_url(self.central.url, seed=7).start()
        self.folder = root / "station"
        self.station = open_station(self.folder, self.proxy.url, self.token)
        self.serial = 0
        self.expected: dict[int, int] = {}  # seq -> revision the station holds

    @rule(target=entries)
    def capture(self) -> int:
        self.serial += 1
        entry = self.station.capture(make_record(self.serial), confirmed=True).entry
        self.expected[entry.seq] = entry.revision
        return entry.seq

    @rule(seq=entries, field=FIELDS, n=st.integers(1, 99))
    def correct(self, seq: int, field: tuple[str, str], n: int) -> None:
        name, template = field
        entry = self.station.entry(seq)
        if entry.state not in (State.PENDING, State.REJECTED):
            return  # synced is terminal; sending cannot happen between our steps
        value = template.format(n=n, c="ABCDEFGHIJ"[n % 10] * 3)
        done = self.station.correct(seq, fields={name: value}, confirmed=True)
        if done.fields:
            assert done.entry.revision == self.expected[seq] + 1
        self.expected[seq] = done.entry.revision

    @rule(fault=FAULTS)
    def send(self, fault: str | None) -> None:
        if fault is not None:
            self.proxy.force_next(fault)  # type: ignore[arg-type]
        try:
            self.station.send_once()
        except SyncError:
            pass  # the batch is back in pending: a cut, whichever side of the commit

    @rule()
    def restart(self) -> None:
        self.station.close()
        self.station = open_station(self.folder, self.proxy.url, self.token)

    @invariant()
    def revisions_only_grow(self) -> None:
        for entry in self.station.iter_entries():
            assert entry.revision == self.expected[entry.seq]
            assert entry.state is not State.CONFLICT

    def teardown(self) -> None:
        try:
            assert self.station.drain(give_up_after=30)
            rows = centre_rows(self.central)
            local = {e.entry_id: e for e in self.station.iter_entries()}
            assert set(rows) == set(local)  # every entry once, nothing else
            for entry_id, entry in local.items():
                assert entry.state is State.SYNCED
                assert rows[entry_id]["revision"] == entry.revision
            history = centre_history(self.central)
            assert len(history) == len(set(history))  # each superseded revision once
            for entry_id, revision in history:
                assert revision < local[entry_id].revision
        finally:
            self.station.close()
            self.proxy.stop()
            self.central.stop()
            self._tmp.cleanup()


TestCorrectionsAcrossCuts = CorrectionsAcrossCuts.TestCase
TestCorrectionsAcrossCuts.settings = settings(
    max_examples=12,
    stateful_step_count=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestCorrectionsAcrossCuts = pytest.mark.slow(TestCorrectionsAcrossCuts)
