"""`queue import` of JSON lines: every good line in, every bad line reported, nothing partial."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import date
from pathlib import Path

from ektp_station.domain import normalise
from ektp_station.store import Queue, State

from .support import Result, assert_same
from factories import make_record

Cli = Callable[..., Result]

LINE_KEYS = {"line", "status", "entry_id", "errors", "warnings"}
ISSUE_KEYS = {"field", "code", "message"}
WARNING_LINE = 8  # the line whose only problem is a warning


def _mixed_file(path: Path) -> tuple[dict[int, dict[str, object]], dict[int, tuple[str, str]]]:
    """Write the mixed file; return {line: record} of the lines that must be imported and
    {line: (field, code)} of those that must be rejected. Lines are 1-based, blanks counted."""
    good = make_record(1)
    lines: list[bytes] = []
    imported: dict[int, dict[str, object]] = {}
    rejected: dict[int, tuple[str, str]] = {}

    def add(
        record: object, *, ok: bool | None = None, error: tuple[str, str] | None = None
    ) -> None:
        lines.append(json.dumps(record, ensure_ascii=False).encode("utf-8"))
        if error is not None:
            rejected[len(lines)] = error
        elif ok:
            assert isinstance(record, dict)
            imported[len(lines)] = record

    add(good, ok=True)
    add(make_record(2, nik=make_record(2)["nik"][:13]), error=("nik", "nik_length"))
    add(make_record(3, birth_date="1990-02-30"), error=("birth_date", "birth_date_invalid"))
    add(make_record(4, religion="JEDI"), error=("religion", "value_not_in_list"))
    lines.append(b"")  # blank line
    add(make_record(5, rt="000"), error=("rt", "rt_rw_zero"))
    # a real kelurahan, but in Jakarta Selatan, not in the station's city (Depok, 32.76)
    add(
        make_record(6, kelurahan_code="31.71.01.1001"),
        error=("kelurahan_code", "kelurahan_outside_area"),
    )
    # NIK says 17-05-1990, the form says 18-05-1990: a warning, imported
    add(make_record(7, birth_date="1990-05-18"), ok=True)
    assert len(lines) == WARNING_LINE
    lines.append(b'{"nik": "3276021705900008", "full_name": ')  # truncated JSON
    rejected[len(lines)] = ("", "json")
    lines.append(json.dumps([make_record(9)]).encode())  # an array, not an object
    rejected[len(lines)] = ("", "json_object")
    lines.append(b'{"full_name": "B\xd6DI", "nik": "3276021705900010"}')  # Latin-1, not UTF-8
    rejected[len(lines)] = ("", "encoding")
    lines.append(b"   \t")  # whitespace only
    add(make_record(11), ok=True)
    add(
        make_record(1, full_name="BUDI SANTOSA"), error=("nik", "nik_waiting")
    )  # same NIK as line 1
    add(make_record(12), ok=True)
    path.write_bytes(b"\n".join(lines) + b"\n")
    return imported, rejected


def test_mixed_jsonl_imports_exactly_the_good_lines(
    cli: Cli, station: Path, tmp_path: Path
) -> None:
    source = tmp_path / "campur.jsonl"
    expected_in, expected_out = _mixed_file(source)

    result = cli("--data-dir", station, "queue", "import", source, "--json", "--operator", "SITI")

    assert result.rc == 1
    report = result.json()
    assert set(report) >= {"imported", "rejected", "lines"}
    assert report["imported"] == len(expected_in) == 4
    assert report["rejected"] == len(expected_out) == 9
    for line in report["lines"]:
        assert set(line) == LINE_KEYS
        for issue in line["errors"] + line["warnings"]:
            assert set(issue) == ISSUE_KEYS
            assert issue["message"]  # a human sentence, not empty
    by_line = {line["line"]: line for line in report["lines"]}
    # blank lines are skipped silently; every other line is reported once, in order
    assert [line["line"] for line in report["lines"]] == sorted(by_line)
    assert set(by_line) == set(expected_in) | set(expected_out)

    for number, (field, code) in expected_out.items():
        line = by_line[number]
        assert line["status"] == "rejected", number
        assert line["entry_id"] is None, number
        assert [(e["field"], e["code"]) for e in line["errors"]] == [(field, code)], number

    for number in expected_in:
        line = by_line[number]
        assert line["status"] == "imported", number
        assert line["errors"] == [], number
        uuid.UUID(line["entry_id"])
    warned = [n for n in expected_in if by_line[n]["warnings"]]
    assert warned == [WARNING_LINE]
    assert [(w["field"], w["code"]) for w in by_line[WARNING_LINE]["warnings"]] == [
        ("nik", "nik_birthdate_mismatch")
    ]

    # the queue holds exactly the imported lines, each with its own record, nothing partial
    queue = Queue.open(station)
    try:
        entries = list(queue.iter_entries())
        assert len(entries) == queue.count() == 4
        assert {e.entry_id for e in entries} == {by_line[n]["entry_id"] for n in expected_in}
        for number, record in expected_in.items():
            entry = queue.get_by_id(by_line[number]["entry_id"])
            same = entry.record == normalise(record)
            assert same, f"line {number}: stored record differs from the file"
            assert entry.state is State.PENDING
            assert entry.operator == "SITI"
            assert entry.station_id == "ST-UJI-01"
            trail = queue.audit_trail(entry.seq)
            assert [(a.action, a.detail["line"]) for a in trail] == [("imported", number)]
        status = queue.status()
        assert status.counts["pending"] == status.total == 4
        with queue.engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT count(*) FROM audit").scalar() == 4
    finally:
        queue.close()


def test_all_good_file_exits_zero(cli: Cli, station: Path, tmp_path: Path) -> None:
    records = [make_record(i) for i in range(1, 6)]
    source = tmp_path / "baik.jsonl"
    # CRLF line ends (Windows Notepad) and a trailing blank line are fine
    source.write_bytes(b"".join(json.dumps(r).encode() + b"\r\n" for r in records) + b"\r\n")

    result = cli("--data-dir", station, "queue", "import", source, "--json")

    assert result.rc == 0
    report = result.json()
    assert report["imported"] == 5 and report["rejected"] == 0
    assert [line["status"] for line in report["lines"]] == ["imported"] * 5
    queue = Queue.open(station)
    try:
        assert queue.count() == 5
        assert_same(
            (e.record["nik"] for e in queue.iter_entries()),
            (r["nik"] for r in records),
            "imported NIKs",
        )
        # without --operator the entries are recorded as made by the import
        assert {e.operator for e in queue.iter_entries()} == {"IMPORT"}
    finally:
        queue.close()


def test_human_report_is_indonesian_and_names_lines(
    cli: Cli, station: Path, tmp_path: Path
) -> None:
    source = tmp_path / "dua.jsonl"
    source.write_text(
        json.dumps(make_record(1)) + "\n" + json.dumps(make_record(2, rt="000")) + "\n",
        encoding="utf-8",
    )

    result = cli("--data-dir", station, "queue", "import", source)

    assert result.rc == 1
    assert "Baris 2 [rt]" in result.out
    assert "1 baris diimpor, 1 ditolak." in result.out
    assert make_record(1)["nik"] not in result.out + result.err


def test_missing_file_is_a_usage_error(cli: Cli, station: Path, tmp_path: Path) -> None:
    result = cli("--data-dir", station, "queue", "import", tmp_path / "tidak-ada.jsonl")
    assert result.rc == 2
    assert "tidak ditemukan" in result.err
    assert result.out == ""


def test_import_keeps_validation_date_of_today(cli: Cli, station: Path, tmp_path: Path) -> None:
    """A birth date after today is refused (validation runs against the real date)."""
    tomorrow = date.fromordinal(date.today().toordinal() + 1)
    source = tmp_path / "besok.jsonl"
    source.write_text(
        json.dumps(make_record(1, birth_date=tomorrow.isoformat())) + "\n", encoding="utf-8"
    )
    report = cli("--data-dir", station, "queue", "import", source, "--json").json()
    codes = [e["code"] for e in report["lines"][0]["errors"]]
    assert "birth_date_future" in codes
