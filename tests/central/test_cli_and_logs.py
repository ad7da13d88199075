"""The ``central`` CLI commands, and that logs never carry NIKs, names or tokens."""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path

import httpx
import pytest
from central_support import make_batch

from ektp_station.central import CentralServer
from ektp_station.central.cli import add_parser, default_db_url

from factories import TODAY, make_record


def _parse(argv: list[str], data_dir: Path | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", dest="data_dir", default=str(data_dir) if data_dir else None)
    add_parser(parser.add_subparsers(dest="command", required=True))
    return parser.parse_args(argv)


def test_add_station_rotate_and_stats(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = _parse(["central", "add-station", "DPK-01"], tmp_path)
    assert args.func(args) == 0
    out, err = capsys.readouterr()
    token = out.strip()
    assert len(token) >= 40 and "\n" not in token
    assert "DPK-01" in err and "Simpan" in err
    assert (tmp_path / "central.sqlite3").exists()
    assert token not in (tmp_path / "central.sqlite3").read_bytes().decode("latin-1")

    assert args.func(args) == 0
    out, err = capsys.readouterr()
    assert out.strip() != token and "diganti" in err

    args = _parse(["central", "stats", "--json"], tmp_path)
    assert args.func(args) == 0
    stats = json.loads(capsys.readouterr().out)
    assert stats["registrations"] == 0
    assert (stats["corrected"], stats["corrected_after_delivery"]) == (0, 0)
    assert stats["stations"][0]["corrected"] == 0
    assert stats["stations"][0]["station_id"] == "DPK-01"

    args = _parse(["central", "stats"], tmp_path)
    assert args.func(args) == 0
    table = capsys.readouterr().out
    assert "Stasiun" in table and "DPK-01" in table and "Total registrasi" in table
    assert "Dikoreksi" in table


def test_stats_table_shows_corrections() -> None:
    from ektp_station.central.cli import format_stats

    station = {
        "station_id": "DPK-01",
        "registrations": 12,
        "corrected": 3,
        "corrected_after_delivery": 2,
        "last_seen_at": None,
        "reported_backlog": {"pending": None, "oldest_unsynced_at": None},
        "clock_skew_seconds": None,
    }
    table = format_stats(
        {"registrations": 12, "corrected": 3, "corrected_after_delivery": 2, "stations": [station]}
    )
    row = next(line for line in table.splitlines() if line.startswith("DPK-01"))
    assert "3 (2)" in row
    assert "Dikoreksi setelah direkam: 3, di antaranya 2 setelah diterima pusat" in table
    assert "Bagian biometrik" not in table  # a centre without parts says nothing of them
    table = format_stats(
        {
            "registrations": 12,
            "corrected": 3,
            "corrected_after_delivery": 2,
            "parts_verified": 28,
            "bytes_verified": 1_234_567,
            "enrolments": {"print_ready": 1, "duplicate": 1, "adjudication": 0},
            "stations": [station],
        }
    )
    assert "Bagian biometrik diverifikasi: 28 (1.234.567 byte)" in table
    assert "siap cetak 1, ganda 1, adjudikasi 0" in table


def test_serve_refuses_workers_on_sqlite(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = _parse(["central", "serve", "--workers", "2"], tmp_path)
    assert args.func(args) == 2
    assert "PostgreSQL" in capsys.readouterr().err


def test_default_db_url(tmp_path: Path) -> None:
    assert default_db_url(tmp_path) == f"sqlite:///{tmp_path / 'central.sqlite3'}"
    assert default_db_url(None).endswith("central.sqlite3")


def test_logs_carry_no_personal_data_or_tokens(
    db_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    records = [make_record(1, full_name="SRI RAHAYU NINGSIH"), make_record(2, nik="327")]
    with CentralServer(db_url, today=lambda: TODAY) as central:
        token = central.add_station("LOG-1")
        other = central.add_station("LOG-2")
        headers = {"Authorization": f"Bearer {token}"}
        body = make_batch("LOG-1", records)
        url = central.url + "/v1/batches"
        assert httpx.post(url, json=body, headers=headers).status_code == 200
        assert httpx.post(url, json=body, headers=headers).status_code == 200
        dup = make_batch("LOG-1", [records[0]])
        assert httpx.post(url, json=dup, headers=headers).status_code == 200
        # Version 2: a correction (new NIK and name), a repeat, one into another's NIK.
        first_id = body["entries"][0]["entry_id"]
        fixed = make_record(3, full_name="DEWI LESTARI")
        for record, revision in [(fixed, 2), (fixed, 2), (make_record(4), 1), (fixed, 1)]:
            v2 = make_batch("LOG-1", [record], [first_id], protocol=2, revisions=[revision])
            assert httpx.post(url, json=v2, headers=headers).status_code == 200
        clash = make_batch("LOG-1", [make_record(3)], protocol=2)
        assert httpx.post(url, json=clash, headers=headers).status_code == 200
        assert central.stats()["corrected"] == 1
        assert (
            httpx.post(url, json=body, headers={"Authorization": f"Bearer {other}"}).status_code
            == 403
        )
        assert (
            httpx.post(url, json=body, headers={"Authorization": "Bearer x" + token}).status_code
            == 401
        )
        bad = json.dumps(body).replace('"seq": 1', '"seq": "1"')
        assert (
            httpx.post(
                url, content=bad, headers={**headers, "Content-Type": "application/json"}
            ).status_code
            == 400
        )
    text = "\n".join(f"{r.getMessage()} {r.args!r} {r.exc_text or ''}" for r in caplog.records)
    assert "batch from station LOG-1" in text  # the run did log
    secrets_ = [token, other, records[0]["nik"], "SRI RAHAYU", "SRI", records[1]["full_name"]]
    secrets_ += [make_record(3)["nik"], make_record(4)["nik"], "DEWI", "LESTARI"]
    assert "corrections=1" in text
    for secret in secrets_:
        assert secret not in text


def test_revoke_station_refuses_its_token_at_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db_url = default_db_url(tmp_path)
    with CentralServer(db_url, today=lambda: TODAY) as server:
        token = server.add_station("REV-1")
        other = server.add_station("REV-2")
        url = server.url + "/v1/batches"
        body = make_batch("REV-1", [make_record(1)])
        assert httpx.post(url, json=body, headers={"Authorization": f"Bearer {token}"}).is_success
        args = _parse(["central", "revoke-station", "REV-1"], tmp_path)
        assert args.func(args) == 0
        assert "REV-1" in capsys.readouterr().err
        again = make_batch("REV-1", [make_record(2)])
        refused = httpx.post(url, json=again, headers={"Authorization": f"Bearer {token}"})
        assert refused.status_code == 401
        still = make_batch("REV-2", [make_record(3)])
        assert httpx.post(url, json=still, headers={"Authorization": f"Bearer {other}"}).is_success
        stats = server.stats()
        assert stats["registrations"] == 2  # its registrations stay
        assert [s["station_id"] for s in stats["stations"]] == ["REV-1", "REV-2"]
    args = _parse(["central", "revoke-station", "NOPE"], tmp_path)
    assert args.func(args) == 3
    assert "NOPE" in capsys.readouterr().err


def test_a_station_token_never_starts_with_a_dash() -> None:
    """``config set token TOKEN`` must never see the token as an option."""
    from ektp_station.central.db import new_token

    tokens = [new_token() for _ in range(2000)]  # ~1 in 64 would start with "-" otherwise
    assert all(not t.startswith("-") and len(t) >= 43 for t in tokens)
    assert len(set(tokens)) == len(tokens)
