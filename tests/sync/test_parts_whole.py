"""tus termination at the real centre (DELETE forgets an upload not verified yet) and the
engine's whole-part baseline (``EngineConfig.resume_parts=False``, kept for the benchmarks'
comparison): after a cut a part is sent again from byte 0, whole, and still arrives once."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path

import httpx
import pytest

from ektp_station.central.runner import CentralServer
from ektp_station.devtools.faultproxy import FaultProxy
from ektp_station.store import Queue, State
from ektp_station.store.attachments import AttachmentStore
from ektp_station.sync.client import CentralClient, UploadGone
from ektp_station.sync.engine import SyncEngine
from parts_support import CONFIG, assert_every_part_once, capture, centre_parts, images

from sync_support import STATION


@pytest.fixture
def store(data_dir: Path, queue: Queue) -> AttachmentStore:
    return AttachmentStore(data_dir / "attachments", queue.key.key)


def biodata_only(queue: Queue, store: AttachmentStore, url: str, token: str) -> None:
    engine = SyncEngine(queue, CentralClient(url, token), STATION, config=CONFIG, attachments=store)
    engine.parts = None
    try:
        assert engine.drain(give_up_after=30)
    finally:
        engine.client.close()


def test_termination_forgets_an_unverified_upload_and_keeps_a_verified_one(
    queue: Queue, store: AttachmentStore, central: CentralServer, token: str
) -> None:
    seq = capture(queue, store, 31)
    biodata_only(queue, store, central.url, token)
    entry_id = queue.get(seq).entry_id
    photo, signature = images(31)["photo"], images(31)["signature"]
    with CentralClient(central.url, token) as client:
        options = httpx.options(central.url + "/v1/uploads")
        assert "termination" in options.headers["tus-extension"].split(",")
        made = client.create_upload(
            entry_id, "photo", hashlib.sha256(photo).hexdigest(), len(photo)
        )
        assert client.send_chunk(made.url, 0, photo[:1000]).offset == 1000
        assert client.delete_upload(made.url)
        with pytest.raises(UploadGone):
            client.upload_offset(made.url)
        assert (entry_id, "photo") not in centre_parts(central)
        assert client.delete_upload(made.url)  # already gone: still gone
        again = client.create_upload(
            entry_id, "photo", hashlib.sha256(photo).hexdigest(), len(photo)
        )
        assert again.offset == 0 and again.url != made.url
        done = client.create_upload(
            entry_id, "signature", hashlib.sha256(signature).hexdigest(), len(signature)
        )
        assert client.send_chunk(done.url, 0, signature).verified
        assert not client.delete_upload(done.url)  # a delivered part stays
        assert client.upload_offset(done.url).verified
    with CentralClient(central.url, central.add_station("ST-OTHER")) as other:
        with pytest.raises(UploadGone):  # another station's upload is not its to delete
            other.upload_offset(again.url)
        assert other.delete_upload(again.url)  # "unknown" to it
    with CentralClient(central.url, token) as client:
        assert client.upload_offset(again.url).offset == 0  # still there for its own station


def test_whole_part_baseline_starts_a_cut_part_over_and_delivers_it_once(
    queue: Queue, store: AttachmentStore, central: CentralServer, token: str, engines: list
) -> None:
    seeds = {41: capture(queue, store, 41)}
    biodata_only(queue, store, central.url, token)
    payload = sum(len(d) for d in images(41).values())
    with FaultProxy.for_url(central.url, seed=3) as proxy:
        # the photo's upload is made (POST), then its one whole-part PATCH cut at 8,000 bytes
        proxy.cut_next_after(10**9)
        proxy.cut_next_after(8_000)
        client = CentralClient(proxy.url, token, timeout=3.0, probe_timeout=0.5)
        config = replace(CONFIG, resume_parts=False)
        engine = SyncEngine(queue, client, STATION, config=config, attachments=store)
        engines.append(engine)
        assert engine.parts is not None and not engine.parts.resume
        assert engine.drain(give_up_after=60)
        assert proxy.counters.fault("cut_after") == 1
        crossed = proxy.counters.bytes_up
    assert_every_part_once(central, queue, seeds)
    assert queue.get(seeds[41]).state is State.SYNCED
    # the 8,000 bytes the cut let through were sent again: the photo went whole twice
    assert crossed >= payload + 8_000 - 1_000, (crossed, payload)
    assert engine.parts.total.bytes_on_wire >= payload + len(images(41)["photo"])
