"""The centre's schema, kept by alembic: every start upgrades the database to the newest
revision (``central/migrations/versions``; how to add one: docs/central.md).

:func:`upgrade_to_head` runs under a lock held for the whole check and upgrade, in one
transaction, so that server processes starting together upgrade once and the others find
the work done: on PostgreSQL an advisory lock on a fixed key (``pg_advisory_xact_lock``,
released at commit or rollback), on SQLite the write lock of ``BEGIN IMMEDIATE`` (the other
processes wait in SQLite's busy handler). Both take their DDL back if anything fails.

Three kinds of database come in:

- empty: upgraded from nothing (the baseline ``0001`` creates the tables);
- made before migrations (centre tables, no ``alembic_version``): brought to the baseline
  in place (``adopt_legacy`` in ``0001_baseline.py``, as ``create_schema`` did then),
  stamped ``0001``, then upgraded;
- versioned: upgraded from its revision (nothing to do at the newest).
"""

from __future__ import annotations

import importlib
import logging
import pkgutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy.engine import Engine

from ..errors import CentreSchemaTooNew

__all__ = [
    "BASELINE",
    "MIGRATIONS_DIR",
    "SCHEMA_LOCK_KEY",
    "VERSION_TABLE",
    "SchemaUpgrade",
    "alembic_config",
    "current_revision",
    "drop_all",
    "head_revision",
    "target_metadata",
    "upgrade_to_head",
]

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
"""alembic's script directory: ``env.py``, ``script.py.mako`` and ``versions/``."""

BASELINE = "0001"
"""The revision that is the schema as it was before migrations."""

SCHEMA_LOCK_KEY = 0x656B_7470_5363_6831  # b"ektpSch1": the same in every server process
"""The PostgreSQL advisory-lock key held while the schema is checked and upgraded."""

VERSION_TABLE = "alembic_version"

#: How long a process waits for another one's upgrade on SQLite (its ordinary busy timeout,
#: 10 s, is for short transactions; an upgrade that copies a big table takes longer).
SQLITE_UPGRADE_WAIT_MS = 600_000

_BASELINE_TABLES = ("stations", "registrations")
"""Tables every release before migrations made: one of them present = a legacy database."""


@dataclass(frozen=True, slots=True)
class SchemaUpgrade:
    """What :func:`upgrade_to_head` found and did."""

    before: str | None
    """The revision found (None: empty, or made before migrations)."""
    after: str
    legacy: bool
    """Whether the database was made before migrations (adopted, then stamped)."""

    @property
    def changed(self) -> bool:
        return self.before != self.after


def alembic_config(connection: sa.Connection | None = None, url: str | None = None) -> Config:
    """alembic's configuration in code (no ``alembic.ini``): the script directory in the
    package, and either the connection to migrate on (``attributes["connection"]``, used
    by env.py as it is) or a database URL (for a maintainer's ``command.revision``)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("path_separator", "os")
    if url is not None:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def _script() -> ScriptDirectory:
    """The revisions as they are on disk now (read afresh, ~3 ms: a process that outlives
    an update of the package sees the files alembic's commands will see)."""
    return ScriptDirectory.from_config(alembic_config())


def head_revision() -> str:
    """The newest revision this program has (one head: revisions form a line)."""
    head = _script().get_current_head()
    assert head is not None, f"no revisions in {MIGRATIONS_DIR}"
    return head


def _known(revision: str) -> bool:
    try:
        return _script().get_revision(revision) is not None
    except CommandError:
        return False


def _current(conn: sa.Connection) -> str | None:
    """alembic's ``current`` without its context (and its log lines at every start)."""
    if not sa.inspect(conn).has_table(VERSION_TABLE):
        return None
    found = list(conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalars())
    if len(found) > 1:
        raise RuntimeError(f"{VERSION_TABLE} holds several revisions: {sorted(found)}")
    return str(found[0]) if found else None


def current_revision(engine: Engine) -> str | None:
    """The database's revision (None: empty, or made before migrations)."""
    with engine.connect() as conn:
        return _current(conn)


@contextmanager
def _schema_lock(engine: Engine) -> Iterator[sa.Connection]:
    """One connection in one transaction, holding the schema lock until it ends."""
    with engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            yield from _sqlite_locked(conn)
        else:
            with conn.begin():
                if conn.dialect.name == "postgresql":
                    conn.execute(sa.select(sa.func.pg_advisory_xact_lock(SCHEMA_LOCK_KEY)))
                yield conn


def _sqlite_locked(conn: sa.Connection) -> Iterator[sa.Connection]:
    """``BEGIN IMMEDIATE`` (make_engine's "begin" hook) with a long busy timeout while it
    waits for another process's upgrade; the connection's own timeout back afterwards."""
    raw = conn.connection.driver_connection
    assert raw is not None
    (usual,) = raw.execute("PRAGMA busy_timeout").fetchone()
    raw.execute(f"PRAGMA busy_timeout={SQLITE_UPGRADE_WAIT_MS}")
    try:
        with conn.begin():
            yield conn
    finally:
        raw.execute(f"PRAGMA busy_timeout={int(usual)}")


def _adopt_legacy(conn: sa.Connection) -> None:
    """Bring a database from before migrations to the baseline and stamp it."""
    baseline = _script().get_revision(BASELINE)
    assert baseline is not None
    baseline.module.adopt_legacy(conn)
    command.stamp(alembic_config(conn), BASELINE)


def _upgrade_locked(conn: sa.Connection) -> SchemaUpgrade:
    """The check and the upgrade; the caller holds the schema lock on ``conn``."""
    head = head_revision()
    before = _current(conn)
    if before == head:
        return SchemaUpgrade(before, head, legacy=False)
    if before is not None and not _known(before):
        raise CentreSchemaTooNew(before, head)
    tables = set(sa.inspect(conn).get_table_names())
    legacy = before is None and any(name in tables for name in _BASELINE_TABLES)
    if legacy:
        _adopt_legacy(conn)
        log.info("centre database from before migrations: adopted as revision %s", BASELINE)
    command.upgrade(alembic_config(conn), "head")
    after = _current(conn)
    if after is None:
        raise RuntimeError("alembic's upgrade left no revision in alembic_version")
    log.info("centre database schema upgraded: %s -> %s", before or "none", after)
    return SchemaUpgrade(before, after, legacy=legacy)


def upgrade_to_head(engine: Engine) -> SchemaUpgrade:
    """Upgrade the database to the newest revision (see the module's docstring); safe when
    several processes do it at once; a no-op at the newest. ``engine`` comes from
    ``connect.make_engine`` (on SQLite its transactions begin ``IMMEDIATE``)."""
    with _schema_lock(engine) as conn:
        return _upgrade_locked(conn)


def target_metadata() -> sa.MetaData:
    """``db.metadata`` with every table of the centre on it. A table may be defined beside
    the code that uses it, in any module of ``ektp_station.central``: all are imported."""
    from . import db

    for info in pkgutil.walk_packages(_package().__path__, f"{__package__}."):
        importlib.import_module(info.name)
    return db.metadata


def _package() -> ModuleType:
    return importlib.import_module(__package__ or "ektp_station.central")


def drop_all(engine: Engine) -> None:
    """Drop every table of the centre and alembic's ``alembic_version`` (tests, benchmarks:
    ``CentralDB.drop_schema``)."""
    target_metadata().drop_all(engine, checkfirst=True)
    with engine.begin() as conn:
        sa.Table(VERSION_TABLE, sa.MetaData()).drop(conn, checkfirst=True)
