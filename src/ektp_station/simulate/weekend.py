"""``ektp-station simulate weekend``: the Harjamukti weekend, replayed (issue #14).

On one mass-recording weekend at Kelurahan Harjamukti (Kota Depok) only 75 of 1,057 residents
were recorded: the link to the centre was *putus-nyambung*. Here the weekend is replayed in
``--minutes`` of real time: ``--stations`` counters, each a real station with its own
encrypted queue and sync engine behind its own fault proxy, save the residents at a counter's
pace while each link is down ``--down`` of the time in random spells; the reference centre
receives. Every second the stations' queue status and the centre's overview (the dashboard's)
are checked against the truth (weekend_checks). At the end every link comes up, the queues
drain, and every resident must be at the centre exactly once.

Exit status 0 only when every check held; 1 when one did not; 2 for arguments out of range; 3
when the plot cannot be drawn (matplotlib missing).
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

from ..paths import AppPaths
from ..settings import Settings
from .weekend_checks import (
    SETTLE,
    StationView,
    Tally,
    check_final,
    check_overview,
    check_station,
    tally_delivery,
)
from .weekend_plan import Plan, make_plan
from .weekend_plot import PlotData, StationSeries, plot_available, render
from .weekend_rig import Counter, Rig
from .weekend_text import MAX_SHOWN, format_result, number, say

__all__ = ["DRAIN_LIMIT", "run"]

#: Seconds the queues have to drain once every link is up (a long outage's pause of up to
#: 5 s, the probe's 2 s, a few batches of 200).
DRAIN_LIMIT = 60.0
#: Seconds after the drain for the stations and the dashboard to show it (a heartbeat).
FINAL_LIMIT = SETTLE + 10.0
MAX_RESIDENTS = 8999  # weekend_resident's NIK serials
MAX_STATIONS = 50


@dataclass
class _Replay:
    rig: Rig
    tally: Tally
    lang: str
    out: TextIO
    rounds: int = 0
    shown: int = 0
    save_checks: int = 0
    failures_seen: dict[str, int] = field(default_factory=dict)
    day: object = None  # the centre's day (Asia/Jakarta) when the replay began

    def round(self) -> tuple[list[StationView], dict[str, Any]]:
        """One look at everything; every check that holds at any moment."""
        views, overview, now = self.rig.read()
        for view in views:
            check_station(view, self.tally)
        if self.day is None:
            self.day = overview.get("day")
        same_day = overview.get("day") == self.day
        check_overview(overview, views, self.tally, now=now, check_today=same_day)
        self._saves()
        self.rounds += 1
        self.show_new_violations()
        return views, overview

    def _saves(self) -> None:
        """Every save is a check: it must have been taken."""
        for counter in self.rig.counters:
            with counter.lock:
                failures = counter.failures[self.failures_seen.get(counter.station_id, 0) :]
                self.failures_seen[counter.station_id] = len(counter.failures)
            for fail_at, kind in failures:
                self.tally.expect(False, fail_at, counter.station_id, "save_failed", kind=kind)
        done = sum(len(c.saves) for c in self.rig.counters)
        self.tally.checks += done - self.save_checks
        self.save_checks = done

    def show_new_violations(self) -> None:
        for violation in self.tally.violations[self.shown :]:
            if self.shown < MAX_SHOWN:
                self.out.write("  ⚠ " + violation.message(self.lang) + "\n")
            elif self.shown == MAX_SHOWN:
                self.out.write("  ⚠ " + say("more_violations", self.lang) + "\n")
            self.shown += 1
        self.out.flush()


def run(args: argparse.Namespace) -> int:
    lang = _language(args)
    problem = _bad_arguments(args)
    if problem:
        sys.stderr.write(say(problem, lang) + "\n")
        return 2
    plot = Path(args.plot) if args.plot else None
    if plot is not None and not plot_available():
        sys.stderr.write(say("no_matplotlib", lang) + "\n")
        return 3
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(1, 2**31)
    plan = make_plan(
        duration=args.minutes * 60.0,
        residents=args.residents,
        stations=args.stations,
        down=args.down,
        seed=seed,
    )
    out = sys.stderr if args.json else sys.stdout
    out.write(say("start", lang, plan=plan, minutes=args.minutes) + "\n")
    out.flush()
    began = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="ektp-weekend-") as tmp, Rig(plan, Path(tmp)) as rig:
        replay = _Replay(rig, Tally(), lang, out)
        result, drained_at = _run_replay(replay, plan, args.minutes)
        if plot is not None:
            render(plot, _plot_data(rig, plan, result["capture_end_s"], drained_at), lang)
    result["elapsed_s"] = round(time.monotonic() - began, 1)
    result["plot"] = str(plot) if plot is not None else None
    if args.json:
        sys.stdout.write(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    else:
        sys.stdout.write(format_result(result, lang))
    return 0 if result["ok"] else 1


def _run_replay(replay: _Replay, plan: Plan, minutes: float) -> tuple[dict[str, Any], float | None]:
    """Capture with the links going down and up, drain, settle, check; the result and when
    the centre held everyone (replay seconds; None: not within DRAIN_LIMIT)."""
    rig, tally = replay.rig, replay.tally
    rig.start()
    clock = rig.clock
    every = max(10.0, plan.duration / 10)
    next_progress = every
    while any(c.thread.is_alive() for c in rig.counters):
        _pause_until(clock.now() // 1 + 1, clock.now)
        replay.round()
        if clock.now() >= next_progress and clock.now() < plan.duration:
            replay.out.write(
                say("progress", replay.lang, **_progress(rig, plan, tally, replay.lang)) + "\n"
            )
            replay.out.flush()
            next_progress += every
    rig.finish_capture()
    end = clock.now()
    captured = sum(c.saved_count() for c in rig.counters)
    drained_at: float | None = None
    next_round = clock.now() + 1.0
    while clock.now() < end + DRAIN_LIMIT:
        if rig.held_count() >= captured:
            drained_at = clock.now()
            break
        if clock.now() >= next_round:
            replay.round()
            next_round += 1.0
        time.sleep(0.05)
    views, overview = replay.round()
    deadline = clock.now() + FINAL_LIMIT
    while not _settled(views, overview) and clock.now() < deadline:
        _pause_until(clock.now() + 0.5, clock.now)
        views, overview = replay.round()
    views, overview, now = rig.read()
    saved = {nik: c.station_id for c in rig.counters for nik in list(c.saved.niks)}
    held = rig.registrations()
    delivery = tally_delivery(saved, [(n, s) for n, s, _at in held])
    check_final(
        delivery,
        views,
        overview,
        tally,
        residents=plan.residents,
        drained=drained_at is not None,
        drain_limit=DRAIN_LIMIT,
        now=now,
        check_today=overview.get("day") == replay.day,
    )
    replay.show_new_violations()
    last_save = max((c.saved.at[-1] for c in rig.counters if c.saved.at), default=0.0)
    last_up = max(rig.last_link_up, last_save)  # nothing held delivery back after this
    saves = [s for c in rig.counters for s in c.saves]
    spells = [c.outages(end) for c in rig.counters]
    down_s = [sum(b - a for a, b in sp) for sp in spells]
    result = {
        "seed": plan.seed,
        "minutes": minutes,
        "residents": plan.residents,
        "stations": len(plan.stations),
        "down": plan.down,
        "captured": captured,
        "delivered": delivery.delivered,
        "duplicates": delivery.duplicates,
        "missing": delivery.missing,
        "exactly_once": delivery.delivered == plan.residents
        and delivery.duplicates == 0
        and delivery.unknown == 0,
        "checks": tally.checks,
        "rounds": replay.rounds,
        "violations": len(tally.violations),
        "violations_by_code": tally.by_code(),
        "violation_samples": [v.to_json() for v in tally.violations[:MAX_SHOWN]],
        "save_ms": {
            "down": _percentiles([s.ms for s in saves if s.down]),
            "up": _percentiles([s.ms for s in saves if not s.down]),
        },
        "drain_s": round(drained_at - last_up, 2) if drained_at is not None else None,
        "catch_up_s": _percentiles(_catch_ups(rig, held, spells), digits=1, top="max"),
        "last_link_up_s": round(rig.last_link_up, 2),
        "capture_end_s": round(end, 2),
        "outages": sum(len(sp) for sp in spells),
        "down_share": round(sum(down_s) / (len(spells) * end), 3) if spells and end else 0.0,
        "per_station": [
            _station_row(c, view, sp, d)
            for c, view, sp, d in zip(rig.counters, views, spells, down_s, strict=True)
        ],
        "ok": not tally.violations,
    }
    return result, drained_at


def _station_row(
    counter: Counter, view: StationView, spells: list[tuple[float, float]], down_s: float
) -> dict[str, Any]:
    return {
        "station_id": counter.station_id,
        "captured": counter.saved_count(),
        "delivered": len(view.at_centre & view.saved_after),
        "outages": len(spells),
        "down_s": round(down_s, 1),
        "longest_outage_s": round(max((b - a for a, b in spells), default=0.0), 1),
    }


def _settled(views: Sequence[StationView], overview: dict[str, Any]) -> bool:
    """Every station shows everything delivered, and so does the dashboard."""
    rows = {r.get("station_id"): r for r in overview.get("stations", [])}
    for view in views:
        st = view.status
        if st.get("unsynced") != 0 or st.get("synced") != len(view.saved_after):
            return False
        row = rows.get(view.station_id) or {}
        backlog = row.get("reported_backlog") or {}
        if backlog.get("pending") != 0 or row.get("registrations") != len(view.saved_after):
            return False
    return True


def _progress(rig: Rig, plan: Plan, tally: Tally, lang: str) -> dict[str, Any]:
    now = rig.clock.now()
    return {
        "clock": f"{int(now // 60)}:{int(now % 60):02d}",
        "captured": number(sum(c.saved_count() for c in rig.counters), lang),
        "residents": number(plan.residents, lang),
        "held": number(rig.held_count(), lang),
        "down": sum(1 for c in rig.counters if not c.up),
        "stations": len(rig.counters),
        "violations": number(len(tally.violations), lang),
    }


def _percentiles(values: Sequence[float], digits: int = 2, top: str = "p99") -> dict[str, Any]:
    """Nearest-rank p50, p95 and p99 (or the max), rounded (None without any value)."""
    ordered = sorted(values)

    def rank(p: float) -> float | None:
        if not ordered:
            return None
        return round(ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)], digits)

    return {
        "count": len(ordered),
        "p50": rank(50),
        "p95": rank(95),
        top: rank(100 if top == "max" else 99),
    }


def _catch_ups(
    rig: Rig, held: Sequence[tuple[str, str, datetime]], spells: Sequence[list[tuple[float, float]]]
) -> list[float]:
    """For each link-up that found entries waiting: seconds until the last of them (saved
    before it, not at the centre at that moment) reached the centre."""
    clock, found = rig.clock, []
    received = {nik: clock.seconds_of(moment) for nik, _station, moment in held}
    for counter, outages in zip(rig.counters, spells, strict=True):
        with counter.lock:
            saved_at = dict(zip(counter.saved.ids, counter.saved.at, strict=True))
            niks = dict(counter.saved.niks)
        pairs = [(saved_at[entry], received[nik]) for nik, entry in niks.items() if nik in received]
        for _down, up in outages:
            late = [arrived for saved, arrived in pairs if saved < up < arrived]
            if late:
                found.append(max(late) - up)
    return found


def _plot_data(rig: Rig, plan: Plan, end: float, drained: float | None) -> PlotData:
    clock = rig.clock
    delivered: dict[str, list[float]] = {c.station_id: [] for c in rig.counters}
    for _nik, station, received in rig.registrations():
        delivered.setdefault(station, []).append(clock.seconds_of(received))
    return PlotData(
        residents=plan.residents,
        down=plan.down,
        seed=plan.seed,
        capture_end=end,
        drained_at=drained,
        stations=[
            StationSeries(
                station_id=c.station_id,
                captured=sorted(c.saved.at),
                delivered=sorted(delivered.get(c.station_id, [])),
                outages=c.outages(end),
            )
            for c in rig.counters
        ],
    )


def _pause_until(moment: float, now: Any) -> None:
    """The replay's own pacing (its counters and links run on their own threads)."""
    left = moment - now()
    if left > 0:
        time.sleep(left)


def _language(args: argparse.Namespace) -> str:
    try:
        settings = Settings.load(AppPaths.resolve(getattr(args, "data_dir", None)))
    except Exception:  # noqa: BLE001  (the language only; main reported the settings)
        return "id"
    return "en" if settings.language == "en" else "id"


def _bad_arguments(args: argparse.Namespace) -> str | None:
    if not (0 < args.minutes <= 24 * 60):
        return "bad_minutes"
    if not (1 <= args.residents <= MAX_RESIDENTS):
        return "bad_residents"
    if not (1 <= args.stations <= MAX_STATIONS):
        return "bad_stations"
    if not (0.0 <= args.down <= 1.0):
        return "bad_down"
    return None
