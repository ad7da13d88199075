"""Just enough HTTP/1.1 framing for the fault proxy: read one request or response whole."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

__all__ = ["CAPTIVE_PAGE", "HttpMessage", "read_request", "read_response", "simple_response"]

MAX_HEAD = 64 * 1024
MAX_BODY = 64 * 1024 * 1024

CAPTIVE_PAGE = (
    b"<!DOCTYPE html><html><head><title>Login Wi-Fi</title></head><body>"
    b"<h1>Selamat datang</h1><p>Silakan masuk untuk memakai internet.</p>"
    b"<form method='post' action='/login'><input name='voucher'><button>Masuk</button></form>"
    b"</body></html>"
)


@dataclass(frozen=True, slots=True)
class HttpMessage:
    """One request or response: its raw bytes, where the head ends, and framing facts."""

    start_line: str
    headers: dict[str, str]
    raw: bytes
    head_len: int
    body_len: int
    closes: bool  # the sender asked for Connection: close (or spoke HTTP/1.0)
    closes_upstream: bool = False  # the body was delimited by closing the connection

    @property
    def method(self) -> str:
        return self.start_line.split(" ", 1)[0].upper()


async def _read_head(reader: asyncio.StreamReader) -> tuple[bytes, str, dict[str, str]] | None:
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError as exc:
        if not exc.partial.strip():
            return None  # peer closed between messages
        raise
    except asyncio.LimitOverrunError as exc:
        raise ValueError("header section too large") from exc
    if len(head) > MAX_HEAD:
        raise ValueError("header section too large")
    lines = head.decode("latin-1").split("\r\n")
    headers: dict[str, str] = {}
    for line in lines[1:]:
        if not line:
            continue
        name, sep, value = line.partition(":")
        if not sep:
            raise ValueError("malformed header line")
        key = name.strip().lower()
        headers[key] = f"{headers[key]}, {value.strip()}" if key in headers else value.strip()
    return head, lines[0], headers


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    parts: list[bytes] = []
    total = 0
    while True:
        size_line = await reader.readuntil(b"\r\n")
        parts.append(size_line)
        size = int(size_line.split(b";", 1)[0].strip(), 16)
        if size == 0:
            while True:  # trailers, then the empty line
                trailer = await reader.readuntil(b"\r\n")
                parts.append(trailer)
                if trailer == b"\r\n":
                    return b"".join(parts)
        total += size
        if total > MAX_BODY:
            raise ValueError("body too large")
        parts.append(await reader.readexactly(size + 2))


def _wants_close(start_line: str, headers: dict[str, str], *, version_index: int) -> bool:
    tokens = {t.strip().lower() for t in headers.get("connection", "").split(",")}
    parts = start_line.split(" ")
    version = parts[version_index] if len(parts) > abs(version_index) else ""
    return "close" in tokens or (version.upper() == "HTTP/1.0" and "keep-alive" not in tokens)


async def _read_body(
    reader: asyncio.StreamReader, headers: dict[str, str], *, until_close: bool
) -> tuple[bytes, bool]:
    if "chunked" in headers.get("transfer-encoding", "").lower():
        return await _read_chunked(reader), False
    length = headers.get("content-length")
    if length is not None:
        n = int(length.split(",")[0])
        if n < 0 or n > MAX_BODY:
            raise ValueError("bad content-length")
        return await reader.readexactly(n), False
    if until_close:
        return await reader.read(MAX_BODY), True
    return b"", False


async def read_request(reader: asyncio.StreamReader) -> HttpMessage | None:
    """The next request on the connection, or None when the client closed cleanly."""
    got = await _read_head(reader)
    if got is None:
        return None
    head, start, headers = got
    body, _ = await _read_body(reader, headers, until_close=False)
    return HttpMessage(
        start_line=start,
        headers=headers,
        raw=head + body,
        head_len=len(head),
        body_len=len(body),
        closes=_wants_close(start, headers, version_index=-1),
    )


async def read_response(reader: asyncio.StreamReader, method: str) -> HttpMessage:
    """The response to a request made with ``method`` (skips 1xx interim responses)."""
    interim = b""
    while True:
        got = await _read_head(reader)
        if got is None:
            raise asyncio.IncompleteReadError(b"", None)
        head, start, headers = got
        parts = start.split(" ")
        status = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0
        if 100 <= status < 200 and status != 101:
            interim += head
            continue
        break
    if method == "HEAD" or status in (204, 304):
        body, until_close = b"", False
    else:
        body, until_close = await _read_body(reader, headers, until_close=True)
    return HttpMessage(
        start_line=start,
        headers=headers,
        raw=interim + head + body,
        head_len=len(interim) + len(head),
        body_len=len(body),
        closes=_wants_close(start, headers, version_index=0) or until_close,
        closes_upstream=until_close,
    )


def simple_response(status: int, html: bytes | None = None) -> bytes:
    """A response the proxy makes itself: 503 with Retry-After: 1, or 200 with ``html``."""
    if status == 503:
        body = b"Service Unavailable"
        head = (
            "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n"
        )
    else:
        body = html or b""
        head = "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
    head += f"Content-Length: {len(body)}\r\nCache-Control: no-store\r\n\r\n"
    return head.encode("ascii") + body
