"""The centre's pipeline stand-in (central/enrolments.py) through the real centre: an entry
delivered whole is decided print-ready, duplicate (a fingerprint image already enrolled under
another NIK) or adjudication (too few fingerprints); the station keeps the decision, counts it
in its status and shows who must come back; asking again gets the same answer; garbage is 4xx."""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path

import httpx
import pytest

from ektp_station.central.runner import CentralServer
from ektp_station.cli_format import format_list, format_status
from ektp_station.domain.biometrics import FINGERS
from ektp_station.exporter import entry_row
from ektp_station.store import Queue, State
from ektp_station.store.attachments import AttachmentStore
from ektp_station.sync.client import CentralClient, EnrolmentRefused
from parts_support import capture, engine_for

from sync_support import STATION


@pytest.fixture
def store(data_dir: Path, queue: Queue) -> AttachmentStore:
    return AttachmentStore(data_dir / "attachments", queue.key.key)


def test_each_entry_delivered_whole_gets_the_centres_decision(
    queue: Queue, store: AttachmentStore, central: CentralServer, token: str, engines: list
) -> None:
    ready = capture(queue, store, 1)
    # another resident (another NIK) with the first one's fingerprint images: a re-used scan
    copied = capture(queue, store, 2, images_of=1)
    few = capture(queue, store, 3, FINGERS[:7], reason="injured")  # three fingers only
    engine = engine_for(engines, queue, store, central.url, token)
    assert engine.drain(give_up_after=60)

    got = {seq: queue.get(seq) for seq in (ready, copied, few)}
    assert all(e.state is State.SYNCED for e in got.values())
    # the first one was enrolled first: the copy is the duplicate; both reach the centre
    assert got[copied].enrolment == "duplicate"
    assert got[copied].enrolment_reason == "fingerprint_enrolled"
    assert got[few].enrolment == "adjudication"
    assert got[few].enrolment_reason == "few_fingerprints"
    # the first one enrolled stands; the later copy is the one flagged
    assert got[ready].enrolment == "print_ready" and not got[ready].must_return
    assert got[copied].must_return and got[few].must_return

    status = queue.status()
    assert status.enrolments == {"due": 0, "print_ready": 1, "duplicate": 1, "adjudication": 1}
    assert status.to_json()["must_return"] == 2 and status.to_json()["print_ready"] == 1
    assert queue.must_return() == [copied, few]
    listed = format_list([got[ready], got[copied]], show_nik=False, lang="id").splitlines()
    assert listed[0].endswith("[siap cetak]") and listed[1].endswith("[perlu rekam ulang]")
    assert entry_row(got[few], show_nik=False)["enrolment"] == "adjudication"
    text = format_status(status, STATION, Path("antrean.sqlite3"), "id")
    assert "Hasil pusat: siap cetak 1, perlu rekam ulang 2, menunggu 0" in text
    assert central.stats()["enrolments"] == {"print_ready": 1, "duplicate": 1, "adjudication": 1}
    # the audit keeps the decision as codes
    trail = queue.audit_trail(copied)
    assert trail[-1].action == "enrolment"
    assert trail[-1].detail == {"status": "duplicate", "reason": "fingerprint_enrolled"}

    # asked again (a station that crashed before it kept the reply): the same answer
    client = CentralClient(central.url, token)
    due = queue.get(few)
    rows = queue.parts(few)
    again = client.submit_enrolment(
        due.entry_id,
        {r.part: r.sha256 for r in rows if r.sha256},
        {r.part: r.reason for r in rows if r.reason},
    )
    assert again.status == "adjudication" and again.stand_in
    # with another list of parts: refused, the decision stands
    with pytest.raises(EnrolmentRefused) as refused:
        client.submit_enrolment(
            due.entry_id, {r.part: r.sha256 for r in rows if r.sha256}, {"finger_r1": "missing"}
        )
    assert refused.value.code in ("manifest_changed", "incomplete_enrolment")
    client.close()


def test_a_decision_is_asked_only_once_every_part_is_verified(
    queue: Queue, store: AttachmentStore, central: CentralServer, token: str, engines: list
) -> None:
    seq = capture(queue, store, 4)
    entry = queue.get(seq)
    rows = queue.parts(seq)
    client = CentralClient(central.url, token)
    manifest = {r.part: r.sha256 for r in rows if r.sha256}
    with pytest.raises(EnrolmentRefused) as unknown:  # no biodata at the centre yet
        client.submit_enrolment(entry.entry_id, manifest, {})
    assert unknown.value.code == "entry_unknown"
    engine = engine_for(engines, queue, store, central.url, token)
    assert engine.send_once() == 1  # the biodata only: the parts are not there yet
    with pytest.raises(EnrolmentRefused) as short:
        client.submit_enrolment(entry.entry_id, manifest, {})
    assert short.value.code == "parts_not_verified"
    assert queue.get(seq).enrolment is None  # uploading: nothing due yet
    assert engine.drain(give_up_after=60)
    assert queue.get(seq).enrolment == "print_ready"
    client.close()


def test_garbage_gets_4xx_never_5xx(central: CentralServer, token: str) -> None:
    auth = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    entry = str(uuid.uuid4())
    bodies: list[bytes] = [
        b"",
        b"not json",
        b"[]",
        b"{}",
        json.dumps({"protocol": 2, "entry_id": "x", "parts": {}}).encode(),
        json.dumps({"protocol": 2, "entry_id": entry, "parts": {"photo": "zz"}}).encode(),
        json.dumps({"protocol": 2, "entry_id": entry, "parts": {"photo": "a" * 64}}).encode(),
        json.dumps(
            {"protocol": 2, "entry_id": entry, "parts": {"nose": "a" * 64}, "exceptions": {}}
        ).encode(),
        json.dumps(
            {
                "protocol": 2,
                "entry_id": entry,
                "parts": {"signature": "a" * 64},
                "exceptions": {p: "injured" for p in ("photo", *FINGERS, "iris_r", "iris_l")},
            }
        ).encode(),
        b'{"protocol": 2, "entry_id": "' + entry.encode() + b'", "parts": ' + b"[" * 5000,
        b"x" * 100_000,
    ]
    with httpx.Client(base_url=central.url, timeout=10) as http:
        for body in bodies:
            reply = http.post("/v1/enrolments", content=body, headers=auth)
            assert 400 <= reply.status_code < 500, (body[:40], reply.status_code)
            assert reply.json()["error"]["code"]
        assert http.post("/v1/enrolments", content=b"{}").status_code == 401
        assert http.get(f"/v1/enrolments/{entry}", headers=auth).status_code == 404
        assert http.get("/v1/enrolments/nonsense", headers=auth).status_code == 404


def test_a_refused_decision_is_asked_again_later_not_at_every_turn(
    queue: Queue,
    store: AttachmentStore,
    central: CentralServer,
    token: str,
    engines: list,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The centre lost the parts (its database restored from before them): it refuses to
    decide; the station logs it, keeps the entry delivered and due, and does not ask again at
    every turn of its engine."""
    import sqlalchemy as sa

    from ektp_station.central.db import uploads
    from ektp_station.devtools.faultproxy import FaultProxy

    seq = capture(queue, store, 5)
    engine = engine_for(engines, queue, store, central.url, token)
    assert engine.send_once() == 1  # biodata
    assert engine.parts is not None
    while queue.next_part() is not None:  # every part, without asking for the decision
        todo = queue.next_part()
        assert todo is not None
        engine.parts._send_part(todo, engine.parts.total, time.monotonic() + 30, lambda: False)
    assert queue.get(seq).enrolment == "due"
    with central._db.engine.begin() as conn:
        conn.execute(sa.delete(uploads))
    with FaultProxy.for_url(central.url, seed=1) as proxy:
        again = engine_for(engines, queue, store, proxy.url, token)
        assert again.drain(give_up_after=30)
        asked = proxy.counters.requests
        assert asked >= 1 and "parts_not_verified" in caplog.text
        assert queue.get(seq).state is State.SYNCED and queue.get(seq).enrolment == "due"
        assert again.parts is not None and not again.parts.has_work()
        assert again.drain(give_up_after=30)
        assert proxy.counters.requests == asked  # nothing asked again this soon
