"""What the benchmarks share: result rows, the run's context, queues of pending entries, the
reference centre as a separate process, waiting without blind sleeps."""

from __future__ import annotations

import json
import os
import random
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx

from bench.bench_store import make_record, percentile  # noqa: F401  (re-exported)

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
EKTP = BIN / ("ektp-station.exe" if os.name == "nt" else "ektp-station")
STATION = "ST-BENCH-01"

# -- results ----------------------------------------------------------------------------------


@dataclass
class Row:
    """One line of the results table.

    ``target`` applies to ``value`` or to ``ratio`` (``target_on``) with ``target_op``
    (``<=``, ``<``, ``>=``, ``>``); ``pass`` is None when there is no target or the row was
    skipped (``skipped`` says why).
    """

    group: int  # the metric number (1..7)
    metric: str
    title: str
    value: float | None
    unit: str
    baseline: float | None = None
    baseline_metric: str | None = None
    ratio: float | None = None
    target: float | None = None
    target_on: str | None = None  # "value" | "ratio"
    target_op: str | None = None
    size: int | None = None
    skipped: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def passed(self) -> bool | None:
        if self.skipped or self.target is None or self.target_on is None:
            return None
        subject = self.value if self.target_on == "value" else self.ratio
        if subject is None:
            return None
        op = self.target_op or "<="
        return {
            "<=": subject <= self.target,
            "<": subject < self.target,
            ">=": subject >= self.target,
            ">": subject > self.target,
        }[op]

    def with_baseline(self, baseline: float | None, name: str | None) -> Row:
        self.baseline, self.baseline_metric = baseline, name
        if baseline and self.value is not None:
            self.ratio = self.value / baseline
        return self

    @property
    def target_text(self) -> str:
        if self.target is None:
            return ""
        if self.target_on == "ratio":
            return f"ratio {self.target_op} {self.target:g}"
        return f"{self.target_op} {self.target:g} {self.unit}"

    def as_json(self) -> dict[str, Any]:
        out = asdict(self)
        for key in ("value", "baseline", "ratio"):
            if out[key] is not None:
                out[key] = round(out[key], 4)
        out["target_text"] = self.target_text
        out["pass"] = self.passed
        return out


def skipped_row(group: int, metric: str, title: str, unit: str, why: str) -> Row:
    return Row(group, metric, title, None, unit, skipped=why)


@dataclass
class Context:
    """One run: its mode, its temp folder, and what one benchmark hands the next."""

    quick: bool
    tmp: Path
    output_dir: Path
    shared: dict[str, Any] = field(default_factory=dict)

    def folder(self, name: str) -> Path:
        path = self.tmp / name
        path.mkdir(parents=True, exist_ok=True)
        return path


def say(text: str) -> None:
    print(text, flush=True)


# -- waiting ----------------------------------------------------------------------------------


def wait_until(predicate: Callable[[], object], timeout: float, what: str, poll=0.005) -> None:
    """Poll ``predicate`` (an Event's wait between polls, never a blind sleep)."""
    deadline = time.monotonic() + timeout
    pause = threading.Event()
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not within {timeout} s")
        pause.wait(poll)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# -- queues -----------------------------------------------------------------------------------


def fill_pending(data_dir: Path, count: int, *, start: int = 0, station: str = STATION) -> Path:
    """A queue under ``data_dir`` with ``count`` pending entries, saved through the real store
    code (``Queue.enqueue_in``) in one transaction per 2,000; distinct NIKs from ``start``."""
    from ektp_station.store import Queue
    from ektp_station.store.db import writing

    queue = Queue.open(data_dir)
    try:
        for first in range(start, start + count, 2000):
            with writing(queue.engine) as conn:
                for i in range(first, min(start + count, first + 2000)):
                    queue.enqueue_in(conn, make_record(i), operator="SITI", station_id=station)
        queue.checkpoint()
    finally:
        queue.close()
    return data_dir


def copy_queue(source: Path, dest: Path) -> Path:
    """A copy of a queue folder's database (checkpointed: one file)."""
    import shutil

    from ektp_station.store import DB_FILENAME

    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source / DB_FILENAME, dest / DB_FILENAME)
    return dest


# -- the centre as a separate process ---------------------------------------------------------


@dataclass
class Central:
    url: str
    db_url: str
    tokens: dict[str, str]
    process: subprocess.Popen[bytes]

    def registrations(self) -> int:
        from ektp_station.central.db import CentralDB

        db = CentralDB(self.db_url)
        try:
            return db.registration_count()
        finally:
            db.dispose()


def add_stations(db_url: str, station_ids: list[str]) -> dict[str, str]:
    from ektp_station.central.db import CentralDB

    db = CentralDB(db_url)
    try:
        db.create_schema()
        return {s: db.add_station(s)[0] for s in station_ids}
    finally:
        db.dispose()


@contextmanager
def central_process(
    db_url: str, stations: list[str], *, workers: int = 1, log: Path | None = None
) -> Iterator[Central]:
    """``ektp-station central serve`` on a free loopback port, as its own process (as the
    centre is another machine: its CPU is not the station's)."""
    tokens = add_stations(db_url, stations)
    port = free_port()
    out = open(log, "wb") if log else subprocess.DEVNULL
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    command = [str(EKTP), "central", "serve", "--db", db_url, "--port", str(port)]
    proc = subprocess.Popen(
        [*command, "--workers", str(workers)],
        stdout=out,
        stderr=subprocess.STDOUT,
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    try:

        def healthy() -> bool:
            if proc.poll() is not None:
                raise RuntimeError(f"central serve exited with {proc.returncode}")
            try:
                return httpx.get(url + "/v1/health", timeout=1.0).status_code == 200
            except httpx.HTTPError:
                return False

        wait_until(healthy, 60, "central server start", poll=0.05)
        yield Central(url, db_url, tokens, proc)
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
        if log and out is not subprocess.DEVNULL:
            out.close()  # type: ignore[union-attr]


def seed_everything(seed: int) -> None:
    """The engine's backoff jitter uses the ``random`` module: same draws on every run."""
    random.seed(seed)


def dump(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
