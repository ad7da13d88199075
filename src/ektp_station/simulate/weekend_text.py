"""What ``simulate weekend`` says to a person, in Bahasa Indonesia (default) or English."""

from __future__ import annotations

from typing import Any

__all__ = ["MAX_SHOWN", "format_result", "number", "say"]

#: Violations printed as they are found (all are counted; the first ones go in the JSON).
MAX_SHOWN = 20

_TEXTS: dict[str, tuple[str, str]] = {
    "start": (
        "Akhir pekan Harjamukti diputar ulang: {residents} penduduk, {stations} stasiun, "
        "jaringan putus {down}% waktu, {minutes} menit (benih {seed}; ulangi dengan "
        "--seed {seed}).",
        "The Harjamukti weekend, replayed: {residents} residents, {stations} stations, link "
        "down {down}% of the time, {minutes} min (seed {seed}; repeat with --seed {seed}).",
    ),
    "progress": (
        "[{clock}] direkam {captured}/{residents} · di pusat {held} · putus di "
        "{down}/{stations} stasiun · pelanggaran {violations}",
        "[{clock}] captured {captured}/{residents} · at the centre {held} · link down at "
        "{down}/{stations} stations · violations {violations}",
    ),
    "more_violations": (
        "pelanggaran berikutnya tidak ditampilkan (lihat ringkasan)",
        "further violations not shown (see the summary)",
    ),
    "no_matplotlib": (
        "Grafik tidak bisa dibuat: matplotlib belum terpasang. Pasang dengan "
        "pip install 'ektp-station[sim]', atau jalankan tanpa --plot.",
        "The plot cannot be drawn: matplotlib is not installed. Install it with "
        "pip install 'ektp-station[sim]', or run without --plot.",
    ),
    "bad_minutes": (
        "--minutes harus lebih dari 0 dan paling banyak 1440.",
        "--minutes must be above 0 and at most 1440.",
    ),
    "bad_residents": (
        "--residents harus antara 1 dan 8999.",
        "--residents must be between 1 and 8999.",
    ),
    "bad_stations": (
        "--stations harus antara 1 dan 50.",
        "--stations must be between 1 and 50.",
    ),
    "bad_down": (
        "--down harus antara 0 dan 1 (bagian waktu jaringan putus).",
        "--down must be between 0 and 1 (the share of the time the link is down).",
    ),
}

_RESULT: dict[str, tuple[str, str]] = {
    "title": ("Hasil", "Result"),
    "delivered": (
        "Penduduk di pusat:     {delivered} dari {residents}{once} (duplikat {duplicates}, "
        "hilang {missing})",
        "Residents at centre:   {delivered} of {residents}{once} (duplicates {duplicates}, "
        "missing {missing})",
    ),
    "once": (", masing-masing tepat sekali", ", each exactly once"),
    "save_down": ("Simpan saat putus:     {text}", "Save, link down:       {text}"),
    "save_up": ("Simpan saat nyambung:  {text}", "Save, link up:         {text}"),
    "saves": ("{n} simpan", "{n} saves"),
    "no_saves": ("tidak ada simpan", "no saves"),
    "drain": (
        "Antrean habis:         {s} s setelah jaringan terakhir nyambung",
        "Drained:               {s} s after the last link-up",
    ),
    "catch_up": (
        "Setelah nyambung:      antrean terkejar dalam p50 {p50} s · p95 {p95} s · maks "
        "{max} s ({n} kali)",
        "After each link-up:    backlog caught up in p50 {p50} s · p95 {p95} s · max {max} s "
        "({n} times)",
    ),
    "no_drain": ("Antrean habis:         tidak", "Drained:               no"),
    "outages": (
        "Putus:                 {n} kali, {share}% waktu rata-rata",
        "Outages:               {n} spells, {share}% of the time on average",
    ),
    "checks": (
        "Pemeriksaan:           {checks} dalam {rounds} putaran; pelanggaran {violations}",
        "Checks:                {checks} in {rounds} rounds; violations {violations}",
    ),
    "plot": ("Grafik:                {path}", "Plot:                  {path}"),
    "head": (
        "  {station:<8} {captured:>8} {delivered:>9} {outages:>6} {down:>11} {longest:>12}",
        "  {station:<8} {captured:>8} {delivered:>9} {outages:>6} {down:>11} {longest:>12}",
    ),
    "columns": (
        "Stasiun|direkam|di pusat|putus|lama putus|terlama",
        "Station|captured|delivered|spells|down|longest",
    ),
    "ok": ("Semua pemeriksaan terpenuhi.", "Every check held."),
    "failed": (
        "{n} pemeriksaan tidak terpenuhi: {codes}",
        "{n} checks did not hold: {codes}",
    ),
}


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[1] if lang == "en" else pair[0]


def number(value: float | int, lang: str, digits: int = 1) -> str:
    """1.057 and 4,2 in Bahasa Indonesia; 1,057 and 4.2 in English."""
    text = f"{value:,}" if isinstance(value, int) else f"{value:,.{digits}f}"
    if lang == "en":
        return text
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def say(key: str, lang: str, **values: Any) -> str:
    plan = values.pop("plan", None)
    if plan is not None:
        values.update(
            residents=number(plan.residents, lang),
            stations=len(plan.stations),
            down=number(plan.down * 100, lang, 0),
            seed=plan.seed,
        )
    if "minutes" in values:
        minutes = f"{float(values['minutes']):g}"
        values["minutes"] = minutes if lang == "en" else minutes.replace(".", ",")
    return _pick(_TEXTS[key], lang).format(**values)


def _latency(stats: dict[str, Any], lang: str) -> str:
    if not stats.get("count"):
        return _pick(_RESULT["no_saves"], lang)
    parts = [f"{p} {number(float(stats[p]), lang, 1)} ms" for p in ("p50", "p95", "p99")]
    count = _pick(_RESULT["saves"], lang).format(n=number(int(stats["count"]), lang))
    return " · ".join(parts) + f" ({count})"


def format_result(result: dict[str, Any], lang: str) -> str:
    """The human summary of a replay's result (the same figures as ``--json``)."""
    t = {key: _pick(pair, lang) for key, pair in _RESULT.items()}
    lines = ["", t["title"]]
    once = t["once"] if result["exactly_once"] else ""
    lines.append(
        "  "
        + t["delivered"].format(
            delivered=number(int(result["delivered"]), lang),
            residents=number(int(result["residents"]), lang),
            once=once,
            duplicates=result["duplicates"],
            missing=result["missing"],
        )
    )
    lines.append("  " + t["save_down"].format(text=_latency(result["save_ms"]["down"], lang)))
    lines.append("  " + t["save_up"].format(text=_latency(result["save_ms"]["up"], lang)))
    if result["drain_s"] is None:
        lines.append("  " + t["no_drain"])
    else:
        lines.append("  " + t["drain"].format(s=number(float(result["drain_s"]), lang, 1)))
    catch = result.get("catch_up_s") or {}
    if catch.get("count"):
        figures = {k: number(float(catch[k]), lang, 1) for k in ("p50", "p95", "max")}
        lines.append("  " + t["catch_up"].format(n=catch["count"], **figures))
    share = number(float(result["down_share"]) * 100, lang, 1)
    lines.append("  " + t["outages"].format(n=result["outages"], share=share))
    lines.append(
        "  "
        + t["checks"].format(
            checks=number(int(result["checks"]), lang),
            rounds=number(int(result["rounds"]), lang),
            violations=number(int(result["violations"]), lang),
        )
    )
    if result.get("plot"):
        lines.append("  " + t["plot"].format(path=result["plot"]))
    lines.append("")
    names = t["columns"].split("|")
    keys = ("station", "captured", "delivered", "outages", "down", "longest")
    lines.append(t["head"].format(**dict(zip(keys, names, strict=True))))
    for row in result["per_station"]:
        lines.append(
            t["head"].format(
                station=row["station_id"],
                captured=number(int(row["captured"]), lang),
                delivered=number(int(row["delivered"]), lang),
                outages=row["outages"],
                down=number(float(row["down_s"]), lang, 1) + " s",
                longest=number(float(row["longest_outage_s"]), lang, 1) + " s",
            )
        )
    lines.append("")
    if result["ok"]:
        lines.append(t["ok"])
    else:
        codes = ", ".join(f"{c} ×{n}" for c, n in sorted(result["violations_by_code"].items()))
        lines.append(t["failed"].format(n=number(int(result["violations"]), lang), codes=codes))
    return "\n".join(lines) + "\n"
