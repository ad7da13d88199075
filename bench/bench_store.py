"""Save latency and status latency of the local queue, against the disk's own fsync floor.

Run from the repository root (any of)::

    .venv/bin/python bench/bench_store.py            # full: queues of 0, 100,000 and 1,000,000
    .venv/bin/python -m bench.bench_store --quick    # tiny sizes, well under 30 s (used by tests)

What one run measures, all on the same disk (a temp dir on the repository's filesystem):

* fsync floor: one single-row commit with plain ``sqlite3`` (WAL, ``synchronous=FULL``, one
  tiny table): what the disk charges for any durable commit; and the same commit on an
  SQLCipher file (the queue's encryption, docs/encryption.md): what encryption adds to it;
* what encryption costs a save: ``Queue.enqueue`` into a plain and an encrypted new queue in
  turns (the store's code over an unkeyed engine for the plain one);
* save latency: ``Queue.enqueue`` of one registration (the real store code, durable on return)
  at each queue size, and its p99 as a multiple of the floor's p99 (target <= 3x);
* capture latency: ``Station.capture`` — what the window's Save and the command line run:
  validation of the record, the duplicate checks and the same durable save — as a multiple of
  the floor too (reported beside the save; the save alone keeps the 3x target);
* status latency: ``Queue.status()`` (what ``queue status`` runs) at each size (target 20 ms),
  and the whole ``ektp-station queue status --json`` command's wall time, beside the wall time
  of ``ektp-station --version`` (interpreter start and imports, no queue).

Large queues are built in bulk through the real schema (``Queue.open`` migrates, then big
``executemany`` transactions on ``entries`` and ``audit`` with the triggers active, so the
trigger-kept counts are right), one size extending the previous one. Results go to
``bench/results-store.json`` (see docs/performance.md).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy

from ektp_station import __version__
from ektp_station.domain import normalise
from ektp_station.store import DB_FILENAME, Queue
from ektp_station.store.db import connect_file
from ektp_station.store.keys import new_key

REPO = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = REPO / "bench" / "results-store.json"
EKTP = Path(sys.executable).parent / ("ektp-station.exe" if os.name == "nt" else "ektp-station")

FULL = {"sizes": [0, 100_000, 1_000_000], "saves": 300, "status_calls": 300, "floor": 300}
QUICK = {"sizes": [0, 1_000, 5_000], "saves": 50, "status_calls": 50, "floor": 50}
WARMUP = 10  # untimed operations before each timed series (statement caches, page cache)
CHUNK = 50_000  # rows per bulk transaction

SAVE_TARGET_RATIO = 3.0  # save p99 <= 3 x fsync-floor p99
STATUS_TARGET_MS = 20.0

OPERATORS = ("SITI", "ANDI", "RINA", "DEWI", "AGUS", "YUSUF")
STATIONS = ("ST-DEPOK-01", "ST-DEPOK-02")
NAMES = (
    "BUDI SANTOSO",
    "SITI NURHALIZA",
    "AHMAD FAUZI",
    "DEWI LESTARI",
    "RUDI HARTONO",
    "NUR AINI",
    "YOGA PRATAMA",
    "SRI WAHYUNI",
    "ANDI SAPUTRA",
    "MAYA SARI",
)
EPOCH = datetime(2024, 1, 2, 1, 0, tzinfo=UTC)


# -- records ----------------------------------------------------------------------------------


def make_record(i: int, region: str = "327602") -> dict[str, Any]:
    """A valid-looking registration with a NIK unique for each ``i`` (< 9999 x 36,500)."""
    birth = date(1940, 1, 1) + timedelta(days=(i // 9999) % 36_500)
    female = i % 2 == 1
    day = birth.day + (40 if female else 0)
    nik = f"{region}{day:02d}{birth.month:02d}{birth.year % 100:02d}{1 + i % 9999:04d}"
    return {
        "nik": nik,
        "kk_number": f"{region}1203150{i % 1000:03d}",
        "full_name": NAMES[i % len(NAMES)],
        "birth_place": "DEPOK",
        "birth_date": birth.isoformat(),
        "sex": "PEREMPUAN" if female else "LAKI-LAKI",
        "blood_type": "O",
        "religion": "ISLAM",
        "marital_status": "KAWIN",
        "occupation": "KARYAWAN SWASTA",
        "citizenship": "WNI",
        "address": f"JL. MERDEKA NO. {1 + i % 200}",
        "rt": f"{1 + i % 15:03d}",
        "rw": f"{1 + i % 9:03d}",
        "kelurahan_code": "32.76.02.1007",
        "phone": None,
    }


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _state_of(i: int) -> str:
    """A long-lived station: almost everything delivered, a tail still waiting."""
    r = i % 1000
    if r < 970:
        return "synced"
    if r < 990:
        return "pending"
    if r < 995:
        return "rejected"
    if r < 998:
        return "conflict"
    return "discarded"


def extend_queue(data_dir: Path, target: int, rng: random.Random) -> None:
    """Grow the queue under ``data_dir`` to ``target`` entries, in bulk."""
    queue = Queue.open(data_dir)  # creates and migrates with the real code; the NIK salt
    nik_key, key = queue.nik_key, queue.key.key
    queue.close()
    template = normalise(make_record(0))
    conn = connect_file(data_dir / DB_FILENAME, key)
    try:
        conn.execute("PRAGMA synchronous=OFF")  # building only; the measurements use FULL
        conn.execute("PRAGMA cache_size=-262144")
        start = conn.execute("SELECT coalesce(max(seq), 0) FROM entries").fetchone()[0]
        for first in range(start, target, CHUNK):
            rows, events = [], []
            for i in range(first, min(target, first + CHUNK)):
                seq = i + 1
                record = make_record(i)
                clean = {**template, **{k: v for k, v in record.items() if k in template}}
                at = _iso(EPOCH + timedelta(seconds=20 * i))
                state = _state_of(i)
                synced = state == "synced"
                rows.append(
                    (
                        seq,
                        str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                        STATIONS[(i // 500) % len(STATIONS)],
                        OPERATORS[i % len(OPERATORS)],
                        at,
                        nik_key(record["nik"]),
                        json.dumps(clean, ensure_ascii=False, separators=(",", ":")),
                        state,
                        0 if state == "pending" else 1,
                        f"PST-{seq:09d}" if synced else None,
                        at,
                        at,
                        at if synced else None,
                    )
                )
                events.append((seq, at, OPERATORS[i % len(OPERATORS)], "captured", None))
            conn.execute("BEGIN")
            conn.executemany(
                "INSERT INTO entries (seq, entry_id, station_id, operator, captured_at, nik_key,"
                " record, state, attempts, server_ref, created_at, updated_at, synced_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
            conn.executemany(
                "INSERT INTO audit (entry_seq, at, actor, action, detail) VALUES (?, ?, ?, ?, ?)",
                events,
            )
            conn.execute("COMMIT")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        kept = conn.execute("SELECT coalesce(sum(n), 0) FROM state_counts").fetchone()[0]
        if kept != target:
            raise RuntimeError(f"state_counts says {kept} entries, expected {target}")
    finally:
        conn.close()
    flush_to_disk(data_dir / DB_FILENAME)


def flush_to_disk(path: Path) -> None:
    """fsync a file written without fsync (the bulk build, a copy), so that the first durable
    save measured does not pay for flushing hundreds of MB of the build's dirty pages."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    if hasattr(os, "sync"):
        os.sync()


# -- measuring --------------------------------------------------------------------------------


def percentile(samples: list[float], p: float) -> float:
    """Nearest-rank percentile (p99 of 300 samples is the 297th smallest)."""
    ordered = sorted(samples)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def timed(action: Callable[[int], object], count: int) -> list[float]:
    """Milliseconds of ``action(i)`` for ``count`` calls, after WARMUP untimed ones."""
    for i in range(WARMUP):
        action(-1 - i)
    out = []
    for i in range(count):
        t0 = time.perf_counter()
        action(i)
        out.append((time.perf_counter() - t0) * 1000)
    return out


def fsync_floors(folder: Path, count: int) -> tuple[list[float], list[float]]:
    """Single-row durable commits on plain SQLite and on SQLCipher (a raw key, as the queue
    opens it), taken in turns so that both see the same disk at the same moments: the
    difference is what encryption adds to a commit."""
    plain = sqlite3.connect(folder / "floor.sqlite3", isolation_level=None)
    sealed = connect_file(folder / "floor-encrypted.sqlite3", new_key())
    try:
        for conn in (plain, sealed):
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)")

        def commit(conn: Any) -> None:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("INSERT INTO t (v) VALUES (?)", ("x" * 32,))
            conn.execute("COMMIT")

        times: tuple[list[float], list[float]] = ([], [])
        for i in range(-5, count):  # five of each to warm up
            for which, conn in enumerate((plain, sealed) if i % 2 else (sealed, plain)):
                t0 = time.perf_counter()
                commit(conn)
                if i >= 0:
                    times[which if i % 2 else 1 - which].append((time.perf_counter() - t0) * 1000)
        return times
    finally:
        plain.close()
        sealed.close()


def save_latency(data_dir: Path, count: int) -> list[float]:
    queue = Queue.open(data_dir)
    try:
        # a region no bulk entry uses: every save is a new resident
        def save(i: int) -> None:
            queue.enqueue(
                make_record(100 + i, region="327603"), operator="BENCH", station_id="ST-BENCH"
            )

        return timed(save, count)
    finally:
        queue.close()


def encryption_cost(folder: Path, count: int) -> tuple[list[float], list[float]]:
    """``Queue.enqueue`` into two new queues in turns: a plain SQLite file (the store's code
    over an unkeyed engine, as before encryption) and an encrypted one (``Queue.open``):
    what encryption adds to a save, on the same disk at the same moments."""
    import uuid

    from ektp_station.store.db import create_queue_engine
    from ektp_station.store.encryption import QueueKey

    encrypted = Queue.open(folder / "encrypted")
    plain_dir = folder / "plain"
    plain_dir.mkdir()
    path = plain_dir / DB_FILENAME
    plain = Queue._open_engine(
        create_queue_engine(path, None),
        path,
        plain_dir,
        QueueKey(str(uuid.uuid4()), new_key()),
        fresh=True,
        check=False,
    )
    times: tuple[list[float], list[float]] = ([], [])
    try:
        for i in range(-5, count):
            order = ((0, plain), (1, encrypted)) if i % 2 else ((1, encrypted), (0, plain))
            for which, queue in order:
                record = make_record(100 + i + 5, region="327603")
                t0 = time.perf_counter()
                queue.enqueue(record, operator="BENCH", station_id="ST-BENCH")
                if i >= 0:
                    times[which].append((time.perf_counter() - t0) * 1000)
        return times
    finally:
        plain.close()
        encrypted.close()


def capture_latency(data_dir: Path, count: int) -> list[float]:
    """``Station.capture`` through the core: validate, check, save (durable on return)."""
    from ektp_station.paths import AppPaths
    from ektp_station.settings import Settings
    from ektp_station.station import Actor, Station

    station = Station.open(AppPaths.resolve(data_dir), settings=Settings(station_id="ST-BENCH"))
    station.act_as(Actor.operator("BENCH"))
    try:
        # another region no bulk entry (nor the saves above) uses: every capture is new
        def capture(i: int) -> None:
            station.capture(make_record(100 + i, region="327604"), confirmed=True)

        return timed(capture, count)
    finally:
        station.close()


def status_latency(data_dir: Path, count: int) -> tuple[list[float], int]:
    queue = Queue.open(data_dir)
    try:
        samples = timed(lambda _i: queue.status(), count)
        return samples, queue.status().total
    finally:
        queue.close()


def command_wall(*args: str, runs: int = 3) -> float:
    """Median wall time (ms) of the installed command, output discarded."""
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(
            [os.fspath(EKTP), *args],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


# -- machine ----------------------------------------------------------------------------------


def filesystem_of(path: Path) -> dict[str, str]:
    best = {"mount": "?", "type": "unknown", "device": "?"}
    try:
        with open("/proc/mounts", encoding="utf-8") as mounts:
            for line in mounts:
                device, mount, kind = line.split()[:3]
                inside = str(path).startswith(mount.rstrip("/") + "/") or str(path) == mount
                if inside and len(mount) >= len(best["mount"].replace("?", "")):
                    best = {"mount": mount, "type": kind, "device": device}
    except OSError:
        pass
    return best


def _proc_value(file: str, key: str) -> str | None:
    try:
        with open(file, encoding="utf-8") as handle:
            for line in handle:
                if line.startswith(key):
                    return line.split(":", 1)[1].strip()
    except OSError:
        return None
    return None


def machine(folder: Path) -> dict[str, Any]:
    return {
        "cpu_count": os.cpu_count(),
        "cpu_model": _proc_value("/proc/cpuinfo", "model name") or platform.processor(),
        "memory": _proc_value("/proc/meminfo", "MemTotal"),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "sqlalchemy": sqlalchemy.__version__,
        "ektp_station": __version__,
        "temp_dir": str(folder),
        "filesystem": filesystem_of(folder),
        "same_device_as_repo": os.stat(folder).st_dev == os.stat(REPO).st_dev,
    }


def pick_temp_root(given: str | None) -> Path:
    """The system temp dir when it is on the repository's filesystem, else ``.bench-tmp``."""
    if given:
        root = Path(given)
    else:
        system = Path(tempfile.gettempdir())
        root = system if os.stat(system).st_dev == os.stat(REPO).st_dev else REPO / ".bench-tmp"
    root.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix="ektp-bench-", dir=root))


# -- results ----------------------------------------------------------------------------------


@dataclass
class Metric:
    metric: str
    size: int | None
    value: float
    unit: str
    baseline: float | None = None
    baseline_metric: str | None = None
    ratio: float | None = None
    target: float | None = None
    target_kind: str | None = None  # "ratio" (ratio <= target) or "value" (value <= target)
    passed: bool | None = None

    def row(self) -> dict[str, Any]:
        out = asdict(self)
        out["pass"] = out.pop("passed")
        for key in ("value", "baseline", "ratio"):
            if out[key] is not None:
                out[key] = round(out[key], 3)
        return out


def compare(metric: Metric, baseline: float | None, baseline_metric: str | None) -> Metric:
    metric.baseline, metric.baseline_metric = baseline, baseline_metric
    if baseline:
        metric.ratio = metric.value / baseline
    if metric.target_kind == "ratio" and metric.ratio is not None and metric.target is not None:
        metric.passed = metric.ratio <= metric.target
    elif metric.target_kind == "value" and metric.target is not None:
        metric.passed = metric.value <= metric.target
    return metric


def _say(text: str) -> None:
    print(text, flush=True)


def run(quick: bool, output: Path, temp: str | None, keep: bool) -> dict[str, Any]:
    params = QUICK if quick else FULL
    started_at = datetime.now(UTC).isoformat(timespec="seconds")
    started = time.perf_counter()
    folder = pick_temp_root(temp)
    _say(
        f"temp dir: {folder} ({filesystem_of(folder)['type']}, "
        f"same device as repo: {os.stat(folder).st_dev == os.stat(REPO).st_dev})"
    )
    results: list[Metric] = []
    builds: list[dict[str, Any]] = []
    rng = random.Random(20261124)
    machine_info = machine(folder)
    try:
        floor, sealed = fsync_floors(folder, params["floor"])
        floor50, floor99 = percentile(floor, 50), percentile(floor, 99)
        results += [
            Metric("fsync_floor_p50", None, floor50, "ms"),
            Metric("fsync_floor_p99", None, floor99, "ms"),
        ]
        _say(f"fsync floor: p50 {floor50:.2f} ms, p99 {floor99:.2f} ms")
        sealed50, sealed99 = percentile(sealed, 50), percentile(sealed, 99)
        results += [
            compare(
                Metric("fsync_floor_encrypted_p50", None, sealed50, "ms"),
                floor50,
                "fsync_floor_p50",
            ),
            compare(
                Metric("fsync_floor_encrypted_p99", None, sealed99, "ms"),
                floor99,
                "fsync_floor_p99",
            ),
        ]
        _say(
            f"same commit, encrypted (SQLCipher): p50 {sealed50:.2f} ms "
            f"({sealed50 / floor50:.2f}x), p99 {sealed99:.2f} ms ({sealed99 / floor99:.2f}x)"
        )

        plain_saves, sealed_saves = encryption_cost(folder / "cost", params["saves"])
        p50, p99 = percentile(plain_saves, 50), percentile(plain_saves, 99)
        e50, e99 = percentile(sealed_saves, 50), percentile(sealed_saves, 99)
        results += [
            Metric("save_plain_p50", 0, p50, "ms"),
            Metric("save_plain_p99", 0, p99, "ms"),
            compare(Metric("save_encrypted_p50", 0, e50, "ms"), p50, "save_plain_p50"),
            compare(Metric("save_encrypted_p99", 0, e99, "ms"), p99, "save_plain_p99"),
        ]
        _say(
            f"save into a new queue, plain vs encrypted in turns: p50 {p50:.2f} / {e50:.2f} ms "
            f"(+{e50 - p50:.2f}), p99 {p99:.2f} / {e99:.2f} ms (+{e99 - p99:.2f})"
        )

        startup = command_wall("--version")
        results.append(Metric("cli_startup_wall", None, startup, "ms"))
        _say(f"ektp-station --version: {startup:.0f} ms")

        build_dir = folder / "build"
        status_at_zero: dict[str, float] = {}
        sizes = params["sizes"]
        for index, size in enumerate(sizes):
            t0 = time.perf_counter()
            extend_queue(build_dir, size, rng)
            built = time.perf_counter() - t0
            db_bytes = (build_dir / DB_FILENAME).stat().st_size
            builds.append({"size": size, "seconds": round(built, 1), "db_bytes": db_bytes})
            _say(f"queue of {size:,}: built in {built:.1f} s ({db_bytes / 1e6:.0f} MB)")
            last = index == len(sizes) - 1
            # measure on a copy unless this is the last size (the saves add entries)
            work = build_dir if last else folder / f"q{size}"
            if not last:
                work.mkdir()
                shutil.copy2(build_dir / DB_FILENAME, work / DB_FILENAME)
                flush_to_disk(work / DB_FILENAME)

            status, total = status_latency(work, params["status_calls"])
            if total != size:
                raise RuntimeError(f"status says {total} entries, expected {size}")
            s50, s99 = percentile(status, 50), percentile(status, 99)
            if size == 0:
                status_at_zero = {"p50": s50, "p99": s99}
            for name, value in (("p50", s50), ("p99", s99)):
                metric = Metric(
                    f"status_{name}",
                    size,
                    value,
                    "ms",
                    target=STATUS_TARGET_MS,
                    target_kind="value",
                )
                results.append(compare(metric, status_at_zero[name], f"status_{name}@0"))
            wall = command_wall("--data-dir", str(work), "queue", "status", "--json")
            results.append(
                compare(Metric("status_cmd_wall", size, wall, "ms"), startup, "cli_startup_wall")
            )
            _say(f"  status: p50 {s50:.2f} ms, p99 {s99:.2f} ms; command {wall:.0f} ms")

            saves = save_latency(work, params["saves"])
            v50, v99 = percentile(saves, 50), percentile(saves, 99)
            results.append(compare(Metric("save_p50", size, v50, "ms"), floor50, "fsync_floor_p50"))
            results.append(
                compare(
                    Metric(
                        "save_p99", size, v99, "ms", target=SAVE_TARGET_RATIO, target_kind="ratio"
                    ),
                    floor99,
                    "fsync_floor_p99",
                )
            )
            results.append(Metric("save_max", size, max(saves), "ms"))
            _say(
                f"  save: p50 {v50:.2f} ms, p99 {v99:.2f} ms "
                f"({v99 / floor99:.1f}x floor p99), max {max(saves):.2f} ms"
            )
            captures = capture_latency(work, params["saves"])
            c50, c99 = percentile(captures, 50), percentile(captures, 99)
            results.append(
                compare(Metric("capture_p50", size, c50, "ms"), floor50, "fsync_floor_p50")
            )
            results.append(
                compare(Metric("capture_p99", size, c99, "ms"), floor99, "fsync_floor_p99")
            )
            _say(
                f"  capture (core: validate + save): p50 {c50:.2f} ms, p99 {c99:.2f} ms "
                f"({c99 / floor99:.1f}x floor p99)"
            )
            if not last:
                shutil.rmtree(work)
    finally:
        if keep:
            _say(f"kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)

    report = {
        "benchmark": "store",
        "mode": "quick" if quick else "full",
        "started_at": started_at,
        "duration_s": round(time.perf_counter() - started, 1),
        "machine": machine_info,
        "params": {**params, "warmup": WARMUP, "percentile": "nearest-rank"},
        "builds": builds,
        "results": [m.row() for m in results],
    }
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    _say(f"results: {output} ({report['duration_s']} s)")
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes (0, 1,000, 5,000)")
    parser.add_argument(
        "--output",
        type=Path,
        default=DEFAULT_OUTPUT,
        help=f"results file (default {DEFAULT_OUTPUT.relative_to(REPO)})",
    )
    parser.add_argument("--tmp", metavar="DIR", help="where to build the queues")
    parser.add_argument("--keep", action="store_true", help="keep the built queues")
    args = parser.parse_args(argv)
    report = run(args.quick, args.output, args.tmp, args.keep)
    failed = [
        r["metric"] + (f"@{r['size']}" if r["size"] is not None else "")
        for r in report["results"]
        if r["pass"] is False
    ]
    if failed:
        _say("targets missed: " + ", ".join(failed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
