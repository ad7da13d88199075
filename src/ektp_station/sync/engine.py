"""The sync engine: delivers every queued entry to the centre exactly once, whatever the link.

One loop on its own thread (no Qt): claim the oldest pending entries, send them as one batch,
apply the per-entry results — each step one short local transaction. Failures are retried by
tenacity with jittered exponential backoff, honouring Retry-After. While the link is down one
clock spaces every request, probe or batch: never two within ``probe_interval``; a cheap health
probe fills the slots until the backoff ends, so the first batch leaves within about that long
after the link returns, however far the backoff has grown. A batch the centre refuses as such
(413, 400) is split, in the engine's hands, until the entry it cannot take is found. "New
entry", "sync now" and "network changed" wake the loop; :meth:`SyncEngine.stop` ends it cleanly.

Lifecycle (:attr:`SyncEngine.lifecycle`)::

    NEW --start()--> RUNNING --stop()--> STOPPING --loop ends--> STOPPED --start()--> RUNNING

Progress and state go to a :class:`SyncListener` (the GUI wraps it in a Qt bridge).
"""

from __future__ import annotations

import logging
import math
import os
import random
import socket
import threading
import time
import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Protocol

import tenacity

from ..errors import DiskFull, QueueBusy, QueueUnusable, StationClockWrong
from ..store import Outcome, Queue, State
from ..store.attachments import AttachmentStore
from ..timeutil import utc_now
from .backoff import HonourRetryAfter, StopWhen, past
from .client import CentralClient
from .errors import (
    BadRequest,
    BatchTooLarge,
    LinkDown,
    RefusedError,
    SyncError,
    TransientError,
)
from .outcomes import outcome_of, refused_locally, to_wire
from .protocol import (
    MAX_WIRE_TIME,
    MIN_WIRE_TIME,
    Backlog,
    BatchEntry,
    BatchRequest,
    HeartbeatRequest,
)
from .uploads import PartSender

__all__ = [
    "EngineConfig",
    "EngineState",
    "Lifecycle",
    "Link",
    "Progress",
    "SyncEngine",
    "SyncListener",
    "Wake",
]

log = logging.getLogger(__name__)


class Link(StrEnum):
    STARTING = "starting"
    ONLINE = "online"  # the centre answered the last request
    OFFLINE = "offline"  # no answer: probing until it comes back
    RETRYING = "retrying"  # the centre is busy: waiting as it asked
    REFUSED = (
        "refused"  # token / station / protocol refused: the settings or the centre must change
    )
    LOCKED = "locked"  # another sync engine works on this queue
    STOPPED = "stopped"


class Lifecycle(StrEnum):
    """The engine's own life (not the link's: that is :attr:`EngineState.link`)."""

    NEW = "new"  # made, never run
    RUNNING = "running"  # a loop runs: start()'s thread, or run_forever / drain / send_once
    STOPPING = "stopping"  # stop() was asked; the loop ends at its next check
    STOPPED = "stopped"  # no loop runs; start() begins a fresh one


_ALIVE = frozenset({Lifecycle.RUNNING, Lifecycle.STOPPING})


class Wake(StrEnum):
    NEW_ENTRY = "new_entry"
    SYNC_NOW = "sync_now"
    NETWORK = "network"
    STOP = "stop"


_URGENT = frozenset({Wake.SYNC_NOW, Wake.NETWORK, Wake.STOP})
_NOT_TOLD_ANY = object()  # nothing told the centre a backlog yet in this engine's life


@dataclass(frozen=True)
class EngineConfig:
    batch_size: int = 200
    probe_interval: float = 2.0  # at most one request this often while the link is down
    # for a few seconds after an upload was cut in mid-stream, one request this often instead
    # (a drop of a second or two costs half a second, not two; a long outage soon returns to
    # probe_interval)
    probe_after_cut: float = 0.5
    after_cut_window: float = 3.0
    # after the link was down this long, the first send waits a random moment up to
    # herd_jitter: a region's stations coming back together do not all call at once
    long_outage: float = 60.0
    herd_jitter: float = 5.0
    backoff_initial: float = 1.0
    backoff_max: float = 300.0
    idle_poll: float = 5.0  # look for entries saved by other processes this often
    # refresh the link state this often while there is nothing to send: a cut far away (no local
    # network change to wake the engine) shows within this plus the probe's timeout
    idle_probe: float = 5.0
    refused_wait: float = 60.0
    lock_poll: float = 5.0
    # an idle station tells the centre it is there (its backlog, unchanged) at least this
    # often, so that the district's dashboard tells a quiet counter from a silent one
    heartbeat_interval: float = 300.0
    # False exists only for the benchmarks' comparison: each part whole in one request, begun
    # again from byte 0 after a cut (the ODK / MOSIP way); see sync/uploads.py
    resume_parts: bool = True


@dataclass(frozen=True)
class EngineState:
    link: Link
    pending: int = 0
    retry_at: float | None = None  # time.time() of the next attempt, while waiting to retry
    last_error: str | None = None  # short English, for logs and supervisors
    last_error_id: str | None = None  # for operators, in Bahasa Indonesia
    last_sync_at: datetime | None = None
    parts_left: int = 0  # biometric parts not verified by the centre yet
    bytes_left: int = 0  # their bytes not acknowledged yet
    part_rate: float | None = None  # bytes per second the parts moved at lately


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


@dataclass
class _Delivery:
    """What became of one claimed batch, over however many requests it took."""

    outcomes: list[Outcome] = field(default_factory=list)  # applied, in the order answered
    requests: int = 0
    split: bool = False  # the centre refused a part as such (413 / 400)
    largest_answered: int = 0  # the largest part the centre answered with results
    too_large: int = 0  # the smallest part refused as too large (413), 0 if none
    interrupted: bool = False  # stop() came in the middle of a split


#: The longest the parts hold the link before the engine looks at the queue again.
PARTS_TURN_S = 5.0


class SyncEngine:
    def __init__(
        self,
        queue: Queue,
        client: CentralClient,
        station_id: str,
        *,
        listener: SyncListener | None = None,
        config: EngineConfig | None = None,
        attachments: AttachmentStore | None = None,
    ) -> None:
        self.queue = queue
        #: the biometric parts, sent once no biodata waits (None: biodata only)
        self.parts = (
            None
            if attachments is None
            else PartSender(
                queue,
                attachments,
                client,
                on_chunk=self._parts_moved,
                resume=(config or EngineConfig()).resume_parts,
            )
        )
        self._parts_shown = 0.0  # time.monotonic() the parts' progress was last told
        self.client = client
        self.station_id = station_id
        self.config = config or EngineConfig()
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._listener = listener
        self._limit = self.config.batch_size
        #: What stopped this engine for good when it was the queue file itself (gone,
        #: damaged, read-only, full at open); None otherwise. The window's banner shows it.
        self.queue_fault: QueueUnusable | None = None
        self._wake = threading.Event()
        self._reasons: set[Wake] = set()
        # Re-entrant: stop() may run in a signal handler on the very thread that holds them.
        self._reasons_lock = threading.RLock()
        self._life_lock = threading.RLock()
        self._life = Lifecycle.NEW
        self._stopping = threading.Event()
        self._lock = queue.sync_lock()
        self._last_request = float("-inf")  # time.monotonic() of the last request of any kind
        # Since when the requests got no answer at all (nothing on the way asked for a wait):
        # the link-down clock applies to the next one (``_unanswered``); None: answered.
        self._no_answer_since: float | None = None
        self._granted = False  # "sync now" / "network changed": the next request need not wait
        self._look_soon_until = float("-inf")  # after an upload's cut: the clock is quicker
        #: the backlog the centre was last told (in a batch, or a heartbeat when idle)
        self._reported: Backlog | object = _NOT_TOLD_ANY
        self._reported_at = 0.0  # time.monotonic() when the centre was last told it
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

    def start(self) -> bool:
        """Run the engine on its own daemon thread; True if this call started it.

        False, and nothing happens, while a loop runs (RUNNING) or still finishes after a
        :meth:`stop` whose wait ran out (STOPPING). From NEW or STOPPED a fresh run starts
        (a stop asked before is forgotten)."""
        with self._life_lock:
            if self._life in _ALIVE:
                return False
            self._stopping.clear()
            with self._reasons_lock:
                self._reasons.discard(Wake.STOP)
            self._life = Lifecycle.RUNNING
            self._thread = threading.Thread(
                target=self._thread_main, name="sync-engine", daemon=True
            )
            self._thread.start()
        return True

    def stop(self, timeout: float | None = 15.0) -> bool:
        """Ask the loop to end and wait up to ``timeout`` s for start()'s thread; idempotent.

        True when no loop runs any more (STOPPED). False while one still finishes
        (STOPPING): a request in flight is waited for up to its own timeouts, then its
        results are applied or its batch released as usual. Called from a signal handler
        (``timeout=0``) it ends :meth:`drain` / :meth:`run_forever` on that thread. A stop
        also holds for a run_forever / drain / send_once called after it; only :meth:`start`
        begins a new run."""
        with self._life_lock:
            self._stopping.set()
            if self._life is Lifecycle.RUNNING:
                self._life = Lifecycle.STOPPING
            elif self._life is Lifecycle.NEW:
                self._life = Lifecycle.STOPPED
            thread = self._thread
        self.wake(Wake.STOP)
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)
        return self.lifecycle is Lifecycle.STOPPED

    @property
    def lifecycle(self) -> Lifecycle:
        return self._life

    @property
    def running(self) -> bool:
        """A loop runs (RUNNING or STOPPING): its thread may still use the client."""
        return self._life in _ALIVE

    @property
    def state(self) -> EngineState:
        return self._state

    def _begin(self) -> None:
        """Enter a run on the calling thread (run_forever / drain / send_once)."""
        with self._life_lock:
            if self._life in _ALIVE:
                raise RuntimeError("this sync engine runs already")
            self._life = Lifecycle.STOPPING if self._stopping.is_set() else Lifecycle.RUNNING

    def _finish(self) -> None:
        with self._life_lock:
            self._life = Lifecycle.STOPPED

    # -- loops -------------------------------------------------------------------------------

    def _thread_main(self) -> None:
        try:
            self._serve()
        finally:
            self._finish()

    def run_forever(self) -> None:
        """Deliver on the calling thread until :meth:`stop` (``ektp-station sync --watch``)."""
        self._begin()
        try:
            self._serve()
        finally:
            self._finish()

    def _serve(self) -> None:
        try:
            if not self._acquire_lock(recover=False):
                return
            self._probe()  # report online/offline at once, before anything is queued
            recovered = False
            while not self._stopping.is_set():
                try:
                    if not recovered:
                        self._recover_orphans()
                        recovered = True
                    self._cycle(idle_wait=True)
                except QueueBusy as exc:
                    recovered = False  # what this engine had claimed goes back first
                    self._queue_busy(exc)
        except QueueUnusable as exc:
            # the file is gone, replaced or damaged: stop writing, say so, never go on
            # reporting "sent" or "waiting" from it
            log.error("sync engine stopped: the queue cannot be used (%s)", exc)
            self.queue_fault = exc
            self._set_state(last_error=str(exc), last_error_id=exc.message_id)
        except Exception:
            log.exception("sync engine stopped by an unexpected error")
            raise
        finally:
            self._lock.release()
            self._set_state(link=Link.STOPPED, retry_at=None)

    def _queue_busy(self, exc: QueueBusy) -> None:
        """Another program held the queue file locked too long: not a lost file. Say so and
        wait; the loop then puts back what this engine had claimed (the centre answers
        ``already_accepted`` for any entry it took meanwhile: nothing twice) and carries on."""
        log.warning("queue file locked by another program; sending paused (%s)", exc.detail)
        self._set_state(last_error=str(exc), last_error_id=exc.message_id)
        self._wait_for(self.config.refused_wait)

    def drain(self, *, give_up_after: float | None = None) -> bool:
        """Send until nothing is pending, biometric parts included (for ``ektp-station sync
        --until-empty``).

        Returns True when the queue is drained; False when stopped or ``give_up_after``
        seconds passed without reaching the centre.
        """
        self._begin()
        try:
            if not self._acquire_lock(wait=False):
                return False
            deadline = None if give_up_after is None else time.monotonic() + give_up_after
            try:
                while not self._stopping.is_set():
                    if deadline is not None and time.monotonic() > deadline:
                        return False
                    if not self._cycle(idle_wait=False, deadline=deadline):
                        waiting_parts = self.parts is not None and self.queue.next_part()
                        return self.queue.count(State.PENDING) == 0 and not waiting_parts
                return False
            finally:
                self._lock.release()
        finally:
            self._finish()

    def send_once(self) -> int:
        """One batch, no retry (``sync --once``); SyncError if it failed."""
        self._begin()
        try:
            if not self._acquire_lock(wait=False):
                raise LinkDown("another sync engine holds this queue")
            try:
                return self._send_batch()
            finally:
                self._lock.release()
        finally:
            self._finish()

    def _acquire_lock(self, *, wait: bool = True, recover: bool = True) -> bool:
        while not self._lock.try_acquire():
            self._set_state(link=Link.LOCKED)
            if not wait or self._wait_for(self.config.lock_poll) is Wake.STOP:
                return False
        if recover:
            self._recover_orphans()
        return True

    def _recover_orphans(self) -> None:
        recovered = self.queue.recover_orphans()  # we hold the lock: any claim is orphaned
        if recovered:
            log.info("sync engine put %d orphaned entries back to pending", recovered)

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
            sent = retrying(self._send_work)
        except TransientError:
            return True  # stopping or out of time; the batch is back in pending
        except RefusedError as exc:
            # AuthRefused, ProtocolUnsupported: the request itself is refused, whatever it
            # carries (a refused part of a batch never gets here: _deliver splits it). The
            # entries stay pending; try again later or on "sync now".
            self._unanswered = False
            self._set_state(
                link=Link.REFUSED,
                retry_at=None,
                last_error=str(exc),
                last_error_id=exc.message_id,
                pending=self.queue.count(State.PENDING),
            )
            log.info(
                "the centre refused the request (%s); next try in %.0f s",
                exc,
                self.config.refused_wait,
            )
            self._wait_for(self.config.refused_wait)
            return True
        if sent:
            return True
        self._report_backlog()
        if idle_wait:
            self._idle()
        return False

    def _backlog(self) -> Backlog:
        """What is left to deliver, as the centre is told it."""
        status = self.queue.status()
        oldest = status.oldest_unsynced_at
        if oldest is not None and not MIN_WIRE_TIME <= oldest < MAX_WIRE_TIME:
            oldest = None  # captured under a wrong clock: the centre's bounds would refuse it
        return Backlog(
            pending=status.counts[State.PENDING] + status.counts[State.SENDING],
            oldest_unsynced_at=oldest,
        )

    def _report_backlog(self) -> None:
        """Falling idle: tell the centre what is left now, if that is not what it was last
        told (a batch tells it as it was before the batch; a new engine tells it once, the
        last run's figure may be stale). One small request; a failure is told again at the
        next idle turn."""
        if not MIN_WIRE_TIME <= utc_now() < MAX_WIRE_TIME:
            return  # a clock out of range: the centre would refuse the time
        backlog = self._backlog()
        told_lately = time.monotonic() - self._reported_at < self.config.heartbeat_interval
        if (backlog == self._reported and told_lately) or not self._await_slot():
            return
        self._last_request = time.monotonic()
        beat = HeartbeatRequest(station_id=self.station_id, station_time=utc_now(), backlog=backlog)
        try:
            self.client.send_heartbeat(beat)
        except BadRequest as exc:  # a centre without heartbeats: never asked again
            log.info("the centre takes no heartbeat (%s)", exc)
            self._reported = backlog
            self._reported_at = math.inf
        except SyncError as exc:
            self._unanswered = isinstance(exc, LinkDown) and exc.retry_after is None
            log.info("backlog not reported (%s); again at the next idle turn", exc)
        else:
            self._unanswered = False
            self._reported = backlog
            self._reported_at = time.monotonic()

    def _idle(self) -> None:
        waited = 0.0
        while not self._stopping.is_set() and waited < self.config.idle_probe:
            reason = self._wait_for(self.config.idle_poll)
            self.queue.ensure_there()  # QueueGone if deleted or replaced meanwhile
            self._checkpoint()
            if reason is not None or self.queue.count(State.PENDING):
                return
            waited += self.config.idle_poll
        if not self._stopping.is_set():
            self._probe()

    def _checkpoint(self) -> None:
        """Copy the WAL back; a full disk only postpones it (saves report it themselves)."""
        try:
            self.queue.checkpoint()
        except DiskFull as exc:
            log.warning("checkpoint postponed: %s", exc)

    # -- one batch, or some of the parts ------------------------------------------------------

    def _send_work(self) -> int:
        """A batch of biodata; when none waits, the biometric parts for a while (a new entry
        saved meanwhile goes first: the parts stop at the next chunk)."""
        # the entries saved so far are what this batch claims: a "new entry" wake from
        # before it is answered now (left set, it would stop every parts' turn of a drain,
        # which never waits where wakes are cleared)
        with self._reasons_lock:
            self._reasons.discard(Wake.NEW_ENTRY)
        sent = self._send_batch()
        if sent or self.parts is None:
            return sent
        if not self.parts.has_work():
            return 0
        if not self._await_slot():
            return 0
        self._last_request = time.monotonic()
        try:
            done = self.parts.send_some(
                seconds=PARTS_TURN_S,
                stop=lambda: self._stopping.is_set() or self._has_reason(Wake.NEW_ENTRY),
            )
        except LinkDown as exc:
            if exc.retry_after is None and not self._unanswered:  # the first failure only
                # an upload cut in mid-stream: the link carried data a moment ago, and a
                # putus-nyambung drop lasts a second or two; look again soon for a little
                # while (then the usual link-down clock): megabytes wait on that second
                self._last_request = time.monotonic()
                self._look_soon_until = self._last_request + self.config.after_cut_window
            raise
        self._unanswered = False
        self._tell_parts(self.parts.rate, retry_at=None, last_error=None, last_error_id=None)
        if done.entries:
            log.info("%d entries delivered whole with their parts", done.entries)
        if done.entries or done.decisions:
            self.total_synced += done.entries
            if self._listener is not None:  # the queue changed: the window shows it
                self._listener.sync_progress(
                    Progress(
                        batch=0,
                        synced=done.entries,
                        rejected=0,
                        conflict=0,
                        total_synced=self.total_synced,
                        pending=self.queue.count(State.PENDING),
                    )
                )
        moved = done.bytes or done.parts or done.decisions
        return max(1, done.bytes) if moved else 0

    def _parts_moved(self, rate: float | None) -> None:
        """After an acknowledged chunk: what is left, at most twice a second to the window."""
        now = time.monotonic()
        if now - self._parts_shown >= 0.5:
            self._parts_shown = now
            self._tell_parts(rate)

    def _tell_parts(self, rate: float | None, **more: object) -> None:
        left = self.queue.part_totals()
        self._set_state(
            link=Link.ONLINE,
            parts_left=left.parts,
            bytes_left=left.bytes,
            part_rate=rate,
            **more,
        )

    def _has_reason(self, reason: Wake) -> bool:
        with self._reasons_lock:
            return reason in self._reasons

    def _send_batch(self) -> int:
        if not self._await_slot():
            return 0  # stopping
        self.queue.ensure_there()  # never claim from a file that was deleted or replaced
        entries = self.queue.claim_batch(self.owner, self._limit)
        if not entries:
            return 0
        wire, local = to_wire(entries)
        if local:
            self.queue.apply_outcomes(self.owner, local)
        if not wire:
            return len(entries)
        ids = [e.entry_id for e in wire]
        if not MIN_WIRE_TIME <= utc_now() < MAX_WIRE_TIME:  # a dead CMOS battery, say
            self.queue.release(self.owner, ids, "station clock out of range")
            raise StationClockWrong(f"station clock reads year {utc_now().year}")
        backlog = self._backlog()
        self._reported = backlog  # as it was before this batch: told again when idle
        self._reported_at = time.monotonic()
        done = _Delivery()
        try:
            self._deliver(wire, backlog, done)
        except SyncError as exc:
            # Back to pending: what is still ours and still sending (parts answered before
            # the failure keep their results).
            self.queue.release(self.owner, ids, str(exc))
            self._resize(done, failed=True)
            if done.outcomes:
                self._tell_progress(done.outcomes)
            raise
        if done.interrupted:
            self.queue.release(self.owner, ids, "stopped while sending")
        self._resize(done, failed=False)
        self._checkpoint()  # here, off the counter's save path
        self._report(done)
        return len(entries)

    def _deliver(self, wire: list[BatchEntry], backlog: Backlog, done: _Delivery) -> None:
        """Send ``wire`` — entries this engine holds, still ``sending`` — and apply the answers.

        A part the centre refuses as such (413 too large, 400 unreadable) is split in halves,
        each sent in turn; a single entry it refuses is marked rejected while still claimed.
        Nothing is released or claimed meanwhile, and the link state is left alone: the
        centre answered. Any other SyncError propagates (the caller releases what is left)."""
        if done.requests and self._stopping.is_set():
            done.interrupted = True
            return
        request = BatchRequest(
            station_id=self.station_id,
            station_time=utc_now(),
            backlog=backlog,
            entries=wire,
        )
        self._last_request = time.monotonic()
        done.requests += 1
        try:
            reply = self.client.send_batch(request)
        except (BatchTooLarge, BadRequest) as exc:
            done.split = True
            if isinstance(exc, BatchTooLarge):
                done.too_large = min(done.too_large or len(wire), len(wire))
            if len(wire) == 1:
                log.info("the centre refused one entry on its own (%s): marked rejected", exc)
                outcome = refused_locally(wire[0].entry_id, exc)
                self.queue.apply_outcomes(self.owner, [outcome])
                done.outcomes.append(outcome)
                return
            half = (len(wire) + 1) // 2
            log.info("the centre refused a batch of %d (%s): sending it in halves", len(wire), exc)
            self._deliver(wire[:half], backlog, done)
            self._deliver(wire[half:], backlog, done)
            return
        outcomes = [outcome_of(r) for r in reply.results]
        self.queue.apply_outcomes(self.owner, outcomes)
        done.outcomes.extend(outcomes)
        done.largest_answered = max(done.largest_answered, len(wire))

    def _resize(self, done: _Delivery, *, failed: bool) -> None:
        """The next batch size. After a plain success: double (up to ``batch_size``). After a
        split: the size that worked — the largest part answered — growing back from there.
        A split cut short by a failure changes the size only for a 413 (the parts that got
        answered before a 400 say nothing about size)."""
        if not done.split:
            if not failed:
                self._limit = min(self.config.batch_size, self._limit * 2)
            return
        if done.largest_answered and (done.too_large or not failed):
            self._limit = done.largest_answered
        elif done.too_large:
            self._limit = max(1, done.too_large // 2)

    def _tell_progress(self, outcomes: list[Outcome]) -> tuple[dict[State, int], int]:
        counts = {s: sum(1 for o in outcomes if o.state is s) for s in State}
        self.total_synced += counts[State.SYNCED]
        pending = self.queue.count(State.PENDING)
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
        return counts, pending

    def _report(self, done: _Delivery) -> None:
        self._unanswered = False
        counts, pending = self._tell_progress(done.outcomes)
        self._set_state(
            link=Link.ONLINE,
            retry_at=None,
            pending=pending,
            last_error=None,
            last_error_id=None,
            last_sync_at=utc_now() if counts[State.SYNCED] else self._state.last_sync_at,
        )
        log.info(
            "batch of %d: %d synced, %d rejected, %d conflict, %d back to pending (%d request%s)",
            len(done.outcomes),
            counts[State.SYNCED],
            counts[State.REJECTED],
            counts[State.CONFLICT],
            counts[State.PENDING],
            done.requests,
            "" if done.requests == 1 else "s",
        )

    def _probe(self) -> bool:
        if not self._await_slot():
            return False  # stopping
        self._last_request = time.monotonic()
        try:
            self.client.probe()
        except SyncError as exc:
            self._unanswered = exc.retry_after is None
            # a refusal (a certificate that does not verify, a protocol the centre lacks) is
            # the centre answering no, not a link that is down
            refused = isinstance(exc, RefusedError)
            if refused and self._state.link is not Link.REFUSED:
                log.warning("probe refused: %s", exc)
            self._set_state(
                link=Link.REFUSED if refused else Link.OFFLINE,
                last_error=str(exc),
                last_error_id=exc.message_id,
                pending=self.queue.count(State.PENDING),
            )
            return False
        self._unanswered = False
        if self._state.link is not Link.ONLINE:
            self._set_state(
                link=Link.ONLINE, retry_at=None, pending=self.queue.count(State.PENDING)
            )
        return True

    # -- waiting -----------------------------------------------------------------------------

    def _await_slot(self) -> bool:
        """The one clock: while the link is down (the last request got no answer), no request
        — probe or batch — earlier than ``probe_interval`` after the last one. An answer that
        asked for a wait (Retry-After, also from a proxy on the way) is honoured as given
        instead. "Sync now" and "network changed" let the next request go at once; a new entry
        does not (the link is no better for it). False when stopping."""
        granted, self._granted = self._granted, False
        announced = False
        while not granted and not self._stopping.is_set():
            if not self._unanswered:
                return True
            wait = self._last_request + self._spacing() - time.monotonic()
            if wait <= 0:
                return True
            if not announced:
                announced = True
                self._set_state(retry_at=time.time() + wait)
            self._wait_for(wait)
            granted, self._granted = self._granted, False
        return not self._stopping.is_set()

    @property
    def _unanswered(self) -> bool:
        """The last request got no answer at all (the link-down clock applies)."""
        return self._no_answer_since is not None

    @_unanswered.setter
    def _unanswered(self, value: bool) -> None:
        if not value:
            self._no_answer_since = None
        elif self._no_answer_since is None:
            self._no_answer_since = time.monotonic()  # the outage began

    def _back_after_outage(self, down_for: float) -> None:
        """The link answered again after ``down_for`` seconds without an answer: after a
        long outage (``long_outage``) the first send waits a random moment up to
        ``herd_jitter``, so that the stations of a region whose link came back do not all
        call at the same instant; "sync now" and "network changed" cut it short."""
        if down_for < self.config.long_outage or self.config.herd_jitter <= 0:
            return
        pause = random.uniform(0.0, self.config.herd_jitter)
        log.info("link back after %.0f s down: first send in %.1f s (jitter)", down_for, pause)
        self._wait_for(pause)

    def _spacing(self) -> float:
        """The link-down clock's spacing: ``probe_interval``, or ``probe_after_cut`` for a
        few seconds after an upload was cut."""
        if time.monotonic() < self._look_soon_until:
            return self.config.probe_after_cut
        return self.config.probe_interval

    def _before_sleep(self, retry_state: tenacity.RetryCallState) -> None:
        exc = retry_state.outcome.exception() if retry_state.outcome else None
        delay = retry_state.upcoming_sleep
        link = Link.OFFLINE if isinstance(exc, LinkDown) else Link.RETRYING
        self._unanswered = isinstance(exc, LinkDown) and exc.retry_after is None
        if self._unanswered:  # the retry also keeps to the link-down clock
            delay = max(delay, self._last_request + self._spacing() - time.monotonic())
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
        """tenacity's sleep: interruptible; while the link is down, a probe in each slot of
        the one clock until the backoff ends. The retry then takes the next free slot
        (:meth:`_await_slot`): it is that slot's probe."""
        deadline = time.monotonic() + seconds
        probing = self._unanswered  # else the centre, or a proxy, asked for this wait
        while not self._stopping.is_set():
            now = time.monotonic()
            if now >= deadline:
                return
            until = deadline
            if probing:
                until = min(deadline, self._last_request + self._spacing())
            if now < until:
                if self._wait_for(until - now) in _URGENT:
                    return
                continue
            down_since = self._no_answer_since
            if self._probe():
                if down_since is not None:
                    self._back_after_outage(time.monotonic() - down_since)
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
        if Wake.SYNC_NOW in reasons or Wake.NETWORK in reasons:
            self._granted = True  # a person's or the OS's request: the next one goes at once
        for reason in (Wake.STOP, Wake.SYNC_NOW, Wake.NETWORK, Wake.NEW_ENTRY):
            if reason in reasons:
                return reason
        return None

    def _set_state(self, **changes: object) -> None:
        self._state = replace(self._state, **changes)  # type: ignore[arg-type]
        if self._listener is not None:
            self._listener.sync_state_changed(self._state)
