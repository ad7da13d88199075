"""The benchmark suite's quick mode still runs every benchmark and reports every metric with the
keys the results file promises (benchmarks never rot). See docs/performance.md."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
REQUIRED = {"metric", "value", "unit", "baseline", "ratio", "target", "pass"}
METRICS = {
    1: {"save_p99"},
    2: {"drain_single", "drain_speedup", "drain_rate"},
    3: {"slow_link_drain"},
    4: {"link_return_p50", "link_return_p95", "down_request_rate"},
    5: {"gui_stall_drain", "gui_stall_link"},
    6: {"scale_status_p99", "scale_first_page", "scale_window_ready", "scale_peak_rss"},
    7: {"central_sqlite_w1", "central_pg_w1", "central_pg_w4"},
    8: {
        "parts_wire",
        "parts_time",
        "parts_time_whole",
        "parts_wire_slow",
        "parts_time_slow",
        "parts_time_whole_slow",
        "parts_save_parts_p99",
        "parts_save_biodata_p99",
        "parts_gui_stall",
        "parts_rss_growth",
    },
    9: {
        f"herd_{where}_{what}"
        for where in ("sqlite_w1", "pg_w1", "pg_w2")
        for what in ("capacity", "drain", "errors", "once", "cpu")
    },
}
# rows whose value is a count that should be 0 (error replies)
ZERO_OK = {"herd_sqlite_w1_errors", "herd_pg_w1_errors", "herd_pg_w2_errors"}


@pytest.mark.slow
@pytest.mark.timeout(180)
def test_bench_quick_suite(tmp_path: Path) -> None:
    output = tmp_path / "results.json"
    env = dict(os.environ)
    env.pop("EKTP_DATA_DIR", None)
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["PYTHONIOENCODING"] = "utf-8"
    proc = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--output", str(output), "--tmp", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=150,  # the quick mode's budget is 60 s; this leaves room for a loaded machine
        env=env,
        cwd=REPO,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    report = json.loads(output.read_text(encoding="utf-8"))

    assert report["mode"] == "quick"
    for key in ("cpu_count", "cpu_model", "platform", "python", "sqlite", "filesystem"):
        assert key in report["machine"]
    rows = report["results"]
    assert not [r for r in rows if r.get("error")]
    for row in rows:
        assert set(row) >= REQUIRED, row["metric"]
        if row.get("skipped"):
            assert row["value"] is None and row["pass"] is None
            continue
        assert isinstance(row["value"], int | float), row["metric"]
        assert row["value"] >= 0 if row["metric"] in ZERO_OK else row["value"] > 0, row["metric"]
        if row["baseline"] is not None:
            assert row["ratio"] == pytest.approx(row["value"] / row["baseline"], rel=0.01)
        if row["target"] is not None:
            assert isinstance(row["pass"], bool), row["metric"]
    found = {(r["group"], r["metric"]) for r in rows}
    for group, names in METRICS.items():
        for name in names:
            assert (group, name) in found, f"metric {group} {name} missing"
    # save latency at each of the quick sizes, against the floor measured in the same run
    assert sorted(r["size"] for r in rows if r["metric"] == "save_p99") == [0, 1_000, 5_000]
    # the drain's speed-up is measured against one entry per request, in the same run
    speedup = next(r for r in rows if r["metric"] == "drain_speedup")
    single = next(r for r in rows if r["metric"] == "drain_single")
    assert speedup["baseline"] == single["value"]
    # central ingest: SQLite, one worker, is its own baseline; PostgreSQL rows run or say why
    for row in rows:
        if row["group"] == 7 and row["metric"] != "central_sqlite_w1" and row["value"] is None:
            assert row["skipped"]
    # the parts: the resumable engine against the whole-part one, over the same drops
    wire = next(r for r in rows if r["metric"] == "parts_wire")
    assert wire["baseline"] == next(
        r["detail"]["whole_part_baseline"]["wire_ratio"]
        for r in rows
        if r["metric"] == "parts_wire"
    )
    # the herd: the SQLite centre always runs; every entry stored once, no error reply
    for row in rows:
        if row["group"] == 9 and row["metric"].startswith("herd_sqlite_w1"):
            assert not row["skipped"], row
    once = next(r for r in rows if r["metric"] == "herd_sqlite_w1_once")
    assert once["value"] == once["baseline"] == once["size"]
    assert next(r for r in rows if r["metric"] == "herd_sqlite_w1_errors")["value"] == 0
    check_store_report(json.loads((tmp_path / "results-store-quick.json").read_text("utf-8")))
    # only the results files are left behind
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "results-store-quick.json",
        "results.json",
    ]
    assert report["duration_s"] < 120


def check_store_report(report: dict[str, Any]) -> None:
    """The store benchmark's own results file, as the suite's first step wrote it (the same
    ``bench_store.run`` as ``bench/bench_store.py --quick``, checked here rather than by a
    second run of its own; tests/cli/test_bench_quick.py checks that the script starts)."""
    assert report["mode"] == "quick"
    for key in ("cpu_count", "platform", "python", "sqlite", "filesystem"):
        assert key in report["machine"]
    sizes = report["params"]["sizes"]
    assert sizes == [0, 1_000, 5_000]
    assert [b["size"] for b in report["builds"]] == sizes

    rows = report["results"]
    for row in rows:
        assert set(row) >= REQUIRED, row["metric"]
        assert row["value"] > 0
    found = {(r["metric"], r["size"]) for r in rows}
    assert {
        ("fsync_floor_p50", None),
        ("fsync_floor_p99", None),
        ("cli_startup_wall", None),
    } <= found
    for size in sizes:
        for metric in ("save_p50", "save_p99", "status_p50", "status_p99", "status_cmd_wall"):
            assert (metric, size) in found

    by_key = {(r["metric"], r["size"]): r for r in rows}
    floor = by_key["fsync_floor_p99", None]["value"]
    save = by_key["save_p99", 5_000]
    assert save["baseline"] == floor
    assert save["ratio"] == pytest.approx(save["value"] / floor, rel=0.01)
    assert save["target"] == 3.0 and save["pass"] is (save["ratio"] <= 3.0)
    status = by_key["status_p99", 5_000]
    assert status["target"] == 20.0 and status["pass"] is (status["value"] <= 20.0)
