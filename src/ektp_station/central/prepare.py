"""What ingest does to each entry before the database, once per entry: normalise, validate, the
record's canonical JSON (stored as it is, and hashed for "same content" without encoding it
a second time), the reference; and, on PostgreSQL, one fixed statement that inserts a whole
batch's new rows.

The centre spends its CPU here (issue #14: the reconnect herd; docs/performance.md, metric 9):
each step is done once per entry, and the batch insert is a short statement whose text never
changes (``INSERT ... SELECT * FROM unnest(<one array per column>)``), which the driver
prepares once per connection instead of parsing a 2,000-placeholder ``VALUES`` list for
every batch.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from ektp_station.domain import normalise, validate
from ektp_station.domain.problems import Severity
from ektp_station.sync.protocol import BatchEntry, FieldError

__all__ = ["PgBulkInsert", "Prepared", "canonical_hash", "prepare", "reference_for"]

REFERENCE_PREFIX = "DPK-"
_B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"  # RFC 4648 base32
_B32_PAIRS = [a + b for a in _B32 for b in _B32]  # 10 bits -> two characters


def reference_for(entry_id: str) -> str:
    """The centre's reference for an entry: stable, derived from its id, 80 bits.

    ``DPK-`` + 16 base32 characters (RFC 4648) of the first 10 bytes of sha256(entry_id) in
    groups of four, e.g. ``DPK-7Q2M-XK4C-J9RA-B3TD``.
    """
    n = int.from_bytes(hashlib.sha256(entry_id.encode("ascii")).digest()[:10], "big")
    t = _B32_PAIRS
    return (
        f"{REFERENCE_PREFIX}{t[n >> 70]}{t[n >> 60 & 1023]}-{t[n >> 50 & 1023]}"
        f"{t[n >> 40 & 1023]}-{t[n >> 30 & 1023]}{t[n >> 20 & 1023]}-{t[n >> 10 & 1023]}"
        f"{t[n & 1023]}"
    )


#: the record as stored and hashed: compact, keys sorted, UTF-8 as it is
record_json = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode
_quoted = lru_cache(maxsize=4096)(json.JSONEncoder(ensure_ascii=False).encode)


def canonical_hash(station_id: str, operator: str, captured_at: datetime, record: str) -> str:
    """``sync.protocol.content_hash`` of an entry whose normalised record is already encoded
    by :func:`record_json`: the same bytes (the object's keys in sorted order, each value as
    ``json.dumps`` writes it nested), without encoding the record again."""
    # "YYYY-MM-DDTHH:MM:SS.ffffffZ" (wire times lie in 2000..2100): nothing to escape
    stamp = captured_at.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds")
    text = (
        f'{{"captured_at":"{stamp}Z","operator":{_quoted(operator)},"record":{record},'
        f'"station_id":{_quoted(station_id)}}}'
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class Prepared:
    """An entry as ingest needs it: normalised, checked, hashed, its reference."""

    entry: BatchEntry
    hash: str
    record: dict[str, str | None]
    record_json: str
    reference: str
    errors: list[FieldError]

    @property
    def entry_id(self) -> str:
        return self.entry.entry_id

    @property
    def revision(self) -> int:
        return self.entry.revision

    @property
    def nik(self) -> str:
        return self.record.get("nik") or ""


def prepare(station_id: str, entry: BatchEntry, today: date) -> Prepared:
    """Normalise the record once, validate it (errors only reject), hash and reference it."""
    record = normalise(entry.record)
    problems = validate(record, today=today, area=None, normalised=True)
    errors = [
        FieldError(field=p.field, code=p.code, message=p.message("id"))
        for p in problems
        if p.severity is Severity.ERROR
    ]
    text = record_json(record)
    return Prepared(
        entry=entry,
        hash=canonical_hash(station_id, entry.operator, entry.captured_at, text),
        record=record,
        record_json=text,
        reference=reference_for(entry.entry_id),
        errors=errors,
    )


class PgBulkInsert:
    """``INSERT INTO <table> (<columns>) SELECT * FROM unnest(<one array per column>) ON
    CONFLICT DO NOTHING RETURNING <key>`` on PostgreSQL: one statement per batch whatever its
    size, the rows in their order, the keys of exactly the rows it inserted. The statement's
    text depends only on the columns given, so the driver prepares it once."""

    def __init__(self, table: sa.Table, key: str) -> None:
        self.table = table
        self.key = key
        self._sql: dict[tuple[str, ...], str] = {}

    def statement(self, columns: Sequence[str]) -> str:
        names = tuple(columns)
        if names not in self._sql:
            dialect = postgresql.dialect()  # type: ignore[no-untyped-call]
            types = [self.table.c[name].type.compile(dialect=dialect) for name in names]
            # %b: binary parameters (psycopg dumps a list in text form ten times slower)
            arrays = ", ".join(f"CAST(%b AS {t}[])" for t in types)
            # names are the table's own columns (an unknown one is a KeyError above)
            head = f"INSERT INTO {self.table.name} ({', '.join(names)}) "
            self._sql[names] = (
                head + f"SELECT * FROM unnest({arrays}) ON CONFLICT DO NOTHING "  # noqa: S608
                f"RETURNING {self.key}"
            )
        return self._sql[names]

    def __call__(self, conn: sa.Connection, rows: Sequence[dict[str, Any]]) -> set[str]:
        if not rows:
            return set()
        names = tuple(rows[0])
        arrays = tuple([row[name] for row in rows] for name in names)
        result = conn.exec_driver_sql(self.statement(names), arrays)
        return {str(found[0]) for found in result}
