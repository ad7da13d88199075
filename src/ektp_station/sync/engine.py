"""The sync engine: delivers every queued entry to the centre exactly once, whatever the link.

One loop on its own thread (no Qt): claim the oldest pending entries, send them as one batch,
apply the per-entry results — each step one short local transaction. Failures are retried by
tenacity with jittered exponential backoff, honouring Retry-After; while the link is down a
cheap health probe runs every ``probe_interval`` seconds so that the first batch leaves within
about that long after the link returns, however far the backoff has grown. "New entry",
"sync now" and "network changed" wake the loop at once; :meth:`stop` ends it cleanly.

Progress and state go to a :class:`SyncListener` (the GUI wraps it in a Qt bridge).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Protocol

import tenacity

from ..store import Queue, State
from ..timeutil import utc_now
from .backoff import HonourRetryAfter, StopWhen, past
from .client import CentralClient
from .errors import AuthRefused, LinkDown, RefusedError, SyncError, TransientError
from .outcomes import outcome_of, refused_locally, to_wire
from .protocol import Backlog, BatchRequest

__all__ = ["EngineConfig", "EngineState", "Link", "Progress", "SyncEngine", "SyncListener", "Wake"]

log = logging.getLogger(__name__)


class Link(StrEnum):
    STARTING = "starting"
    ONLINE = "online"  # the centre answered the last request
    OFFLINE = "offline"  # no answer: probing until it comes back
    RETRYING = "retrying"  # the centre is busy: waiting as it asked
    REFUSED = "refused"  # token / station refused: a supervisor must fix the settings
    LOCKED = "locked"  # another sync engine works on this queue
    STOPPED = "stopped"


class Wake(StrEnum):
    NEW_ENTRY = "new_entry"
    SYNC_NOW = "sync_now"
    NETWORK = "network"
    STOP = "stop"


_URGENT = frozenset({Wake.SYNC_NOW, Wake.NETWORK, Wake.STOP})


@dataclass(frozen=True)
class EngineConfig:
    batch_size: int = 200
    probe_interval: float = 2.0  # at most one request this often while the link is down
    backoff_initial: float = 1.0
    backoff_max: float = 300.0
    idle_poll: float = 5.0  # look for entries saved by other processes this often
    idle_probe: float = 30.0  # refresh the link state this often while there is nothing to send
    refused_wait: float = 60.0
    lock_poll: float = 5.0


@dataclass(frozen=True)
class EngineState:
    link: Link
    pending: int = 0
    retry_at: float | None = None  # time.time() of the next attempt, while backing off
    last_error: str | None = None  # short English, for logs and supervisors
    last_error_id: str | None = None  # for operators, in Bahasa Indonesia
    last_sync_at: datetime | None = None


@dataclass(frozen=True)
class Progress:
    batch: int  # entries in the batch just answered
    synced: int
    rejected: int
    conflict: int
    total_synced: int  # since the engine started
    pending: int  # still waiting after this batch


class SyncListener(Protocol):
    def sync_state_changed(self, state: EngineState) -> None: ...

    def sync_progress(self, progress: Progress) -> None: ...


class SyncEngine:
    def __init__(
        self,
        queue: Queue,
        client: CentralClient,
        station_id: str,
        *,
        listener: SyncListener | None = None,
        config: EngineConfig | None = None,
    ) -> None:
        self.queue = queue
        self.client = client
        self.station_id = station_id
        self.config = config or EngineConfig()
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._listener = listener
        self._limit = self.config.batch_size
        self._wake = threading.Event()
        self._reasons: set[Wake] = set()
        self._reasons_lock = threading.Lock()
        self._stopping = threading.Event()
        self._lock = queue.sync_lock()
        self._last_request = float("-inf")
        self._last_failure: BaseException | None = None
        self._state = EngineState(Link.STARTING)
        self._thread: threading.Thread | None = None
        self.total_synced = 0

    # -- control (any thread) ----------------------------------------------------------------

    def wake(self, reason: Wake = Wake.NEW_ENTRY) -> None:
        with self._reasons_lock:
            self._reasons.add(reason)
        self._wake.set()

    def sync_now(self) -> None:
        self.wake(Wake.SYNC_NOW)

    def network_changed(self) -> None:
        self.wake(Wake.NETWORK)

    def start(self) -> None:
        """Run :meth:`run_forever` on a daemon thread."""
        self._thread = threading.Thread(target=self.run_forever, name="sync-engine", daemon=True)
        self._thread.start()

    def stop(self, timeout: float | None = 15.0) -> None:
        self._stopping.set()
        self.wake(Wake.STOP)
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    @property
    def state(self) -> EngineState:
        return self._state

    # -- loops -------------------------------------------------------------------------------

    def run_forever(self) -> None:
        try:
            if not self._acquire_lock():
                return
            self._probe()  # report online/offline at once, before anything is queued
            while not self._stopping.is_set():
                self._cycle(idle_wait=True)
        except Exception:
            log.exception("sync engine stopped by an unexpected error")
            raise
        finally:
            self._lock.release()
            self._set_state(link=Link.STOPPED, retry_at=None)

    def drain(self, *, give_up_after: float | None = None) -> bool:
        """Send until nothing is pending (for ``ektp-station sync --until-empty``).

        Returns True when the queue is drained; False when stopped or ``give_up_after``
        seconds passed without reaching the centre.
        """
        if not self._acquire_lock(wait=False):
            return False
        deadline = None if give_up_after is None else time.monotonic() + give_up_after
        try:
            while not self._stopping.is_set():
                if deadline is not None and time.monotonic() > deadline:
                    return False
                if not self._cycle(idle_wait=False, deadline=deadline):
                    return self.queue.count(State.PENDING) == 0
            return False
        finally:
            self._lock.release()

    def send_once(self) -> int:
        """One batch, no retry (``sync --once``); SyncError if it failed."""
        if not self._acquire_lock(wait=False):
            raise LinkDown("another sync engine holds this queue")
        try:
            return self._send_batch()
        finally:
            self._lock.release()

    def _acquire_lock(self, *, wait: bool = True) -> bool:
        while not self._lock.try_acquire():
            self._set_state(link=Link.LOCKED)
            if not wait or self._wait_for(self.config.lock_poll) is Wake.STOP:
                return False
        recovered = self.queue.recover_orphans()  # we hold the lock: any claim is orphaned
        if recovered:
            log.info("sync engine put %d orphaned entries back to pending", recovered)
        return True

    def _cycle(self, *, idle_wait: bool, deadline: float | None = None) -> bool:
        """One batch with retries; returns False when there was nothing to send."""
        stop_rules = StopWhen(lambda: self._stopping.is_set() or past(deadline))
        retrying = tenacity.Retrying(
            retry=tenacity.retry_if_exception_type(TransientError),
            wait=HonourRetryAfter(
                tenacity.wait_fixed(0.5)
                + tenacity.wait_random_exponential(
                    multiplier=self.config.backoff_initial, max=self.config.backoff_max
                )
            ),
            stop=stop_rules,
            sleep=self._pause_after_failure,
            before_sleep=self._before_sleep,
            reraise=True,
        )
        try:
            sent = retrying(self._send_batch)
        except TransientError:
            return True  # stopping or out of time; the batch is back in pending
        except RefusedError as exc:
            self._set_state(
                link=Link.REFUSED if isinstance(exc, AuthRefused) else Link.ONLINE,
                last_error=str(exc),
                last_error_id=exc.message_id,
            )
            self._wait_for(self.config.refused_wait)
            return True
        if sent:
            return True
        if idle_wait:
            self._idle()
        return False

    def _idle(self) -> None:
        waited = 0.0
        while not self._stopping.is_set() and waited < self.config.idle_probe:
            reason = self._wait_for(self.config.idle_poll)
            self.queue.checkpoint()
            if reason is not None or self.queue.count(State.PENDING):
                return
            waited += self.config.idle_poll
        if not self._stopping.is_set():
            self._probe()

    # -- one batch ---------------------------------------------------------------------------

    def _send_batch(self) -> int:
        entries = self.queue.claim_batch(self.owner, self._limit)
        if not entries:
            return 0
        wire, local = to_wire(entries)
        if local:
            self.queue.apply_outcomes(self.owner, local)
        if not wire:
            return len(entries)
        status = self.queue.status()
        request = BatchRequest(
            station_id=self.station_id,
            station_time=utc_now(),
            backlog=Backlog(
                pending=status.counts[State.PENDING] + status.counts[State.SENDING],
                oldest_unsynced_at=status.oldest_unsynced_at,
            ),
            entries=wire,
        )
        ids = [e.entry_id for e in wire]
        self._last_request = time.monotonic()
        try:
            reply = self.client.send_batch(request)
        except SyncError as exc:
            self.queue.release(self.owner, ids, str(exc))
            if isinstance(exc, RefusedError) and not isinstance(exc, AuthRefused):
                if len(ids) > 1:  # find the entry the centre cannot take: halve and retry
                    self._limit = max(1, len(ids) // 2)
                    raise LinkDown(f"{exc}; retrying with {self._limit} entries") from exc
                self.queue.claim_batch(self.owner, 1)
                self.queue.apply_outcomes(self.owner, [refused_locally(ids[0], exc)])
                return 1
            raise
        outcomes = [outcome_of(r) for r in reply.results]
        self.queue.apply_outcomes(self.owner, outcomes)
        self.queue.checkpoint()  # here, off the counter's save path
        self._limit = min(self.config.batch_size, self._limit * 2)
        counts = {s: sum(1 for o in outcomes if o.state is s) for s in State}
        self.total_synced += counts[State.SYNCED]
        pending = self.queue.count(State.PENDING)
        self._set_state(
            link=Link.ONLINE,
            retry_at=None,
            pending=pending,
            last_error=None,
            last_error_id=None,
            last_sync_at=utc_now() if counts[State.SYNCED] else self._state.last_sync_at,
        )
        if self._listener is not None:
            self._listener.sync_progress(
                Progress(
                    batch=len(outcomes),
                    synced=counts[State.SYNCED],
                    rejected=counts[State.REJECTED],
                    conflict=counts[State.CONFLICT],
                    total_synced=self.total_synced,
                    pending=pending,
                )
            )
        log.info(
            "batch of %d: %d synced, %d rejected, %d conflict, %d back to pending",
            len(outcomes),
            counts[State.SYNCED],
            counts[State.REJECTED],
            counts[State.CONFLICT],
            counts[State.PENDING],
        )
        return len(entries)

    def _probe(self) -> bool:
        self._last_request = time.monotonic()
        try:
            self.client.probe()
        except SyncError as exc:
            self._set_state(
                link=Link.OFFLINE,
                last_error=str(exc),
                last_error_id=exc.message_id,
                pending=self.queue.count(State.PENDING),
            )
            return False
        if self._state.link is not Link.ONLINE:
            self._set_state(
                link=Link.ONLINE, retry_at=None, pending=self.queue.count(State.PENDING)
            )
        return True

    # -- waiting after a failure -------------------------------------------------------------

    def _before_sleep(self, retry_state: tenacity.RetryCallState) -> None:
        exc = retry_state.outcome.exception() if retry_state.outcome else None
        self._last_failure = exc
        delay = retry_state.upcoming_sleep
        link = Link.OFFLINE if isinstance(exc, LinkDown) else Link.RETRYING
        message_id = exc.message_id if isinstance(exc, SyncError) else None
        log.info("send failed (%s); next try in %.1f s", exc, delay)
        self._set_state(
            link=link,
            retry_at=time.time() + delay,
            last_error=str(exc),
            last_error_id=message_id,
            pending=self.queue.count(State.PENDING),
        )

    def _pause_after_failure(self, seconds: float) -> None:
        """tenacity's sleep: interruptible, and probing while the link is down."""
        deadline = time.monotonic() + seconds
        exc = self._last_failure
        probing = isinstance(exc, LinkDown) and exc.retry_after is None
        while not self._stopping.is_set():
            now = time.monotonic()
            if now >= deadline:
                return
            until = deadline
            if probing:
                until = min(deadline, self._last_request + self.config.probe_interval)
            if self._wait_for(max(0.0, until - now)) in _URGENT:
                return
            now = time.monotonic()
            if (
                probing
                and now < deadline
                and now >= self._last_request + self.config.probe_interval
            ):
                if self._probe():
                    return  # the link is back: send now, whatever the backoff had grown to

    def _wait_for(self, seconds: float) -> Wake | None:
        """Sleep up to ``seconds``; return the most urgent wake reason, if any."""
        if self._stopping.is_set():
            return Wake.STOP
        self._wake.wait(seconds)
        with self._reasons_lock:
            reasons, self._reasons = self._reasons, set()
            self._wake.clear()
        if self._stopping.is_set():
            return Wake.STOP
        for reason in (Wake.STOP, Wake.SYNC_NOW, Wake.NETWORK, Wake.NEW_ENTRY):
            if reason in reasons:
                return reason
        return None

    def _set_state(self, **changes: object) -> None:
        self._state = replace(self._state, **changes)  # type: ignore[arg-type]
        if self._listener is not None:
            self._listener.sync_state_changed(self._state)
