"""``simulate weekend --plot FILE.png``: captured vs delivered per station over the replay, the
link's outages shaded (matplotlib, Agg backend).

matplotlib is the optional extra ``sim`` (``pip install 'ektp-station[sim]'``) and is loaded
by name, only here, only for ``--plot``: the station's bundle leaves it out.
"""

from __future__ import annotations

import bisect
import importlib
import importlib.util
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["PlotData", "StationSeries", "plot_available", "render"]

_CAPTURED = "#1f5fa8"
_DELIVERED = "#2e9d4f"
_OUTAGE = "#d62728"

_LABELS: dict[str, tuple[str, str]] = {
    "title": (
        "Akhir pekan Harjamukti diputar ulang: {residents} penduduk, {stations} stasiun, "
        "jaringan putus {down}% waktu (benih {seed})",
        "The Harjamukti weekend, replayed: {residents} residents, {stations} stations, "
        "link down {down}% of the time (seed {seed})",
    ),
    "subtitle": (
        "di pusat: {delivered} dari {residents} · akhir pekan aslinya: 75 dari 1.057 terekam",
        "at the centre: {delivered} of {residents} · the real weekend: 75 of 1,057 recorded",
    ),
    "captured": ("direkam di stasiun", "captured at the station"),
    "waiting": ("menunggu di antrean stasiun", "waiting in the station's queue"),
    "delivered": ("diterima pusat", "received by the centre"),
    "outage": ("jaringan putus", "link down"),
    "end": ("perekaman selesai, semua jaringan nyambung", "capture over, every link up"),
    "x": ("menit simulasi", "minutes of the replay"),
    "y": ("penduduk (kumulatif)", "residents (cumulative)"),
    "station": (
        "{station}: {delivered}/{captured} di pusat",
        "{station}: {delivered}/{captured} at the centre",
    ),
}


@dataclass(frozen=True, slots=True)
class StationSeries:
    station_id: str
    captured: list[float]  # replay seconds of each save, ascending
    delivered: list[float]  # replay seconds each registration reached the centre, ascending
    outages: list[tuple[float, float]]  # (down at, up at), replay seconds


@dataclass(frozen=True, slots=True)
class PlotData:
    residents: int
    down: float
    seed: int
    capture_end: float  # replay seconds when the last save returned and every link came up
    drained_at: float | None
    stations: list[StationSeries] = field(default_factory=list)


def plot_available() -> bool:
    return importlib.util.find_spec("matplotlib") is not None


def _steps(times: list[float]) -> tuple[list[float], list[int]]:
    """A cumulative count as a step line from 0."""
    xs, ys = [0.0], [0]
    for i, moment in enumerate(times, start=1):
        xs.append(moment / 60)
        ys.append(i)
    return xs, ys


def _backlog(series: StationSeries, end: float) -> tuple[list[float], list[int], list[int]]:
    """Captured and delivered counts on a fine grid (minutes), for the waiting band."""
    step = max(0.25, end / 1500)
    grid = [i * step for i in range(int(end / step) + 2)]
    captured = [bisect.bisect_right(series.captured, t) for t in grid]
    delivered = [bisect.bisect_right(series.delivered, t) for t in grid]
    return [t / 60 for t in grid], captured, delivered


def _count(n: int, lang: str) -> str:
    return f"{n:,}" if lang == "en" else f"{n:,}".replace(",", ".")


def render(path: Path, data: PlotData, lang: str) -> None:
    """Write the PNG (one panel per station, sharing both axes)."""
    matplotlib: Any = importlib.import_module("matplotlib")
    matplotlib.use("Agg")
    plt: Any = importlib.import_module("matplotlib.pyplot")
    patches: Any = importlib.import_module("matplotlib.patches")
    lines: Any = importlib.import_module("matplotlib.lines")

    t = {k: (en if lang == "en" else id_) for k, (id_, en) in _LABELS.items()}
    count = max(1, len(data.stations))
    cols = 1 if count == 1 else 2
    rows = math.ceil(count / cols)
    fig, axes = plt.subplots(
        rows, cols, figsize=(6.2 * cols, 2.9 * rows + 0.9), sharex=True, sharey=True,
        squeeze=False, dpi=110,
    )  # fmt: skip
    end_x = (
        max(
            [data.capture_end, data.drained_at or 0.0]
            + [s.delivered[-1] for s in data.stations if s.delivered]
        )
        / 60
    )
    for index, series in enumerate(data.stations):
        ax = axes[index // cols][index % cols]
        for start, stop in series.outages:
            ax.axvspan(start / 60, stop / 60, color=_OUTAGE, alpha=0.16, linewidth=0)
        grid, captured, delivered = _backlog(series, end_x * 60)
        ax.fill_between(
            grid, delivered, captured, step="post", color=_CAPTURED, alpha=0.18, linewidth=0
        )
        x, y = _steps(series.captured)
        ax.step(x, y, where="post", color=_CAPTURED, linewidth=1.8)
        x, y = _steps(series.delivered)
        ax.step(x, y, where="post", color=_DELIVERED, linewidth=1.8)
        ax.axvline(data.capture_end / 60, color="#555555", linestyle=":", linewidth=1.2)
        ax.set_title(
            t["station"].format(
                station=series.station_id,
                delivered=len(series.delivered),
                captured=len(series.captured),
            ),
            fontsize=10,
            loc="left",
        )
        ax.grid(True, alpha=0.3)
        ax.set_xlim(0, end_x * 1.02)
        ax.set_ylim(0, None)
        if index // cols == rows - 1 or index + cols >= count:
            ax.set_xlabel(t["x"])
        if index % cols == 0:
            ax.set_ylabel(t["y"])
        ax.tick_params(labelbottom=True)
    for index in range(count, rows * cols):
        axes[index // cols][index % cols].set_visible(False)
    down = f"{data.down * 100:.0f}"
    residents = _count(data.residents, lang)
    title = t["title"].format(
        residents=residents, stations=len(data.stations), down=down, seed=data.seed
    )
    at_centre = _count(sum(len(s.delivered) for s in data.stations), lang)
    subtitle = t["subtitle"].format(delivered=at_centre, residents=residents)
    fig.suptitle(f"{title}\n{subtitle}", fontsize=11.5)
    handles = [
        lines.Line2D([], [], color=_CAPTURED, linewidth=1.8, label=t["captured"]),
        lines.Line2D([], [], color=_DELIVERED, linewidth=1.8, label=t["delivered"]),
        patches.Patch(color=_CAPTURED, alpha=0.18, label=t["waiting"]),
        patches.Patch(color=_OUTAGE, alpha=0.16, label=t["outage"]),
        lines.Line2D([], [], color="#555555", linestyle=":", label=t["end"]),
    ]
    fig.legend(handles=handles, loc="lower center", ncol=5, frameon=False, fontsize=9)
    fig.tight_layout(rect=(0, 0.05, 1, 0.97))
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, format="png")
    plt.close(fig)
