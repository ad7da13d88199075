"""The window: responsiveness while draining and while the link stalls (metric 5), and scale
with a million entries (metric 6). The window runs in its own process (``bench.gui_probe``,
offscreen Qt), as it would at the counter; the centre in another; the proxy here."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

from ektp_station.devtools.faultproxy import FaultProxy

from .bench_sync import sizes, source_queue
from .common import REPO, STATION, Context, Row, central_process, copy_queue, say

STALL_TARGET_MS = 50.0
STATUS_TARGET_MS = 20.0
FIRST_PAGE_TARGET_MS = 100.0
STARTUP_TARGET_S = 2.0
RSS_TARGET_MB = 300.0


def _probe_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "bench.gui_probe", *args]


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["QT_QPA_PLATFORM"] = "offscreen"
    env.pop("EKTP_DATA_DIR", None)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    return env


def _read_json(proc: subprocess.Popen[str], what: str) -> dict[str, Any]:
    assert proc.stdout is not None
    for line in proc.stdout:
        line = line.strip()
        if line.startswith("{"):
            data: dict[str, Any] = json.loads(line)
            return data
    proc.wait(10)
    err = proc.stderr.read() if proc.stderr else ""
    raise RuntimeError(f"gui probe ended without {what} (rc {proc.returncode}): {err[-2000:]}")


def run_responsiveness(ctx: Context) -> list[Row]:
    n = sizes(ctx)["entries"]
    stall_seconds = 3.0 if ctx.quick else 15.0
    source = source_queue(ctx)
    folder = ctx.folder("gui")
    work = copy_queue(source, folder / "station")
    with (
        central_process(f"sqlite:///{folder}/central.sqlite3", [STATION]) as central,
        FaultProxy.for_url(central.url, seed=1) as proxy,
    ):
        proc = subprocess.Popen(
            _probe_cmd(
                "responsiveness",
                "--data-dir",
                str(work),
                "--url",
                proxy.url,
                "--token",
                central.tokens[STATION],
                "--station",
                STATION,
                "--stall-seconds",
                str(stall_seconds),
            ),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=None if os.environ.get("EKTP_BENCH_PROFILE_GUI") else subprocess.PIPE,
            text=True,
            env=_env(),
            cwd=REPO,
        )
        try:
            drained = _read_json(proc, "the drain")
            proxy.set_mode("blackhole")  # connections accepted, nothing ever answered
            assert proc.stdin is not None
            proc.stdin.write("go\n")
            proc.stdin.flush()
            stalled = _read_json(proc, "the stall")
            proc.wait(30)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(10)
    if not drained["drained"] or drained["synced"] != n:
        raise RuntimeError(f"the window's engine did not drain: {drained}")
    say(
        f"  GUI while draining {n:,}: longest stall {drained['max_gap_ms']:.1f} ms "
        f"({drained['seconds']:.1f} s, {drained['batches']} batches); while the link stalls "
        f"{stalled['seconds']:g} s: {stalled['max_gap_ms']:.1f} ms"
    )
    return [
        Row(5, "gui_stall_drain", f"GUI longest stall while {n:,} entries drain",
            drained["max_gap_ms"], "ms", target=STALL_TARGET_MS, target_on="value",
            target_op="<", size=n, detail=drained),
        Row(5, "gui_stall_link", "GUI longest stall while the link stalls (blackhole)",
            stalled["max_gap_ms"], "ms", target=STALL_TARGET_MS, target_on="value",
            target_op="<", detail=stalled),
    ]  # fmt: skip


def big_queue(ctx: Context) -> Path:
    """The store benchmark's largest queue when it ran (1,000,000 entries in a full run), else
    built here with its builder."""
    kept = ctx.shared.get("store_build")
    if kept is not None:
        return Path(kept)
    from .bench_store import extend_queue

    size = 5_000 if ctx.quick else 1_000_000
    path = ctx.folder("big-queue")
    say(f"  building a queue of {size:,} entries (bench_store's builder)")
    extend_queue(path, size, random.Random(20261124))
    return path


def run_scale(ctx: Context) -> list[Row]:
    path = big_queue(ctx)
    proc = subprocess.run(
        _probe_cmd("scale", "--data-dir", str(path)),
        capture_output=True,
        text=True,
        env=_env(),
        cwd=REPO,
        timeout=600,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"gui probe scale failed: {proc.stderr[-2000:]}")
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    size = int(out["total"])
    say(
        f"  {size:,} entries: status p99 {out['status_p99_ms']:.2f} ms, first page "
        f"{out['first_page_first_ms']:.1f} ms (then p50 {out['first_page_p50_ms']:.1f}), "
        f"window ready {out['window_ready_ms']:.0f} ms, peak RSS {out['peak_rss_mb']:.0f} MB"
    )
    return [
        Row(6, "scale_status_p99", "Queue.status() (queue status), p99", out["status_p99_ms"],
            "ms", target=STATUS_TARGET_MS, target_on="value", target_op="<=", size=size,
            detail={"p50_ms": out["status_p50_ms"], "calls": 100}),
        Row(6, "scale_first_page", "Queue tab model + first page (first in a process)",
            out["first_page_first_ms"], "ms", target=FIRST_PAGE_TARGET_MS, target_on="value",
            target_op="<=", size=size,
            detail={"p50_again_ms": out["first_page_p50_ms"],
                    "max_again_ms": out["first_page_max_ms"], "visible_rows": 30}),
        Row(6, "scale_window_ready", "Window start-up to a ready form",
            out["window_ready_ms"] / 1000, "s", target=STARTUP_TARGET_S, target_on="value",
            target_op="<=", size=size,
            detail={"build_window_ms": out["window_build_ms"], "imports_s": out["import_s"],
                    "note": "build_window (QApplication included) + show + events until the "
                    "form is visible and exposed; the PySide6/app imports are not included"}),
        Row(6, "scale_peak_rss", "Peak RSS of the window's process", out["peak_rss_mb"], "MB",
            target=RSS_TARGET_MB, target_on="value", target_op="<=", size=size,
            detail={"what": "VmHWM of the probe process after status, model and window",
                    "ru_maxrss_mb": out["ru_maxrss_mb"],
                    "note": "ru_maxrss survives exec on Linux: it shows the peak of the "
                    "benchmark process that spawned the probe, not the probe's own"}),
    ]  # fmt: skip
