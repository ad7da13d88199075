"""SIGKILL in the middle of a large import: the queue is consistent and the rest can follow."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from ektp_station.domain import FIELDS, normalise
from ektp_station.station.importing import CHUNK_LINES
from ektp_station.store import DB_FILENAME, Queue

from .support import EKTP, assert_same, count_entries, run_ektp, subprocess_env, write_jsonl
from factories import many_records
from helpers import wait_until

#: The import commits ~250 lines a second on a loaded CI machine (short write transactions,
#: a pause between them for counters' saves), so 3,000 lines leave the kill seconds of margin
#: while keeping the re-import of the rest short. KILL_AFTER is not a multiple of the 500
#: lines the import reads and validates at a time: the count crosses it inside a chunk's
#: inserts (in a write transaction or in the pause between two), not at a chunk's end, where
#: the kill would land in the validation of the next chunk with no transaction open.
TOTAL = 3_000
KILL_AFTER = 1_200  # entries in the queue before the kill


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_kill_during_large_import_leaves_a_consistent_queue(tmp_path: Path) -> None:
    assert KILL_AFTER % CHUNK_LINES and TOTAL - KILL_AFTER > 2 * CHUNK_LINES
    records = many_records(TOTAL)
    source = write_jsonl(tmp_path / "besar.jsonl", records)
    data_dir = tmp_path / "st"
    db_path = data_dir / DB_FILENAME
    stderr_path = tmp_path / "import.stderr"

    with stderr_path.open("wb") as stderr:
        proc = subprocess.Popen(
            [
                os.fspath(EKTP),
                "--data-dir",
                os.fspath(data_dir),
                "queue",
                "import",
                os.fspath(source),
                "--operator",
                "SITI",
            ],
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            env=subprocess_env(),
        )
        try:
            wait_until(
                lambda: count_entries(db_path) >= KILL_AFTER or proc.poll() is not None, timeout=60
            )
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL, "the import ended before it could be killed"

    queue = Queue.open(data_dir)
    try:
        with queue.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
            assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []
            n = conn.exec_driver_sql("SELECT count(*) FROM entries").scalar()
            assert n is not None and KILL_AFTER <= n < TOTAL
            # every entry has exactly one "imported" event, and no event lacks its entry
            wrong = conn.exec_driver_sql(
                "SELECT e.seq FROM entries e LEFT JOIN audit a"
                " ON a.entry_seq = e.seq AND a.action = 'imported'"
                " GROUP BY e.seq HAVING count(a.id) != 1"
            ).all()
            assert wrong == []
            assert conn.exec_driver_sql("SELECT count(*) FROM audit").scalar() == n
            # the trigger-kept counts agree with a real count
            kept = dict(
                conn.exec_driver_sql(
                    "SELECT state, sum(n) FROM state_counts GROUP BY state HAVING sum(n) != 0"
                ).all()
            )
            real = dict(
                conn.exec_driver_sql("SELECT state, count(*) FROM entries GROUP BY state").all()
            )
            assert kept == real == {"pending": n}
            rows = conn.exec_driver_sql(
                "SELECT e.record, a.detail FROM entries e JOIN audit a ON a.entry_seq = e.seq"
                " ORDER BY e.seq"
            ).all()
    finally:
        queue.close()

    # each stored record is complete and is the record of the line its audit event names;
    # lines go in in file order, so what is in is exactly the first n lines
    lines = []
    for record_json, detail_json in rows:
        record = json.loads(record_json)
        assert set(record) == set(FIELDS)
        line = json.loads(detail_json)["line"]
        same = record == normalise(records[line - 1])
        assert same, f"entry for line {line} does not hold that line's record"
        lines.append(line)
    assert lines == list(range(1, n + 1))

    # the rest follows: the lines already in are refused as still waiting, nothing doubles
    again = run_ektp(
        "--data-dir",
        data_dir,
        "queue",
        "import",
        source,
        "--operator",
        "SITI",
        "--json",
        timeout=240,
    )
    assert again.rc == 1
    report = json.loads(again.out)
    assert report["imported"] == TOTAL - n
    assert report["rejected"] == n
    refused = Counter(
        (line["line"] <= n, tuple(e["code"] for e in line["errors"]))
        for line in report["lines"]
        if line["status"] == "rejected"
    )
    assert refused == {(True, ("nik_waiting",)): n}

    queue = Queue.open(data_dir)
    try:
        assert queue.count() == TOTAL
        status = queue.status()
        assert status.counts["pending"] == status.total == TOTAL
        assert_same(
            (e.record["nik"] for e in queue.iter_entries()),
            (r["nik"] for r in records),
            "NIKs in the queue",
        )
    finally:
        queue.close()
