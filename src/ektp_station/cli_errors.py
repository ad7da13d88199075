"""How the command line reports an error: the exit status of each kind (README, "Exit codes"),
the command-line hint that goes with it (errors themselves name no command), and the one line
for an unexpected fault."""

from __future__ import annotations

from pathlib import Path

from .errors import EktpError

__all__ = [
    "EXIT_BUSY",
    "EXIT_DAMAGED",
    "EXIT_DISK_FULL",
    "EXIT_ERROR",
    "EXIT_KEY_MISSING",
    "EXIT_QUEUE_MISSING",
    "EXIT_READ_ONLY",
    "EXIT_UNEXPECTED",
    "exit_status",
    "hint_for",
    "unexpected_message",
]

EXIT_ERROR = 3  # the command could not do what was asked (a translated line says why)
EXIT_UNEXPECTED = 4  # a fault of the program: logged, one line on stderr
EXIT_DAMAGED = 5  # the queue file is damaged: restore a backup
EXIT_READ_ONLY = 6  # the queue file or its folder cannot be written
EXIT_DISK_FULL = 7  # no room left on the disk
EXIT_QUEUE_MISSING = 8  # the station's queue file is gone (missing, empty, deleted, replaced)
EXIT_BUSY = 9  # another program held the queue file locked too long: try again
EXIT_KEY_MISSING = 10  # the queue's encryption key is not on this PC: the recovery key


def exit_status(exc: EktpError) -> int:
    """3 for an error that says why; a status of its own for each unusable queue file."""
    from .errors import (
        DiskFull,
        KeyMissing,
        QueueBusy,
        QueueDamaged,
        QueueGone,
        QueueMissing,
        QueueReadOnly,
        QueueReplaced,
    )

    if isinstance(exc, KeyMissing):
        return EXIT_KEY_MISSING
    if isinstance(exc, QueueDamaged):
        return EXIT_DAMAGED
    if isinstance(exc, QueueReadOnly):
        return EXIT_READ_ONLY
    if isinstance(exc, DiskFull):
        return EXIT_DISK_FULL
    if isinstance(exc, (QueueMissing, QueueGone, QueueReplaced)):
        return EXIT_QUEUE_MISSING
    if isinstance(exc, QueueBusy):
        return EXIT_BUSY
    return EXIT_ERROR


def hint_for(exc: EktpError, lang: str) -> str:
    """The command-line hint that goes with an error (errors themselves name no command)."""
    from .errors import (
        BackupKeyUnknown,
        BundleRefused,
        EntryNotFound,
        KeyMismatch,
        KeyMissing,
        NotAllowed,
        QueueDamaged,
        QueueMissing,
        QueueReplaced,
        RecoveryKeyInvalid,
        WrongStationBackup,
    )

    if isinstance(exc, (KeyMissing, KeyMismatch)):
        if lang == "en":
            return " (ektp-station [--data-dir DIR] queue recover-key; the recovery key typed or in EKTP_RECOVERY_KEY)"
        return " (ektp-station [--data-dir DIR] queue recover-key; kunci pemulihan diketik atau dari EKTP_RECOVERY_KEY)"
    if isinstance(exc, BackupKeyUnknown):
        return " (ektp-station [--data-dir DIR] queue restore FILE --recovery-key)"
    if isinstance(exc, RecoveryKeyInvalid):
        return ""
    if isinstance(exc, WrongStationBackup) and len(exc.backup_stations) == 1:
        return f" (ektp-station [--data-dir DIR] config set station-id {exc.backup_stations[0]})"
    if isinstance(exc, EntryNotFound):
        return " (ektp-station queue list)"
    if isinstance(exc, BundleRefused) and exc.reason == "no_centre_key":
        if lang == "en":
            return " (ektp-station config set centre-key KEY; KEY from 'central centre-key' at the centre)"
        return (
            " (ektp-station config set centre-key KUNCI; KUNCI dari 'central centre-key' di pusat)"
        )
    if isinstance(exc, BundleRefused) and exc.reason == "no_token":
        return " (ektp-station config set token TOKEN)"
    if isinstance(exc, NotAllowed):
        if lang == "en":
            return " (as a supervisor: ektp-station --as NAME …, the PIN typed or in EKTP_PIN)"
        return " (sebagai supervisor: ektp-station --as NAMA …, PIN diketik atau dari EKTP_PIN)"
    if isinstance(exc, (QueueMissing, QueueReplaced, QueueDamaged)):
        if lang == "en":
            hint = " (restore: ektp-station [--data-dir DIR] queue restore FILE, the backups are in DIR/backups or the backup-dir folder"
            new = "; a new queue on purpose: ektp-station [--data-dir DIR] queue init --new)"
        else:
            hint = " (pulihkan: ektp-station [--data-dir DIR] queue restore BERKAS, cadangan ada di DIR/backups atau folder backup-dir"
            new = "; antrean baru dengan sengaja: ektp-station [--data-dir DIR] queue init --new)"
        return hint + (new if isinstance(exc, QueueMissing) else ")")
    return ""


def unexpected_message(exc: BaseException, log_file: Path | None, lang: str) -> str:
    kind = type(exc).__name__
    if lang == "en":
        text = f"Unexpected error ({kind}); nothing already saved is lost."
        return text + (f" Details: {log_file}" if log_file else "")
    text = f"Terjadi kesalahan tak terduga ({kind}); data yang sudah tersimpan tetap aman."
    return text + (f" Rincian: {log_file}" if log_file else "")
