"""The biometric parts delivered through the real centre (tus on loopback) and the fault proxy:
biodata first, then each part resumed at the last byte the centre holds after every cut, each
part verified once with the right hash, the entry delivered only when all are; a corrupted
chunk is refused and sent again."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest
import sqlalchemy as sa

from ektp_station.central.db import uploads
from ektp_station.central.runner import CentralServer
from ektp_station.devtools.faultproxy import FaultProxy
from ektp_station.devtools.images import demo_parts
from ektp_station.domain.biometrics import PART_SPECS
from ektp_station.store import Queue, State
from ektp_station.store.attachments import AttachmentStore
from ektp_station.store.parts import PartRow
from ektp_station.sync.client import CentralClient
from ektp_station.sync.engine import EngineConfig, SyncEngine

from factories import make_record
from sync_support import STATION

CONFIG = EngineConfig(
    batch_size=50, probe_interval=0.05, backoff_initial=0.02, backoff_max=0.2, idle_poll=0.05
)


@cache
def images(seed: int) -> dict[str, bytes]:
    return demo_parts(("delivery", seed))


@pytest.fixture
def store(data_dir: Path, queue: Queue) -> AttachmentStore:
    return AttachmentStore(data_dir / "attachments", queue.key.key)


def capture(queue: Queue, store: AttachmentStore, seed: int, skip: tuple[str, ...] = ()) -> int:
    rows = []
    for part, data in images(seed).items():
        if part in skip:
            rows.append(PartRow(part, reason="missing"))
            continue
        stored = store.put(data)
        rows.append(PartRow(part, stored.sha256, stored.size, PART_SPECS[part].media_type))
    entry = queue.enqueue(make_record(seed), operator="SITI", station_id=STATION, parts=rows)
    return entry.seq


def engine_for(
    engines: list[SyncEngine], queue: Queue, store: AttachmentStore, url: str, token: str
) -> SyncEngine:
    client = CentralClient(url, token, timeout=3.0, probe_timeout=0.5)
    engine = SyncEngine(queue, client, STATION, config=CONFIG, attachments=store)
    engines.append(engine)
    return engine


def centre_parts(central: CentralServer) -> dict[tuple[str, str], tuple[str, int, bool]]:
    with central._db.engine.connect() as conn:
        rows = conn.execute(sa.select(uploads)).all()
    return {
        (r.entry_id, r.part): (r.sha256, int(r.received), r.verified_at is not None) for r in rows
    }


def assert_every_part_once(
    central: CentralServer,
    queue: Queue,
    seeds: dict[int, int],
    skips: dict[int, tuple[str, ...]] | None = None,
) -> None:
    held = centre_parts(central)
    folder = Path(central.db_url.removeprefix("sqlite:///") + ".uploads")
    expected = 0
    for seed, seq in seeds.items():
        entry = queue.get(seq)
        assert entry.state is State.SYNCED, (seed, entry.state)
        skip = (skips or {}).get(seed, ())
        for part, data in images(seed).items():
            if part in skip:
                assert (entry.entry_id, part) not in held
                continue
            expected += 1
            sha, received, verified = held[(entry.entry_id, part)]
            assert verified and received == len(data) and sha == hashlib.sha256(data).hexdigest()
        for row in queue.parts(seq):
            assert row.verified_at is not None or not row.captured
    assert len(held) == expected  # one upload per part, never a second
    stats = central.stats()
    assert stats["parts_verified"] == expected
    files = {p.stem: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.glob("*.part")}
    assert sorted(files.values()) == sorted(v[0] for v in held.values())
    assert queue.part_totals().parts == 0


def test_biodata_first_then_every_part_verified_once(
    queue: Queue, store: AttachmentStore, central: CentralServer, token: str, engines: list
) -> None:
    seeds = {seed: capture(queue, store, seed) for seed in (1, 2)}
    seeds[3] = capture(queue, store, 3, skip=("finger_l5",))
    engine = engine_for(engines, queue, store, central.url, token)
    assert engine.drain(give_up_after=60)
    assert_every_part_once(central, queue, seeds, {3: ("finger_l5",)})
    assert central.stats()["registrations"] == 3
    # the centre holds the biodata before any image: its uploads came after the batch
    trail = [e.action for e in queue.audit_trail(seeds[1])]
    assert trail[-1] == "parts_verified"


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
    seeds = {s: capture(queue, store, s) for s in (seed, seed + 100)}
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
