"""What a bundle's payload holds, once decrypted: framed records (docs/bundles.md).

Each record is one type byte, a 4-byte big-endian length and that many bytes of JSON:

* ``E`` an entry, exactly as a batch carries it (``sync.protocol.BatchEntry``);
* ``P`` a biometric part of an entry sent before it: ``{"entry_id", "part", "sha256",
  "size"}``, followed at once by the part's ``size`` bytes (not framed: streamed);
* ``Z`` the end: ``{"entries": n, "parts": m}``, the counts of what came before. Nothing
  follows it.

Every entry comes before any part, so that the centre holds an entry's biodata before its
parts arrive (as online: biodata first).
"""

from __future__ import annotations

import json
import struct
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from ..errors import BundleRefused
from .container import PlainReader

__all__ = ["END", "ENTRY", "MAX_RECORD", "PART", "PartHeader", "read_records", "write_record"]

ENTRY, PART, END = b"E", b"P", b"Z"
MAX_RECORD = 1024 * 1024  # a JSON record; a batch body is 4 MiB for up to 500 entries
PIECE = 1024 * 1024  # a part's bytes are handed on in pieces of at most this
_FRAME = struct.Struct(">cI")


class Writable(Protocol):
    def write(self, data: bytes, /) -> object: ...


def write_record(out: Writable, kind: bytes, data: dict[str, Any]) -> None:
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    out.write(_FRAME.pack(kind, len(body)) + body)


def write_part(out: Writable, header: PartHeader, pieces: Iterable[bytes]) -> None:
    """A ``P`` record and the part's bytes (ValueError when they are not ``header.size``)."""
    write_record(out, PART, header.to_json())
    sent = 0
    for piece in pieces:
        sent += len(piece)
        out.write(piece)
    if sent != header.size:
        raise ValueError("part bytes do not match its size")


@dataclass(frozen=True, slots=True)
class PartHeader:
    entry_id: str
    part: str
    sha256: str
    size: int

    def to_json(self) -> dict[str, Any]:
        return {
            "entry_id": self.entry_id,
            "part": self.part,
            "sha256": self.sha256,
            "size": self.size,
        }

    @classmethod
    def from_json(cls, data: Any) -> PartHeader:
        if not isinstance(data, dict):
            raise ValueError("part header")
        texts = [data.get(k) for k in ("entry_id", "part", "sha256")]
        size = data.get("size")
        if not all(isinstance(t, str) and 0 < len(t) <= 64 for t in texts):
            raise ValueError("part header fields")
        if type(size) is not int or not 0 <= size <= 2**40:
            raise ValueError("part size")
        return cls(texts[0], texts[1], texts[2], size)  # type: ignore[arg-type]


@dataclass
class Record:
    kind: bytes
    data: dict[str, Any]
    #: a ``P`` record's bytes, in pieces: read them before asking for the next record
    pieces: Iterator[bytes] | None = None


def read_records(reader: PlainReader) -> Iterator[Record]:
    """The records, ending with the ``Z`` record; BundleRefused for anything out of form
    (a valid signature makes that a station's fault, not a stick's: "signature" would
    mislead, "not_bundle" says it)."""
    while True:
        kind, length = _FRAME.unpack(reader.read(_FRAME.size))
        if kind not in (ENTRY, PART, END) or length > MAX_RECORD:
            raise BundleRefused("not_bundle", "bundle record out of form")
        try:
            data = json.loads(reader.read(length))
        except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
            raise BundleRefused("not_bundle", "bundle record is not JSON") from None
        if not isinstance(data, dict):
            raise BundleRefused("not_bundle", "bundle record is not an object")
        if kind == PART:
            try:
                size = PartHeader.from_json(data).size
            except ValueError:
                raise BundleRefused("not_bundle", "bundle part header out of form") from None
            pieces = _pieces(reader, size)
            yield Record(kind, data, pieces)
            for _rest in pieces:  # what the caller did not read is skipped
                pass
            continue
        yield Record(kind, data)
        if kind == END:
            if not reader.at_end():
                raise BundleRefused("not_bundle", "bytes after the end record")
            return


def _pieces(reader: PlainReader, size: int) -> Iterator[bytes]:
    left = size
    while left > 0:
        piece = reader.read(min(left, PIECE))
        left -= len(piece)
        yield piece
