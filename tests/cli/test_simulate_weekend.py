"""``ektp-station simulate weekend`` end to end at a small size: real stations, queues, sync
engines, fault proxies and centre in this process; every resident at the centre exactly
once, the figures in the JSON, the plot a PNG; and a lying dashboard makes it fail."""

from __future__ import annotations

import struct
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ektp_station.simulate import weekend, weekend_rig
from ektp_station.simulate.weekend_plan import weekend_resident
from ektp_station.simulate.weekend_text import format_result

from .support import Result

KEYS = {
    "seed",
    "residents",
    "stations",
    "captured",
    "delivered",
    "duplicates",
    "missing",
    "exactly_once",
    "checks",
    "rounds",
    "violations",
    "violations_by_code",
    "save_ms",
    "drain_s",
    "catch_up_s",
    "outages",
    "down_share",
    "per_station",
    "plot",
    "ok",
}


def _png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n" and head[12:16] == b"IHDR"
    width, height = struct.unpack(">II", head[16:24])
    return width, height


def _no_personal_data(text: str, residents: int) -> None:
    for n in range(residents):
        record = weekend_resident(n)
        assert record["nik"] not in text and record["kk_number"] not in text
        assert record["full_name"] not in text


def test_a_small_weekend_delivers_everyone_exactly_once(
    cli: Callable[..., Result], data_dir: Path, tmp_path: Path
) -> None:
    plot = tmp_path / "weekend.png"
    args = ("--minutes", "0.25", "--residents", "40", "--stations", "2", "--down", "0.5")
    result = cli(
        "--data-dir", data_dir, "simulate", "weekend", *args, "--seed", "1", "--json",
        "--plot", plot,
    )  # fmt: skip
    assert result.rc == 0, result.err
    data = result.json()
    assert KEYS <= set(data)
    assert (data["seed"], data["residents"], data["stations"]) == (1, 40, 2)
    assert data["captured"] == data["delivered"] == 40
    assert (data["duplicates"], data["missing"], data["violations"]) == (0, 0, 0)
    assert data["exactly_once"] is True and data["ok"] is True
    assert data["checks"] > 40 * 2 and data["rounds"] >= 10
    assert data["outages"] >= 4  # two spells at least per station
    assert 0.4 < data["down_share"] < 0.6
    for side in ("down", "up"):
        figures = data["save_ms"][side]
        assert figures["count"] > 0
        assert 0 < figures["p50"] <= figures["p95"] <= figures["p99"]
    assert data["save_ms"]["down"]["count"] + data["save_ms"]["up"]["count"] == 40
    assert 0 <= data["drain_s"] < weekend.DRAIN_LIMIT
    catch_up = data["catch_up_s"]  # each link-up that found entries waiting
    assert catch_up["count"] >= 1 and 0 <= catch_up["p50"] <= catch_up["max"] < 15
    assert [row["delivered"] for row in data["per_station"]] == [20, 20]
    assert data["plot"] == str(plot)
    width, height = _png_size(plot)
    assert width >= 1000 and height >= 300 and plot.stat().st_size > 20_000
    assert "--seed 1" in result.err  # how to repeat it
    _no_personal_data(result.out + result.err, 40)


def test_a_lying_dashboard_fails_the_run(
    cli: Callable[..., Result], data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The dashboard claims the station's clock is 30 s off (one machine, one clock)."""
    honest = weekend_rig.DashboardOverview.overview

    def lying(self: weekend_rig.DashboardOverview) -> dict[str, Any]:
        overview = honest(self)
        for row in overview["stations"]:
            row["clock_skew_seconds"] = 30.0
        return overview

    monkeypatch.setattr(weekend_rig.DashboardOverview, "overview", lying)
    args = ("--minutes", "0.05", "--residents", "4", "--stations", "1", "--down", "0")
    result = cli("--data-dir", data_dir, "simulate", "weekend", *args, "--seed", "3")
    assert result.rc == 1
    assert "dash_skew" in result.out and "30,0 s" in result.out
    assert "4 dari 4, masing-masing tepat sekali" in result.out  # delivered all the same
    assert "pemeriksaan tidak terpenuhi: dash_skew" in result.out


@pytest.mark.parametrize(
    ("flag", "value", "words"),
    [
        ("--down", "1.5", "--down harus antara 0 dan 1"),
        ("--stations", "0", "--stations harus antara 1 dan 50"),
        ("--minutes", "0", "--minutes harus lebih dari 0"),
        ("--residents", "9000", "--residents harus antara 1 dan 8999"),
    ],
)
def test_arguments_out_of_range_are_a_usage_error(
    cli: Callable[..., Result], data_dir: Path, flag: str, value: str, words: str
) -> None:
    result = cli("--data-dir", data_dir, "simulate", "weekend", flag, value)
    assert result.rc == 2 and words in result.err and "Traceback" not in result.err


def test_no_matplotlib_says_how_to_install_it(
    cli: Callable[..., Result], data_dir: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(weekend, "plot_available", lambda: False)
    (data_dir / "config.json").write_text('{"language": "en"}', encoding="utf-8")
    result = cli("--data-dir", data_dir, "simulate", "weekend", "--plot", tmp_path / "x.png")
    assert result.rc == 3
    assert "matplotlib is not installed" in result.err
    assert "pip install 'ektp-station[sim]'" in result.err
    assert not (tmp_path / "x.png").exists()


def _result(**overrides: Any) -> dict[str, Any]:
    figures = {"count": 600, "p50": 3.14, "p95": 7.5, "p99": 12.25}
    return {
        "residents": 1057,
        "delivered": 1057,
        "duplicates": 0,
        "missing": 0,
        "exactly_once": True,
        "save_ms": {"down": figures, "up": {"count": 0, "p50": None, "p95": None, "p99": None}},
        "drain_s": 4.25,
        "outages": 61,
        "down_share": 0.6,
        "checks": 123456,
        "rounds": 612,
        "violations": 0,
        "violations_by_code": {},
        "plot": None,
        "per_station": [
            {
                "station_id": "HJM-01",
                "captured": 265,
                "delivered": 265,
                "outages": 15,
                "down_s": 360.0,
                "longest_outage_s": 71.5,
            }
        ],
        "ok": True,
        **overrides,
    }


def test_the_summary_in_both_languages() -> None:
    text = format_result(_result(), "id")
    assert "1.057 dari 1.057, masing-masing tepat sekali" in text
    assert "p50 3,1 ms · p95 7,5 ms · p99 12,2 ms (600 simpan)" in text
    assert "tidak ada simpan" in text and "4,2 s setelah" in text
    assert "123.456 dalam 612 putaran; pelanggaran 0" in text
    assert "Semua pemeriksaan terpenuhi." in text
    text = format_result(_result(), "en")
    assert "1,057 of 1,057, each exactly once" in text and "Every check held." in text
    failed = _result(
        ok=False, violations=3, violations_by_code={"dash_skew": 2, "not_delivered": 1},
        delivered=1056, missing=1, exactly_once=False, drain_s=None,
    )  # fmt: skip
    text = format_result(failed, "en")
    assert "1,056 of 1,057 (duplicates 0, missing 1)" in text
    assert "Drained:               no" in text
    assert "3 checks did not hold: dash_skew ×2, not_delivered ×1" in text
