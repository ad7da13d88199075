"""The biometric parts (metric 8, issue #13): resumable delivery over a link that drops, the
counter while an upload fills the link, and the memory of a big part's upload.

Real parts throughout: ``ektp-station central serve`` in its own process (one for the group,
a station id per run), the station core (``Station.open``, ``Station.capture(images=...)``,
its engine), the fault proxy here with a bandwidth cap and a seeded drop schedule
(``parts_data.DropSchedule``: the same pattern for the resumable engine and its baseline).
The window and the big part's station run in their own processes (``gui_probe upload``,
``parts_probe rss``).
"""

from __future__ import annotations

import json
import subprocess
import threading
import time
from typing import Any, ClassVar

from ektp_station.devtools.faultproxy import FaultProxy
from ektp_station.paths import AppPaths
from ektp_station.settings import Settings
from ektp_station.station import Actor, Changes, Station
from ektp_station.store import State
from ektp_station.sync.engine import EngineConfig, EngineState, Progress

from .bench_gui import _env, _probe_cmd
from .common import REPO, Central, Context, Row, central_process, make_record, percentile, say
from .parts_data import DropSchedule, resident_images, save_variants

WIRE_TARGET = 1.05
TIME_TARGET = 1.2
SAVE_TARGET_RATIO = 3.0  # the store's own target: save p99 within 3x its baseline
STALL_TARGET_MS = 50.0
RSS_TARGET_MB = 20.0
SEED = 20261213


def sizes(ctx: Context) -> dict[str, Any]:
    if ctx.quick:
        return {
            "residents": 1, "finger": (256, 360), "bps": 2_000_000, "slow_bps": 1_000_000,
            "up": (0.8, 2.0), "down": (0.2, 0.5), "saves": 15, "fill": 2, "fill_bps": 1_000_000,
            "gui_seconds": 2.0, "big_mb": 8,
        }  # fmt: skip
    return {
        "residents": 10, "finger": (480, 704), "bps": 512_000, "slow_bps": 128_000,
        "up": (3.0, 10.0), "down": (0.5, 2.0), "saves": 100, "fill": 2, "fill_bps": 512_000,
        "gui_seconds": 15.0, "big_mb": 50,
    }  # fmt: skip


class Group:
    """One centre for the whole group; each run its own station id, queue and NIK range."""

    STATIONS: ClassVar[list[str]] = [f"ST-PARTS-{i:02d}" for i in range(1, 9)]

    def __init__(self, ctx: Context, central: Central) -> None:
        self.ctx, self.central = ctx, central
        self._next = 0

    def station(self, name: str, url: str, config: EngineConfig | None = None) -> Station:
        station_id = self.STATIONS[self._next]
        self._next += 1
        settings = Settings(
            station_id=station_id, central_url=url, token=self.central.tokens[station_id]
        )
        folder = self.ctx.folder(f"parts/{name}")
        station = Station.open(AppPaths.resolve(folder), settings=settings, engine_config=config)
        station.act_as(Actor.operator("SITI"))
        return station


class BiodataMark:
    """Bytes on the link when the last biodata batch was answered (the parts start after)."""

    def __init__(self, proxy: FaultProxy) -> None:
        self.proxy, self.bytes = proxy, 0

    def station_changed(self, changes: Changes) -> None:
        pass

    def sync_state_changed(self, state: EngineState) -> None:
        pass

    def sync_progress(self, progress: Progress) -> None:
        if progress.pending == 0 and not self.bytes:
            self.bytes = self.proxy.counters.bytes_up


def _capture(station: Station, nik: int, images: dict[str, bytes]) -> None:
    station.capture(make_record(nik), confirmed=True, images=images)


def deliver(
    group: Group, name: str, images: list[dict[str, bytes]], bps: int, resume: bool, nik: int
) -> dict[str, Any]:
    """Residents' biodata and parts through the capped, dropping link; what it took."""
    n = sizes(group.ctx)
    with FaultProxy.for_url(group.central.url, seed=1) as proxy:
        proxy.bandwidth_bps = bps
        station = group.station(name, proxy.url, EngineConfig(resume_parts=resume))
        try:
            for i, one in enumerate(images):
                _capture(station, nik + i, one)
            payload = station.queue.part_totals().bytes
            mark = BiodataMark(proxy)
            station.subscribe(mark)
            schedule = DropSchedule(SEED, up=n["up"], down=n["down"])
            t0 = schedule.start(proxy)
            drained = station.drain(give_up_after=3600)
            end = schedule.stop(proxy)
            counters = proxy.counters
            if not drained or station.count(State.SYNCED) != len(images):
                raise RuntimeError(f"{name}: not delivered ({station.count(State.SYNCED)})")
        finally:
            station.close()
    seconds = end - t0
    transfer = (payload + mark.bytes) * 8 / bps
    ideal = schedule.time_for_up(transfer) or transfer
    cuts = sum(1 for _, mode in schedule.switches if mode == "down")
    return {
        "residents": len(images), "payload_bytes": payload, "biodata_bytes": mark.bytes,
        "bytes_up": counters.bytes_up, "wire_ratio": counters.bytes_up / payload,
        "seconds": seconds, "ideal_s": ideal, "transfer_s": transfer,
        "up_s": schedule.up_seconds(end), "cuts": cuts, "requests": counters.requests,
        "bandwidth_bps": bps, "resume_parts": resume,
    }  # fmt: skip


def _delivery_rows(label: str, what: str, res: dict[str, Any], whole: dict[str, Any]) -> list[Row]:
    say(
        f"  {what}: resumable {res['wire_ratio']:.3f}x the payload on the wire, "
        f"{res['seconds']:.1f} s (ideal {res['ideal_s']:.1f} s, {res['cuts']} cuts); "
        f"whole-part {whole['wire_ratio']:.3f}x, {whole['seconds']:.1f} s"
    )
    size = res["payload_bytes"]
    detail = {"resumable": _rounded(res), "whole_part_baseline": _rounded(whole)}
    return [
        Row(8, f"parts_wire{label}", f"Bytes sent / payload, {what}", res["wire_ratio"], "x",
            target=WIRE_TARGET, target_on="value", target_op="<=", size=size, detail=detail,
            ).with_baseline(whole["wire_ratio"], "whole part re-sent after each cut"),
        Row(8, f"parts_time{label}", f"Delivery time vs the ideal for the up-time, {what}",
            res["seconds"], "s", target=TIME_TARGET, target_on="ratio", target_op="<=",
            size=size, detail=detail).with_baseline(res["ideal_s"], "ideal: payload at the "
            "link's rate over its measured up-time"),
        Row(8, f"parts_time_whole{label}", f"Delivery time, whole part re-sent, {what}",
            whole["seconds"], "s", size=size, detail=detail,
            ).with_baseline(whole["ideal_s"], "ideal for its up-time"),
    ]  # fmt: skip


def _rounded(d: dict[str, Any]) -> dict[str, Any]:
    return {k: round(v, 4) if isinstance(v, float) else v for k, v in d.items()}


def run_delivery(group: Group) -> list[Row]:
    n = sizes(group.ctx)
    t0 = time.perf_counter()
    images = [resident_images(("bench-parts", i), n["finger"]) for i in range(n["residents"])]
    say(f"  {len(images)} residents' images made in {time.perf_counter() - t0:.1f} s")
    kbit = f"{n['bps'] // 1000} kbit/s"
    rows = []
    res = deliver(group, "resume", images, n["bps"], True, 600_000)
    whole = deliver(group, "whole", images, n["bps"], False, 610_000)
    rows += _delivery_rows("", f"{len(images)} residents at {kbit}, dropping", res, whole)
    slow = f"1 resident at {n['slow_bps'] // 1000} kbit/s, dropping"
    res = deliver(group, "resume-slow", images[:1], n["slow_bps"], True, 620_000)
    whole = deliver(group, "whole-slow", images[:1], n["slow_bps"], False, 630_000)
    rows += _delivery_rows("_slow", slow, res, whole)
    return rows


def _timed_saves(
    station: Station, sets: list[dict[str, bytes]], nik: int
) -> dict[str, list[float]]:
    """Each set saved twice: biodata with its 14 parts, and biodata only; milliseconds."""
    out: dict[str, list[float]] = {"parts": [], "biodata": []}
    pause = threading.Event()
    for images in sets:
        for kind, kwargs in (("parts", {"images": images}), ("biodata", {})):
            t0 = time.perf_counter()
            station.capture(make_record(nik), confirmed=True, **kwargs)
            out[kind].append((time.perf_counter() - t0) * 1000)
            nik += 1
            pause.wait(0.05)  # saves at a counter are far apart; the engine gets its turn
    return out


def run_saves(group: Group) -> list[Row]:
    n = sizes(group.ctx)
    count = n["saves"]
    sets = save_variants(2 * count)
    fill = [resident_images(("bench-fill", i), n["finger"]) for i in range(n["fill"])]
    with FaultProxy.for_url(group.central.url, seed=1) as proxy:
        proxy.bandwidth_bps = n["fill_bps"]
        station = group.station("saves", proxy.url)
        try:
            for i, one in enumerate(fill):
                _capture(station, 700_000 + i, one)
            idle = _timed_saves(station, sets[:count], 710_000)
            station.start_sync()
            mark = station.queue.part_totals().bytes

            def uploading() -> bool:
                return station.queue.part_totals().bytes < mark

            deadline = time.monotonic() + 60
            while not uploading() and time.monotonic() < deadline:
                threading.Event().wait(0.01)
            before = proxy.counters.bytes_up
            busy = _timed_saves(station, sets[count:], 730_000)
            moved = proxy.counters.bytes_up - before
            fill_left = station.queue.part_totals().bytes
            station.stop_sync()
        finally:
            station.close()
    say(
        f"  saves while an upload fills the link ({moved / 1024:.0f} KiB went meanwhile): "
        f"with parts p99 {percentile(busy['parts'], 99):.1f} ms (idle "
        f"{percentile(idle['parts'], 99):.1f}), biodata p99 "
        f"{percentile(busy['biodata'], 99):.2f} ms (idle {percentile(idle['biodata'], 99):.2f})"
    )
    rows = []
    for kind, title in (("parts", "biodata + 14 parts"), ("biodata", "biodata only")):
        detail = {
            "saves": count, "p50_ms": round(percentile(busy[kind], 50), 3),
            "idle_p50_ms": round(percentile(idle[kind], 50), 3),
            "max_ms": round(max(busy[kind]), 3), "bytes_up_during": moved,
            "bytes_left_after": fill_left, "bandwidth_bps": n["fill_bps"],
        }  # fmt: skip
        rows.append(
            Row(8, f"parts_save_{kind}_p99", f"Save p99 ({title}) while an upload fills the "
                "link", percentile(busy[kind], 99), "ms", target=SAVE_TARGET_RATIO,
                target_on="ratio", target_op="<=", size=count, detail=detail,
                ).with_baseline(percentile(idle[kind], 99), "the same saves, no upload")
        )  # fmt: skip
    return rows


def run_gui(group: Group) -> list[Row]:
    n = sizes(group.ctx)
    fill = [resident_images(("bench-gui", i), n["finger"]) for i in range(n["fill"])]
    with FaultProxy.for_url(group.central.url, seed=1) as proxy:
        proxy.bandwidth_bps = n["fill_bps"]
        station = group.station("gui", proxy.url)
        try:
            for i, one in enumerate(fill):
                _capture(station, 800_000 + i, one)
            station_id, data_dir = station.station_id, station.paths.data_dir
        finally:
            station.close()
        proc = subprocess.run(
            _probe_cmd("upload", "--data-dir", str(data_dir), "--url", proxy.url, "--token",
                       group.central.tokens[station_id], "--station", station_id,
                       "--seconds", str(n["gui_seconds"])),
            capture_output=True, text=True, env=_env(), cwd=REPO, timeout=300, check=False,
        )  # fmt: skip
    if proc.returncode != 0:
        raise RuntimeError(f"gui probe upload failed: {proc.stderr[-2000:]}")
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    up, idle = out["upload"], out["idle"]
    say(
        f"  GUI longest stall while parts upload: {up['max_gap_ms']:.1f} ms (idle "
        f"{idle['max_gap_ms']:.1f} ms; {out['bytes_moved'] / 1024:.0f} KiB moved)"
    )
    return [
        Row(8, "parts_gui_stall", "GUI longest stall while parts upload", up["max_gap_ms"],
            "ms", target=STALL_TARGET_MS, target_on="value", target_op="<",
            detail=out).with_baseline(idle["max_gap_ms"], "the idle window, same process"),
    ]  # fmt: skip


def run_rss(group: Group) -> list[Row]:
    n = sizes(group.ctx)
    size = n["big_mb"] * 1_000_000
    folder = group.ctx.folder("parts/rss")
    station_id = group.STATIONS[-1]
    from .parts_probe import prepare_big_part

    prepare_big_part(folder, station_id, size, 900_000)
    proc = subprocess.run(
        [
            *_probe_cmd("x")[:2], "bench.parts_probe", "rss", "--data-dir", str(folder),
            "--url", group.central.url, "--token", group.central.tokens[station_id],
            "--station", station_id,
        ],
        capture_output=True, text=True, env=_env(), cwd=REPO, timeout=600, check=False,
    )  # fmt: skip
    if proc.returncode != 0:
        raise RuntimeError(f"parts probe rss failed: {proc.stderr[-2000:]}")
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    if not out["delivered"]:
        raise RuntimeError(f"the big part was not delivered: {out}")
    growth = out["peak_mb"] - out["before_mb"]
    say(
        f"  a {size / 1e6:.0f} MB part: RSS {out['before_mb']:.1f} MB before, peak "
        f"{out['peak_mb']:.1f} MB during the upload (+{growth:.1f} MB), {out['seconds']:.1f} s"
    )
    return [
        Row(8, "parts_rss_growth", f"RSS growth uploading a {size / 1e6:.0f} MB part", growth,
            "MB", target=RSS_TARGET_MB, target_on="value", target_op="<", size=size,
            detail=out).with_baseline(out["before_mb"], "the same process's RSS before"),
    ]  # fmt: skip


def run_parts(ctx: Context) -> list[Row]:
    folder = ctx.folder("parts")
    rows: list[Row] = []
    with central_process(
        f"sqlite:///{folder}/central.sqlite3", Group.STATIONS, log=folder / "central.log"
    ) as central:
        group = Group(ctx, central)
        for part in (run_delivery, run_saves, run_gui, run_rss):
            rows += part(group)
    return rows
