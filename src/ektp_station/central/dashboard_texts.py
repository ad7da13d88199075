"""Every word of the supervisors' dashboard, in Bahasa Indonesia and English (one place).

The pages look texts up by key (``t("stations")``); a key missing here is a test failure,
not a blank on the page (tests/central/test_dashboard_web.py).
"""

from __future__ import annotations

from typing import Final

__all__ = ["LANGS", "TEXTS", "ago", "text"]

LANGS: Final = ("id", "en")

TEXTS: Final[dict[str, tuple[str, str]]] = {
    "title": ("Dasbor pengawas · ektp-station", "Supervisors' dashboard · ektp-station"),
    "heading": ("Stasiun perekaman", "Recording stations"),
    "login_heading": ("Masuk pengawas", "Supervisor login"),
    "name": ("Nama", "Name"),
    "password": ("Kata sandi", "Password"),
    "login": ("Masuk", "Log in"),
    "logout": ("Keluar", "Log out"),
    "logged_in_as": ("Masuk sebagai", "Logged in as"),
    "login_failed": ("Nama atau kata sandi salah.", "Wrong name or password."),
    "login_throttled": (
        "Terlalu banyak percobaan masuk yang gagal. Coba lagi dalam {seconds} detik.",
        "Too many failed logins. Try again in {seconds} seconds.",
    ),
    "login_expired": (
        "Formulir kedaluwarsa; muat ulang halaman lalu masuk lagi.",
        "The form expired; reload the page and log in again.",
    ),
    "session_ended": (
        "Sesi berakhir; silakan masuk lagi.",
        "Your session ended; please log in again.",
    ),
    "station": ("Stasiun", "Station"),
    "last_seen": ("Terakhir terlihat", "Last seen"),
    "backlog": ("Antrean", "Backlog"),
    "oldest_unsynced": ("Tertua belum terkirim", "Oldest unsynced"),
    "clock_skew": ("Selisih jam", "Clock skew"),
    "registrations": ("Registrasi", "Registrations"),
    "today": ("Hari ini", "Today"),
    "backlog_day": ("Antrean sepanjang hari", "Backlog over the day"),
    "silent": ("SENYAP", "SILENT"),
    "silent_legend": (
        "Stasiun yang tidak terdengar lebih dari {minutes} menit ditandai SENYAP.",
        "Stations not heard from for more than {minutes} minutes are marked SILENT.",
    ),
    "silent_legend_seconds": (
        "Stasiun yang tidak terdengar lebih dari {seconds} detik ditandai SENYAP.",
        "Stations not heard from for more than {seconds} seconds are marked SILENT.",
    ),
    "conflicts_by_station": (
        "Jawaban \u201cNIK sudah direkam\u201d per stasiun",
        "\u201cNIK already recorded\u201d answers per station",
    ),
    "never_seen": ("belum pernah", "never"),
    "stations_total": ("Stasiun", "Stations"),
    "silent_total": ("Senyap", "Silent"),
    "backlog_total": ("Menunggu dikirim", "Waiting to be sent"),
    "registrations_today": ("Direkam hari ini", "Recorded today"),
    "registrations_all": ("Registrasi diterima", "Registrations received"),
    "places_heading": (
        "Direkam hari ini per kecamatan dan kelurahan",
        "Recorded today per kecamatan and kelurahan",
    ),
    "kecamatan": ("Kecamatan", "Kecamatan"),
    "kelurahan": ("Kelurahan", "Kelurahan"),
    "count": ("Jumlah", "Count"),
    "none_today": ("Belum ada registrasi hari ini.", "No registrations today yet."),
    "unknown_place": ("(tidak diketahui)", "(unknown)"),
    "review_heading": ("Perlu ditinjau", "Under review"),
    "duplicate": (
        "Ganda (sidik jari sama dengan NIK lain)",
        "Duplicate (fingerprint of another NIK)",
    ),
    "adjudication": ("Adjudikasi (sidik jari kurang)", "Adjudication (too few fingerprints)"),
    "nik_recorded": (
        "Konflik: NIK sudah direkam entri lain",
        "Conflict: NIK already recorded by another entry",
    ),
    "reference": ("Nomor referensi", "Reference"),
    "status": ("Status", "Status"),
    "reason": ("Alasan", "Reason"),
    "decided_at": ("Diputuskan", "Decided"),
    "nothing_to_review": ("Tidak ada yang perlu ditinjau.", "Nothing to review."),
    "updated": ("Diperbarui", "Updated"),
    "refresh_failed": (
        "Gagal memperbarui; mencoba lagi…",
        "Could not refresh; trying again…",
    ),
    "stand_in": (
        "Hasil dari pengganti AFIS pusat referensi (bukan AFIS).",
        "Results of the reference centre's AFIS stand-in (not AFIS).",
    ),
    "no_stations": (
        "Belum ada stasiun terdaftar (ektp-station central add-station ID).",
        "No station registered yet (ektp-station central add-station ID).",
    ),
    "seconds_ago": ("{n} dtk lalu", "{n} s ago"),
    "minutes_ago": ("{n} mnt lalu", "{n} min ago"),
    "hours_ago": ("{n} jam lalu", "{n} h ago"),
    "days_ago": ("{n} hari lalu", "{n} d ago"),
    "language": ("English", "Bahasa Indonesia"),
    "not_found": ("Halaman tidak ada.", "No such page."),
}


def text(key: str, lang: str, **params: object) -> str:
    """The text ``key`` in ``lang`` ("id" unless "en"), with ``params`` filled in."""
    words = TEXTS[key][1 if lang == "en" else 0]
    return words.format(**params) if params else words


def ago(seconds: float | None, lang: str) -> str:
    """ "5 mnt lalu" / "5 min ago"; "belum pernah" / "never" for None."""
    if seconds is None:
        return text("never_seen", lang)
    n = int(seconds)
    if n < 60:
        return text("seconds_ago", lang, n=n)
    if n < 3600:
        return text("minutes_ago", lang, n=n // 60)
    if n < 86400:
        return text("hours_ago", lang, n=n // 3600)
    return text("days_ago", lang, n=n // 86400)
