"""Shared set-up for the biometric parts' delivery tests: residents captured with demo
images, an engine that sends parts, and the check that every part reached the centre once."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

import sqlalchemy as sa

from ektp_station.central.db import uploads
from ektp_station.central.runner import CentralServer
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


def capture(
    queue: Queue,
    store: AttachmentStore,
    seed: int,
    skip: tuple[str, ...] = (),
    *,
    images_of: int | None = None,
    reason: str = "missing",
) -> int:
    """Resident ``seed`` recorded with the demo images of ``images_of`` (default: its own),
    the parts in ``skip`` excepted for ``reason``; its number."""
    rows = []
    for part, data in images(seed if images_of is None else images_of).items():
        if part in skip:
            rows.append(PartRow(part, reason=reason))
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


def centre_bytes(central: CentralServer) -> int:
    """Bytes of parts the centre holds (verified or not)."""
    with central._db.engine.connect() as conn:
        total = sa.select(sa.func.coalesce(sa.func.sum(uploads.c.received), 0))
        return int(conn.execute(total).scalar_one())
