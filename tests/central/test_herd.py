"""``ektp-station simulate herd`` against a real ``central serve`` process (SQLite): light
stations reconnecting at once are shed with Retry-After while the centre's few slots are
busy, come back when asked, and every entry is stored exactly once; the report's keys are
the issue's contract."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import httpx
import pytest

from ektp_station.central import CentralDB
from ektp_station.domain import normalise, validate
from ektp_station.simulate.herd_load import herd_record, prepare_station
from ektp_station.simulate.proc_cpu import cpu_seconds, find_listeners, process_tree

from helpers import wait_until

CONTRACT = {"accepted", "shed_503", "errors_5xx", "drain_s", "p50_ms", "p99_ms"}
SLOTS = 8  # --max-in-flight: a herd of 30 at once cannot all get in


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Centre:
    url: str
    db_url: str
    data_dir: Path
    pid: int

    def registrations(self) -> int:
        db = CentralDB(self.db_url)
        try:
            return db.registration_count()
        finally:
            db.dispose()


@pytest.fixture(scope="module")
def centre(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Centre]:
    folder = tmp_path_factory.mktemp("herd")
    db_url = f"sqlite:///{folder / 'central.sqlite3'}"
    port = _free_port()
    log = (folder / "serve.log").open("wb")
    proc = subprocess.Popen(
        [
            *(sys.executable, "-m", "ektp_station", "--data-dir", str(folder), "central"),
            *("serve", "--db", db_url, "--port", str(port), "--max-in-flight", str(SLOTS)),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    url = f"http://127.0.0.1:{port}"

    def up() -> bool:
        assert proc.poll() is None, (folder / "serve.log").read_text()
        try:
            return httpx.get(url + "/v1/health", timeout=1).status_code == 200
        except httpx.TransportError:
            return False

    try:
        wait_until(up, timeout=30)
        yield Centre(url, db_url, folder, proc.pid)
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
        log.close()


def _herd(centre: Centre, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            *(sys.executable, "-m", "ektp_station", "--data-dir", str(centre.data_dir)),
            *("simulate", "herd", "--central-url", centre.url, *args),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
    )


def test_a_herd_is_shed_and_every_entry_is_stored_exactly_once(centre: Centre) -> None:
    before = centre.registrations()
    done = _herd(centre, "--stations", "30", "--entries", "20", "--db", centre.db_url, "--json")
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(done.stdout)
    assert set(report) >= CONTRACT | {"cpu_ms_per_entry", "registered", "exactly_once"}
    assert report["accepted"] == 30 * 20 == report["expected"]
    assert report["registered"] == 600
    assert centre.registrations() - before == 600  # the centre's own count: exactly once
    assert report["exactly_once"] is True and report["duplicates"] == 0
    assert report["errors_5xx"] == 0 and report["errors_4xx"] == 0
    assert report["shed_503"] > 0  # 30 stations at once, 8 slots: the centre shed some
    assert report["requests"] >= 30 + report["shed_503"]
    assert 0 < report["p50_ms"] <= report["p99_ms"]
    assert report["drain_s"] > 0
    # the centre's CPU, found by the port it listens on (this user's process on loopback)
    assert centre.pid in report["cpu_pids"], report["cpu_note"]
    assert report["cpu_ms_per_entry"] > 0
    assert report["generator_cpu_s"] > 0


def test_human_report_is_indonesian_and_shows_no_nik(centre: Centre) -> None:
    done = _herd(centre, "--stations", "2", "--entries", "3", "--db", centre.db_url)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Diterima pusat: 6 dari 6" in done.stdout
    assert "tepat sekali" in done.stdout
    assert not re.search(r"\d{16}", done.stdout + done.stderr)


def test_refused_stations_fail_the_run(centre: Centre, tmp_path: Path) -> None:
    tokens = tmp_path / "tokens.json"
    tokens.write_text(json.dumps({"HERD-NOPE-0001": "not-a-token"}), encoding="utf-8")
    done = _herd(centre, "--stations", "1", "--entries", "2", "--tokens", str(tokens), "--json")
    assert done.returncode == 1, done.stdout + done.stderr
    report = json.loads(done.stdout)
    assert report["accepted"] == 0 and report["errors_4xx"] == 1
    assert report["error_codes"] == {"401 unauthorized": 1}
    assert report["registered"] is None and report["exactly_once"] is False


def test_usage_errors_and_an_absent_centre(tmp_path: Path) -> None:
    base = [sys.executable, "-m", "ektp_station", "--data-dir", str(tmp_path), "simulate", "herd"]
    done = subprocess.run(
        [*base, "--stations", "0", "--central-url", "http://127.0.0.1:9"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2 and "minimal 1" in done.stderr
    done = subprocess.run(
        [*base, "--stations", "1", "--central-url", f"http://127.0.0.1:{_free_port()}"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 3 and "tidak menjawab" in done.stderr
    assert "Traceback" not in done.stderr


def test_synthetic_residents_are_valid_distinct_and_normalised() -> None:
    today = date(2026, 12, 2)
    numbers = [0, 1, 9_998, 9_999, 10_000, 123_456_789, 459_953_999]
    for n in [*numbers, *range(500, 700)]:
        record = herd_record(n)
        assert normalise(record) == record
        errors = [p for p in validate(record, today=today, area=None) if p.is_error]
        assert errors == [], (n, errors)
    niks = {herd_record(n)["nik"] for n in range(0, 60_000, 7)}
    assert len(niks) == len(range(0, 60_000, 7))
    station = prepare_station("HERD-T-0001", "token", 40, 450, 200)
    assert [len(b.ids) for b in station.batches] == [200, 200, 50]
    assert b'"station_time":"20' in station.batches[0].body()


def test_cpu_of_processes_from_proc() -> None:
    if not Path("/proc/self/stat").exists():
        pytest.skip("no /proc")
    me = os.getpid()
    assert me in process_tree([me])
    spent = cpu_seconds([me])
    assert set(spent) == {me} and spent[me] > 0
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        assert me not in find_listeners(port)  # the herd never measures itself
    assert find_listeners(port) == set()


def test_stations_registered_in_another_database_are_told_why(
    centre: Centre, tmp_path: Path
) -> None:
    """A new user's first try: no --db, so the stations went into another database than
    the running centre's. The report says so, and leaks no raw value ("None")."""
    other = f"sqlite:///{tmp_path / 'elsewhere.sqlite3'}"
    done = _herd(centre, "--stations", "2", "--entries", "2", "--db", other)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "--db harus basis data yang dipakai server pusat itu" in done.stdout
    assert "None" not in done.stdout
