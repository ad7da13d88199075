"""Capture with biometric parts: checked with the biodata, the images durable and encrypted
before the entry names them, entry and part rows in one transaction, counted while waiting,
purged with the entry; files a crashed save left behind are swept at the next start."""

from __future__ import annotations

import os
import time
from functools import cache
from pathlib import Path

import pytest

from ektp_station.devtools.images import demo_parts, fingerprint_png
from ektp_station.domain.biometrics import PARTS
from ektp_station.errors import DuplicateNikError, RecordInvalid
from ektp_station.station import Station
from ektp_station.store import State

from .conftest import OpenStation
from .support import OPERATOR, OPERATOR_PIN, SUPERVISOR, SUPERVISOR_PIN
from .test_retention import deliver
from factories import make_record
from sync_support import STATION


@cache
def images(seed: int) -> dict[str, bytes]:
    return demo_parts(("capture", seed))


def stored_files(station: Station) -> list[str]:
    return sorted(p.name for p in station.paths.attachments_dir.rglob("*.part"))


def test_a_resident_with_every_part_is_saved_whole(station: Station) -> None:
    station.sign_in(OPERATOR, OPERATOR_PIN)
    chosen = {p: d for p, d in images(1).items() if p != "iris_l"}
    captured = station.capture(
        make_record(1), confirmed=True, images=chosen, exceptions={"iris_l": "injured"}
    )
    assert captured.missing_parts == []
    rows = {row.part: row for row in station.queue.parts(captured.entry.seq)}
    assert set(rows) == set(PARTS)
    assert rows["iris_l"].reason == "injured" and not rows["iris_l"].captured
    for part, data in chosen.items():
        assert station.attachments.read(str(rows[part].sha256)) == data
        assert rows[part].size == len(data)
    status = station.status()
    assert status.attachments_pending == 13
    assert status.bytes_pending == sum(len(d) for d in chosen.values())
    assert status.to_json()["attachments_pending"] == 13


def test_a_part_with_a_problem_saves_nothing(station: Station) -> None:
    station.sign_in(OPERATOR, OPERATOR_PIN)
    bad = {**images(2), "finger_r3": fingerprint_png("low", dpi=250)}
    with pytest.raises(RecordInvalid) as refused:
        station.capture(make_record(2), confirmed=True, images=bad)
    assert [(p.field, p.code) for p in refused.value.problems] == [("finger_r3", "part_resolution")]
    assert station.queue.count() == 0 and stored_files(station) == []
    # the biodata's problems and the parts' come together, so the operator sees all at once
    with pytest.raises(RecordInvalid) as both:
        station.capture(make_record(2, rt="000"), confirmed=True, images=bad)
    assert {p.code for p in both.value.problems} >= {"rt_rw_zero", "part_resolution"}


def test_an_incomplete_entry_says_what_is_missing(station: Station) -> None:
    station.sign_in(OPERATOR, OPERATOR_PIN)
    first = {p: images(3)[p] for p in ("photo", "signature")}
    captured = station.capture(make_record(3), confirmed=True, images=first)
    assert captured.missing_parts == list(PARTS[2:])
    assert station.capture(make_record(4), confirmed=True).missing_parts == []  # biodata only


def test_a_refused_save_leaves_files_the_sweep_removes(
    station: Station, open_station: OpenStation
) -> None:
    station.sign_in(OPERATOR, OPERATOR_PIN)
    station.capture(make_record(5), confirmed=True, images=images(5))
    with pytest.raises(DuplicateNikError):  # the same resident again, other images
        station.capture(make_record(5), confirmed=True, images=images(6))
    assert len(stored_files(station)) == 28  # the refused save's images: no row names them
    old = time.time() - 7200
    for path in station.paths.attachments_dir.rglob("*.part"):
        os.utime(path, (old, old))
    station.close()
    again = open_station()
    assert len(stored_files(again)) == 14  # swept at the start; the saved entry's stay
    entry = again.queue.list_entries()[0]
    for row in again.queue.parts(entry.seq):
        assert again.attachments.verify(str(row.sha256))


def test_purge_removes_the_images_discarded_entries_are_not_counted(station: Station) -> None:
    station.sign_in(OPERATOR, OPERATOR_PIN)
    kept = station.capture(make_record(7), confirmed=True, images=images(7)).entry.seq
    gone = station.capture(make_record(8), confirmed=True, images=images(8)).entry.seq
    withdrawn = station.capture(make_record(9), confirmed=True, images=images(9)).entry.seq
    assert station.status().attachments_pending == 42
    station.sign_in(SUPERVISOR, SUPERVISOR_PIN)
    station.discard(withdrawn, "salah orang")
    assert station.status().attachments_pending == 28
    deliver(station, gone)
    assert station.entry(gone).state is State.UPLOADING  # the biodata is in, not the images
    for row in station.queue.parts(gone):
        station.queue.part_verified(gone, row.part)  # as the centre's replies do
    assert station.entry(gone).state is State.SYNCED
    assert station.queue.record_enrolment(gone, "print_ready", None)  # the centre decided
    station.purge(0)
    assert station.queue.parts(gone) == [] and station.queue.parts(withdrawn) == []
    assert len(stored_files(station)) == 14
    for row in station.queue.parts(kept):
        assert station.attachments.has(str(row.sha256))


def test_backups_carry_the_parts_and_a_restore_on_a_new_pc_brings_them_back(
    station: Station, open_station: OpenStation, tmp_path: Path
) -> None:
    from ektp_station.store.backup import restore
    from ektp_station.store.keys import KeyStore, parse_recovery_key

    station.sign_in(OPERATOR, OPERATOR_PIN)
    seq = station.capture(make_record(61), confirmed=True, images=images(61)).entry.seq
    stick = tmp_path / "usb"
    info = station.backup_now(stick / "queue-backup.sqlite3")
    kept = sorted(p.name for p in (stick / "attachments").rglob("*.part"))
    assert kept == stored_files(station) and len(kept) == 14
    marker = images(61)["finger_r1"][40:80]
    assert all(marker not in p.read_bytes() for p in (stick / "attachments").rglob("*.part"))
    station.sign_in(SUPERVISOR, SUPERVISOR_PIN)
    recovery = station.recovery_key()
    station.close()
    # a new PC: an empty data folder, no key of its own, the recovery key typed in
    new_pc = tmp_path / "pc-baru"
    restore(
        new_pc,
        info.path,
        station_id=STATION,
        keys=KeyStore(tmp_path / "keys-baru", use_keyring=False),
        recovery=parse_recovery_key(recovery),
    )
    again = open_station(new_pc)
    rows = again.queue.parts(seq)
    assert len(rows) == 14
    for row in rows:
        assert again.attachments.read(str(row.sha256)) == images(61)[row.part]
