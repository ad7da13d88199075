"""Opening the queue's SQLite file through SQLAlchemy, with durable settings.

Every connection runs in WAL mode with ``synchronous=FULL`` (a commit is on disk before it
returns, so "saved" survives a power cut), foreign keys on and a busy timeout. Write
transactions start with ``BEGIN IMMEDIATE`` so that two processes never deadlock upgrading a read
lock; read-only work uses :func:`reading`, which starts a plain deferred transaction.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.pool import QueuePool

__all__ = ["BUSY_TIMEOUT_MS", "create_queue_engine", "reading", "writing"]

BUSY_TIMEOUT_MS = 10_000
_READ_ONLY = "ektp_read_only"


def create_queue_engine(path: Path) -> Engine:
    path.parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        f"sqlite+pysqlite:///{path}",
        poolclass=QueuePool,
        pool_size=4,
        max_overflow=8,
        hide_parameters=True,  # a failed statement's message must not quote a record
        connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000},
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        # Let us emit BEGIN ourselves (pysqlite's implicit transactions are unreliable).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=FULL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            # No checkpoint inside a commit: a save must not pay for copying the WAL back into
            # the database. Queue.checkpoint() does it off the counter's path (sync thread).
            cursor.execute("PRAGMA wal_autocheckpoint=0")
            cursor.execute(f"PRAGMA journal_size_limit={64 * 1024 * 1024}")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        if conn.get_execution_options().get(_READ_ONLY):
            conn.exec_driver_sql("BEGIN")
        else:
            conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


@contextmanager
def writing(engine: Engine) -> Iterator[Connection]:
    """One write transaction (BEGIN IMMEDIATE … COMMIT, durable on return)."""
    with engine.connect() as conn, conn.begin():
        yield conn


@contextmanager
def reading(engine: Engine) -> Iterator[Connection]:
    """One consistent read-only snapshot (deferred BEGIN; never blocks writers in WAL)."""
    with engine.connect() as raw:
        conn = raw.execution_options(**{_READ_ONLY: True})
        with conn.begin():
            yield conn
