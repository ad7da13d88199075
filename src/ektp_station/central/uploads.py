"""The centre's side of the biometric parts: resumable uploads, tus 1.0 (docs/protocol.md).

The subset of tus 1.0 (https://tus.io/protocols/resumable-upload) a station needs: the core
protocol (``HEAD`` for the offset, ``PATCH`` to append at it), ``creation`` (``POST`` with
``Upload-Length`` and ``Upload-Metadata``: the entry id, the part name and the part's sha256)
and ``checksum`` (``Upload-Checksum: sha256 <base64>`` on each chunk; a mismatch is 460 and
the chunk is not taken). Each request carries the station's bearer token; an upload belongs
to the station that made it, and only for an entry whose biodata the centre holds from that
station (biodata first).

Byte by byte: a ``PATCH`` cut mid-body keeps what arrived (the bytes are a prefix of what the
station sent at that offset, TCP-checked, and the whole part's sha256 is verified at the end),
so the next attempt resumes after the last byte received. A chunk that arrived whole but does
not match its checksum is dropped. When the last byte is in, the part's sha256 is checked:
a match marks it verified (``Ektp-Upload-Verified: 1``); a mismatch starts the part over.

``termination`` (``DELETE``) forgets an upload not verified yet, bytes and all (the station's
whole-part baseline in the benchmarks starts a part over with it).

Creation is idempotent on (entry, part): a station that lost the upload's address (a crash
before it saved the reply) gets the same upload back, at its offset. The offset only moves
by a conditional ``UPDATE`` (``received = old``), so two workers never both append. The bytes
live in files under the upload folder, which all workers of a centre share.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import logging
import os
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from fastapi import FastAPI, Request, Response
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect

from ..domain.biometrics import PART_SPECS
from .db import CentralDB, enrolments, registrations, uploads
from .transport import StationGate

__all__ = [
    "MAX_CHUNK_BYTES",
    "MAX_PART_BYTES",
    "TUS_VERSION",
    "UploadStore",
    "install_uploads",
    "part_refusal",
    "uploads",
]

log = logging.getLogger(__name__)

TUS_VERSION = "1.0.0"
UPLOADS_PATH = "/v1/uploads"
MAX_CHUNK_BYTES = 4 * 1024 * 1024
MAX_PART_BYTES = 64 * 1024 * 1024  # above any part's own limit; the 50 MB bench part fits
VERIFIED_HEADER = "Ektp-Upload-Verified"
_STATUS_CHECKSUM_MISMATCH = 460  # tus checksum extension


@dataclass(frozen=True)
class Upload:
    upload_id: str
    station_id: str
    entry_id: str
    part: str
    sha256: str
    length: int
    received: int
    verified: bool


class UploadStore:
    """The uploads' rows (in the centre's database) and bytes (files in ``folder``)."""

    def __init__(self, db: CentralDB, folder: Path) -> None:
        self.db = db
        self.folder = folder  # made at the first byte received

    def path_of(self, upload_id: str) -> Path:
        return self.folder / f"{upload_id}.part"

    def _row(self, conn: sa.Connection, where: Any) -> Upload | None:
        row = conn.execute(sa.select(uploads).where(where)).first()
        if row is None:
            return None
        return Upload(
            row.upload_id,
            row.station_id,
            row.entry_id,
            row.part,
            row.sha256,
            int(row.length),
            int(row.received),
            row.verified_at is not None,
        )

    def get(self, upload_id: str) -> Upload | None:
        with self.db.engine.connect() as conn:
            return self._row(conn, uploads.c.upload_id == upload_id)

    def create(
        self,
        station_id: str,
        entry_id: str,
        part: str,
        sha256: str,
        length: int,
        *,
        replace_verified: bool = True,
    ) -> Upload | str:
        """The upload of this part (the one made before, if any); or why not: "entry_unknown"
        (no biodata of this entry from this station), "part_changed" (already verified with
        another image, and that image stays).

        Another image of a part already verified replaces it while the centre has not decided
        on the entry (``enrolments``): the station captured the part again after a USB bundle
        carried the old image (online, a verified part is never captured again). A bundle's
        import passes ``replace_verified=False``: a bundle may be older than what came online,
        and never replaces it."""
        with self.db.engine.begin() as conn:
            owner = conn.execute(
                sa.select(registrations.c.station_id).where(registrations.c.entry_id == entry_id)
            ).scalar()
            if owner != station_id:
                return "entry_unknown"
            same = sa.and_(uploads.c.entry_id == entry_id, uploads.c.part == part)
            existing = self._row(conn, same)
            if existing is not None:
                if existing.sha256 == sha256 and existing.length == length:
                    return existing
                decided = conn.execute(
                    sa.select(enrolments.c.entry_id).where(enrolments.c.entry_id == entry_id)
                ).first()
                if existing.verified and (not replace_verified or decided is not None):
                    return "part_changed"
                # recaptured before it was complete: start the new image over
                conn.execute(
                    sa.update(uploads)
                    .where(uploads.c.upload_id == existing.upload_id)
                    .values(sha256=sha256, length=length, received=0, verified_at=None)
                )
                self.path_of(existing.upload_id).unlink(missing_ok=True)
                return Upload(
                    existing.upload_id, station_id, entry_id, part, sha256, length, 0, False
                )
            upload_id = secrets.token_hex(16)
            conn.execute(
                sa.insert(uploads).values(
                    upload_id=upload_id,
                    station_id=station_id,
                    entry_id=entry_id,
                    part=part,
                    sha256=sha256,
                    length=length,
                    received=0,
                    created_at=datetime.now(UTC),
                )
            )
        return Upload(upload_id, station_id, entry_id, part, sha256, length, 0, False)

    def append(self, upload: Upload, offset: int, data: bytes) -> Upload | None:
        """Write ``data`` at ``offset`` and move the offset past it; None if another request
        moved it first. At the end the whole part is hashed: verified, or started over."""
        path = self.path_of(upload.upload_id)
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
        try:
            os.pwrite(fd, data, offset)
            os.fsync(fd)
        finally:
            os.close(fd)
        new = offset + len(data)
        verified_at: datetime | None = None
        if new == upload.length:
            if _sha256_of(path, upload.length) == upload.sha256:
                verified_at = datetime.now(UTC)
            else:
                log.warning("upload %s: the part's hash does not match; over", upload.upload_id)
                new = 0
        with self.db.engine.begin() as conn:
            moved = conn.execute(
                sa.update(uploads)
                .where(
                    uploads.c.upload_id == upload.upload_id,
                    uploads.c.received == offset,
                    # not if the part was started over with another image meanwhile
                    uploads.c.sha256 == upload.sha256,
                    uploads.c.length == upload.length,
                )
                .values(received=new, verified_at=verified_at)
            ).rowcount
        if not moved:
            return None
        return Upload(
            upload.upload_id,
            upload.station_id,
            upload.entry_id,
            upload.part,
            upload.sha256,
            upload.length,
            new,
            verified_at is not None,
        )

    def terminate(self, upload: Upload) -> bool:
        """tus termination: forget an upload not verified yet (its row and its bytes); False
        when it is verified (a delivered part stays) or already gone."""
        with self.db.engine.begin() as conn:
            gone = conn.execute(
                sa.delete(uploads).where(
                    uploads.c.upload_id == upload.upload_id, uploads.c.verified_at.is_(None)
                )
            ).rowcount
        if gone:
            self.path_of(upload.upload_id).unlink(missing_ok=True)
        return bool(gone)


def part_refusal(entry_id: str, part: str, sha256: str, length: int) -> str | None:
    """Why a part cannot be taken as described ("too_large", "invalid_upload"), or None: the
    one check of an upload's metadata (online, and in a USB bundle: central/bundles.py)."""
    if length > MAX_PART_BYTES:
        return "too_large"
    if (
        part not in PART_SPECS
        or len(entry_id) != 36
        or len(sha256) != 64
        or any(c not in "0123456789abcdef" for c in sha256)
    ):
        return "invalid_upload"
    return None


def _sha256_of(path: Path, length: int) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        left = length
        while left > 0:
            block = handle.read(min(left, 1024 * 1024))
            if not block:
                break
            digest.update(block)
            left -= len(block)
    return digest.hexdigest()


def _metadata(header: str) -> dict[str, str] | None:
    """tus ``Upload-Metadata``: ``key base64value,key base64value``; None when malformed."""
    values: dict[str, str] = {}
    for pair in header.split(","):
        key, _, encoded = pair.strip().partition(" ")
        if not key or len(key) > 32:
            return None
        try:
            values[key] = base64.b64decode(encoded, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
    return values


def _checksum(header: str | None) -> bytes | str | None:
    """The chunk's sha256 from ``Upload-Checksum``; None when absent, "bad" when unusable."""
    if header is None:
        return None
    algorithm, _, encoded = header.strip().partition(" ")
    if algorithm.lower() != "sha256":
        return "bad"
    try:
        digest = base64.b64decode(encoded, validate=True)
    except binascii.Error:
        return "bad"
    return digest if len(digest) == 32 else "bad"


def install_uploads(app: FastAPI, store: UploadStore, gate: StationGate) -> None:
    """The tus routes on ``app``, behind ``gate`` (the server not stopping, the station's
    token; a chunk's pauses within its idle deadline)."""
    error = gate.error

    def tus(response: Response) -> Response:
        response.headers["Tus-Resumable"] = TUS_VERSION
        response.headers["Cache-Control"] = "no-store"
        return response

    def refuse(status: int, code: str, message: str, **kwargs: Any) -> Response:
        return tus(error(status, code, message, **kwargs))

    async def station_of(request: Request) -> str | Response:
        """The checks every upload request passes first: the server not stopping, the
        station's token, the tus version."""
        station = await gate.station(request)
        if isinstance(station, Response):
            return tus(station)
        if request.headers.get("tus-resumable") != TUS_VERSION:
            return refuse(412, "tus_version", f"Tus-Resumable harus {TUS_VERSION}.")
        return station

    async def owned(request: Request, upload_id: str) -> tuple[Upload, str] | Response:
        station = await station_of(request)
        if isinstance(station, Response):
            return station
        upload = (
            await run_in_threadpool(store.get, upload_id)
            if len(upload_id) == 32 and upload_id.isalnum()
            else None
        )
        if upload is None or upload.station_id != station:
            return refuse(404, "upload_unknown", "Unggahan ini tidak dikenal.")
        return upload, station

    @app.options(UPLOADS_PATH, include_in_schema=False)
    async def tus_options() -> Response:
        response = tus(Response(status_code=204))
        response.headers["Tus-Version"] = TUS_VERSION
        response.headers["Tus-Extension"] = "creation,checksum,termination"
        response.headers["Tus-Checksum-Algorithm"] = "sha256"
        response.headers["Tus-Max-Size"] = str(MAX_PART_BYTES)
        return response

    @app.post(UPLOADS_PATH, status_code=201, summary="Create (or find) a part's upload (tus)")
    async def tus_create(request: Request) -> Response:
        station = await station_of(request)
        if isinstance(station, Response):
            return station
        length_text = request.headers.get("upload-length", "")
        meta = _metadata(request.headers.get("upload-metadata", ""))
        if not length_text.isdigit() or meta is None:
            return refuse(400, "invalid_upload", "Upload-Length atau Upload-Metadata tidak sah.")
        length = int(length_text)
        entry_id, part, sha256 = (meta.get(k, "") for k in ("entry_id", "part", "sha256"))
        refusal = part_refusal(entry_id, part, sha256, length)
        if refusal == "too_large":
            return refuse(413, "too_large", f"Bagian melebihi {MAX_PART_BYTES} byte.")
        if refusal is not None:
            return refuse(400, "invalid_upload", "Metadata unggahan tidak sah.")
        made = await run_in_threadpool(store.create, station, entry_id, part, sha256, length)
        if made == "entry_unknown":
            return refuse(409, "entry_unknown", "Biodata entri ini belum diterima pusat.")
        if isinstance(made, str):
            return refuse(409, made, "Bagian ini sudah diterima dengan gambar lain.")
        response = tus(Response(status_code=201))
        response.headers["Location"] = f"{UPLOADS_PATH}/{made.upload_id}"
        response.headers["Upload-Offset"] = str(made.received)
        if made.verified:
            response.headers[VERIFIED_HEADER] = "1"
        return response

    @app.head(UPLOADS_PATH + "/{upload_id}", include_in_schema=False)
    async def tus_head(upload_id: str, request: Request) -> Response:
        found = await owned(request, upload_id)
        if isinstance(found, Response):
            return found
        upload, _station = found
        response = tus(Response(status_code=200))
        response.headers["Upload-Offset"] = str(upload.received)
        response.headers["Upload-Length"] = str(upload.length)
        if upload.verified:
            response.headers[VERIFIED_HEADER] = "1"
        return response

    @app.patch(UPLOADS_PATH + "/{upload_id}", status_code=204, summary="Append a chunk (tus)")
    async def tus_patch(upload_id: str, request: Request) -> Response:
        found = await owned(request, upload_id)
        if isinstance(found, Response):
            return found
        upload, _station = found
        media = request.headers.get("content-type", "").partition(";")[0].strip().lower()
        if media != "application/offset+octet-stream":
            return refuse(415, "unsupported_media_type", "Content-Type salah.", close=True)
        offset_text = request.headers.get("upload-offset", "")
        checksum = _checksum(request.headers.get("upload-checksum"))
        if not offset_text.isdigit() or checksum == "bad":
            return refuse(400, "invalid_upload", "Upload-Offset atau Upload-Checksum tidak sah.")
        offset = int(offset_text)
        if offset != upload.received:
            return refuse(409, "offset_mismatch", "Offset tidak cocok; tanyakan offset (HEAD).")
        room = min(MAX_CHUNK_BYTES, upload.length - offset)
        data, whole = await _read_chunk(request, room, gate.idle_timeout)
        if data is None:
            return refuse(413, "too_large", "Potongan melebihi sisa bagian.", close=True)
        if whole and isinstance(checksum, bytes) and hashlib.sha256(data).digest() != checksum:
            return refuse(
                _STATUS_CHECKSUM_MISMATCH, "checksum_mismatch", "Checksum potongan tidak cocok."
            )
        if not data:
            moved: Upload | None = upload
        else:
            moved = await run_in_threadpool(store.append, upload, offset, data)
        if moved is None:
            return refuse(409, "offset_mismatch", "Offset tidak cocok; tanyakan offset (HEAD).")
        if offset + len(data) == upload.length and not moved.verified:
            return refuse(
                _STATUS_CHECKSUM_MISMATCH,
                "part_hash_mismatch",
                "Hash bagian tidak cocok; bagian dikirim ulang dari awal.",
            )
        response = tus(Response(status_code=204))
        response.headers["Upload-Offset"] = str(moved.received)
        if moved.verified:
            response.headers[VERIFIED_HEADER] = "1"
        return response

    @app.delete(UPLOADS_PATH + "/{upload_id}", status_code=204, summary="Terminate (tus)")
    async def tus_delete(upload_id: str, request: Request) -> Response:
        found = await owned(request, upload_id)
        if isinstance(found, Response):
            return found
        upload, _station = found
        if not await run_in_threadpool(store.terminate, upload):
            return refuse(409, "part_verified", "Bagian ini sudah diterima; tidak dihapus.")
        return tus(Response(status_code=204))


async def _read_chunk(request: Request, room: int, idle: float) -> tuple[bytes | None, bool]:
    """The body (at most ``room`` bytes, else None) and whether it arrived whole. A body cut
    short (the client gone, or silent for ``idle`` seconds) gives what arrived, not whole."""
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > room):
        return None, False
    chunks: list[bytes] = []
    size = 0
    stream = request.stream().__aiter__()
    while True:
        try:
            async with asyncio.timeout(idle):
                chunk = await anext(stream)
        except StopAsyncIteration:
            break
        except (TimeoutError, ClientDisconnect):
            return b"".join(chunks), False
        size += len(chunk)
        if size > room:
            return None, False
        chunks.append(chunk)
    data = b"".join(chunks)
    whole = declared is None or len(data) == int(declared)
    return data, whole
