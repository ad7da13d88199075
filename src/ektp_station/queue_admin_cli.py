"""``ektp-station queue backup | restore | purge | init | recovery-key | recover-key``: looking
after the queue file itself and its key (registered by :func:`add_admin_parsers`; see
docs/failure-modes.md and docs/encryption.md)."""

from __future__ import annotations

import argparse
import contextlib
import getpass
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .paths import AppPaths

if TYPE_CHECKING:
    from .cli import Context

__all__ = [
    "RECOVERY_KEY_ENV",
    "add_admin_parsers",
    "cmd_queue_backup",
    "cmd_queue_init",
    "cmd_queue_purge",
    "cmd_queue_receipt",
    "cmd_queue_recover_key",
    "cmd_queue_recovery_key",
    "cmd_queue_restore",
    "days",
]


RECOVERY_KEY_ENV = "EKTP_RECOVERY_KEY"


def add_admin_parsers(queue_cmds: Any) -> None:
    """``queue init | backup | purge | restore | recovery-key | recover-key``."""
    init = queue_cmds.add_parser(
        "init", help="buat/buka antrean; --new: antrean baru dengan sengaja setelah kehilangan"
    )
    init.add_argument(
        "--new",
        action="store_true",
        help="mulai antrean baru, kosong, bila berkas antrean lama hilang atau kosong",
    )
    init.set_defaults(ctx_func=cmd_queue_init)

    bak = queue_cmds.add_parser("backup", help="cadangan antrean yang diperiksa (quick_check)")
    bak.add_argument(
        "-o", "--output", metavar="FILE", help="bawaan: folder cadangan (backup-dir)/queue-WAKTU"
    )
    bak.set_defaults(ctx_func=cmd_queue_backup)

    purge = queue_cmds.add_parser(
        "purge", help="hapus data pribadi entri yang sudah terkirim/dibatalkan (supervisor)"
    )
    purge.add_argument(
        "--older-than",
        metavar="HARI",
        type=days,
        help="terkirim/dibatalkan lebih dari HARI hari lalu (bawaan: retention-days)",
    )
    purge.add_argument("--json", action="store_true")
    purge.set_defaults(ctx_func=cmd_queue_purge)

    res = queue_cmds.add_parser("restore", help="pulihkan antrean dari cadangan stasiun ini")
    res.add_argument("file", metavar="FILE")
    res.add_argument(
        "--recovery-key",
        action="store_true",
        help=f"cadangan dari komputer lain: kunci pemulihan diketik (atau dari {RECOVERY_KEY_ENV})",
    )
    res.set_defaults(ctx_func=cmd_queue_restore)

    show = queue_cmds.add_parser(
        "recovery-key", help="tampilkan kunci pemulihan antrean, sekali saja (supervisor)"
    )
    show.add_argument("--json", action="store_true")
    show.set_defaults(ctx_func=cmd_queue_recovery_key)

    back = queue_cmds.add_parser(
        "recover-key",
        help=f"kunci antrean hilang dari komputer ini: masukkan kunci pemulihan ({RECOVERY_KEY_ENV})",
    )
    back.set_defaults(ctx_func=cmd_queue_recover_key)

    rec = queue_cmds.add_parser(
        "receipt", help="bukti entri SEQ sebagai PDF (dibuka dari simpanan terenkripsi)"
    )
    rec.add_argument("seq", type=int, metavar="SEQ")
    rec.add_argument("-o", "--output", metavar="FILE", required=True, help="berkas PDF")
    rec.set_defaults(ctx_func=cmd_queue_receipt)


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
    opened, against the backup's own accounts. A backup made on another PC opens only with
    the recovery key (``--recovery-key``)."""
    from .station.roles import Permission, require
    from .store.backup import restore
    from .store.keys import KeyStore

    keys = KeyStore.for_data_dir(ctx.paths.data_dir)
    recovery = read_recovery_key(ctx) if ctx.args.recovery_key else None
    backup_file = Path(ctx.args.file)
    actor, current = _restore_actor(ctx, backup_file, keys, recovery)
    require(actor, Permission.RESTORE_QUEUE)
    info = restore(
        ctx.paths.data_dir,
        backup_file,
        station_id=ctx.settings.effective_station_id,
        keys=keys,
        current=current,
        recovery=recovery,
    )
    msg = ctx.say(
        f"Antrean dipulihkan dari cadangan: {info.entries} entri. Entri yang sudah "
        "diterima pusat akan ditandai terkirim saat sinkron berikutnya.",
        f"Queue restored from the backup: {info.entries} entries. Entries the centre "
        "already holds are marked sent at the next sync.",
    )
    sys.stdout.write(msg + "\n")
    return 0


def read_recovery_key(ctx: Context) -> bytes:
    """The recovery key from ``EKTP_RECOVERY_KEY``, else typed on the terminal (hidden), else
    the first line of standard input."""
    from .errors import RecoveryKeyNeeded
    from .store.keys import parse_recovery_key

    text = os.environ.get(RECOVERY_KEY_ENV, "")
    if not text:
        if sys.stdin.isatty():
            text = getpass.getpass(ctx.say("Kunci pemulihan: ", "Recovery key: "))
        else:
            text = sys.stdin.readline()
    if not text.strip():
        raise RecoveryKeyNeeded()
    return parse_recovery_key(text)


def _restore_actor(ctx: Context, backup_file: Path, keys: Any, recovery: bytes | None) -> Any:
    """Who restores, and the key of the queue in place (None when it cannot be opened)."""
    from .cli_auth import console_actor
    from .errors import QueueUnusable
    from .store.queue import DB_FILENAME

    station = None
    if (ctx.paths.data_dir / DB_FILENAME).exists():  # a new PC: no queue made to be replaced
        with contextlib.suppress(QueueUnusable):
            station = ctx.station()
    if station is None:
        # the file to replace is missing, lost, damaged or its key gone: the backup's accounts
        # decide (read from a throwaway copy, so that nothing is written into the backup)
        with _backup_station(ctx, backup_file, keys, recovery) as copy:
            backup_actor = console_actor(
                copy, as_name=ctx.args.as_name, operator=None, lang=ctx.lang
            )
        return backup_actor, None
    actor, current = station.actor, station.queue.key
    ctx.close()  # the station must not hold the queue while it is replaced
    return actor, current


def _backup_station(ctx: Context, backup_file: Path, keys: Any, recovery: bytes | None) -> Any:
    import shutil
    import tempfile
    from contextlib import contextmanager

    from .errors import BackupDamaged, QueueDamaged, QueueMissing
    from .station import Station
    from .store.backup import inspect_backup, key_of_backup
    from .store.keys import KeyStore

    @contextmanager
    def opened() -> Any:
        try:  # before anything: a backup that is not one
            key = key_of_backup(backup_file, keys, recovery=recovery)
            info = inspect_backup(backup_file, key)
        except BackupDamaged:
            raise
        except (QueueDamaged, QueueMissing) as exc:
            raise BackupDamaged(exc.detail or "backup unusable") from None
        with tempfile.TemporaryDirectory(prefix="ektp-restore-") as folder:
            copy = Path(folder) / "copy"
            copy.mkdir()
            shutil.copyfile(backup_file, copy / "queue.sqlite3")
            throwaway = KeyStore(Path(folder) / "keys", use_keyring=False)
            if key is not None and info.queue_id:
                (copy / "queue.id").write_text(info.queue_id + "\n", encoding="utf-8")
                throwaway.put(info.queue_id, key)
            station = Station.open(AppPaths.resolve(copy), settings=ctx.settings, keys=throwaway)
            try:
                yield station
            finally:
                station.close()

    return opened()


# -- queue receipt ---------------------------------------------------------------------------


def cmd_queue_receipt(ctx: Context) -> int:
    """The kept receipt of entry SEQ, decrypted into FILE (owner-only): to print it again
    elsewhere, or hand it over."""
    pdf = ctx.station().receipt_pdf(ctx.args.seq)
    target = Path(ctx.args.output)
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(pdf)
    msg = ctx.say(
        f"Bukti entri No. {ctx.args.seq} ditulis: {target.resolve()}",
        f"Receipt of entry No. {ctx.args.seq} written: {target.resolve()}",
    )
    sys.stdout.write(msg + "\n")
    return 0


# -- the recovery key ------------------------------------------------------------------------


def cmd_queue_recovery_key(ctx: Context) -> int:
    """Show the queue's recovery key, once (a supervisor's)."""
    station = ctx.station()
    key = station.recovery_key()
    if ctx.args.json:
        ctx.print_json({"queue_id": station.queue.queue_id, "recovery_key": key})
        _noted(station)
    else:
        _print_recovery_key(ctx, station, key)
    return 0


def _print_recovery_key(ctx: Context, station: Any, key: str, *, before: str = "") -> None:
    sys.stdout.write(before + _recovery_text(ctx, key))
    _noted(station)


def _noted(station: Any) -> None:
    sys.stdout.flush()  # out in full (a closed pipe raises here): only then is it noted
    station.recovery_key_noted()


def _recovery_text(ctx: Context, key: str) -> str:
    return ctx.say(
        f"Kunci pemulihan antrean (ditampilkan sekali ini saja):\n\n    {key}\n\n"
        "Tulis dan simpan di tempat aman (brankas kelurahan), terpisah dari komputer ini dan "
        "dari cadangannya. Kunci ini membuka cadangan antrean di komputer lain.\n",
        f"The queue's recovery key (shown this once only):\n\n    {key}\n\n"
        "Write it down and keep it somewhere safe (the kelurahan's safe), apart from this PC "
        "and its backups. It opens the queue's backups on another PC.\n",
    )


def cmd_queue_recover_key(ctx: Context) -> int:
    """Put the queue's key back on this PC from the recovery key (the queue is here, its key
    was lost: a new user profile, a reinstalled credential store)."""
    from .store.encryption import recover_key
    from .store.keys import KeyStore
    from .store.queue import DB_FILENAME, QUEUE_ID_FILENAME

    data_dir = ctx.paths.data_dir
    key = read_recovery_key(ctx)
    keys = KeyStore.for_data_dir(data_dir)
    recover_key(data_dir / DB_FILENAME, data_dir / QUEUE_ID_FILENAME, keys, key)
    count = ctx.station().queue.count()
    msg = ctx.say(
        f"Kunci antrean disimpan lagi di komputer ini; antrean terbuka ({count} entri).",
        f"The queue key is kept on this PC again; the queue opens ({count} entries).",
    )
    sys.stdout.write(msg + "\n")
    return 0


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
    from .store.encryption import RECOVERY_SHOWN_KEY

    station = ctx.station(new_queue=ctx.args.new)
    queue = station.queue
    count = queue.count()
    msg = ctx.say(
        f"Antrean siap: {queue.path} (id {queue.queue_id}, {count} entri)",
        f"Queue ready: {queue.path} (id {queue.queue_id}, {count} entries)",
    )
    sys.stdout.write(msg + "\n")
    if queue.get_meta(RECOVERY_SHOWN_KEY) is None:
        if station.actor is not None and station.actor.is_supervisor:
            _print_recovery_key(ctx, station, station.recovery_key(), before="\n")
        else:
            sys.stdout.write(
                ctx.say(
                    "Kunci pemulihan belum dicatat: supervisor, jalankan "
                    "ektp-station --as NAMA queue recovery-key\n",
                    "The recovery key is not written down yet: a supervisor runs "
                    "ektp-station --as NAME queue recovery-key\n",
                )
            )
    return 0


def days(text: str) -> int:
    try:
        days = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError("bilangan hari 0–3650") from None
    if not 0 <= days <= 3650:
        raise argparse.ArgumentTypeError("bilangan hari 0–3650")
    return days
