"""``ektp-station central import-bundle FILE --receipt OUT`` and ``central centre-key``
(docs/bundles.md); registered by ``central/cli.py``."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

__all__ = ["add_bundle_parsers"]


def add_bundle_parsers(sub: Any, db_help: str, guarded: Any, db_url: Any) -> None:
    key = sub.add_parser(
        "centre-key",
        help="kunci publik pusat untuk bundel USB (ektp-station config set centre-key …)",
    )
    key.add_argument("--db", help=db_help)
    key.set_defaults(func=guarded(lambda args: cmd_centre_key(args, db_url(args))))

    imp = sub.add_parser(
        "import-bundle",
        help="impor bundel USB dari stasiun, tulis tanda terima bertanda tangan pusat",
    )
    imp.add_argument("file", metavar="FILE", help="bundel (.ektpbundle) dari stasiun")
    imp.add_argument(
        "--receipt", metavar="OUT", required=True, help="tanda terima yang dibawa kembali"
    )
    imp.add_argument("--db", help=db_help)
    imp.add_argument("--json", action="store_true", help="ringkasan JSON")
    imp.set_defaults(func=guarded(lambda args: cmd_import_bundle(args, db_url(args))))


def cmd_centre_key(args: argparse.Namespace, url: str) -> int:
    from .db import CentralDB
    from .identity import centre_identity

    db = CentralDB(url)
    try:
        db.create_schema()
        print(centre_identity(db).public)
    finally:
        db.dispose()
    return 0


def cmd_import_bundle(args: argparse.Namespace, url: str) -> int:
    from ..errors import BundleRefused
    from .app import default_upload_dir
    from .bundles import import_bundle
    from .db import CentralDB

    source, receipt = Path(args.file), Path(args.receipt)
    if receipt.resolve() == source.resolve() or receipt.is_dir():
        print(
            "--receipt harus nama berkas baru, bukan folder dan bukan bundelnya sendiri.",
            file=sys.stderr,
        )
        return 2
    tty = sys.stderr.isatty()
    shown = [-1]

    def progress(done: int, total: int) -> None:
        percent = 100 * done // total if total else 100
        if percent == shown[0]:
            return
        shown[0] = percent
        text = f"Impor: {done} dari {total} entri ({percent}%)"
        if tty:
            sys.stderr.write("\r" + text)
        elif percent in (0, 100) or percent % 25 == 0:
            sys.stderr.write(text + "\n")
        sys.stderr.flush()

    db = CentralDB(url)
    try:
        db.create_schema()
        try:
            report = import_bundle(db, default_upload_dir(url), source, receipt, progress)
        except BundleRefused as exc:
            if tty and shown[0] >= 0:
                sys.stderr.write("\n")
            after = exc.reason in ("centre_storage", "receipt_unwritable")
            print(f"{'' if after else 'Bundel ditolak: '}{exc.message('id')}", file=sys.stderr)
            return 3
    finally:
        db.dispose()
    if tty:
        sys.stderr.write("\n")
    if args.json:
        print(json.dumps(asdict(report), indent=2))
        return 0
    print(
        f"Bundel {report.bundle_id} dari stasiun {report.station_id}: {report.entries} entri "
        f"(diterima {report.accepted}, sudah ada {report.already_accepted}, ditolak "
        f"{report.rejected}, konflik {report.conflict}), bagian biometrik "
        f"{report.parts_verified} dari {report.parts} terverifikasi."
    )
    print(f"Tanda terima: {receipt} — bawa kembali ke stasiun (queue import-receipt).")
    return 0
