"""The attachment store: content-addressed, encrypted in authenticated segments, any byte range
readable without the rest, nothing readable or changeable without the key, durable writes."""

from __future__ import annotations

import hashlib
import os
import struct
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ektp_station.errors import AttachmentUnreadable, DiskFull
from ektp_station.store.attachments import MAGIC, SEGMENT, AttachmentStore

KEY = bytes(range(32))
MARKER = b"RESIDENT-FINGERPRINT-PIXELS"


def image(size: int, seed: int = 1) -> bytes:
    """``size`` bytes that look like nothing else (a marker repeated through them); the seed
    shows from the 28th byte on."""
    block = MARKER + hashlib.sha256(str(seed).encode()).digest()
    return (block * (size // len(block) + 1))[:size]


@pytest.fixture
def store(tmp_path: Path) -> AttachmentStore:
    return AttachmentStore(tmp_path / "attachments", KEY)


@pytest.mark.parametrize("size", [0, 1, SEGMENT - 1, SEGMENT, SEGMENT + 1, 3 * SEGMENT + 17])
def test_round_trip_at_segment_edges(store: AttachmentStore, size: int) -> None:
    data = image(size)
    stored = store.put(data)
    assert stored.sha256 == hashlib.sha256(data).hexdigest() and stored.size == size
    assert store.read(stored.sha256) == data
    assert store.size(stored.sha256) == size
    assert store.verify(stored.sha256)


@settings(max_examples=60, deadline=None)
@given(
    size=st.integers(0, 4 * SEGMENT + 100),
    offset=st.integers(0, 5 * SEGMENT),
    length=st.none() | st.integers(0, 3 * SEGMENT),
)
def test_any_byte_range_reads_as_the_slice(
    tmp_path_factory: pytest.TempPathFactory, size: int, offset: int, length: int | None
) -> None:
    store = AttachmentStore(tmp_path_factory.mktemp("att"), KEY)
    data = image(size, seed=size)
    stored = store.put_stream(data[i : i + 10_000] for i in range(0, max(size, 1), 10_000))
    end = None if length is None else offset + length
    assert store.read(stored.sha256, offset, length) == data[offset:end]


def test_nothing_of_the_image_on_disk_and_one_file_per_image(store: AttachmentStore) -> None:
    data = image(200_000)
    first = store.put(data)
    again = store.put(data)  # another entry with the same image: the same file
    assert first == again
    files = [p for p in store.folder.rglob("*") if p.is_file()]
    assert len(files) == 1
    blob = files[0].read_bytes()
    assert MARKER not in blob and first.sha256.encode() not in blob
    assert first.sha256 not in str(files[0])  # the name is a keyed digest, not the hash
    assert oct(files[0].stat().st_mode & 0o777) == "0o600"


def test_a_changed_byte_a_cut_a_new_size_or_another_key_do_not_open(
    store: AttachmentStore, tmp_path: Path
) -> None:
    data = image(3 * SEGMENT + 5)
    stored = store.put(data)
    path = store.path_of(stored.sha256)
    original = path.read_bytes()

    def attempt(blob: bytes) -> None:
        path.write_bytes(blob)
        with pytest.raises(AttachmentUnreadable):
            store.read(stored.sha256)
        assert not store.verify(stored.sha256)

    header = len(MAGIC) + 7
    flipped = bytearray(original)
    flipped[header + 8 + 100] ^= 1
    attempt(bytes(flipped))
    attempt(original[: -(SEGMENT // 2)])  # cut short
    attempt(original[: header + 8 + SEGMENT + 16])  # cut at a segment's end: no last one
    smaller = original[:header] + struct.pack(">Q", 2 * SEGMENT) + original[header + 8 :]
    attempt(smaller)  # the size says two segments: the second was not sealed as the last
    attempt(original[:10])  # not a part file any more
    path.write_bytes(original)
    assert store.read(stored.sha256) == data
    other = AttachmentStore(store.folder, bytes(32))  # another queue's key
    with pytest.raises(AttachmentUnreadable):
        other.read(stored.sha256)
    with pytest.raises(AttachmentUnreadable):
        store.read(hashlib.sha256(b"never stored").hexdigest())


def test_segments_from_another_file_do_not_fit(store: AttachmentStore) -> None:
    one, two = store.put(image(2 * SEGMENT, 1)), store.put(image(2 * SEGMENT, 2))
    a, b = store.path_of(one.sha256), store.path_of(two.sha256)
    head = len(MAGIC) + 7 + 8
    mixed = a.read_bytes()[:head] + b.read_bytes()[head:]  # same sizes, other nonce prefix
    a.write_bytes(mixed)
    with pytest.raises(AttachmentUnreadable):
        store.read(one.sha256)


def test_sweep_removes_only_old_files_no_entry_names(store: AttachmentStore) -> None:
    kept, orphan, young = (store.put(image(100, seed)) for seed in (1, 2, 3))
    old = time.time() - 7200
    for stored in (kept, orphan):
        os.utime(store.path_of(stored.sha256), (old, old))
    leftover = store.folder / ".incoming-1-2"
    leftover.write_bytes(b"half")
    os.utime(leftover, (old, old))
    assert store.sweep([kept.sha256]) == 2
    assert store.has(kept.sha256) and store.has(young.sha256) and not store.has(orphan.sha256)
    assert not leftover.exists()
    assert store.remove([kept.sha256, orphan.sha256]) == 1


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 1 MiB tmpfs: a full disk."""
    mount = tmp_path / "disk"
    mount.mkdir()
    made = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)],
        capture_output=True,
        check=False,
    )
    if made.returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs root)")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_full_disk_leaves_nothing_half_written(small_disk: Path) -> None:
    store = AttachmentStore(small_disk / "attachments", KEY)
    small = store.put(image(100_000, 1))
    with pytest.raises(DiskFull):
        store.put(image(2 * 1024 * 1024, 2))
    names = [p.name for p in store.folder.rglob("*") if p.is_file()]
    assert names == [store.path_of(small.sha256).name]  # no temporary left behind
    assert store.read(small.sha256) == image(100_000, 1)


def test_the_backups_copy_mirrors_the_store(store: AttachmentStore, tmp_path: Path) -> None:
    from ektp_station.store.attachments import copy_missing, mirror

    kept, gone = store.put(image(100, 1)), store.put(image(100, 2))
    copy = tmp_path / "usb" / "attachments"
    assert mirror(store.folder, copy) == (2, 0)
    assert mirror(store.folder, copy) == (0, 0)  # nothing new: nothing copied
    store.remove([gone.sha256])  # purged
    assert mirror(store.folder, copy) == (0, 1)  # the purged image leaves the backup too
    assert AttachmentStore(copy, KEY).read(kept.sha256) == image(100, 1)
    assert oct(copy.stat().st_mode & 0o777) == "0o700"
    new_pc = tmp_path / "pc" / "attachments"
    assert copy_missing(copy, new_pc) == 1 and copy_missing(copy, new_pc) == 0
    assert AttachmentStore(new_pc, KEY).verify(kept.sha256)
