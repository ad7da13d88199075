"""The reconnect herd (metric 9): a region's stations all calling the centre at once.

For each centre (PostgreSQL with 1 and 2 workers; SQLite with 1 as a reference) one
``ektp-station central serve`` process (group) and, against it, ``ektp-station simulate herd``
in its own process twice, on the same database:

1. the centre's **steady capacity**: a modest number of stations (8, fewer than the centre's
   batch slots, so nothing is shed) sending 2,400 entries each; entries accepted ÷ the time
   until the last was accepted;
2. the **herd**: 500 stations × 200 entries starting at the same instant.

Rows: the herd's drain time against the time the steady capacity implies for the same
entries (target ≤ 1.3×), its error replies (5xx other than the 503 ``overloaded`` shedding
with Retry-After: target 0), the centre's own count of the herd's registrations against the
entries sent (exactly once), and the centre's CPU per accepted entry during the herd (its
server processes' user + system time, measured by the herd from ``/proc``; target ≤ 0.15 ms
on PostgreSQL), with the steady run's as the baseline. The generator and the centre share
this machine's cores; only the centre's processes are counted.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

from .bench_central import PG_ENV, _reset, throwaway_postgres
from .common import EKTP, Context, Row, central_process, say, skipped_row

GROUP = 9
DRAIN_TARGET = 1.3
CPU_TARGET_MS = 0.15
WORKERS = (1, 2)


def sizes(ctx: Context) -> dict[str, int]:
    if ctx.quick:  # the commands run, nothing is shed (tests/central/test_herd.py sheds)
        return {"cap_stations": 4, "cap_entries": 200, "stations": 30, "entries": 10}
    return {"cap_stations": 8, "cap_entries": 2_400, "stations": 500, "entries": 200}


def herd(
    url: str, db_url: str, pid: int, stations: int, entries: int, home: Path
) -> dict[str, Any]:
    """``ektp-station simulate herd ... --json`` in its own process; its report."""
    command = [
        *(str(EKTP), "--data-dir", str(home), "simulate", "herd", "--central-url", url),
        *("--db", db_url, "--stations", str(stations), "--entries", str(entries)),
        *("--central-pid", str(pid), "--json"),
    ]
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=1800, check=False, env=dict(os.environ)
    )
    if done.returncode not in (0, 1) or not done.stdout.strip():
        raise RuntimeError(f"simulate herd exited {done.returncode}: {done.stderr[-2000:]}")
    report: dict[str, Any] = json.loads(done.stdout)
    return report


def _names(tag: str) -> dict[str, tuple[str, str, str]]:
    """metric -> (name, title, unit) for one centre (``tag``: pg_w1, pg_w2, sqlite_w1)."""
    where = {"pg_w1": "PostgreSQL, 1 worker", "pg_w2": "PostgreSQL, 2 workers"}.get(
        tag, "SQLite, 1 worker"
    )
    return {
        "capacity": (f"herd_{tag}_capacity", f"Centre steady capacity, {where}", "entries/s"),
        "drain": (f"herd_{tag}_drain", f"Herd drain time vs steady capacity, {where}", "s"),
        "errors": (f"herd_{tag}_errors", f"Herd error replies (5xx not shed), {where}", "replies"),
        "once": (f"herd_{tag}_once", f"Herd entries stored ÷ sent, {where}", "entries"),
        "cpu": (f"herd_{tag}_cpu", f"Centre CPU per accepted entry in the herd, {where}", "ms"),
    }


def measure(ctx: Context, db_url: str, workers: int, tag: str, server: str) -> list[Row]:
    n = sizes(ctx)
    folder = ctx.folder(f"herd-{tag}")
    log = folder / "serve.log"
    with central_process(db_url, [], workers=workers, log=log) as central:
        pid = central.process.pid
        steady = herd(central.url, db_url, pid, n["cap_stations"], n["cap_entries"], folder)
        big = herd(central.url, db_url, pid, n["stations"], n["entries"], folder)
    for label, r in (("steady", steady), ("herd", big)):
        if not r["drain_s"]:
            raise RuntimeError(f"{tag} {label}: nothing accepted: {r}")
    capacity = steady["accepted"] / steady["drain_s"]
    implied = big["expected"] / capacity
    keep = ("accepted", "expected", "registered", "exactly_once", "shed_503", "errors_5xx",
            "errors_4xx", "busy_429", "transport_errors", "already_accepted", "duplicates",
            "requests", "drain_s", "rate_per_s", "p50_ms", "p99_ms", "cpu_s",
            "cpu_ms_per_entry", "cpu_note", "generator_cpu_s", "error_codes")  # fmt: skip
    detail = {
        "server": server,
        "workers": workers,
        "steady": {k: steady.get(k) for k in keep},
        "herd": {k: big.get(k) for k in keep},
    }
    say(
        f"  {tag}: steady {steady['accepted']:,} in {steady['drain_s']:.2f} s = {capacity:,.0f}/s"
        f" (CPU {steady['cpu_ms_per_entry']} ms/entry); herd {big['accepted']:,} of "
        f"{big['expected']:,} in {big['drain_s']:.2f} s (capacity implies {implied:.2f} s, "
        f"{big['drain_s'] / implied:.2f}x), shed {big['shed_503']}, 5xx {big['errors_5xx']}, "
        f"p50 {big['p50_ms']} ms, p99 {big['p99_ms']} ms, CPU {big['cpu_ms_per_entry']} ms/entry"
    )
    names = _names(tag)
    size = big["expected"]
    pg = tag.startswith("pg")

    def row(key: str, value: float | None, **kw: Any) -> Row:
        name, title, unit = names[key]
        return Row(GROUP, name, title, value, unit, detail=detail, **kw)

    rows = [
        row("capacity", capacity, size=steady["expected"]),
        row("drain", big["drain_s"], target=DRAIN_TARGET, target_on="ratio", target_op="<=",
            size=size).with_baseline(implied, names["capacity"][0]),
        row("errors", big["errors_5xx"], target=0, target_on="value", target_op="<=", size=size),
        row("once", big["registered"], target=1, target_on="ratio", target_op=">=",
            size=size).with_baseline(big["expected"], "herd entries sent"),
    ]  # fmt: skip
    cpu = big["cpu_ms_per_entry"]
    if cpu is None:
        rows.append(skipped_row(GROUP, *names["cpu"], f"not measured: {big['cpu_note']}"))
    else:
        rows.append(
            row("cpu", cpu, target=CPU_TARGET_MS if pg else None,
                target_on="value" if pg else None, target_op="<=", size=size,
                ).with_baseline(steady["cpu_ms_per_entry"], names["cpu"][0] + "_steady")
        )  # fmt: skip
    if not big["exactly_once"]:  # reported in the row; a herd that lost entries is a finding
        say(f"  {tag}: NOT exactly once: {detail['herd']}")
    return rows


def _skipped(tag: str, why: str) -> list[Row]:
    return [
        skipped_row(GROUP, name, title, unit, why) for name, title, unit in _names(tag).values()
    ]


def run_herd(ctx: Context) -> list[Row]:
    folder = ctx.folder("herd")
    rows = measure(ctx, f"sqlite:///{folder}/central.sqlite3", 1, "sqlite_w1", "SQLite file")

    def pg_rows(url: str, where: str) -> None:
        for workers in WORKERS:
            _reset(url)
            rows.extend(measure(ctx, url, workers, f"pg_w{workers}", where))
        _reset(url)

    pg_url = os.environ.get(PG_ENV)
    if pg_url:
        pg_rows(pg_url, PG_ENV)
    elif ctx.quick:
        why = f"quick mode without {PG_ENV} (the full run starts a local cluster)"
        rows += [row for w in WORKERS for row in _skipped(f"pg_w{w}", why)]
    else:
        try:
            with throwaway_postgres() as url:
                pg_rows(url, "throwaway local cluster (fsync on)")
        except (FileNotFoundError, subprocess.CalledProcessError) as exc:
            why = f"no PostgreSQL: set {PG_ENV} ({type(exc).__name__}: {exc})"
            rows += [row for w in WORKERS for row in _skipped(f"pg_w{w}", why)]
    return rows
