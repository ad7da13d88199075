"""The centre's receipt for a bundle: each entry's result, signed (docs/bundles.md).

A receipt file is one line, ``{"format": "ektp-receipt-1", "signature": "<base64url>"}``,
then the receipt object as JSON; the signature is the centre's Ed25519 signature of
``SIGNED_LABEL`` + exactly those bytes, so a station checks it before it parses anything of
what follows (a crafted file costs it nothing but a hash). It holds no personal data: entry ids, the
results the centre would have answered online (``sync.protocol.EntryResult``), the parts it
verified. So it need not be encrypted, only trusted: the station applies it only when this
station's centre signed it, for this station.
"""

from __future__ import annotations

import binascii
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pydantic import ValidationError

from ..errors import BundleRefused
from ..sync.protocol import EntryResult
from .files import output_file, regular_input
from .keys import CentreKey, b64, unb64, verify

__all__ = [
    "FORMAT",
    "MAGIC",
    "CarriedEntry",
    "CarriedPart",
    "Receipt",
    "read_receipt",
    "write_receipt",
]

FORMAT = "ektp-receipt-1"
SIGNED_LABEL = b"ektp-station receipt/1\0"
MAX_RECEIPT_BYTES = 32 * 1024 * 1024  # ~100,000 entries with their parts


@dataclass(frozen=True, slots=True)
class CarriedEntry:
    revision: int  # as the bundle carried it
    result: EntryResult


@dataclass(frozen=True, slots=True)
class CarriedPart:
    entry_id: str
    part: str
    sha256: str
    verified: bool
    code: str | None = None  # why not, when not verified


@dataclass(frozen=True, slots=True)
class Receipt:
    centre_id: str
    station_id: str
    bundle_id: str
    bundle_sha256: str
    imported_at: str
    entries: tuple[CarriedEntry, ...]
    parts: tuple[CarriedPart, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "centre_id": self.centre_id,
            "station_id": self.station_id,
            "bundle_id": self.bundle_id,
            "bundle_sha256": self.bundle_sha256,
            "imported_at": self.imported_at,
            "entries": [
                {"revision": e.revision, "result": e.result.model_dump(mode="json")}
                for e in self.entries
            ],
            "parts": [
                {
                    "entry_id": p.entry_id,
                    "part": p.part,
                    "sha256": p.sha256,
                    "verified": p.verified,
                    "code": p.code,
                }
                for p in self.parts
            ],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Receipt:
        return cls(
            centre_id=str(data["centre_id"]),
            station_id=str(data["station_id"]),
            bundle_id=str(data["bundle_id"]),
            bundle_sha256=str(data["bundle_sha256"]),
            imported_at=str(data["imported_at"]),
            entries=tuple(
                CarriedEntry(int(e["revision"]), EntryResult.model_validate(e["result"]))
                for e in data["entries"]
            ),
            parts=tuple(
                CarriedPart(
                    str(p["entry_id"]),
                    str(p["part"]),
                    str(p["sha256"]),
                    bool(p["verified"]),
                    None if p.get("code") is None else str(p["code"]),
                )
                for p in data["parts"]
            ),
        )


MAGIC = b'{"format": "ektp-receipt-1"'
"""How a receipt file starts: its first line is ``{"format": "ektp-receipt-1", "signature":
"<base64url>"}``, the receipt's JSON follows it."""


def write_receipt(path: Path, receipt: Receipt, key: Ed25519PrivateKey) -> None:
    """Signed (over the exact bytes of the body) and written through ``files.output_file``:
    BundleRefused "target_exists" / "unwritable"."""
    body = json.dumps(receipt.to_json(), ensure_ascii=False, indent=1, sort_keys=True).encode()
    signature = b64(key.sign(SIGNED_LABEL + body))
    first = MAGIC + b', "signature": "' + signature.encode() + b'"}\n'
    with output_file(path, (MAGIC,)) as out:
        out.write(first + body + b"\n")


def read_receipt(path: Path, centre: CentreKey, station_id: str) -> Receipt:
    """The receipt at ``path``, checked: signed by ``centre`` (over its bytes, before anything
    in it is parsed), for ``station_id``. BundleRefused otherwise (nothing is applied)."""
    regular_input(path, "receipt")
    try:
        with path.open("rb") as handle:
            if os.fstat(handle.fileno()).st_size > MAX_RECEIPT_BYTES + 1024:
                raise BundleRefused("not_receipt", "receipt too large")
            first = handle.readline(1024)
            body = handle.read()  # a regular file of bounded size (read(n) would take n)
    except OSError as exc:
        raise BundleRefused("unreadable", f"receipt unreadable: {exc.__class__.__name__}") from None
    try:
        head = json.loads(first) if first.startswith(MAGIC) and first.endswith(b"\n") else None
        signature = unb64(head["signature"]) if isinstance(head, dict) else None
    except (ValueError, KeyError, TypeError, binascii.Error):
        signature = None
    if signature is None or len(body) > MAX_RECEIPT_BYTES:
        raise BundleRefused("not_receipt")
    if not verify(centre.sign_key, signature, SIGNED_LABEL + body.rstrip(b"\n")):
        raise BundleRefused("receipt_signature")
    try:  # signed by the centre: its own JSON, parsed only now
        receipt = Receipt.from_json(json.loads(body))
    except (ValueError, KeyError, TypeError, RecursionError, ValidationError):
        raise BundleRefused("not_receipt", "signed receipt out of form") from None
    if receipt.centre_id != centre.centre_id:
        raise BundleRefused("receipt_signature", "receipt of another centre id")
    if receipt.station_id != station_id:
        raise BundleRefused("receipt_other_station")
    return receipt
