"""Sending the biometric parts: resumable, chunk by chunk, each acknowledged offset durable.

The engine calls :meth:`PartSender.send_some` when no biodata is waiting (every waiting
resident's biodata goes before any image). It takes the oldest entry in ``uploading`` and
sends its parts in capture order: the upload is created (or found again) at the centre, its
offset asked, then chunks are read from the encrypted attachment store at that offset and
sent with their sha256. After each acknowledged chunk the offset is written to the queue, so a
cut, a crash or a power cut resumes at the last byte the centre holds (the centre keeps what
arrived of a cut chunk too). When the centre has verified a part's whole sha256 the part is
done, and with the entry's last part the entry is ``synced``.

The chunk size adapts to the link: it doubles while chunks go through quickly and halves when
one is slow or cut, between ``MIN_CHUNK`` and ``MAX_CHUNK``, so a cut wastes little on a
flaky link and a good link is not held back by round trips.

``resume=False`` (``EngineConfig.resume_parts``) exists only as the benchmarks' baseline: each
part goes whole in one request and, after a cut, starts again from byte 0 (the centre's copy
terminated first, tus ``DELETE``), as ODK Collect and MOSIP's registration client send files.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from ..errors import AttachmentUnreadable
from ..store import Queue
from ..store.attachments import AttachmentStore
from ..store.parts import PartToSend
from .client import CentralClient, ChunkRefused, EnrolmentRefused, OffsetMoved, TusReply, UploadGone
from .errors import LinkDown, TransientError

__all__ = ["MAX_CHUNK", "MIN_CHUNK", "PartSender", "Sent"]

log = logging.getLogger(__name__)

MIN_CHUNK = 16 * 1024
MAX_CHUNK = 4 * 1024 * 1024
FIRST_CHUNK = 64 * 1024
QUICK_S = 1.5  # a chunk acknowledged within this: the next one twice as big
SLOW_S = 6.0  # slower than this: the next one half
RATE_SPAN_S = 30.0  # a chunk acknowledged longer ago than this starts the rate afresh
REFUSED_AGAIN_S = 600.0  # a decision the centre refused to take: asked again this much later
MAX_REFUSED = 3  # a chunk refused this often in a row (corrupted each time): give up for now


@dataclass
class Sent:
    """What one call sent: acknowledged bytes and parts verified (0, 0: nothing to send)."""

    bytes: int = 0
    parts: int = 0
    entries: int = 0  # delivered whole
    bytes_on_wire: int = 0  # every byte put on the link, resent ones included
    decisions: int = 0  # the centre's decisions on entries delivered whole, kept


class PartSender:
    def __init__(
        self,
        queue: Queue,
        store: AttachmentStore,
        client: CentralClient,
        *,
        chunk: int = FIRST_CHUNK,
        on_chunk: Callable[[float | None], None] | None = None,
        resume: bool = True,
    ) -> None:
        self.queue = queue
        self.store = store
        self.client = client
        self.chunk = chunk
        self.resume = resume  # False: the whole-part baseline (see the module's docstring)
        self.total = Sent()
        #: bytes per second acknowledged lately (a moving average; None before any chunk)
        self.rate: float | None = None
        self._on_chunk = on_chunk
        self._last_ack = float("-inf")  # time.monotonic() of the last acknowledged chunk
        #: entries whose decision the centre refused to take, and when to ask again
        self._refused: dict[int, float] = {}

    def has_work(self) -> bool:
        """A part to send, or a decision to ask for (not refused lately)."""
        if self.queue.next_part() is not None:
            return True
        after = 0
        while (due := self.queue.next_enrolment(after=after)) is not None:
            if time.monotonic() >= self._refused.get(due.seq, float("-inf")):
                return True
            after = due.seq
        return False

    def send_some(self, *, seconds: float, stop: Callable[[], bool]) -> Sent:
        """Send chunks for up to ``seconds`` (or until ``stop()`` or biodata waits);
        LinkDown / CentreBusy as the batches raise them (the engine backs off)."""
        sent = Sent()
        until = time.monotonic() + seconds
        self._ask_decisions(sent, until, stop)
        while time.monotonic() < until and not stop():
            todo = self.queue.next_part()
            if todo is None:
                break
            try:
                self._send_part(todo, sent, until, stop)
            except AttachmentUnreadable:
                # its file is gone or damaged here: never stop sending for it; the entry
                # waits for that part to be captured again, the others go on
                log.error("part %s of entry %d unreadable here; not sent", todo.row.part, todo.seq)
                self.queue.part_lost(todo.seq, todo.row.part)
        self._ask_decisions(sent, until, stop)
        return sent

    def _ask_decisions(self, sent: Sent, until: float, stop: Callable[[], bool]) -> None:
        """Ask the centre's pipeline about entries delivered whole (store/enrolment.py) and
        keep its decisions: print-ready, duplicate, adjudication. A refusal (the centre does
        not hold every part it is told of) is logged and asked again ten minutes later."""
        after = 0
        while time.monotonic() < until and not stop():
            due = self.queue.next_enrolment(after=after)
            if due is None:
                return
            after = due.seq
            if time.monotonic() < self._refused.get(due.seq, float("-inf")):
                continue  # refused lately: asked again later, not at every turn
            try:
                reply = self.client.submit_enrolment(due.entry_id, due.parts, due.exceptions)
            except EnrolmentRefused as exc:
                log.warning("the centre refused to decide on entry %d: %s", due.seq, exc.code)
                self._refused[due.seq] = time.monotonic() + REFUSED_AGAIN_S
                continue
            if self.queue.record_enrolment(due.seq, reply.status, reply.reason):
                self._count(sent, decisions=1)
            self._refused.pop(due.seq, None)

    def _send_part(
        self, todo: PartToSend, sent: Sent, until: float, stop: Callable[[], bool]
    ) -> None:
        row = todo.row
        assert row.sha256 is not None and row.size is not None
        reply = self._where(todo)
        refused = 0
        while not reply.verified:
            if time.monotonic() >= until or stop():
                return
            if not self.resume and reply.offset:
                reply = self._start_over(todo, reply.url)  # what a cut left there is dropped
                continue
            size = min(self.chunk if self.resume else MAX_CHUNK, row.size - reply.offset)
            # streamed from the store as it is sent, one segment in memory at a time (its
            # sha256 from a first pass): a 50 MB part never sits in memory, nor a 4 MiB chunk
            digest = hashlib.sha256()
            for piece in self.store.stream(row.sha256, reply.offset, size):
                digest.update(piece)
            pieces = self.store.stream(row.sha256, reply.offset, size)
            started = time.monotonic()
            self._count(sent, bytes_on_wire=size)
            try:
                new = self.client.send_chunk(
                    reply.url, reply.offset, pieces, length=size, sha256=digest.digest()
                )
            except ChunkRefused:
                refused += 1
                log.warning("part chunk refused by its checksum (%d in a row)", refused)
                if refused >= MAX_REFUSED:
                    raise LinkDown("part chunks keep arriving damaged") from None
                reply = self._offset(todo, reply.url)
                continue
            except OffsetMoved:
                reply = self._offset(todo, reply.url)
                continue
            except UploadGone:
                self.queue.record_part_progress(todo.seq, row.part, upload_url=None, acked=0)
                reply = self._where(todo)
                continue
            except TransientError:
                self.chunk = max(MIN_CHUNK, self.chunk // 2)  # a cut: smaller from now
                raise
            finally:
                close = getattr(pieces, "close", None)  # a generator: its file closed now,
                if close is not None:  # not when the request is collected
                    close()
            refused = 0
            took = time.monotonic() - started
            if took < QUICK_S:
                self.chunk = min(MAX_CHUNK, self.chunk * 2)
            elif took > SLOW_S:
                self.chunk = max(MIN_CHUNK, self.chunk // 2)
            moved = max(0, new.offset - reply.offset)
            now = time.monotonic()
            # the rate the parts really move at: from the last acknowledged chunk, so the
            # requests between chunks (a part's creation, an offset asked) and the gaps
            # count too — a chunk's own transfer alone reads many times too fast
            since = now - self._last_ack if now - self._last_ack < RATE_SPAN_S else took
            self._last_ack = now
            if moved and since > 0:
                speed = moved / since
                self.rate = speed if self.rate is None else 0.7 * self.rate + 0.3 * speed
            self._count(sent, bytes=moved)
            reply = TusReply(reply.url, new.offset, new.verified)
            if not new.verified:
                self.queue.record_part_progress(
                    todo.seq, row.part, upload_url=reply.url, acked=reply.offset
                )
            if self._on_chunk is not None:
                self._on_chunk(self.rate)
        delivered = self.queue.part_verified(todo.seq, row.part)
        self._count(sent, parts=1, entries=int(delivered))

    def _count(self, sent: Sent, **amounts: int) -> None:
        """Add to this call's figures and to the sender's totals alike."""
        for name, amount in amounts.items():
            for figures in (sent, self.total):
                setattr(figures, name, getattr(figures, name) + amount)

    def _where(self, todo: PartToSend) -> TusReply:
        """The part's upload at the centre and its offset (made there if need be)."""
        row = todo.row
        assert row.sha256 is not None and row.size is not None
        if row.upload_url:
            try:
                return self._offset(todo, row.upload_url)
            except UploadGone:
                pass  # the centre lost it: made again below
        return self._create(todo)

    def _create(self, todo: PartToSend) -> TusReply:
        row = todo.row
        assert row.sha256 is not None and row.size is not None
        reply = self.client.create_upload(todo.entry_id, row.part, row.sha256, row.size)
        self.queue.record_part_progress(
            todo.seq, row.part, upload_url=reply.url, acked=min(reply.offset, row.size)
        )
        return reply

    def _start_over(self, todo: PartToSend, url: str) -> TusReply:
        """The whole-part baseline after a cut: the centre's partial copy terminated, the part
        made again at offset 0."""
        if not self.client.delete_upload(url):
            return self._offset(todo, url)  # verified meanwhile: nothing to send again
        self.queue.record_part_progress(todo.seq, todo.row.part, upload_url=None, acked=0)
        return self._create(todo)

    def _offset(self, todo: PartToSend, url: str) -> TusReply:
        reply = self.client.upload_offset(url)
        self.queue.record_part_progress(todo.seq, todo.row.part, upload_url=url, acked=reply.offset)
        return reply
