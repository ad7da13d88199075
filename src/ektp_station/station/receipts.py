"""The receipts kept at the station, sealed: each PDF is encrypted and authenticated with
AES-256-GCM (``cryptography``) under a key derived from the queue key, its file name bound in
as associated data, so a receipt reads only where its queue opens (docs/encryption.md).

A sealed file is ``MAGIC``, a 12-byte random nonce, then the ciphertext with its 16-byte tag.
The window prints from the entry itself; ``queue receipt SEQ -o FILE`` gives the PDF back.
Receipts written in clear by a version before encryption are sealed at the next start.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ..errors import ReceiptUnreadable
from ..paths import legacy_receipt_name, receipt_file_name
from ..private import private_dir, private_files
from ..store.encryption import derive

__all__ = [
    "MAGIC",
    "read_receipt",
    "receipt_key",
    "remove_receipts",
    "save_receipt",
    "seal",
    "seal_legacy_receipts",
    "unseal",
]

log = logging.getLogger(__name__)

MAGIC = b"EKTP-SEALED-1\n"
_NONCE = 12


def receipt_key(queue_key: bytes) -> bytes:
    return derive(queue_key, "receipts")


def seal(key: bytes, name: str, data: bytes) -> bytes:
    nonce = os.urandom(_NONCE)
    return MAGIC + nonce + AESGCM(key).encrypt(nonce, data, MAGIC + name.encode())


def unseal(key: bytes, name: str, blob: bytes) -> bytes:
    """The data; ReceiptUnreadable when it is not a sealed file, was changed, or was sealed
    with another key or under another name."""
    if not blob.startswith(MAGIC) or len(blob) < len(MAGIC) + _NONCE + 16:
        raise ReceiptUnreadable("not a sealed receipt")
    nonce = blob[len(MAGIC) : len(MAGIC) + _NONCE]
    try:
        return AESGCM(key).decrypt(nonce, blob[len(MAGIC) + _NONCE :], MAGIC + name.encode())
    except InvalidTag:
        raise ReceiptUnreadable("the receipt does not authenticate") from None


def _write(path: Path, blob: bytes) -> None:
    partial = path.with_name(path.name + ".partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, blob)
        os.fsync(fd)
    finally:
        os.close(fd)
    private_files([partial])
    os.replace(partial, path)


def save_receipt(folder: Path, seq: int, pdf: bytes, key: bytes) -> Path:
    """``folder/bukti-000123.pdf.enc``, sealed (OSError when it cannot be written)."""
    private_dir(folder)
    path = folder / receipt_file_name(seq)
    _write(path, seal(key, path.name, pdf))
    return path


def read_receipt(folder: Path, seq: int, key: bytes) -> bytes:
    """The PDF of entry ``seq``'s receipt (ReceiptUnreadable when there is none or it does
    not open)."""
    path = folder / receipt_file_name(seq)
    try:
        blob = path.read_bytes()
    except FileNotFoundError:
        raise ReceiptUnreadable("no receipt kept for this entry") from None
    return unseal(key, path.name, blob)


def remove_receipts(folder: Path, seqs: Iterable[int]) -> int:
    """Delete the receipts of ``seqs`` (they bear the resident's name), sealed or left in
    clear by an older version; how many entries had one."""
    removed = 0
    for seq in seqs:
        found = False
        for name in (receipt_file_name(seq), legacy_receipt_name(seq)):
            try:
                (folder / name).unlink()
                found = True
            except FileNotFoundError:
                pass
            except OSError as exc:
                log.warning("receipt %d not removed (%s)", seq, exc.__class__.__name__)
        removed += found
    return removed


def seal_legacy_receipts(folder: Path, key: bytes) -> int:
    """Seal the receipts an older version wrote in clear (``bukti-000123.pdf``), then remove
    the clear files; how many. Best effort: a file that cannot be sealed is left, logged."""
    try:
        clear = sorted(folder.glob("bukti-*.pdf"))
    except OSError:
        return 0
    sealed = 0
    for path in clear:
        try:
            seq = int(path.stem.split("-", 1)[1])
            save_receipt(folder, seq, path.read_bytes(), key)
            path.unlink()
            sealed += 1
        except (ValueError, OSError) as exc:
            log.warning("a receipt in clear was not sealed (%s)", exc.__class__.__name__)
    if sealed:
        log.warning("%d receipts written in clear by an older version were sealed", sealed)
    return sealed
