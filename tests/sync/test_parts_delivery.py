"""The biometric parts delivered through the real centre (tus on loopback) and the fault proxy:
biodata first, then each part resumed at the last byte the centre holds after every cut, each
part verified once with the right hash, the entry delivered only when all are; a corrupted
chunk is refused and sent again."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from ektp_station.central.runner import CentralServer
from ektp_station.devtools.faultproxy import FaultProxy
from ektp_station.domain.biometrics import PARTS
from ektp_station.store import Queue, State
from ektp_station.store.attachments import AttachmentStore
from ektp_station.sync.client import CentralClient
from ektp_station.sync.engine import SyncEngine
from parts_support import assert_every_part_once, capture, engine_for, images

from factories import make_record
from helpers import wait_until
from sync_support import STATION


@pytest.fixture
def store(data_dir: Path, queue: Queue) -> AttachmentStore:
    return AttachmentStore(data_dir / "attachments", queue.key.key)


def test_biodata_first_then_every_part_verified_once(
    queue: Queue, store: AttachmentStore, central: CentralServer, token: str, engines: list
) -> None:
    seeds = {seed: capture(queue, store, seed) for seed in (1, 2)}
    seeds[3] = capture(queue, store, 3, skip=("finger_l5",))
    engine = engine_for(engines, queue, store, central.url, token)
    assert engine.drain(give_up_after=60)
    assert_every_part_once(central, queue, seeds, {3: ("finger_l5",)})
    assert central.stats()["registrations"] == 3
    # the window's "parts left": none now, and the rate they moved at is known
    assert engine.state.parts_left == 0 and engine.state.bytes_left == 0
    assert engine.state.part_rate is not None and engine.state.part_rate > 0
    # the centre holds the biodata before any image: its uploads came after the batch
    trail = [e.action for e in queue.audit_trail(seeds[1])]
    assert trail[-2:] == ["parts_verified", "enrolment"]  # then the centre's decision


def test_uploads_refused_for_an_entry_the_centre_does_not_hold(
    queue: Queue, store: AttachmentStore, central: CentralServer, token: str
) -> None:
    client = CentralClient(central.url, token)
    from ektp_station.sync.errors import BadRequest

    with pytest.raises(BadRequest):  # 409 entry_unknown: biodata first
        client.create_upload("3f2b6c1e-8d4a-4c2e-9b7f-0a1b2c3d4e5f", "photo", "a" * 64, 10)
    client.close()


@pytest.fixture
def cut_proxy(central: CentralServer) -> Iterator[FaultProxy]:
    with FaultProxy.for_url(central.url, seed=7) as proxy:
        yield proxy


@pytest.mark.parametrize("seed", [11, 12])
def test_cuts_at_random_byte_offsets_resume_where_the_centre_is(
    queue: Queue,
    store: AttachmentStore,
    central: CentralServer,
    token: str,
    engines: list,
    cut_proxy: FaultProxy,
    seed: int,
) -> None:
    seeds = {s: capture(queue, store, s) for s in (seed, seed + 100, seed + 200)}
    payload = sum(len(d) for s in seeds for d in images(s).values())
    rng = random.Random(seed)
    cut_proxy.bandwidth_bps = 16_000_000  # bytes arrive over time, as on a real link
    # every third request is cut somewhere inside it: its head, or anywhere in its body
    cut_proxy.cut_next_after(rng.randrange(0, 300), 2)
    for _ in range(40):
        cut_proxy.cut_next_after(rng.randrange(200, 40_000))
        cut_proxy.cut_next_after(10**9, 2)  # two whole ones
    engine = engine_for(engines, queue, store, cut_proxy.url, token)
    assert engine.drain(give_up_after=120)
    assert cut_proxy.counters.fault("cut_after") >= 10
    assert_every_part_once(central, queue, seeds)
    # what crossed the link: the parts once, plus the bytes after each cut's last kept one
    # (none: the centre keeps what arrived), the heads, and the biodata batch
    crossed = cut_proxy.counters.bytes_up
    assert crossed < payload * 1.15, (crossed, payload)  # resumed, never resent whole


def test_a_corrupted_chunk_is_refused_and_sent_again(
    queue: Queue, store: AttachmentStore, central: CentralServer, token: str
) -> None:
    seq = capture(queue, store, 21)
    entry = queue.get(seq)
    client = CentralClient(central.url, token)
    engines: list[SyncEngine] = []
    engine = engine_for(engines, queue, store, central.url, token)
    engine.parts = None  # biodata only first
    assert engine.drain(give_up_after=30)
    assert queue.get(seq).state is State.UPLOADING
    data = images(21)["photo"]
    made = client.create_upload(
        entry.entry_id, "photo", hashlib.sha256(data).hexdigest(), len(data)
    )
    from ektp_station.sync.client import ChunkRefused

    good = data[:1000]
    damaged = bytes([good[0] ^ 1]) + good[1:]
    digest = __import__("base64").b64encode(hashlib.sha256(good).digest()).decode()
    response = client._http.patch(
        made.url,
        content=damaged,
        headers={
            "Tus-Resumable": "1.0.0",
            "Content-Type": "application/offset+octet-stream",
            "Upload-Offset": "0",
            "Upload-Checksum": f"sha256 {digest}",
            **client._auth,
        },
    )
    assert response.status_code == 460
    assert client.upload_offset(made.url).offset == 0  # not taken
    with pytest.raises(ChunkRefused):  # a whole part that does not hash to its address
        wrong = client.create_upload(entry.entry_id, "signature", "0" * 64, 10)
        client.send_chunk(wrong.url, 0, b"0123456789")
    again = client.send_chunk(made.url, 0, good)
    assert again.offset == 1000 and not again.verified
    client.close()
    engine.stop()
    engine.client.close()


def test_a_part_file_lost_here_never_stops_the_others(
    queue: Queue, store: AttachmentStore, central: CentralServer, token: str, engines: list
) -> None:
    """A damaged or missing file (a bad disk sector, a restore without the attachment folder):
    that part is marked lost and waits to be captured again; everything else goes on."""
    first = capture(queue, store, 51)
    second = capture(queue, store, 52)
    broken = next(r for r in queue.parts(first) if r.part == "finger_r3")
    assert broken.sha256 is not None
    store.path_of(broken.sha256).write_bytes(b"not what was stored")
    engine = engine_for(engines, queue, store, central.url, token)
    assert engine.drain(give_up_after=60)
    rows = {r.part: r for r in queue.parts(first)}
    assert rows["finger_r3"].lost_at is not None and rows["finger_r3"].verified_at is None
    assert all(r.verified_at for p, r in rows.items() if p != "finger_r3" and r.captured)
    assert queue.get(first).state is State.UPLOADING  # not delivered without that part
    assert queue.get(second).state is State.SYNCED
    assert [e.action for e in queue.audit_trail(first)][-1] == "part_lost"
    engine.start()  # the thread keeps running over it
    wait_until(lambda: engine.state.link.value == "online", timeout=10)
    assert engine.running


def test_an_incomplete_recording_is_not_delivered_until_it_is_finished(
    data_dir: Path, central: CentralServer, token: str
) -> None:
    """Biodata and two parts sent; the entry waits in ``uploading`` while twelve parts are
    neither captured nor excepted; finished later at the counter, it is delivered whole."""
    from ektp_station.paths import AppPaths
    from ektp_station.settings import Settings
    from ektp_station.station import Actor, Station

    settings = Settings(station_id=STATION, central_url=central.url, token=token)
    station = Station.open(AppPaths.resolve(data_dir), settings=settings)
    try:
        station.act_as(Actor("SITI", "operator"))
        first = {p: images(71)[p] for p in ("photo", "signature")}
        captured = station.capture(make_record(71), confirmed=True, images=first)
        assert len(captured.missing_parts) == 12
        assert station.drain(give_up_after=60)
        seq = captured.entry.seq
        assert station.entry(seq).state is State.UPLOADING  # incomplete: not delivered
        assert all(r.verified_at for r in station.queue.parts(seq))
        rest = {p: images(71)[p] for p in PARTS[2:13]}
        done = station.complete_parts(seq, images=rest, exceptions={"iris_l": "injured"})
        assert done.missing_parts == []
        station.close()  # the next run of `sync --until-empty`
        station = Station.open(AppPaths.resolve(data_dir), settings=settings)
        assert station.drain(give_up_after=60)
        assert station.entry(seq).state is State.SYNCED
        assert central.stats()["parts_verified"] == 13
        assert [e.action for e in station.queue.audit_trail(seq)][-3:] == [
            "parts_completed",
            "parts_verified",
            "enrolment",  # then the centre's decision
        ]
    finally:
        station.close()


def test_a_draining_centre_sheds_uploads_and_the_sender_waits(
    queue: Queue, store: AttachmentStore, central: CentralServer, token: str, engines: list
) -> None:
    """While the centre stops, uploads are answered 503 with Retry-After (the station's
    CentreBusy, backed off like a batch); once it serves again they go on."""
    from ektp_station.sync.errors import CentreBusy

    seq = capture(queue, store, 81)
    engine = engine_for(engines, queue, store, central.url, token)
    engine.parts = None
    assert engine.drain(give_up_after=30)  # the biodata only
    client = CentralClient(central.url, token)
    row = next(r for r in queue.parts(seq) if r.part == "photo")
    assert row.sha256 is not None and row.size is not None
    central.draining = True
    with pytest.raises(CentreBusy) as busy:
        client.create_upload(queue.get(seq).entry_id, "photo", row.sha256, row.size)
    assert busy.value.retry_after is not None and busy.value.retry_after >= 1
    central.draining = False
    made = client.create_upload(queue.get(seq).entry_id, "photo", row.sha256, row.size)
    assert made.offset == 0 and not made.verified
    client.close()
