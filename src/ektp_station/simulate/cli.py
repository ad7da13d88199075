"""``ektp-station simulate herd|weekend``: the arguments; each run lives in its own module.

The lead's ``cli.py`` calls :func:`add_parser` with its subparsers; every subcommand sets
``func(args) -> int`` (its exit status).
"""

from __future__ import annotations

import argparse
import importlib

__all__ = ["add_parser"]


def _run(module: str) -> object:
    def run(args: argparse.Namespace) -> int:
        result: int = importlib.import_module(f"ektp_station.simulate.{module}").run(args)
        return result

    return run


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``simulate`` and its subcommands ``herd`` and ``weekend``."""
    simulate = subparsers.add_parser("simulate", help="simulasi seluruh sistem (herd, weekend)")
    sub = simulate.add_subparsers(dest="simulate_command", required=True)

    herd = sub.add_parser(
        "herd", help="banyak stasiun tersambung kembali sekaligus ke pusat (reconnect herd)"
    )
    herd.add_argument("--stations", type=int, default=100, help="jumlah stasiun (default 100)")
    herd.add_argument(
        "--entries", type=int, default=100, help="entri antre per stasiun (default 100)"
    )
    herd.add_argument("--central-url", required=True, metavar="URL", help="URL server pusat")
    herd.add_argument("--json", action="store_true", help="hasil sebagai JSON")
    herd.add_argument(
        "--db",
        metavar="URL",
        help="basis data pusat untuk mendaftarkan stasiun simulasi (default: seperti central serve)",
    )
    herd.add_argument(
        "--tokens", metavar="FILE", help="stasiun terdaftar: JSON {ID stasiun: token}"
    )
    herd.add_argument(
        "--batch-size", type=int, default=200, help="entri per batch (default 200, seperti sync)"
    )
    herd.add_argument(
        "--timeout", type=float, default=10.0, help="batas waktu permintaan, detik (default 10)"
    )
    herd.add_argument(
        "--max-time", type=float, default=600.0, help="batas waktu seluruh simulasi, detik"
    )
    herd.add_argument(
        "--start-jitter",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="tiap stasiun mulai acak dalam rentang ini (default 0: serentak; mesin sync: 5)",
    )
    herd.add_argument(
        "--central-pid",
        type=int,
        action="append",
        metavar="PID",
        help="proses server pusat untuk mengukur CPU-nya (default: yang mendengarkan port URL)",
    )
    herd.set_defaults(func=_run("herd"))

    weekend = sub.add_parser(
        "weekend", help="akhir pekan perekaman massal Harjamukti, diputar ulang"
    )
    weekend.add_argument("--minutes", type=float, default=10.0, help="lama simulasi (menit)")
    weekend.add_argument("--residents", type=int, default=1057, help="jumlah penduduk")
    weekend.add_argument("--stations", type=int, default=4, help="jumlah stasiun")
    weekend.add_argument(
        "--down", type=float, default=0.6, help="bagian waktu jaringan putus (0..1, default 0,6)"
    )
    weekend.add_argument("--seed", type=int, default=None, help="benih acak (diulang persis)")
    weekend.add_argument("--plot", metavar="FILE.png", help="grafik direkam vs terkirim (PNG)")
    weekend.add_argument("--json", action="store_true", help="hasil sebagai JSON")
    weekend.set_defaults(func=_run("weekend"))
