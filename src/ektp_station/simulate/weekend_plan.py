"""The replay's plan, drawn from one seed before anything runs: which residents come to which
counter and when, and when each station's link is down.

Pure and deterministic: the same seed gives the same plan (``simulate weekend --seed S``).
"""

from __future__ import annotations

import bisect
import random
from dataclasses import dataclass
from datetime import date
from typing import Any

from ..devtools.residents import RESIDENTS, nik_for, resident

__all__ = [
    "Plan",
    "Spell",
    "StationPlan",
    "make_plan",
    "station_ids",
    "weekend_resident",
]

#: A kelurahan's link drops and returns a few times an hour; over a recording weekend of about
#: sixteen hours replayed in ten minutes, one cycle (down, then up) every 40 s on average.
MEAN_CYCLE_SECONDS = 40.0
#: Each spell is at least this share of its mean length (no spell of a few milliseconds).
MIN_SPELL_SHARE = 0.15


@dataclass(frozen=True, slots=True)
class Spell:
    """The link down from ``start`` to ``end`` (seconds of the replay)."""

    start: float
    end: float

    @property
    def length(self) -> float:
        return self.end - self.start


@dataclass(frozen=True, slots=True)
class StationPlan:
    station_id: str
    #: the residents (numbers for :func:`weekend_resident`) in the order they come
    residents: tuple[int, ...]
    #: when each comes to the counter (seconds of the replay), ascending
    arrivals: tuple[float, ...]
    #: the link's down spells, ascending, within [0, duration]
    outages: tuple[Spell, ...]

    def down_at(self, moment: float) -> bool:
        """Whether the link is down at ``moment`` (seconds of the replay)."""
        i = bisect.bisect_right([s.start for s in self.outages], moment) - 1
        return i >= 0 and moment < self.outages[i].end

    @property
    def down_seconds(self) -> float:
        return sum(s.length for s in self.outages)


@dataclass(frozen=True, slots=True)
class Plan:
    duration: float
    down: float
    seed: int
    stations: tuple[StationPlan, ...]

    @property
    def residents(self) -> int:
        return sum(len(s.residents) for s in self.stations)

    @property
    def outages(self) -> int:
        return sum(len(s.outages) for s in self.stations)


def station_ids(count: int) -> list[str]:
    """``HJM-01``, ``HJM-02``, …: the counters of Kelurahan Harjamukti."""
    return [f"HJM-{i + 1:02d}" for i in range(count)]


def weekend_resident(n: int) -> dict[str, Any]:
    """The ``n``-th fictional resident of the weekend: valid for any ``n`` up to 8999 (born
    1950–2005, so 17 or older), a different NIK for each. Names, addresses and family cards
    come from :func:`~ektp_station.devtools.residents.resident`; the birth date and the NIK
    that encodes it are spread so that they stay valid at any size."""
    record = resident(n)
    _name, sex, _birth, _place, kelurahan = RESIDENTS[n % len(RESIDENTS)]
    year = 1950 + (n * 7) % 56
    birth = date(year, 1 + (n // 3) % 12, 1 + (n * 5) % 28)
    record["birth_date"] = birth.isoformat()
    record["nik"] = nik_for(birth, sex, 1000 + n, "".join(kelurahan.split(".")[:3]))
    record["marital_status"] = "BELUM KAWIN" if year > 1998 else "KAWIN"
    return record


def make_plan(*, duration: float, residents: int, stations: int, down: float, seed: int) -> Plan:
    """Residents dealt to the counters in turn, each counter taking its share at an even
    pace with some jitter; each station's link down ``down`` of ``duration`` exactly, in
    spells of random (exponential) length, starting up or down at random."""
    if duration <= 0 or residents < 1 or stations < 1 or not 0.0 <= down <= 1.0:
        raise ValueError("duration > 0, residents >= 1, stations >= 1, 0 <= down <= 1")
    rng = random.Random(seed)
    plans = []
    for index, station_id in enumerate(station_ids(stations)):
        mine = tuple(range(index, residents, stations))
        slot = duration / max(1, len(mine))
        arrivals = tuple((k + rng.uniform(0.05, 0.95)) * slot for k in range(len(mine)))
        plans.append(StationPlan(station_id, mine, arrivals, _outages(rng, duration, down)))
    return Plan(duration, down, seed, tuple(plans))


def _outages(rng: random.Random, duration: float, down: float) -> tuple[Spell, ...]:
    if down <= 0.0:
        return ()
    if down >= 1.0:
        return (Spell(0.0, duration),)
    cycles = max(2, round(duration / MEAN_CYCLE_SECONDS))
    downs = _lengths(rng, cycles, down * duration)
    ups = _lengths(rng, cycles, (1.0 - down) * duration)
    spells = []
    moment = 0.0
    starts_down = rng.random() < down
    for d, u in zip(downs, ups, strict=True):
        if not starts_down:
            moment += u
        spells.append(Spell(moment, min(duration, moment + d)))
        moment += d
        if starts_down:
            moment += u
    return tuple(spells)


def _lengths(rng: random.Random, count: int, total: float) -> list[float]:
    """``count`` random lengths summing to ``total``, none below MIN_SPELL_SHARE of the mean."""
    raw = [MIN_SPELL_SHARE + rng.expovariate(1.0) for _ in range(count)]
    scale = total / sum(raw)
    return [x * scale for x in raw]
