"""A fault-injecting HTTP/1.1 proxy between a station and the centre ("putus-nyambung").

It understands just enough HTTP/1.1 (request line, headers, Content-Length or chunked
bodies; responses with Content-Length, chunked or read-to-close) to decide a fault *per
request*, also on keep-alive connections. Everything runs on one asyncio loop on its own
thread; every setter is thread-safe and takes effect for the next request.

Modes: ``up`` (pass through; the fault mix applies), ``down`` (new connections are reset at
once, existing ones cut), ``blackhole`` (read, never answer). ``latency_ms`` is added each
way in every mode. The per-request mix (probabilities, one fault drawn per request):

- ``reset_before``: read the request, reset the client; the centre never sees it.
- ``reset_after``: forward, let the centre commit and reply, drop the reply, reset the client.
- ``stall``: hold the request ``stall_seconds`` (None: for ever) before forwarding.
- ``http503``: answer 503 with ``Retry-After: 1`` itself.
- ``captive``: answer 200 ``text/html`` (a captive portal's login page) itself.
- ``truncate``: forward, then send the reply cut in the middle of its body and close.

``force_next(kind, n)`` makes the next ``n`` requests get ``kind`` (deterministic tests).
``cut_next_after(nbytes)``: the next request is forwarded only up to its first ``nbytes``
bytes (head included), then both connections are reset: a link that drops in mid-transfer.
``bandwidth_bps``: a cap on the link, each way (bits per second; None: no cap); a ``down``
switch during a slow transfer cuts it wherever it is.
``request_times()`` gives the ``time.monotonic()`` of every request attempt seen (each request
read, and each connection reset at once in ``down`` mode), to check a client's pacing.
Only listens on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import random
import socket
import struct
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from types import TracebackType
from typing import Literal
from urllib.parse import urlsplit

from ._http import CAPTIVE_PAGE, read_request, read_response, simple_response

__all__ = ["FAULT_KINDS", "FLAKY", "FaultMix", "FaultProxy", "Mode", "ProxyCounters"]

Mode = Literal["up", "down", "blackhole"]
FaultKind = Literal["reset_before", "reset_after", "stall", "http503", "captive", "truncate"]
FAULT_KINDS: tuple[FaultKind, ...] = (
    "reset_before",
    "reset_after",
    "stall",
    "http503",
    "captive",
    "truncate",
)
LISTEN_HOST = "127.0.0.1"
REQUEST_LOG_SIZE = 100_000  # the request-time log keeps the latest this many


@dataclass(frozen=True, slots=True)
class FaultMix:
    """Per-request fault probabilities (their sum must be <= 1)."""

    reset_before: float = 0.0
    reset_after: float = 0.0
    stall: float = 0.0
    http503: float = 0.0
    captive: float = 0.0
    truncate: float = 0.0
    stall_seconds: float | None = None

    def __post_init__(self) -> None:
        probs = [getattr(self, k) for k in FAULT_KINDS]
        if any(p < 0 for p in probs) or sum(probs) > 1.0 + 1e-9:
            raise ValueError("fault probabilities must be >= 0 and sum to <= 1")

    def draw(self, rng: random.Random) -> FaultKind | None:
        x = rng.random()
        for kind in FAULT_KINDS:
            x -= getattr(self, kind)
            if x < 0:
                return kind
        return None


FLAKY = FaultMix(
    reset_before=0.1,
    reset_after=0.1,
    stall=0.05,
    http503=0.1,
    captive=0.05,
    truncate=0.05,
    stall_seconds=5.0,
)
"""A default mix for demos: about half the requests fail one way or another."""


@dataclass(frozen=True, slots=True)
class ProxyCounters:
    """A snapshot of what the proxy did."""

    connections: int = 0
    connections_refused: int = 0
    requests: int = 0
    forwarded: int = 0
    replies: int = 0
    blackholed: int = 0
    bytes_up: int = 0  # bytes of requests that reached the centre (heads included)
    faults: dict[str, int] = field(default_factory=dict)

    def fault(self, kind: str) -> int:
        return self.faults.get(kind, 0)


class FaultProxy:
    """See the module docstring. ``with FaultProxy(host, port, seed=1) as proxy: proxy.url``."""

    def __init__(
        self, target_host: str, target_port: int, listen_port: int = 0, seed: int | None = None
    ) -> None:
        self.target_host = target_host
        self.target_port = target_port
        self._listen_port = listen_port
        self._rng = random.Random(seed)
        self._cond = threading.Condition()
        self._mode: Mode = "up"
        self._latency = 0.0
        self._mix = FaultMix()
        self._forced: list[FaultKind] = []
        self._cuts: list[int] = []  # forward only this many bytes of the next requests
        self._bytes_per_second: float | None = None
        self._counters = ProxyCounters()
        self._request_times: deque[float] = deque(maxlen=REQUEST_LOG_SIZE)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self.port = 0

    @classmethod
    def for_url(cls, url: str, *, listen_port: int = 0, seed: int | None = None) -> FaultProxy:
        """A proxy in front of ``http://host:port``."""
        parts = urlsplit(url)
        if parts.scheme != "http" or not parts.hostname:
            raise ValueError("target must be an http:// URL")
        return cls(parts.hostname, parts.port or 80, listen_port=listen_port, seed=seed)

    @property
    def url(self) -> str:
        if not self.port:
            raise RuntimeError("proxy not started")
        return f"http://{LISTEN_HOST}:{self.port}"

    # -- control (any thread) --------------------------------------------------------------

    @property
    def mode(self) -> Mode:
        with self._cond:
            return self._mode

    def set_mode(self, mode: Mode) -> None:
        if mode not in ("up", "down", "blackhole"):
            raise ValueError(f"unknown mode {mode!r}")
        with self._cond:
            self._mode = mode
        if mode == "down" and self._loop is not None:
            self._loop.call_soon_threadsafe(self._cut_all)

    @property
    def latency_ms(self) -> float:
        with self._cond:
            return self._latency * 1000

    @latency_ms.setter
    def latency_ms(self, value: float) -> None:
        if value < 0:
            raise ValueError("latency must be >= 0")
        with self._cond:
            self._latency = value / 1000

    @property
    def bandwidth_bps(self) -> float | None:
        with self._cond:
            return None if self._bytes_per_second is None else self._bytes_per_second * 8

    @bandwidth_bps.setter
    def bandwidth_bps(self, bits: float | None) -> None:
        if bits is not None and bits <= 0:
            raise ValueError("bandwidth must be positive (None: no cap)")
        with self._cond:
            self._bytes_per_second = None if bits is None else bits / 8

    def cut_next_after(self, nbytes: int, count: int = 1) -> None:
        """The next ``count`` requests reach the centre only up to their first ``nbytes``
        bytes; then the link drops (both connections reset)."""
        if nbytes < 0:
            raise ValueError("nbytes must be >= 0")
        with self._cond:
            self._cuts.extend([nbytes] * count)

    def _add_bytes_up(self, count: int) -> None:
        with self._cond:
            self._counters = replace(self._counters, bytes_up=self._counters.bytes_up + count)

    def _next_cut(self) -> int | None:
        with self._cond:
            return self._cuts.pop(0) if self._cuts else None

    def _rate(self) -> float | None:
        with self._cond:
            return self._bytes_per_second

    async def _send(
        self, writer: asyncio.StreamWriter, data: bytes, limit: int | None, *, up: bool = False
    ) -> bool:
        """Write ``data`` (its first ``limit`` bytes, if given) at the link's rate; False when
        cut short by ``limit``. ``up``: towards the centre (counted in ``bytes_up``)."""
        end = len(data) if limit is None else min(limit, len(data))
        pos = 0
        while pos < end:
            if writer.is_closing():  # cut meanwhile (``down``): nothing more goes, or counts
                raise ConnectionResetError("link cut")
            rate = self._rate()
            step = end - pos if rate is None else max(1, min(end - pos, int(rate / 20) or 1))
            writer.write(data[pos : pos + step])
            await writer.drain()
            pos += step
            if up:
                self._add_bytes_up(step)
            if rate is not None:
                await asyncio.sleep(step / rate)
        return end == len(data)

    def set_faults(self, mix: FaultMix | None = None, **probabilities: float | None) -> None:
        """Replace the fault mix: ``set_faults(reset_after=0.2, http503=0.1)``."""
        new = replace(mix or FaultMix(), **probabilities)  # type: ignore[arg-type]
        with self._cond:
            self._mix = new

    def clear_faults(self) -> None:
        with self._cond:
            self._mix = FaultMix()
            self._forced.clear()
            self._cuts.clear()

    @property
    def faults(self) -> FaultMix:
        with self._cond:
            return self._mix

    def force_next(self, kind: FaultKind, count: int = 1) -> None:
        """The next ``count`` requests (in ``up`` mode) get fault ``kind``."""
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault {kind!r}")
        with self._cond:
            self._forced.extend([kind] * count)

    @property
    def counters(self) -> ProxyCounters:
        with self._cond:
            return replace(self._counters, faults=dict(self._counters.faults))

    def request_times(self) -> list[float]:
        """``time.monotonic()`` of each request attempt seen, oldest first: every request read
        (any mode) and every connection reset on arrival in ``down`` mode. The latest
        ``REQUEST_LOG_SIZE`` are kept."""
        with self._cond:
            return list(self._request_times)

    def clear_request_times(self) -> None:
        with self._cond:
            self._request_times.clear()

    def _stamp(self) -> None:
        now = time.monotonic()
        with self._cond:
            self._request_times.append(now)

    def wait_for(self, predicate: Callable[[ProxyCounters], bool], timeout: float) -> bool:
        """Block until ``predicate(counters)`` holds or ``timeout`` passes; True if it holds."""
        with self._cond:
            return self._cond.wait_for(
                lambda: predicate(replace(self._counters, faults=dict(self._counters.faults))),
                timeout,
            )

    def _count(self, name: str = "", fault: str = "") -> None:
        with self._cond:
            c = self._counters
            if name:
                c = replace(c, **{name: getattr(c, name) + 1})
            if fault:
                faults = dict(c.faults)
                faults[fault] = faults.get(fault, 0) + 1
                c = replace(c, faults=faults)
            self._counters = c
            self._cond.notify_all()

    def _decide(self) -> tuple[Mode, float, FaultKind | None, float | None]:
        with self._cond:
            mode, latency, mix = self._mode, self._latency, self._mix
            kind: FaultKind | None = None
            if mode == "up":
                kind = self._forced.pop(0) if self._forced else mix.draw(self._rng)
            return mode, latency, kind, mix.stall_seconds

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> FaultProxy:
        if self._thread is not None:
            raise RuntimeError("already started")
        started = threading.Event()
        errors: list[BaseException] = []
        self._thread = threading.Thread(
            target=self._run, args=(started, errors), name="fault-proxy", daemon=True
        )
        self._thread.start()
        if not started.wait(10.0) or errors:
            self.stop()
            raise RuntimeError("fault proxy did not start") from (errors[0] if errors else None)
        return self

    def _run(self, started: threading.Event, errors: list[BaseException]) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            self._server = loop.run_until_complete(
                asyncio.start_server(self._handle, LISTEN_HOST, self._listen_port)
            )
            self.port = self._server.sockets[0].getsockname()[1]
        except OSError as exc:
            errors.append(exc)
            started.set()
            loop.close()
            return
        started.set()
        try:
            loop.run_forever()
        finally:
            loop.run_until_complete(self._shutdown())
            loop.close()

    async def _shutdown(self) -> None:
        if self._server is not None:
            self._server.close()
        self._cut_all()
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._server is not None:
            await self._server.wait_closed()

    def stop(self) -> None:
        """Close the listener and every connection; idempotent."""
        loop, thread = self._loop, self._thread
        if loop is not None and thread is not None and thread.is_alive():
            loop.call_soon_threadsafe(loop.stop)
        if thread is not None:
            thread.join(10.0)
        self._thread = None
        self._loop = None

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- the proxy (loop thread) -----------------------------------------------------------

    def _cut_all(self) -> None:
        for writer in list(self._writers):
            _reset(writer)

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        if self.mode == "down":
            self._stamp()  # the attempt of a request that will never be read
            self._count("connections_refused")
            _reset(writer)
            self._tasks.discard(task)
            return
        self._count("connections")
        self._writers.add(writer)
        try:
            await self._serve_connection(reader, writer)
        except (OSError, asyncio.IncompleteReadError, ValueError):
            _reset(writer)
        except asyncio.CancelledError:
            # the proxy stopping with this connection open: end it quietly (re-raised, the
            # stream's own callback would log the cancellation as an error; Python 3.11)
            _reset(writer)
        finally:
            self._writers.discard(writer)
            if not writer.is_closing():
                writer.close()
            self._tasks.discard(task)

    async def _serve_connection(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        upstream: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
        try:
            while True:
                request = await read_request(reader)
                if request is None:
                    return
                self._stamp()
                self._count("requests")
                mode, latency, kind, stall_for = self._decide()
                if mode == "down":
                    _reset(writer)
                    return
                if mode == "blackhole":
                    self._count("blackholed")
                    await _drain_forever(reader)
                    return
                if latency:
                    await asyncio.sleep(latency)
                if kind is not None:
                    self._count(fault=kind)
                if kind == "reset_before":
                    _reset(writer)
                    return
                if kind in ("http503", "captive"):
                    reply = simple_response(
                        503 if kind == "http503" else 200,
                        CAPTIVE_PAGE if kind == "captive" else None,
                    )
                    writer.write(reply)
                    await writer.drain()
                    self._count("replies")
                    continue
                if kind == "stall":
                    if stall_for is None:
                        await _drain_forever(reader)
                        return
                    await asyncio.sleep(stall_for)
                if upstream is None or upstream[1].is_closing():
                    upstream = await asyncio.open_connection(self.target_host, self.target_port)
                    self._writers.add(upstream[1])
                up_reader, up_writer = upstream
                if not await self._send(up_writer, request.raw, self._next_cut(), up=True):
                    self._count(fault="cut_after")
                    _reset(up_writer)
                    _reset(writer)
                    return
                self._count("forwarded")
                response = await read_response(up_reader, request.method)
                if latency:
                    await asyncio.sleep(latency)
                if kind == "reset_after":
                    _reset(writer)
                    return
                if kind == "truncate":
                    writer.write(response.raw[: response.head_len + max(response.body_len // 2, 0)])
                    await writer.drain()
                    writer.close()
                    return
                await self._send(writer, response.raw, None)
                self._count("replies")
                if response.closes or request.closes:
                    return
                if response.closes_upstream:
                    up_writer.close()
                    self._writers.discard(up_writer)
                    upstream = None
        finally:
            if upstream is not None:
                self._writers.discard(upstream[1])
                if not upstream[1].is_closing():
                    upstream[1].close()


def _reset(writer: asyncio.StreamWriter) -> None:
    """Close with RST (SO_LINGER 0) rather than a polite FIN."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
    writer.transport.abort()


async def _drain_forever(reader: asyncio.StreamReader) -> None:
    """Read and discard until the peer goes away: a link that swallows everything."""
    while await reader.read(65536):
        pass


if __name__ == "__main__":
    from ektp_station.devtools.faultproxy_cli import main

    raise SystemExit(main())
