"""The store benchmark's quick mode still runs and writes every metric (benchmarks never rot)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from .support import subprocess_env

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "bench" / "bench_store.py"


def test_bench_store_quick(tmp_path: Path) -> None:
    output = tmp_path / "results-store.json"
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), "--quick", "--output", str(output), "--tmp", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
        env=subprocess_env(),
        cwd=REPO,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    report = json.loads(output.read_text(encoding="utf-8"))

    assert report["mode"] == "quick"
    for key in ("cpu_count", "platform", "python", "sqlite", "filesystem"):
        assert key in report["machine"]
    sizes = report["params"]["sizes"]
    assert sizes == [0, 1_000, 5_000]
    assert [b["size"] for b in report["builds"]] == sizes

    rows = report["results"]
    for row in rows:
        assert set(row) >= {"metric", "value", "unit", "baseline", "ratio", "target", "pass"}
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
    # the temp dir was removed (only the results file is left)
    assert [p.name for p in tmp_path.iterdir()] == ["results-store.json"]
