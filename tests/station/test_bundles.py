"""USB bundles, end to end with the real parts: a station's queue and attachment store, the
real centre (its database, its upload folder, its HTTP server for the online path).

export -> import at the centre -> receipt back -> online sync: exactly once at the centre,
synced at the station; each refusal, with nothing stored or changed."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa

from ektp_station.central.app import default_upload_dir
from ektp_station.central.bundles import import_bundle
from ektp_station.central.db import CentralDB, registrations
from ektp_station.central.identity import centre_identity
from ektp_station.central.runner import CentralServer
from ektp_station.errors import BundleRefused, NotAllowed
from ektp_station.settings import Settings
from ektp_station.station import Station
from ektp_station.store import State
from parts_support import assert_every_part_once, capture, centre_parts, images

from .support import OPERATOR, OPERATOR_PIN, SUPERVISOR, SUPERVISOR_PIN, OpenStation
from factories import make_record
from sync_support import STATION


@pytest.fixture
def carrier(open_station: OpenStation, central: CentralServer, token: str) -> Station:
    """A station set up for bundles (its token, the centre's key) whose link is down (no
    centre address): a supervisor signed in."""
    settings = Settings(
        station_id=STATION, token=token, centre_key=str(centre_identity(central._db).public)
    )
    station = open_station(settings=settings)
    station.create_first_account(SUPERVISOR, SUPERVISOR_PIN)
    station.add_operator(OPERATOR, OPERATOR_PIN)
    return station


def record_some(station: Station) -> dict[int, int]:
    """Two residents with all their parts, one with two fingers excepted, one biodata only."""
    seeds = {
        seed: capture(station.queue, station.attachments, seed, skip=skip)
        for seed, skip in ((1, ()), (2, ()), (3, ("finger_r1", "finger_r2")))
    }
    station.queue.enqueue(make_record(4), operator="SITI", station_id=STATION)
    return seeds


def centre_rows(central: CentralServer) -> list[tuple[str, int]]:
    with central._db.engine.connect() as conn:
        return [
            (str(r.entry_id), int(r.revision))
            for r in conn.execute(sa.select(registrations.c.entry_id, registrations.c.revision))
        ]


def carry(central: CentralServer, bundle: Path, receipt: Path) -> object:
    return import_bundle(central._db, default_upload_dir(central.db_url), bundle, receipt)


def test_export_import_receipt_then_online_sync_is_exactly_once(
    carrier: Station, central: CentralServer, tmp_path: Path
) -> None:
    seeds = record_some(carrier)
    seen: list[object] = []
    exported = carrier.export_bundle(tmp_path / "a.ektpbundle", seen.append)
    assert (exported.entries, exported.parts) == (4, 14 + 14 + 12)
    assert seen[-1].entries_done == 4 and seen[-1].bytes_done == seen[-1].bytes_total > 0
    # nothing at the station changed, nothing at the centre yet
    assert carrier.count(State.PENDING) == 4 and centre_rows(central) == []

    report = carry(central, exported.path, tmp_path / "a.ektpreceipt")
    assert (report.entries, report.accepted, report.parts_verified) == (4, 4, 40)
    # a lost stick leaks nothing: no NIK, name, address or image in either file
    secrets = [v.encode() for e in carrier.iter_entries() for v in e.record.values() if v]
    secrets += [data[100:164] for seed in seeds for data in images(seed).values()]
    for carried in (exported.path.read_bytes(), (tmp_path / "a.ektpreceipt").read_bytes()):
        assert not [s for s in secrets if len(s) > 5 and s in carried]
    again = carry(central, exported.path, tmp_path / "b.ektpreceipt")  # imported twice
    assert (again.accepted, again.already_accepted, again.parts_verified) == (0, 4, 40)
    assert len(centre_rows(central)) == 4 and len(centre_parts(central)) == 40

    applied = carrier.import_receipt(tmp_path / "a.ektpreceipt")
    assert (applied.synced, applied.parts_verified, applied.unchanged) == (4, 40, 0)
    assert carrier.count(State.SYNCED) == 4
    assert carrier.import_receipt(tmp_path / "b.ektpreceipt").unchanged == 4  # harmless twice
    # the link comes back: nothing left to send, nothing twice
    carrier.change_settings(Settings(**{**_fields(carrier.settings), "central_url": central.url}))
    assert carrier.drain(give_up_after=20)
    assert_every_part_once(central, carrier.queue, seeds, {3: ("finger_r1", "finger_r2")})
    assert sorted(centre_rows(central)) == sorted(
        (e.entry_id, e.revision) for e in carrier.iter_entries()
    )


def test_a_receipt_that_never_came_back_the_online_path_finds_everything_there(
    carrier: Station, central: CentralServer, tmp_path: Path
) -> None:
    seeds = record_some(carrier)
    exported = carrier.export_bundle(tmp_path / "a.ektpbundle")
    carry(central, exported.path, tmp_path / "a.ektpreceipt")
    held = centre_parts(central)
    carrier.change_settings(Settings(**{**_fields(carrier.settings), "central_url": central.url}))
    assert carrier.drain(give_up_after=20)
    assert carrier.count(State.SYNCED) == 4
    assert_every_part_once(central, carrier.queue, seeds, {3: ("finger_r1", "finger_r2")})
    assert centre_parts(central) == held  # no part sent again: each found verified
    # the receipt arriving late changes nothing
    assert carrier.import_receipt(tmp_path / "a.ektpreceipt").unchanged == 4


def test_entries_corrected_or_rejected_after_the_export(
    carrier: Station, central: CentralServer, tmp_path: Path
) -> None:
    good = carrier.queue.enqueue(make_record(11), operator="SITI", station_id=STATION)
    later = carrier.queue.enqueue(make_record(12), operator="SITI", station_id=STATION)
    # saved despite an error (an old import, say): the centre refuses it, as online
    wrong = carrier.queue.enqueue(make_record(13, rt="000"), operator="SITI", station_id=STATION)
    exported = carrier.export_bundle(tmp_path / "a.ektpbundle")
    # after the export, an operator corrects one entry: the receipt is about the old revision
    carrier.correct(later.seq, fields={"address": "JL. KENANGA NO. 5"}, confirmed=True)
    report = carry(central, exported.path, tmp_path / "a.ektpreceipt")
    assert (report.accepted, report.rejected) == (2, 1)
    applied = carrier.import_receipt(tmp_path / "a.ektpreceipt")
    assert (applied.synced, applied.rejected, applied.unchanged) == (1, 1, 1)
    assert carrier.entry(good.seq).state is State.SYNCED
    assert carrier.entry(wrong.seq).state is State.REJECTED
    assert any(e["field"] == "rt" for e in carrier.entry(wrong.seq).errors)  # as online
    assert carrier.entry(later.seq).state is State.PENDING  # revision 2 still to send
    carrier.change_settings(Settings(**{**_fields(carrier.settings), "central_url": central.url}))
    assert carrier.drain(give_up_after=20)
    assert carrier.entry(later.seq).state is State.SYNCED
    assert (carrier.entry(later.seq).entry_id, 2) in centre_rows(central)


def test_an_entry_withdrawn_while_the_bundle_is_written_is_not_carried(
    carrier: Station, central: CentralServer, tmp_path: Path
) -> None:
    seeds = record_some(carrier)
    withdrawn = seeds[2]

    def meanwhile(progress: object) -> None:
        if progress.entries_done == 0:  # type: ignore[attr-defined]
            carrier.discard(withdrawn, "warga membatalkan")

    exported = carrier.export_bundle(tmp_path / "a.ektpbundle", meanwhile)
    assert (exported.entries, exported.parts) == (3, 14 + 12)
    report = carry(central, exported.path, tmp_path / "a.ektpreceipt")
    assert (report.accepted, report.parts, report.parts_verified) == (3, 26, 26)
    assert carrier.entry(withdrawn).entry_id not in {e for e, _r in centre_rows(central)}


def _fields(settings: Settings) -> dict[str, object]:
    from dataclasses import fields

    return {f.name: getattr(settings, f.name) for f in fields(settings) if f.name != "ignored"}


# -- refusals: nothing stored at the centre, nothing changed at the station -----------------


def _refused(
    central: CentralServer, bundle: Path, receipt: Path, reason: str, db: CentralDB | None = None
) -> None:
    with pytest.raises(BundleRefused) as caught:
        import_bundle(db or central._db, default_upload_dir(central.db_url), bundle, receipt)
    assert caught.value.reason == reason
    assert caught.value.message("id") and caught.value.message("en")
    assert centre_rows(central) == [] and centre_parts(central) == {}
    assert not receipt.exists()


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        (lambda b: b[: len(b) // 2], "truncated"),
        (lambda b: b[:-1], "truncated"),
        (
            lambda b: b[: len(b) // 2] + bytes([b[len(b) // 2] ^ 1]) + b[len(b) // 2 + 1 :],
            "signature",
        ),
        (lambda b: b[:-5] + bytes([b[-5] ^ 0x40]) + b[-4:], "signature"),
        (lambda b: b"", "not_bundle"),
        (lambda b: b"PK\x03\x04" + b[4:], "not_bundle"),
        (lambda b: b.replace(STATION.encode(), b"ST-DEPOK-02", 1), "unregistered"),
    ],
    ids=["half", "last-byte-gone", "bit-flipped", "signature-bit", "empty", "zip", "renamed"],
)
def test_a_damaged_or_changed_bundle_is_refused(
    carrier: Station,
    central: CentralServer,
    tmp_path: Path,
    damage: Callable[[bytes], bytes],
    reason: str,
) -> None:
    record_some(carrier)
    bundle = carrier.export_bundle(tmp_path / "a.ektpbundle").path
    bundle.write_bytes(damage(bundle.read_bytes()))
    _refused(central, bundle, tmp_path / "r.ektpreceipt", reason)


@pytest.mark.parametrize("fault", ["bad-entry", "entry-after-part", "wrong-count", "no-end"])
def test_a_signed_bundle_out_of_form_is_refused_before_anything_is_stored(
    carrier: Station, central: CentralServer, tmp_path: Path, fault: str
) -> None:
    """What a faulty station program could sign: refused whole, not half-way."""
    import uuid

    from ektp_station.bundles.container import BundleHeader, BundleWriter
    from ektp_station.bundles.keys import CentreKey, b64, public_bytes, station_signing_key
    from ektp_station.bundles.records import END, ENTRY, PartHeader, write_part, write_record
    from ektp_station.sync.outcomes import to_wire

    record_some(carrier)
    wire, _ = to_wire(list(carrier.iter_entries()))
    centre = CentreKey.parse(carrier.settings.centre_key)
    header = BundleHeader(
        uuid.uuid4().hex,
        STATION,
        centre.centre_id,
        b64(public_bytes(centre.box_key)),
        "2026-12-02T00:00:00+00:00",
        len(wire),
        1,
        3,
    )
    path = tmp_path / "odd.ektpbundle"
    with path.open("wb") as out:
        writer = BundleWriter(
            out, header, centre.box_key, station_signing_key(carrier.settings.token)
        )
        for item in wire:
            write_record(writer, ENTRY, item.model_dump(mode="json"))
        if fault == "bad-entry":
            write_record(writer, ENTRY, {"entry_id": "not-an-id"})
        write_part(writer, PartHeader(wire[0].entry_id, "photo", "0" * 64, 3), [b"abc"])
        if fault == "entry-after-part":
            write_record(writer, ENTRY, wire[1].model_dump(mode="json"))
        if fault != "no-end":
            count = len(wire) + (fault == "wrong-count")
            write_record(writer, END, {"entries": count, "parts": 1})
        writer.finish()
    _refused(
        central,
        path,
        tmp_path / "r.ektpreceipt",
        "truncated" if fault == "no-end" else "not_bundle",
    )


def test_a_renamed_station_registered_at_the_centre_still_cannot_pass_its_bundle_off(
    carrier: Station, central: CentralServer, tmp_path: Path
) -> None:
    """The header is bound to the payload: naming another registered station in it breaks
    the signature (that station's key) and the decryption alike."""
    record_some(carrier)
    central.add_station("ST-DEPOK-02")
    bundle = carrier.export_bundle(tmp_path / "a.ektpbundle").path
    bundle.write_bytes(bundle.read_bytes().replace(STATION.encode(), b"ST-DEPOK-02", 1))
    _refused(central, bundle, tmp_path / "r.ektpreceipt", "signature")


def test_bundles_of_unregistered_revoked_or_rotated_stations_are_refused(
    carrier: Station, open_station: OpenStation, central: CentralServer, tmp_path: Path
) -> None:
    record_some(carrier)
    stranger = open_station(
        tmp_path / "other",
        Settings(station_id="ST-LAIN", token="x" * 43, centre_key=carrier.settings.centre_key),
    )
    stranger.create_first_account(SUPERVISOR, SUPERVISOR_PIN)
    stranger.queue.enqueue(make_record(9), operator="SITI", station_id="ST-LAIN")
    bundle = stranger.export_bundle(tmp_path / "s.ektpbundle").path
    _refused(central, bundle, tmp_path / "r.ektpreceipt", "unregistered")

    bundle = carrier.export_bundle(tmp_path / "a.ektpbundle").path
    central._db.revoke_station(STATION)
    _refused(central, bundle, tmp_path / "r.ektpreceipt", "revoked")
    central.add_station(STATION)  # a new token: the old token's key no longer signs
    _refused(central, bundle, tmp_path / "r.ektpreceipt", "signature")


def test_a_bundle_made_for_another_centre_is_refused(
    carrier: Station, central: CentralServer, tmp_path: Path
) -> None:
    record_some(carrier)
    bundle = carrier.export_bundle(tmp_path / "a.ektpbundle").path
    other = CentralDB(f"sqlite:///{tmp_path / 'other.sqlite3'}")
    other.create_schema()
    other.add_station(STATION)
    try:
        _refused(central, bundle, tmp_path / "r.ektpreceipt", "other_centre", db=other)
    finally:
        other.dispose()


def test_a_receipt_not_signed_by_this_station_s_centre_changes_nothing(
    carrier: Station, open_station: OpenStation, central: CentralServer, tmp_path: Path
) -> None:
    record_some(carrier)
    bundle = carrier.export_bundle(tmp_path / "a.ektpbundle").path
    receipt = tmp_path / "a.ektpreceipt"
    carry(central, bundle, receipt)
    before = [(e.seq, e.state) for e in carrier.iter_entries()]

    def refused(path: Path, reason: str, station: Station = carrier) -> None:
        with pytest.raises(BundleRefused) as caught:
            station.import_receipt(path)
        assert caught.value.reason == reason
        assert [(e.seq, e.state) for e in carrier.iter_entries()] == before

    first, body = receipt.read_bytes().split(b"\n", 1)
    data = json.loads(body)
    data["entries"][0]["result"]["reference"] = "REF-PALSU"  # one changed result
    forged = tmp_path / "forged.ektpreceipt"
    forged.write_bytes(first + b"\n" + json.dumps(data, indent=1, sort_keys=True).encode())
    refused(forged, "receipt_signature")
    cut = tmp_path / "cut.ektpreceipt"
    cut.write_bytes(receipt.read_bytes()[:-40])
    refused(cut, "receipt_signature")
    refused(tmp_path / "a.ektpbundle", "not_receipt")
    refused(tmp_path / "nowhere.ektpreceipt", "unreadable")

    # a centre of its own signs a receipt of its own: not this station's centre
    other = CentralDB(f"sqlite:///{tmp_path / 'other.sqlite3'}")
    other.create_schema()
    try:
        theirs = centre_identity(other)
        from ektp_station.bundles.receipt import read_receipt, write_receipt

        mine = read_receipt(receipt, centre_identity(central._db).public, STATION)
        write_receipt(tmp_path / "theirs.ektpreceipt", mine, theirs.sign_key)
        refused(tmp_path / "theirs.ektpreceipt", "receipt_signature")
    finally:
        other.dispose()

    # this centre's receipt for another station
    neighbour = open_station(
        tmp_path / "neighbour",
        Settings(station_id="ST-DEPOK-02", token="y" * 43, centre_key=carrier.settings.centre_key),
    )
    neighbour.create_first_account(SUPERVISOR, SUPERVISOR_PIN)
    refused(receipt, "receipt_other_station", neighbour)


def test_only_a_supervisor_carries_and_the_keys_must_be_set(
    carrier: Station, open_station: OpenStation, tmp_path: Path
) -> None:
    carrier.sign_out()
    carrier.sign_in(OPERATOR, OPERATOR_PIN)
    with pytest.raises(NotAllowed):
        carrier.export_bundle(tmp_path / "a.ektpbundle")
    with pytest.raises(NotAllowed):
        carrier.import_receipt(tmp_path / "a.ektpreceipt")
    bare = open_station(tmp_path / "bare", Settings(station_id=STATION, token="z" * 43))
    bare.create_first_account(SUPERVISOR, SUPERVISOR_PIN)
    with pytest.raises(BundleRefused) as caught:
        bare.export_bundle(tmp_path / "a.ektpbundle")
    assert caught.value.reason == "no_centre_key"
    assert not list(tmp_path.glob("a.ektpbundle*"))


def test_an_export_that_cannot_be_written_leaves_nothing(carrier: Station, tmp_path: Path) -> None:
    record_some(carrier)
    with pytest.raises(BundleRefused) as caught:
        carrier.export_bundle(tmp_path / "no-such-folder" / "a.ektpbundle")
    assert caught.value.reason == "unwritable"
    assert carrier.count(State.PENDING) == 4


# -- memory: a big bundle streams through both sides -----------------------------------------

PART_BYTES = 64 * 1024
MEMORY_BOUND = 16 * 1024 * 1024  # what either side may hold at its peak (Python's heap)


@pytest.mark.slow
def test_a_bundle_of_1000_entries_with_parts_streams_in_bounded_memory(
    carrier: Station, central: CentralServer, tmp_path: Path
) -> None:
    """1,000 entries, each with a 64 KiB part (a 63 MiB bundle): the peak of Python's heap
    while exporting and while importing stays under 16 MiB — a copy of the bundle, or of its
    parts, in memory would be four times that."""
    import os
    import tracemalloc

    from ektp_station.domain.biometrics import PART_SPECS
    from ektp_station.store.db import writing
    from ektp_station.store.parts import PartRow

    from factories import many_records

    with writing(carrier.queue.engine) as conn:
        for record in many_records(1000):
            stored = carrier.attachments.put(os.urandom(PART_BYTES))
            row = PartRow("photo", stored.sha256, stored.size, PART_SPECS["photo"].media_type)
            carrier.queue.enqueue_in(conn, record, operator="SITI", station_id=STATION, parts=[row])

    def peak(work: Callable[[], object]) -> tuple[object, int]:
        tracemalloc.start()
        try:
            done = work()
            return done, tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    bundle, receipt = tmp_path / "big.ektpbundle", tmp_path / "big.ektpreceipt"
    exported, export_peak = peak(lambda: carrier.export_bundle(bundle))
    assert exported.entries == 1000 and exported.parts == 1000  # type: ignore[attr-defined]
    assert bundle.stat().st_size > 1000 * PART_BYTES
    imported, import_peak = peak(lambda: carry(central, bundle, receipt))
    assert imported.accepted == 1000 and imported.parts_verified == 1000  # type: ignore[attr-defined]
    applied, apply_peak = peak(lambda: carrier.import_receipt(receipt))
    assert applied.parts_verified == 1000  # type: ignore[attr-defined]
    print(  # the measured figures, for docs/bundles.md (no personal data)
        f"bundle {bundle.stat().st_size / 2**20:.1f} MiB; peak heap: export "
        f"{export_peak / 2**20:.1f} MiB, import {import_peak / 2**20:.1f} MiB, receipt "
        f"{apply_peak / 2**20:.1f} MiB"
    )
    assert export_peak < MEMORY_BOUND and import_peak < MEMORY_BOUND, (export_peak, import_peak)
    assert apply_peak < MEMORY_BOUND


# -- what a review found: stale images, withdrawals, swapped files, paths -------------------


def test_a_part_captured_again_after_the_export_replaces_the_bundle_s_image(
    carrier: Station, central: CentralServer, tmp_path: Path
) -> None:
    """The bundle carries the old image; the station's new one, sent online later, takes its
    place at the centre (no decision was made on the old one). An old bundle imported after
    the new image never puts the old one back."""
    from ektp_station.domain.biometrics import PART_SPECS
    from ektp_station.store.parts import PartRow

    seq = capture(carrier.queue, carrier.attachments, 1)
    exported = carrier.export_bundle(tmp_path / "a.ektpbundle")
    new = carrier.attachments.put(images(99)["finger_r1"])
    row = PartRow("finger_r1", new.sha256, new.size, PART_SPECS["finger_r1"].media_type)
    carrier.queue.complete_parts(seq, [row], actor=SUPERVISOR)
    carry(central, exported.path, tmp_path / "a.ektpreceipt")
    applied = carrier.import_receipt(tmp_path / "a.ektpreceipt")
    assert (applied.uploading, applied.parts_verified) == (1, 13)  # finger_r1 still to go
    carrier.change_settings(Settings(**{**_fields(carrier.settings), "central_url": central.url}))
    assert carrier.drain(give_up_after=20)
    assert carrier.entry(seq).state is State.SYNCED
    held = centre_parts(central)
    assert held[(carrier.entry(seq).entry_id, "finger_r1")] == (new.sha256, new.size, True)
    again = carry(central, exported.path, tmp_path / "b.ektpreceipt")  # the old bundle again
    assert again.parts_verified == 13
    assert centre_parts(central) == held


def test_a_withdrawal_after_the_export_is_reported_when_the_receipt_comes_back(
    carrier: Station, central: CentralServer, tmp_path: Path
) -> None:
    seeds = record_some(carrier)
    exported = carrier.export_bundle(tmp_path / "a.ektpbundle")
    carrier.discard(seeds[1], "warga membatalkan")
    carry(central, exported.path, tmp_path / "a.ektpreceipt")
    applied = carrier.import_receipt(tmp_path / "a.ektpreceipt")
    assert (applied.withdrawn_here, applied.synced) == (1, 3)
    assert carrier.entry(seeds[1]).state is State.DISCARDED


def test_the_bundle_read_is_the_bundle_verified(
    carrier: Station, central: CentralServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file swapped after its signature was checked (a shared folder, a stick handing out
    other bytes at a second read) is not what gets stored: the centre reads its own copy."""
    from ektp_station.bundles import container

    record_some(carrier)
    genuine = carrier.export_bundle(tmp_path / "a.ektpbundle").path
    other = make_record(50)
    carrier.queue.enqueue(other, operator="EVIL", station_id=STATION)
    swapped = carrier.export_bundle(tmp_path / "b.ektpbundle").path.read_bytes()
    verify = container.BundleReader.verify

    def verify_then_swap(self: container.BundleReader, key: object) -> None:
        verify(self, key)  # type: ignore[arg-type]
        genuine.write_bytes(swapped)  # the file named on the command line, changed now

    monkeypatch.setattr(container.BundleReader, "verify", verify_then_swap)
    report = carry(central, genuine, tmp_path / "a.ektpreceipt")
    assert report.entries == 4  # what was verified, not the 5 of the swapped file


@pytest.mark.parametrize("where", ["queue", "folder", "partial-symlink"])
def test_an_export_never_writes_over_what_is_not_a_bundle(
    carrier: Station, central: CentralServer, tmp_path: Path, where: str
) -> None:
    record_some(carrier)
    precious = tmp_path / "precious.txt"
    precious.write_text("tidak boleh hilang")
    if where == "queue":
        target = carrier.paths.data_dir / "queue.sqlite3"
    elif where == "folder":
        target = tmp_path
    else:
        target = tmp_path / "b.ektpbundle"
        (tmp_path / "b.ektpbundle.partial").symlink_to(precious)
    before = target.read_bytes() if target.is_file() else None
    if where == "partial-symlink":
        carrier.export_bundle(target)  # a planted name is not followed
        assert precious.read_text() == "tidak boleh hilang"
        assert target.read_bytes().startswith(b"EKTP-BUNDLE-1\n")
        return
    with pytest.raises(BundleRefused) as caught:
        carrier.export_bundle(target)
    assert caught.value.reason == "target_exists"
    assert carrier.count(State.PENDING) == 4
    if before is not None:
        assert target.read_bytes() == before
    # the centre's database is never a receipt either
    bundle = carrier.export_bundle(tmp_path / "c.ektpbundle").path
    database = Path(central.db_url.removeprefix("sqlite:///"))
    with pytest.raises(BundleRefused) as caught:
        carry(central, bundle, database)
    assert caught.value.reason == "target_exists" and centre_rows(central) == []


@pytest.mark.parametrize(
    "content",
    [
        b"EKTP-BUNDLE-1\n" + b"[" * 4000 + b"\n",
        b'EKTP-BUNDLE-1\n{"format": 1, "station_id": "\\ud800"}\n',
        b"EKTP-BUNDLE-1\n" + b"x" * 10_000,
    ],
    ids=["deep-header", "lone-surrogate", "no-header-end"],
)
def test_crafted_bundles_are_refused_in_one_line(
    central: CentralServer, tmp_path: Path, content: bytes
) -> None:
    crafted = tmp_path / "crafted.ektpbundle"
    crafted.write_bytes(content)
    _refused(central, crafted, tmp_path / "r.ektpreceipt", "not_bundle")


def test_crafted_receipts_are_refused_before_they_are_parsed(
    carrier: Station, tmp_path: Path
) -> None:
    import os

    cases = {
        "deep.ektpreceipt": b"[" * 200_000,
        "signed-looking.ektpreceipt": b'{"format": "ektp-receipt-1", "signature": "AAAA"}\n'
        + b"[{}," * 100_000,
    }
    for name, content in cases.items():
        (tmp_path / name).write_bytes(content)
        with pytest.raises(BundleRefused) as caught:
            carrier.import_receipt(tmp_path / name)
        assert caught.value.reason in ("not_receipt", "receipt_signature"), name
    fifo = tmp_path / "pipe.ektpreceipt"
    os.mkfifo(fifo)
    with pytest.raises(BundleRefused) as caught:
        carrier.import_receipt(fifo)  # not opened: it would wait for a writer for ever
    assert caught.value.reason == "unreadable"


def test_a_missing_image_is_left_out_and_the_rest_goes(
    carrier: Station, central: CentralServer, tmp_path: Path
) -> None:
    seeds = record_some(carrier)
    lost = next(p for p in carrier.queue.parts(seeds[1]) if p.part == "photo")
    assert lost.sha256 is not None
    carrier.attachments.path_of(lost.sha256).unlink()
    exported = carrier.export_bundle(tmp_path / "a.ektpbundle")
    assert (exported.entries, exported.parts) == (4, 14 + 14 + 12 - 1)
    assert next(p for p in carrier.queue.parts(seeds[1]) if p.part == "photo").lost_at
