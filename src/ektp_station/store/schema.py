"""Tables of the local queue and the migrations that build them.

The schema version lives in SQLite's ``PRAGMA user_version``. Each migration is frozen DDL for
one version step; a new database runs them all, an older one only the missing steps, in one
transaction, so a station updated in the field keeps its queue.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy import (
    Column,
    Connection,
    Engine,
    ForeignKey,
    Integer,
    MetaData,
    Table,
    Text,
)

from ..errors import SchemaError

__all__ = [
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "audit",
    "enrolment_counts",
    "entries",
    "meta",
    "migrate",
    "parts",
    "refuse_newer",
    "state_counts",
    "upgrade",
]

metadata = MetaData()

meta = Table(
    "meta",
    metadata,
    Column("key", Text, primary_key=True),
    Column("value", Text, nullable=False),
)

entries = Table(
    "entries",
    metadata,
    Column("seq", Integer, primary_key=True),  # local number printed on the receipt
    Column("entry_id", Text, nullable=False, unique=True),  # UUID, idempotency key for life
    Column("station_id", Text, nullable=False),
    Column("operator", Text, nullable=False),
    Column("captured_at", Text, nullable=False),  # ISO-8601 UTC, fixed width
    Column("nik_key", Text, nullable=False),  # keyed digest of the NIK (no NIK in clear here)
    Column("record", Text, nullable=False),  # JSON of the registration: the personal data, one unit
    Column("state", Text, nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("last_error", Text),
    Column("errors", Text),  # JSON list of the centre's field errors
    Column("server_ref", Text),
    Column("claimed_by", Text),
    Column("claimed_at", Text),
    Column("created_at", Text, nullable=False),
    Column("updated_at", Text, nullable=False),
    Column("synced_at", Text),
    Column("revision", Integer, nullable=False, default=1),  # +1 per correction (schema v5)
    Column("purged_at", Text),  # personal data removed after retention (schema v7)
    # the centre's decision once the entry was delivered whole with its parts (schema v10):
    # "due" (to ask), then print_ready / duplicate / adjudication (store/enrolment.py)
    Column("enrolment", Text),
    Column("enrolment_reason", Text),
    Column("enrolment_at", Text),
)

audit = Table(
    "audit",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("entry_seq", Integer, ForeignKey("entries.seq"), nullable=False),
    Column("at", Text, nullable=False),
    Column("actor", Text, nullable=False),
    Column("action", Text, nullable=False),
    Column("detail", Text),
)

parts = Table(
    "parts",
    metadata,
    Column("entry_seq", Integer, ForeignKey("entries.seq"), primary_key=True),
    Column("part", Text, primary_key=True),  # domain.biometrics.PARTS
    Column("sha256", Text),  # the image's address (None: excepted)
    Column("size", Integer),
    Column("media_type", Text),
    Column("reason", Text),  # why it was not captured (domain.biometrics.EXCEPTION_REASONS)
    Column("note", Text),
    Column("captured_at", Text, nullable=False),
    Column("upload_url", Text),  # the centre's upload, once created
    Column("acked", Integer, nullable=False, default=0),  # bytes the centre acknowledged
    Column("verified_at", Text),  # the centre verified the whole part's hash
    Column("lost_at", Text),  # its file is missing or damaged here: to be captured again
)

enrolment_counts = Table(
    "enrolment_counts",
    metadata,
    Column("status", Text, primary_key=True),
    Column("n", Integer, nullable=False),
)

state_counts = Table(
    "state_counts",
    metadata,
    Column("station_id", Text, primary_key=True),
    Column("operator", Text, primary_key=True),
    Column("state", Text, primary_key=True),
    Column("n", Integer, nullable=False),
)

_V1 = [
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    """CREATE TABLE entries (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        entry_id TEXT NOT NULL UNIQUE,
        station_id TEXT NOT NULL,
        operator TEXT NOT NULL,
        captured_at TEXT NOT NULL,
        nik_key TEXT NOT NULL,
        record TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN
            ('pending','sending','synced','rejected','conflict','discarded')),
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        errors TEXT,
        server_ref TEXT,
        claimed_by TEXT,
        claimed_at TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        synced_at TEXT
    )""",
    # the same resident may wait only once
    """CREATE UNIQUE INDEX ux_entries_waiting_nik ON entries (nik_key)
        WHERE state IN ('pending','sending','rejected')""",
    "CREATE INDEX ix_entries_state_seq ON entries (state, seq)",
    "CREATE TABLE audit (id INTEGER PRIMARY KEY, entry_seq INTEGER NOT NULL REFERENCES entries(seq),"
    " at TEXT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL, detail TEXT)",
    "CREATE INDEX ix_audit_entry ON audit (entry_seq)",
]

# v2: counts for supervisors kept by triggers, so that `queue status` reads a handful of rows
# instead of counting a million; and an index for the oldest unsynced entry.
_V2 = [
    """CREATE TABLE state_counts (station_id TEXT NOT NULL, operator TEXT NOT NULL,
        state TEXT NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (station_id, operator, state))""",
    """CREATE TRIGGER tr_entries_count_ins AFTER INSERT ON entries BEGIN
        INSERT INTO state_counts (station_id, operator, state, n)
            VALUES (NEW.station_id, NEW.operator, NEW.state, 1)
            ON CONFLICT (station_id, operator, state) DO UPDATE SET n = n + 1;
    END""",
    """CREATE TRIGGER tr_entries_count_upd AFTER UPDATE OF state, operator, station_id ON entries
        WHEN OLD.state IS NOT NEW.state OR OLD.operator IS NOT NEW.operator
          OR OLD.station_id IS NOT NEW.station_id
    BEGIN
        UPDATE state_counts SET n = n - 1 WHERE station_id = OLD.station_id
            AND operator = OLD.operator AND state = OLD.state;
        INSERT INTO state_counts (station_id, operator, state, n)
            VALUES (NEW.station_id, NEW.operator, NEW.state, 1)
            ON CONFLICT (station_id, operator, state) DO UPDATE SET n = n + 1;
    END""",
    """CREATE TRIGGER tr_entries_count_del AFTER DELETE ON entries BEGIN
        UPDATE state_counts SET n = n - 1 WHERE station_id = OLD.station_id
            AND operator = OLD.operator AND state = OLD.state;
    END""",
    """INSERT INTO state_counts (station_id, operator, state, n)
        SELECT station_id, operator, state, count(*) FROM entries
        GROUP BY station_id, operator, state""",
    "CREATE INDEX ix_entries_state_captured ON entries (state, captured_at)",
]

# v3: operator accounts of this station (store/operators.py). The PIN is kept only as a
# salted scrypt hash; the first account created is the supervisor.
_V3 = [
    """CREATE TABLE operators (
        name TEXT PRIMARY KEY,
        pin_hash TEXT NOT NULL,
        salt TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('operator','supervisor')),
        created_at TEXT NOT NULL
    )""",
]

Migration = Sequence[str] | Callable[[Connection], None]

# v4: the dashboard's "synced per hour today" reads synced entries by time, not all of them.
_V4 = [
    "CREATE INDEX ix_entries_synced_at ON entries (synced_at) WHERE synced_at IS NOT NULL",
]

_STATE_VALUES = "('pending','sending','synced','rejected','conflict','discarded','resolved')"

_V5_ENTRIES = """CREATE TABLE entries_v5 (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        entry_id TEXT NOT NULL UNIQUE,
        station_id TEXT NOT NULL,
        operator TEXT NOT NULL,
        captured_at TEXT NOT NULL,
        nik_key TEXT NOT NULL,
        record TEXT NOT NULL,
        state TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        errors TEXT,
        server_ref TEXT,
        claimed_by TEXT,
        claimed_at TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        synced_at TEXT,
        revision INTEGER NOT NULL DEFAULT 1 CHECK (revision >= 1)
    )"""

_COPIED = (
    "seq, entry_id, station_id, operator, captured_at, nik_key, record, state, attempts,"
    " last_error, errors, server_ref, claimed_by, claimed_at, created_at, updated_at, synced_at"
)

#: Indexes and triggers of ``entries`` as of v5 (a rebuild drops them with the old table).
_V5_ENTRY_OBJECTS = [
    # the same resident may wait only once
    """CREATE UNIQUE INDEX ux_entries_waiting_nik ON entries (nik_key)
        WHERE state IN ('pending','sending','rejected')""",
    # ...and is found again once recorded (capture refuses a NIK synced here)
    "CREATE INDEX ix_entries_nik_key ON entries (nik_key)",
    "CREATE INDEX ix_entries_state_seq ON entries (state, seq)",
    "CREATE INDEX ix_entries_state_captured ON entries (state, captured_at)",
    "CREATE INDEX ix_entries_synced_at ON entries (synced_at) WHERE synced_at IS NOT NULL",
    _V2[1],
    _V2[2],
    _V2[3],
    # states are checked by triggers, not a CHECK constraint: a later state is then a
    # migration of two triggers instead of another rebuild of the table
    f"""CREATE TRIGGER tr_entries_state_ins BEFORE INSERT ON entries
        WHEN NEW.state NOT IN {_STATE_VALUES}
    BEGIN SELECT RAISE(ABORT, 'entries.state: unknown state'); END""",
    f"""CREATE TRIGGER tr_entries_state_upd BEFORE UPDATE OF state ON entries
        WHEN NEW.state NOT IN {_STATE_VALUES}
    BEGIN SELECT RAISE(ABORT, 'entries.state: unknown state'); END""",
]


def _v5(conn: Connection) -> None:
    """v5: corrections are revisions (``entries.revision``); a conflict can be ``resolved``
    (a state, not text in a reason); operators can be disabled and have a last sign-in.

    The table is rebuilt (SQLite cannot change a CHECK constraint in place), following SQLite's
    documented procedure; :func:`upgrade` runs it with foreign keys off.
    """
    old_seq = conn.exec_driver_sql(
        "SELECT seq FROM sqlite_sequence WHERE name = 'entries'"
    ).scalar()
    conn.exec_driver_sql(_V5_ENTRIES)
    copy = f"INSERT INTO entries_v5 ({_COPIED}) SELECT {_COPIED} FROM entries"  # noqa: S608
    conn.exec_driver_sql(copy)
    conn.exec_driver_sql("DROP TABLE entries")
    conn.exec_driver_sql("ALTER TABLE entries_v5 RENAME TO entries")
    if old_seq is not None:  # AUTOINCREMENT never reuses a number, also across the rebuild
        conn.exec_driver_sql(
            "UPDATE sqlite_sequence SET seq = max(seq, ?) WHERE name = 'entries'",
            (int(old_seq),),
        )
    for statement in _V5_ENTRY_OBJECTS:
        conn.exec_driver_sql(statement)
    conn.exec_driver_sql("ALTER TABLE operators ADD COLUMN active INTEGER NOT NULL DEFAULT 1")
    conn.exec_driver_sql("ALTER TABLE operators ADD COLUMN last_sign_in_at TEXT")


# v6: wrong PINs and lockouts per name, kept across dialogs and restarts (store/operators.py)
_V6 = [
    """CREATE TABLE sign_in_failures (
        name TEXT PRIMARY KEY,
        failures INTEGER NOT NULL DEFAULT 0,
        lockouts INTEGER NOT NULL DEFAULT 0,
        locked_until REAL
    )""",
]

# v7: retention — an entry whose personal data was purged says since when (store/retention.py)
_V7 = [
    "ALTER TABLE entries ADD COLUMN purged_at TEXT",
    """CREATE INDEX ix_entries_unpurged_done ON entries (state, seq)
        WHERE purged_at IS NULL AND state IN ('synced','resolved','discarded')""",
]

# v8: biometric parts (store/parts.py). One row per part of an entry: captured (its image's
# sha256 and size, the file in the attachment store) or excepted (a reason, maybe a note),
# never both; the upload's place at the centre and the bytes it acknowledged; when the centre
# verified the whole part; when its file was found missing or damaged (to capture again).
# Written in the same transaction as the entry.
_V8 = [
    """CREATE TABLE parts (
        entry_seq INTEGER NOT NULL REFERENCES entries(seq),
        part TEXT NOT NULL,
        sha256 TEXT,
        size INTEGER CHECK (size >= 0),
        media_type TEXT,
        reason TEXT,
        note TEXT,
        captured_at TEXT NOT NULL,
        upload_url TEXT,
        acked INTEGER NOT NULL DEFAULT 0 CHECK (acked >= 0),
        verified_at TEXT,
        lost_at TEXT,
        PRIMARY KEY (entry_seq, part),
        CHECK ((sha256 IS NULL) <> (reason IS NULL)),
        CHECK (sha256 IS NULL OR (size IS NOT NULL AND acked <= size))
    )""",
    "CREATE INDEX ix_parts_sha256 ON parts (sha256) WHERE sha256 IS NOT NULL",
    """CREATE INDEX ix_parts_unverified ON parts (entry_seq)
        WHERE sha256 IS NOT NULL AND verified_at IS NULL""",
]

_STATE_VALUES_V9 = (
    "('pending','sending','synced','rejected','conflict','discarded','resolved','uploading')"
)

# v9: ``uploading``, the state of an entry whose biodata the centre took while its biometric
# parts are still on their way (the state triggers of v5, with the new value).
_V9 = [
    "DROP TRIGGER tr_entries_state_ins",
    "DROP TRIGGER tr_entries_state_upd",
    f"""CREATE TRIGGER tr_entries_state_ins BEFORE INSERT ON entries
        WHEN NEW.state NOT IN {_STATE_VALUES_V9}
    BEGIN SELECT RAISE(ABORT, 'entries.state: unknown state'); END""",
    f"""CREATE TRIGGER tr_entries_state_upd BEFORE UPDATE OF state ON entries
        WHEN NEW.state NOT IN {_STATE_VALUES_V9}
    BEGIN SELECT RAISE(ABORT, 'entries.state: unknown state'); END""",
]

# v10: the centre's decision on an entry delivered whole with its biometric parts (the
# pipeline stand-in: print-ready, duplicate, adjudication); "due" marks those to ask about
# (set when the last part is verified), so the engine finds them by a small index.
_V10 = [
    "ALTER TABLE entries ADD COLUMN enrolment TEXT",
    "ALTER TABLE entries ADD COLUMN enrolment_reason TEXT",
    "ALTER TABLE entries ADD COLUMN enrolment_at TEXT",
    "CREATE INDEX ix_entries_enrolment ON entries (enrolment, seq) WHERE enrolment IS NOT NULL",
    # counts by decision kept by triggers (the status reads four rows, as for the states)
    "CREATE TABLE enrolment_counts (status TEXT PRIMARY KEY, n INTEGER NOT NULL)",
    """INSERT INTO enrolment_counts (status, n) VALUES
        ('due', 0), ('print_ready', 0), ('duplicate', 0), ('adjudication', 0)""",
    """CREATE TRIGGER tr_enrolment_counts AFTER UPDATE OF enrolment ON entries
        WHEN OLD.enrolment IS NOT NEW.enrolment
    BEGIN
        UPDATE enrolment_counts SET n = n - 1 WHERE status = OLD.enrolment;
        UPDATE enrolment_counts SET n = n + 1 WHERE status = NEW.enrolment;
    END""",
    """UPDATE entries SET enrolment = 'due' WHERE state = 'synced'
        AND (SELECT count(*) FROM parts WHERE parts.entry_seq = entries.seq) = 14""",
]

#: MIGRATIONS[i] brings a database from version i to version i + 1.
MIGRATIONS: list[Migration] = [_V1, _V2, _V3, _V4, _v5, _V6, _V7, _V8, _V9, _V10]
SCHEMA_VERSION = len(MIGRATIONS)


def schema_version(conn: Connection) -> int:
    return int(conn.exec_driver_sql("PRAGMA user_version").scalar_one())


def refuse_newer(current: int) -> None:
    """SchemaError when a queue file is newer than this program (nothing is changed)."""
    if current > SCHEMA_VERSION:
        raise SchemaError(
            f"Basis data antrean berversi {current}, lebih baru dari program ini "
            f"({SCHEMA_VERSION}). Perbarui ektp-station; jangan hapus berkas antrean.",
            f"The queue database is version {current}, newer than this program "
            f"({SCHEMA_VERSION}). Update ektp-station; do not delete the queue file.",
        )


def migrate(conn: Connection, target: int = SCHEMA_VERSION) -> int:
    """Bring the database up to ``target`` inside the caller's transaction; return the old
    version. The caller turns foreign keys off for the transaction (see :func:`upgrade`)."""
    current = schema_version(conn)
    refuse_newer(current)
    for version in range(current, target):
        step = MIGRATIONS[version]
        if callable(step):
            step(conn)
        else:
            for statement in step:
                conn.exec_driver_sql(statement)
        # PRAGMA takes no bound parameters; the value is our own integer.
        conn.exec_driver_sql(f"PRAGMA user_version = {int(version + 1)}")
    if current < target:
        broken = conn.exec_driver_sql("PRAGMA foreign_key_check").first()
        if broken is not None:
            raise SchemaError(
                "Pembaruan format antrean gagal (rujukan riwayat rusak); berkas tidak diubah. "
                "Hubungi petugas TI.",
                "Upgrading the queue format failed (broken audit references); the file is "
                "unchanged. Call IT support.",
            )
    return current


def upgrade(engine: Engine) -> int:
    """Run :func:`migrate` in one write transaction with foreign keys off (as SQLite's
    procedure for rebuilding a table asks), checked before commit; return the old version."""
    with engine.connect() as conn:
        dbapi = conn.connection.dbapi_connection
        assert dbapi is not None
        dbapi.execute("PRAGMA foreign_keys=OFF")  # outside any transaction, or it is a no-op
        try:
            with conn.begin():
                return migrate(conn)
        finally:
            dbapi.execute("PRAGMA foreign_keys=ON")
