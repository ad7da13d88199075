"""A stateful property test of the station core over the real queue: random captures,
corrections, delivery verdicts, resends, withdrawals, resolutions and reopenings of the same
folder, checked after every step against a model and the queue's invariants:

- states change only along ``store.states.TRANSITIONS``;
- a revision never decreases and grows by exactly one per correction that changed something;
- ``status().counts`` equal the counts of ``iter_entries()``;
- the same NIK never waits twice;
- the audit trail holds exactly one event per applied action (and none for a refused one).
"""

from __future__ import annotations

import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    multiple,
    precondition,
    rule,
)
from sqlalchemy import select

from ektp_station.domain import normalise
from ektp_station.errors import (
    AlreadyRecordedError,
    DuplicateNikError,
    ReasonRequired,
    TransitionError,
)
from ektp_station.paths import AppPaths
from ektp_station.settings import Settings
from ektp_station.station import Actor, Station
from ektp_station.store import (
    EDITABLE,
    RECORDED,
    WAITING,
    Entry,
    Outcome,
    State,
    can_transition,
)
from ektp_station.store.db import reading
from ektp_station.store.schema import audit

from factories import TODAY, make_nik, make_record
from sync_support import STATION

#: Over ~20 s; a failure's shrinking may take minutes (each example opens a real queue).
pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]

BIRTH = date(1990, 5, 17)  # make_record's birth date: NIKs of other serials stay consistent
SERIALS = st.integers(min_value=1, max_value=10)
OWNER = "mesin-uji"
ACTOR = "UJI"

#: Field changes a correction may make (all valid; some equal the current value).
CHANGES = st.one_of(
    st.tuples(st.just("nik"), SERIALS.map(lambda s: make_nik(BIRTH, serial=s))),
    st.tuples(st.just("address"), st.sampled_from(["JL. MERDEKA NO. 10", "JL. MAWAR NO. 1"])),
    st.tuples(st.just("rt"), st.sampled_from(["003", "3", "004", "012"])),
    st.tuples(st.just("phone"), st.sampled_from([None, "", "081234567890", "0812-3456-7890"])),
    st.tuples(st.just("occupation"), st.sampled_from(["KARYAWAN SWASTA", "WIRASWASTA"])),
)
#: The centre's verdicts, conflicts and rejections more often than in life (they open the
#: paths of resend, resolve and correction of a conflict).
VERDICTS = st.sampled_from(
    [State.SYNCED, State.REJECTED, State.REJECTED, State.CONFLICT, State.CONFLICT, State.PENDING]
)
REASONS = st.sampled_from(["salah rekam", "sudah di pusat", "   "])


@dataclass
class Expected:
    entry_id: str
    record: dict[str, str | None]
    state: State = State.PENDING
    revision: int = 1
    actions: list[str] = field(default_factory=lambda: ["captured"])

    @property
    def nik(self) -> str:
        return str(self.record["nik"])


class StationMachine(RuleBasedStateMachine):
    entries = Bundle("entries")

    def __init__(self) -> None:
        super().__init__()
        self._folder = tempfile.TemporaryDirectory(prefix="ektp-station-sm-")
        self.path = Path(self._folder.name)
        self.station = self._open()
        self.model: dict[int, Expected] = {}
        self.claimed: set[int] = set()
        self.seen: dict[int, tuple[State, int]] = {}

    def _open(self) -> Station:
        station = Station.open(
            AppPaths.resolve(self.path),
            settings=Settings(station_id=STATION),
            today=lambda: TODAY,
        )
        station.act_as(Actor.console_user(ACTOR))
        return station

    def teardown(self) -> None:
        self.station.close()
        self._folder.cleanup()

    # -- what the model says ---------------------------------------------------------------

    def _holders(self, nik: str, states: frozenset[State], *, besides: int = 0) -> list[int]:
        return sorted(
            s for s, e in self.model.items() if s != besides and e.nik == nik and e.state in states
        )

    def _refused(self, seq: int, new: State, reason: str, call: Callable[[], object]) -> bool:
        """Whether the model refuses the move (and the core did too, changing nothing): a
        blank reason first, then a state the move cannot leave."""
        if not reason.strip():
            with pytest.raises(ReasonRequired):
                call()
            return True
        if not can_transition(self.model[seq].state, new):
            with pytest.raises(TransitionError):
                call()
            return True
        return False

    # -- rules -------------------------------------------------------------------------------

    @initialize(target=entries, serials=st.lists(SERIALS, min_size=1, max_size=4, unique=True))
    def some_residents(self, serials: list[int]) -> object:
        """A morning's first residents, so that every rule has entries to work on."""
        seqs = []
        for serial in serials:
            record = make_record(serial)
            saved = self.station.capture(record).entry
            self.model[saved.seq] = Expected(saved.entry_id, normalise(record))
            seqs.append(saved.seq)
        return multiple(*seqs)

    @rule(target=entries, serial=SERIALS)
    def capture(self, serial: int) -> object:
        record = make_record(serial)
        nik = str(record["nik"])
        if self._holders(nik, RECORDED):
            with pytest.raises(AlreadyRecordedError):
                self.station.capture(record)
            return multiple()
        if self._holders(nik, WAITING):
            with pytest.raises(DuplicateNikError):
                self.station.capture(record)
            return multiple()
        saved = self.station.capture(record).entry
        assert saved.seq not in self.model
        self.model[saved.seq] = Expected(saved.entry_id, normalise(record))
        return saved.seq

    @rule(seq=entries, change=CHANGES)
    def correct(self, seq: int, change: tuple[str, str | None]) -> None:
        name, value = change
        expected = self.model[seq]
        call = lambda: self.station.correct(seq, fields={name: value})  # noqa: E731
        if expected.state not in EDITABLE:
            with pytest.raises(TransitionError):
                call()
            return
        new = normalise({**expected.record, name: value})
        changed = sorted(k for k in new if new[k] != expected.record.get(k))
        if changed and self._holders(str(new["nik"]), RECORDED, besides=seq):
            with pytest.raises(AlreadyRecordedError):
                call()
            return
        if changed and self._holders(str(new["nik"]), WAITING, besides=seq):
            with pytest.raises(DuplicateNikError):
                call()
            return
        done = call()
        assert done.fields == changed
        if not changed:
            assert done.entry.revision == expected.revision
            return
        assert done.entry.revision == expected.revision + 1
        expected.record = new
        expected.revision += 1
        expected.state = State.PENDING
        expected.actions.append("corrected")

    def _claim(self, limit: int) -> None:
        pending = sorted(s for s, e in self.model.items() if e.state is State.PENDING)
        claimed = self.station.queue.claim_batch(OWNER, limit)
        assert [e.seq for e in claimed] == pending[:limit]
        assert [e.revision for e in claimed] == [self.model[e.seq].revision for e in claimed]
        for entry in claimed:
            self.model[entry.seq].state = State.SENDING
            self.claimed.add(entry.seq)

    def _answer(self, seqs: list[int], verdicts: list[State]) -> None:
        outcomes = [
            Outcome(
                self.model[seq].entry_id,
                verdict,
                server_ref="PUSAT" if verdict is State.SYNCED else None,
                errors=({"field": "rt", "code": "rt_rw_zero", "message": "x"},)
                if verdict in (State.REJECTED, State.CONFLICT)
                else (),
            )
            for seq, verdict in zip(seqs, verdicts, strict=True)
        ]
        assert self.station.queue.apply_outcomes("someone-else", outcomes) == 0  # not his
        assert self.station.queue.apply_outcomes(OWNER, outcomes) == len(outcomes)
        assert self.station.queue.apply_outcomes(OWNER, outcomes) == 0  # a duplicated reply
        for seq, verdict in zip(seqs, verdicts, strict=True):
            self.model[seq].state = verdict
            self.claimed.discard(seq)
            if verdict in (State.REJECTED, State.CONFLICT):
                self.model[seq].actions.append(verdict.value)

    @precondition(lambda self: any(e.state is State.PENDING for e in self.model.values()))
    @rule(limit=st.integers(min_value=1, max_value=4))
    def claim(self, limit: int) -> None:
        """The engine takes a batch and the link drops: the entries stay ``sending``."""
        self._claim(limit)

    @precondition(
        lambda self: any(e.state in (State.PENDING, State.SENDING) for e in self.model.values())
    )
    @rule(limit=st.integers(min_value=0, max_value=4), data=st.data())
    def deliver(self, limit: int, data: st.DataObject) -> None:
        """Claim a batch (or none) and apply the centre's verdicts to some of the entries in
        flight (this batch's or an earlier one's)."""
        if limit:
            self._claim(limit)
        if not self.claimed:
            return
        self._check_transitions({e.seq: e for e in self.station.iter_entries()})
        seqs = data.draw(
            st.lists(st.sampled_from(sorted(self.claimed)), min_size=1, unique=True),
            label="answered",
        )
        self._answer(seqs, [data.draw(VERDICTS, label=f"verdict #{seq}") for seq in seqs])

    @rule(seq=entries)
    def resend(self, seq: int) -> None:
        """Only a rejected or conflict entry: never one in flight (sending -> pending is the
        engine's release, not a resend)."""
        if self.model[seq].state not in (State.REJECTED, State.CONFLICT):
            with pytest.raises(TransitionError):
                self.station.resend(seq)
            return
        assert self.station.resend(seq).state is State.PENDING
        self.model[seq].state = State.PENDING
        self.model[seq].actions.append("resent")

    @rule(seq=entries, reason=REASONS)
    def discard(self, seq: int, reason: str) -> None:
        discard = lambda: self.station.discard(seq, reason)  # noqa: E731
        if self._refused(seq, State.DISCARDED, reason, discard):
            return
        assert discard().state is State.DISCARDED
        self.model[seq].state = State.DISCARDED
        self.model[seq].actions.append("discarded")

    @rule(seq=entries, note=REASONS)
    def resolve(self, seq: int, note: str) -> None:
        resolve = lambda: self.station.resolve(seq, note)  # noqa: E731
        if self._refused(seq, State.RESOLVED, note, resolve):
            return
        assert resolve().state is State.RESOLVED
        self.model[seq].state = State.RESOLVED
        self.model[seq].actions.append("resolved")

    @precondition(lambda self: any(e.state is State.CONFLICT for e in self.model.values()))
    @rule(data=st.data())
    def resolve_a_conflict(self, data: st.DataObject) -> None:
        """Conflicts are rare at any moment: the supervisor also goes to one on purpose."""
        conflicts = sorted(s for s, e in self.model.items() if e.state is State.CONFLICT)
        self.resolve(data.draw(st.sampled_from(conflicts), label="conflict"), "sudah di pusat")

    @precondition(lambda self: self.model)
    @rule()
    def reopen(self) -> None:
        """Close the station and open the same folder: entries left in ``sending`` (no
        engine holds the lock) are recovered to ``pending``."""
        self.station.close()
        self.station = self._open()
        for seq in sorted(self.claimed):
            self.model[seq].state = State.PENDING
            self.model[seq].actions.append("recovered")
        self.claimed.clear()

    # -- invariants (read the queue once per step) -----------------------------------------

    @invariant()
    def queue_invariants(self) -> None:
        actual = {e.seq: e for e in self.station.iter_entries()}
        self._entries_are_as_the_model_says(actual)
        self._check_transitions(actual)
        self._status_counts_equal_the_entries(actual)
        self._a_nik_never_waits_twice(actual)
        self._one_audit_event_per_applied_action()

    def _entries_are_as_the_model_says(self, actual: dict[int, Entry]) -> None:
        assert set(actual) == set(self.model)
        for seq, entry in actual.items():
            expected = self.model[seq]
            assert entry.state is expected.state, f"#{seq}"
            assert entry.revision == expected.revision, f"#{seq}"
            assert set(entry.record) == set(expected.record), f"#{seq}"
            differ = sorted(k for k in expected.record if entry.record.get(k) != expected.record[k])
            assert not differ, f"#{seq}: fields {differ} differ"  # names, never values
            assert entry.entry_id == expected.entry_id

    def _check_transitions(self, actual: dict[int, Entry]) -> None:
        """States move only along TRANSITIONS; a revision never falls, rises by one at most."""
        now = {seq: (e.state, e.revision) for seq, e in actual.items()}
        for seq, (old_state, old_revision) in self.seen.items():
            new_state, new_revision = now[seq]
            assert new_state is old_state or can_transition(old_state, new_state), (
                f"#{seq}: {old_state} -> {new_state}"
            )
            assert new_revision in (old_revision, old_revision + 1)
        self.seen = now

    def _status_counts_equal_the_entries(self, actual: dict[int, Entry]) -> None:
        counted = Counter(e.state.value for e in actual.values())
        counts = self.station.status().counts
        assert counts == {s.value: counted.get(s.value, 0) for s in State}
        assert sum(counts.values()) == len(self.model)

    def _a_nik_never_waits_twice(self, actual: dict[int, Entry]) -> None:
        waiting = Counter(str(e.record["nik"]) for e in actual.values() if e.state in WAITING)
        assert all(n == 1 for n in waiting.values())
        recorded = {str(e.record["nik"]) for e in actual.values() if e.state in RECORDED}
        assert not recorded & set(waiting), "a resident both waiting and recorded here"

    def _one_audit_event_per_applied_action(self) -> None:
        trail: dict[int, list[str]] = {}
        with reading(self.station.queue.engine) as conn:
            rows = conn.execute(select(audit.c.entry_seq, audit.c.action).order_by(audit.c.id))
            for seq, action in rows:
                trail.setdefault(int(seq), []).append(str(action))
        assert trail == {seq: e.actions for seq, e in self.model.items()}


StationMachine.TestCase.settings = settings(
    max_examples=30,
    stateful_step_count=30,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestStationMachine = StationMachine.TestCase
