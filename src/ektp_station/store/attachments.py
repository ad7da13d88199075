"""The station's attachment store: each biometric part one content-addressed file, encrypted.

A part is addressed by the SHA-256 of its image (what the centre verifies). The file's name
is a keyed digest of that address (``attachments/ab/<64 hex>.part``), so the folder does not
tell which known image is present. Files are shared by every entry that holds the same image
and removed when no entry holds it any more (``Station`` purges them with their entries).

**Format** (docs/encryption.md): ``MAGIC``, a 7-byte random nonce prefix and the image's
size (8 bytes, big-endian) form the header; the image follows in segments of ``SEGMENT``
bytes, each sealed with AES-256-GCM under the nonce ``prefix || segment number (4 bytes) ||
last (1 byte)``, ``MAGIC || prefix`` as associated data: the STREAM construction of
Hoang, Reyhanitabar, Rogaway and Vizár ("Online Authenticated-Encryption and its
Nonce-Reuse Misuse-Resistance", 2015), as age and Tink use it. So any byte range reads by
decrypting only the segments it touches (a resumed upload starts mid-file, a 50 MB part
never sits whole in memory), and a segment moved, dropped, taken from another file, or a
file cut short or given another size, does not authenticate.

Writes are durable before the queue's transaction names them: the file is written under a
temporary name, flushed, renamed and its folder flushed. A file without a row (a crash in
between) is removed by :meth:`AttachmentStore.sweep` once it is older than a grace period.
"""

from __future__ import annotations

import errno
import hashlib
import hmac
import logging
import os
import shutil
import struct
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ..errors import AttachmentUnreadable, DiskFull
from ..private import private_dir, private_files
from .encryption import derive

__all__ = ["MAGIC", "SEGMENT", "AttachmentStore", "StoredPart", "copy_missing", "mirror"]

log = logging.getLogger(__name__)

MAGIC = b"EKTP-PART-1\n"
SEGMENT = 64 * 1024
_TAG = 16
_HEADER = struct.Struct(">7sQ")  # nonce prefix, plaintext size
_HEADER_BYTES = len(MAGIC) + _HEADER.size
_SWEEP_GRACE_S = 3600.0  # a file younger than this may belong to a save in progress


@dataclass(frozen=True)
class StoredPart:
    sha256: str  # hex digest of the image: its address, and what the centre checks
    size: int  # bytes of the image (not of the encrypted file)


class AttachmentStore:
    """Content-addressed, encrypted part files under ``folder`` (keys derived from the
    queue key: the store opens only where its queue opens)."""

    def __init__(self, folder: Path, queue_key: bytes) -> None:
        self.folder = folder
        self._aead = AESGCM(derive(queue_key, "attachments"))
        self._names = derive(queue_key, "attachment-names")

    # -- where ---------------------------------------------------------------------------

    def path_of(self, sha256: str) -> Path:
        name = hmac.new(self._names, sha256.encode(), hashlib.sha256).hexdigest()
        return self.folder / name[:2] / f"{name}.part"

    def has(self, sha256: str) -> bool:
        return self.path_of(sha256).is_file()

    # -- writing -------------------------------------------------------------------------

    def put(self, data: bytes) -> StoredPart:
        """Store ``data`` (once: an image already stored is not written again)."""
        return self.put_stream([data])

    def put_stream(self, chunks: Iterable[bytes]) -> StoredPart:
        """Store the image made of ``chunks``, encrypting as it streams: memory stays at one
        segment whatever the size. DiskFull when the disk is; nothing half-written stays."""
        private_dir(self.folder)
        temporary = self.folder / f".incoming-{os.getpid()}-{time.monotonic_ns()}"
        digest = hashlib.sha256()
        prefix = os.urandom(7)
        size = 0
        try:
            fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            try:
                os.write(fd, b"\0" * _HEADER_BYTES)  # the size is known at the end
                number = 0
                pending = b""
                for chunk in chunks:
                    digest.update(chunk)
                    size += len(chunk)
                    pending += chunk
                    while len(pending) > SEGMENT:  # the last segment is sealed as last
                        segment, pending = pending[:SEGMENT], pending[SEGMENT:]
                        _write_all(fd, self._seal(prefix, number, segment, last=False))
                        number += 1
                _write_all(fd, self._seal(prefix, number, pending, last=True))
                os.pwrite(fd, MAGIC + _HEADER.pack(prefix, size), 0)
                os.fsync(fd)
            finally:
                os.close(fd)
            stored = StoredPart(digest.hexdigest(), size)
            target = self.path_of(stored.sha256)
            if target.is_file():
                temporary.unlink()
                return stored
            private_dir(target.parent)
            private_files([temporary])
            os.replace(temporary, target)
            _fsync_dir(target.parent)
            return stored
        except OSError as exc:
            temporary.unlink(missing_ok=True)
            if exc.errno in (errno.ENOSPC, errno.EDQUOT):
                raise DiskFull("attachment store: no space") from None
            raise

    def _seal(self, prefix: bytes, number: int, segment: bytes, *, last: bool) -> bytes:
        return self._aead.encrypt(_nonce(prefix, number, last), segment, MAGIC + prefix)

    # -- reading -------------------------------------------------------------------------

    def size(self, sha256: str) -> int:
        with self._open(sha256) as handle:
            return self._header(handle)[1]

    def read(self, sha256: str, offset: int = 0, length: int | None = None) -> bytes:
        """``length`` bytes of the image from ``offset`` (to the end when None)."""
        return b"".join(self.stream(sha256, offset, length))

    def stream(self, sha256: str, offset: int = 0, length: int | None = None) -> Iterator[bytes]:
        """The image from ``offset``, one decrypted segment at a time; AttachmentUnreadable
        when the file is missing, changed or not sealed with this store's key."""
        with self._open(sha256) as handle:
            prefix, size = self._header(handle)
            count = _segments(size)
            end = size if length is None else min(size, offset + length)
            number = min(offset // SEGMENT, count - 1)
            while number < count:
                handle.seek(_HEADER_BYTES + number * (SEGMENT + _TAG))
                sealed = handle.read(_segment_length(size, number) + _TAG)
                nonce = _nonce(prefix, number, number == count - 1)
                try:
                    plain = self._aead.decrypt(nonce, sealed, MAGIC + prefix)
                except InvalidTag:
                    raise AttachmentUnreadable("a segment does not authenticate") from None
                start = max(offset - number * SEGMENT, 0)
                stop = min(end - number * SEGMENT, len(plain))
                if stop > start:
                    yield plain[start:stop]
                if (number + 1) * SEGMENT >= end:
                    break
                number += 1

    def verify(self, sha256: str) -> bool:
        """The stored image still hashes to its address (every segment authenticates)."""
        digest = hashlib.sha256()
        try:
            for chunk in self.stream(sha256):
                digest.update(chunk)
        except AttachmentUnreadable:
            return False
        return digest.hexdigest() == sha256

    def _open(self, sha256: str) -> BinaryIO:
        try:
            return self.path_of(sha256).open("rb")
        except FileNotFoundError:
            raise AttachmentUnreadable("no such part file") from None

    def _header(self, handle: BinaryIO) -> tuple[bytes, int]:
        raw = handle.read(_HEADER_BYTES)
        if len(raw) != _HEADER_BYTES or not raw.startswith(MAGIC):
            raise AttachmentUnreadable("not a part file")
        prefix, size = _HEADER.unpack(raw[len(MAGIC) :])
        return prefix, size

    # -- removing ------------------------------------------------------------------------

    def remove(self, sha256s: Iterable[str]) -> int:
        """Delete the files of these images (the caller knows no entry holds them)."""
        removed = 0
        for sha256 in sha256s:
            try:
                self.path_of(sha256).unlink()
                removed += 1
            except FileNotFoundError:
                pass
            except OSError as exc:
                log.warning("part file not removed (%s)", exc.__class__.__name__)
        return removed

    def sweep(self, referenced: Iterable[str], *, grace: float = _SWEEP_GRACE_S) -> int:
        """Remove files no entry names (a save that crashed between its file and its row),
        and leftovers of interrupted writes, once older than ``grace`` seconds."""
        keep = {self.path_of(sha256) for sha256 in referenced}
        cutoff = time.time() - grace
        removed = 0
        if not self.folder.is_dir():
            return 0
        for path in [*self.folder.glob("*/*.part"), *self.folder.glob(".incoming-*")]:
            try:
                if path not in keep and path.stat().st_mtime < cutoff:
                    path.unlink()
                    removed += 1
            except OSError:
                continue
        return removed


def _nonce(prefix: bytes, number: int, last: bool) -> bytes:
    return prefix + struct.pack(">IB", number, 1 if last else 0)


def _segments(size: int) -> int:
    return max(1, -(-size // SEGMENT))


def _segment_length(size: int, number: int) -> int:
    return max(0, min(SEGMENT, size - number * SEGMENT))


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _part_names(folder: Path) -> set[Path]:
    """The part files under ``folder``, relative to it (none when it is not there)."""
    return {p.relative_to(folder) for p in folder.glob("*/*.part")} if folder.is_dir() else set()


def copy_missing(source: Path, target: Path) -> int:
    """Copy the part files of ``source`` that ``target`` lacks (a restore); how many."""
    names = _part_names(source) - _part_names(target)
    if names:
        private_dir(target)
    for name in sorted(names):
        _copy_file(source / name, target / name)
    return len(names)


def _copy_file(source: Path, destination: Path) -> None:
    private_dir(destination.parent)
    partial = destination.with_name(destination.name + ".partial")
    with source.open("rb") as src, partial.open("wb") as dst:
        shutil.copyfileobj(src, dst, 1024 * 1024)
        dst.flush()
        os.fsync(dst.fileno())
    private_files([partial])
    os.replace(partial, destination)
    _fsync_dir(destination.parent)


def mirror(source: Path, target: Path) -> tuple[int, int]:
    """Make ``target`` hold exactly the part files of ``source`` (the backups' copy of the
    attachment store): new files copied (durably, under a temporary name first), files gone
    from the source removed (purged biometrics leave the backups too). The files are
    immutable and already encrypted, so a file of the same name is the same file. Returns
    (copied, removed)."""
    wanted, present = _part_names(source), _part_names(target)
    copied = removed = 0
    if wanted - present:
        private_dir(target)
    for name in sorted(wanted - present):
        _copy_file(source / name, target / name)
        copied += 1
    for name in present - wanted:
        (target / name).unlink(missing_ok=True)
        removed += 1
    return copied, removed
