"""A stateful property test of the parts' upload over the real queue, the real attachment store
and the real centre behind the fault proxy: random captures (with parts or excepted ones),
batches, bursts of chunks, cuts at random byte offsets, crashes of the sender (a new one with
nothing in memory) and recaptures of a part's image, checked after every step:

- the station never believes the centre holds more than it does (acked <= received there);
- a part the station counts as verified is verified at the centre, with its sha256;
- an entry is ``synced`` only when every captured part is verified, ``uploading`` while not;
- the pending totals are the parts and bytes still to send;
- at the end, with the link healthy, everything is delivered, each part once.
"""

from __future__ import annotations

import itertools
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from ektp_station.central.db import uploads
from ektp_station.central.runner import CentralServer
from ektp_station.devtools.faultproxy import FaultProxy
from ektp_station.domain.biometrics import PART_SPECS, PARTS
from ektp_station.errors import SyncError
from ektp_station.store import Queue, State
from ektp_station.store.attachments import AttachmentStore
from ektp_station.store.parts import PartRow
from ektp_station.sync.client import CentralClient
from ektp_station.sync.engine import EngineConfig, SyncEngine
from ektp_station.sync.uploads import PartSender
from parts_support import images

from factories import TODAY, make_record
from sync_support import STATION

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]

#: NIK serials never used twice across examples: the centre is shared and keeps every NIK.
SERIALS = itertools.count(5000)
#: Images with enough bytes to cut inside; a few residents' worth, reused (cached).
IMAGE_SEEDS = st.integers(min_value=1, max_value=4)
PART_SETS = st.lists(st.sampled_from(PARTS[:6]), min_size=1, max_size=4, unique=True)


class Shared:
    """One centre and one proxy for every example (starting them is most of the cost)."""

    central: CentralServer | None = None
    proxy: FaultProxy | None = None
    token = ""


@pytest.fixture(scope="module", autouse=True)
def shared_centre(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    folder = tmp_path_factory.mktemp("centre")
    with CentralServer(f"sqlite:///{folder / 'central.sqlite3'}", today=lambda: TODAY) as central:
        Shared.central = central
        Shared.token = central.add_station(STATION)
        with FaultProxy.for_url(central.url, seed=99) as proxy:
            Shared.proxy = proxy
            yield
    Shared.central = Shared.proxy = None


def centre_uploads() -> dict[tuple[str, str], tuple[str, int, bool]]:
    assert Shared.central is not None
    with Shared.central._db.engine.connect() as conn:
        rows = conn.execute(sa.select(uploads)).all()
    return {
        (r.entry_id, r.part): (r.sha256, int(r.received), r.verified_at is not None) for r in rows
    }


class PartUploads(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        assert Shared.proxy is not None
        self.proxy = Shared.proxy
        self.proxy.clear_faults()
        self.folder = Path(tempfile.mkdtemp(prefix="parts-machine-"))
        self.queue = Queue.open(self.folder)
        self.store = AttachmentStore(self.folder / "attachments", self.queue.key.key)
        self.client = CentralClient(self.proxy.url, Shared.token, timeout=2.0, probe_timeout=0.5)
        config = EngineConfig(batch_size=20, probe_interval=0.01, backoff_initial=0.01)
        self.engine = SyncEngine(self.queue, self.client, STATION, config=config)
        self.sender = PartSender(self.queue, self.store, self.client, chunk=16 * 1024)
        self.seqs: list[int] = []

    # -- rules ---------------------------------------------------------------------------

    @rule(seed=IMAGE_SEEDS, captured=PART_SETS, excepted=st.booleans())
    def capture(self, seed: int, captured: list[str], excepted: bool) -> None:
        rows = []
        for part in captured:
            stored = self.store.put(images(seed)[part])
            rows.append(PartRow(part, stored.sha256, stored.size, PART_SPECS[part].media_type))
        if excepted:
            rows.append(PartRow("iris_l", reason="injured"))
        record = make_record(next(SERIALS))
        entry = self.queue.enqueue(record, operator="SITI", station_id=STATION, parts=rows)
        self.seqs.append(entry.seq)

    @precondition(lambda self: self.queue.count(State.PENDING) > 0)
    @rule()
    def send_biodata(self) -> None:
        try:
            self.engine.send_once()
        except SyncError:
            pass  # a cut: the batch is back in pending

    @precondition(lambda self: self.queue.next_part() is not None)
    @rule(seconds=st.sampled_from([0.05, 0.2, 1.0]))
    def send_chunks(self, seconds: float) -> None:
        try:
            self.sender.send_some(seconds=seconds, stop=lambda: False)
        except SyncError:
            pass  # a cut mid-part: the offset is the centre's, asked again next time

    @rule(nbytes=st.integers(min_value=0, max_value=40_000), count=st.integers(1, 3))
    def cut_next(self, nbytes: int, count: int) -> None:
        self.proxy.cut_next_after(nbytes, count)

    @rule()
    def crash_sender(self) -> None:
        """The process dies: a new sender knows only what the queue kept."""
        self.sender = PartSender(self.queue, self.store, self.client, chunk=16 * 1024)

    # -- invariants ----------------------------------------------------------------------

    @invariant()
    def the_station_never_believes_more_than_the_centre_holds(self) -> None:
        held = centre_uploads()
        totals = [0, 0]
        for seq in self.seqs:
            entry = self.queue.get(seq)
            rows = [r for r in self.queue.parts(seq) if r.captured]
            for row in rows:
                assert row.sha256 is not None and row.size is not None
                there = held.get((entry.entry_id, row.part))
                if row.verified_at is not None:
                    assert there is not None and there[2] and there[0] == row.sha256
                elif there is not None and there[0] == row.sha256:
                    assert row.acked <= there[1]
                if row.verified_at is None:  # still to send, whatever the entry's state
                    totals[0] += 1
                    totals[1] += row.size - row.acked
            unverified = any(r.verified_at is None for r in rows)
            incomplete = 0 < len(self.queue.parts(seq)) < len(PARTS)  # to be finished later
            if entry.state is State.SYNCED:
                assert not unverified and not incomplete
            if entry.state is State.UPLOADING:
                assert unverified or incomplete
        waiting = self.queue.part_totals()
        assert (waiting.parts, waiting.bytes) == tuple(totals)

    def teardown(self) -> None:
        try:
            self.proxy.clear_faults()
            assert self.engine.drain(give_up_after=60) or not self.seqs
            while self.queue.next_part() is not None:
                self.sender.send_some(seconds=5, stop=lambda: False)
            held = centre_uploads()
            for seq in self.seqs:
                entry = self.queue.get(seq)
                # an incomplete recording waits to be finished; every part it has is there
                assert entry.state is (
                    State.SYNCED if len(self.queue.parts(seq)) == len(PARTS) else State.UPLOADING
                )
                for row in self.queue.parts(seq):
                    if row.captured:
                        sha, received, verified = held[(entry.entry_id, row.part)]
                        assert verified and sha == row.sha256 and received == row.size
        finally:
            self.engine.stop()
            self.client.close()
            self.queue.close()


TestPartUploads = PartUploads.TestCase
TestPartUploads.settings = settings(
    max_examples=25,
    stateful_step_count=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
