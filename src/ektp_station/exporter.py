"""Export queue entries as JSON lines or CSV (re-importable with ``queue import``).

NIK and KK numbers are masked unless asked for in full: an export is personal data leaving
the station, so showing it is a deliberate choice (``--show-nik``).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from typing import Any, TextIO

from .domain import FIELDS, mask_nik
from .store import Entry
from .timeutil import format_utc

__all__ = ["EXPORT_COLUMNS", "entry_row", "write_export"]

META_COLUMNS = (
    "entry_id",
    "seq",
    "revision",
    "state",
    "station_id",
    "operator",
    "captured_at",
    "server_ref",
)
#: ``purged_at`` last: a column added after the first release, so that scripts reading the
#: columns by position keep working
EXPORT_COLUMNS = (*META_COLUMNS, *FIELDS, "purged_at", "enrolment")


def entry_row(entry: Entry, *, show_nik: bool) -> dict[str, Any]:
    record = dict(entry.record)
    if not show_nik:
        for key in ("nik", "kk_number"):
            if record.get(key):
                record[key] = mask_nik(str(record[key]))
    return {
        "entry_id": entry.entry_id,
        "seq": entry.seq,
        "revision": entry.revision,
        "state": entry.state.value,
        "station_id": entry.station_id,
        "operator": entry.operator,
        "captured_at": format_utc(entry.captured_at),
        "server_ref": entry.server_ref,
        "purged_at": format_utc(entry.purged_at) if entry.purged_at else None,
        **{name: record.get(name) for name in FIELDS},
        # the centre's decision once delivered whole with its parts (docs/biometrics.md):
        # None, "due", "print_ready", "duplicate", "adjudication"
        "enrolment": entry.enrolment,
    }


def _rows(entries: Iterable[Entry], show_nik: bool) -> Iterator[dict[str, Any]]:
    for entry in entries:
        yield entry_row(entry, show_nik=show_nik)


def write_export(out: TextIO, entries: Iterable[Entry], *, fmt: str, show_nik: bool) -> int:
    count = 0
    if fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=list(EXPORT_COLUMNS), lineterminator="\n")
        writer.writeheader()
        for row in _rows(entries, show_nik):
            writer.writerow({k: "" if v is None else v for k, v in row.items()})
            count += 1
    else:
        for row in _rows(entries, show_nik):
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
            count += 1
    return count
