"""The station side of the big part's memory benchmark (metric 8), run as its own process.

``python -m bench.parts_probe rss --data-dir D --url U --token T --station S``
    The station core over D (prepared by :func:`prepare_big_part`) sends the small resident
    to U on this thread (warming up), saves the resident with the big part, sends it; prints
    one JSON line: the process's RSS before sending the big part, its peak while sending (``VmHWM``, reset first through
    ``/proc/self/clear_refs``), after, and whether the entry was delivered.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any


def status_mb(field: str) -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    raise RuntimeError(f"{field} not in /proc/self/status")


def reset_peak() -> bool:
    """Linux: writing 5 to clear_refs resets VmHWM to the current RSS."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as refs:
            refs.write("5")
        return True
    except OSError:
        return False


def _rows(photo: tuple[str, int]) -> list[Any]:
    from ektp_station.domain.biometrics import PART_SPECS, PARTS
    from ektp_station.store.parts import PartRow

    rows = [PartRow("photo", photo[0], photo[1], PART_SPECS["photo"].media_type)]
    return rows + [PartRow(part, reason="missing") for part in PARTS if part != "photo"]


def prepare_big_part(folder: Path, station_id: str, size: int, nik: int) -> None:
    """A queue under ``folder`` with one small resident (sent first, to warm the process up:
    the HTTP client, its certificates, the code paths), and a big part of ``size`` seeded
    random bytes streamed into the encrypted store (never whole in memory) for the probe to
    save as a second resident's photo (above PART_SPECS' limits: through the queue as the
    tests do, not through the capture checks); the other parts excepted."""
    from ektp_station.devtools.images import photo_jpeg
    from ektp_station.store import Queue
    from ektp_station.store.attachments import AttachmentStore

    from .common import make_record
    from .parts_data import big_part_chunks

    queue = Queue.open(folder)
    try:
        store = AttachmentStore(folder / "attachments", queue.key.key)
        small = store.put(photo_jpeg(("bench-rss", nik)))
        rows = _rows((small.sha256, small.size))
        queue.enqueue(make_record(nik), operator="SITI", station_id=station_id, parts=rows)
        big = store.put_stream(big_part_chunks(size))
        big_entry = {"sha256": big.sha256, "size": big.size, "nik": nik + 1}
        (folder / "big-part.json").write_text(json.dumps(big_entry), encoding="utf-8")
    finally:
        queue.close()


def rss(args: argparse.Namespace) -> int:
    from ektp_station.paths import AppPaths
    from ektp_station.settings import Settings
    from ektp_station.station import Actor, Station
    from ektp_station.store import State

    from .common import make_record

    settings = Settings(station_id=args.station, central_url=args.url, token=args.token)
    station = Station.open(AppPaths.resolve(args.data_dir), settings=settings)
    station.act_as(Actor.operator("SITI"))
    try:
        warm = station.drain(give_up_after=120)  # the small resident: the process warmed up
        big = json.loads((args.data_dir / "big-part.json").read_text(encoding="utf-8"))
        station.queue.enqueue(
            make_record(big["nik"]),
            operator="SITI",
            station_id=args.station,
            parts=_rows((big["sha256"], big["size"])),
        )
        size = station.queue.part_totals().bytes
        before = status_mb("VmRSS")
        reset = reset_peak()
        t0 = time.perf_counter()
        drained = station.drain(give_up_after=600)
        seconds = time.perf_counter() - t0
        peak = status_mb("VmHWM")
        out = {
            "part_bytes": size,
            "before_mb": round(before, 2),
            "peak_mb": round(peak, 2),
            "after_mb": round(status_mb("VmRSS"), 2),
            "peak_reset": reset,
            "seconds": round(seconds, 2),
            "delivered": warm and drained and station.count(State.SYNCED) == 2,
        }
    finally:
        station.close()
    sys.stdout.write(json.dumps(out) + "\n")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.parts_probe")
    sub = parser.add_subparsers(dest="command", required=True)
    r = sub.add_parser("rss")
    r.add_argument("--data-dir", type=Path, required=True)
    r.add_argument("--url", required=True)
    r.add_argument("--token", required=True)
    r.add_argument("--station", required=True)
    return rss(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
