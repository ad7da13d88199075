"""Operator accounts and signing in (use cases of :class:`~.service.Station`).

Wrong PINs are counted per name in the queue's database (not in a dialog that a new dialog
resets, nor in a process that a restart resets): after ``MAX_ATTEMPTS`` in a row that name is
locked, ``LOCK_SECONDS`` the first time and twice as long at each lockout after it (up to
``MAX_LOCK_SECONDS``) until a right PIN or a supervisor's PIN reset. An unknown name counts like
a known one, so the lock tells nothing about which names exist.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from ..errors import AccountDisabled, NotAllowed, SignInLocked, SignInRefused
from ..store.operators import ROLES, Operator, Operators, normalise_name
from .roles import Actor, Permission, require

__all__ = ["LOCK_SECONDS", "MAX_ATTEMPTS", "MAX_LOCK_SECONDS", "Accounts", "lock_seconds"]

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
LOCK_SECONDS = 30
MAX_LOCK_SECONDS = 3600


def lock_seconds(lockouts: int) -> float:
    """How long the ``lockouts``-th lock in a row lasts: 30 s, 60 s, 2 min, … ≤ 1 hour."""
    return float(min(MAX_LOCK_SECONDS, LOCK_SECONDS * 2 ** max(0, min(lockouts - 1, 20))))


class Accounts:
    """``clock``: seconds since the epoch (a lock outlives the process, so wall time)."""

    def __init__(self, store: Operators, *, clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self._clock = clock

    # -- signing in --------------------------------------------------------------------------

    def first_run(self) -> bool:
        """No account yet: the first one created becomes the station's supervisor."""
        return self.store.count() == 0

    def names(self) -> list[str]:
        """Active account names, for the sign-in completer."""
        return [o.name for o in self.store.accounts() if o.active]

    def sign_in(self, name: str, pin: str) -> Actor:
        key = normalise_name(name)
        self._refuse_if_locked(key)
        operator = self.store.verify(name, pin)
        if operator is None:
            now = self._clock()
            failed = self.store.record_failure(
                key, now=now, max_attempts=MAX_ATTEMPTS, lock_for=lock_seconds
            )
            if failed.locked_until is not None:
                log.warning(
                    "sign-in refused; name locked (lockout %d in a row)",
                    failed.lockouts,
                    extra={"file_only": True},  # the person reads the translated refusal
                )
                raise SignInLocked(int(lock_seconds(failed.lockouts)), MAX_ATTEMPTS)
            log.warning("sign-in refused (%d in a row)", failed.failures, extra={"file_only": True})
            raise SignInRefused()
        self.store.clear_failures(key)
        if not operator.active:
            log.warning("sign-in refused: account disabled", extra={"file_only": True})
            raise AccountDisabled()
        self.store.record_sign_in(operator.name)
        return Actor.of(operator)

    def _refuse_if_locked(self, key: str) -> None:
        state = self.store.failures(key)
        if state.locked_until is None:
            return
        # a clock set back must not lengthen the lock beyond what this lockout gives
        left = min(state.locked_until - self._clock(), lock_seconds(state.lockouts))
        if left > 0:
            raise SignInLocked(int(left + 0.999), MAX_ATTEMPTS)

    # -- managing accounts -------------------------------------------------------------------

    def add(self, actor: Actor | None, name: str, pin: str, role: str) -> Operator:
        """Create an account. The station's first account is its supervisor, whoever asks;
        after that only a supervisor adds accounts."""
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}")
        if not self.first_run():
            require(actor, Permission.MANAGE_ACCOUNTS)
        created = self.store.create(name, pin, role=role)
        log.info("operator account created (%s)", created.role)
        return created

    def list(self, actor: Actor | None) -> list[Operator]:
        require(actor, Permission.MANAGE_ACCOUNTS)
        return self.store.accounts()

    def set_active(self, actor: Actor | None, name: str, active: bool) -> Operator:
        require(actor, Permission.MANAGE_ACCOUNTS)
        if actor is not None and not actor.console and normalise_name(name) == actor.name:
            if not active:
                raise NotAllowed("menonaktifkan akun sendiri", "disable your own account")
        changed = self.store.set_active(name, active)
        log.info("operator account %s", "enabled" if active else "disabled")
        return changed

    def reset_pin(self, actor: Actor | None, name: str, pin: str) -> Operator:
        """A supervisor sets a new PIN (for a forgotten one); it also lifts a sign-in lock."""
        require(actor, Permission.MANAGE_ACCOUNTS)
        changed = self.store.set_pin(name, pin)  # lifts the name's lock too
        log.info("operator PIN reset by a supervisor")
        return changed
