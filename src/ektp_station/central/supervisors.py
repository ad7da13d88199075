"""Supervisors' accounts at the centre: the dashboard's logins, never the station tokens.

- A password is kept only as an scrypt hash (``hashlib.scrypt``, N=2**15, r=8, p=1, a
  random 16-byte salt): slow to guess, and the same on every server process.
- A login makes a session: 32 random bytes in an HttpOnly SameSite cookie, stored as their
  sha256 only, with a CSRF token that every action must send back (central/dashboard.py).
  Sessions live in the database, so any worker behind a load balancer knows them.
- Failed logins are counted in the database per name and per client address over
  LOGIN_WINDOW; past LOGIN_MAX_FAILURES for a name (LOGIN_MAX_FAILURES_PER_ADDRESS for an
  address: several supervisors may share one behind a NAT) the next attempt is refused with
  the seconds to wait (before the password is even hashed). A correct password clears its
  name's count.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from .db import CentralDB, as_utc, metadata

__all__ = [
    "LOGIN_MAX_FAILURES",
    "LOGIN_WINDOW",
    "MIN_PASSWORD_LENGTH",
    "SESSION_IDLE",
    "SESSION_LIFETIME",
    "LoginRefused",
    "Session",
    "Supervisors",
    "hash_password",
    "verify_password",
]

log = logging.getLogger(__name__)

supervisors = sa.Table(
    "supervisors",
    metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("password_hash", sa.String(255), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("password_changed_at", sa.DateTime(timezone=True), nullable=False),
)

supervisor_sessions = sa.Table(
    "supervisor_sessions",
    metadata,
    sa.Column("session_hash", sa.String(64), primary_key=True),
    sa.Column("name", sa.String(64), nullable=False, index=True),
    sa.Column("csrf_token", sa.String(64), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
)

login_failures = sa.Table(
    "login_failures",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    # "name:<supervisor>" or "addr:<client address>"
    sa.Column("key", sa.String(128), nullable=False),
    sa.Column("failed_at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("ix_login_failures_key_at", "key", "failed_at"),
)

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024
LOGIN_MAX_FAILURES = 5
"""Failed logins per name within LOGIN_WINDOW..."""
LOGIN_MAX_FAILURES_PER_ADDRESS = 20
"""...per client address (several supervisors may sit behind one address, a NAT)..."""
LOGIN_WINDOW = timedelta(minutes=15)
"""...after which further attempts wait until the oldest failure leaves the window."""
SESSION_LIFETIME = timedelta(hours=12)
"""A session ends this long after its login, however busy."""
SESSION_IDLE = timedelta(hours=1)
"""...or this long after its last request."""

_SCRYPT = {"n": 2**15, "r": 8, "p": 1}
_SCRYPT_MAXMEM = 64 * 1024 * 1024


def hash_password(password: str) -> str:
    """``scrypt$N$r$p$salt-hex$hash-hex`` of ``password`` with a new random salt."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(
        password.encode("utf-8"), salt=salt, dklen=32, maxmem=_SCRYPT_MAXMEM, **_SCRYPT
    )
    return f"scrypt${_SCRYPT['n']}${_SCRYPT['r']}${_SCRYPT['p']}${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    """Whether ``password`` hashes to ``stored`` (constant-time comparison)."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        got = hashlib.scrypt(
            password.encode("utf-8"),
            salt=bytes.fromhex(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=len(digest) // 2,
            maxmem=_SCRYPT_MAXMEM,
        )
    except ValueError:
        return False
    return hmac.compare_digest(got.hex(), digest)


@functools.cache
def _dummy_hash() -> str:
    """Verified against when the name is unknown, so that a wrong name costs as long as a
    wrong password (the time taken tells nothing about which names exist). Made at the first
    such login, not at import: every ``central`` command and the demo import this module."""
    return hash_password(secrets.token_urlsafe(16))


def valid_name(name: str) -> bool:
    return 0 < len(name) <= 64 and name.isprintable() and name.strip() == name


@dataclass(frozen=True, slots=True)
class Session:
    name: str
    csrf_token: str


class LoginRefused(Exception):
    """Too many failed logins for this name or address: ``retry_after`` seconds to wait."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"login refused for {retry_after} s")
        self.retry_after = retry_after


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class Supervisors:
    """Accounts, sessions and the login throttle over the centre's database."""

    def __init__(
        self,
        db: CentralDB,
        *,
        max_failures: int = LOGIN_MAX_FAILURES,
        max_address_failures: int = LOGIN_MAX_FAILURES_PER_ADDRESS,
        window: timedelta = LOGIN_WINDOW,
        lifetime: timedelta = SESSION_LIFETIME,
        idle: timedelta = SESSION_IDLE,
    ) -> None:
        self.db = db
        self.max_failures = max_failures
        self.max_address_failures = max_address_failures
        self.window = window
        self.lifetime = lifetime
        self.idle = idle

    # -- accounts --------------------------------------------------------------------------

    def add(self, name: str, password: str) -> bool:
        """Create ``name`` or set its new password (ending its sessions); True if it existed.

        Raises ValueError for a name that is not 1..64 printable characters or a password
        shorter than MIN_PASSWORD_LENGTH."""
        if not valid_name(name):
            raise ValueError("supervisor name must be 1..64 printable characters")
        if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
            raise ValueError("password too short or too long")
        hashed = hash_password(password)
        now = self.db.db_time(datetime.now(UTC))
        with self.db.engine.begin() as conn:
            updated = conn.execute(
                sa.update(supervisors)
                .where(supervisors.c.name == name)
                .values(password_hash=hashed, password_changed_at=now)
            ).rowcount
            if updated:
                conn.execute(
                    sa.delete(supervisor_sessions).where(supervisor_sessions.c.name == name)
                )
            else:
                conn.execute(
                    sa.insert(supervisors).values(
                        name=name, password_hash=hashed, created_at=now, password_changed_at=now
                    )
                )
        log.info("supervisor account %s", "password changed" if updated else "created")
        return bool(updated)

    def remove(self, name: str) -> bool:
        """Delete the account and its sessions; False if there is none."""
        with self.db.engine.begin() as conn:
            conn.execute(sa.delete(supervisor_sessions).where(supervisor_sessions.c.name == name))
            removed = conn.execute(sa.delete(supervisors).where(supervisors.c.name == name))
        return bool(removed.rowcount)

    def names(self) -> list[str]:
        with self.db.engine.connect() as conn:
            return list(conn.execute(sa.select(supervisors.c.name).order_by("name")).scalars())

    # -- login -----------------------------------------------------------------------------

    def _wait(self, conn: sa.Connection, keys: list[str], now: datetime) -> int | None:
        """Seconds until the busiest of ``keys`` is below the limit again, or None."""
        horizon = self.db.db_time(now - self.window)
        waits = []
        for key in keys:
            limit = self.max_address_failures if key.startswith("addr:") else self.max_failures
            times = list(
                conn.execute(
                    sa.select(login_failures.c.failed_at)
                    .where(login_failures.c.key == key, login_failures.c.failed_at > horizon)
                    .order_by(login_failures.c.failed_at.desc())
                    .limit(limit)
                ).scalars()
            )
            if len(times) >= limit:
                oldest = as_utc(times[-1])
                assert oldest is not None
                waits.append((oldest + self.window - now).total_seconds())
        if not waits:
            return None
        return max(1, int(max(waits)) + 1)

    def login(self, name: str, password: str, address: str) -> tuple[Session, str] | None:
        """A new session and its cookie token for a correct name and password; None for a
        wrong one.

        Raises LoginRefused while this name or address has too many recent failures."""
        now = datetime.now(UTC)
        keys = [f"name:{name[:64]}", f"addr:{address[:64]}"]
        with self.db.engine.connect() as conn:
            wait = self._wait(conn, keys, now)
            if wait is not None:
                raise LoginRefused(wait)
            stored = conn.execute(
                sa.select(supervisors.c.password_hash).where(supervisors.c.name == name)
            ).scalar_one_or_none()
        ok = verify_password(password[:MAX_PASSWORD_LENGTH], stored or _dummy_hash())
        if not ok or stored is None:
            with self.db.engine.begin() as conn:
                conn.execute(
                    sa.insert(login_failures),
                    [{"key": key, "failed_at": self.db.db_time(now)} for key in keys],
                )
                # keep the table small: what has left every window is of no further use
                conn.execute(
                    sa.delete(login_failures).where(
                        login_failures.c.failed_at <= self.db.db_time(now - self.window)
                    )
                )
            log.warning("dashboard login failed from %s", address)
            return None
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        at = self.db.db_time(now)
        with self.db.engine.begin() as conn:
            conn.execute(sa.delete(login_failures).where(login_failures.c.key == keys[0]))
            conn.execute(
                sa.delete(supervisor_sessions).where(
                    supervisor_sessions.c.last_seen_at <= self.db.db_time(now - self.idle)
                )
            )
            conn.execute(
                sa.insert(supervisor_sessions).values(
                    session_hash=_digest(token),
                    name=name,
                    csrf_token=csrf,
                    created_at=at,
                    last_seen_at=at,
                )
            )
        log.info("dashboard login from %s", address)
        return Session(name=name, csrf_token=csrf), token

    def session(self, token: str | None) -> Session | None:
        """The live session the cookie ``token`` names (its last-seen time moved on)."""
        if not token or len(token) > 128:
            return None
        now = datetime.now(UTC)
        digest = _digest(token)
        with self.db.engine.connect() as conn:
            row = conn.execute(
                sa.select(supervisor_sessions).where(supervisor_sessions.c.session_hash == digest)
            ).first()
        if row is None:
            return None
        created, seen = as_utc(row.created_at), as_utc(row.last_seen_at)
        assert created is not None and seen is not None
        if now - created >= self.lifetime or now - seen >= self.idle:
            self.logout(token)
            return None
        if now - seen >= timedelta(seconds=60):  # one write a minute at most per session
            with self.db.engine.begin() as conn:
                conn.execute(
                    sa.update(supervisor_sessions)
                    .where(supervisor_sessions.c.session_hash == digest)
                    .values(last_seen_at=self.db.db_time(now))
                )
        return Session(name=row.name, csrf_token=row.csrf_token)

    def logout(self, token: str) -> None:
        with self.db.engine.begin() as conn:
            conn.execute(
                sa.delete(supervisor_sessions).where(
                    supervisor_sessions.c.session_hash == _digest(token)
                )
            )
