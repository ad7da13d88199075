"""``ektp-station queue backup | restore | purge | init``: looking after the queue file itself
(registered by :func:`ektp_station.cli.build_parser`; see docs/failure-modes.md)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .paths import AppPaths

if TYPE_CHECKING:
    from .cli import Context

__all__ = [
    "cmd_queue_backup",
    "cmd_queue_init",
    "cmd_queue_purge",
    "cmd_queue_restore",
    "days",
]


# -- queue backup / restore -----------------------------------------------------------------


def cmd_queue_backup(ctx: Context) -> int:
    """A checked copy of the live queue (SQLite's online backup API, then quick_check): to
    FILE, or the next generation in the backup folder (the oldest beyond backup-keep go)."""
    info = ctx.station().backup_now(Path(ctx.args.output) if ctx.args.output else None)
    msg = ctx.say(
        f"Cadangan antrean diperiksa dan disimpan: {info.path} ({info.entries} entri)",
        f"Queue backup checked and written: {info.path} ({info.entries} entries)",
    )
    sys.stdout.write(msg + "\n")
    return 0


def cmd_queue_restore(ctx: Context) -> int:
    """Put a checked backup of this station in place of its queue (station not running); a
    supervisor's (``--as``), checked against the queue in place or, when that cannot be
    opened, against the backup's own accounts."""
    from .station.roles import Permission, require
    from .store.backup import restore

    require(_restore_actor(ctx), Permission.RESTORE_QUEUE)
    info = restore(
        ctx.paths.data_dir, Path(ctx.args.file), station_id=ctx.settings.effective_station_id
    )
    msg = ctx.say(
        f"Antrean dipulihkan dari cadangan: {info.entries} entri. Entri yang sudah "
        "diterima pusat akan ditandai terkirim saat sinkron berikutnya.",
        f"Queue restored from the backup: {info.entries} entries. Entries the centre "
        "already holds are marked sent at the next sync.",
    )
    sys.stdout.write(msg + "\n")
    return 0


def _restore_actor(ctx: Context) -> Any:
    from .errors import QueueUnusable

    try:
        actor = ctx.station().actor
    except QueueUnusable:
        from .cli_auth import console_actor

        # the file to replace is lost or damaged: the backup's accounts decide (read from a
        # throwaway copy, so that nothing is written into the backup itself)
        with _backup_station(ctx, Path(ctx.args.file)) as station:
            actor = console_actor(station, as_name=ctx.args.as_name, operator=None, lang=ctx.lang)
    else:
        ctx.close()  # the station must not hold the queue while it is replaced
    return actor


def _backup_station(ctx: Context, backup_file: Path) -> Any:
    import shutil
    import tempfile
    from contextlib import contextmanager

    from .errors import BackupDamaged, QueueDamaged, QueueMissing
    from .station import Station
    from .store.backup import inspect_backup

    @contextmanager
    def opened() -> Any:
        try:
            inspect_backup(backup_file)  # before anything: a backup that is not one
        except (QueueDamaged, QueueMissing) as exc:
            raise BackupDamaged(exc.detail or "backup unusable") from None
        with tempfile.TemporaryDirectory(prefix="ektp-restore-") as folder:
            shutil.copyfile(backup_file, Path(folder) / "queue.sqlite3")
            station = Station.open(AppPaths.resolve(folder), settings=ctx.settings)
            try:
                yield station
            finally:
                station.close()

    return opened()


# -- queue purge -----------------------------------------------------------------------------


def cmd_queue_purge(ctx: Context) -> int:
    """Purge the personal data of delivered or withdrawn entries past their retention (a
    supervisor's: ``--as``)."""
    report = ctx.station().purge(ctx.args.older_than)
    if ctx.args.json:
        ctx.print_json(report.to_json())
        return 0
    msg = ctx.say(
        f"Data pribadi {len(report.purged)} entri dihapus (terkirim atau dibatalkan lebih "
        f"dari {report.older_than_days} hari lalu); {report.receipts_removed} bukti dihapus. "
        "Nomor, status dan riwayat entri tetap.",
        f"Personal data of {len(report.purged)} entries purged (delivered or withdrawn "
        f"more than {report.older_than_days} days ago); {report.receipts_removed} receipts "
        "removed. Numbers, states and history stay.",
    )
    sys.stdout.write(msg + "\n")
    return 0


# -- queue init ------------------------------------------------------------------------------


def cmd_queue_init(ctx: Context) -> int:
    """Open (or create) the queue; with ``--new``, start a new, empty queue on purpose where
    the station's old queue file is missing or empty (never over a queue that is there)."""
    station = ctx.station(new_queue=ctx.args.new)
    queue = station.queue
    count = queue.count()
    msg = ctx.say(
        f"Antrean siap: {queue.path} (id {queue.queue_id}, {count} entri)",
        f"Queue ready: {queue.path} (id {queue.queue_id}, {count} entries)",
    )
    sys.stdout.write(msg + "\n")
    return 0


def days(text: str) -> int:
    try:
        days = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError("bilangan hari 0–3650") from None
    if not 0 <= days <= 3650:
        raise argparse.ArgumentTypeError("bilangan hari 0–3650")
    return days
