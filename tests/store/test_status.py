from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from ektp_station.store import Outcome, Queue, State

from factories import make_record


def test_counts_follow_every_change(data_dir: Path) -> None:
    queue = Queue.open(data_dir)
    rng = random.Random(7)
    operators = ["SITI", "ANDI", "RINA"]
    made = []
    for i in range(1, 121):
        made.append(queue.enqueue(make_record(i), operator=rng.choice(operators), station_id="S"))
    batch = queue.claim_batch("e", 80)
    results = [
        Outcome(
            e.entry_id, rng.choice([State.SYNCED, State.REJECTED, State.CONFLICT, State.PENDING])
        )
        for e in batch[:70]
    ]
    queue.apply_outcomes("e", results)
    for e in made[100:110]:
        queue.discard(e.seq, actor="SUP", reason="uji")
    status = queue.status()
    actual = Counter(e.state.value for e in queue.iter_entries())
    assert status.counts == {s.value: actual.get(s.value, 0) for s in State}
    assert status.total == 120
    per_op = Counter((e.operator, e.state.value) for e in queue.iter_entries())
    for op in status.operators:
        for state, n in op.counts.items():
            assert per_op.get((op.operator, state), 0) == n
    assert {o.operator for o in status.operators} == set(operators)
    queue.close()


def test_oldest_unsynced_and_last_sync(data_dir: Path) -> None:
    queue = Queue.open(data_dir)
    assert queue.status().oldest_unsynced_at is None
    assert queue.status().last_sync_at is None
    t0 = datetime(2026, 11, 21, 8, 0, tzinfo=UTC)
    a = queue.enqueue(make_record(1), operator="A", station_id="S", captured_at=t0)
    queue.enqueue(make_record(2), operator="A", station_id="S", captured_at=t0 + timedelta(hours=1))
    assert queue.status().oldest_unsynced_at == t0
    queue.claim_batch("e", 1)
    queue.apply_outcomes("e", [Outcome(a.entry_id, State.SYNCED, "R")])
    status = queue.status()
    assert status.oldest_unsynced_at == t0 + timedelta(hours=1)
    assert status.last_sync_at is not None
    data = status.to_json()
    for key in (
        "pending",
        "sending",
        "synced",
        "rejected",
        "conflict",
        "discarded",
        "oldest_unsynced_at",
        "last_sync_at",
        "operators",
    ):
        assert key in data
    assert data["synced"] == 1 and data["pending"] == 1
    queue.close()
