"""The centre's database engine: SQLite with WAL, ``synchronous=FULL``, a busy timeout and
``BEGIN IMMEDIATE`` transactions (writers queue on the busy timeout instead of failing a lock
upgrade; the file owner-only), or PostgreSQL with a connection pool."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from ..private import private_dir, private_files

__all__ = ["SQLITE_BUSY_TIMEOUT_MS", "make_engine"]

SQLITE_BUSY_TIMEOUT_MS = 10_000


def make_engine(db_url: str) -> Engine:
    """An engine for ``db_url`` with the pragmas/pool the centre needs."""
    url = sa.make_url(db_url)
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            private_dir(Path(url.database).parent)  # the centre's records: owner-only
        engine = sa.create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @sa.event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.isolation_level = None  # we emit BEGIN ourselves
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
            cur.execute("PRAGMA synchronous=FULL")
            cur.close()
            if url.database and url.database != ":memory:":
                base = Path(url.database)
                private_files([base, Path(f"{base}-wal"), Path(f"{base}-shm")])

        @sa.event.listens_for(engine, "begin")
        def _on_begin(conn: sa.Connection) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    return sa.create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)
