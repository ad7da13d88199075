"""The command line's sensitive commands need a supervisor once the station has accounts:
``--as NAME`` with the PIN typed or in ``EKTP_PIN``; a wrong or missing PIN is refused with a
clear message and counts towards the account's lockout, as in the window."""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from ektp_station.store import DB_FILENAME, Queue
from ektp_station.store.operators import Operators

from .support import Result, run_ektp, write_jsonl
from factories import many_records

Cli = Callable[..., Result]
SUPER_PIN = "135790"


@pytest.fixture
def accounts(cli: Cli, station: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A station with entries, a supervisor KEPALA and an operator ANI."""
    source = write_jsonl(station.parent / "in.jsonl", many_records(3))
    assert cli("--data-dir", station, "queue", "import", source).rc == 0
    monkeypatch.setattr("sys.stdin", io.StringIO(SUPER_PIN + "\n"))
    assert cli("--data-dir", station, "operator", "add", "kepala", "--pin-stdin").rc == 0
    monkeypatch.setenv("EKTP_PIN", SUPER_PIN)
    monkeypatch.setattr("sys.stdin", io.StringIO("2468\n"))
    assert (
        cli("--data-dir", station, "--as", "kepala", "operator", "add", "ani", "--pin-stdin").rc
        == 0
    )
    monkeypatch.delenv("EKTP_PIN")
    return station


def failures(station: Path, name: str) -> int:
    queue = Queue.open(station)
    try:
        return Operators(queue.engine).failures(name).failures
    finally:
        queue.close()


SENSITIVE = [
    ("queue", "list", "--show-nik"),
    ("queue", "export", "--show-nik"),
    ("config", "set", "language", "en"),
    ("operator", "list"),
    ("operator", "disable", "ani"),
    ("queue", "purge", "--older-than", "0"),
]


@pytest.mark.parametrize("command", SENSITIVE, ids=lambda c: " ".join(c))
def test_sensitive_commands_need_a_supervisor(
    cli: Cli, accounts: Path, monkeypatch: pytest.MonkeyPatch, command: tuple[str, ...]
) -> None:
    refused = cli("--data-dir", accounts, *command)
    assert refused.rc == 3
    assert "Hanya supervisor" in refused.err and "--as" in refused.err and "EKTP_PIN" in refused.err
    monkeypatch.setenv("EKTP_PIN", "2468")
    as_operator = cli("--data-dir", accounts, "--as", "ani", *command)
    assert as_operator.rc == 3 and "Hanya supervisor" in as_operator.err  # ANI is an operator
    monkeypatch.setenv("EKTP_PIN", SUPER_PIN)
    allowed = cli("--data-dir", accounts, "--as", "kepala", *command)
    assert allowed.rc == 0, allowed.err


def test_everyday_commands_need_no_sign_in(cli: Cli, accounts: Path) -> None:
    assert cli("--data-dir", accounts, "queue", "status").rc == 0
    listed = cli("--data-dir", accounts, "queue", "list", "--json")
    assert listed.rc == 0 and all("*" in row["nik"] for row in listed.json())  # masked
    more = write_jsonl(accounts.parent / "more.jsonl", many_records(2, start=50))
    assert cli("--data-dir", accounts, "queue", "import", more).rc == 0


def test_a_wrong_pin_is_refused_and_counts_towards_the_lockout(
    cli: Cli, accounts: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EKTP_PIN", "000000")
    for attempt in range(1, 5):
        wrong = cli("--data-dir", accounts, "--as", "kepala", "operator", "list")
        assert wrong.rc == 3 and "Nama atau PIN salah" in wrong.err
        assert failures(accounts, "KEPALA") == attempt
    locked = cli("--data-dir", accounts, "--as", "kepala", "operator", "list")
    assert locked.rc == 3 and "5 kali salah. Tunggu 30 detik" in locked.err
    monkeypatch.setenv("EKTP_PIN", SUPER_PIN)
    still = cli("--data-dir", accounts, "--as", "kepala", "operator", "list")
    assert still.rc == 3 and "Tunggu" in still.err  # locked also for the right PIN


def test_a_missing_pin_says_how_to_give_it_and_counts(cli: Cli, accounts: Path) -> None:
    missing = cli("--data-dir", accounts, "--as", "kepala", "operator", "list")
    assert missing.rc == 3
    assert "PIN untuk KEPALA diperlukan" in missing.err and "EKTP_PIN" in missing.err
    assert failures(accounts, "KEPALA") == 1


def test_restore_needs_a_supervisor_also_when_the_queue_is_lost(
    cli: Cli, accounts: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = accounts.parent / "copy.sqlite3"
    assert cli("--data-dir", accounts, "queue", "backup", "-o", copy).rc == 0
    os.truncate(accounts / DB_FILENAME, 0)  # lost: the backup's own accounts decide
    refused = cli("--data-dir", accounts, "queue", "restore", copy)
    assert refused.rc == 3 and "Hanya supervisor" in refused.err
    monkeypatch.setenv("EKTP_PIN", "999999")
    wrong = cli("--data-dir", accounts, "--as", "kepala", "queue", "restore", copy)
    assert wrong.rc == 3 and "PIN salah" in wrong.err
    monkeypatch.setenv("EKTP_PIN", SUPER_PIN)
    restored = cli("--data-dir", accounts, "--as", "kepala", "queue", "restore", copy)
    assert restored.rc == 0, restored.err
    assert failures(accounts, "KEPALA") == 0  # nothing was written into the backup


def test_a_new_station_is_set_up_without_an_account(tmp_path: Path) -> None:
    """A brand-new station: the console sets it up, then creates its first supervisor; from
    then on the real process asks for the PIN (here from EKTP_PIN)."""
    data = tmp_path / "baru"
    assert run_ektp("--data-dir", data, "config", "set", "station-id", "ST-BARU-1").rc == 0
    env = {"EKTP_PIN": SUPER_PIN}
    made = run_ektp_env(
        env, "--data-dir", data, "operator", "add", "kepala", "--pin-stdin", stdin=SUPER_PIN + "\n"
    )
    assert made.returncode == 0, made.stderr
    refused = run_ektp("--data-dir", data, "config", "set", "language", "en")
    assert refused.rc == 3
    allowed = run_ektp_env(
        env, "--data-dir", data, "--as", "kepala", "config", "set", "language", "en"
    )
    assert allowed.returncode == 0, allowed.stderr


def run_ektp_env(extra: dict[str, str], *args: str | os.PathLike[str], stdin: str = ""):  # type: ignore[no-untyped-def]
    import subprocess

    from .support import EKTP, subprocess_env

    return subprocess.run(
        [os.fspath(EKTP), *(os.fspath(a) for a in args)],
        input=stdin,
        capture_output=True,
        text=True,
        env={**subprocess_env(), **extra},
        timeout=60,
        check=False,
    )


def test_queue_purge_json(cli: Cli, accounts: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EKTP_PIN", SUPER_PIN)
    result = cli("--data-dir", accounts, "--as", "kepala", "queue", "purge", "--json")
    assert result.rc == 0, result.err
    assert result.json() == {"purged": 0, "receipts_removed": 0, "older_than_days": 30, "seqs": []}
    assert (
        cli("--data-dir", accounts, "--as", "kepala", "config", "set", "retention-days", "7").rc
        == 0
    )
    again = cli("--data-dir", accounts, "--as", "kepala", "queue", "purge", "--json").json()
    assert again["older_than_days"] == 7
    bad = cli("--data-dir", accounts, "--as", "kepala", "queue", "purge", "--older-than", "-1")
    assert bad.rc == 2


def test_the_recovery_key_is_a_supervisors_and_shown_once(
    cli: Cli, accounts: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    refused = cli("--data-dir", accounts, "queue", "recovery-key")  # the console: an operator
    assert refused.rc == 3 and "Hanya supervisor" in refused.err and "--as" in refused.err
    monkeypatch.setenv("EKTP_PIN", "999999")
    wrong = cli("--data-dir", accounts, "--as", "kepala", "queue", "recovery-key")
    assert wrong.rc == 3 and "PIN salah" in wrong.err
    monkeypatch.setenv("EKTP_PIN", SUPER_PIN)
    status = cli("--data-dir", accounts, "queue", "status", "--json").json()
    assert status["recovery_key_shown"] is False
    shown = cli("--data-dir", accounts, "--as", "kepala", "queue", "recovery-key", "--json")
    assert shown.rc == 0, shown.err
    data = shown.json()
    assert set(data) == {"queue_id", "recovery_key"} and len(data["recovery_key"]) == 69
    again = cli("--data-dir", accounts, "--as", "kepala", "queue", "recovery-key")
    assert again.rc == 3 and "sudah ditampilkan" in again.err
    assert data["recovery_key"] not in again.out + again.err
    status = cli("--data-dir", accounts, "queue", "status", "--json").json()
    assert status["recovery_key_shown"] is True
    assert "recovery_key_not_shown" not in [w["code"] for w in status["warnings"]]
