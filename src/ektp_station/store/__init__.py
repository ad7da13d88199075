"""The durable local queue (SQLAlchemy 2 over SQLite). No Qt here."""

from .entry import AuditEvent, Entry, Outcome
from .lock import ProcessLock
from .queue import DB_FILENAME, Queue
from .states import EDITABLE, RECORDED, TRANSITIONS, UNSYNCED, WAITING, State, can_transition
from .status import OperatorCounts, QueueStatus

__all__ = [
    "DB_FILENAME",
    "EDITABLE",
    "RECORDED",
    "TRANSITIONS",
    "UNSYNCED",
    "WAITING",
    "AuditEvent",
    "Entry",
    "OperatorCounts",
    "Outcome",
    "ProcessLock",
    "Queue",
    "QueueStatus",
    "State",
    "can_transition",
]
