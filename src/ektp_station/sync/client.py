"""HTTP client for the centre: one batch per request, a cheap health probe, strict replies.

Anything that is not the protocol's answer to exactly what was sent — an HTML login page with
status 200, a truncated body, a proxy's error page — raises :class:`LinkDown`; it is never taken
for success. Timeouts are explicit on connect, read, write and pool: nothing waits forever.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import httpx

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
    Health,
    ProtocolError,
    parse_batch_reply,
    parse_error_reply,
    parse_health,
    parse_retry_after,
)

__all__ = ["CentralClient"]

log = logging.getLogger(__name__)

BATCH_PATH = "/v1/batches"
HEALTH_PATH = "/v1/health"


class CentralClient:
    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        timeout: float = 10.0,
        probe_timeout: float = 1.5,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._probe_timeout = httpx.Timeout(probe_timeout)
        self._http = httpx.Client(
            base_url=self.base_url,
            headers={"Authorization": f"Bearer {token}", "User-Agent": "ektp-station"},
            timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0)),
            transport=transport,
            follow_redirects=False,
            trust_env=False,
        )

    def close(self) -> None:
        self._http.close()

    def send_batch(self, request: BatchRequest) -> BatchReply:
        body = request.model_dump_json().encode("utf-8")
        sent_ids = [e.entry_id for e in request.entries]
        try:
            response = self._http.post(
                BATCH_PATH, content=body, headers={"Content-Type": "application/json"}
            )
        except httpx.TransportError as exc:  # connect, timeouts, resets, protocol breakage
            raise LinkDown(f"{type(exc).__name__} on batch") from exc
        self._raise_for_status(response)
        try:
            return parse_batch_reply(
                response.content, response.headers.get("content-type"), sent_ids
            )
        except ProtocolError as exc:
            raise LinkDown(f"unreadable batch reply: {exc}") from exc

    def probe(self) -> Health:
        """GET /v1/health with a short timeout; LinkDown unless the centre itself answered."""
        try:
            response = self._http.get(HEALTH_PATH, timeout=self._probe_timeout)
        except httpx.TransportError as exc:
            raise LinkDown(f"{type(exc).__name__} on probe") from exc
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

    def __enter__(self) -> CentralClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def entry_ids(request: BatchRequest) -> Sequence[str]:
    return [e.entry_id for e in request.entries]
