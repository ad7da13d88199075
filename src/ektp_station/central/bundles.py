"""The centre's side of the USB bundles: ``central import-bundle FILE --receipt OUT``.

Before anything is stored, the bundle is checked whole: made for this centre (its id and the
key it is encrypted to), by a station registered here and not revoked, signed with that
station's key over every byte (a first pass that only hashes). Then it is decrypted as it is
read and goes through exactly what the online path runs: the entries in batches of at most
``MAX_BATCH_ENTRIES`` through :class:`~.ingest.Ingestor` (validation, idempotency, the same
results), each part through :class:`~.uploads.UploadStore` (the same metadata check, the
same "biodata first", the same sha256 verification at its last byte), in pieces of 1 MiB.
So a bundle imported twice, or entries that also came online, are stored once
(``already_accepted``; a verified part is found verified). The receipt, signed with the
centre's key, says what happened to each entry and part (bundles/receipt.py).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from pydantic import ValidationError

from ..bundles.container import BundleReader, PlainReader
from ..bundles.files import check_output
from ..bundles.keys import b64, public_bytes, unb64
from ..bundles.receipt import MAGIC as RECEIPT_MAGIC
from ..bundles.receipt import CarriedEntry, CarriedPart, Receipt, write_receipt
from ..bundles.records import END, ENTRY, PART, PartHeader, read_records
from ..errors import BundleRefused
from ..sync.protocol import MAX_BATCH_ENTRIES, Backlog, BatchEntry, BatchRequest
from .db import CentralDB, stations
from .identity import centre_identity
from .ingest import Ingestor, StationBusy
from .uploads import UploadStore, part_refusal

__all__ = ["ImportReport", "import_bundle"]

log = logging.getLogger(__name__)

BATCH = 100  # entries per ingest transaction (at most MAX_BATCH_ENTRIES)
BUSY_WAIT_S = 30.0  # how long a station's lock held by a server worker is waited for


@dataclass(frozen=True)
class ImportReport:
    bundle_id: str
    station_id: str
    entries: int
    accepted: int
    already_accepted: int
    rejected: int
    conflict: int
    parts: int
    parts_verified: int


def _station_key(db: CentralDB, station_id: str) -> Ed25519PublicKey:
    with db.engine.connect() as conn:
        row = conn.execute(
            sa.select(stations.c.token_hash, stations.c.bundle_key).where(
                stations.c.station_id == station_id
            )
        ).first()
    if row is None:
        raise BundleRefused("unregistered", "bundle from an unregistered station")
    if str(row.token_hash).startswith("revoked:"):
        raise BundleRefused("revoked", "bundle from a revoked station")
    if not row.bundle_key:
        # registered before bundles: its token's key was never kept
        raise BundleRefused("revoked", "station has no bundle key (token from before 0003)")
    return Ed25519PublicKey.from_public_bytes(unb64(row.bundle_key))


def import_bundle(
    db: CentralDB,
    upload_dir: Path,
    source: Path,
    receipt_path: Path,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Check, ingest, write the signed receipt (see the module's docstring); ``progress``
    gets (entries done, entries in the bundle). BundleRefused with nothing stored — but for
    "centre_storage" and "receipt_unwritable", after which importing again is harmless."""
    check_output(receipt_path, (RECEIPT_MAGIC,))  # never over the centre's database, say
    with BundleReader.copied(source, upload_dir) as reader:
        return _import(db, upload_dir, reader, receipt_path, progress)


def _import(
    db: CentralDB,
    upload_dir: Path,
    reader: BundleReader,
    receipt_path: Path,
    progress: Callable[[int, int], None] | None,
) -> ImportReport:
    header = reader.header
    identity = centre_identity(db)
    if header.centre_id != identity.centre_id or header.centre_box_key != b64(
        public_bytes(identity.box_key.public_key())
    ):
        raise BundleRefused("other_centre", "bundle made for another centre")
    reader.verify(_station_key(db, header.station_id))
    assert reader.sha256 is not None
    _check_form(reader, identity.box_key)  # a signed bundle out of form: refused whole too
    station_id = header.station_id
    ingestor = Ingestor(db)
    store = UploadStore(db, upload_dir)
    entries: list[CarriedEntry] = []
    parts: list[CarriedPart] = []
    pending: list[BatchEntry] = []
    counted: dict[str, int] = {}

    def flush() -> None:
        if not pending:
            return
        results = _ingest(ingestor, station_id, pending)
        for sent, result in zip(pending, results, strict=True):
            entries.append(CarriedEntry(sent.revision, result))
            counted[result.status] = counted.get(result.status, 0) + 1
        pending.clear()
        if progress is not None:
            progress(len(entries), header.entries)

    end: dict[str, object] | None = None
    for record in read_records(PlainReader(reader.plaintext(identity.box_key))):
        if record.kind == ENTRY:
            if parts:
                raise BundleRefused("not_bundle", "an entry after the parts")
            try:
                pending.append(BatchEntry.model_validate(record.data))
            except ValidationError:
                # the station's own check (to_wire) lets no such entry into a bundle
                raise BundleRefused("not_bundle", "an entry out of the protocol's form") from None
            if len(pending) >= BATCH:
                flush()
        elif record.kind == PART:
            flush()
            assert record.pieces is not None
            parts.append(_take_part(store, station_id, PartHeader.from_json(record.data), record))
        elif record.kind == END:
            flush()
            end = record.data
    if end != {"entries": len(entries), "parts": len(parts)}:
        raise BundleRefused("not_bundle", "the end record does not count what came")
    receipt = Receipt(
        centre_id=identity.centre_id,
        station_id=station_id,
        bundle_id=header.bundle_id,
        bundle_sha256=reader.sha256,
        imported_at=datetime.now(UTC).isoformat(),
        entries=tuple(entries),
        parts=tuple(parts),
    )
    try:
        write_receipt(receipt_path, receipt, identity.sign_key)
    except BundleRefused as exc:
        raise BundleRefused("receipt_unwritable", exc.detail) from None
    report = ImportReport(
        bundle_id=header.bundle_id,
        station_id=station_id,
        entries=len(entries),
        accepted=counted.get("accepted", 0),
        already_accepted=counted.get("already_accepted", 0),
        rejected=counted.get("rejected", 0),
        conflict=counted.get("conflict", 0),
        parts=len(parts),
        parts_verified=sum(1 for p in parts if p.verified),
    )
    log.info("bundle %s from station %s imported: %s", header.bundle_id, station_id, report)
    return report


def _check_form(reader: BundleReader, box_key: X25519PrivateKey) -> None:
    """A pass that decrypts and reads every record without storing anything: a bundle whose
    station signed something out of form (a fault of that station's program) is refused
    before its first entry is stored, not half-way."""
    entries = parts = 0
    for record in read_records(PlainReader(reader.plaintext(box_key))):
        if record.kind == ENTRY:
            if parts:
                raise BundleRefused("not_bundle", "an entry after the parts")
            try:
                BatchEntry.model_validate(record.data)
            except ValidationError:
                raise BundleRefused("not_bundle", "an entry out of the protocol's form") from None
            entries += 1
        elif record.kind == PART:
            parts += 1
        elif record.data != {"entries": entries, "parts": parts}:
            raise BundleRefused("not_bundle", "the end record does not count what came")


def _ingest(ingestor: Ingestor, station_id: str, batch: list[BatchEntry]) -> list:  # type: ignore[type-arg]
    request = BatchRequest(
        station_id=station_id,
        station_time=datetime.now(UTC),
        backlog=Backlog(pending=0),
        entries=batch[:MAX_BATCH_ENTRIES],
    )
    deadline = time.monotonic() + BUSY_WAIT_S
    while True:
        try:
            return ingestor.ingest(station_id, request, report=False)
        except StationBusy:
            # a server worker is storing a batch of this station (PostgreSQL): after it
            if time.monotonic() >= deadline:
                raise BundleRefused("busy", "station busy at the centre") from None
            time.sleep(0.2)


def _take_part(
    store: UploadStore, station_id: str, head: PartHeader, record: object
) -> CarriedPart:
    """One part as an upload: created (or found), its bytes appended where it stands."""
    pieces = record.pieces  # type: ignore[attr-defined]

    def refused(code: str) -> CarriedPart:
        return CarriedPart(head.entry_id, head.part, head.sha256, False, code)

    refusal = part_refusal(head.entry_id, head.part, head.sha256, head.size)
    if refusal is not None:
        return refused(refusal)
    made = store.create(
        station_id, head.entry_id, head.part, head.sha256, head.size, replace_verified=False
    )
    if isinstance(made, str):  # "entry_unknown" (its biodata refused), "part_changed"
        return refused(made)
    upload, offset = made, 0
    for piece in pieces:
        end = offset + len(piece)
        if upload.verified or end <= upload.received:
            offset = end  # held already (an earlier import, or online)
            continue
        skip = max(0, upload.received - offset)
        moved = store.append(upload, offset + skip, piece[skip:])
        if moved is None:  # a worker moved it meanwhile: where does it stand now?
            again = store.get(upload.upload_id)
            if again is None:
                return refused("upload_gone")
            upload = again
        else:
            upload = moved
        offset = end
    if not upload.verified:
        return refused("sha256_mismatch")
    return CarriedPart(head.entry_id, head.part, head.sha256, True)
