"""The one exception tree of ektp-station, drawn and defined here.

    EktpError                     every error this package raises on purpose
    ├── ConfigError               settings missing, unreadable or invalid
    ├── NotAllowed                the signed-in operator's role does not allow the action
    ├── SignInError               signing in
    │   ├── NotSignedIn           nobody is signed in: sign in first
    │   ├── SignInRefused         wrong name or PIN
    │   ├── SignInLocked          too many wrong PINs in a row: wait
    │   ├── PinMissing            the command line's --as without a PIN
    │   └── AccountDisabled       the account was disabled by a supervisor
    ├── RecordInvalid             the record has errors (``problems``); nothing was saved
    ├── WarningsUnconfirmed       the record has warnings the operator has not confirmed
    ├── ReasonRequired            a withdrawal or a resolution needs a reason
    ├── StoreError                the local queue
    │   ├── SchemaError           database newer than this program, or damaged
    │   ├── SaveRefused           the database refused a write no rule explains
    │   ├── EntryNotFound         no entry with that number / id
    │   ├── TransitionError       the entry's state does not allow the action
    │   ├── DuplicateNikError     the resident is already waiting in the queue
    │   ├── AlreadyRecordedError  the resident was already recorded at this station
    │   ├── DuplicateEntryError   an entry with that id is already in the queue
    │   ├── QueueUnusable         the queue file itself cannot be used as it is
    │   │   ├── QueueMissing      the station has history but its queue file is gone or empty
    │   │   ├── QueueDamaged      the queue file is damaged (integrity check failed)
    │   │   ├── QueueReadOnly     the queue file or its folder cannot be written
    │   │   ├── DiskFull          no room left on the disk for the queue
    │   │   ├── QueueGone         the queue file was deleted or replaced while open
    │   │   ├── QueueReplaced     the queue file is another queue than queue.id names
    │   │   ├── QueueBusy         another program held the queue file locked too long
    │   │   └── KeyMissing        the queue's encryption key is not on this PC
    │   │   (KeyMismatch, a QueueDamaged: the key kept here does not open the file)
    │   ├── RecoveryKeyInvalid    a recovery key mistyped (checksum) or not the right one
    │   ├── RecoveryKeyNeeded     a command that needs the recovery key got none
    │   ├── RecoveryKeyShown      the recovery key was shown once already
    │   ├── ReceiptUnreadable     no receipt kept for the entry, or it does not open
    │   ├── AttachmentUnreadable  a biometric part's file is missing, changed or not ours
    │   ├── WrongStationBackup    a backup holds another station's entries: not restored
    │   │   (BackupDamaged, a QueueDamaged: the backup chosen for a restore is unusable;
    │   │    BackupKeyUnknown, a BackupDamaged: no key of this PC opens it)
    │   ├── StationRunning        a restore while the station sends: close it first
    │   ├── BackupFailed          a backup could not be written or did not check out
    │   └── OperatorError         operator accounts
    │       ├── OperatorExistsError, OperatorNotFound, InvalidPinError, InvalidNameError
    │       └── LastSupervisorError   the station would be left without a supervisor
    ├── CentreSchemaTooNew        the centre's database is newer than this program
    ├── BundleRefused             a USB bundle or its receipt refused (``reason``): nothing applied
    ├── SyncError                 one exchange with the centre (``retry_after`` when it said)
    │   ├── TransientError        try again later: the batch goes back to pending
    │   │   ├── LinkDown          no answer, or a reply that is not the protocol
    │   │   └── CentreBusy        5xx / 429
    │   └── RefusedError          the centre refuses the request itself
    │       ├── AuthRefused       401 / 403: token or station id wrong
    │       ├── ProtocolUnsupported   the centre does not speak this station's protocol
    │       ├── StationClockWrong     this PC's clock is far off: fix the date first
    │       ├── BatchTooLarge     413
    │       ├── CertificateRefused    the centre's TLS certificate did not verify
    │       └── BadRequest        400 / 422
    └── WireError                 what came back over the wire (``sync.protocol``)
        └── ProtocolError         not this protocol's JSON (transient for the station)
            ├── NotProtocolJSON, ProtocolVersionError, ResultsMismatch

Each error carries a message in Bahasa Indonesia (``message_id``) and English
(``message_en``) that says what to do next, for the person in front of the station; neither
ever contains personal data, and neither names a command-line command (the CLI adds its own
hints). ``str(exc)`` is short English for logs: the ``detail`` given, else ``message_en``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from .domain import Problem

__all__ = [
    "AccountDisabled",
    "AlreadyRecordedError",
    "AttachmentUnreadable",
    "AuthRefused",
    "BackupDamaged",
    "BackupFailed",
    "BackupKeyUnknown",
    "BadRequest",
    "BatchTooLarge",
    "BundleRefused",
    "CentreBusy",
    "CentreSchemaTooNew",
    "CertificateRefused",
    "ConfigError",
    "DiskFull",
    "DuplicateEntryError",
    "DuplicateNikError",
    "EktpError",
    "EntryNotFound",
    "InvalidNameError",
    "InvalidPinError",
    "KeyMismatch",
    "KeyMissing",
    "LastSupervisorError",
    "LinkDown",
    "NotAllowed",
    "NotProtocolJSON",
    "NotSignedIn",
    "OperatorError",
    "OperatorExistsError",
    "OperatorNotFound",
    "PinMissing",
    "ProtocolError",
    "ProtocolUnsupported",
    "ProtocolVersionError",
    "QueueBusy",
    "QueueDamaged",
    "QueueGone",
    "QueueMissing",
    "QueueReadOnly",
    "QueueReplaced",
    "QueueUnusable",
    "ReasonRequired",
    "ReceiptUnreadable",
    "RecordInvalid",
    "RecoveryKeyInvalid",
    "RecoveryKeyNeeded",
    "RecoveryKeyShown",
    "RefusedError",
    "ResultsMismatch",
    "SaveRefused",
    "SchemaError",
    "SignInError",
    "SignInLocked",
    "SignInRefused",
    "StationClockWrong",
    "StationRunning",
    "StoreError",
    "SyncError",
    "TransientError",
    "TransitionError",
    "WarningsUnconfirmed",
    "WireError",
    "WrongStationBackup",
]


class EktpError(Exception):
    """Base of every error this package raises on purpose."""

    def __init__(self, message_id: str, message_en: str, *, detail: str | None = None) -> None:
        super().__init__(detail or message_en)
        self.message_id = message_id
        self.message_en = message_en
        self.detail = detail

    def message(self, lang: str = "id") -> str:
        return self.message_en if lang == "en" else self.message_id


class ConfigError(EktpError):
    pass


class NotAllowed(EktpError):
    """Only a supervisor may do this (``action`` names it, in both languages)."""

    def __init__(self, action_id: str, action_en: str) -> None:
        super().__init__(
            f"Hanya supervisor yang boleh {action_id}. Minta supervisor masuk.",
            f"Only a supervisor may {action_en}. Ask a supervisor to sign in.",
        )


# -- signing in ------------------------------------------------------------------------------


class SignInError(EktpError):
    pass


class NotSignedIn(SignInError):
    def __init__(self) -> None:
        super().__init__(
            "Belum ada operator yang masuk. Masuk dulu dengan nama dan PIN.",
            "Nobody is signed in. Sign in with a name and PIN first.",
        )


class SignInRefused(SignInError):
    def __init__(self) -> None:
        super().__init__("Nama atau PIN salah. Coba lagi.", "Wrong name or PIN. Try again.")


class SignInLocked(SignInError):
    def __init__(self, seconds: int, tries: int) -> None:
        super().__init__(
            f"{tries} kali salah. Tunggu {seconds} detik, atau minta supervisor.",
            f"{tries} wrong tries. Wait {seconds} seconds, or ask a supervisor.",
        )
        self.seconds = seconds


class PinMissing(SignInError):
    """``--as NAME`` without a PIN: no terminal to type it on and no ``EKTP_PIN``."""

    def __init__(self, name: str, variable: str) -> None:
        super().__init__(
            f"PIN untuk {name} diperlukan: ketik di terminal, atau (untuk skrip) isi variabel "
            f"lingkungan {variable}. Percobaan ini dihitung sebagai PIN salah.",
            f"The PIN of {name} is needed: type it on the terminal, or (for scripts) set the "
            f"environment variable {variable}. This try counts as a wrong PIN.",
        )


class AccountDisabled(SignInError):
    def __init__(self) -> None:
        super().__init__(
            "Akun ini dinonaktifkan. Minta supervisor mengaktifkannya atau membuat akun baru.",
            "This account is disabled. Ask a supervisor to enable it or create a new one.",
        )


# -- capture ---------------------------------------------------------------------------------


class RecordInvalid(EktpError):
    """The record has errors; ``problems`` lists every problem found (errors and warnings)."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        errors = [p for p in problems if p.is_error]
        super().__init__(
            f"Belum tersimpan: {len(errors)} isian perlu diperbaiki.",
            f"Not saved: {len(errors)} field(s) need fixing.",
        )
        self.problems = list(problems)


class WarningsUnconfirmed(EktpError):
    """The record has only warnings, and they were not confirmed."""

    def __init__(self, warnings: Sequence[Problem]) -> None:
        super().__init__(
            "Belum tersimpan: periksa peringatan, lalu konfirmasi untuk menyimpan.",
            "Not saved: check the warnings, then confirm to save.",
        )
        self.warnings = list(warnings)


class ReasonRequired(EktpError):
    def __init__(self) -> None:
        super().__init__(
            "Tulis alasannya (dicatat di riwayat entri).",
            "Write the reason (it is kept in the entry's history).",
        )


# -- the local queue -------------------------------------------------------------------------


class StoreError(EktpError):
    pass


class SchemaError(StoreError):
    pass


class SaveRefused(StoreError):
    """The database refused a write that no rule of ours explains (the raw driver error is
    logged by its class name only)."""

    def __init__(self, detail: str) -> None:
        super().__init__(
            "Data belum tersimpan: basis data antrean menolak penyimpanan. Coba sekali lagi; "
            "bila berulang, hubungi petugas TI (data lain di antrean aman).",
            "Not saved: the queue database refused the write. Try once more; if it happens "
            "again, call IT support (the rest of the queue is safe).",
            detail=detail,
        )


class EntryNotFound(StoreError):
    def __init__(self, what: str) -> None:
        super().__init__(
            f"Entri {what} tidak ada di antrean ini. Periksa nomornya.",
            f"Entry {what} is not in this queue. Check the number.",
        )


#: What an action on an entry is called in a refusal: (Bahasa Indonesia, English).
_ACTIONS = {
    "correct": ("diperbaiki", "corrected"),
    "resent": ("dikirim ulang", "resent"),
    "discarded": ("dibatalkan", "discarded"),
    "resolved": ("ditandai selesai", "marked resolved"),
    "completed": ("dilengkapi biometriknya", "given its missing biometrics"),
}


class TransitionError(StoreError):
    def __init__(self, seq: int, state: str, action: str) -> None:
        from .domain.vocabulary import state_label

        done_id, done_en = _ACTIONS.get(action, (action, action))
        super().__init__(
            f"Entri #{seq} berstatus {state_label(state, 'id')}: tidak dapat {done_id}.",
            f"Entry #{seq} is {state_label(state, 'en')}: it cannot be {done_en}.",
            detail=f"entry #{seq} is {state}; {action} not allowed",
        )
        self.seq = seq
        self.state = state
        self.action = action


class DuplicateNikError(StoreError):
    """The same NIK is already waiting (pending, sending or rejected) in this queue."""

    def __init__(self, seq: int, entry_id: str, state: str) -> None:
        from .domain.vocabulary import state_label

        super().__init__(
            f"Penduduk dengan NIK ini sudah ada di antrean: entri #{seq} "
            f"({state_label(state, 'id')}). "
            "Buka entri itu untuk memperbaikinya, jangan merekam ulang.",
            f"A resident with this NIK is already in the queue: entry #{seq} "
            f"({state_label(state, 'en')}). "
            "Open that entry to correct it instead of recording again.",
        )
        self.seq = seq
        self.entry_id = entry_id
        self.state = state


class AlreadyRecordedError(StoreError):
    """The same NIK was already recorded at this station and went to the centre (synced), or
    is held there as a conflict: recording again would only make a conflict."""

    def __init__(self, seq: int, entry_id: str, state: str) -> None:
        from .domain.vocabulary import state_label

        super().__init__(
            f"Penduduk dengan NIK ini sudah direkam di stasiun ini: entri #{seq} "
            f"({state_label(state, 'id')}). "
            "Jangan merekam ulang; bila datanya salah, minta supervisor memeriksanya.",
            f"A resident with this NIK was already recorded at this station: entry #{seq} "
            f"({state_label(state, 'en')}). Do not record again; if the data is wrong, "
            "ask a supervisor.",
        )
        self.seq = seq
        self.entry_id = entry_id
        self.state = state


class DuplicateEntryError(StoreError):
    """An entry with the same id (idempotency key) is already in this queue."""

    def __init__(self, seq: int) -> None:
        super().__init__(
            f"Entri dengan ID yang sama sudah ada di antrean ini (#{seq}); baris ini dilewati.",
            f"An entry with the same id is already in this queue (#{seq}); line skipped.",
        )
        self.seq = seq


class QueueUnusable(StoreError):
    """The queue file itself cannot be used as it is; nothing is written (the command line
    exits with a status of its own for each kind, see README)."""


class QueueMissing(QueueUnusable):
    """The station has a history (settings, logs, receipts, its queue id) but the queue file
    is missing or empty: a new, empty queue is never made silently in its place."""

    def __init__(self, detail: str) -> None:
        super().__init__(
            "Berkas antrean stasiun ini hilang atau kosong, padahal stasiun ini sudah pernah "
            "dipakai. Jangan merekam dulu: pulihkan berkas antrean dari cadangan, atau minta "
            "petugas TI. Antrean baru hanya dibuat bila diminta dengan sengaja.",
            "This station's queue file is missing or empty, although the station has been "
            "used before. Do not record yet: restore the queue file from a backup, or call IT "
            "support. A new queue is made only when asked for on purpose.",
            detail=detail,
        )


class QueueDamaged(QueueUnusable):
    def __init__(self, detail: str) -> None:
        super().__init__(
            "Berkas antrean rusak. Jangan merekam dulu: pulihkan antrean dari cadangan "
            "terakhir, atau minta petugas TI (berkas yang rusak jangan dihapus).",
            "The queue file is damaged. Do not record yet: restore the queue from the latest "
            "backup, or call IT support (do not delete the damaged file).",
            detail=detail,
        )


class QueueReadOnly(QueueUnusable):
    def __init__(self, detail: str) -> None:
        super().__init__(
            "Berkas antrean tidak dapat ditulisi (folder data hanya-baca). Data belum "
            "tersimpan; minta petugas TI memberi izin tulis pada folder data.",
            "The queue file cannot be written (the data folder is read-only). Nothing was "
            "saved; ask IT support to make the data folder writable.",
            detail=detail,
        )


class DiskFull(QueueUnusable):
    def __init__(self, detail: str) -> None:
        super().__init__(
            "Disk penuh: data ini belum tersimpan; data yang sudah tersimpan aman. "
            "Kosongkan ruang disk (atau minta petugas TI), lalu simpan lagi.",
            "The disk is full: this was not saved; everything saved before is safe. "
            "Free some disk space (or call IT support), then save again.",
            detail=detail,
        )


class QueueGone(QueueUnusable):
    def __init__(self, detail: str) -> None:
        super().__init__(
            "Berkas antrean dihapus atau diganti saat stasiun berjalan; pengiriman dihentikan. "
            "Tutup aplikasi dan minta petugas TI memulihkan antrean dari cadangan.",
            "The queue file was deleted or replaced while the station ran; sending stopped. "
            "Close the application and ask IT support to restore the queue from a backup.",
            detail=detail,
        )


class QueueReplaced(QueueUnusable):
    """The queue file holds another queue than the one this station's ``queue.id`` names: it
    was swapped by hand (another station's file, an old copy). Nothing is read or sent."""

    def __init__(self, detail: str) -> None:
        super().__init__(
            "Berkas antrean di folder ini bukan antrean stasiun ini (diganti dengan berkas "
            "lain). Jangan merekam dulu: kembalikan berkas antrean yang benar, atau pulihkan "
            "cadangan stasiun ini lewat pemulihan resmi; minta petugas TI.",
            "The queue file in this folder is not this station's queue (it was replaced by "
            "another file). Do not record yet: put the right queue file back, or restore this "
            "station's backup the proper way; call IT support.",
            detail=detail,
        )


class QueueBusy(QueueUnusable):
    """Another program (a second copy of the application, a backup or antivirus tool) held
    the queue file locked for longer than the store waits (``BUSY_TIMEOUT_MS``)."""

    def __init__(self, detail: str) -> None:
        super().__init__(
            "Berkas antrean sedang dikunci program lain terlalu lama; data ini belum "
            "tersimpan, data yang sudah tersimpan aman. Tutup salinan aplikasi yang lain "
            "(atau program cadangan/antivirus yang membuka folder data), lalu coba lagi.",
            "Another program held the queue file locked too long; this was not saved, "
            "everything saved before is safe. Close the other copy of the application (or a "
            "backup or antivirus program using the data folder), then try again.",
            detail=detail,
        )


class KeyMissing(QueueUnusable):
    """The queue is encrypted and its key is in none of the places this PC keeps keys
    (``places``: the credential store, the key folder). Nothing can be read or saved."""

    def __init__(self, places: list[str], *, detail: str) -> None:
        where = "; ".join(places)
        super().__init__(
            "Kunci enkripsi antrean stasiun ini tidak ada di komputer ini (dicari di: "
            f"{where}). Tanpa kunci itu antrean tidak dapat dibuka; tidak ada data yang "
            "dihapus. Minta supervisor memasukkan kunci pemulihan yang dicatat saat stasiun "
            "dipasang.",
            "This station's queue encryption key is not on this PC (looked in: "
            f"{where}). Without it the queue cannot be opened; nothing was deleted. Ask a "
            "supervisor to enter the recovery key written down when the station was set up.",
            detail=detail,
        )
        self.places = places


class KeyMismatch(QueueDamaged):
    """The key kept on this PC for the queue does not open its file: the file is damaged,
    or the key was replaced (another key written in its place)."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.message_id = (
            "Berkas antrean tidak terbuka dengan kunci yang tersimpan di komputer ini: "
            "berkasnya rusak, atau kuncinya diganti. Coba dulu kunci pemulihan (bila salah, "
            "tidak ada yang diubah); bila tetap gagal, pulihkan antrean dari cadangan."
        )
        self.message_en = (
            "The queue file does not open with the key kept on this PC: the file is damaged, "
            "or the key was replaced. Try the recovery key first (nothing is changed if it is "
            "wrong); if that fails too, restore the queue from a backup."
        )


class RecoveryKeyNeeded(StoreError):
    """A command that needs the recovery key got none (no terminal, no EKTP_RECOVERY_KEY)."""

    def __init__(self) -> None:
        super().__init__(
            "Kunci pemulihan belum diberikan: ketik di terminal, atau berikan lewat masukan "
            "standar atau variabel lingkungan EKTP_RECOVERY_KEY.",
            "No recovery key given: type it on a terminal, or give it on standard input or "
            "in the environment variable EKTP_RECOVERY_KEY.",
            detail="no recovery key given",
        )


class RecoveryKeyInvalid(StoreError):
    """A recovery key that is mistyped (its checksum fails) or does not open the file."""

    def __init__(self, detail: str) -> None:
        super().__init__(
            "Kunci pemulihan salah: periksa lagi ke-56 karakternya (huruf A–Z dan angka 2–7, "
            "dalam kelompok empat), atau kunci ini milik stasiun lain. Tidak ada yang diubah.",
            "Wrong recovery key: check its 56 characters again (letters A–Z and digits 2–7, "
            "in groups of four), or it belongs to another station. Nothing was changed.",
            detail=detail,
        )


class RecoveryKeyShown(StoreError):
    """The recovery key is shown once, at set-up; a second time is refused."""

    def __init__(self, shown_at: str) -> None:
        super().__init__(
            f"Kunci pemulihan sudah ditampilkan sekali ({shown_at}) dan tidak ditampilkan "
            "lagi. Bila catatannya hilang, buat cadangan baru dan simpan kunci dari "
            "stasiun pengganti.",
            f"The recovery key was shown once already ({shown_at}) and is not shown again. "
            "If the note is lost, make a fresh backup and keep the key of a replacement "
            "station.",
            detail="recovery key shown already",
        )
        self.shown_at = shown_at


class BackupFailed(StoreError):
    """A backup of the queue could not be made in ``folder`` (missing, read-only, full, or
    the copy failed its check); the queue itself is untouched and older backups are kept."""

    def __init__(self, folder: str, detail: str) -> None:
        super().__init__(
            f"Cadangan antrean gagal dibuat di {folder}. Data di antrean aman dan cadangan "
            "lama tetap disimpan. Periksa folder cadangan: terpasang (flashdisk/disk kedua), "
            "dapat ditulisi, dan ruangnya cukup.",
            f"The queue backup could not be written to {folder}. The queue is safe and older "
            "backups are kept. Check the backup folder: plugged in (USB stick, second disk), "
            "writable, and with room to spare.",
            detail=detail,
        )
        self.folder = folder


class BackupDamaged(QueueDamaged):
    """The backup chosen for a restore is missing, empty, damaged or not a queue backup;
    nothing was restored (the queue in place is untouched)."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.message_id = (
            "Berkas cadangan ini tidak ada, kosong, rusak, atau bukan cadangan antrean; tidak "
            "dipulihkan, antrean yang ada tidak diubah. Pilih cadangan lain (yang lebih lama)."
        )
        self.message_en = (
            "This backup file is missing, empty, damaged or not a queue backup; nothing was "
            "restored and the queue in place is unchanged. Choose another (older) backup."
        )


class BackupKeyUnknown(BackupDamaged):
    """No key of this PC opens the backup chosen for a restore: made on another PC (then the
    recovery key opens it), or damaged. Nothing was restored."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.message_id = (
            "Berkas cadangan ini tidak terbuka dengan kunci komputer ini: dibuat di komputer "
            "lain (pulihkan dengan kunci pemulihan antrean itu), atau rusak. Tidak "
            "dipulihkan, antrean yang ada tidak diubah."
        )
        self.message_en = (
            "This backup file does not open with any key of this PC: it was made on another "
            "PC (restore it with that queue's recovery key), or it is damaged. Nothing was "
            "restored and the queue in place is unchanged."
        )


class ReceiptUnreadable(StoreError):
    """No receipt is kept for the entry, or it does not open with this station's key."""

    def __init__(self, detail: str) -> None:
        super().__init__(
            "Bukti entri ini tidak tersimpan di stasiun ini atau tidak dapat dibuka (rusak, "
            "atau dari stasiun lain). Cetak ulang bukti dari entri di jendela stasiun.",
            "No receipt of this entry is kept at this station, or it cannot be opened "
            "(damaged, or from another station). Print the receipt again from the entry in "
            "the station window.",
            detail=detail,
        )


class AttachmentUnreadable(StoreError):
    """A biometric part's file is missing from the attachment store, was changed, or does
    not open with this station's key."""

    def __init__(self, detail: str) -> None:
        super().__init__(
            "Berkas biometrik entri ini hilang atau rusak di stasiun ini. Rekam ulang bagian "
            "itu dari entri; data lain entri ini aman.",
            "A biometric file of this entry is missing or damaged at this station. Capture "
            "that part again from the entry; the rest of the entry is safe.",
            detail=detail,
        )


class WrongStationBackup(StoreError):
    """The backup holds entries of other stations than this one (station ids are no personal
    data: they are named, so that a replacement PC can take over the station's id)."""

    def __init__(self, backup_stations: Sequence[str] = (), this_station: str = "") -> None:
        theirs = ", ".join(backup_stations) or "?"
        super().__init__(
            f"Cadangan ini milik stasiun lain ({theirs}; stasiun ini {this_station or '?'}); "
            "tidak dipulihkan. Pilih cadangan stasiun ini — atau, bila komputer ini "
            "menggantikan stasiun itu, atur dulu ID stasiunnya sama.",
            f"This backup belongs to another station ({theirs}; this station is "
            f"{this_station or '?'}); it was not restored. Choose this station's backup — or, "
            "if this PC replaces that station, first give it the same station id.",
        )
        self.backup_stations = tuple(backup_stations)


class StationRunning(StoreError):
    def __init__(self) -> None:
        super().__init__(
            "Stasiun sedang berjalan (pengiriman aktif); tutup dulu, lalu pulihkan.",
            "The station is running (sending); close it first, then restore.",
        )


class OperatorError(StoreError):
    pass


class OperatorExistsError(OperatorError):
    def __init__(self) -> None:
        super().__init__(
            "Nama operator itu sudah terdaftar. Pilih nama lain.",
            "That operator name is already registered. Choose another.",
        )


class OperatorNotFound(OperatorError):
    def __init__(self) -> None:
        super().__init__(
            "Tidak ada operator dengan nama itu di stasiun ini.",
            "There is no operator with that name at this station.",
        )


class InvalidPinError(OperatorError):
    def __init__(self, low: int, high: int, *, supervisor: bool = False) -> None:
        who_id, who_en = (
            ("PIN supervisor", "A supervisor's PIN") if supervisor else ("PIN", "The PIN")
        )
        super().__init__(
            f"{who_id} harus {low}–{high} angka. Ketik ulang PIN.",
            f"{who_en} must be {low}–{high} digits. Type it again.",
        )


class InvalidNameError(OperatorError):
    def __init__(self, longest: int) -> None:
        super().__init__(
            f"Nama operator wajib diisi (paling panjang {longest} huruf).",
            f"The operator name is required (at most {longest} characters).",
        )


class LastSupervisorError(OperatorError):
    def __init__(self) -> None:
        super().__init__(
            "Ini supervisor aktif terakhir di stasiun ini; buat supervisor lain dulu.",
            "This is the station's last active supervisor; create another supervisor first.",
        )


# -- the centre ------------------------------------------------------------------------------


class CentreSchemaTooNew(EktpError):
    """The centre's database is at a schema revision this program does not know: a newer
    release upgraded it (central/schema.py). Nothing was changed."""

    def __init__(self, revision: str, newest: str) -> None:
        super().__init__(
            f"Basis data pusat memakai skema revisi {revision}, lebih baru dari yang dikenal "
            f"program ini (terbaru: {newest}); tidak ada yang diubah. Pakai versi ektp-station "
            "yang lebih baru.",
            f"The centre's database is at schema revision {revision}, newer than this "
            f"program knows (newest: {newest}); nothing was changed. Use a newer version of "
            "ektp-station.",
        )
        self.revision = revision


#: BundleRefused's reasons: (Bahasa Indonesia, English), each saying what to do next.
_BUNDLE_REASONS: dict[str, tuple[str, str]] = {
    "not_bundle": (
        "Berkas ini bukan bundel ektp-station, atau rusak sejak awal.",
        "This file is not an ektp-station bundle, or it is damaged from its start.",
    ),
    "truncated": (
        "Bundel ini terpotong atau rusak (salinan ke USB tidak selesai?). Ekspor ulang di stasiun.",
        "This bundle is cut short or damaged (was the copy to the USB stick finished?). "
        "Export it again at the station.",
    ),
    "signature": (
        "Tanda tangan bundel tidak cocok dengan stasiun yang disebutnya: bundel diubah atau "
        "rusak. Tidak ada yang diimpor; ekspor ulang di stasiun.",
        "The bundle's signature does not match the station it names: it was changed or is "
        "damaged. Nothing was imported; export it again at the station.",
    ),
    "unregistered": (
        "Stasiun pembuat bundel ini tidak terdaftar di pusat ini. Tidak ada yang diimpor.",
        "The station that made this bundle is not registered at this centre. Nothing was imported.",
    ),
    "revoked": (
        "Token stasiun pembuat bundel ini sudah dicabut; bundelnya tidak diterima. Daftarkan "
        "ulang stasiun itu, lalu ekspor ulang.",
        "The token of the station that made this bundle was revoked; its bundle is not taken. "
        "Register that station again, then export again.",
    ),
    "other_centre": (
        "Bundel ini dibuat untuk pusat lain (atau dengan kunci pusat yang salah). Tidak ada "
        "yang diimpor; periksa kunci pusat di stasiun.",
        "This bundle was made for another centre (or with a wrong centre key). Nothing was "
        "imported; check the centre key at the station.",
    ),
    "no_centre_key": (
        "Kunci pusat belum diatur di stasiun ini; minta kunci pusat ke pengelola pusat dan "
        "atur di pengaturan stasiun.",
        "The centre key is not set at this station; ask the centre's administrator for it "
        "and set it in the station's settings.",
    ),
    "no_token": (
        "Token stasiun belum diatur: bundel ditandatangani dengan kunci dari token stasiun.",
        "The station token is not set: bundles are signed with a key from the station token.",
    ),
    "not_receipt": (
        "Berkas ini bukan tanda terima ektp-station, atau rusak.",
        "This file is not an ektp-station receipt, or it is damaged.",
    ),
    "receipt_signature": (
        "Tanda terima ini tidak ditandatangani pusat stasiun ini (diubah, rusak, atau dari "
        "pusat lain). Tidak ada yang diubah.",
        "This receipt is not signed by this station's centre (changed, damaged, or from "
        "another centre). Nothing was changed.",
    ),
    "receipt_other_station": (
        "Tanda terima ini untuk stasiun lain. Tidak ada yang diubah.",
        "This receipt is for another station. Nothing was changed.",
    ),
    "unwritable": (
        "Berkas tidak dapat ditulis di sana (USB penuh, dilepas, atau hanya-baca). Antrean "
        "tidak berubah; coba lagi di tempat lain.",
        "The file cannot be written there (USB stick full, removed or read-only). The queue "
        "did not change; try again elsewhere.",
    ),
    "target_exists": (
        "Di sana sudah ada berkas lain dengan nama itu (bukan bundel atau tanda terima); "
        "tidak ditimpa. Pilih nama atau folder lain.",
        "Another file of that name is already there (not a bundle or a receipt); it was not "
        "written over. Choose another name or folder.",
    ),
    "centre_storage": (
        "Pusat tidak dapat menyimpan isi bundel (disk penuh, atau folder unggahan tidak dapat "
        "ditulis). Yang sudah tersimpan aman; perbaiki, lalu impor ulang: tidak ada yang "
        "tersimpan dua kali.",
        "The centre cannot store the bundle's contents (disk full, or the upload folder not "
        "writable). What is stored is safe; fix it, then import again: nothing is stored twice.",
    ),
    "busy": (
        "Pusat sedang menyimpan batch dari stasiun ini lewat jaringan; impor ulang sebentar "
        "lagi (aman diulang).",
        "The centre is storing a batch of this station from the network; import again in a "
        "moment (safe to repeat).",
    ),
    "receipt_unwritable": (
        "Bundel sudah diimpor, tetapi tanda terimanya tidak dapat ditulis di sana. Impor ulang "
        "dengan tempat tanda terima lain: aman, tidak ada yang tersimpan dua kali.",
        "The bundle was imported, but its receipt could not be written there. Import it again "
        "with another place for the receipt: safe, nothing is stored twice.",
    ),
    "unreadable": (
        "Berkas tidak dapat dibaca (USB dilepas, atau tidak ada). Tidak ada yang diubah.",
        "The file cannot be read (USB stick removed, or no such file). Nothing was changed.",
    ),
}


class BundleRefused(EktpError):
    """A USB bundle (``bundles``) or a receipt refused before anything was applied; the
    reason is one of ``_BUNDLE_REASONS`` (station ids are no personal data)."""

    REASONS: ClassVar[frozenset[str]] = frozenset(_BUNDLE_REASONS)

    def __init__(self, reason: str, detail: str | None = None) -> None:
        text_id, text_en = _BUNDLE_REASONS[reason]
        super().__init__(text_id, text_en, detail=detail or f"bundle refused: {reason}")
        self.reason = reason


class SyncError(EktpError):
    """One failed exchange with the centre. ``str(exc)`` is the short English detail."""

    MESSAGE_ID: ClassVar[str] = "Gagal menghubungi pusat."
    MESSAGE_EN: ClassVar[str] = "Could not reach the centre."

    def __init__(self, detail: str, *, retry_after: float | None = None) -> None:
        super().__init__(self.MESSAGE_ID, self.MESSAGE_EN, detail=detail)
        self.retry_after = retry_after


class TransientError(SyncError):
    pass


class LinkDown(TransientError):
    MESSAGE_ID = "Jaringan ke pusat terputus; entri aman di antrean dan dikirim otomatis."
    MESSAGE_EN = "The link to the centre is down; entries are safe and will be sent."


class CentreBusy(TransientError):
    MESSAGE_ID = "Server pusat sedang sibuk; pengiriman diulang otomatis."
    MESSAGE_EN = "The centre is busy; sending is retried automatically."


class RefusedError(SyncError):
    pass


class AuthRefused(RefusedError):
    MESSAGE_ID = "Pusat menolak token stasiun ini. Minta supervisor memeriksa pengaturan."
    MESSAGE_EN = "The centre refused this station's token. Ask a supervisor to check settings."


class ProtocolUnsupported(RefusedError):
    MESSAGE_ID = (
        "Pusat belum mendukung versi protokol stasiun ini; entri aman di antrean. "
        "Minta petugas TI memperbarui server pusat."
    )
    MESSAGE_EN = (
        "The centre does not support this station's protocol version yet; entries are safe. "
        "Ask IT to update the central server."
    )


class StationClockWrong(RefusedError):
    MESSAGE_ID = (
        "Tanggal dan jam komputer ini salah, jadi entri tidak dikirim (tetap aman di antrean). "
        "Perbaiki tanggal dan jam, lalu kirim lagi."
    )
    MESSAGE_EN = (
        "This PC's date and time are wrong, so nothing is sent (entries stay safe in the "
        "queue). Fix the date and time, then send again."
    )


class BatchTooLarge(RefusedError):
    MESSAGE_ID = "Kiriman terlalu besar; dikirim dalam bagian lebih kecil."
    MESSAGE_EN = "The batch is too large; it is sent in smaller parts."


class CertificateRefused(RefusedError):
    """The centre's TLS certificate did not verify (unknown authority, expired, wrong name):
    nothing was sent, and it will not verify by itself; the settings or the centre must
    change. Not split like a refused batch: the engine waits as for :class:`AuthRefused`."""

    MESSAGE_ID = (
        "Sertifikat pusat tidak sah; tidak ada yang dikirim, entri aman di antrean. "
        "Minta supervisor memeriksa berkas CA pusat di pengaturan."
    )
    MESSAGE_EN = (
        "The centre's certificate is not valid; nothing was sent, entries are safe. "
        "Ask a supervisor to check the centre's CA file in the settings."
    )


class BadRequest(RefusedError):
    MESSAGE_ID = "Pusat tidak dapat membaca kiriman ini."
    MESSAGE_EN = "The centre cannot read this batch."


class WireError(EktpError):
    """Base of what ``sync.protocol`` raises about a reply."""

    def __init__(self, detail: str) -> None:
        super().__init__(
            "Balasan pusat tidak dapat dibaca; pengiriman diulang otomatis.",
            "The centre's reply could not be read; sending is retried automatically.",
            detail=detail,
        )


class ProtocolError(WireError):
    """The reply is not this protocol's JSON; the station treats it as a transient failure."""


class NotProtocolJSON(ProtocolError):
    """Wrong content type (e.g. a captive portal's HTML), truncated or malformed JSON."""


class ProtocolVersionError(ProtocolError):
    """The reply speaks another protocol version."""


class ResultsMismatch(ProtocolError):
    """The results do not answer exactly the entry ids sent (missing, extra or duplicated)."""
