"""``ektp-station central ...``: serve the reference centre, add stations, show stats.

The lead's ``cli.py`` calls :func:`add_parser` with its subparsers; every subcommand sets
``func(args) -> int``.
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import os
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import platformdirs
import sqlalchemy as sa

from .db import CentralDB

__all__ = ["add_parser", "default_db_url"]

APP_NAME = "ektp-station"
DB_FILENAME = "central.sqlite3"


def default_db_url(data_dir: str | os.PathLike[str] | None = None) -> str:
    """``sqlite:///<data dir>/central.sqlite3`` (the platform's user data dir unless given)."""
    folder = Path(data_dir) if data_dir else Path(platformdirs.user_data_dir(APP_NAME))
    return f"sqlite:///{folder / DB_FILENAME}"


def _db_url(args: argparse.Namespace) -> str:
    url: str | None = getattr(args, "db", None)
    return url or default_db_url(getattr(args, "data_dir", None))


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``central`` command and its subcommands."""
    central = subparsers.add_parser(
        "central", help="server pusat referensi (reference central server)"
    )
    sub = central.add_subparsers(dest="central_command", required=True)

    db_help = "URL basis data (default: central.sqlite3 di folder data)"
    serve = sub.add_parser("serve", help="jalankan server pusat")
    serve.add_argument("--db", help=db_help)
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8765)
    serve.add_argument("--workers", type=int, default=1, help="proses uvicorn (>1: PostgreSQL)")
    serve.add_argument(
        "--max-in-flight", type=int, default=64, help="batch diproses bersamaan per proses"
    )
    serve.add_argument(
        "--silent-after",
        type=float,
        default=15 * 60,
        metavar="SECONDS",
        help="dasbor menandai stasiun SENYAP setelah sekian detik tanpa kabar (default 900)",
    )
    serve.add_argument(
        "--forwarded-allow-ips",
        metavar="IPS",
        default="127.0.0.1",
        help="alamat penyeimbang beban yang X-Forwarded-For-nya dipercaya (dipisah koma; "
        "default 127.0.0.1): batas autentikasi gagal per alamat klien memakai alamat aslinya",
    )
    serve.add_argument("--ssl-certfile", metavar="FILE", help="sertifikat TLS (PEM), untuk HTTPS")
    serve.add_argument("--ssl-keyfile", metavar="FILE", help="kunci privat TLS (PEM)")
    serve.set_defaults(func=_guarded(cmd_serve))

    add = sub.add_parser("add-station", help="daftarkan stasiun / ganti tokennya")
    add.add_argument("station_id")
    add.add_argument("--db", help=db_help)
    add.set_defaults(func=_guarded(cmd_add_station))

    revoke = sub.add_parser("revoke-station", help="cabut token stasiun (berlaku seketika)")
    revoke.add_argument("station_id")
    revoke.add_argument("--db", help=db_help)
    revoke.set_defaults(func=_guarded(cmd_revoke_station))

    sup = sub.add_parser("add-supervisor", help="buat akun pengawas dasbor / ganti kata sandinya")
    sup.add_argument("name", help="nama pengawas (1..64 karakter)")
    sup.add_argument(
        "--password-stdin",
        action="store_true",
        help="baca kata sandi dari masukan standar (satu baris), bukan dari terminal",
    )
    sup.add_argument("--db", help=db_help)
    sup.set_defaults(func=_guarded(cmd_add_supervisor))

    migrate = sub.add_parser(
        "migrate", help="perbarui skema basis data pusat ke revisi terbaru, tampilkan revisinya"
    )
    migrate.add_argument("--db", help=db_help)
    migrate.set_defaults(func=_guarded(cmd_migrate))

    from .bundle_cli import add_bundle_parsers

    add_bundle_parsers(sub, db_help, _guarded, _db_url)

    stats = sub.add_parser("stats", help="ringkasan per stasiun")
    stats.add_argument("--db", help=db_help)
    stats.add_argument("--json", action="store_true", help="keluaran JSON")
    stats.set_defaults(func=_guarded(cmd_stats))


def _guarded(command: Any) -> Any:
    """``command`` with a database that cannot be used answered in one line, not as an
    unexpected error: a URL that is not one (exit 2), a database that cannot be opened or is
    not the centre's (exit 3)."""
    import functools

    @functools.wraps(command)
    def run(args: argparse.Namespace) -> int:
        try:
            result: int = command(args)
        except (sa.exc.ArgumentError, sa.exc.NoSuchModuleError):
            print(
                "URL basis data tidak sah. Contoh: sqlite:////var/lib/ektp/central.sqlite3 "
                "atau postgresql+psycopg://user:sandi@host/db",
                file=sys.stderr,
            )
            return 2
        except sa.exc.DBAPIError as exc:
            print(
                "Basis data pusat tidak dapat dibuka atau bukan basis data pusat "
                f"({type(exc.orig).__name__}); periksa --db dan servernya.",
                file=sys.stderr,
            )
            return 3
        return result

    return run


def _is_sqlite(url: str) -> bool:
    return sa.make_url(url).get_backend_name() == "sqlite"


def is_loopback(host: str) -> bool:
    """Whether ``host`` (an address or ``localhost``) listens on this machine only."""
    if host.lower() in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a name: assume it can be reached from elsewhere


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from .app import DB_URL_ENV, create_app
    from .transport import HTTP_PROTOCOL

    url = _db_url(args)
    if args.workers < 1:
        print("--workers minimal 1.", file=sys.stderr)
        return 2
    if args.max_in_flight < 1 or not 0 < args.silent_after < 10**7:
        print("--max-in-flight minimal 1; --silent-after lebih dari 0 detik.", file=sys.stderr)
        return 2
    if args.silent_after < 600:
        print(
            f"PERINGATAN: --silent-after {args.silent_after:g} detik: stasiun yang diam "
            "mengabari pusat tiap 5 menit, jadi stasiun sehat tanpa kiriman akan tampak SENYAP.",
            file=sys.stderr,
        )
    if args.workers > 1 and _is_sqlite(url):
        print(
            "Lebih dari satu worker hanya dengan PostgreSQL (--db postgresql+psycopg://...); "
            "SQLite hanya untuk satu proses.",
            file=sys.stderr,
        )
        return 2
    certfile, keyfile = args.ssl_certfile, args.ssl_keyfile
    if bool(certfile) != bool(keyfile):
        print("--ssl-certfile dan --ssl-keyfile harus diberikan bersama.", file=sys.stderr)
        return 2
    for path in (certfile, keyfile):
        if path and not Path(path).is_file():
            print(f"Berkas TLS tidak ditemukan: {path}", file=sys.stderr)
            return 2
    tls = {"ssl_certfile": certfile, "ssl_keyfile": keyfile} if certfile else {}
    if not tls and not is_loopback(args.host):
        print(
            f"PERINGATAN: server pusat mendengarkan di {args.host} tanpa TLS; token stasiun "
            "dan data penduduk lewat jaringan tanpa enkripsi. Pakai --ssl-certfile dan "
            "--ssl-keyfile.",
            file=sys.stderr,
        )
    db = CentralDB(url)
    db.create_schema()  # once, before any worker starts
    db.dispose()
    scheme = "https" if tls else "http"
    print(
        f"Server pusat di {scheme}://{args.host}:{args.port} (Ctrl+C untuk berhenti)",
        file=sys.stderr,
    )
    if args.workers > 1:
        os.environ[DB_URL_ENV] = url
        os.environ["EKTP_CENTRAL_MAX_IN_FLIGHT"] = str(args.max_in_flight)
        os.environ["EKTP_CENTRAL_SILENT_AFTER"] = str(args.silent_after)
        uvicorn.run(
            "ektp_station.central.app:app_from_env",
            factory=True,
            host=args.host,
            port=args.port,
            workers=args.workers,
            timeout_graceful_shutdown=10,
            http=HTTP_PROTOCOL,
            # behind a load balancer every request comes from its address: trust its
            # X-Forwarded-For, or one client's failed logins would hold back every station
            # and supervisor behind it
            proxy_headers=True,
            forwarded_allow_ips=args.forwarded_allow_ips,
            **tls,
        )
    else:
        app = create_app(
            url,
            max_in_flight=args.max_in_flight,
            create_schema=False,
            silent_after=args.silent_after,
        )
        uvicorn.run(
            app,
            host=args.host,
            port=args.port,
            timeout_graceful_shutdown=10,
            http=HTTP_PROTOCOL,
            # behind a load balancer every request comes from its address: trust its
            # X-Forwarded-For, or one client's failed logins would hold back every station
            # and supervisor behind it
            proxy_headers=True,
            forwarded_allow_ips=args.forwarded_allow_ips,
            **tls,
        )
    return 0


def cmd_add_station(args: argparse.Namespace) -> int:
    db = CentralDB(_db_url(args))
    try:
        db.create_schema()
        try:
            token, rotated = db.add_station(args.station_id)
        except ValueError:
            print("ID stasiun harus 1..64 karakter yang dapat dicetak.", file=sys.stderr)
            return 2
        from .identity import centre_identity

        centre_key = centre_identity(db).public
    finally:
        db.dispose()
    print(token)
    if rotated:
        note = (
            f"Token stasiun {args.station_id} diganti; token lama tidak berlaku lagi. "
            "Simpan token baru ini sekarang: tidak bisa ditampilkan lagi."
        )
    else:
        note = (
            f"Stasiun {args.station_id} terdaftar. "
            "Simpan token ini sekarang: tidak bisa ditampilkan lagi."
        )
    print(note, file=sys.stderr)
    print(
        f"Untuk bundel USB, di stasiun juga: ektp-station config set centre-key {centre_key}",
        file=sys.stderr,
    )
    return 0


def cmd_revoke_station(args: argparse.Namespace) -> int:
    db = CentralDB(_db_url(args))
    try:
        db.create_schema()
        revoked = db.revoke_station(args.station_id)
    finally:
        db.dispose()
    if not revoked:
        print(f"Stasiun {args.station_id} tidak terdaftar.", file=sys.stderr)
        return 3
    print(
        f"Token stasiun {args.station_id} dicabut: batch dengan token itu ditolak (401). "
        f"Registrasinya tetap tersimpan; 'central add-station {args.station_id}' memberi "
        "token baru.",
        file=sys.stderr,
    )
    return 0


def _read_password(from_stdin: bool) -> str | None:
    """The new password: one line of standard input, or typed twice at the terminal (not
    echoed). None (with the reason printed) when it cannot be had or does not match."""
    import getpass

    if from_stdin:
        line = sys.stdin.readline()
        return line.removesuffix("\n").removesuffix("\r")
    if not sys.stdin.isatty():
        print(
            "Tidak ada terminal untuk mengetik kata sandi; pakai --password-stdin.",
            file=sys.stderr,
        )
        return None
    first = getpass.getpass("Kata sandi baru: ")
    if getpass.getpass("Ulangi kata sandi: ") != first:
        print("Kedua kata sandi tidak sama; tidak ada yang diubah.", file=sys.stderr)
        return None
    return first


def cmd_add_supervisor(args: argparse.Namespace) -> int:
    from .supervisors import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, Supervisors, valid_name

    if not valid_name(args.name):
        print(
            "Nama pengawas harus 1..64 karakter yang dapat dicetak, tanpa spasi di awal/akhir.",
            file=sys.stderr,
        )
        return 2
    password = _read_password(args.password_stdin)
    if password is None:
        return 2
    if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        print(
            f"Kata sandi minimal {MIN_PASSWORD_LENGTH} karakter "
            f"(paling banyak {MAX_PASSWORD_LENGTH}); tidak ada yang diubah.",
            file=sys.stderr,
        )
        return 2
    db = CentralDB(_db_url(args))
    try:
        db.create_schema()
        changed = Supervisors(db).add(args.name, password)
    finally:
        db.dispose()
    if changed:
        note = f"Kata sandi pengawas {args.name} diganti; sesinya yang terbuka diakhiri."
    else:
        note = f"Pengawas {args.name} dibuat. Dasbor: /dashboard di server pusat."
    print(note, file=sys.stderr)
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    """Upgrade the schema (what every other ``central`` command does first) and print the
    revision on stdout, what was done on stderr."""
    db = CentralDB(_db_url(args))
    try:
        done = db.create_schema()
    finally:
        db.dispose()
    print(done.after)
    if done.legacy:
        note = (
            "Basis data dari sebelum migrasi skema diambil alih tanpa kehilangan data, "
            f"lalu diperbarui ke revisi {done.after}."
        )
    elif done.changed:
        note = f"Skema diperbarui: {done.before or 'kosong'} -> revisi {done.after}."
    else:
        note = f"Skema sudah revisi terbaru ({done.after}); tidak ada yang diubah."
    print(note, file=sys.stderr)
    return 0


def _when(value: str | None) -> str:
    if not value:
        return "-"
    return datetime.fromisoformat(value).strftime("%Y-%m-%d %H:%M:%S UTC")


def format_stats(stats: dict[str, Any]) -> str:
    """Human-readable table in Bahasa Indonesia.

    "Dikoreksi": registrations held at a revision > 1 (corrected at the station after capture);
    in brackets, how many of those replaced a revision the centre had already received.
    "NIK sudah direkam": entries answered "NIK recorded by another entry", in all (this hour);
    a station far above the others may be probing NIKs.
    """
    header = (
        "Stasiun",
        "Registrasi",
        "Dikoreksi (stlh diterima)",
        "Terakhir terlihat",
        "Antrean",
        "Tertua belum terkirim",
        "Selisih jam (dtk)",
        "NIK sudah direkam (jam ini)",
    )
    rows = [header]
    for s in stats["stations"]:
        backlog = s["reported_backlog"]
        skew = s["clock_skew_seconds"]
        rows.append(
            (
                s["station_id"],
                str(s["registrations"]),
                f"{s['corrected']} ({s['corrected_after_delivery']})",
                _when(s["last_seen_at"]),
                "-" if backlog["pending"] is None else str(backlog["pending"]),
                _when(backlog["oldest_unsynced_at"]),
                "-" if skew is None else f"{skew:+.1f}",
                f"{s.get('nik_recorded_answers', 0)} ({s.get('nik_recorded_last_hour', 0)})",
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip() for r in rows
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    lines.append("")
    lines.append(
        f"Total registrasi diterima: {stats['registrations']} dari {len(stats['stations'])} stasiun"
    )
    lines.append(
        f"Dikoreksi setelah direkam: {stats['corrected']}, "
        f"di antaranya {stats['corrected_after_delivery']} setelah diterima pusat"
    )
    if "parts_verified" in stats:
        size = f"{stats.get('bytes_verified', 0):,}".replace(",", ".")
        lines.append(f"Bagian biometrik diverifikasi: {stats['parts_verified']} ({size} byte)")
    decided = stats.get("enrolments")
    if decided:
        lines.append(
            "Hasil pengganti AFIS (bukan AFIS): "
            f"siap cetak {decided['print_ready']}, ganda {decided['duplicate']}, "
            f"adjudikasi {decided['adjudication']}"
        )
    return "\n".join(lines)


def cmd_stats(args: argparse.Namespace) -> int:
    db = CentralDB(_db_url(args))
    try:
        db.create_schema()
        stats = db.stats()
    finally:
        db.dispose()
    if args.json:
        print(json.dumps(stats, indent=2, ensure_ascii=False))
    else:
        print(format_stats(stats))
    return 0
