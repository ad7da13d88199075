"""Opening the queue's SQLite file through SQLAlchemy, with durable settings, encrypted.

The file is an SQLCipher 4 database (docs/encryption.md): every page, of the file and of its
write-ahead log, is AES-256 encrypted and authenticated with the queue's raw key (see
:mod:`.keys`), which each connection gives first, before any other statement.

Every connection runs in WAL mode with ``synchronous=FULL`` (a commit is on disk before it
returns, so "saved" survives a power cut), foreign keys on and a busy timeout. Write
transactions start with ``BEGIN IMMEDIATE`` so that two processes never deadlock upgrading a read
lock; read-only work uses :func:`reading`, which starts a plain deferred transaction.
"""

from __future__ import annotations

import errno
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlcipher3.dbapi2 as driver  # type: ignore[import-untyped]
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import QueuePool

from ..errors import DiskFull, QueueBusy, QueueDamaged, QueueReadOnly, QueueUnusable
from ..private import private_dir

__all__ = [
    "BUSY_TIMEOUT_MS",
    "DriverError",
    "DriverIntegrityError",
    "connect_file",
    "create_queue_engine",
    "reading",
    "storage_error",
    "translated",
    "writing",
]

log = logging.getLogger(__name__)

#: The DB-API errors of the SQLCipher driver (a module of its own: not ``sqlite3``'s classes).
DriverError: type[Exception] = driver.Error
DriverIntegrityError: type[Exception] = driver.IntegrityError

# SQLite's primary result codes (https://sqlite.org/rescode.html) that say the file itself
# cannot be used (or not now: locked by another program for longer than the busy timeout); a
# constraint or a bug of ours is not among them.
_SQLITE_BUSY = 5
_SQLITE_LOCKED = 6
_SQLITE_IOERR = 10
_SQLITE_CORRUPT = 11
_SQLITE_FULL = 13
_SQLITE_CANTOPEN = 14
_SQLITE_READONLY = 8
_SQLITE_NOTADB = 26
_SQLITE_PERM = 3


#: ``sqlite3_errstr`` of those codes, for the errors the driver raises without the code
_ERRSTR_CODES = {
    "database is locked": _SQLITE_BUSY,
    "database table is locked": _SQLITE_LOCKED,
    "disk I/O error": _SQLITE_IOERR,
    "database disk image is malformed": _SQLITE_CORRUPT,
    "database or disk is full": _SQLITE_FULL,
    "unable to open database file": _SQLITE_CANTOPEN,
    "attempt to write a readonly database": _SQLITE_READONLY,
    "file is not a database": _SQLITE_NOTADB,
    "access permission denied": _SQLITE_PERM,
}


def storage_error(exc: BaseException) -> QueueUnusable | None:
    """The translated error for a driver or OS error that says the queue file is damaged,
    read-only, on a full disk or locked too long; None for anything else (a constraint, a bug). The detail
    names the SQLite result code only, never a statement or its values."""
    if isinstance(exc, QueueUnusable):
        return exc
    if isinstance(exc, DBAPIError) and exc.orig is not None:
        exc = exc.orig
    if isinstance(exc, DriverError):
        code = getattr(exc, "sqlite_errorcode", None)
        name = str(getattr(exc, "sqlite_errorname", type(exc).__name__))
        if code is None:  # the driver's backup() raises without the code: SQLite's own text
            code = _ERRSTR_CODES.get(str(exc))
            name = str(exc)
        if code is None:
            return None
        primary = int(code) & 0xFF
        if primary == _SQLITE_FULL:
            return DiskFull(name)
        if primary in (_SQLITE_READONLY, _SQLITE_PERM, _SQLITE_CANTOPEN):
            return QueueReadOnly(name)
        if primary in (_SQLITE_CORRUPT, _SQLITE_NOTADB, _SQLITE_IOERR):
            return QueueDamaged(name)
        if primary in (_SQLITE_BUSY, _SQLITE_LOCKED):
            return QueueBusy(name)
        return None
    if isinstance(exc, OSError):
        if exc.errno == errno.ENOSPC:
            return DiskFull(errno.errorcode.get(exc.errno, "ENOSPC"))
        if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
            return QueueReadOnly(errno.errorcode.get(exc.errno or 0, "EACCES"))
    return None


@contextmanager
def translated() -> Iterator[None]:
    """Raise the translated StoreError for a damaged, read-only or full queue file (the
    store's boundary: nothing above it sees a raw driver error of that kind)."""
    try:
        yield
    except (DBAPIError, DriverError, OSError) as exc:
        mapped = storage_error(exc)
        if mapped is None:
            raise
        # to the log file only: the person reads the translated message, once
        log.warning(
            "queue file unusable: %s (%s)",
            type(mapped).__name__,
            mapped.detail,
            extra={"file_only": True},
        )
        raise mapped from None


BUSY_TIMEOUT_MS = 10_000
_READ_ONLY = "ektp_read_only"


def connect_file(
    path: Path,
    key: bytes | None,
    *,
    read_only: bool = False,
    timeout: float = BUSY_TIMEOUT_MS / 1000,
) -> Any:
    """A DB-API connection to the SQLCipher file ``path`` opened with ``key`` (None: a
    plain SQLite file, as versions before encryption wrote). Nothing is read yet: a wrong key
    shows at the first statement (``SQLITE_NOTADB``)."""
    if read_only:  # an URI (percent-encoded, so any folder name works)
        conn = driver.connect(
            path.resolve().as_uri() + "?mode=ro", uri=True, timeout=timeout, check_same_thread=False
        )
    else:
        conn = driver.connect(str(path), timeout=timeout, check_same_thread=False)
    try:
        conn.isolation_level = None
        # SQLCipher's own log goes to stderr: a wrong key must reach a person as our message
        conn.execute("PRAGMA cipher_log_level = NONE")
        if key is not None:
            conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
    except BaseException:
        conn.close()
        raise
    return conn


def create_queue_engine(path: Path, key: bytes | None) -> Engine:
    """The engine of the queue file ``path``, encrypted with ``key`` (None: a plain SQLite
    file, only for tests that make a queue as a version before encryption wrote it)."""
    with translated():
        private_dir(path.parent)  # the data folder: owner-only (0700)
    engine = create_engine(
        "sqlite+pysqlite://",
        module=driver,
        creator=lambda: connect_file(path, key),
        poolclass=QueuePool,
        # the connection used last first: its page cache is the warm one (a page read from
        # the file is decrypted and authenticated, ~15 µs each; docs/encryption.md)
        pool_use_lifo=True,
        pool_size=4,
        max_overflow=8,
        hide_parameters=True,  # a failed statement's message must not quote a record
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=FULL")
            cursor.execute("PRAGMA foreign_keys=ON")
            # what is deleted or overwritten (a purged record) is zeroed in the file, not left
            # readable in free space
            cursor.execute("PRAGMA secure_delete=ON")
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
    """One write transaction (BEGIN IMMEDIATE … COMMIT, durable on return). A damaged,
    read-only or full queue file raises the translated StoreError (see :func:`translated`)."""
    with translated(), engine.connect() as conn, conn.begin():
        yield conn


@contextmanager
def reading(engine: Engine) -> Iterator[Connection]:
    """One consistent read-only snapshot (deferred BEGIN; never blocks writers in WAL)."""
    with translated(), engine.connect() as raw:
        conn = raw.execution_options(**{_READ_ONLY: True})
        with conn.begin():
            yield conn
