"""Who the command line acts as.

``--as NAME`` signs in to that account: the PIN is typed on the terminal (never echoed) or, for
scripts, taken from the environment variable ``EKTP_PIN``; a wrong or missing PIN is refused
and counts towards the account's lockout, as in the window. Without ``--as`` the command line
acts as the station's console (the OS user) with an operator's rights — and with a
supervisor's only while the station has no account yet (setting it up: ``config set``, the
first ``operator add``). What needs a supervisor then (``--show-nik``, ``config set``,
``operator …``, ``queue restore``) is refused by the core with a message naming ``--as``.
"""

from __future__ import annotations

import getpass
import os
import sys

from .errors import PinMissing, SignInRefused
from .station import Actor, Station, os_user_name
from .store.operators import Operators

__all__ = ["PIN_ENV", "console_actor", "read_pin", "sign_in_as"]

PIN_ENV = "EKTP_PIN"

_PROMPT = {"id": "PIN {name}: ", "en": "PIN of {name}: "}


def read_pin(name: str, lang: str) -> str:
    """The PIN from ``EKTP_PIN``, else typed on the terminal; "" when there is neither."""
    pin = os.environ.get(PIN_ENV)
    if pin is not None:
        return pin.strip()
    if sys.stdin.isatty():
        return getpass.getpass(_PROMPT[lang].format(name=name.upper())).strip()
    return ""


def sign_in_as(station: Station, name: str, lang: str) -> Actor:
    """Sign ``name`` in on ``station`` (PinMissing, SignInRefused, SignInLocked, …)."""
    pin = read_pin(name, lang)
    if not pin:
        try:
            station.sign_in(name, "")  # a missing PIN counts towards the lockout too
        except SignInRefused:
            raise PinMissing(name.upper(), PIN_ENV) from None
    return station.sign_in(name, pin)


def console_actor(
    station: Station, *, as_name: str | None, operator: str | None, lang: str
) -> Actor:
    """The actor of this command (see the module docstring)."""
    if as_name:
        return sign_in_as(station, as_name, lang)
    name = (operator or os_user_name()).strip().upper() or "OPERATOR"
    if Operators(station.queue.engine).count() == 0:
        return Actor.console_user(name)  # setting the station up: no account to ask yet
    return Actor.console_operator(name)
