"""The centre refuses a request itself: a batch too large (413) or unreadable (400) is split in
the engine's hands; a token or protocol the centre refuses leaves every entry pending.

All against the real centre. Where the real centre needs a reason to refuse — an entry it
cannot read, a protocol version it does not speak — a forwarding transport changes that one
thing in the JSON on the way, as a broken middlebox or another station version would.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx

from ektp_station.central.runner import CentralServer
from ektp_station.store import Queue, State
from ektp_station.sync.client import CentralClient
from ektp_station.sync.engine import EngineState, Link, Progress, SyncEngine
from ektp_station.sync.outcomes import to_wire
from ektp_station.sync.protocol import MAX_BODY_BYTES, Backlog, BatchRequest
from ektp_station.timeutil import utc_now

from factories import make_record, many_records
from helpers import wait_until, waiting
from sync_support import FAST, STATION, assert_exactly_once

BATCH_PATH = "/v1/batches"


class Recorder:
    """A SyncListener that keeps everything it is told."""

    def __init__(self) -> None:
        self.states: list[EngineState] = []
        self.progress: list[Progress] = []

    def sync_state_changed(self, state: EngineState) -> None:
        self.states.append(state)

    def sync_progress(self, progress: Progress) -> None:
        self.progress.append(progress)

    def links(self) -> set[Link]:
        return {s.link for s in self.states}


class Forwarding(httpx.BaseTransport):
    """Passes every request on to the real centre; ``rewrite`` may change a batch's JSON on
    the way. Keeps the entry ids and the centre's status of every batch sent."""

    def __init__(self) -> None:
        self._inner = httpx.HTTPTransport()
        self._lock = threading.Lock()
        self.rewrite: Callable[[dict[str, Any]], dict[str, Any]] | None = None
        self.after_reply: Callable[[list[str], int], None] | None = None
        self.batches: list[tuple[list[str], int]] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.method != "POST" or request.url.path != BATCH_PATH:
            return self._inner.handle_request(request)
        content = request.read()
        body = json.loads(content)
        ids = [e["entry_id"] for e in body["entries"]]
        forwarded = request
        if self.rewrite is not None:  # as compact as the station's own JSON
            content = json.dumps(
                self.rewrite(body), ensure_ascii=False, separators=(",", ":")
            ).encode()
            headers = {k: v for k, v in request.headers.items() if k.lower() != "content-length"}
            forwarded = httpx.Request("POST", request.url, headers=headers, content=content)
        response = self._inner.handle_request(forwarded)
        with self._lock:
            self.batches.append((ids, response.status_code))
        if self.after_reply is not None:
            self.after_reply(ids, response.status_code)
        return response

    def close(self) -> None:
        self._inner.close()

    def answered(self) -> list[list[str]]:
        """The id lists of the batches the centre answered with results (200)."""
        with self._lock:
            return [ids for ids, status in self.batches if status == 200]

    def statuses(self) -> list[int]:
        with self._lock:
            return [status for _ids, status in self.batches]


def unreadable(entry_id: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """Makes the one entry unreadable for the centre: a batch holding it is answered 400."""

    def rewrite(body: dict[str, Any]) -> dict[str, Any]:
        for entry in body["entries"]:
            if entry["entry_id"] == entry_id:
                entry["seq"] = "not a number"
        return body

    return rewrite


def engine_over(
    engines: list[SyncEngine],
    queue: Queue,
    central: CentralServer,
    token: str,
    transport: httpx.BaseTransport | None = None,
) -> tuple[SyncEngine, Recorder]:
    recorder = Recorder()
    client = CentralClient(central.url, token, timeout=5.0, probe_timeout=0.5, transport=transport)
    engine = SyncEngine(queue, client, STATION, listener=recorder, config=FAST)
    engines.append(engine)
    return engine, recorder


def enqueue(queue: Queue, records: list[dict[str, Any]]) -> list[str]:
    return [queue.enqueue(r, operator="SITI", station_id=STATION).entry_id for r in records]


def refused_here(queue: Queue) -> list[str]:
    return [
        e.entry_id
        for e in queue.iter_entries(State.REJECTED)
        if any(err.get("code") == "request_rejected" for err in e.errors)
    ]


# -- 413: too large -------------------------------------------------------------------------

HUGE = "\U0001f642" * 1000  # the longest value the protocol takes, 4 bytes a character


def test_a_batch_too_large_for_the_centre_is_split_and_every_entry_answered(
    queue: Queue, central: CentralServer, token: str, engines: list
) -> None:
    records = many_records(150)
    for i, record in enumerate(records):
        if i % 5:  # four in five far too long for the centre's validation, the rest good
            records[i] = {k: (v if k == "nik" else HUGE) for k, v in record.items()}
    enqueue(queue, records)
    # a full batch (FAST: 100) is over the centre's body limit, half of one is not
    sample = queue.list_entries(State.PENDING, limit=FAST.batch_size)
    body = BatchRequest(
        station_id=STATION,
        station_time=utc_now(),
        backlog=Backlog(pending=0),
        entries=to_wire(sample)[0],
    ).model_dump_json()
    assert len(body.encode()) > MAX_BODY_BYTES
    transport = Forwarding()
    engine, recorder = engine_over(engines, queue, central, token, transport)
    assert engine.drain(give_up_after=60)
    assert queue.count(State.SENDING) == 0 and queue.count(State.PENDING) == 0
    assert refused_here(queue) == []  # every entry got the centre's own answer
    assert queue.count(State.SYNCED) == 30
    assert queue.count(State.REJECTED) == 120
    assert central.stats()["registrations"] == 30
    # 100 refused (413), its halves answered; then batches of the size that worked
    assert transport.statuses() == [413, 200, 200, 200]
    assert [len(ids) for ids in transport.answered()] == [50, 50, 50]
    assert [p.batch for p in recorder.progress] == [100, 50]
    # the centre answered all along: the link never looked down or busy
    assert recorder.links() <= {Link.ONLINE, Link.STARTING}
    assert engine.state.link is Link.ONLINE


# -- 400: one entry the centre cannot read --------------------------------------------------


def test_an_entry_the_centre_cannot_read_is_found_and_rejected_the_rest_delivered(
    queue: Queue, central: CentralServer, token: str, engines: list
) -> None:
    ids = enqueue(queue, many_records(40))
    poison = ids[13]
    transport = Forwarding()
    transport.rewrite = unreadable(poison)
    engine, recorder = engine_over(engines, queue, central, token, transport)
    assert engine.drain(give_up_after=60)
    assert refused_here(queue) == [poison]
    refused = queue.get_by_id(poison)
    assert refused.state is State.REJECTED and "400" in (refused.last_error or "")
    assert queue.count(State.SYNCED) == 39
    assert queue.count(State.SENDING) == 0 and queue.count(State.PENDING) == 0
    assert central.stats()["registrations"] == 39
    # each good entry answered exactly once: nothing released and sent again
    answered = [i for batch in transport.answered() for i in batch]
    assert sorted(answered) == sorted(i for i in ids if i != poison)
    assert transport.statuses()[0] == 400 and len(transport.batches[0][0]) == 40
    assert recorder.links() <= {Link.ONLINE, Link.STARTING}
    assert [p.batch for p in recorder.progress] == [40]
    assert (recorder.progress[0].synced, recorder.progress[0].rejected) == (39, 1)
    # afterwards: the size that worked (the largest part answered), then doubling
    largest = max(len(batch) for batch in transport.answered())
    assert largest == 20
    transport.batches.clear()
    enqueue(queue, many_records(60, start=1000))
    assert engine.drain(give_up_after=60)
    assert [len(batch) for batch, _status in transport.batches] == [20, 40]
    assert queue.count(State.SYNCED) == 99


def test_an_entry_put_back_to_pending_during_a_split_is_never_left_sending(
    queue: Queue, central: CentralServer, token: str, engines: list
) -> None:
    transport = Forwarding()
    engine, recorder = engine_over(engines, queue, central, token, transport)
    # an older entry the centre rejected (RT 000): a supervisor will send it again
    (older,) = enqueue(queue, [make_record(1, rt="000")])
    assert engine.drain(give_up_after=30)
    assert queue.get_by_id(older).state is State.REJECTED
    ids = enqueue(queue, many_records(20, start=100))
    poison = ids[0]
    transport.rewrite = unreadable(poison)
    resent: list[bool] = []

    def resend_when_the_poison_is_refused_alone(sent: list[str], status: int) -> None:
        if status == 400 and sent == [poison] and not resent:
            # the split is under way; the older entry is pending again, with a lower seq
            queue.resend(queue.get_by_id(older).seq, actor="SUPERVISOR")
            resent.append(True)

    transport.after_reply = resend_when_the_poison_is_refused_alone
    assert engine.drain(give_up_after=60)
    assert resent
    assert queue.count(State.SENDING) == 0
    assert queue.count(State.PENDING) == 0
    assert refused_here(queue) == [poison]
    # the older entry went out again after the split, answered by the centre (RT 000 again)
    sent = [batch for batch, _status in transport.batches]
    assert any(older in batch for batch in sent[sent.index([poison]) + 1 :])
    again = queue.get_by_id(older)
    assert again.state is State.REJECTED and any(e["field"] == "rt" for e in again.errors)
    assert queue.count(State.SYNCED) == 19
    assert Link.OFFLINE not in recorder.links()


def test_a_failure_in_the_middle_of_a_split_releases_what_is_still_claimed(
    queue: Queue, central: CentralServer, token: str, engines: list
) -> None:
    ids = enqueue(queue, many_records(16))
    poison = ids[0]
    transport = Forwarding()
    transport.rewrite = unreadable(poison)
    failed: list[list[str]] = []
    forward = transport.handle_request

    def drop_the_link_once_a_part_was_answered(request: httpx.Request) -> httpx.Response:
        if request.url.path == BATCH_PATH and not failed and 200 in transport.statuses():
            failed.append([e["entry_id"] for e in json.loads(request.read())["entries"]])
            raise httpx.ConnectError("link dropped in the middle of a split")
        return forward(request)

    transport.handle_request = drop_the_link_once_a_part_was_answered  # type: ignore[method-assign]
    engine, recorder = engine_over(engines, queue, central, token, transport)
    engine.start()
    wait_until(lambda: queue.count(State.SYNCED) == 15, timeout=30)
    wait_until(lambda: queue.count(State.SENDING) == 0 and queue.count(State.PENDING) == 0)
    # 16, 8, 4, 2 refused, the poison alone refused (rejected here), its neighbour answered;
    # then the link dropped: the 14 still claimed went back to pending and were retried
    assert transport.statuses()[:6] == [400, 400, 400, 400, 400, 200]
    assert len(failed) == 1 and len(failed[0]) == 2
    first_down = next(s for s in recorder.states if s.link is Link.OFFLINE and s.retry_at)
    assert first_down.pending == 14
    assert refused_here(queue) == [poison]
    answered = [i for batch in transport.answered() for i in batch]
    assert sorted(answered) == sorted(ids[1:])  # each answered once, nothing lost
    assert central.stats()["registrations"] == 15


# -- refused as a whole: token, protocol ----------------------------------------------------


def test_a_centre_without_this_protocol_version_leaves_every_entry_pending(
    queue: Queue, central: CentralServer, token: str, engines: list
) -> None:
    enqueue(queue, many_records(12))
    transport = Forwarding()

    def unknown_version(body: dict[str, Any]) -> dict[str, Any]:
        return {**body, "protocol": 99}  # the real centre: 400 unsupported_protocol

    transport.rewrite = unknown_version
    refusals: list[float] = []
    transport.after_reply = lambda _ids, _status: refusals.append(time.monotonic())
    engine, recorder = engine_over(engines, queue, central, token, transport)
    engine.start()
    wait_until(lambda: len(refusals) >= 2, timeout=10)
    assert engine.state.link is Link.REFUSED
    assert engine.state.last_error is not None and "unsupported_protocol" in engine.state.last_error
    assert engine.state.last_error_id is not None and "protokol" in engine.state.last_error_id
    # never split, never rejected here: the whole batch each time, all still pending
    assert [len(ids) for ids, _status in transport.batches[:2]] == [12, 12]
    assert set(transport.statuses()) == {400}
    assert waiting(queue) == 12
    assert queue.count(State.REJECTED) == 0
    assert Link.OFFLINE not in recorder.links()
    assert refusals[1] - refusals[0] >= FAST.refused_wait - 0.05  # waited, then tried again
    # the centre is upgraded: the next try after refused_wait delivers everything
    transport.rewrite = None
    wait_until(lambda: queue.count(State.SYNCED) == 12, timeout=10)
    engine.stop()
    assert_exactly_once(queue, central, 12)
