"""The exception tree of ektp-station's core, drawn once here.

    EktpError
    ├── ConfigError            settings missing or unreadable
    └── StoreError             the local queue
        ├── SchemaError        database newer than this program, or damaged
        ├── EntryNotFound      no entry with that number / id
        ├── TransitionError    the entry's state does not allow the action
        ├── DuplicateNikError  the resident is already waiting in the queue
        ├── DuplicateEntryError  an entry with that id is already in the queue
        └── (store/operators.py) OperatorExistsError, InvalidPinError, InvalidNameError:
            operator accounts (a name taken, a wrong or malformed PIN, a bad name)

Each carries a message in Bahasa Indonesia (``message_id``) and English (``message_en``) that
says what to do next. ``str(exc)`` is the English text, for logs; it never contains personal data.
"""

from __future__ import annotations

__all__ = [
    "ConfigError",
    "DuplicateEntryError",
    "DuplicateNikError",
    "EktpError",
    "EntryNotFound",
    "SchemaError",
    "StoreError",
    "TransitionError",
]


class EktpError(Exception):
    """Base of every error this package raises on purpose."""

    def __init__(self, message_id: str, message_en: str) -> None:
        super().__init__(message_en)
        self.message_id = message_id
        self.message_en = message_en

    def message(self, lang: str = "id") -> str:
        return self.message_en if lang == "en" else self.message_id


class ConfigError(EktpError):
    pass


class StoreError(EktpError):
    pass


class SchemaError(StoreError):
    pass


class EntryNotFound(StoreError):
    pass


class TransitionError(StoreError):
    def __init__(self, seq: int, state: str, action: str) -> None:
        super().__init__(
            f"Entri #{seq} berstatus {state}; tindakan '{action}' tidak diizinkan pada status itu.",
            f"Entry #{seq} is {state}; '{action}' is not allowed in that state.",
        )
        self.seq = seq
        self.state = state
        self.action = action


class DuplicateNikError(StoreError):
    """The same NIK is already waiting (pending, sending or rejected) in this queue."""

    def __init__(self, seq: int, entry_id: str, state: str) -> None:
        super().__init__(
            f"Penduduk dengan NIK ini sudah ada di antrean: entri #{seq} ({state}). "
            "Buka entri itu untuk memperbaikinya, jangan merekam ulang.",
            f"A resident with this NIK is already in the queue: entry #{seq} ({state}). "
            "Open that entry to correct it instead of recording again.",
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
