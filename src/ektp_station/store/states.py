"""The queue's state machine: named states and the allowed transitions, in one place."""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "DECIDED",
    "EDITABLE",
    "MUST_RETURN",
    "RECORDED",
    "TRANSITIONS",
    "UNSYNCED",
    "WAITING",
    "State",
    "can_transition",
]


class State(StrEnum):
    PENDING = "pending"  # saved, waiting to be sent
    SENDING = "sending"  # claimed by a sync engine, in flight
    SYNCED = "synced"  # the centre accepted it (terminal)
    REJECTED = "rejected"  # the centre found field errors; fix and resend
    CONFLICT = "conflict"  # the centre holds this NIK already; a supervisor decides
    DISCARDED = "discarded"  # withdrawn by an operator or supervisor (terminal)
    RESOLVED = "resolved"  # a conflict a supervisor closed: the resident is recorded (terminal)
    UPLOADING = "uploading"  # the centre holds the biodata; biometric parts still on their way


TRANSITIONS: dict[State, frozenset[State]] = {
    State.PENDING: frozenset({State.SENDING, State.DISCARDED}),
    State.SENDING: frozenset(
        {State.SYNCED, State.UPLOADING, State.REJECTED, State.CONFLICT, State.PENDING}
    ),
    State.UPLOADING: frozenset({State.SYNCED}),  # once the centre verified every part
    State.REJECTED: frozenset({State.PENDING, State.DISCARDED}),
    State.CONFLICT: frozenset({State.PENDING, State.DISCARDED, State.RESOLVED}),
    State.SYNCED: frozenset(),
    State.DISCARDED: frozenset(),
    State.RESOLVED: frozenset(),
}

#: States whose record may be corrected (a correction is a new revision, back to pending).
EDITABLE = frozenset({State.PENDING, State.REJECTED, State.CONFLICT})
#: States in which the same NIK may not be captured again (the resident is still waiting).
WAITING = frozenset({State.PENDING, State.SENDING, State.REJECTED})
#: States in which the resident counts as recorded here: capturing the NIK again is refused.
RECORDED = frozenset({State.SYNCED, State.CONFLICT, State.RESOLVED, State.UPLOADING})
#: States that have not reached the centre whole (and were not withdrawn).
UNSYNCED = frozenset(
    {State.PENDING, State.SENDING, State.REJECTED, State.CONFLICT, State.UPLOADING}
)


def can_transition(old: State | str, new: State | str) -> bool:
    return State(new) in TRANSITIONS[State(old)]


#: The centre's decisions on an entry delivered whole with its parts (store/enrolment.py);
#: an entry's ``enrolment`` is one of them, or "due" (to ask), or None (biodata only).
DECIDED = ("print_ready", "duplicate", "adjudication")
#: the decisions after which the resident has to come back to the counter
MUST_RETURN = ("duplicate", "adjudication")
