"""Errors of one exchange with the centre: defined in :mod:`ektp_station.errors` (the one
tree), re-exported here for the sync layer."""

from __future__ import annotations

from ..errors import (
    AuthRefused,
    BadRequest,
    BatchTooLarge,
    CentreBusy,
    LinkDown,
    ProtocolUnsupported,
    RefusedError,
    SyncError,
    TransientError,
)

__all__ = [
    "AuthRefused",
    "BadRequest",
    "BatchTooLarge",
    "CentreBusy",
    "LinkDown",
    "ProtocolUnsupported",
    "RefusedError",
    "SyncError",
    "TransientError",
]
