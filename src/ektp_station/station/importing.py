"""Import registrations from a JSON-lines or CSV file into the queue.

Every good line is enqueued and every bad one reported — a malformed line (bad JSON, wrong
column count, wrong encoding) is a rejected line, never a crash. Lines are committed in chunks,
each line under its own savepoint: if the process is killed, every line is either fully in the
queue (entry, counts and audit event) or not at all.
"""

from __future__ import annotations

import csv
import json
import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

from ..domain import FIELDS, Problem
from ..domain.biometrics import PART_SPECS, size_problem
from ..domain.problems import make_problem
from ..errors import (
    AlreadyRecordedError,
    DiskFull,
    DuplicateEntryError,
    DuplicateNikError,
    QueueBusy,
    QueueDamaged,
    QueueGone,
    QueueMissing,
    QueueReadOnly,
    QueueReplaced,
    QueueUnusable,
    StoreError,
)
from ..store import Queue
from ..store.attachments import AttachmentStore
from ..store.parts import PartRow
from ..timeutil import parse_utc
from .biometrics import prepare_parts
from .capture import Assessment

__all__ = ["ImportReport", "LineResult", "detect_format", "import_file", "stop_code"]

log = logging.getLogger(__name__)

CHUNK_LINES = 500  # lines read and validated at a time
HOLD_SECONDS = 0.04  # longest the import holds the queue's write lock at once
YIELD_SECONDS = 0.05  # pause between its transactions, so that a counter's save gets in
MAX_OPERATOR = 64
_YIELD = threading.Event()  # never set: an interruptible pause
REQUIRED_COLUMNS = frozenset(FIELDS) - {"phone"}


@dataclass
class LineResult:
    line: int
    status: str  # "imported" | "rejected"
    entry_id: str | None = None
    seq: int | None = None
    errors: list[dict[str, str]] = field(default_factory=list)
    warnings: list[dict[str, str]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "line": self.line,
            "status": self.status,
            "entry_id": self.entry_id,
            "errors": self.errors,
            "warnings": self.warnings,
        }


@dataclass
class ImportReport:
    lines: list[LineResult] = field(default_factory=list)
    #: Why the import stopped before the end (a full disk, a read-only or damaged queue
    #: file): every line from the first one not committed on is rejected with its code.
    stopped: QueueUnusable | None = None

    @property
    def imported(self) -> int:
        return sum(1 for r in self.lines if r.status == "imported")

    @property
    def rejected(self) -> int:
        return sum(1 for r in self.lines if r.status == "rejected")

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "imported": self.imported,
            "rejected": self.rejected,
            "lines": [r.to_json() for r in self.lines],
        }
        if self.stopped is not None:
            data["stopped"] = stop_code(self.stopped)
        return data


#: The code of a line left out because the queue file stopped taking writes.
_STOP_CODES: dict[type[QueueUnusable], str] = {
    DiskFull: "disk_full",
    QueueReadOnly: "queue_read_only",
    QueueDamaged: "queue_damaged",
    QueueMissing: "queue_missing",
    QueueGone: "queue_gone",
    QueueBusy: "queue_busy",
    QueueReplaced: "queue_replaced",
}


def stop_code(exc: QueueUnusable) -> str:
    return _STOP_CODES.get(type(exc), "queue_unusable")


def detect_format(path: Path, given: str | None) -> str:
    if given:
        return given
    return "csv" if path.suffix.lower() == ".csv" else "jsonl"


def _issue(
    field_name: str, code: str, message_id: str, message_en: str, lang: str
) -> dict[str, str]:
    return {
        "field": field_name,
        "code": code,
        "message": message_en if lang == "en" else message_id,
    }


def _problem_json(problem: Problem, lang: str) -> dict[str, str]:
    return {"field": problem.field, "code": problem.code, "message": problem.message(lang)}


@dataclass
class _Parsed:
    line: int
    record: dict[str, Any] | None
    error: dict[str, str] | None = None


Check = Callable[[Mapping[str, object]], Assessment]


def import_file(
    queue: Queue,
    path: Path,
    *,
    fmt: str | None = None,
    operator: str | None,
    default_operator: str = "IMPORT",
    station_id: str,
    check: Check,
    attachments: AttachmentStore | None = None,
    lang: str = "id",
) -> ImportReport:
    """Every line of ``path`` checked with ``check`` (the station's validation, as for a
    capture) and enqueued; ``operator`` (else the line's own, else ``default_operator``) is
    written on the entries. A JSON line's ``attachments`` (part name -> image file, relative
    to ``path``'s folder) and ``exceptions`` (part name -> reason) are checked as at the
    counter and stored in ``attachments``. Use it through ``Station.import_file``."""
    report = ImportReport()
    kind = detect_format(path, fmt)
    context = _Context(
        queue, report, operator, default_operator, station_id, check, lang, attachments, path
    )
    with path.open("rb") as handle:
        parsed = _read_csv(handle, lang) if kind == "csv" else _read_jsonl(handle, lang)
        chunk: list[_Parsed] = []
        for item in parsed:
            if report.stopped is not None:
                _not_attempted(context, item.line)  # named, never read into the queue
                continue
            chunk.append(item)
            if len(chunk) >= CHUNK_LINES:
                _import_chunk(context, chunk)
                chunk = []
        if chunk and report.stopped is None:
            _import_chunk(context, chunk)
    report.lines.sort(key=lambda r: r.line)
    return report


def _not_attempted(
    context: _Context, line: int, warnings: list[dict[str, str]] | None = None
) -> None:
    stopped = context.report.stopped
    assert stopped is not None
    error = _issue("", stop_code(stopped), stopped.message_id, stopped.message_en, context.lang)
    context.report.lines.append(
        LineResult(line, "rejected", errors=[error], warnings=warnings or [])
    )


@dataclass(frozen=True)
class _Context:
    queue: Queue
    report: ImportReport
    operator: str | None
    default_operator: str
    station_id: str
    check: Check
    lang: str
    attachments: AttachmentStore | None
    source: Path


@dataclass
class _Checked:
    item: _Parsed
    record: dict[str, Any]
    operator: str
    entry_id: str | None
    captured_at: datetime | None
    revision: int
    warnings: list[dict[str, str]]
    parts: list[PartRow] = field(default_factory=list)


def _import_chunk(context: _Context, chunk: list[_Parsed]) -> None:
    report, lang = context.report, context.lang
    # Validate outside any transaction: the queue's write lock is held only for the inserts.
    ready: list[_Checked] = []
    for item in chunk:
        if item.record is None:
            assert item.error is not None
            report.lines.append(LineResult(item.line, "rejected", errors=[item.error]))
            continue
        record = dict(item.record)
        images, exceptions, part_errors = _read_parts(context, record)
        assessment = context.check(record)
        errors = [_problem_json(p, lang) for p in assessment.errors] + part_errors
        warnings = [_problem_json(p, lang) for p in assessment.warnings]
        meta_errors, entry_id, captured_at, revision = _entry_meta(item.record, lang)
        errors += meta_errors
        who = (
            context.operator
            or str(item.record.get("operator") or "").strip()
            or context.default_operator
        )
        if len(who) > MAX_OPERATOR:
            errors.append(
                _issue(
                    "operator",
                    "too_long",
                    f"Nama operator paling panjang {MAX_OPERATOR} karakter.",
                    f"The operator name is at most {MAX_OPERATOR} characters.",
                    lang,
                )
            )
        rows: list[PartRow] = []
        if not errors and (images or exceptions):
            if context.attachments is None:
                raise ValueError("an import with biometric parts needs the attachment store")
            prepared = prepare_parts(context.attachments, images, exceptions)  # may DiskFull
            errors += [_problem_json(p, lang) for p in prepared.problems]
            rows = prepared.rows
            if prepared.missing:
                incomplete = make_problem("", "parts_incomplete", n=len(prepared.missing))
                warnings.append(_problem_json(incomplete, lang))
        if errors:
            report.lines.append(LineResult(item.line, "rejected", errors=errors, warnings=warnings))
            continue
        ready.append(_Checked(item, record, who, entry_id, captured_at, revision, warnings, rows))
    queue = context.queue
    while ready:
        try:
            ready = _insert_some(queue, ready, report, context.station_id, lang)
        except QueueUnusable as exc:
            # The transaction did not commit: none of its lines is in the queue, nor any
            # after it. Every line already reported imported was committed before.
            report.stopped = exc
            for checked in ready:
                _not_attempted(context, checked.item.line, checked.warnings)
            return
        try:
            queue.checkpoint()
        except QueueUnusable as exc:
            log.warning("checkpoint during import skipped: %s", type(exc).__name__)
        if ready:
            # Give a counter's save (another process or thread) its turn at the write lock:
            # SQLite's busy handler polls, so a writer that re-locks at once would starve it.
            _YIELD.wait(YIELD_SECONDS)


def _insert_some(
    queue: Queue, ready: list[_Checked], report: ImportReport, station_id: str, lang: str
) -> list[_Checked]:
    """Insert lines for at most HOLD_SECONDS in one transaction; return those left over."""
    started = time.monotonic()
    done = 0
    results: list[LineResult] = []  # reported only once their transaction has committed
    with queue.writing() as conn:
        for checked in ready:
            if done and time.monotonic() - started > HOLD_SECONDS:
                break
            done += 1
            item, warnings = checked.item, checked.warnings
            try:
                entry = queue.enqueue_in(
                    conn,
                    checked.record,
                    operator=checked.operator,
                    station_id=station_id,
                    captured_at=checked.captured_at,
                    entry_id=checked.entry_id,
                    action="imported",
                    detail={"line": item.line, "warnings": [w["code"] for w in warnings]},
                    revision=checked.revision,
                    parts=checked.parts,
                )
            except StoreError as exc:
                code, where = _STORE_CODES.get(type(exc), ("not_saved", ""))
                if isinstance(exc, QueueUnusable):
                    raise
                error = _issue(where, code, exc.message_id, exc.message_en, lang)
                results.append(LineResult(item.line, "rejected", errors=[error], warnings=warnings))
                continue
            results.append(
                LineResult(item.line, "imported", entry.entry_id, entry.seq, warnings=warnings)
            )
    report.lines.extend(results)
    return ready[done:]


def _read_parts(
    context: _Context, record: dict[str, Any]
) -> tuple[dict[str, bytes], dict[str, object], list[dict[str, str]]]:
    """Take ``attachments`` and ``exceptions`` out of ``record``: the images read (from the
    import file's folder, never outside it), the reasons, and what is wrong with them."""
    lang = context.lang
    raw_files = record.pop("attachments", None) or {}
    raw_reasons = record.pop("exceptions", None) or {}
    errors: list[dict[str, str]] = []
    if not isinstance(raw_files, dict) or not isinstance(raw_reasons, dict):
        message = (
            "attachments dan exceptions harus objek JSON {bagian: nilai}.",
            "attachments and exceptions must be JSON objects {part: value}.",
        )
        return {}, {}, [_issue("attachments", "attachments_format", *message, lang)]
    base = context.source.resolve().parent
    images: dict[str, bytes] = {}
    for part, name in raw_files.items():
        spec = PART_SPECS.get(str(part))
        if spec is None:
            errors.append(_problem_json(make_problem(str(part), "part_unknown"), lang))
            continue
        target = (base / str(name)).resolve() if isinstance(name, str) and name else None
        if target is None or not target.is_relative_to(base) or not target.is_file():
            errors.append(
                _issue(
                    str(part),
                    "attachment_file",
                    "Berkas gambar tidak ditemukan di folder berkas impor (tulis nama berkas "
                    "relatif terhadap berkas impor).",
                    "The image file is not found in the import file's folder (give its name "
                    "relative to the import file).",
                    lang,
                )
            )
            continue
        too_big = size_problem(str(part), target.stat().st_size)
        if too_big is not None:  # not read into memory at all
            errors.append(_problem_json(too_big, lang))
            continue
        images[str(part)] = target.read_bytes()
    reasons = {str(part): reason for part, reason in raw_reasons.items()}
    return images, reasons, errors


_STORE_CODES: dict[type[StoreError], tuple[str, str]] = {
    DuplicateNikError: ("nik_waiting", "nik"),
    AlreadyRecordedError: ("nik_recorded_here", "nik"),
    DuplicateEntryError: ("entry_exists", "entry_id"),
}


def _entry_meta(
    record: Mapping[str, Any], lang: str
) -> tuple[list[dict[str, str]], str | None, datetime | None, int]:
    """An exported line carries its entry id and capture time: keep them, so that an entry
    moved to another station keeps its idempotency key and is never recorded twice."""
    errors: list[dict[str, str]] = []
    entry_id: str | None = None
    captured_at: datetime | None = None
    raw_id = record.get("entry_id")
    if raw_id not in (None, ""):
        try:
            entry_id = str(uuid.UUID(str(raw_id)))
        except ValueError:
            errors.append(
                _issue(
                    "entry_id",
                    "entry_id_format",
                    "ID entri bukan UUID yang sah.",
                    "The entry id is not a valid UUID.",
                    lang,
                )
            )
    raw_time = record.get("captured_at")
    if raw_time not in (None, ""):
        try:
            captured_at = parse_utc(str(raw_time))
        except ValueError:
            errors.append(
                _issue(
                    "captured_at",
                    "captured_at_format",
                    "Waktu perekaman harus ISO-8601, mis. 2026-11-24T08:00:00Z.",
                    "Capture time must be ISO-8601, e.g. 2026-11-24T08:00:00Z.",
                    lang,
                )
            )
    revision = 1
    raw_revision = record.get("revision")
    if raw_revision not in (None, ""):
        try:
            revision = int(str(raw_revision))
            if not 1 <= revision <= 1_000_000:
                raise ValueError("revision out of range")
        except ValueError:
            revision = 1
            errors.append(
                _issue(
                    "revision",
                    "revision_format",
                    "Revisi harus bilangan bulat 1 atau lebih.",
                    "The revision must be a whole number, 1 or more.",
                    lang,
                )
            )
    return errors, entry_id, captured_at, revision


def _decode(raw: bytes, number: int, lang: str) -> tuple[str | None, dict[str, str] | None]:
    if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8").rstrip("\r\n"), None
    except UnicodeDecodeError:
        return None, _issue(
            "",
            "encoding",
            "Baris ini bukan teks UTF-8. Simpan berkas sebagai UTF-8.",
            "This line is not UTF-8 text. Save the file as UTF-8.",
            lang,
        )


def _read_jsonl(handle: BinaryIO, lang: str) -> Iterator[_Parsed]:
    for number, raw in enumerate(handle, start=1):
        text, error = _decode(raw, number, lang)
        if text is None:
            yield _Parsed(number, None, error)
            continue
        if not text.strip():
            continue
        try:
            value = json.loads(text)
        except ValueError:
            yield _Parsed(
                number,
                None,
                _issue(
                    "",
                    "json",
                    "Baris ini bukan JSON yang sah.",
                    "This line is not valid JSON.",
                    lang,
                ),
            )
            continue
        if not isinstance(value, dict):
            yield _Parsed(
                number,
                None,
                _issue(
                    "",
                    "json_object",
                    "Setiap baris harus satu objek JSON {…}.",
                    "Each line must be one JSON object {…}.",
                    lang,
                ),
            )
            continue
        yield _Parsed(number, value)


def _read_csv(handle: BinaryIO, lang: str) -> Iterator[_Parsed]:
    bad: list[_Parsed] = []
    position = {"line": 0, "first": 0}  # last line read; first line of the current record

    def lines() -> Iterator[str]:
        for number, raw in enumerate(handle, start=1):
            position["line"] = number
            text, error = _decode(raw, number, lang)
            if text is None:
                bad.append(_Parsed(number, None, error))
                continue
            if not position["first"]:
                position["first"] = number
            yield text

    source = lines()
    header_text = next(source, None)
    yield from bad
    bad.clear()
    if header_text is None:
        return
    delimiter = ";" if header_text.count(";") > header_text.count(",") else ","
    header = [h.strip().lower() for h in next(csv.reader([header_text], delimiter=delimiter))]
    missing = sorted(REQUIRED_COLUMNS - set(header))
    if missing:
        yield _Parsed(
            1,
            None,
            _issue(
                "",
                "csv_header",
                "Baris judul CSV tidak memuat kolom: " + ", ".join(missing) + ".",
                "The CSV header lacks the columns: " + ", ".join(missing) + ".",
                lang,
            ),
        )
        for number, _raw in enumerate(handle, start=position["line"] + 1):
            yield _Parsed(
                number,
                None,
                _issue(
                    "",
                    "csv_header",
                    "Dilewati: judul CSV salah.",
                    "Skipped: the CSV header is wrong.",
                    lang,
                ),
            )
        return
    reader = csv.reader(source, delimiter=delimiter, strict=True)
    while True:
        position["first"] = 0
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error:
            start = position["first"] or position["line"]
            yield from bad
            bad.clear()
            yield _Parsed(
                start,
                None,
                _issue(
                    "",
                    "csv_syntax",
                    "Baris CSV ini rusak (tanda kutip?).",
                    "This CSV line is malformed (quotes?).",
                    lang,
                ),
            )
            continue
        start = position["first"] or position["line"]
        yield from bad
        bad.clear()
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            yield _Parsed(
                start,
                None,
                _issue(
                    "",
                    "csv_columns",
                    f"Baris ini punya {len(row)} kolom, seharusnya {len(header)}.",
                    f"This line has {len(row)} columns, expected {len(header)}.",
                    lang,
                ),
            )
            continue
        yield _Parsed(start, dict(zip(header, row, strict=True)))
    yield from bad
