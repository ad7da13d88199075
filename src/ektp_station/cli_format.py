"""Human-readable tables for the command line, in Bahasa Indonesia (or English)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from .domain import mask_nik
from .importer import ImportReport
from .store import Entry, QueueStatus
from .timeutil import utc_now

__all__ = ["format_age", "format_import", "format_list", "format_status", "local_time"]

STATE_LABELS = {
    "id": {
        "pending": "Menunggu dikirim",
        "sending": "Sedang dikirim",
        "synced": "Terkirim",
        "rejected": "Ditolak pusat",
        "conflict": "Konflik",
        "discarded": "Dibatalkan",
    },
    "en": {
        "pending": "Waiting to be sent",
        "sending": "Being sent",
        "synced": "Delivered",
        "rejected": "Rejected by centre",
        "conflict": "Conflict",
        "discarded": "Discarded",
    },
}

_T = {
    "id": {
        "title": "Antrean stasiun {station}",
        "file": "Berkas: {path}",
        "total": "Jumlah",
        "oldest": "Belum terkirim tertua",
        "last_sync": "Sinkron terakhir",
        "never": "belum pernah",
        "none": "tidak ada",
        "ago": "{age} lalu",
        "operators": "Per operator",
        "operator": "Operator",
        "station": "Stasiun",
        "unsynced": "Belum terkirim",
        "imported": "{n} baris diimpor, {m} ditolak.",
        "line": "Baris {line}",
        "warn": "peringatan",
        "empty": "Tidak ada entri.",
    },
    "en": {
        "title": "Queue of station {station}",
        "file": "File: {path}",
        "total": "Total",
        "oldest": "Oldest unsynced",
        "last_sync": "Last sync",
        "never": "never",
        "none": "none",
        "ago": "{age} ago",
        "operators": "Per operator",
        "operator": "Operator",
        "station": "Station",
        "unsynced": "Unsynced",
        "imported": "{n} lines imported, {m} rejected.",
        "line": "Line {line}",
        "warn": "warning",
        "empty": "No entries.",
    },
}


def local_time(moment: datetime) -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


def format_age(moment: datetime, lang: str, now: datetime | None = None) -> str:
    seconds = max(0, int(((now or utc_now()) - moment).total_seconds()))
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    units = (("hari", "d"), ("jam", "h"), ("menit", "min"))
    parts = []
    for value, (unit_id, unit_en) in zip((days, hours, minutes), units, strict=True):
        if value:
            parts.append(f"{value} {unit_id}" if lang == "id" else f"{value} {unit_en}")
    if not parts:
        return "< 1 menit" if lang == "id" else "< 1 min"
    return " ".join(parts[:2])


def format_status(status: QueueStatus, station: str, path: Path, lang: str) -> str:
    t, labels = _T[lang], STATE_LABELS[lang]
    width = max(len(v) for v in labels.values()) + 13
    out = [t["title"].format(station=station), t["file"].format(path=path), ""]
    for state, label in labels.items():
        out.append(
            f"  {f'{label} ({state})':<{width}} {status.counts[state]:>9,}".replace(",", ".")
        )
    out.append(f"  {t['total']:<{width}} {status.total:>9,}".replace(",", "."))
    out.append("")
    if status.oldest_unsynced_at:
        age = t["ago"].format(age=format_age(status.oldest_unsynced_at, lang))
        out.append(f"{t['oldest']}: {local_time(status.oldest_unsynced_at)} ({age})")
    else:
        out.append(f"{t['oldest']}: {t['none']}")
    if status.last_sync_at:
        age = t["ago"].format(age=format_age(status.last_sync_at, lang))
        out.append(f"{t['last_sync']}: {local_time(status.last_sync_at)} ({age})")
    else:
        out.append(f"{t['last_sync']}: {t['never']}")
    if status.operators:
        out += ["", t["operators"] + ":"]
        head = (
            f"  {t['station']:<20} {t['operator']:<20} {t['unsynced']:>14} {labels['synced']:>10}"
        )
        out.append(head)
        for op in status.operators:
            out.append(
                f"  {op.station_id[:20]:<20} {op.operator[:20]:<20} {op.unsynced:>14} "
                f"{op.counts['synced']:>10}"
            )
    return "\n".join(out) + "\n"


def format_import(report: ImportReport, lang: str) -> str:
    t = _T[lang]
    out = []
    for line in report.lines:
        if line.status == "rejected":
            for err in line.errors:
                where = f" [{err['field']}]" if err["field"] else ""
                out.append(f"{t['line'].format(line=line.line)}{where}: {err['message']}")
        for warning in line.warnings:
            where = f" [{warning['field']}]" if warning["field"] else ""
            out.append(
                f"{t['line'].format(line=line.line)}{where} ({t['warn']}): {warning['message']}"
            )
    out.append(t["imported"].format(n=report.imported, m=report.rejected))
    return "\n".join(out) + "\n"


def format_list(entries: Sequence[Entry], *, show_nik: bool, lang: str) -> str:
    if not entries:
        return _T[lang]["empty"] + "\n"
    out = []
    for e in entries:
        nik = str(e.record.get("nik") or "")
        shown = nik if show_nik else mask_nik(nik)
        name = str(e.record.get("full_name") or "")
        out.append(
            f"#{e.seq:<7} {e.state.value:<9} {local_time(e.captured_at)}  {shown:<16}  "
            f"{name[:30]:<30} {e.operator[:16]}"
        )
    return "\n".join(out) + "\n"
