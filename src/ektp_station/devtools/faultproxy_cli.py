"""``python -m ektp_station.devtools.faultproxy``: the fault proxy from a terminal (demo)."""

from __future__ import annotations

import argparse
import sys

from .faultproxy import FLAKY, FaultProxy

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    """``python -m ektp_station.devtools.faultproxy --target URL [--mode ...]``.

    Type ``up``, ``down``, ``blackhole``, ``flaky``, ``latency MS`` or ``quit`` on stdin to
    switch the link while it runs.
    """
    parser = argparse.ArgumentParser(prog="python -m ektp_station.devtools.faultproxy")
    parser.add_argument("--target", required=True, help="e.g. http://127.0.0.1:8765")
    parser.add_argument("--port", type=int, default=8766, help="listen port on 127.0.0.1")
    parser.add_argument("--mode", choices=["up", "down", "blackhole", "flaky"], default="up")
    parser.add_argument("--latency-ms", type=float, default=0.0)
    parser.add_argument("--seed", type=int)
    args = parser.parse_args(argv)
    proxy = FaultProxy.for_url(args.target, listen_port=args.port, seed=args.seed)
    proxy.latency_ms = args.latency_ms

    def apply(command: str) -> None:
        if command == "flaky":
            proxy.set_mode("up")
            proxy.set_faults(FLAKY)
        elif command in ("up", "down", "blackhole"):
            proxy.set_mode(
                "up" if command == "up" else "down" if command == "down" else "blackhole"
            )
            if command == "up":
                proxy.clear_faults()
        else:
            raise ValueError(command)

    with proxy:
        apply(args.mode)
        print(f"fault proxy {proxy.url} -> {args.target} ({args.mode})", file=sys.stderr)
        for line in sys.stdin:
            words = line.split()
            if not words:
                continue
            try:
                if words[0] in ("quit", "exit"):
                    break
                if words[0] == "latency" and len(words) == 2:
                    proxy.latency_ms = float(words[1])
                else:
                    apply(words[0])
            except ValueError:
                print("? up | down | blackhole | flaky | latency MS | quit", file=sys.stderr)
                continue
            print(
                f"mode={proxy.mode} latency_ms={proxy.latency_ms:g} {proxy.counters}",
                file=sys.stderr,
            )
    return 0
