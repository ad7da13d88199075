"""The benchmark suite's quick mode still runs every benchmark and reports every metric with the
keys the results file promises (benchmarks never rot). See docs/performance.md."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

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
}


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
        assert isinstance(row["value"], int | float) and row["value"] > 0, row["metric"]
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
    # only the results files are left behind
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "results-store-quick.json",
        "results.json",
    ]
    assert report["duration_s"] < 120
