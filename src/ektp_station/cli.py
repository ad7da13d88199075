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
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import __version__
from .errors import EktpError
from .paths import AppPaths
from .settings import Settings

if TYPE_CHECKING:
    from .store import Queue

__all__ = ["build_parser", "main"]

STATES = ("pending", "sending", "synced", "rejected", "conflict", "discarded")


class Context:
    """What every command needs, built once from the global options."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.paths = AppPaths.resolve(args.data_dir)
        self.settings = Settings.load(self.paths)
        self._queue: Queue | None = None

    @property
    def lang(self) -> str:
        return "en" if self.settings.language == "en" else "id"

    def queue(self) -> Queue:
        if self._queue is None:
            from .store import Queue

            self._queue = Queue.open(self.paths.data_dir)
        return self._queue

    def close(self) -> None:
        if self._queue is not None:
            self._queue.close()


def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


# -- queue status ---------------------------------------------------------------------------


def cmd_queue_status(ctx: Context) -> int:
    from .cli_format import format_status

    status = ctx.queue().status()
    if ctx.args.json:
        _print_json(status.to_json())
    else:
        sys.stdout.write(
            format_status(status, ctx.settings.effective_station_id, ctx.queue().path, ctx.lang)
        )
    return 0


# -- queue import ---------------------------------------------------------------------------


def cmd_queue_import(ctx: Context) -> int:
    from .cli_format import format_import
    from .importer import import_file

    path = Path(ctx.args.file)
    if not path.is_file():
        msg = {
            "id": f"Berkas tidak ditemukan: {path}",
            "en": f"File not found: {path}",
        }[ctx.lang]
        sys.stderr.write(msg + "\n")
        return 2
    report = import_file(
        ctx.queue(),
        path,
        fmt=ctx.args.format,
        operator=ctx.args.operator,
        station_id=ctx.settings.effective_station_id,
        area=ctx.settings.city_code or None,
        today=date.today(),
        lang=ctx.lang,
    )
    if ctx.args.json:
        _print_json(report.to_json())
    else:
        sys.stdout.write(format_import(report, ctx.lang))
    return 0 if report.rejected == 0 else 1


# -- queue list / export --------------------------------------------------------------------


def _state_arg(ctx: Context) -> Any:
    from .store import State

    return State(ctx.args.state) if ctx.args.state else None


def cmd_queue_list(ctx: Context) -> int:
    from .cli_format import format_list
    from .exporter import entry_row

    entries = ctx.queue().list_entries(
        _state_arg(ctx), limit=ctx.args.limit, after_seq=ctx.args.after
    )
    if ctx.args.json:
        _print_json([entry_row(e, show_nik=ctx.args.show_nik) for e in entries])
    else:
        sys.stdout.write(format_list(entries, show_nik=ctx.args.show_nik, lang=ctx.lang))
    return 0


def cmd_queue_export(ctx: Context) -> int:
    from .exporter import write_export

    fmt = ctx.args.format or ("csv" if str(ctx.args.output or "").endswith(".csv") else "jsonl")
    entries = ctx.queue().iter_entries(_state_arg(ctx))
    if ctx.args.output in (None, "-"):
        count = write_export(sys.stdout, entries, fmt=fmt, show_nik=ctx.args.show_nik)
    else:
        with open(ctx.args.output, "w", encoding="utf-8", newline="") as out:
            count = write_export(out, entries, fmt=fmt, show_nik=ctx.args.show_nik)
        note = {
            "id": f"{count} entri diekspor ke {ctx.args.output}",
            "en": f"{count} entries exported to {ctx.args.output}",
        }[ctx.lang]
        sys.stderr.write(note + "\n")
    return 0


def cmd_default(ctx: Context) -> int:
    """No subcommand: open the station window when the GUI is installed."""
    if _missing("PySide6") or _missing("ektp_station.gui.app") or not _has_screen():
        sys.stderr.write(
            {
                "id": "Jendela stasiun tidak dapat dibuka di sini (tanpa layar atau tanpa PySide6);"
                " ini perintah yang tersedia:\n",
                "en": "The station window cannot open here (no screen or no PySide6);"
                " these are the commands:\n",
            }[ctx.lang]
        )
        ctx.args.json = False
        build_parser().print_help()
        sys.stdout.write("\n")
        return cmd_queue_status(ctx)
    # the operator signs in (name + PIN) before the window opens
    run_station = importlib.import_module("ektp_station.gui.app").run_station
    return int(run_station(ctx))


def cmd_demo(ctx: Context) -> int:
    """A centre, a fault proxy and a station window in a throwaway folder (``make run``)."""
    if _missing("PySide6") or not _has_screen():
        sys.stderr.write(
            {
                "id": "Demo butuh layar dan PySide6 (pasang ektp-station[gui]).\n",
                "en": "The demo needs a screen and PySide6 (install ektp-station[gui]).\n",
            }[ctx.lang]
        )
        return 2
    run_demo = importlib.import_module("ektp_station.gui.demo").run_demo
    return int(run_demo(keep=ctx.args.keep))


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
    parser.add_argument("-v", "--verbose", action="store_true", help="log lebih rinci")
    parser.set_defaults(ctx_func=cmd_default)
    commands = parser.add_subparsers(dest="command", metavar="PERINTAH")

    queue = commands.add_parser("queue", help="antrean lokal: status, impor, daftar, ekspor")
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
    exp.add_argument("--show-nik", action="store_true", help="NIK dan No. KK lengkap")
    exp.set_defaults(ctx_func=cmd_queue_export)

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
_EXTENSIONS = ("central.cli", "sync.cli", "config_cli")


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    ctx: Context | None = None
    try:
        ctx = Context(args)
        from .logs import configure_logging

        configure_logging(ctx.paths.log_dir, verbose=args.verbose)
        if hasattr(args, "func"):  # commands contributed by other layers take the arguments
            result: int = args.func(args)
        else:
            result = args.ctx_func(ctx)
        return result
    except EktpError as exc:
        lang = ctx.lang if ctx else "id"
        sys.stderr.write(exc.message(lang) + "\n")
        return 3
    except KeyboardInterrupt:
        return 130
    finally:
        if ctx is not None:
            ctx.close()
