"""Signing in (the lockout lives in the core, per name) and managing operator accounts."""

from __future__ import annotations

from datetime import timedelta

import pytest

from ektp_station.errors import (
    AccountDisabled,
    InvalidPinError,
    LastSupervisorError,
    NotAllowed,
    SignInLocked,
    SignInRefused,
)
from ektp_station.station import Actor, Station
from ektp_station.station.accounts import (
    LOCK_SECONDS,
    MAX_ATTEMPTS,
    MAX_LOCK_SECONDS,
    Accounts,
    lock_seconds,
)
from ektp_station.store.operators import Operators
from ektp_station.timeutil import utc_now

from .support import OPERATOR, OPERATOR_PIN, SUPERVISOR, SUPERVISOR_PIN, OpenStation

WRONG = "9876"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _fail(sign_in: object, name: str, times: int) -> None:
    for _ in range(times):
        with pytest.raises(SignInRefused):
            sign_in(name, WRONG)  # type: ignore[operator]


# -- the lockout --------------------------------------------------------------------------------


def test_five_wrong_pins_lock_the_name_even_for_the_right_pin(station: Station) -> None:
    _fail(station.sign_in, OPERATOR, MAX_ATTEMPTS - 1)

    with pytest.raises(SignInLocked) as locked:
        station.sign_in(OPERATOR, WRONG)

    assert locked.value.seconds == LOCK_SECONDS
    with pytest.raises(SignInLocked):
        station.sign_in(OPERATOR, OPERATOR_PIN)
    assert station.actor is None


def test_the_lock_holds_for_every_caller_of_the_core(station: Station) -> None:
    """A new sign-in dialog (another caller of the same core) does not reset the count."""
    _fail(station.sign_in, OPERATOR, 3)
    _fail(station.accounts.sign_in, OPERATOR, 1)

    with pytest.raises(SignInLocked):
        station.accounts.sign_in(OPERATOR, WRONG)  # the fifth, through another path
    with pytest.raises(SignInLocked):
        station.sign_in(OPERATOR, OPERATOR_PIN)


def test_the_lock_is_per_name_and_names_are_compared_normalised(station: Station) -> None:
    _fail(station.sign_in, "  operator   uji ", MAX_ATTEMPTS - 1)
    with pytest.raises(SignInLocked):
        station.sign_in("Operator Uji", WRONG)

    with pytest.raises(SignInLocked):
        station.sign_in(OPERATOR, OPERATOR_PIN)
    actor = station.sign_in(SUPERVISOR, SUPERVISOR_PIN)  # another name: not locked
    assert actor == Actor(SUPERVISOR, "supervisor")


def test_unknown_names_take_the_same_path(station: Station) -> None:
    _fail(station.sign_in, "TIDAK ADA", MAX_ATTEMPTS - 1)

    with pytest.raises(SignInLocked) as unknown:
        station.sign_in("TIDAK ADA", WRONG)

    _fail(station.sign_in, OPERATOR, MAX_ATTEMPTS - 1)
    with pytest.raises(SignInLocked) as known:
        station.sign_in(OPERATOR, WRONG)
    assert unknown.value.message("id") == known.value.message("id")
    assert unknown.value.message("en") == known.value.message("en")
    assert unknown.value.seconds == known.value.seconds


def test_a_good_sign_in_resets_the_count(station: Station) -> None:
    _fail(station.sign_in, OPERATOR, MAX_ATTEMPTS - 1)
    station.sign_in(OPERATOR, OPERATOR_PIN)
    station.sign_out()

    _fail(station.sign_in, OPERATOR, MAX_ATTEMPTS - 1)  # four again, still not locked
    assert station.sign_in(OPERATOR, OPERATOR_PIN).name == OPERATOR


def test_the_lock_ends_after_its_time(station: Station) -> None:
    clock = Clock()
    accounts = Accounts(Operators(station.queue.engine), clock=clock)
    _fail(accounts.sign_in, OPERATOR, MAX_ATTEMPTS - 1)
    with pytest.raises(SignInLocked):
        accounts.sign_in(OPERATOR, WRONG)

    clock.now += LOCK_SECONDS - 1
    with pytest.raises(SignInLocked) as still:
        accounts.sign_in(OPERATOR, OPERATOR_PIN)
    assert 1 <= still.value.seconds <= 2

    clock.now += 1.5
    assert accounts.sign_in(OPERATOR, OPERATOR_PIN).name == OPERATOR


def test_the_lock_and_the_count_outlive_a_restart(
    open_station: OpenStation, station: Station
) -> None:
    _fail(station.sign_in, OPERATOR, 2)
    station.close()  # the program ends; a new one opens the same queue
    again = open_station()
    _fail(again.sign_in, OPERATOR, MAX_ATTEMPTS - 3)  # the count went on: 4 now
    with pytest.raises(SignInLocked):
        again.sign_in(OPERATOR, WRONG)
    again.close()
    third = open_station()
    with pytest.raises(SignInLocked) as still:
        third.sign_in(OPERATOR, OPERATOR_PIN)  # locked across the restart, even the right PIN
    assert 1 <= still.value.seconds <= LOCK_SECONDS


def test_each_lockout_in_a_row_lasts_longer(station: Station) -> None:
    clock = Clock()
    accounts = Accounts(Operators(station.queue.engine), clock=clock)
    waits = []
    for _round in range(4):
        _fail(accounts.sign_in, OPERATOR, MAX_ATTEMPTS - 1)
        with pytest.raises(SignInLocked) as locked:
            accounts.sign_in(OPERATOR, WRONG)
        waits.append(locked.value.seconds)
        clock.now += locked.value.seconds  # the lock ends; the next wrong PINs lock again
    assert waits == [LOCK_SECONDS, 2 * LOCK_SECONDS, 4 * LOCK_SECONDS, 8 * LOCK_SECONDS]
    assert lock_seconds(50) == MAX_LOCK_SECONDS
    # a right PIN ends the series: the next lock is short again
    assert accounts.sign_in(OPERATOR, OPERATOR_PIN).name == OPERATOR
    _fail(accounts.sign_in, OPERATOR, MAX_ATTEMPTS - 1)
    with pytest.raises(SignInLocked) as fresh:
        accounts.sign_in(OPERATOR, WRONG)
    assert fresh.value.seconds == LOCK_SECONDS


def test_a_clock_set_back_does_not_lengthen_the_lock(station: Station) -> None:
    clock = Clock()
    accounts = Accounts(Operators(station.queue.engine), clock=clock)
    _fail(accounts.sign_in, OPERATOR, MAX_ATTEMPTS - 1)
    with pytest.raises(SignInLocked):
        accounts.sign_in(OPERATOR, WRONG)
    clock.now -= 10 * 86_400  # someone sets the PC's date back ten days
    with pytest.raises(SignInLocked) as locked:
        accounts.sign_in(OPERATOR, OPERATOR_PIN)
    assert locked.value.seconds <= LOCK_SECONDS


def test_a_supervisors_pin_has_at_least_six_digits(station: Station) -> None:
    station.sign_in(SUPERVISOR, SUPERVISOR_PIN)
    with pytest.raises(InvalidPinError) as short:
        station.add_operator("KEPALA", "12345", role="supervisor")
    assert "PIN supervisor harus 6–12 angka" in short.value.message("id")
    assert station.add_operator("PETUGAS", "1234").role == "operator"  # operators: 4 digits
    with pytest.raises(InvalidPinError):
        station.reset_pin(SUPERVISOR, "1234")
    assert station.reset_pin(OPERATOR, "4321").name == OPERATOR


def test_a_supervisor_resetting_the_pin_lifts_the_lock(station: Station) -> None:
    _fail(station.sign_in, OPERATOR, MAX_ATTEMPTS - 1)
    with pytest.raises(SignInLocked):
        station.sign_in(OPERATOR, WRONG)
    station.sign_in(SUPERVISOR, SUPERVISOR_PIN)

    station.reset_pin(OPERATOR, "2468")
    station.sign_out()

    assert station.sign_in(OPERATOR, "2468").name == OPERATOR


# -- disabled accounts, last sign-in ------------------------------------------------------------


def test_a_disabled_account_cannot_sign_in(station: Station) -> None:
    station.sign_in(SUPERVISOR, SUPERVISOR_PIN)
    station.set_operator_active(OPERATOR, False)
    station.sign_out()

    with pytest.raises(AccountDisabled):
        station.sign_in(OPERATOR, OPERATOR_PIN)
    with pytest.raises(SignInRefused):  # a wrong PIN says nothing about the account
        station.sign_in(OPERATOR, WRONG)
    assert station.actor is None
    assert OPERATOR not in station.accounts.names()

    station.sign_in(SUPERVISOR, SUPERVISOR_PIN)
    station.set_operator_active(OPERATOR, True)
    station.sign_out()
    assert station.sign_in(OPERATOR, OPERATOR_PIN).name == OPERATOR


def test_the_last_sign_in_is_recorded(station: Station) -> None:
    before = station.accounts.store.get(OPERATOR)
    assert before is not None and before.last_sign_in_at is None

    with pytest.raises(SignInRefused):
        station.sign_in(OPERATOR, WRONG)
    refused = station.accounts.store.get(OPERATOR)
    assert refused is not None and refused.last_sign_in_at is None

    station.sign_in(OPERATOR, OPERATOR_PIN)
    after = station.accounts.store.get(OPERATOR)
    assert after is not None and after.last_sign_in_at is not None
    assert abs(utc_now() - after.last_sign_in_at) < timedelta(minutes=1)


def test_the_first_account_is_the_supervisor_and_signed_in(open_station: OpenStation) -> None:
    station = open_station()
    assert station.accounts.first_run()

    actor = station.create_first_account("kepala  seksi", "135791")

    assert actor == Actor("KEPALA SEKSI", "supervisor")
    assert station.actor == actor and station.is_supervisor
    created = station.accounts.store.get("KEPALA SEKSI")
    assert created is not None and created.last_sign_in_at is not None
    with pytest.raises(NotAllowed):  # only on a station without accounts
        station.create_first_account("ORANG LAIN", "246802")


def test_the_first_account_is_a_supervisor_whatever_role_is_asked(
    open_station: OpenStation,
) -> None:
    station = open_station()

    created = station.add_operator("PERTAMA", "135791", role="operator")

    assert created.role == "supervisor"
    with pytest.raises(NotAllowed):  # the second needs a supervisor signed in
        station.add_operator("KEDUA", "2468")
    station.sign_in("PERTAMA", "135791")
    assert station.add_operator("KEDUA", "2468").role == "operator"
    assert station.add_operator("KETIGA", "357913", role="supervisor").role == "supervisor"


# -- who may disable whom -----------------------------------------------------------------------


def test_the_last_active_supervisor_cannot_be_disabled(station: Station) -> None:
    station.act_as(Actor.console_user("ADMIN PC"))  # the console may disable anyone…

    with pytest.raises(LastSupervisorError):  # …but not the station's last supervisor
        station.set_operator_active(SUPERVISOR, False)

    station.add_operator("SUPERVISOR DUA", "567890", role="supervisor")
    station.set_operator_active(SUPERVISOR, False)  # now there is another one
    with pytest.raises(LastSupervisorError):
        station.set_operator_active("SUPERVISOR DUA", False)
    active = [o.name for o in station.operators() if o.active and o.is_supervisor]
    assert active == ["SUPERVISOR DUA"]


def test_a_disabled_supervisor_does_not_count_as_the_other_one(station: Station) -> None:
    station.act_as(Actor.console_user("ADMIN PC"))
    station.add_operator("SUPERVISOR DUA", "567890", role="supervisor")
    station.set_operator_active("SUPERVISOR DUA", False)

    with pytest.raises(LastSupervisorError):
        station.set_operator_active(SUPERVISOR, False)


def test_nobody_disables_his_own_account(station: Station) -> None:
    station.sign_in(SUPERVISOR, SUPERVISOR_PIN)
    station.add_operator("SUPERVISOR DUA", "567890", role="supervisor")

    with pytest.raises(NotAllowed):  # even with another supervisor left
        station.set_operator_active(" supervisor uji", False)
    station.sign_out()
    station.sign_in(OPERATOR, OPERATOR_PIN)
    with pytest.raises(NotAllowed):
        station.set_operator_active(OPERATOR, False)

    assert all(o.active for o in station.accounts.store.accounts())
