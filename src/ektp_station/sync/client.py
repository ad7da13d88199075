"""HTTP client for the centre: one batch per request, a cheap health probe, strict replies.

Anything that is not the protocol's answer to exactly what was sent — an HTML login page with
status 200, a truncated body, a proxy's error page — raises :class:`LinkDown`; it is never taken
for success. Timeouts are explicit on connect, read, write and pool: nothing waits forever.

Only batch posts carry the station's token (``Authorization``); the health probe carries none.
``ca_file`` is the centre's certificate authority (PEM) for HTTPS; a certificate that does not
verify is :class:`CertificateRefused`, never "link down". Whether a plain ``http://`` address
may be used at all is the settings' rule, checked before a client is made
(:meth:`Settings.check_link`, in ``Station._make_engine``).
"""

from __future__ import annotations

import base64
import hashlib
import logging
import ssl
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import httpx

from ..errors import CertificateRefused
from .errors import (
    AuthRefused,
    BadRequest,
    BatchTooLarge,
    CentreBusy,
    LinkDown,
    ProtocolUnsupported,
)
from .protocol import (
    BatchReply,
    BatchRequest,
    EnrolmentReply,
    EnrolmentRequest,
    Health,
    HeartbeatRequest,
    ProtocolError,
    parse_batch_reply,
    parse_enrolment_reply,
    parse_error_reply,
    parse_health,
    parse_retry_after,
)

__all__ = [
    "CentralClient",
    "ChunkRefused",
    "EnrolmentRefused",
    "OffsetMoved",
    "TusReply",
    "UploadGone",
]

log = logging.getLogger(__name__)

BATCH_PATH = "/v1/batches"
ENROLMENTS_PATH = "/v1/enrolments"
HEARTBEAT_PATH = "/v1/heartbeat"
HEALTH_PATH = "/v1/health"
UPLOADS_PATH = "/v1/uploads"
TUS_VERSION = "1.0.0"


@dataclass(frozen=True)
class TusReply:
    url: str  # the upload's address at the centre
    offset: int  # the bytes it holds
    verified: bool  # the whole part arrived and its sha256 matched


class ChunkRefused(Exception):
    """460: the chunk did not match its checksum (send it again), or the whole part did not
    match its hash (the centre started it over)."""


class OffsetMoved(Exception):
    """409: the centre holds another offset than the one sent (ask again: HEAD)."""


class UploadGone(Exception):
    """404: the centre does not know this upload (create it again)."""


class EnrolmentRefused(Exception):
    """409/422 to an enrolment: the centre will not decide on this list of parts (``code``:
    parts_not_verified, manifest_changed, entry_unknown, incomplete_enrolment)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class CentralClient:
    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        timeout: float = 10.0,
        probe_timeout: float = 1.5,
        transport: httpx.BaseTransport | None = None,
        ca_file: str | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._probe_timeout = httpx.Timeout(probe_timeout)
        self._auth = {"Authorization": f"Bearer {token}"}  # batch posts only
        self._timeout = timeout
        self._transport = transport
        self._ca_file = ca_file
        self._client: httpx.Client | None = None
        self._client_lock = threading.Lock()

    @property
    def _http(self) -> httpx.Client:
        """The HTTP client, made at first use: loading certificate authorities costs tens of
        milliseconds, and first use is on the sync engine's thread, not the window's."""
        with self._client_lock:
            if self._client is None:
                verify: ssl.SSLContext | bool = True
                if self._ca_file:
                    try:
                        verify = ssl.create_default_context(cafile=self._ca_file)  # that CA only
                    except (OSError, ssl.SSLError) as exc:
                        raise CertificateRefused(
                            f"ca-file unusable ({type(exc).__name__})"
                        ) from exc
                self._client = httpx.Client(
                    base_url=self.base_url,
                    headers={"User-Agent": "ektp-station"},
                    timeout=httpx.Timeout(self._timeout, connect=min(self._timeout, 5.0)),
                    verify=verify,
                    transport=self._transport,
                    follow_redirects=False,
                    trust_env=False,
                )
            return self._client

    def close(self) -> None:
        with self._client_lock:
            client, self._client = self._client, None
        if client is not None:
            client.close()

    def send_batch(self, request: BatchRequest) -> BatchReply:
        body = request.model_dump_json().encode("utf-8")
        sent_ids = [e.entry_id for e in request.entries]
        try:
            response = self._http.post(
                BATCH_PATH,
                content=body,
                headers={"Content-Type": "application/json", **self._auth},
            )
        except httpx.TransportError as exc:  # connect, timeouts, resets, protocol breakage
            raise _transport_error(exc, "batch") from exc
        self._raise_for_status(response)
        try:
            return parse_batch_reply(
                response.content, response.headers.get("content-type"), sent_ids
            )
        except ProtocolError as exc:
            raise LinkDown(f"unreadable batch reply: {exc}") from exc

    def submit_enrolment(
        self, entry_id: str, parts: Mapping[str, str], exceptions: Mapping[str, str]
    ) -> EnrolmentReply:
        """POST /v1/enrolments: the centre's decision on an entry delivered whole."""
        body = EnrolmentRequest(
            entry_id=entry_id, parts=dict(parts), exceptions=dict(exceptions)
        ).model_dump_json()
        try:
            response = self._http.post(
                ENROLMENTS_PATH,
                content=body.encode("utf-8"),
                headers={"Content-Type": "application/json", **self._auth},
            )
        except httpx.TransportError as exc:
            raise _transport_error(exc, "enrolment") from exc
        if response.status_code in (409, 422):
            error = parse_error_reply(response.content, response.headers.get("content-type"))
            if error is not None:
                raise EnrolmentRefused(error.error.code)
        self._raise_for_status(response)
        try:
            return parse_enrolment_reply(
                response.content, response.headers.get("content-type"), entry_id
            )
        except ProtocolError as exc:
            raise LinkDown(f"unreadable enrolment reply: {exc}") from exc

    def send_heartbeat(self, request: HeartbeatRequest) -> None:
        """POST /v1/heartbeat: the backlog as it is now; the errors of a batch otherwise."""
        try:
            response = self._http.post(
                HEARTBEAT_PATH,
                content=request.model_dump_json().encode("utf-8"),
                headers={"Content-Type": "application/json", **self._auth},
            )
        except httpx.TransportError as exc:
            raise _transport_error(exc, "heartbeat") from exc
        self._raise_for_status(response)

    def probe(self) -> Health:
        """GET /v1/health with a short timeout; LinkDown unless the centre itself answered."""
        try:
            response = self._http.get(HEALTH_PATH, timeout=self._probe_timeout)
        except httpx.TransportError as exc:
            raise _transport_error(exc, "probe") from exc
        if response.status_code != 200:
            self._raise_for_status(response)
            raise LinkDown(f"probe status {response.status_code}")
        try:
            return parse_health(response.content, response.headers.get("content-type"))
        except ProtocolError as exc:
            raise LinkDown(f"unreadable probe reply: {exc}") from exc

    @staticmethod
    def _raise_for_status(response: httpx.Response) -> None:
        status = response.status_code
        if status == 200:
            return
        error = parse_error_reply(response.content, response.headers.get("content-type"))
        retry_after = parse_retry_after(response.headers.get("retry-after"))
        code = error.error.code if error else "no protocol body"
        detail = f"HTTP {status} ({code})"
        if error is None:
            # Not the centre speaking (a proxy, a portal, a load balancer): the link is the issue.
            raise LinkDown(detail, retry_after=retry_after)
        if status in (401, 403):
            raise AuthRefused(detail)
        if status == 413:
            raise BatchTooLarge(detail)
        if status in (429, 503) or status >= 500:
            raise CentreBusy(detail, retry_after=retry_after)
        if status == 400 and code == "unsupported_protocol":
            # A centre older than this station's protocol: upgrade the centre, keep the queue.
            raise ProtocolUnsupported(detail)
        if 400 <= status < 500:
            raise BadRequest(detail)
        raise LinkDown(detail)

    # -- biometric parts: tus 1.0 (central/uploads.py, docs/protocol.md) ------------------

    def create_upload(self, entry_id: str, part: str, sha256: str, length: int) -> TusReply:
        """POST /v1/uploads: the part's upload at the centre (the one made before, if any)."""
        meta = ",".join(
            f"{key} {base64.b64encode(value.encode()).decode()}"
            for key, value in (("entry_id", entry_id), ("part", part), ("sha256", sha256))
        )
        headers = {"Upload-Length": str(length), "Upload-Metadata": meta}
        return self._tus("POST", UPLOADS_PATH, headers, expect=201)

    def upload_offset(self, url: str) -> TusReply:
        """HEAD the upload: the bytes the centre holds."""
        return self._tus("HEAD", url, {}, expect=200)

    def send_chunk(
        self,
        url: str,
        offset: int,
        data: bytes | Iterable[bytes],
        *,
        length: int | None = None,
        sha256: bytes | None = None,
    ) -> TusReply:
        """PATCH ``data`` at ``offset`` with its sha256 (a 460 is :class:`ChunkRefused`).
        ``data`` may be pieces streamed as they are sent (never joined in memory): then
        ``length`` and the chunk's ``sha256`` (raw digest) are given."""
        headers = {
            "Content-Type": "application/offset+octet-stream",
            "Upload-Offset": str(offset),
        }
        if isinstance(data, bytes):
            sha256 = hashlib.sha256(data).digest()
        elif length is None or sha256 is None:
            raise ValueError("a streamed chunk needs its length and sha256")
        else:
            headers["Content-Length"] = str(length)  # sent as is, not chunked
        headers["Upload-Checksum"] = f"sha256 {base64.b64encode(sha256).decode()}"
        return self._tus("PATCH", url, headers, expect=204, content=data)

    def delete_upload(self, url: str) -> bool:
        """DELETE the upload (tus termination): the centre forgets it and its bytes. True when
        gone (or already unknown there); False when the centre keeps it, verified."""
        if not url.startswith(UPLOADS_PATH):
            raise LinkDown("upload address outside the centre's uploads")  # never elsewhere
        try:
            response = self._http.request(
                "DELETE", url, headers={"Tus-Resumable": TUS_VERSION, **self._auth}
            )
        except httpx.TransportError as exc:
            raise _transport_error(exc, "upload") from exc
        if response.status_code == 204:
            return True
        error = parse_error_reply(response.content, response.headers.get("content-type"))
        code = error.error.code if error else ""
        if response.status_code == 404 and code == "upload_unknown":
            return True
        if response.status_code == 409 and code == "part_verified":
            return False
        self._raise_for_status(response)
        raise LinkDown(f"DELETE upload: HTTP {response.status_code}")

    def _tus(
        self,
        method: str,
        url: str,
        headers: dict[str, str],
        *,
        expect: int,
        content: bytes | Iterable[bytes] | None = None,
    ) -> TusReply:
        if not url.startswith(UPLOADS_PATH):
            raise LinkDown("upload address outside the centre's uploads")  # never elsewhere
        try:
            response = self._http.request(
                method,
                url,
                content=content,
                headers={"Tus-Resumable": TUS_VERSION, **headers, **self._auth},
            )
        except httpx.TransportError as exc:
            raise _transport_error(exc, "upload") from exc
        status = response.status_code
        offset_text = response.headers.get("upload-offset", "")
        if status == expect and offset_text.isdigit():
            return TusReply(
                url=response.headers.get("location", url),
                offset=int(offset_text),
                verified=response.headers.get("ektp-upload-verified") == "1",
            )
        error = parse_error_reply(response.content, response.headers.get("content-type"))
        code = error.error.code if error else ""
        if status == 460 and error is not None:
            raise ChunkRefused(code)
        if status == 409 and code == "offset_mismatch":
            raise OffsetMoved(code)
        if status == 404 and code == "upload_unknown":
            raise UploadGone(code)
        if status == 404 and method == "HEAD" and response.headers.get("tus-resumable"):
            raise UploadGone("upload_unknown")  # a HEAD reply has no body to say so
        if status == expect:
            raise LinkDown(f"{method} upload: reply without Upload-Offset")
        self._raise_for_status(response)
        raise LinkDown(f"{method} upload: HTTP {status}")

    def __enter__(self) -> CentralClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _transport_error(exc: httpx.TransportError, what: str) -> LinkDown | CertificateRefused:
    """CertificateRefused when the TLS handshake failed on the centre's certificate (httpx's
    ConnectError caused by ``ssl.SSLCertVerificationError``), LinkDown for anything else."""
    if isinstance(exc, httpx.ConnectError):
        cause: BaseException | None = exc
        seen: set[int] = set()
        while cause is not None and id(cause) not in seen:
            seen.add(id(cause))
            if isinstance(cause, ssl.SSLCertVerificationError):
                reason = cause.verify_message or cause.reason or "verification failed"
                return CertificateRefused(f"centre certificate not valid on {what} ({reason})")
            cause = cause.__cause__ or cause.__context__
    return LinkDown(f"{type(exc).__name__} on {what}")


def entry_ids(request: BatchRequest) -> Sequence[str]:
    return [e.entry_id for e in request.entries]
