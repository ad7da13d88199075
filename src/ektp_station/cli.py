"""The one entry point, ``ektp-station``: argument parsing and wiring only.

A stable interface for supervisors and scripts: command names, options and JSON keys are kept.
Human output is in Bahasa Indonesia (``config set language en`` switches to English).
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import __version__
from .bundle_cli import add_bundle_parsers
from .cli_argparse import speak_indonesian
from .cli_errors import EXIT_UNEXPECTED, exit_status, hint_for, unexpected_message
from .errors import EktpError
from .paths import AppPaths
from .private import restrict_umask
from .queue_admin_cli import add_admin_parsers
from .settings import Settings

if TYPE_CHECKING:
    from .station import Station
    from .store import Queue

__all__ = ["build_parser", "main"]

STATES = ("pending", "sending", "synced", "rejected", "conflict", "discarded", "resolved")


class Context:
    """What every command needs, built once from the global options: the paths, the
    settings, and the station core (opened on first use) acting as the console user."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.paths = AppPaths.resolve(args.data_dir)
        self.settings = Settings.load(self.paths)
        self._station: Station | None = None

    @property
    def lang(self) -> str:
        return "en" if self.settings.language == "en" else "id"

    def station(self, *, new_queue: bool = False) -> Station:
        if self._station is None:
            from .cli_auth import console_actor
            from .station import Station

            station = Station.open(self.paths, settings=self.settings, new_queue=new_queue)
            self._station = station
            station.act_as(
                console_actor(
                    station,
                    as_name=getattr(self.args, "as_name", None),
                    operator=getattr(self.args, "operator", None),
                    lang=self.lang,
                )
            )
        return self._station

    def queue(self) -> Queue:
        """The station's queue (the window's sign-in reads the accounts from it)."""
        return self.station().queue

    def say(self, text_id: str, text_en: str) -> str:
        """The text in the station's language (Bahasa Indonesia or English)."""
        return text_en if self.lang == "en" else text_id

    @staticmethod
    def print_json(data: Any) -> None:
        _print_json(data)

    def close(self) -> None:
        """Close the station (if opened); a later :meth:`station` opens it again."""
        station, self._station = self._station, None
        if station is not None:
            station.close()


def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


# -- queue status ---------------------------------------------------------------------------


def cmd_queue_status(ctx: Context) -> int:
    from .cli_format import format_health, format_status

    station = ctx.station()
    status = station.status()
    health = station.health()
    if ctx.args.json:
        _print_json({**status.to_json(), **health.to_json()})
    else:
        sys.stdout.write(format_status(status, station.station_id, station.queue.path, ctx.lang))
        sys.stdout.write(format_health(health, ctx.lang))
    return 0


# -- queue import ---------------------------------------------------------------------------


def cmd_queue_import(ctx: Context) -> int:
    from .cli_format import format_import

    path = Path(ctx.args.file)
    if not path.is_file():
        msg = ctx.say(
            f"Berkas tidak ditemukan: {path}",
            f"File not found: {path}",
        )
        sys.stderr.write(msg + "\n")
        return 2
    report = ctx.station().import_file(
        path, fmt=ctx.args.format, operator=ctx.args.operator, lang=ctx.lang
    )
    if ctx.args.json:
        _print_json(report.to_json())
    else:
        sys.stdout.write(format_import(report, ctx.lang))
    if report.stopped is not None:
        # the lines done so far are printed above; the storage error says why it stopped
        sys.stderr.write(report.stopped.message(ctx.lang) + "\n")
        return exit_status(report.stopped)
    return 0 if report.rejected == 0 else 1


# -- queue list / export --------------------------------------------------------------------


def _state_arg(ctx: Context) -> Any:
    from .store import State

    return State(ctx.args.state) if ctx.args.state else None


def cmd_queue_list(ctx: Context) -> int:
    from .cli_format import format_list
    from .exporter import entry_row

    station = ctx.station()
    if ctx.args.show_nik:
        station.may_see_full_nik()
    entries = station.entries(_state_arg(ctx), limit=ctx.args.limit, after=ctx.args.after)
    if ctx.args.json:
        _print_json([entry_row(e, show_nik=ctx.args.show_nik) for e in entries])
    else:
        sys.stdout.write(format_list(entries, show_nik=ctx.args.show_nik, lang=ctx.lang))
    return 0


def cmd_queue_export(ctx: Context) -> int:
    from .exporter import write_export

    fmt = ctx.args.format or ("csv" if str(ctx.args.output or "").endswith(".csv") else "jsonl")
    station = ctx.station()
    if ctx.args.show_nik:
        station.may_see_full_nik()
    entries = station.iter_entries(_state_arg(ctx))
    if ctx.args.output in (None, "-"):
        count = write_export(sys.stdout, entries, fmt=fmt, show_nik=ctx.args.show_nik)
    else:
        with open(ctx.args.output, "w", encoding="utf-8", newline="") as out:
            count = write_export(out, entries, fmt=fmt, show_nik=ctx.args.show_nik)
        note = ctx.say(
            f"{count} entri diekspor ke {ctx.args.output}",
            f"{count} entries exported to {ctx.args.output}",
        )
        sys.stderr.write(note + "\n")
    return 0


def cmd_queue_correct(ctx: Context) -> int:
    from .cli_format import format_correction, parse_assignments

    changes, bad = parse_assignments(ctx.args.assignments, ctx.lang)
    if bad:
        sys.stderr.write(bad + "\n")
        return 2
    from .errors import RecordInvalid, WarningsUnconfirmed

    try:
        done = ctx.station().correct(ctx.args.seq, fields=changes, confirmed=True)
    except (RecordInvalid, WarningsUnconfirmed) as exc:
        problems = exc.problems if isinstance(exc, RecordInvalid) else exc.warnings
        if ctx.args.json:
            _print_json(
                {
                    "seq": ctx.args.seq,
                    "errors": [p.to_json(ctx.lang) for p in problems if p.is_error],
                    "warnings": [p.to_json(ctx.lang) for p in problems if not p.is_error],
                }
            )
        else:
            sys.stdout.write(format_correction(ctx.args.seq, None, problems, ctx.lang))
        return 1
    if ctx.args.json:
        entry = done.entry
        _print_json(
            {
                "seq": entry.seq,
                "entry_id": entry.entry_id,
                "revision": entry.revision,
                "state": entry.state.value,
                "changed": done.fields,
                "warnings": [p.to_json(ctx.lang) for p in done.warnings],
            }
        )
    else:
        sys.stdout.write(format_correction(ctx.args.seq, done, done.warnings, ctx.lang))
    return 0


def cmd_default(ctx: Context) -> int:
    """No subcommand: open the station window when the GUI is installed."""
    if _missing("PySide6") or _missing("ektp_station.gui.app") or not _has_screen():
        sys.stderr.write(
            ctx.say(
                "Jendela stasiun tidak dapat dibuka di sini (tanpa layar atau tanpa PySide6);"
                " ini perintah yang tersedia:\n",
                "The station window cannot open here (no screen or no PySide6);"
                " these are the commands:\n",
            )
        )
        ctx.args.json = False
        build_parser().print_help()
        sys.stdout.write("\n")
        return cmd_queue_status(ctx)
    # the operator signs in (name + PIN) before the window opens
    run_station = importlib.import_module("ektp_station.gui.app").run_station
    return int(run_station(ctx.paths, ctx.settings))


def cmd_demo(ctx: Context) -> int:
    """A centre, a fault proxy and a station window in a throwaway folder (``make run``)."""
    if _missing("PySide6"):
        why = ctx.say(
            "Demo butuh PySide6: pasang ektp-station[gui]. Ini perintah yang tersedia:\n",
            "The demo needs PySide6: install ektp-station[gui]. These are the commands:\n",
        )
    elif not _has_screen():
        why = ctx.say(
            "Demo butuh layar: tidak ada tampilan (DISPLAY atau WAYLAND_DISPLAY kosong). "
            "Jalankan di desktop, atau pakai perintah berikut:\n",
            "The demo needs a screen: there is no display (DISPLAY or WAYLAND_DISPLAY is "
            "empty). Run it on a desktop, or use these commands:\n",
        )
    else:
        run_demo = importlib.import_module("ektp_station.gui.demo").run_demo
        return int(run_demo(keep=ctx.args.keep))
    sys.stderr.write(why)
    build_parser().print_help(sys.stderr)
    return 3  # could not do what was asked (2 is a usage error)


def _has_screen() -> bool:
    """Whether Qt can show a window: a display on Linux/BSD, or a platform chosen explicitly."""
    if os.environ.get("QT_QPA_PLATFORM") or sys.platform in ("win32", "darwin"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def _missing(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is None
    except ModuleNotFoundError:
        return True


# -- parser ---------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    speak_indonesian()  # argparse's own words too, like every help line here
    parser = argparse.ArgumentParser(
        prog="ektp-station",
        description="Stasiun perekaman e-KTP yang tetap bekerja saat jaringan putus-nyambung.",
    )
    parser.add_argument("--version", action="version", version=f"ektp-station {__version__}")
    parser.add_argument(
        "--data-dir",
        metavar="DIR",
        help="folder data (antrean, pengaturan, log); bawaan: folder data pengguna",
    )
    parser.add_argument(
        "--as",
        dest="as_name",
        metavar="NAMA",
        help="bertindak sebagai akun ini (PIN diketik di terminal, atau dari EKTP_PIN)",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log lebih rinci")
    parser.set_defaults(ctx_func=cmd_default)
    commands = parser.add_subparsers(dest="command", metavar="PERINTAH")

    queue = commands.add_parser(
        "queue",
        help="antrean lokal: status, impor, daftar, ekspor, koreksi, cadangan, pemulihan, "
        "pembersihan, bukti, kunci pemulihan",
    )
    queue_cmds = queue.add_subparsers(dest="queue_command", metavar="SUBPERINTAH", required=True)

    status = queue_cmds.add_parser("status", help="jumlah per status, tertua, sinkron terakhir")
    status.add_argument("--json", action="store_true", help="keluaran JSON")
    status.set_defaults(ctx_func=cmd_queue_status)

    imp = queue_cmds.add_parser("import", help="impor berkas JSONL/CSV ke antrean")
    imp.add_argument("file", metavar="FILE")
    imp.add_argument("--format", choices=("jsonl", "csv"), help="bawaan: dari akhiran nama berkas")
    imp.add_argument("--operator", metavar="NAME", help="nama operator yang dicatat")
    imp.add_argument("--json", action="store_true", help="laporan per baris dalam JSON")
    imp.set_defaults(ctx_func=cmd_queue_import)

    lst = queue_cmds.add_parser("list", help="daftar entri (NIK disamarkan)")
    lst.add_argument("--state", choices=STATES)
    lst.add_argument("--json", action="store_true")
    lst.add_argument("--show-nik", action="store_true", help="tampilkan NIK lengkap")
    lst.add_argument("--limit", type=int, default=100, help="jumlah baris (bawaan 100)")
    lst.add_argument("--after", type=int, default=0, metavar="SEQ", help="mulai setelah nomor ini")
    lst.set_defaults(ctx_func=cmd_queue_list)

    exp = queue_cmds.add_parser("export", help="ekspor entri ke JSONL/CSV")
    exp.add_argument("--state", choices=STATES)
    exp.add_argument("--format", choices=("jsonl", "csv"))
    exp.add_argument("-o", "--output", metavar="FILE", help="bawaan: keluaran standar")
    exp.add_argument("--show-nik", action="store_true", help="NIK dan nomor KK lengkap")
    exp.set_defaults(ctx_func=cmd_queue_export)

    fix = queue_cmds.add_parser(
        "correct", help="perbaiki entri (revisi baru): SEQ FIELD=VALUE…, divalidasi seperti rekam"
    )
    fix.add_argument("seq", type=int, metavar="SEQ")
    fix.add_argument("assignments", nargs="+", metavar="FIELD=VALUE")
    fix.add_argument("--operator", metavar="NAME", help="nama yang dicatat di riwayat")
    fix.add_argument("--json", action="store_true")
    fix.set_defaults(ctx_func=cmd_queue_correct)

    add_admin_parsers(queue_cmds)
    add_bundle_parsers(queue_cmds)

    demo = commands.add_parser(
        "demo", help="demo: pusat, proxy gangguan dan jendela stasiun di folder sementara"
    )
    demo.add_argument("--keep", action="store_true", help="simpan folder demo setelah keluar")
    demo.set_defaults(ctx_func=cmd_demo)

    for name in _EXTENSIONS:
        if importlib.util.find_spec(f"ektp_station.{name}") is not None:
            importlib.import_module(f"ektp_station.{name}").add_parser(commands)
    return parser


#: Modules that contribute subcommands through ``add_parser(subparsers)``.
_EXTENSIONS = ("central.cli", "sync.cli", "config_cli", "operator_cli", "simulate.cli")


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    ctx: Context | None = None
    restrict_umask()  # everything this run writes is the station user's only (0600 / 0700)
    try:
        from .logs import configure_logging

        # before the settings are read, so that what their loading logs reaches the log file
        configure_logging(AppPaths.resolve(args.data_dir).log_dir, verbose=args.verbose)
        ctx = Context(args)
        notice = ctx.settings.ignored_notice(ctx.lang)
        if notice:
            sys.stderr.write(notice + "\n")
        if hasattr(args, "func"):  # commands contributed by other layers take the arguments
            result: int = args.func(args)
        else:
            result = args.ctx_func(ctx)
        return result
    except EktpError as exc:
        lang = ctx.lang if ctx else "id"
        sys.stderr.write(exc.message(lang) + hint_for(exc, lang) + "\n")
        return exit_status(exc)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # noqa: BLE001  (a fault of ours: one line, details in the log)
        from .logs import log_unexpected

        lang = ctx.lang if ctx else "id"
        where = log_unexpected(exc, ctx.paths.log_dir if ctx else None)
        sys.stderr.write(unexpected_message(exc, where, lang) + "\n")
        return EXIT_UNEXPECTED
    finally:
        if ctx is not None:
            try:
                ctx.close()
            except Exception as exc:  # noqa: BLE001  (closing must not become a traceback)
                from .logs import log_unexpected

                log_unexpected(exc, None)
