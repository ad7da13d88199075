"""Central ingest (metric 7): entries/s the reference centre accepts from 8 stations posting at
once, on SQLite (one worker) and on PostgreSQL with 1 and 4 workers.

Each station is a thread here with its own token and its own connection, posting batches of
200 prepared before the clock starts (so the stations' own JSON encoding is not timed); the
centre is ``ektp-station central serve --workers N`` in its own process(es). PostgreSQL is
the server named by ``EKTP_TEST_PG_URL``, else (full runs) a throwaway cluster started here
from the installed PostgreSQL binaries, with its default durability (fsync on).
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from ektp_station.domain import normalise
from ektp_station.sync.protocol import Backlog, BatchEntry, BatchRequest

from .common import Context, Row, central_process, free_port, make_record, say, skipped_row

STATIONS = 8
BATCH = 200
PG_ENV = "EKTP_TEST_PG_URL"


def _bodies(per_station: int) -> dict[str, list[bytes]]:
    """Each station's batches as the bytes it would send."""
    out: dict[str, list[bytes]] = {}
    captured = datetime(2026, 11, 24, 1, 0, tzinfo=UTC)
    for k in range(STATIONS):
        station = f"ST-LOAD-{k + 1:02d}"
        bodies = []
        for first in range(0, per_station, BATCH):
            entries = [
                BatchEntry(
                    entry_id=str(uuid.uuid4()),
                    seq=i + 1,
                    operator="SITI",
                    captured_at=captured + timedelta(seconds=i),
                    record=normalise(make_record(2_000_000 + k * per_station + i)),
                )
                for i in range(first, min(per_station, first + BATCH))
            ]
            request = BatchRequest(
                station_id=station,
                station_time=datetime.now(UTC),
                backlog=Backlog(pending=per_station - first),
                entries=entries,
            )
            bodies.append(request.model_dump_json().encode())
        out[station] = bodies
    return out


def _load(url: str, tokens: dict[str, str], bodies: dict[str, list[bytes]]) -> tuple[float, int]:
    """Seconds until every station has sent every batch; entries accepted."""
    start = threading.Barrier(STATIONS + 1)
    accepted = [0] * STATIONS
    errors: list[str] = []

    def station(k: int, name: str) -> None:
        headers = {"Authorization": f"Bearer {tokens[name]}", "Content-Type": "application/json"}
        with httpx.Client(base_url=url, headers=headers, timeout=60, trust_env=False) as http:
            http.get("/v1/health")  # the connection is open before the clock starts
            start.wait()
            for body in bodies[name]:
                reply = http.post("/v1/batches", content=body)
                if reply.status_code != 200:
                    errors.append(f"{name}: HTTP {reply.status_code} {reply.text[:200]}")
                    return
                accepted[k] += sum(1 for r in reply.json()["results"] if r["status"] == "accepted")

    threads = [
        threading.Thread(target=station, args=(k, name), daemon=True)
        for k, name in enumerate(bodies)
    ]
    for t in threads:
        t.start()
    start.wait()
    t0 = time.perf_counter()
    for t in threads:
        t.join(600)
    seconds = time.perf_counter() - t0
    if errors:
        raise RuntimeError("central ingest: " + "; ".join(errors[:3]))
    return seconds, sum(accepted)


@contextmanager
def throwaway_postgres() -> Iterator[str]:
    """A private PostgreSQL cluster on loopback (as .ci/run starts one), removed afterwards."""
    bins = sorted(glob.glob("/usr/lib/postgresql/*/bin"))
    if not bins:
        raise FileNotFoundError("no PostgreSQL binaries under /usr/lib/postgresql")
    pg_bin = Path(bins[-1])
    folder = Path(tempfile.mkdtemp(prefix="ektp-bench-pg-"))
    port = free_port()
    as_postgres: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
        as_postgres = ["runuser", "-u", "postgres", "--"]
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "check": True}
    try:
        subprocess.run(
            [*as_postgres, str(pg_bin / "initdb"), "-D", f"{folder}/data", "--auth=trust",
             "-U", "postgres"], **quiet,
        )  # fmt: skip
        subprocess.run(
            [*as_postgres, str(pg_bin / "pg_ctl"), "-D", f"{folder}/data", "-l", f"{folder}/log",
             "-w", "-o", f"-p {port} -k {folder} -c listen_addresses=127.0.0.1", "start"],
            **quiet,
        )  # fmt: skip
        try:
            yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
        finally:
            subprocess.run(
                [*as_postgres, str(pg_bin / "pg_ctl"), "-D", f"{folder}/data", "-m", "fast",
                 "stop"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False,
            )  # fmt: skip
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _reset(db_url: str) -> None:
    from ektp_station.central.db import CentralDB

    db = CentralDB(db_url)
    try:
        db.drop_schema()
        db.create_schema()
    finally:
        db.dispose()


def run_central(ctx: Context) -> list[Row]:
    per_station = 200 if ctx.quick else 2_400
    bodies = _bodies(per_station)
    total = per_station * STATIONS
    folder = ctx.folder("central")
    names = list(bodies)
    rows: list[Row] = []

    def measure(db_url: str, workers: int, label: str) -> float:
        with central_process(db_url, names, workers=workers, log=folder / f"{label}.log") as c:
            seconds, accepted = _load(c.url, c.tokens, bodies)
        if accepted != total:
            raise RuntimeError(f"{label}: {accepted} of {total} accepted")
        rate = accepted / seconds
        say(
            f"  {label}: {accepted:,} entries from {STATIONS} stations in {seconds:.2f} s = {rate:,.0f}/s"
        )
        return rate

    base = measure(f"sqlite:///{folder}/central.sqlite3", 1, "sqlite-1-worker")
    detail = {"stations": STATIONS, "batch": BATCH, "entries": total}
    rows.append(
        Row(7, "central_sqlite_w1", "Central ingest, SQLite, 1 worker", base, "entries/s",
            size=total, detail=detail).with_baseline(base, "central_sqlite_w1")
    )  # fmt: skip

    pg_url = os.environ.get(PG_ENV)
    titles = {1: "Central ingest, PostgreSQL, 1 worker", 4: "Central ingest, PostgreSQL, 4 workers"}

    def pg_rows(url: str, where: str) -> None:
        for workers in (1, 4):
            _reset(url)
            rate = measure(url, workers, f"postgresql-{workers}-workers")
            rows.append(
                Row(7, f"central_pg_w{workers}", titles[workers], rate, "entries/s",
                    size=total, detail={**detail, "server": where}
                    ).with_baseline(base, "central_sqlite_w1")
            )  # fmt: skip
        _reset(url)

    if pg_url:
        pg_rows(pg_url, PG_ENV)
    elif ctx.quick:
        why = f"quick mode without {PG_ENV} (the full run starts a local cluster)"
        rows += [skipped_row(7, f"central_pg_w{w}", titles[w], "entries/s", why) for w in (1, 4)]
    else:
        try:
            with throwaway_postgres() as url:
                pg_rows(url, "throwaway local cluster (fsync on)")
        except (FileNotFoundError, subprocess.CalledProcessError) as exc:
            why = f"no PostgreSQL: set {PG_ENV} ({type(exc).__name__}: {exc})"
            rows += [
                skipped_row(7, f"central_pg_w{w}", titles[w], "entries/s", why) for w in (1, 4)
            ]
    return rows
