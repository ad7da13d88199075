"""`queue import` of CSV: header by field names, either delimiter, BOM, bad rows and headers."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ektp_station.domain import FIELDS, normalise
from ektp_station.store import Queue

from .support import Result, assert_same
from factories import make_record

Cli = Callable[..., Result]


def _csv_bytes(
    rows: Sequence[dict[str, Any]],
    *,
    columns: Sequence[str] = FIELDS,
    header: Sequence[str] | None = None,
    delimiter: str = ",",
    bom: bool = False,
) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header or columns)
    for row in rows:
        writer.writerow(["" if row.get(c) is None else row[c] for c in columns])
    return (b"\xef\xbb\xbf" if bom else b"") + buffer.getvalue().encode("utf-8")


def _queue_niks(data_dir: Path) -> list[str]:
    queue = Queue.open(data_dir)
    try:
        return [str(e.record["nik"]) for e in queue.iter_entries()]
    finally:
        queue.close()


def test_comma_csv_with_bom_and_a_short_row(cli: Cli, station: Path, tmp_path: Path) -> None:
    records = [make_record(i) for i in range(1, 5)]
    data = _csv_bytes(records, bom=True)
    lines = data.split(b"\r\n")
    # line 4 (the 3rd record) loses its last two cells
    lines[3] = lines[3].rsplit(b",", 2)[0]
    source = tmp_path / "data.csv"
    source.write_bytes(b"\r\n".join(lines))

    result = cli("--data-dir", station, "queue", "import", source, "--json")

    assert result.rc == 1
    report = result.json()
    by_line = {line["line"]: line for line in report["lines"]}
    assert sorted(by_line) == [2, 3, 4, 5]
    assert [by_line[n]["status"] for n in (2, 3, 5)] == ["imported"] * 3
    assert by_line[4]["status"] == "rejected"
    assert [(e["field"], e["code"]) for e in by_line[4]["errors"]] == [("", "csv_columns")]
    assert_same(_queue_niks(station), [records[i]["nik"] for i in (0, 1, 3)], "imported NIKs")


def test_semicolon_csv_without_optional_phone(cli: Cli, station: Path, tmp_path: Path) -> None:
    records = [
        make_record(1, address="JL. MERDEKA, GG. MAWAR NO. 10"),  # a comma inside a cell
        make_record(2, full_name="SITI NURHALIZA"),
    ]
    columns = [f for f in FIELDS if f != "phone"]
    source = tmp_path / "data-excel.csv"
    # Excel with an Indonesian locale writes semicolons
    source.write_bytes(_csv_bytes(records, columns=columns, delimiter=";"))

    result = cli("--data-dir", station, "queue", "import", source, "--json")

    assert result.rc == 0, [e["code"] for line in result.json()["lines"] for e in line["errors"]]
    assert result.json()["imported"] == 2
    queue = Queue.open(station)
    try:
        stored = {e.record["full_name"]: e.record for e in queue.iter_entries()}
        assert stored["BUDI SANTOSO"]["address"] == normalise(records[0])["address"]
        assert stored["SITI NURHALIZA"]["phone"] is None
    finally:
        queue.close()


def test_header_in_capitals_is_accepted(cli: Cli, station: Path, tmp_path: Path) -> None:
    source = tmp_path / "kapital.csv"
    header = [f" {c.upper()} " for c in FIELDS]
    source.write_bytes(_csv_bytes([make_record(1)], header=header))
    result = cli("--data-dir", station, "queue", "import", source, "--json")
    assert result.rc == 0
    assert result.json()["imported"] == 1


def test_header_missing_a_required_column_rejects_every_line(
    cli: Cli, station: Path, tmp_path: Path
) -> None:
    records = [make_record(i) for i in range(1, 4)]
    columns = [f for f in FIELDS if f != "religion"]
    source = tmp_path / "tanpa-agama.csv"
    source.write_bytes(_csv_bytes(records, columns=columns))

    result = cli("--data-dir", station, "queue", "import", source, "--json")

    assert result.rc == 1
    report = result.json()
    assert report["imported"] == 0
    assert [line["line"] for line in report["lines"]] == [1, 2, 3, 4]
    for line in report["lines"]:
        assert line["status"] == "rejected"
        assert [e["code"] for e in line["errors"]] == ["csv_header"]
    assert "religion" in report["lines"][0]["errors"][0]["message"]
    assert _queue_niks(station) == []


def test_format_option_overrides_the_file_name(cli: Cli, station: Path, tmp_path: Path) -> None:
    source = tmp_path / "export.txt"
    source.write_bytes(_csv_bytes([make_record(1), make_record(2)], delimiter=";"))
    as_jsonl = cli("--data-dir", station, "queue", "import", source, "--json")
    assert as_jsonl.rc == 1  # read as JSON lines: every line is bad JSON
    assert {e["code"] for line in as_jsonl.json()["lines"] for e in line["errors"]} == {"json"}
    as_csv = cli("--data-dir", station, "queue", "import", source, "--format", "csv", "--json")
    assert as_csv.rc == 0
    assert as_csv.json()["imported"] == 2
