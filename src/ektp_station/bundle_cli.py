"""``ektp-station queue export-bundle -o FILE`` and ``queue import-receipt FILE``: the queue
carried to the centre on a USB stick, and the centre's receipt carried back (docs/bundles.md;
registered by ``cli.py``). A supervisor's (``--as``), as in the window."""

from __future__ import annotations

import sys
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .cli import Context
    from .station.bundles import BundleProgress

__all__ = ["add_bundle_parsers", "cmd_export_bundle", "cmd_import_receipt"]


def add_bundle_parsers(queue_cmds: Any) -> None:
    exp = queue_cmds.add_parser(
        "export-bundle",
        help="bawa antrean ke pusat lewat USB: entri yang belum dikonfirmasi pusat, "
        "terenkripsi dan bertanda tangan (supervisor)",
    )
    exp.add_argument("-o", "--output", metavar="FILE", required=True, help="berkas bundel")
    exp.add_argument("--json", action="store_true", help="ringkasan JSON")
    exp.set_defaults(ctx_func=cmd_export_bundle)

    rec = queue_cmds.add_parser(
        "import-receipt",
        help="terapkan tanda terima pusat untuk sebuah bundel (supervisor)",
    )
    rec.add_argument("file", metavar="FILE", help="tanda terima dari 'central import-bundle'")
    rec.add_argument("--json", action="store_true", help="ringkasan JSON")
    rec.set_defaults(ctx_func=cmd_import_receipt)


class _Progress:
    """One line that counts up on a terminal; a line per quarter otherwise (logs stay short)."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.tty = sys.stderr.isatty()
        self.shown = -1

    def __call__(self, p: BundleProgress) -> None:
        total = p.entries_total + p.bytes_total
        percent = 100 * (p.entries_done + p.bytes_done) // total if total else 100
        if percent == self.shown:
            return
        self.shown = percent
        mb_done, mb_total = p.bytes_done / 1e6, p.bytes_total / 1e6
        text = self.ctx.say(
            f"Ekspor: {p.entries_done} dari {p.entries_total} entri, biometrik "
            f"{mb_done:.1f} dari {mb_total:.1f} MB ({percent}%)",
            f"Export: {p.entries_done} of {p.entries_total} entries, biometrics "
            f"{mb_done:.1f} of {mb_total:.1f} MB ({percent}%)",
        )
        if self.tty:
            sys.stderr.write("\r" + text)
        elif percent % 25 == 0:
            sys.stderr.write(text + "\n")
        sys.stderr.flush()

    def end(self) -> None:
        if self.tty and self.shown >= 0:
            sys.stderr.write("\n")


def cmd_export_bundle(ctx: Context) -> int:
    target = Path(ctx.args.output)
    progress = _Progress(ctx)
    try:
        report = ctx.station().export_bundle(target, progress)
    finally:
        progress.end()
    if ctx.args.json:
        data = asdict(report)
        data["path"] = str(report.path)
        ctx.print_json(data)
        return 0
    sys.stdout.write(
        ctx.say(
            f"Bundel ditulis: {report.path} ({report.entries} entri, {report.parts} bagian "
            f"biometrik, {report.bytes / 1e6:.1f} MB). Bawa ke pusat ('central import-bundle'), "
            "lalu bawa kembali tanda terimanya ('queue import-receipt'). Sampai itu, entri "
            "tetap menunggu dan tetap dikirim lewat jaringan bila tersambung.",
            f"Bundle written: {report.path} ({report.entries} entries, {report.parts} "
            f"biometric parts, {report.bytes / 1e6:.1f} MB). Take it to the centre "
            "('central import-bundle'), then bring its receipt back ('queue import-receipt'). "
            "Until then the entries keep waiting and still go over the network when it is up.",
        )
        + "\n"
    )
    return 0


def cmd_import_receipt(ctx: Context) -> int:
    report = ctx.station().import_receipt(Path(ctx.args.file))
    if ctx.args.json:
        ctx.print_json(asdict(report))
        return 0
    sys.stdout.write(
        ctx.say(
            f"Tanda terima bundel {report.bundle_id}: {report.entries} entri — terkirim "
            f"{report.synced}, menunggu biometrik {report.uploading}, ditolak "
            f"{report.rejected}, konflik {report.conflict}, tidak berubah {report.unchanged}; "
            f"{report.parts_verified} bagian biometrik diterima pusat.",
            f"Receipt of bundle {report.bundle_id}: {report.entries} entries — synced "
            f"{report.synced}, waiting for biometrics {report.uploading}, rejected "
            f"{report.rejected}, conflict {report.conflict}, unchanged {report.unchanged}; "
            f"{report.parts_verified} biometric parts taken by the centre.",
        )
        + "\n"
    )
    if report.withdrawn_here:
        sys.stderr.write(
            ctx.say(
                f"Perhatian: {report.withdrawn_here} entri dibatalkan di stasiun ini setelah "
                "ekspor, tetapi sudah diterima pusat dari bundel. Beri tahu pusat.",
                f"Note: {report.withdrawn_here} entries were withdrawn here after the export "
                "but the centre took them from the bundle. Tell the centre.",
            )
            + "\n"
        )
    return 0
