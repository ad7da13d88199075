"""Human-readable tables for the command line, in Bahasa Indonesia (or English)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from .domain import FIELDS, Problem, mask_nik
from .domain.vocabulary import STATE_LABELS as STATE_LABELS_BY_STATE
from .domain.vocabulary import field_label, state_label
from .station.capture import Corrected
from .station.health import StorageHealth
from .station.importing import ImportReport
from .store import Entry, QueueStatus
from .timeutil import utc_now

__all__ = [
    "format_age",
    "format_correction",
    "format_health",
    "format_import",
    "format_list",
    "format_status",
    "local_time",
    "parse_assignments",
]

STATE_LABELS = {
    lang: {s: state_label(s, lang) for s in STATE_LABELS_BY_STATE} for lang in ("id", "en")
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
        "corrected": "Entri #{seq} diperbaiki: revisi {revision} ({fields}). Status: {state}.",
        "unchanged": "Entri #{seq}: tidak ada yang berubah (revisi {revision} tetap).",
        "not_corrected": "Entri #{seq} belum diperbaiki:",
        "bad_assignment": "Tulis perubahan sebagai KOLOM=NILAI, mis. address='JL. MAWAR 1'.",
        "unknown_field": "Kolom tidak dikenal: {field}. Kolom yang ada: {fields}.",
        "free": "Ruang disk bebas",
        "purged": "(data pribadi dihapus)",
        "unknown": "tidak diketahui",
        "last_backup": "Cadangan terakhir",
        "backup_dir": "Folder cadangan",
        "parts": "Biometrik belum diterima pusat: {n} bagian, {mb} MB",
        "print_ready": "siap cetak",
        "must_return": "perlu rekam ulang",
        "centre": "Hasil pusat: siap cetak {ready}, perlu rekam ulang {back}, menunggu {due}",
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
        "corrected": "Entry #{seq} corrected: revision {revision} ({fields}). State: {state}.",
        "unchanged": "Entry #{seq}: nothing changed (revision {revision} kept).",
        "not_corrected": "Entry #{seq} was not corrected:",
        "bad_assignment": "Write each change as FIELD=VALUE, e.g. address='JL. MAWAR 1'.",
        "unknown_field": "Unknown field: {field}. The fields are: {fields}.",
        "free": "Free disk space",
        "purged": "(personal data purged)",
        "unknown": "unknown",
        "last_backup": "Last backup",
        "backup_dir": "Backup folder",
        "parts": "Biometrics not yet at the centre: {n} parts, {mb} MB",
        "print_ready": "ready to print",
        "must_return": "must come back",
        "centre": "The centre's results: ready to print {ready}, must come back {back}, "
        "awaiting {due}",
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


def _count(n: int, lang: str) -> str:
    """1.000 in Bahasa Indonesia, 1,000 in English."""
    text = f"{n:,}"
    return text.replace(",", ".") if lang == "id" else text


def format_status(status: QueueStatus, station: str, path: Path, lang: str) -> str:
    t, labels = _T[lang], STATE_LABELS[lang]
    width = max(len(v) for v in labels.values()) + 13
    out = [t["title"].format(station=station), t["file"].format(path=path), ""]
    for state, label in labels.items():
        out.append(f"  {f'{label} ({state})':<{width}} {_count(status.counts[state], lang):>9}")
    out.append(f"  {t['total']:<{width}} {_count(status.total, lang):>9}")
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
    if status.attachments_pending:
        mb = f"{status.bytes_pending / 1e6:.1f}"
        out.append(
            t["parts"].format(
                n=status.attachments_pending, mb=mb.replace(".", ",") if lang == "id" else mb
            )
        )
    decided = status.enrolments
    if any(decided.values()):
        out.append(
            t["centre"].format(
                ready=decided["print_ready"], back=status.must_return, due=decided["due"]
            )
        )
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


def format_health(health: StorageHealth, lang: str) -> str:
    """Free space, the last backup, and a "⚠" line for each warning (most severe first)."""
    t = _T[lang]
    free = (
        f"{health.free_bytes / 1e9:.1f} GB".replace(".", "," if lang == "id" else ".")
        if health.free_bytes is not None
        else t["unknown"]
    )
    out = ["", f"{t['free']}: {free}"]
    if health.last_backup_at is not None:
        age = t["ago"].format(age=format_age(health.last_backup_at, lang))
        out.append(f"{t['last_backup']}: {local_time(health.last_backup_at)} ({age})")
    else:
        out.append(f"{t['last_backup']}: {t['never']}")
    out.append(f"{t['backup_dir']}: {health.backup_dir}")
    out += [f"⚠ {w.message(lang)}" for w in health.warnings]
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
        if e.purged_at is not None:  # asked for its details: it says where they went
            name = _T[lang]["purged"]
        decided = ""
        if e.enrolment == "print_ready":
            decided = f"  [{_T[lang]['print_ready']}]"
        elif e.must_return:
            decided = f"  [{_T[lang]['must_return']}]"
        out.append(
            f"#{e.seq:<7} {e.state.value:<9} {local_time(e.captured_at)}  {shown:<16}  "
            f"{name[:30]:<30} {e.operator[:16]}{decided}"
        )
    return "\n".join(out) + "\n"


def parse_assignments(items: Sequence[str], lang: str) -> tuple[dict[str, str], str]:
    """``FIELD=VALUE`` arguments as a dict, or the message that says what is wrong."""
    t = _T[lang]
    changes: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or not name:
            return {}, t["bad_assignment"]
        if name not in FIELDS:
            return {}, t["unknown_field"].format(field=name, fields=", ".join(FIELDS))
        changes[name] = value
    return changes, ""


def format_correction(
    seq: int, done: Corrected | None, problems: Sequence[Problem], lang: str
) -> str:
    t = _T[lang]
    out = []
    if done is None:
        out.append(t["not_corrected"].format(seq=seq))
    elif done.fields:
        names = ", ".join(field_label(f, lang) or f for f in done.fields)
        out.append(
            t["corrected"].format(
                seq=seq,
                revision=done.entry.revision,
                fields=names,
                state=state_label(done.entry.state, lang),
            )
        )
    else:
        out.append(t["unchanged"].format(seq=seq, revision=done.entry.revision))
    for problem in problems:
        kind = "" if problem.is_error else f" ({t['warn']})"
        label = field_label(problem.field, lang)
        where = f" [{label}]" if label else ""
        out.append(f"  {where.strip()}{kind}: {problem.message(lang)}".replace("  :", "  "))
    return "\n".join(out) + "\n"
