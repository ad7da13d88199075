"""A stateful property test of the sign-in lockout over the real queue: random right and wrong
PINs for known and unknown names, time passing (also backwards), restarts of the program and
PIN resets, checked at every step against a model of the rule:

- ``MAX_ATTEMPTS`` wrong PINs in a row lock a name; the k-th lockout in a row lasts
  ``lock_seconds(k)``; a locked name is refused even with the right PIN, and says for how long;
- a right PIN (outside a lock) or a supervisor's reset starts the name again at zero;
- nothing of it is lost when the program restarts (a new core over the same file).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from ektp_station.errors import SignInLocked, SignInRefused
from ektp_station.station.accounts import MAX_ATTEMPTS, Accounts, lock_seconds
from ektp_station.store import Queue
from ektp_station.store import operators as operators_module
from ektp_station.store.operators import Operators

PINS = {"SUPER": "123456", "SITI": "2468"}
NAMES = st.sampled_from([*PINS, "NOBODY"])


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Expect:
    failures: int = 0
    lockouts: int = 0
    until: float | None = None


@settings(
    max_examples=15,
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
class LockoutMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        # a cheap hash for this machine's many sign-ins: the rule under test is the lockout
        # (the cost is stored with each hash, so the accounts made here verify as made)
        self._cost = operators_module._SCRYPT_N
        operators_module._SCRYPT_N = 2**8
        self.folder = Path(tempfile.mkdtemp(prefix="ektp-lockout-"))
        self.queue = Queue.open(self.folder)
        store = Operators(self.queue.engine)
        for name, pin in PINS.items():
            store.create(name, pin, role="supervisor" if name == "SUPER" else "operator")
        self.clock = Clock()
        self.accounts = Accounts(store, clock=self.clock)
        self.model = {name: Expect() for name in [*PINS, "NOBODY"]}

    def _left(self, expect: Expect) -> float:
        if expect.until is None:
            return 0.0
        return min(expect.until - self.clock.now, lock_seconds(expect.lockouts))

    @rule(name=NAMES, right=st.booleans())
    def try_pin(self, name: str, right: bool) -> None:
        expect = self.model[name]
        pin = PINS.get(name, "0000") if right else "999999"
        if self._left(expect) > 0:
            with pytest.raises(SignInLocked) as locked:
                self.accounts.sign_in(name, pin)
            assert 0 < locked.value.seconds <= lock_seconds(expect.lockouts)
            return
        if right and name in PINS:
            assert self.accounts.sign_in(name, pin).name == name
            self.model[name] = Expect()
            return
        expect.failures += 1
        if expect.failures >= MAX_ATTEMPTS:
            expect.failures = 0
            expect.lockouts += 1
            expect.until = self.clock.now + lock_seconds(expect.lockouts)
            with pytest.raises(SignInLocked) as locked:
                self.accounts.sign_in(name, pin)
            assert locked.value.seconds == int(lock_seconds(expect.lockouts))
        else:
            expect.until = None  # a lock that ended is over, also if the clock is set back
            with pytest.raises(SignInRefused):
                self.accounts.sign_in(name, pin)

    @rule(name=NAMES)
    def a_run_of_wrong_pins(self, name: str) -> None:
        """Someone guessing: enough wrong PINs in a row to reach the next lock."""
        for _ in range(MAX_ATTEMPTS):
            self.try_pin(name, right=False)

    @rule(seconds=st.sampled_from([1.0, 29.0, 31.0, 61.0, 500.0, 4000.0, -86_400.0]))
    def time_passes(self, seconds: float) -> None:
        self.clock.now += seconds

    @rule()
    def restart(self) -> None:
        self.queue.close()
        self.queue = Queue.open(self.folder)
        self.accounts = Accounts(Operators(self.queue.engine), clock=self.clock)

    @rule(name=st.sampled_from(list(PINS)))
    def supervisor_resets_the_pin(self, name: str) -> None:
        self.accounts.store.set_pin(name, PINS[name])
        self.model[name] = Expect()

    @invariant()
    def the_store_holds_the_model(self) -> None:
        for name, expect in self.model.items():
            stored = self.accounts.store.failures(name)
            assert (stored.failures, stored.lockouts) == (expect.failures, expect.lockouts)

    def teardown(self) -> None:
        operators_module._SCRYPT_N = self._cost
        self.queue.close()
        for path in sorted(self.folder.rglob("*"), reverse=True):
            path.unlink() if path.is_file() else path.rmdir()
        self.folder.rmdir()


TestLockout = LockoutMachine.TestCase
