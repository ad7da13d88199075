"""Operator accounts and signing in (use cases of :class:`~.service.Station`).

Wrong PINs are counted per name in the core (not in a dialog that a new dialog resets):
after ``MAX_ATTEMPTS`` in a row that name is locked for ``LOCK_SECONDS``; an unknown name
counts like a known one, so the lock tells nothing about which names exist.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from ..errors import AccountDisabled, NotAllowed, SignInLocked, SignInRefused
from ..store.operators import ROLES, Operator, Operators, normalise_name
from .roles import Actor, Permission, require

__all__ = ["LOCK_SECONDS", "MAX_ATTEMPTS", "Accounts"]

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
LOCK_SECONDS = 30


class Accounts:
    def __init__(self, store: Operators, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.store = store
        self._clock = clock
        self._failures: dict[str, int] = {}
        self._locked_until: dict[str, float] = {}
        self._lock = threading.Lock()

    # -- signing in --------------------------------------------------------------------------

    def first_run(self) -> bool:
        """No account yet: the first one created becomes the station's supervisor."""
        return self.store.count() == 0

    def names(self) -> list[str]:
        """Active account names, for the sign-in completer."""
        return [o.name for o in self.store.accounts() if o.active]

    def sign_in(self, name: str, pin: str) -> Actor:
        key = normalise_name(name)
        with self._lock:
            until = self._locked_until.get(key, 0.0)
            now = self._clock()
            if now < until:
                raise SignInLocked(int(until - now + 0.999), MAX_ATTEMPTS)
        operator = self.store.verify(name, pin)
        if operator is None:
            with self._lock:
                failures = self._failures.get(key, 0) + 1
                self._failures[key] = failures
                log.warning("sign-in refused (%d in a row)", failures)
                if failures >= MAX_ATTEMPTS:
                    self._failures[key] = 0
                    self._locked_until[key] = self._clock() + LOCK_SECONDS
                    raise SignInLocked(LOCK_SECONDS, MAX_ATTEMPTS)
            raise SignInRefused()
        with self._lock:
            self._failures.pop(key, None)
            self._locked_until.pop(key, None)
        if not operator.active:
            log.warning("sign-in refused: account disabled")
            raise AccountDisabled()
        self.store.record_sign_in(operator.name)
        return Actor.of(operator)

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
        changed = self.store.set_pin(name, pin)
        with self._lock:
            key = normalise_name(name)
            self._failures.pop(key, None)
            self._locked_until.pop(key, None)
        log.info("operator PIN reset by a supervisor")
        return changed
