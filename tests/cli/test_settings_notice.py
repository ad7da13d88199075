"""Settings the command line refuses or ignores, and what an unexpected error looks like:
one translated line on stderr (exit 4), the traceback — without messages — in the log."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from ektp_station.logs import LOG_FILENAME

from .support import Result, run_ektp, write_jsonl, write_station_config
from factories import many_records

Cli = Callable[..., Result]


def _config(data_dir: Path) -> dict[str, object]:
    data: dict[str, object] = json.loads((data_dir / "config.json").read_text(encoding="utf-8"))
    return data


# -- invalid values in config.json ------------------------------------------------------------


def test_an_unreadable_setting_is_ignored_and_named_once(cli: Cli, data_dir: Path) -> None:
    write_station_config(data_dir, batch_size="banyak")

    result = cli("--data-dir", data_dir, "queue", "status", "--json")

    assert result.rc == 0
    assert result.json()["pending"] == 0  # the command still works
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, "one notice, not a log line beside it"
    assert "batch-size" in lines[0] and "batch_size" not in lines[0]
    assert "diabaikan" in lines[0]
    log = (data_dir / "logs" / LOG_FILENAME).read_text(encoding="utf-8")
    assert "batch_size" in log  # the log keeps the detail


def test_the_notice_follows_the_language_and_names_every_key(cli: Cli, data_dir: Path) -> None:
    write_station_config(data_dir, language="en", timeout_seconds=-5, batch_size=1.5)

    result = cli("--data-dir", data_dir, "config", "show", "--json")

    assert result.rc == 0
    shown = result.json()
    assert (shown["batch-size"], shown["timeout"]) == (200, 10.0)  # the defaults
    notice = result.err.strip().splitlines()[0]
    assert "Invalid settings ignored" in notice
    assert "batch-size" in notice and "timeout" in notice


def test_valid_settings_bring_no_notice(cli: Cli, data_dir: Path) -> None:
    write_station_config(data_dir, batch_size=50)

    result = cli("--data-dir", data_dir, "queue", "status")

    assert result.rc == 0
    assert result.err == ""


def test_config_set_repairs_the_ignored_value(cli: Cli, data_dir: Path) -> None:
    write_station_config(data_dir, batch_size="banyak")

    assert cli("--data-dir", data_dir, "config", "set", "batch-size", "50").rc == 0

    assert _config(data_dir)["batch_size"] == 50
    assert cli("--data-dir", data_dir, "queue", "status").err == ""


# -- values config set refuses ----------------------------------------------------------------


@pytest.mark.parametrize("value", ["0", "501", "banyak", "1.5"])
def test_batch_size_out_of_range_is_refused_with_the_range(
    cli: Cli, data_dir: Path, value: str
) -> None:
    write_station_config(data_dir)

    result = cli("--data-dir", data_dir, "config", "set", "batch-size", value)

    assert result.rc == 3
    assert "batch-size" in result.err and "1–500" in result.err
    assert len(result.err.strip().splitlines()) == 1
    assert "batch_size" not in _config(data_dir)


@pytest.mark.parametrize(
    "url", ["ftp://x", "pusat.example", "http://", "http://host:99999", "http://a b"]
)
def test_a_central_url_that_is_not_http_is_refused(cli: Cli, data_dir: Path, url: str) -> None:
    write_station_config(data_dir)

    result = cli("--data-dir", data_dir, "config", "set", "central-url", url)

    assert result.rc == 3
    assert "central-url" in result.err and "http://" in result.err
    assert "central_url" not in _config(data_dir)


def test_a_good_central_url_is_saved_without_its_slash(cli: Cli, data_dir: Path) -> None:
    write_station_config(data_dir)

    result = cli("--data-dir", data_dir, "config", "set", "central-url", " https://10.0.0.5:8080/ ")

    assert result.rc == 0
    assert _config(data_dir)["central_url"] == "https://10.0.0.5:8080"


# -- an unexpected error ----------------------------------------------------------------------

PAGE = 4096


def _personal_data(count: int) -> set[str]:
    records = many_records(count)
    return {str(r["nik"]) for r in records} | {"BUDI SANTOSO", "JL. MERDEKA NO. 10"}


def _filled(tmp_path: Path, count: int = 200) -> Path:
    data_dir = tmp_path / "rusak"
    write_station_config(data_dir)
    source = write_jsonl(tmp_path / "banyak.jsonl", many_records(count))
    imported = run_ektp("--data-dir", data_dir, "queue", "import", source)
    assert imported.rc == 0, imported.err[-300:]
    return data_dir


def _damaged(result: Result, data_dir: Path) -> str:
    """A damaged queue file: one translated line, exit 5 (docs/failure-modes.md); the log
    names the kind of damage only. Returns the log."""
    assert result.rc == 5, result.err[-300:]
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err[-300:]
    assert "rusak" in lines[0] and "cadangan" in lines[0]
    assert "Traceback" not in result.err
    log = (data_dir / "logs" / LOG_FILENAME).read_text(encoding="utf-8")
    assert "QueueDamaged" in log or "check failed" in log
    return log


def test_garbage_in_the_queue_file_is_one_line_and_exit_5(tmp_path: Path) -> None:
    data_dir = tmp_path / "sampah"
    write_station_config(data_dir)
    (data_dir / "queue.sqlite3").write_bytes(b"bukan basis data " * 1024)

    result = run_ektp("--data-dir", data_dir, "queue", "status")

    _damaged(result, data_dir)
    assert result.out == ""


def test_a_damaged_queue_leaks_no_personal_data(tmp_path: Path) -> None:
    data_dir = _filled(tmp_path)
    damaged = data_dir / "queue.sqlite3"
    size = damaged.stat().st_size
    with damaged.open("r+b") as raw:  # the later half of the pages: some records still intact
        for offset in range(size // 2 // PAGE * PAGE, size, PAGE):
            raw.seek(offset)
            raw.write(b"\xff" * PAGE)

    result = run_ektp("--data-dir", data_dir, "queue", "list", "--show-nik", "--json")

    log = _damaged(result, data_dir)
    for value in _personal_data(200):
        assert value not in result.err, "personal data on stderr"
        assert value not in log, "personal data in the log"


def test_a_garbled_queue_prints_exactly_one_line(tmp_path: Path) -> None:
    data_dir = tmp_path / "sampah"
    write_station_config(data_dir)
    (data_dir / "queue.sqlite3").write_bytes(b"bukan basis data " * 1024)

    result = run_ektp("--data-dir", data_dir, "queue", "status")

    assert result.rc == 5
    assert "Traceback" not in result.err
    assert len(result.err.strip().splitlines()) == 1
