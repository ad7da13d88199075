"""Operator accounts of one station, kept in the queue's database (table ``operators``, schema v3).

A PIN is never stored: only ``scrypt(PIN, salt)`` with a random salt per operator, the cost
parameters written beside the hash (``scrypt$N$r$p$hex``) so that they can be raised later
without breaking old accounts. Checking compares in constant time, and an unknown name costs as
much as a wrong PIN, so timing tells nothing about which names exist.

The first account created on a station is its supervisor; later ones are operators unless a
supervisor creates another supervisor. No Qt here.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import (
    Column,
    Engine,
    Float,
    Integer,
    MetaData,
    RowMapping,
    Table,
    Text,
    func,
    insert,
    select,
    update,
)

from ..errors import (
    InvalidNameError,
    InvalidPinError,
    LastSupervisorError,
    OperatorExistsError,
    OperatorNotFound,
)
from ..timeutil import parse_utc, utc_now_iso
from .db import reading, writing

__all__ = [
    "MAX_PIN_LENGTH",
    "MIN_PIN_LENGTH",
    "MIN_SUPERVISOR_PIN_LENGTH",
    "ROLES",
    "Failures",
    "InvalidNameError",
    "InvalidPinError",
    "Operator",
    "OperatorExistsError",
    "Operators",
    "check_pin",
    "hash_pin",
    "normalise_name",
]

ROLE_OPERATOR = "operator"
ROLE_SUPERVISOR = "supervisor"
ROLES = (ROLE_OPERATOR, ROLE_SUPERVISOR)
MIN_PIN_LENGTH = 4
#: A supervisor's PIN opens every record and every setting: longer (10**6 tries, not 10**4).
MIN_SUPERVISOR_PIN_LENGTH = 6
MAX_PIN_LENGTH = 12
MAX_NAME_LENGTH = 60

# scrypt cost: about 30 ms on a counter PC, 16 MiB of memory.
_SCRYPT_N = 2**14
_SCRYPT_R = 8
_SCRYPT_P = 1
_KEY_LENGTH = 32
_SALT_BYTES = 16

_metadata = MetaData()
operators = Table(
    "operators",
    _metadata,
    Column("name", Text, primary_key=True),
    Column("pin_hash", Text, nullable=False),
    Column("salt", Text, nullable=False),
    Column("role", Text, nullable=False),
    Column("created_at", Text, nullable=False),
    Column("active", Integer, nullable=False, default=1),  # schema v5
    Column("last_sign_in_at", Text),  # schema v5
)
#: Wrong PINs in a row and lockouts per name (schema v6): kept in the queue's database, so a
#: new dialog or a restarted program does not start again at zero. Unknown names count too.
sign_in_failures = Table(
    "sign_in_failures",
    _metadata,
    Column("name", Text, primary_key=True),
    Column("failures", Integer, nullable=False, default=0),
    Column("lockouts", Integer, nullable=False, default=0),
    Column("locked_until", Float),  # seconds since the epoch
)


@dataclass(frozen=True)
class Failures:
    """A name's wrong PINs since its last lock, its lockouts in a row, and until when it is
    locked (seconds since the epoch; None when not)."""

    failures: int = 0
    lockouts: int = 0
    locked_until: float | None = None


@dataclass(frozen=True)
class Operator:
    name: str
    role: str
    created_at: datetime
    active: bool = True
    last_sign_in_at: datetime | None = None

    @property
    def is_supervisor(self) -> bool:
        return self.role == ROLE_SUPERVISOR


def normalise_name(name: str) -> str:
    """Names are compared as the counter writes them: upper case, single spaces."""
    return " ".join(name.split()).upper()


def valid_pin(pin: str, role: str = "operator") -> bool:
    low = MIN_SUPERVISOR_PIN_LENGTH if role == "supervisor" else MIN_PIN_LENGTH
    return low <= len(pin) <= MAX_PIN_LENGTH and pin.isascii() and pin.isdigit()


def _check_pin_rule(pin: str, role: str) -> None:
    if not valid_pin(pin, role):
        low = MIN_SUPERVISOR_PIN_LENGTH if role == "supervisor" else MIN_PIN_LENGTH
        raise InvalidPinError(low, MAX_PIN_LENGTH, supervisor=role == "supervisor")


def hash_pin(pin: str, salt: bytes) -> str:
    key = hashlib.scrypt(
        pin.encode(), salt=salt, n=_SCRYPT_N, r=_SCRYPT_R, p=_SCRYPT_P, dklen=_KEY_LENGTH
    )
    return f"scrypt${_SCRYPT_N}${_SCRYPT_R}${_SCRYPT_P}${key.hex()}"


def check_pin(pin: str, salt: bytes, stored: str) -> bool:
    """Whether ``pin`` matches ``stored`` (as written by :func:`hash_pin`), in constant time."""
    try:
        scheme, n, r, p, digest = stored.split("$")
        expected = bytes.fromhex(digest)
        if scheme != "scrypt":
            return False
        key = hashlib.scrypt(
            pin.encode(), salt=salt, n=int(n), r=int(r), p=int(p), dklen=len(expected)
        )
    except ValueError:  # a damaged row never lets anyone in
        return False
    return hmac.compare_digest(key, expected)


_DUMMY_SALT = bytes(_SALT_BYTES)
_DUMMY_HASH = hash_pin("0000", _DUMMY_SALT)


class Operators:
    """The station's operator accounts; every method is one short transaction."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def count(self) -> int:
        with reading(self.engine) as conn:
            return int(conn.execute(select(func.count()).select_from(operators)).scalar_one())

    def names(self) -> list[str]:
        with reading(self.engine) as conn:
            rows = conn.execute(select(operators.c.name).order_by(operators.c.name))
            return [str(name) for (name,) in rows]

    def get(self, name: str) -> Operator | None:
        with reading(self.engine) as conn:
            row = (
                conn.execute(select(operators).where(operators.c.name == normalise_name(name)))
                .mappings()
                .first()
            )
        return None if row is None else _operator(row)

    def create(self, name: str, pin: str, *, role: str | None = None) -> Operator:
        """Add an account. The station's first account is always a supervisor; later ones are
        operators unless ``role`` says otherwise."""
        name = normalise_name(name)
        if not name or len(name) > MAX_NAME_LENGTH or not name.isprintable():
            # a name is written on entries, receipts and logs: no control characters
            raise InvalidNameError(MAX_NAME_LENGTH)
        if role is not None and role not in ROLES:
            raise ValueError(f"unknown role {role!r}")
        # the first account is the supervisor, whatever was asked: its PIN is checked as one
        _check_pin_rule(pin, ROLE_SUPERVISOR if self.count() == 0 else (role or ROLE_OPERATOR))
        salt = secrets.token_bytes(_SALT_BYTES)
        pin_hash = hash_pin(pin, salt)  # outside the write transaction
        with writing(self.engine) as conn:
            exists = conn.execute(select(operators.c.name).where(operators.c.name == name))
            if exists.first() is not None:
                raise OperatorExistsError()
            first = conn.execute(select(func.count()).select_from(operators)).scalar_one() == 0
            chosen = ROLE_SUPERVISOR if first else (role or ROLE_OPERATOR)
            created = utc_now_iso()
            conn.execute(
                insert(operators).values(
                    name=name, pin_hash=pin_hash, salt=salt.hex(), role=chosen, created_at=created
                )
            )
        return Operator(name, chosen, parse_utc(created))

    def verify(self, name: str, pin: str) -> Operator | None:
        """The operator if ``pin`` is theirs, else None (unknown names take as long). A
        disabled account is returned too (``active`` False): the caller refuses it."""
        with reading(self.engine) as conn:
            row = (
                conn.execute(select(operators).where(operators.c.name == normalise_name(name)))
                .mappings()
                .first()
            )
        if row is None:
            check_pin(pin, _DUMMY_SALT, _DUMMY_HASH)
            return None
        try:
            salt = bytes.fromhex(row["salt"])
        except ValueError:
            return None
        return _operator(row) if check_pin(pin, salt, row["pin_hash"]) else None

    def accounts(self) -> list[Operator]:
        with reading(self.engine) as conn:
            rows = conn.execute(select(operators).order_by(operators.c.name)).mappings()
            return [_operator(r) for r in rows]

    def record_sign_in(self, name: str) -> None:
        with writing(self.engine) as conn:
            conn.execute(
                update(operators)
                .where(operators.c.name == normalise_name(name))
                .values(last_sign_in_at=utc_now_iso())
            )

    def set_active(self, name: str, active: bool) -> Operator:
        """Enable or disable an account; the last active supervisor cannot be disabled."""
        name = normalise_name(name)
        with writing(self.engine) as conn:
            row = conn.execute(select(operators).where(operators.c.name == name)).mappings()
            current = row.first()
            if current is None:
                raise OperatorNotFound()
            if not active and current["role"] == ROLE_SUPERVISOR and current["active"]:
                others = conn.execute(
                    select(func.count())
                    .select_from(operators)
                    .where(
                        operators.c.role == ROLE_SUPERVISOR,
                        operators.c.active == 1,
                        operators.c.name != name,
                    )
                ).scalar_one()
                if others == 0:
                    raise LastSupervisorError()
            conn.execute(
                update(operators).where(operators.c.name == name).values(active=int(active))
            )
            found = conn.execute(select(operators).where(operators.c.name == name)).mappings()
            return _operator(found.one())

    def set_pin(self, name: str, pin: str) -> Operator:
        """A new PIN for an account (a supervisor resets a forgotten one); it also lifts the
        account's sign-in lock."""
        name = normalise_name(name)
        current = self.get(name)
        if current is None:
            raise OperatorNotFound()
        _check_pin_rule(pin, current.role)
        salt = secrets.token_bytes(_SALT_BYTES)
        pin_hash = hash_pin(pin, salt)  # outside the write transaction
        with writing(self.engine) as conn:
            changed = conn.execute(
                update(operators)
                .where(operators.c.name == name)
                .values(pin_hash=pin_hash, salt=salt.hex())
            ).rowcount
            if not changed:
                raise OperatorNotFound()
            conn.execute(sign_in_failures.delete().where(sign_in_failures.c.name == name))
            found = conn.execute(select(operators).where(operators.c.name == name)).mappings()
            return _operator(found.one())

    # -- wrong PINs and lockouts (schema v6) --------------------------------------------------

    def failures(self, name: str) -> Failures:
        with reading(self.engine) as conn:
            row = (
                conn.execute(
                    select(sign_in_failures).where(sign_in_failures.c.name == normalise_name(name))
                )
                .mappings()
                .first()
            )
        if row is None:
            return Failures()
        return Failures(int(row["failures"]), int(row["lockouts"]), row["locked_until"])

    def record_failure(
        self, name: str, *, now: float, max_attempts: int, lock_for: Callable[[int], float]
    ) -> Failures:
        """One more wrong PIN for ``name``, in one transaction; at ``max_attempts`` the name
        is locked for ``lock_for(lockouts)`` seconds and its count starts again."""
        key = normalise_name(name)
        with writing(self.engine) as conn:
            row = (
                conn.execute(select(sign_in_failures).where(sign_in_failures.c.name == key))
                .mappings()
                .first()
            )
            failures = (int(row["failures"]) if row else 0) + 1
            lockouts = int(row["lockouts"]) if row else 0
            until: float | None = None
            if failures >= max_attempts:
                lockouts += 1
                until = now + lock_for(lockouts)
                failures = 0
            values = {"failures": failures, "lockouts": lockouts, "locked_until": until}
            if row is None:
                conn.execute(insert(sign_in_failures).values(name=key, **values))
            else:
                conn.execute(
                    update(sign_in_failures).where(sign_in_failures.c.name == key).values(**values)
                )
        return Failures(failures, lockouts, until)

    def clear_failures(self, name: str) -> None:
        """A right PIN: the name starts again at zero (no row is written when there is none)."""
        key = normalise_name(name)
        if self.failures(key) == Failures():
            return
        with writing(self.engine) as conn:
            conn.execute(sign_in_failures.delete().where(sign_in_failures.c.name == key))


def _operator(row: RowMapping) -> Operator:
    signed_in = row.get("last_sign_in_at")
    return Operator(
        name=row["name"],
        role=row["role"],
        created_at=parse_utc(row["created_at"]),
        active=bool(row.get("active", 1)),
        last_sign_in_at=parse_utc(signed_in) if signed_in else None,
    )
