"""The benchmark suite: ``python -m bench [--quick] [--only NAME ...]`` (``make bench``).

Runs every benchmark (see BENCHMARKS), prints one table and writes the results file: each
metric's value, unit, baseline (measured in the same run), ratio, target and pass, plus the
machine. ``--quick`` runs everything at tiny sizes (well under a minute; the test suite runs
it). See docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
import traceback
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .common import REPO, Context, Row, say

RESULTS = REPO / "bench" / "results.json"


def run_store(ctx: Context) -> list[Row]:
    """Metric 1 from bench_store (which also leaves its largest queue for the scale run)."""
    from . import bench_store

    out = ctx.output_dir / ("results-store-quick.json" if ctx.quick else "results-store.json")
    root = ctx.folder("store")
    report = bench_store.run(ctx.quick, out, str(root), keep=True)
    builds = sorted(root.glob("ektp-bench-*/build"))
    if builds:
        ctx.shared["store_build"] = builds[-1]
    rows = []
    for r in report["results"]:
        if r["metric"] != "save_p99":
            continue
        size = r["size"]
        rows.append(
            Row(
                1,
                "save_p99",
                f"Save latency p99 at {size:,} entries",
                r["value"],
                "ms",
                target=r["target"],
                target_on="ratio",
                target_op="<=",
                size=size,
                detail={"store_results": out.name},
            ).with_baseline(r["baseline"], r["baseline_metric"])
        )
    return rows


def _lazy(module: str, function: str) -> Callable[[Context], list[Row]]:
    def run(ctx: Context) -> list[Row]:
        mod = __import__(f"bench.{module}", fromlist=[function])
        result: list[Row] = getattr(mod, function)(ctx)
        return result

    return run


BENCHMARKS: dict[str, tuple[str, Callable[[Context], list[Row]]]] = {
    "store": ("1. save latency vs the fsync floor", run_store),
    "drain": ("2. drain throughput", _lazy("bench_sync", "run_drain")),
    "slowlink": ("3. slow link", _lazy("bench_sync", "run_slow_link")),
    "linkreturn": ("4. link-return latency", _lazy("bench_sync", "run_link_return")),
    "gui": ("5. GUI responsiveness", _lazy("bench_gui", "run_responsiveness")),
    "scale": ("6. scale", _lazy("bench_gui", "run_scale")),
    "central": ("7. central ingest", _lazy("bench_central", "run_central")),
    "parts": ("8. biometric parts", _lazy("bench_parts", "run_parts")),
    "herd": ("9. reconnect herd", _lazy("bench_herd", "run_herd")),
}


def _fmt(value: float | None) -> str:
    if value is None:
        return "–"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.3g}" if abs(value) < 1 else f"{value:.2f}"


def table(rows: list[dict[str, Any]]) -> str:
    head = ("#", "metric", "size", "value", "unit", "baseline", "ratio", "target", "pass")
    lines = [head]
    for r in rows:
        verdict = {True: "yes", False: "NO", None: "–"}[r["pass"]]
        if r.get("skipped"):
            verdict = "skipped"
        if r.get("error"):
            verdict = "ERROR"
        lines.append(
            (
                str(r["group"]),
                r["metric"],
                "" if r["size"] is None else f"{r['size']:,}",
                _fmt(r["value"]),
                r["unit"],
                _fmt(r["baseline"]),
                "" if r["ratio"] is None else f"{r['ratio']:.2f}x",
                r.get("target_text", ""),
                verdict,
            )
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(head))]
    out = ["  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)) for line in lines]
    out.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(out)


def machine(folder: Path) -> dict[str, Any]:
    from .bench_store import machine as store_machine

    info = store_machine(folder)
    try:
        info["loadavg_at_start"] = os.getloadavg()
    except OSError:
        pass
    try:
        import PySide6

        info["pyside6"] = PySide6.__version__
    except ImportError:
        info["pyside6"] = None
    return info


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes, well under a minute")
    parser.add_argument(
        "--only",
        action="append",
        metavar="NAME",
        help=f"run only these (repeatable or comma-separated): {', '.join(BENCHMARKS)}",
    )
    parser.add_argument(
        "--output",
        type=Path,
        help="results file (default bench/results.json for a full run of everything, "
        "bench/results-quick.json with --quick, bench/results-partial.json with --only)",
    )
    parser.add_argument("--tmp", metavar="DIR", help="where the queues and databases go")
    parser.add_argument("--keep", action="store_true", help="keep the temp folder")
    args = parser.parse_args(argv)

    names = list(BENCHMARKS)
    if args.only:
        wanted = [n.strip() for item in args.only for n in item.split(",") if n.strip()]
        unknown = [n for n in wanted if n not in BENCHMARKS]
        if unknown:
            parser.error(f"unknown benchmark(s) {', '.join(unknown)}; known: {', '.join(names)}")
        names = [n for n in names if n in wanted]
    output: Path = args.output or (
        RESULTS.with_name("results-partial.json")
        if args.only
        else RESULTS.with_name("results-quick.json")
        if args.quick
        else RESULTS
    )
    output.parent.mkdir(parents=True, exist_ok=True)
    from .bench_store import pick_temp_root

    tmp = pick_temp_root(args.tmp)
    ctx = Context(quick=args.quick, tmp=tmp, output_dir=output.parent)
    say(f"ektp-station benchmarks ({'quick' if args.quick else 'full'}): {', '.join(names)}")
    say(f"temp dir: {tmp}")
    started_at = datetime.now(UTC).isoformat(timespec="seconds")
    started = time.perf_counter()
    info = machine(tmp)
    results: list[dict[str, Any]] = []
    timings: dict[str, float] = {}
    failed: list[str] = []
    try:
        for name in names:
            title, run = BENCHMARKS[name]
            say(f"\n== {title} [{name}]")
            t0 = time.perf_counter()
            try:
                rows = run(ctx)
            except Exception as exc:
                traceback.print_exc()
                failed.append(name)
                rows = []
                results.append(
                    {
                        "group": list(BENCHMARKS).index(name) + 1,
                        "metric": name,
                        "title": title,
                        "value": None,
                        "unit": "",
                        "baseline": None,
                        "ratio": None,
                        "target": None,
                        "target_text": "",
                        "pass": None,
                        "size": None,
                        "error": f"{type(exc).__name__}: {exc}",
                    }
                )
            timings[name] = round(time.perf_counter() - t0, 1)
            results += [r.as_json() for r in rows]
    finally:
        if args.keep:
            say(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    try:
        info["loadavg_at_end"] = os.getloadavg()
    except OSError:
        pass
    report = {
        "benchmark": "suite",
        "mode": "quick" if args.quick else "full",
        "only": names if args.only else None,
        "started_at": started_at,
        "duration_s": round(time.perf_counter() - started, 1),
        "seconds_per_benchmark": timings,
        "machine": info,
        "results": results,
    }
    output.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    say("\n" + table(results))
    missed = [
        r["metric"] + (f"@{r['size']:,}" if r["size"] is not None else "")
        for r in results
        if r["pass"] is False
    ]
    say(f"\nresults: {output} ({report['duration_s']} s)")
    if missed:
        say("targets missed: " + ", ".join(missed))
    if failed:
        say("benchmarks that failed to run: " + ", ".join(failed))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
