"""The bundle file: encrypted to the centre, signed by the station, streamed (docs/bundles.md).

Layout::

    MAGIC                       b"EKTP-BUNDLE-1\\n"
    header                      one line of JSON (no personal data: ids, counts, times)
    key block                   2-byte length, then HPKE (RFC 9180: X25519, HKDF-SHA256,
                                ChaCha20-Poly1305) of the 32-byte file key to the centre's
                                X25519 key; MAGIC + header as associated data
    nonce prefix                7 random bytes
    payload                     the plaintext in segments of SEGMENT bytes, each sealed with
                                AES-256-GCM under HKDF(file key) and the nonce ``prefix ||
                                segment number (4 bytes) || last (1 byte)``, with the SHA-256
                                of everything before the payload as associated data (the
                                STREAM construction the attachment store uses)
    trailer                     b"SIG1" + Ed25519 signature, by the station's key, of
                                SIGNED_LABEL + SHA-256(every byte before the trailer)

A bundle cut short has no trailer (and its last segment is not marked last); a byte changed
anywhere breaks the signature; the header is bound to the key block and to every segment,
so it cannot be swapped onto another payload. Everything comes from ``cryptography``; no
cipher or signature is made here, only the framing.

The writer streams: one segment in memory, the digest updated as it goes. The reader checks
the signature over the whole file first (hashing only), then decrypts segment by segment.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import struct
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hpke import AEAD, KDF, KEM, Suite
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from ..errors import BundleRefused
from .files import regular_input
from .keys import verify

__all__ = ["MAGIC", "SEGMENT", "BundleHeader", "BundleReader", "BundleWriter", "read_header"]

MAGIC = b"EKTP-BUNDLE-1\n"
SEGMENT = 64 * 1024
SIGNED_LABEL = b"ektp-station bundle/1 signature\0"
_TRAILER_MAGIC = b"SIG1"
_TRAILER = len(_TRAILER_MAGIC) + 64
_TAG = 16
_MAX_HEADER = 4096
_FILE_KEY_INFO = b"ektp-station bundle/1 file key"
_PAYLOAD_INFO = b"ektp-station bundle/1 payload"
_SUITE = Suite(KEM.X25519, KDF.HKDF_SHA256, AEAD.CHACHA20_POLY1305)
_COUNTER = struct.Struct(">I")


@dataclass(frozen=True, slots=True)
class BundleHeader:
    """What the header says (readable before anything is verified: it names whom to ask)."""

    bundle_id: str
    station_id: str
    centre_id: str
    centre_box_key: str  # base64url: the X25519 key the bundle is encrypted to
    created_at: str
    entries: int
    parts: int
    part_bytes: int

    def to_json(self) -> dict[str, Any]:
        return {
            "format": 1,
            "bundle_id": self.bundle_id,
            "station_id": self.station_id,
            "centre_id": self.centre_id,
            "centre_box_key": self.centre_box_key,
            "created_at": self.created_at,
            "entries": self.entries,
            "parts": self.parts,
            "part_bytes": self.part_bytes,
        }

    @classmethod
    def from_json(cls, data: object) -> BundleHeader:
        if not isinstance(data, dict) or data.get("format") != 1:
            raise ValueError("not a version-1 header")
        texts = ("bundle_id", "station_id", "centre_id", "centre_box_key", "created_at")
        numbers = ("entries", "parts", "part_bytes")
        if not all(_plain(data.get(k)) for k in texts):
            raise ValueError("header text fields")
        if not all(type(data.get(k)) is int and data[k] >= 0 for k in numbers):
            raise ValueError("header counts")
        return cls(**{k: data[k] for k in texts + numbers})


def _plain(value: object) -> bool:
    """Ids, keys and times: 1..128 printable ASCII characters (what a database and a log can
    always hold)."""
    return (
        isinstance(value, str) and 0 < len(value) <= 128 and value.isascii() and value.isprintable()
    )


def _segment_key(file_key: bytes) -> AESGCM:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_PAYLOAD_INFO).derive(file_key)
    return AESGCM(key)


def _nonce(prefix: bytes, number: int, last: bool) -> bytes:
    return prefix + _COUNTER.pack(number) + (b"\x01" if last else b"\x00")


class BundleWriter(io.RawIOBase):
    """A write-only stream: what is written is sealed segment by segment into ``out``;
    :meth:`finish` seals the last segment and signs. ``out`` is written, never read."""

    def __init__(
        self,
        out: BinaryIO,
        header: BundleHeader,
        centre_box_key: X25519PublicKey,
        signing_key: Ed25519PrivateKey,
    ) -> None:
        super().__init__()
        self._out = out
        self._signing_key = signing_key
        self._digest = hashlib.sha256()
        self._buffer = bytearray()
        self._number = 0
        self.written = 0  # bytes of the file so far
        head = MAGIC + json.dumps(header.to_json(), sort_keys=True).encode() + b"\n"
        file_key = os.urandom(32)
        sealed_key = _SUITE.encrypt(file_key, centre_box_key, info=_FILE_KEY_INFO + head)
        self._prefix = os.urandom(7)
        self._emit(head + struct.pack(">H", len(sealed_key)) + sealed_key + self._prefix)
        self._aad = self._digest.digest()
        self._aead = _segment_key(file_key)

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        view = memoryview(data).cast("B")
        self._buffer += view
        while len(self._buffer) > SEGMENT:  # one byte kept: the last segment is never empty
            self._seal(bytes(self._buffer[:SEGMENT]), last=False)
            del self._buffer[:SEGMENT]
        return len(view)

    def _seal(self, segment: bytes, *, last: bool) -> None:
        nonce = _nonce(self._prefix, self._number, last)
        self._emit(self._aead.encrypt(nonce, segment, self._aad))
        self._number += 1

    def _emit(self, data: bytes) -> None:
        self._digest.update(data)
        self._out.write(data)
        self.written += len(data)

    def finish(self) -> None:
        self._seal(bytes(self._buffer), last=True)
        self._buffer.clear()
        signature = self._signing_key.sign(SIGNED_LABEL + self._digest.digest())
        self._out.write(_TRAILER_MAGIC + signature)
        self.written += _TRAILER


def _parse_head(handle: BinaryIO) -> tuple[BundleHeader, bytes]:
    if handle.read(len(MAGIC)) != MAGIC:
        raise BundleRefused("not_bundle")
    line = handle.readline(_MAX_HEADER)
    if not line.endswith(b"\n"):
        raise BundleRefused("not_bundle")
    try:
        header = BundleHeader.from_json(json.loads(line))
    except (ValueError, RecursionError) as exc:  # json's errors are ValueErrors too
        raise BundleRefused("not_bundle", f"bundle header: {exc.__class__.__name__}") from None
    return header, MAGIC + line


def read_header(path: Path) -> BundleHeader:
    """The header of the bundle at ``path`` (not verified yet). BundleRefused."""
    try:
        with path.open("rb") as handle:
            return _parse_head(handle)[0]
    except OSError as exc:
        raise BundleRefused("unreadable", f"bundle unreadable: {exc.__class__.__name__}") from None


class BundleReader:
    """A bundle opened at the centre: :meth:`verify` first, then :meth:`plaintext`; read from
    a private copy (:meth:`copied`), so that the bytes decrypted are the bytes verified."""

    @classmethod
    @contextlib.contextmanager
    def copied(cls, source: Path, folder: Path) -> Iterator[BundleReader]:
        """The bundle at ``source`` copied once into ``folder`` (the centre's, 0700; the copy
        0600 and removed afterwards): a stick, a shared folder or a file system that hands out
        other bytes at a second read cannot swap the payload after the signature check."""
        regular_input(source, "bundle")
        try:
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd, name = tempfile.mkstemp(dir=folder, prefix=".incoming-", suffix=".ektpbundle")
        except OSError as exc:
            raise BundleRefused("centre_storage", f"no copy: {exc.__class__.__name__}") from None
        copy = Path(name)
        try:
            with os.fdopen(fd, "wb") as out:
                try:
                    with source.open("rb") as handle:
                        while block := handle.read(1024 * 1024):
                            out.write(block)
                except OSError as exc:
                    raise BundleRefused("unreadable", f"bundle: {exc.__class__.__name__}") from None
            yield cls(copy)
        except OSError as exc:
            raise BundleRefused(
                "centre_storage", f"bundle copy: {exc.__class__.__name__}"
            ) from None
        finally:
            with contextlib.suppress(OSError):
                copy.unlink()

    def __init__(self, path: Path) -> None:
        self.path = path
        self.header = read_header(path)
        self.size = path.stat().st_size
        self.sha256: str | None = None  # the whole file's, once verified

    def verify(self, station_key: Ed25519PublicKey) -> None:
        """The station's signature over the whole file (a first pass, hashing only)."""
        digest = hashlib.sha256()
        whole = hashlib.sha256()
        signed = self.size - _TRAILER
        with self.path.open("rb") as handle:
            left = signed
            while left > 0:
                block = handle.read(min(left, 1024 * 1024))
                if not block:
                    raise BundleRefused("truncated")
                digest.update(block)
                whole.update(block)
                left -= len(block)
            trailer = handle.read(_TRAILER)
        whole.update(trailer)
        if signed <= 0 or len(trailer) != _TRAILER or not trailer.startswith(_TRAILER_MAGIC):
            raise BundleRefused("truncated")
        if not verify(station_key, trailer[len(_TRAILER_MAGIC) :], SIGNED_LABEL + digest.digest()):
            raise BundleRefused("signature")
        self.sha256 = whole.hexdigest()

    def plaintext(self, box_key: X25519PrivateKey) -> Iterator[bytes]:
        """The payload decrypted, segment by segment (after :meth:`verify`). BundleRefused
        "other_centre" when the file key does not open with ``box_key``."""
        if self.sha256 is None:
            raise RuntimeError("verify the bundle first")
        with self.path.open("rb") as handle:
            _header, head = _parse_head(handle)
            (length,) = struct.unpack(">H", handle.read(2))
            sealed_key = handle.read(length)
            prefix = handle.read(7)
            try:
                file_key = _SUITE.decrypt(sealed_key, box_key, info=_FILE_KEY_INFO + head)
            except Exception:  # noqa: BLE001  (HPKE says only "it does not open")
                # the header names this centre and its key (checked first), yet the key does
                # not open under it: the header was changed after the bundle was made
                raise BundleRefused("signature", "bundle file key does not open") from None
            aad = hashlib.sha256(head + struct.pack(">H", length) + sealed_key + prefix).digest()
            aead = _segment_key(file_key)
            left = self.size - _TRAILER - handle.tell()
            number = 0
            while left > 0:
                size = min(left, SEGMENT + _TAG)
                sealed = handle.read(size)
                left -= size
                last = left == 0
                try:
                    yield aead.decrypt(_nonce(prefix, number, last), sealed, aad)
                except InvalidTag:
                    raise BundleRefused("signature", f"segment {number} does not open") from None
                number += 1
            if number == 0:
                raise BundleRefused("truncated")


class PlainReader:
    """Exact reads over the decrypted segments (the records' framing: bundles.records)."""

    def __init__(self, segments: Iterator[bytes]) -> None:
        self._segments = segments
        self._buffer = b""
        self._at = 0

    def read(self, size: int) -> bytes:
        """Exactly ``size`` bytes; BundleRefused "truncated" when the payload ends first."""
        parts: list[bytes] = []
        need = size
        while need > 0:
            if self._at >= len(self._buffer):
                try:
                    self._buffer = next(self._segments)
                except StopIteration:
                    raise BundleRefused("truncated", "payload ends inside a record") from None
                self._at = 0
            piece = self._buffer[self._at : self._at + need]
            self._at += len(piece)
            need -= len(piece)
            parts.append(piece)
        return b"".join(parts)

    def at_end(self) -> bool:
        if self._at < len(self._buffer):
            return False
        for segment in self._segments:
            if segment:
                self._buffer, self._at = segment, 0
                return False
        return True
