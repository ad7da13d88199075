"""The centre's receipt for a bundle: each entry's result, signed (docs/bundles.md).

A receipt is a JSON file ``{"format": "ektp-receipt-1", "receipt": {...}, "signature": ...}``;
the signature is the centre's Ed25519 signature of ``SIGNED_LABEL`` + the receipt object as
canonical JSON (sorted keys, no spaces, UTF-8). It holds no personal data: entry ids, the
results the centre would have answered online (``sync.protocol.EntryResult``), the parts it
verified. So it need not be encrypted, only trusted: the station applies it only when this
station's centre signed it, for this station.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pydantic import ValidationError

from ..errors import BundleRefused
from ..sync.protocol import EntryResult
from .keys import CentreKey, b64, unb64, verify

__all__ = ["FORMAT", "CarriedEntry", "CarriedPart", "Receipt", "read_receipt", "write_receipt"]

FORMAT = "ektp-receipt-1"
SIGNED_LABEL = b"ektp-station receipt/1\0"
MAX_RECEIPT_BYTES = 64 * 1024 * 1024


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


def _canonical(data: dict[str, Any]) -> bytes:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def write_receipt(path: Path, receipt: Receipt, key: Ed25519PrivateKey) -> None:
    """Signed, written under a temporary name, flushed, then renamed into place."""
    body = receipt.to_json()
    signature = key.sign(SIGNED_LABEL + _canonical(body))
    text = json.dumps(
        {"format": FORMAT, "receipt": body, "signature": b64(signature)},
        ensure_ascii=False,
        indent=1,
        sort_keys=True,
    )
    partial = path.with_name(path.name + ".partial")
    with partial.open("w", encoding="utf-8") as handle:
        handle.write(text + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(partial, path)


def read_receipt(path: Path, centre: CentreKey, station_id: str) -> Receipt:
    """The receipt at ``path``, checked: signed by ``centre``, for ``station_id``.
    BundleRefused otherwise (nothing is applied)."""
    try:
        with path.open("rb") as handle:
            too_big = os.fstat(handle.fileno()).st_size > MAX_RECEIPT_BYTES
            raw = b"" if too_big else handle.read()
    except OSError as exc:
        raise BundleRefused("unreadable", f"receipt unreadable: {exc.__class__.__name__}") from None
    try:
        outer = json.loads(raw) if raw else None
        ok = isinstance(outer, dict) and outer.get("format") == FORMAT
        body = outer["receipt"] if ok else None  # type: ignore[index]
        signature = unb64(outer["signature"]) if ok else b""  # type: ignore[index]
    except (ValueError, KeyError, TypeError):
        body = None
    if not isinstance(body, dict):
        raise BundleRefused("not_receipt")
    if body.get("centre_id") != centre.centre_id or not verify(
        centre.sign_key, signature, SIGNED_LABEL + _canonical(body)
    ):
        raise BundleRefused("receipt_signature")
    try:
        receipt = Receipt.from_json(body)
    except (ValueError, KeyError, TypeError, ValidationError):
        raise BundleRefused("not_receipt", "signed receipt out of form") from None
    if receipt.station_id != station_id:
        raise BundleRefused("receipt_other_station")
    return receipt
