"""The station's side of the USB bundles: export what waits, apply the centre's receipt.

:func:`export_bundle` writes every entry the centre has not confirmed — ``pending``,
``sending`` and ``uploading``, biodata and the parts not verified yet — into one bundle
(``bundles.container``: encrypted to the centre key, signed with the key of the station's
token), streamed: one entry, or one piece of a part, in memory at a time. It changes
nothing in the queue: the online path goes on, and whatever reaches the centre both ways is
stored once (its idempotency). The file is written as ``FILE.partial`` and renamed when
whole, so a stick pulled out mid-way leaves no file that looks like a bundle.

:func:`import_receipt` checks the receipt (``bundles.receipt``) and applies it as replies
(``store.delivery.apply_carried``).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ..bundles.container import MAGIC, BundleHeader, BundleWriter
from ..bundles.files import check_output, output_file
from ..bundles.keys import CentreKey, b64, public_bytes, station_signing_key
from ..bundles.receipt import read_receipt
from ..bundles.records import END, ENTRY, PartHeader, write_part, write_record
from ..errors import BundleRefused
from ..settings import Settings
from ..store import Queue
from ..store.attachments import AttachmentStore
from ..store.entry import Entry
from ..store.parts import PartRow
from ..store.states import State
from ..sync.outcomes import outcome_of, to_wire
from ..timeutil import utc_now_iso

__all__ = [
    "CARRIED",
    "BundleProgress",
    "ExportReport",
    "ReceiptReport",
    "centre_key_of",
    "export_bundle",
    "import_receipt",
]

log = logging.getLogger(__name__)

#: The states whose entries a bundle carries: not confirmed whole by the centre yet.
CARRIED = (State.PENDING, State.SENDING, State.UPLOADING)


@dataclass(frozen=True)
class BundleProgress:
    entries_done: int
    entries_total: int
    bytes_done: int
    bytes_total: int


@dataclass(frozen=True)
class ExportReport:
    path: Path
    bundle_id: str
    entries: int
    parts: int
    bytes: int  # of the file


@dataclass(frozen=True)
class ReceiptReport:
    bundle_id: str
    entries: int  # results in the receipt
    synced: int
    uploading: int
    rejected: int
    conflict: int
    parts_verified: int
    unchanged: int  # already so, or changed since the export (left as they are)
    #: withdrawn here after the export, yet stored at the centre from the bundle: the
    #: supervisor tells the centre (among ``unchanged``)
    withdrawn_here: int = 0


def centre_key_of(settings: Settings) -> CentreKey:
    if not settings.centre_key:
        raise BundleRefused("no_centre_key")
    try:
        return CentreKey.parse(settings.centre_key)
    except ValueError:
        raise BundleRefused("no_centre_key", "the centre-key setting is not a centre key") from None


def _parts_to_carry(rows: list[PartRow]) -> list[PartRow]:
    return [r for r in rows if r.captured and r.verified_at is None and not r.lost_at]


def waiting_count(queue: Queue) -> int:
    return sum(queue.count(state) for state in CARRIED)


def export_bundle(
    queue: Queue,
    store: AttachmentStore,
    settings: Settings,
    target: Path,
    progress: Callable[[BundleProgress], None] | None = None,
) -> ExportReport:
    """Write the bundle to ``target`` (see the module's docstring). BundleRefused: no centre
    key or token set, ``target`` not writable (nothing left behind)."""
    centre = centre_key_of(settings)
    if not settings.token:
        raise BundleRefused("no_token")
    signing_key = station_signing_key(settings.token)
    # what goes: the entries' numbers and their parts, read first (small), so that the
    # header can count them; the entries themselves are read again one page at a time
    check_output(target, (MAGIC,))  # before any work: never over the queue file, say
    plan: list[tuple[int, str, list[PartRow]]] = []
    for state in CARRIED:
        plan.extend(
            (e.seq, e.entry_id, _readable(queue, store, e.seq)) for e in queue.iter_entries(state)
        )
    plan.sort(key=lambda item: item[0])
    part_total = sum(len(rows) for _seq, _id, rows in plan)
    byte_total = sum(r.size or 0 for _seq, _id, rows in plan for r in rows)
    header = BundleHeader(
        bundle_id=uuid.uuid4().hex,
        station_id=settings.effective_station_id,
        centre_id=centre.centre_id,
        centre_box_key=b64(public_bytes(centre.box_key)),
        created_at=utc_now_iso(),
        entries=len(plan),
        parts=part_total,
        part_bytes=byte_total,
    )
    done = BundleProgress(0, len(plan), 0, byte_total)

    def tell(entries: int = 0, moved: int = 0) -> None:
        nonlocal done
        done = BundleProgress(
            done.entries_done + entries, len(plan), done.bytes_done + moved, byte_total
        )
        if progress is not None:
            progress(done)

    carried_entries = carried_parts = 0
    with output_file(target, (MAGIC,)) as out:
        writer = BundleWriter(out, header, centre.box_key, signing_key)
        tell()
        gone: set[int] = set()
        for seq, _entry_id, _rows in plan:
            entry = _entry(queue, seq)
            if entry is None or entry.state not in CARRIED:  # withdrawn meanwhile
                gone.add(seq)
                tell(entries=1)
                continue
            wire, _local = to_wire([entry])
            if not wire:  # not sendable as it is (the engine marks it to be fixed)
                gone.add(seq)
            for item in wire:  # one that cannot go on the wire goes neither here
                write_record(writer, ENTRY, item.model_dump(mode="json"))
                carried_entries += 1
            tell(entries=1)
        for seq, entry_id, rows in plan:
            if seq in gone:
                tell(moved=sum(r.size or 0 for r in rows))
                continue
            for row in rows:
                assert row.sha256 is not None and row.size is not None
                head = PartHeader(entry_id, row.part, row.sha256, row.size)
                write_part(writer, head, _told(store.stream(row.sha256), tell))
                carried_parts += 1
        write_record(writer, END, {"entries": carried_entries, "parts": carried_parts})
        writer.finish()
        size = writer.written
    log.info(
        "bundle %s exported: %d entries, %d parts, %d bytes",
        header.bundle_id,
        carried_entries,
        carried_parts,
        size,
    )
    return ExportReport(target, header.bundle_id, carried_entries, carried_parts, size)


def _readable(queue: Queue, store: AttachmentStore, seq: int) -> list[PartRow]:
    """The parts of entry ``seq`` to carry. One whose file is missing or damaged here is
    marked lost, as the online path marks it (the entry waits for it to be captured again),
    and the bundle goes without it: one bad file never stops every export."""
    rows = []
    for row in _parts_to_carry(queue.parts(seq)):
        assert row.sha256 is not None
        if store.verify(row.sha256):
            rows.append(row)
        else:
            log.error("part %s of entry %d unreadable here; not carried", row.part, seq)
            queue.part_lost(seq, row.part)
    return rows


def _entry(queue: Queue, seq: int) -> Entry | None:
    from ..errors import EntryNotFound

    try:
        return queue.get(seq)
    except EntryNotFound:  # purged meanwhile
        return None


def _told(pieces: Iterable[bytes], tell: Callable[..., None]) -> Iterator[bytes]:
    for piece in pieces:
        tell(moved=len(piece))
        yield piece


def import_receipt(queue: Queue, settings: Settings, source: Path) -> ReceiptReport:
    """Check the receipt at ``source`` and apply it. BundleRefused: not a receipt, not signed
    by the centre key set here, for another station (nothing changed)."""
    centre = centre_key_of(settings)
    receipt = read_receipt(source, centre, settings.effective_station_id)
    carried = [(e.revision, outcome_of(e.result)) for e in receipt.entries]
    verified = [(p.entry_id, p.part, p.sha256) for p in receipt.parts if p.verified]
    counts = queue.apply_carried(f"bundle:{receipt.bundle_id}", carried, verified)
    log.info("receipt of bundle %s applied: %s", receipt.bundle_id, counts)
    return ReceiptReport(bundle_id=receipt.bundle_id, entries=len(receipt.entries), **counts)
