"""The store benchmark's script still starts (benchmarks never rot).

Its quick run and every metric it writes are checked in tests/bench/test_bench_quick_suite.py:
the suite's first step is the same ``bench_store.run`` at the same quick sizes, and it leaves
the store's own results file, so a second quick run here would measure the same thing twice.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from .support import subprocess_env

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "bench" / "bench_store.py"


def test_bench_store_script_starts() -> None:
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        env=subprocess_env(),
        cwd=REPO,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    for option in ("--quick", "--output", "--tmp", "--keep"):
        assert option in proc.stdout
