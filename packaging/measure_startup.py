"""Start-up times of the frozen bundle next to the source install (docs/packaging.md).

    QT_QPA_PLATFORM=offscreen .venv/bin/python packaging/measure_startup.py [--runs 5]

Median wall-clock seconds, each run in a fresh data directory:
``--version``; ``queue status --json``; ``demo`` until the sync engine's first health probe
(logged right after the window is shown, so an upper bound of "window on screen"; it includes
starting the demo's local centre and fault proxy).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FROZEN = (
    ROOT / "dist" / "ektp-station" / ("ektp-station-cli.exe" if os.name == "nt" else "ektp-station")
)
SOURCE = Path(sys.executable).parent / ("ektp-station.exe" if os.name == "nt" else "ektp-station")


def timed(cmd: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, capture_output=True, timeout=120)  # noqa: S603
    return time.perf_counter() - started


def demo_up(cmd: list[str], env: dict[str, str], timeout: float = 120) -> float:
    started = time.perf_counter()
    proc = subprocess.Popen(  # noqa: S603
        [*cmd, "demo"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    seen = threading.Event()

    def pump() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            if "/v1/health" in line:
                seen.set()

    reader = threading.Thread(target=pump, daemon=True)
    reader.start()
    ok = seen.wait(timeout)
    elapsed = time.perf_counter() - started
    proc.terminate()
    proc.wait(timeout=30)
    reader.join(timeout=10)
    if not ok:
        raise RuntimeError("demo did not come up")
    return elapsed


def measure(exe: Path, runs: int) -> dict[str, float]:
    results: dict[str, list[float]] = {"--version": [], "queue status --json": [], "demo up": []}
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as tmp:
            env = dict(os.environ, QT_QPA_PLATFORM="offscreen", TMPDIR=tmp, TEMP=tmp, TMP=tmp)
            env.pop("EKTP_DATA_DIR", None)
            base = [os.fspath(exe), "--data-dir", os.path.join(tmp, "d")]
            results["--version"].append(timed([os.fspath(exe), "--version"], env))
            results["queue status --json"].append(timed([*base, "queue", "status", "--json"], env))
            results["demo up"].append(demo_up([*base, "-v"], env))
    return {name: statistics.median(values) for name, values in results.items()}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    for label, exe in (("frozen bundle", FROZEN), ("source (venv)", SOURCE)):
        if not exe.is_file():
            print(f"{label}: {exe} missing")
            continue
        medians = measure(exe, args.runs)
        print(f"{label}: " + ", ".join(f"{k} {v:.2f} s" for k, v in medians.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
