"""Errors of one exchange with the centre, as the sync engine sorts them.

    SyncError
    ├── TransientError        try again later: the batch goes back to pending
    │   ├── LinkDown          no answer: connect error, timeout, reset, stalled transfer,
    │   │                      or a reply that is not the protocol (captive portal, truncation)
    │   └── CentreBusy        the centre answered 5xx / 429 (``retry_after`` when it said so)
    └── RefusedError          the centre refuses the request itself; retrying as is won't help
        ├── AuthRefused       401 / 403: the token or station id is wrong (a supervisor fixes it)
        ├── BatchTooLarge     413: send fewer entries at a time
        └── BadRequest        400 / 422: the centre cannot read this batch

``str(exc)`` is short English for logs (no tokens, no personal data); ``message_id`` is for
operators, in Bahasa Indonesia.
"""

from __future__ import annotations

__all__ = [
    "AuthRefused",
    "BadRequest",
    "BatchTooLarge",
    "CentreBusy",
    "LinkDown",
    "RefusedError",
    "SyncError",
    "TransientError",
]


class SyncError(Exception):
    message_id = "Gagal menghubungi pusat."

    def __init__(self, detail: str, *, retry_after: float | None = None) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


class TransientError(SyncError):
    pass


class LinkDown(TransientError):
    message_id = "Jaringan ke pusat terputus; entri aman di antrean dan dikirim otomatis."


class CentreBusy(TransientError):
    message_id = "Server pusat sedang sibuk; pengiriman diulang otomatis."


class RefusedError(SyncError):
    pass


class AuthRefused(RefusedError):
    message_id = "Pusat menolak token stasiun ini. Minta supervisor memeriksa pengaturan."


class BatchTooLarge(RefusedError):
    message_id = "Kiriman terlalu besar; dikirim dalam bagian lebih kecil."


class BadRequest(RefusedError):
    message_id = "Pusat tidak dapat membaca kiriman ini."
