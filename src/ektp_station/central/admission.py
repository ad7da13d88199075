"""How many batches one server process takes in at once (the rest is shed: 503 with a
Retry-After of 2–6 s, drawn for each), and how many it ingests at once (issue #14: the
reconnect herd).

A batch taken in waits for one of ``ingest_threads`` ingest threads (the database pool's
connections are enough for them, and few threads competing for the interpreter cost less CPU
than many); the number taken in is bounded by ``max_in_flight`` and, once the process has
been busy for a moment, by what it completes in ``target_wait`` seconds: the queue inside the
process then holds about that much work, so that a batch taken in is answered well within a
station's timeout (10 s by default) however slow the machine — a centre that took in more
than it can answer in time would see the stations give up and send again, doing each batch
twice. ``floor`` keeps the ingest threads fed. Per process: with several workers each has
its own bound (docs/performance.md, "Scaling the centre").

(Tried and left out: widening the shed's Retry-After beyond 6 s when many were turned away
lately, so that they come back at the pace the process takes them. It halved the sheds but
the last stations, told to wait 20 s or more, came back to an idle centre: drain 30 s
instead of 27 s for 500 stations x 200 entries on PostgreSQL, up to 2.1x the steady time.)
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from typing import TypeVar

import anyio
import anyio.to_thread

__all__ = ["Admission"]

T = TypeVar("T")

TARGET_WAIT = 2.0
"""Seconds of work the process lets wait inside it."""
INGEST_THREADS = 8
FLOOR = 8
WINDOW = 5.0
"""Seconds of completions the rate is measured over."""


class Admission:
    """The bound on batches in flight (:meth:`bound`) and the ingest threads (:meth:`run`)."""

    def __init__(
        self,
        *,
        target_wait: float = TARGET_WAIT,
        ingest_threads: int = INGEST_THREADS,
        floor: int = FLOOR,
        window: float = WINDOW,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.target_wait = target_wait
        self.ingest_threads = ingest_threads
        self.floor = floor
        self.window = window
        self._clock = clock
        self._done: deque[float] = deque()
        self._limiter: anyio.CapacityLimiter | None = None

    def rate(self) -> float | None:
        """Batches completed per second over the last ``window`` seconds; None when too few
        completed to tell (the process idle or just started)."""
        now = self._clock()
        done = self._done
        while done and now - done[0] > self.window:
            done.popleft()
        if len(done) < self.floor:
            return None
        span = max(now - done[0], 1.0)
        return (len(done) - 1) / span  # completions per second between the first and now

    def bound(self, max_in_flight: int) -> int:
        """How many batches may be in flight now (never more than ``max_in_flight``)."""
        rate = self.rate()
        if rate is None:
            return max_in_flight
        return min(max_in_flight, max(self.floor, math.ceil(rate * self.target_wait)))

    async def run(self, func: Callable[..., T], *args: object) -> T:
        """``func(*args)`` on one of the ingest threads (waiting for one), counted as done."""
        if self._limiter is None:  # made in the running event loop
            self._limiter = anyio.CapacityLimiter(self.ingest_threads)
        try:
            return await anyio.to_thread.run_sync(func, *args, limiter=self._limiter)
        finally:
            self._done.append(self._clock())
