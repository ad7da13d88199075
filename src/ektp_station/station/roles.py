"""Who acts, and what their role allows: the role rules of the station, in one place.

An :class:`Actor` is the signed-in operator (the window, or the command line with ``--as
NAME``) or the station's console (the command line without ``--as``: an operator's rights,
a supervisor's only while the station has no account yet; see ``cli_auth.py``).
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass

from ..errors import NotAllowed
from ..store.operators import ROLE_OPERATOR, ROLE_SUPERVISOR, Operator

__all__ = ["Actor", "Permission", "os_user_name", "require"]


@dataclass(frozen=True, slots=True)
class Actor:
    name: str  # written on entries and in the audit trail
    role: str  # "operator" | "supervisor"
    console: bool = False  # the command line, not a signed-in account

    @property
    def is_supervisor(self) -> bool:
        return self.role == ROLE_SUPERVISOR

    @classmethod
    def of(cls, operator: Operator) -> Actor:
        return cls(operator.name, operator.role)

    @classmethod
    def console_user(cls, name: str) -> Actor:
        """The console with a supervisor's rights: setting up a station with no account."""
        return cls(name, ROLE_SUPERVISOR, console=True)

    @classmethod
    def console_operator(cls, name: str) -> Actor:
        """The console once the station has accounts: an operator's rights (``--as`` for
        more)."""
        return cls(name, ROLE_OPERATOR, console=True)

    @classmethod
    def operator(cls, name: str) -> Actor:
        return cls(name, ROLE_OPERATOR)


class Permission:
    """What only a supervisor may do: (Bahasa Indonesia, English) phrases for the message."""

    DISCARD_CONFLICT = ("membatalkan entri konflik", "discard a conflict entry")
    RESOLVE_CONFLICT = ("menyelesaikan konflik", "resolve a conflict")
    CORRECT_CONFLICT = ("memperbaiki entri konflik", "correct a conflict entry")
    RESEND_CONFLICT = ("mengirim ulang entri konflik", "resend a conflict entry")
    CHANGE_SETTINGS = ("mengubah pengaturan", "change the settings")
    MANAGE_ACCOUNTS = ("mengelola akun operator", "manage operator accounts")
    SEE_FULL_NIK = ("melihat NIK lengkap", "see full NIKs")
    RESTORE_QUEUE = ("memulihkan antrean dari cadangan", "restore the queue from a backup")
    PURGE = ("menghapus data pribadi entri", "purge the personal data of entries")
    SEE_RECOVERY_KEY = ("melihat kunci pemulihan", "see the recovery key")
    CARRY_BUNDLE = (
        "membawa antrean lewat USB (ekspor bundel, impor tanda terima)",
        "carry the queue by USB (export a bundle, import a receipt)",
    )


def require(actor: Actor | None, permission: tuple[str, str]) -> Actor:
    """``actor`` if a supervisor; NotAllowed otherwise (also when nobody is signed in)."""
    if actor is None or not actor.is_supervisor:
        raise NotAllowed(*permission)
    return actor


def os_user_name() -> str:
    """The OS user's name in capitals: the console's name in the audit trail."""
    try:
        name = getpass.getuser()
    except (OSError, KeyError):  # no user name in the environment or the passwd database
        name = ""
    return name.strip().upper()[:60] or "OPERATOR"
