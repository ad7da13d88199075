"""A stateful property test of the USB bundles (issue #15) over the real station and the real
centre: the station's Station with its queue and attachment store (reopened on the same folder
now and then), the centre's CentralServer on loopback with a SQLite file, its upload folder.

Random interleavings of: residents captured (with all their parts, with two fingers excepted,
biodata only, now and then one the centre refuses: RT ``000``); corrections of entries still
editable (also the fix of a refused one); bundles exported and kept; any kept bundle imported
at the centre, old ones and twice included, its receipt kept; any kept receipt applied at the
station, stale ones and twice included; the link up for a while (one batch, or until drained)
and maybe down again; the station closed and opened again.

The rule for revisions (central/ingest.py's table). Revisions of an entry are made only here,
one more per correction, and a correction takes the entry out of ``synced`` (only ``pending``,
``rejected`` and ``conflict`` entries are corrected, and they go back to ``pending``). The
centre stores revision r only when r arrives (inserted, or "revision < r": the correction is
applied); a copy of an older revision arriving late is answered ``already_accepted`` with the
revision stored now, but leaves the row alone ("revision > r"). So the centre is never ahead
of the station, and whatever the station believes the centre took (``synced``, and
``uploading``: biodata taken, parts to go) it took at exactly the station's revision:

    centre revision <= station revision, always;
    station synced or uploading  =>  centre holds it, centre revision == station revision.

A receipt speaks of the revision the bundle carried; :func:`store.delivery.apply_carried`
applies it only to an entry still pending at that revision, which is what keeps this true.

Checked after every step:

- the centre holds each entry id at most once, never ahead of the station, never a revision
  whose record the centre refuses (a ``rejected`` entry at the station is such a revision);
- the rule above, and the centre's record at that revision is the station's record;
- nothing is in ``sending`` between steps (no claim is left over) nor in ``conflict`` (no
  NIK is used twice and no revision is ever reused with another content);
- a part the station marks verified is verified at the centre, with its sha256 and size;
- the centre holds only parts that were captured here, with the captured sha256: never more
  uploads than parts captured, never one twice;
- an export carries exactly the entries waiting (pending, uploading) and their parts not
  verified yet.

At the end, with the link up until drained: every entry whose latest record the centre takes
is ``synced`` and held once at its latest revision; every captured part of those is verified
at the centre once, its file there holding the captured bytes; the refused ones are
``rejected`` and never reached the centre.
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import json
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from ektp_station.central.app import default_upload_dir
from ektp_station.central.bundles import import_bundle
from ektp_station.central.db import registrations, uploads
from ektp_station.central.identity import centre_identity
from ektp_station.central.runner import CentralServer
from ektp_station.domain.biometrics import PART_SPECS, PARTS
from ektp_station.errors import RecordInvalid
from ektp_station.paths import AppPaths
from ektp_station.settings import Settings
from ektp_station.station import Station
from ektp_station.store import EDITABLE, State
from ektp_station.store.parts import PartRow
from parts_support import images

from .support import SUPERVISOR, SUPERVISOR_PIN
from factories import TODAY, make_record
from sync_support import FAST, STATION

#: ~30 s for the whole machine on two cores; a failure's shrinking may take minutes.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]

#: A batch smaller than the queue now and then: one online batch leaves some entries pending.
CONFIG = dataclasses.replace(FAST, batch_size=3)
DRAIN_S = 30.0  # the deadline of a drain (it returns as soon as nothing is left)

#: NIKs never used twice across examples (the centre is shared and keeps every NIK): serial
#: 1..9999, then the next birth day, as factories.many_records.
SERIALS = itertools.count(3000)
#: The demo images of two residents, reused (made once, cached): same images, other entries.
IMAGE_SEEDS = st.sampled_from([1, 2])
FINGERS = ("finger_r1", "finger_r2")
#: What a capture records; the centre's refusal less often than in life but often enough.
KINDS = st.sampled_from(["parts", "parts", "fingers", "biodata", "biodata", "bad", "bad_parts"])
ADDRESSES = st.sampled_from(["JL. MERDEKA NO. 10", "JL. MAWAR NO. 1", "JL. KENANGA NO. 5"])
BAD_RT, GOOD_RT = "000", "005"


def next_record(**overrides: Any) -> dict[str, Any]:
    i = next(SERIALS)
    birth = date(1988, 4, 1 + (i // 9999) % 28)
    return make_record(1 + i % 9999, birth=birth, **overrides)


def tell(what: str) -> None:
    """What an example went through, for ``--hypothesis-show-statistics``."""
    if currently_in_test_context():
        event(what)


class Shared:
    """One centre for every example (starting it is most of the cost)."""

    central: CentralServer | None = None
    token = ""
    centre_key = ""


@pytest.fixture(scope="module", autouse=True)
def shared_centre(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    folder = tmp_path_factory.mktemp("bundle-centre")
    with CentralServer(f"sqlite:///{folder / 'central.sqlite3'}", today=lambda: TODAY) as central:
        Shared.central = central
        Shared.token = central.add_station(STATION)
        Shared.centre_key = str(centre_identity(central._db).public)
        yield
    Shared.central = None


@dataclass
class Resident:
    seq: int
    entry_id: str
    #: captured parts: name -> sha256 (excepted parts are not here)
    parts: dict[str, str]
    #: the revisions whose record the centre refuses (RT 000)
    refused: set[int] = field(default_factory=set)
    revision: int = 1

    @property
    def refused_now(self) -> bool:
        return self.revision in self.refused


class BundleMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        assert Shared.central is not None
        self.central = Shared.central
        self.upload_dir = default_upload_dir(self.central.db_url)
        self._folder = tempfile.TemporaryDirectory(prefix="ektp-bundle-sm-")
        self.folder = Path(self._folder.name)
        self.paths = AppPaths.resolve(self.folder / "station")
        self.files = itertools.count(1)
        self.residents: dict[int, Resident] = {}
        #: every bundle exported and every receipt written, kept (oldest first)
        self.bundles: list[Path] = []
        self.receipts: list[Path] = []
        self.carried = False  # a bundle or the link has moved something: a restart is worth it
        self.station = self._open(
            Settings(station_id=STATION, token=Shared.token, centre_key=Shared.centre_key)
        )
        self.station.create_first_account(SUPERVISOR, SUPERVISOR_PIN)
        # saved, so that a restart reads them back (the token in its own file)
        self.station.change_settings(self.station.settings)

    def _open(self, settings: Settings | None = None) -> Station:
        return Station.open(
            self.paths, settings=settings, engine_config=CONFIG, today=lambda: TODAY
        )

    def _link(self, up: bool) -> None:
        url = self.central.url if up else ""
        if self.station.settings.central_url != url:
            self.station.change_settings(
                dataclasses.replace(self.station.settings, central_url=url)
            )

    def _fresh_link(self) -> None:
        """The link up (the engine kept from an earlier step, woken since by a correction,
        sends the parts too: test_a_drain_after_a_wake_sends_the_parts below)."""
        self._link(up=True)

    # -- rules -------------------------------------------------------------------------------

    @initialize(kinds=st.lists(KINDS, min_size=1, max_size=4), seed=IMAGE_SEEDS)
    def morning(self, kinds: list[str], seed: int) -> None:
        """The first residents of the day, so that every example has something to carry."""
        for kind in kinds:
            self._capture(kind, seed)

    @rule(kind=KINDS, seed=IMAGE_SEEDS)
    def capture(self, kind: str, seed: int) -> None:
        self._capture(kind, seed)

    def _capture(self, kind: str, seed: int) -> None:
        bad = kind.startswith("bad")
        record = next_record(rt=BAD_RT) if bad else next_record()
        rows: list[PartRow] = []
        captured: dict[str, str] = {}
        if kind in ("parts", "fingers", "bad_parts"):
            for part in PARTS:
                if kind == "fingers" and part in FINGERS:
                    rows.append(PartRow(part, reason="missing"))
                    continue
                stored = self.station.attachments.put(images(seed)[part])
                rows.append(PartRow(part, stored.sha256, stored.size, PART_SPECS[part].media_type))
                captured[part] = stored.sha256
        entry = self.station.queue.enqueue(record, operator="SITI", station_id=STATION, parts=rows)
        assert entry.revision == 1
        self.residents[entry.seq] = Resident(
            entry.seq, entry.entry_id, captured, refused={1} if bad else set()
        )

    @precondition(lambda self: any(self.station.entry(s).state in EDITABLE for s in self.residents))
    @rule(data=st.data(), address=ADDRESSES, fix=st.booleans())
    def correct(self, data: st.DataObject, address: str, fix: bool) -> None:
        editable = sorted(s for s in self.residents if self.station.entry(s).state in EDITABLE)
        seq = data.draw(st.sampled_from(editable), label="seq")
        resident = self.residents[seq]
        before = self.station.entry(seq)
        fields: dict[str, object] = {"address": address}
        if fix:
            fields["rt"] = GOOD_RT
        still_refused = resident.refused_now and not fix
        if still_refused:
            with pytest.raises(RecordInvalid):  # the station checks as the centre does
                self.station.correct(seq, fields=fields, confirmed=True)
            after = self.station.entry(seq)
            assert (after.revision, after.state) == (before.revision, before.state)
            return
        done = self.station.correct(seq, fields=fields, confirmed=True)
        if not done.fields:  # nothing changed: no revision
            assert done.entry.revision == before.revision
            return
        assert done.entry.revision == before.revision + 1 == resident.revision + 1
        assert done.entry.state is State.PENDING
        resident.revision = done.entry.revision

    @rule(carry=st.booleans())
    def export(self, carry: bool) -> None:
        """A bundle onto the stick (kept); ``carry``: taken to the centre at once."""
        waiting = [
            r
            for r in self.residents.values()
            if self.station.entry(r.seq).state in (State.PENDING, State.UPLOADING)
        ]
        unverified = sum(
            1
            for r in waiting
            for row in self.station.queue.parts(r.seq)
            if row.captured and row.verified_at is None
        )
        target = self.folder / f"{next(self.files)}.ektpbundle"
        report = self.station.export_bundle(target)
        assert (report.entries, report.parts) == (len(waiting), unverified)
        assert target.exists() and not target.with_name(target.name + ".partial").exists()
        self.bundles.append(target)
        if carry:
            self._import(target)

    @precondition(lambda self: self.bundles)
    @rule(data=st.data())
    def import_at_centre(self, data: st.DataObject) -> None:
        """Any kept bundle, the last one, an old one, one imported before."""
        self._import(self.bundles[data.draw(st.sampled_from(range(len(self.bundles))), "bundle")])

    def _import(self, bundle: Path) -> None:
        receipt = self.folder / f"{next(self.files)}.ektpreceipt"
        report = import_bundle(self.central._db, self.upload_dir, bundle, receipt)
        assert report.station_id == STATION
        assert receipt.exists()
        self.receipts.append(receipt)
        self.carried = True
        for name in ("accepted", "already_accepted", "rejected", "conflict"):
            if getattr(report, name):
                tell(f"import: {name}")

    @precondition(lambda self: self.receipts)
    @rule(data=st.data())
    def apply_receipt(self, data: st.DataObject) -> None:
        """Any kept receipt, in any order, stale, twice."""
        receipt = self.receipts[data.draw(st.sampled_from(range(len(self.receipts))), "receipt")]
        report = self.station.import_receipt(receipt)
        counted = report.synced + report.uploading + report.rejected + report.unchanged
        # each entry counted once (test_a_receipt_counts_each_entry_once below)
        assert counted + report.conflict == report.entries
        assert report.conflict == 0
        for name in ("synced", "uploading", "rejected", "unchanged", "parts_verified"):
            if getattr(report, name):
                tell(f"receipt: {name}")

    @rule(whole=st.booleans(), stay_up=st.booleans())
    def online(self, whole: bool, stay_up: bool) -> None:
        """The link comes back: one batch of biodata (at most CONFIG.batch_size entries, no
        parts), or everything until drained; then maybe down again."""
        self._fresh_link()
        if whole:
            assert self.station.drain(give_up_after=DRAIN_S)
        elif self.station.count(State.PENDING):
            assert self.station.send_once() > 0
        self.carried = True
        if not stay_up:
            self._link(up=False)

    @precondition(lambda self: self.carried)
    @rule()
    def restart(self) -> None:
        """The station is closed and opened again on its folder, its settings read back."""
        settings = self.station.settings
        self.station.close()
        self.station = self._open()
        assert self.station.settings == settings
        self.station.sign_in(SUPERVISOR, SUPERVISOR_PIN)

    # -- what the centre holds -------------------------------------------------------------

    def _centre_rows(self) -> dict[str, list[Any]]:
        ids = [r.entry_id for r in self.residents.values()]
        held: dict[str, list[Any]] = {}
        with self.central._db.engine.connect() as conn:
            rows = conn.execute(
                sa.select(
                    registrations.c.entry_id, registrations.c.revision, registrations.c.record
                ).where(registrations.c.entry_id.in_(ids))
            ).all()
        for row in rows:
            held.setdefault(str(row.entry_id), []).append(row)
        return held

    def _centre_uploads(self) -> list[Any]:
        ids = [r.entry_id for r in self.residents.values()]
        with self.central._db.engine.connect() as conn:
            return list(conn.execute(sa.select(uploads).where(uploads.c.entry_id.in_(ids))).all())

    # -- invariants ------------------------------------------------------------------------

    @invariant()
    def the_centre_holds_what_the_station_believes(self) -> None:
        held = self._centre_rows()
        for resident in self.residents.values():
            entry = self.station.entry(resident.seq)
            assert entry.revision == resident.revision
            assert entry.state not in (State.SENDING, State.CONFLICT), (resident, entry.state)
            rows = held.get(resident.entry_id, [])
            assert len(rows) <= 1, rows  # each entry id at most once
            there = rows[0] if rows else None
            if there is not None:
                # never ahead of the station, never a record it refuses
                assert there.revision <= entry.revision, (resident, there.revision)
                assert there.revision not in resident.refused, (resident, there.revision)
            if entry.state in (State.SYNCED, State.UPLOADING):
                assert there is not None, (resident, entry.state, "not at the centre")
                assert there.revision == entry.revision, (resident, entry.state, there.revision)
                assert json.loads(there.record) == entry.record
            if entry.state is State.REJECTED:
                assert resident.refused_now, (resident, entry.errors)
            if entry.state is State.SYNCED:
                rows_here = self.station.queue.parts(resident.seq)
                assert all(r.verified_at is not None for r in rows_here if r.captured)

    @invariant()
    def a_verified_part_is_verified_there_and_nothing_is_held_twice(self) -> None:
        there: dict[tuple[str, str], Any] = {}
        for row in self._centre_uploads():
            key = (str(row.entry_id), str(row.part))
            assert key not in there, key  # one upload per part
            there[key] = row
        captured = {
            (r.entry_id, part): sha
            for r in self.residents.values()
            for part, sha in r.parts.items()
        }
        assert len(there) <= len(captured)
        for key, row in there.items():
            assert captured.get(key) == row.sha256, key  # only what was captured here
        for resident in self.residents.values():
            for part in self.station.queue.parts(resident.seq):
                if part.verified_at is None:
                    continue
                up = there.get((resident.entry_id, part.part))
                assert up is not None, (resident, part.part)
                assert up.verified_at is not None and up.sha256 == part.sha256
                assert int(up.received) == int(up.length) == part.size

    # -- at the end ------------------------------------------------------------------------

    def teardown(self) -> None:
        try:
            if not self.residents:
                return
            self._fresh_link()
            assert self.station.drain(give_up_after=DRAIN_S)
            held = self._centre_rows()
            there = {(str(u.entry_id), str(u.part)): u for u in self._centre_uploads()}
            expected_parts = 0
            for resident in self.residents.values():
                entry = self.station.entry(resident.seq)
                rows = held.get(resident.entry_id, [])
                if resident.refused_now:  # fixed never: refused online as in the bundles
                    assert entry.state is State.REJECTED, (resident, entry.state)
                    assert rows == [] and not any(k[0] == resident.entry_id for k in there)
                    continue
                assert entry.state is State.SYNCED, (resident, entry.state)
                assert len(rows) == 1 and rows[0].revision == entry.revision == resident.revision
                assert json.loads(rows[0].record) == entry.record
                for part, sha in resident.parts.items():
                    expected_parts += 1
                    up = there[(resident.entry_id, part)]
                    assert up.verified_at is not None and up.sha256 == sha
                    data = (self.upload_dir / f"{up.upload_id}.part").read_bytes()
                    assert hashlib.sha256(data).hexdigest() == sha
                for row in self.station.queue.parts(resident.seq):
                    assert row.verified_at is not None or not row.captured
            assert len(there) == expected_parts  # every captured part once, none twice
            assert self.station.queue.part_totals().parts == sum(
                len(r.parts) for r in self.residents.values() if r.refused_now
            )
        finally:
            self.station.close()
            self._folder.cleanup()


TestBundleMachine = BundleMachine.TestCase
TestBundleMachine.settings = settings(
    max_examples=20,
    stateful_step_count=18,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def test_a_receipt_counts_each_entry_once() -> None:
    """The machine's first find, as a plain case: two residents with their parts carried, one
    corrected before the receipt comes back. The receipt verifies the corrected one's parts
    (the same images, the centre holds them) and leaves its new revision pending: it is
    ``unchanged`` as an entry, yet the report counts it in no column."""
    machine = BundleMachine()
    try:
        machine._capture("parts", 1)
        machine._capture("parts", 1)
        machine.export(carry=True)
        first = min(machine.residents)
        machine.station.correct(first, fields={"address": "JL. MAWAR NO. 1"}, confirmed=True)
        machine.residents[first].revision = 2
        report = machine.station.import_receipt(machine.receipts[0])
        assert (report.synced, report.parts_verified) == (1, 28)
        assert machine.station.entry(first).state is State.PENDING  # revision 2 still to send
        assert report.entries == report.synced + report.unchanged
    finally:
        machine.teardown()


def test_a_drain_after_a_wake_sends_the_parts() -> None:
    """The machine's second find, as a plain case (no bundle needed): one batch sent
    online, the rejected entry corrected (which wakes the engine kept by the station), then
    drained on that same engine."""
    machine = BundleMachine()
    try:
        machine._capture("bad", 1)
        machine._capture("parts", 1)
        refused, with_parts = sorted(machine.residents)
        machine._link(up=True)
        assert machine.station.send_once() == 2
        assert machine.station.entry(with_parts).state is State.UPLOADING
        machine.station.correct(refused, fields={"rt": GOOD_RT}, confirmed=True)
        machine.residents[refused].revision = 2
        drained = machine.station.drain(give_up_after=DRAIN_S)
        assert machine.station.entry(refused).state is State.SYNCED  # the biodata went
        assert drained  # the parts had their turn
        assert machine.station.entry(with_parts).state is State.SYNCED
    finally:
        machine.teardown()
