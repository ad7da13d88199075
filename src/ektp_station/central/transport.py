"""uvicorn's HTTP/1.1 (h11) protocol with a deadline on a request's headers, and the app's
deadlines on a request's body (:func:`read_body`).

uvicorn bounds the idle time between two requests of a keep-alive connection
(``timeout_keep_alive``), but not the time a client takes to send a request line and its
headers: a connection that sends ``GET /v1/he`` and then nothing stays open for as long as
the client likes (slowloris). :class:`HeaderTimeoutH11Protocol` closes a connection whose
request headers are not complete ``header_timeout`` seconds after the connection opened, or
after the first byte of the next request on a kept-alive connection. Trickling bytes does
not extend the deadline. Once the headers are in, the app's own body deadlines take over.

``central serve`` passes ``HTTP_PROTOCOL`` (an import path, so that every worker process
loads it); ``CentralServer`` passes a class from :func:`with_header_timeout`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import h11
from fastapi.responses import JSONResponse
from starlette.requests import ClientDisconnect, Request
from uvicorn.protocols.http.h11_impl import H11Protocol

from ektp_station.sync.protocol import MAX_BODY_BYTES

__all__ = [
    "HEADER_TIMEOUT",
    "HTTP_PROTOCOL",
    "Authenticate",
    "BodyTimeout",
    "ErrorReply",
    "HeaderTimeoutH11Protocol",
    "StationGate",
    "read_body",
    "with_header_timeout",
]

log = logging.getLogger(__name__)

HEADER_TIMEOUT = 10.0
"""Seconds a client has to send a request line and its headers."""

HTTP_PROTOCOL = "ektp_station.central.transport:HeaderTimeoutH11Protocol"


class HeaderTimeoutH11Protocol(H11Protocol):
    """H11Protocol that drops connections whose request headers do not arrive in time."""

    header_timeout: float = HEADER_TIMEOUT

    _header_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_header_timer()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.conn.their_state is h11.IDLE:
            # Waiting for (the rest of) a request's headers: counted from its first byte.
            if self._header_timer is None and not self.transport.is_closing():
                self._arm_header_timer()
        else:
            self._cancel_header_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_header_timer()
        super().connection_lost(exc)

    def on_response_complete(self) -> None:
        # Between requests uvicorn's keep-alive timeout applies; the header deadline starts
        # again with the next request's first byte.
        self._cancel_header_timer()
        super().on_response_complete()

    def _arm_header_timer(self) -> None:
        self._cancel_header_timer()
        self._header_timer = self.loop.call_later(self.header_timeout, self._header_timed_out)

    def _cancel_header_timer(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _header_timed_out(self) -> None:
        self._header_timer = None
        if self.transport.is_closing() or self.conn.their_state is not h11.IDLE:
            return
        log.debug(
            "connection closed: request headers not received within %.1f s", self.header_timeout
        )
        try:
            self.conn.send(h11.ConnectionClosed())
        except h11.LocalProtocolError:
            pass
        self.transport.close()


def with_header_timeout(seconds: float) -> type[HeaderTimeoutH11Protocol]:
    """A protocol class with another header deadline (in-process servers, tests)."""
    if seconds <= 0:
        raise ValueError("header timeout must be positive")
    return type(
        "HeaderTimeoutH11Protocol",
        (HeaderTimeoutH11Protocol,),
        {"header_timeout": float(seconds)},
    )


class BodyTimeout(Exception):
    """The request body did not arrive within its deadline (in total or between chunks)."""


async def read_body(
    request: Request, total: float, idle: float, limit: int = MAX_BODY_BYTES
) -> bytes | None:
    """The body, or None as soon as it grows past ``limit`` bytes (chunked bodies too).

    Raises ``BodyTimeout`` when the whole body takes longer than ``total`` seconds or a
    chunk longer than ``idle`` seconds to come, ``ClientDisconnect`` when the client leaves.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + total
    stream = request.stream().__aiter__()
    chunks: list[bytes] = []
    size = 0
    while True:
        wait = min(idle, deadline - loop.time())
        if wait <= 0:
            raise BodyTimeout
        try:
            async with asyncio.timeout(wait):
                chunk = await anext(stream)
        except StopAsyncIteration:
            break
        except TimeoutError:
            raise BodyTimeout from None
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


Authenticate = Callable[[Request], Awaitable["str | JSONResponse"]]
ErrorReply = Callable[..., JSONResponse]


@dataclass(frozen=True)
class StationGate:
    """What every station request beside the batch passes first (uploads, enrolments,
    heartbeats): the server not stopping (503 with Retry-After), the station's token (the
    app's ``authenticate``), then a small body within the centre's deadlines."""

    authenticate: Authenticate
    error: ErrorReply
    body_timeout: float
    idle_timeout: float
    draining: Callable[[], bool] = lambda: False
    retry_after: int = 5

    async def station(self, request: Request) -> str | JSONResponse:
        """The request's station, or the refusal to send."""
        if self.draining():
            return self.error(
                503, "draining", "Server sedang berhenti.", retry_after=self.retry_after
            )
        return await self.authenticate(request)

    async def body(self, request: Request, limit: int) -> bytes | JSONResponse:
        """The body (at most ``limit`` bytes), or the refusal: 408 past its deadlines, 400
        when the client left, 413 when too long."""
        try:
            body = await read_body(request, self.body_timeout, self.idle_timeout, limit=limit)
        except BodyTimeout:
            return self.error(
                408, "request_timeout", "Isi permintaan tidak diterima tepat waktu.", close=True
            )
        except ClientDisconnect:
            return self.error(400, "client_disconnected", "Koneksi terputus sebelum isi lengkap.")
        if body is None:
            return self.error(413, "too_large", f"Body melebihi {limit} byte.", close=True)
        return body
