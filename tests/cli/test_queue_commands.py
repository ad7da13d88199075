"""`queue status`, `queue list` and `queue export` over a real queue file."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ektp_station.domain import mask_nik
from ektp_station.exporter import EXPORT_COLUMNS
from ektp_station.store import Outcome, Queue, State

from .support import Result, assert_same, write_jsonl, write_station_config
from factories import make_record

Cli = Callable[..., Result]

STATE_KEYS = ("pending", "sending", "synced", "rejected", "conflict", "discarded")
CAPTURED = datetime(2026, 11, 21, 8, 30, tzinfo=UTC)


@pytest.fixture
def filled(cli: Cli, station: Path, tmp_path: Path) -> Path:
    """Five entries by two operators: SITI 3 (1 synced, 1 rejected, 1 pending), ANDI 2
    (1 pending, 1 discarded). Imported with the CLI; delivery results applied by the queue."""
    siti = write_jsonl(tmp_path / "siti.jsonl", [make_record(i) for i in (1, 2, 3)])
    andi = write_jsonl(tmp_path / "andi.jsonl", [make_record(i) for i in (4, 5)])
    assert cli("--data-dir", station, "queue", "import", siti, "--operator", "SITI").rc == 0
    assert cli("--data-dir", station, "queue", "import", andi, "--operator", "ANDI").rc == 0
    queue = Queue.open(station)
    try:
        batch = queue.claim_batch("uji", 2)  # the two oldest: SITI's #1 and #2
        assert [e.seq for e in batch] == [1, 2]
        queue.apply_outcomes(
            "uji",
            [
                Outcome(batch[0].entry_id, State.SYNCED, server_ref="PUSAT-1"),
                Outcome(
                    batch[1].entry_id,
                    State.REJECTED,
                    errors=({"field": "rt", "code": "rt_rw_zero", "message": "x"},),
                ),
            ],
        )
        queue.discard(5, actor="SUP", reason="salah input")
    finally:
        queue.close()
    return station


def test_status_json_has_the_stable_keys_and_per_operator_counts(cli: Cli, filled: Path) -> None:
    result = cli("--data-dir", filled, "queue", "status", "--json")

    assert result.rc == 0
    data = result.json()
    for key in (*STATE_KEYS, "oldest_unsynced_at", "last_sync_at", "operators"):
        assert key in data
    assert {k: data[k] for k in STATE_KEYS} == {
        "pending": 2,
        "sending": 0,
        "synced": 1,
        "rejected": 1,
        "conflict": 0,
        "discarded": 1,
    }
    assert data["total"] == 5 and data["unsynced"] == 3
    assert data["oldest_unsynced_at"] is not None and data["last_sync_at"] is not None
    datetime.fromisoformat(data["last_sync_at"].replace("Z", "+00:00"))
    operators = {(o["station_id"], o["operator"]): o for o in data["operators"]}
    assert set(operators) == {("ST-UJI-01", "SITI"), ("ST-UJI-01", "ANDI")}
    siti, andi = operators["ST-UJI-01", "SITI"], operators["ST-UJI-01", "ANDI"]
    assert (siti["pending"], siti["synced"], siti["rejected"]) == (1, 1, 1)
    assert (andi["pending"], andi["discarded"]) == (1, 1)
    for op in operators.values():
        assert set(STATE_KEYS) <= set(op)


def test_status_of_an_empty_queue(cli: Cli, station: Path) -> None:
    data = cli("--data-dir", station, "queue", "status", "--json").json()
    assert {k: data[k] for k in STATE_KEYS} == dict.fromkeys(STATE_KEYS, 0)
    assert data["oldest_unsynced_at"] is None and data["last_sync_at"] is None
    assert data["operators"] == []


def test_status_human_output_is_indonesian(cli: Cli, filled: Path) -> None:
    result = cli("--data-dir", filled, "queue", "status")

    assert result.rc == 0
    for phrase in (
        "Antrean stasiun ST-UJI-01",
        "Menunggu dikirim",
        "Terkirim",
        "Ditolak pusat",
        "Dibatalkan",
        "Belum terkirim tertua",
        "Sinkron terakhir",
        "Per operator",
    ):
        assert phrase in result.out
    assert "SITI" in result.out and "ANDI" in result.out
    assert "Waiting to be sent" not in result.out
    assert make_record(1)["nik"] not in result.out


def test_status_in_english_when_configured(cli: Cli, data_dir: Path) -> None:
    write_station_config(data_dir, language="en")
    result = cli("--data-dir", data_dir, "queue", "status")
    assert "Waiting to be sent" in result.out
    assert "Menunggu dikirim" not in result.out


def test_list_masks_niks_unless_asked(cli: Cli, filled: Path) -> None:
    niks = [make_record(i)["nik"] for i in range(1, 6)]

    masked = cli("--data-dir", filled, "queue", "list")
    assert masked.rc == 0
    assert len(masked.out.splitlines()) == 5
    assert not any(nik in masked.out for nik in niks)
    assert all(mask_nik(nik) in masked.out for nik in niks)

    shown = cli("--data-dir", filled, "queue", "list", "--show-nik")
    assert all(nik in shown.out for nik in niks)


def test_list_json_and_state_filter(cli: Cli, filled: Path) -> None:
    rows = cli("--data-dir", filled, "queue", "list", "--json").json()
    assert [r["seq"] for r in rows] == [1, 2, 3, 4, 5]
    assert [r["state"] for r in rows] == ["synced", "rejected", "pending", "pending", "discarded"]
    assert rows[0]["server_ref"] == "PUSAT-1"
    niks = {make_record(i)["nik"] for i in range(1, 6)}
    assert not any(r["nik"] in niks for r in rows)
    assert all(r["nik"] == mask_nik(make_record(r["seq"])["nik"]) for r in rows)
    assert all("*" in r["kk_number"] for r in rows)

    pending = cli("--data-dir", filled, "queue", "list", "--json", "--state", "pending").json()
    assert [r["seq"] for r in pending] == [3, 4]
    assert {r["state"] for r in pending} == {"pending"}

    full = cli(
        "--data-dir", filled, "queue", "list", "--json", "--show-nik", "--state", "rejected"
    ).json()
    assert [r["seq"] for r in full] == [2]
    same = full[0]["nik"] == make_record(2)["nik"]
    assert same, "--show-nik must show the whole NIK"

    page = cli("--data-dir", filled, "queue", "list", "--json", "--limit", "2", "--after", "1")
    assert [r["seq"] for r in page.json()] == [2, 3]

    bad = cli("--data-dir", filled, "queue", "list", "--state", "lost")
    assert bad.rc == 2


def test_list_of_an_empty_queue(cli: Cli, station: Path) -> None:
    result = cli("--data-dir", station, "queue", "list")
    assert result.rc == 0 and result.out == "Tidak ada entri.\n"


def test_export_then_import_elsewhere_keeps_entries(cli: Cli, filled: Path, tmp_path: Path) -> None:
    exported = tmp_path / "pindah.jsonl"
    result = cli("--data-dir", filled, "queue", "export", "--show-nik", "-o", exported)
    assert result.rc == 0
    assert "5 entri diekspor" in result.err
    assert len(exported.read_text(encoding="utf-8").splitlines()) == 5

    fresh = tmp_path / "stasiun-baru"
    write_station_config(fresh, station_id="ST-UJI-02")
    moved = cli("--data-dir", fresh, "queue", "import", exported, "--json")
    assert moved.rc == 0
    assert moved.json()["imported"] == 5

    source, target = Queue.open(filled), Queue.open(fresh)
    try:
        before = {e.entry_id: e for e in source.iter_entries()}
        after = {e.entry_id: e for e in target.iter_entries()}
        assert set(after) == set(before)  # the idempotency key travels with the entry
        for entry_id, old in before.items():
            new = after[entry_id]
            same = new.record == old.record
            assert same, f"record of #{old.seq} changed on the way"
            assert new.captured_at == old.captured_at
            assert new.operator == old.operator
            assert new.state is State.PENDING
        # importing the same export twice does not duplicate anything
        again = cli("--data-dir", fresh, "queue", "import", exported, "--json")
        assert again.rc == 1
        assert target.count() == 5
        codes = {e["code"] for line in again.json()["lines"] for e in line["errors"]}
        assert codes <= {"nik_waiting", "entry_exists"} and codes
    finally:
        source.close()
        target.close()


def test_export_masks_nik_by_default(cli: Cli, filled: Path) -> None:
    result = cli("--data-dir", filled, "queue", "export")
    assert result.rc == 0
    rows = [json.loads(line) for line in result.out.splitlines()]
    assert len(rows) == 5
    for i in range(1, 6):
        record = make_record(i)
        assert record["nik"] not in result.out
        assert mask_nik(record["nik"]) in result.out
    assert make_record(1)["kk_number"] not in result.out
    assert {r["state"] for r in rows} == {"synced", "rejected", "pending", "discarded"}


def test_export_csv_and_reimport(cli: Cli, filled: Path, tmp_path: Path) -> None:
    exported = tmp_path / "antrean.csv"
    result = cli(
        "--data-dir", filled, "queue", "export", "--show-nik", "--state", "pending", "-o", exported
    )
    assert result.rc == 0
    table = list(csv.DictReader(io.StringIO(exported.read_text(encoding="utf-8"))))
    assert list(table[0]) == list(EXPORT_COLUMNS)
    assert [r["seq"] for r in table] == ["3", "4"]
    assert_same((r["nik"] for r in table), (make_record(i)["nik"] for i in (3, 4)), "NIKs")

    fresh = tmp_path / "dari-csv"
    write_station_config(fresh)
    moved = cli("--data-dir", fresh, "queue", "import", exported, "--json")
    assert moved.rc == 0, [e["code"] for line in moved.json()["lines"] for e in line["errors"]]
    target = Queue.open(fresh)
    try:
        assert {e.entry_id for e in target.iter_entries()} == {r["entry_id"] for r in table}
    finally:
        target.close()

    to_stdout = cli("--data-dir", filled, "queue", "export", "--format", "csv")
    assert to_stdout.out.splitlines()[0] == ",".join(EXPORT_COLUMNS)
    assert len(to_stdout.out.splitlines()) == 6
    assert make_record(3)["nik"] not in to_stdout.out


def test_captured_at_from_the_file_is_kept(cli: Cli, station: Path, tmp_path: Path) -> None:
    source = write_jsonl(
        tmp_path / "lama.jsonl", [{**make_record(1), "captured_at": "2026-11-21T08:30:00Z"}]
    )
    assert cli("--data-dir", station, "queue", "import", source).rc == 0
    queue = Queue.open(station)
    try:
        assert queue.get(1).captured_at == CAPTURED
    finally:
        queue.close()
