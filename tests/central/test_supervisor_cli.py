"""``ektp-station central add-supervisor NAME [--password-stdin]`` as a person runs it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx

from ektp_station.central import CentralServer
from ektp_station.central.cli import default_db_url


def run(data_dir: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ektp_station", "--data-dir", str(data_dir), "central", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_supervisor_made_on_the_command_line_logs_in(tmp_path: Path) -> None:
    made = run(
        tmp_path,
        "add-supervisor",
        "kasi-pelayanan",
        "--password-stdin",
        stdin="rahasia-kecamatan\n",
    )
    assert made.returncode == 0, made.stderr
    assert "Pengawas kasi-pelayanan dibuat" in made.stderr
    assert "rahasia-kecamatan" not in made.stdout + made.stderr
    again = run(
        tmp_path, "add-supervisor", "kasi-pelayanan", "--password-stdin", stdin="yang-lebih-baru\n"
    )
    assert again.returncode == 0 and "diganti" in again.stderr
    with CentralServer(default_db_url(tmp_path)) as central:
        login = httpx.post(
            central.url + "/v1/dashboard/session",
            json={"name": "kasi-pelayanan", "password": "yang-lebih-baru"},
        )
        assert login.status_code == 200
        old = httpx.post(
            central.url + "/v1/dashboard/session",
            json={"name": "kasi-pelayanan", "password": "rahasia-kecamatan"},
        )
        assert old.status_code == 401


def test_bad_names_short_passwords_and_no_terminal_are_refused_clearly(tmp_path: Path) -> None:
    short = run(tmp_path, "add-supervisor", "budi", "--password-stdin", stdin="pendek\n")
    assert short.returncode == 2 and "minimal 10 karakter" in short.stderr
    name = run(tmp_path, "add-supervisor", " budi", "--password-stdin", stdin="cukup-panjang\n")
    assert name.returncode == 2 and "Nama pengawas" in name.stderr
    # without --password-stdin the password is typed at a terminal; a pipe is not one
    piped = run(tmp_path, "add-supervisor", "budi", stdin="cukup-panjang\n")
    assert piped.returncode == 2 and "--password-stdin" in piped.stderr
    for result in (short, name, piped):
        assert "Traceback" not in result.stderr
