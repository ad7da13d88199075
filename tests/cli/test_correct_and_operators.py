"""`queue correct`, `revision` in lists and exports, and the `operator` commands, over a real
queue file (in-process: output captured, never echoed)."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest

from ektp_station.store import Outcome, Queue, State
from ektp_station.store.operators import Operators

from .support import Result, write_jsonl, write_station_config
from factories import make_record

Cli = Callable[..., Result]
#: After the first account, account commands need a supervisor: SITI, whose PIN is in EKTP_PIN.
AS_SITI = ("--as", "siti")


def as_first(name: str) -> tuple[str, ...]:
    return () if name == "siti" else AS_SITI


@pytest.fixture(autouse=True)
def siti_pin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EKTP_PIN", "123456")


@pytest.fixture
def three(cli: Cli, station: Path, tmp_path: Path) -> Path:
    """Three pending entries (#1–#3), imported with the CLI."""
    source = write_jsonl(tmp_path / "tiga.jsonl", [make_record(i) for i in (1, 2, 3)])
    assert cli("--data-dir", station, "queue", "import", source).rc == 0
    return station


@pytest.fixture
def stdin(monkeypatch: pytest.MonkeyPatch) -> Callable[[str], None]:
    """Give the command a standard input that is not a terminal."""

    def feed(text: str) -> None:
        monkeypatch.setattr("sys.stdin", io.StringIO(text))

    return feed


def _synced(data_dir: Path, seq: int) -> None:
    queue = Queue.open(data_dir)
    try:
        batch = queue.claim_batch("uji", 100)
        queue.apply_outcomes(
            "uji",
            [Outcome(e.entry_id, State.SYNCED if e.seq == seq else State.PENDING) for e in batch],
        )
        assert queue.get(seq).state is State.SYNCED
    finally:
        queue.close()


def _entry(data_dir: Path, seq: int) -> tuple[int, dict[str, str | None], State, list[str]]:
    queue = Queue.open(data_dir)
    try:
        entry = queue.get(seq)
        actions = [e.action for e in queue.audit_trail(seq)]
        return entry.revision, entry.record, entry.state, actions
    finally:
        queue.close()


# -- queue correct --------------------------------------------------------------------------


def test_correct_prints_the_new_revision(cli: Cli, three: Path) -> None:
    result = cli("--data-dir", three, "queue", "correct", "2", "address=jl. mawar no. 1", "rt=5")

    assert result.rc == 0, result.err
    assert "#2" in result.out and "revisi 2" in result.out
    assert "Alamat" in result.out and "RT" in result.out  # the fields, by their labels
    revision, record, state, actions = _entry(three, 2)
    assert (revision, state) == (2, State.PENDING)
    assert (record["address"], record["rt"]) == ("JL. MAWAR NO. 1", "005")
    assert actions == ["imported", "corrected"]
    assert _entry(three, 1)[0] == 1  # only that entry


def test_correct_json_has_the_stable_keys(cli: Cli, three: Path) -> None:
    result = cli("--data-dir", three, "queue", "correct", "1", "phone=0812-3456-7890", "--json")

    assert result.rc == 0, result.err
    data = result.json()
    assert set(data) == {"seq", "entry_id", "revision", "state", "changed", "warnings"}
    assert (data["seq"], data["revision"], data["state"]) == (1, 2, "pending")
    assert data["changed"] == ["phone"] and data["warnings"] == []
    queue = Queue.open(three)
    try:
        assert queue.get(1).entry_id == data["entry_id"]
    finally:
        queue.close()

    again = cli("--data-dir", three, "queue", "correct", "1", "phone=081234567890", "--json")
    assert again.rc == 0
    assert (again.json()["revision"], again.json()["changed"]) == (2, [])  # nothing changed


def test_correct_with_nothing_changed_says_so(cli: Cli, three: Path) -> None:
    result = cli("--data-dir", three, "queue", "correct", "3", "rt=003")

    assert result.rc == 0
    assert "tidak ada yang berubah" in result.out and "revisi 1" in result.out
    assert _entry(three, 3)[0] == 1


def test_correct_with_warnings_saves_and_lists_them(cli: Cli, three: Path) -> None:
    result = cli("--data-dir", three, "queue", "correct", "1", "birth_date=1990-05-18", "--json")

    assert result.rc == 0
    data = result.json()
    assert data["revision"] == 2
    assert [(w["field"], w["code"]) for w in data["warnings"]] == [
        ("nik", "nik_birthdate_mismatch")
    ]


def test_correct_with_problems_exits_1_naming_the_fields(cli: Cli, three: Path) -> None:
    human = cli("--data-dir", three, "queue", "correct", "1", "rt=000", "nik=12345")

    assert human.rc == 1
    assert "#1" in human.out
    assert "[RT]" in human.out and "[NIK]" in human.out
    assert "000" in human.out  # the message explains the rule (RT tidak boleh 000)

    as_json = cli("--data-dir", three, "queue", "correct", "1", "rt=000", "nik=12345", "--json")
    assert as_json.rc == 1
    data = as_json.json()
    assert set(data) == {"seq", "errors", "warnings"} and data["seq"] == 1
    assert {(e["field"], e["code"]) for e in data["errors"]} >= {
        ("rt", "rt_rw_zero"),
        ("nik", "nik_length"),
    }
    assert all(set(e) == {"field", "code", "severity", "message"} for e in data["errors"])
    assert _entry(three, 1)[:1] == (1,)  # nothing saved


@pytest.mark.parametrize(
    "assignment", ["alamat=JL. MAWAR", "address", "=JL. MAWAR"], ids=["unknown", "no-=", "no-name"]
)
def test_correct_with_a_malformed_assignment_is_a_usage_error(
    cli: Cli, three: Path, assignment: str
) -> None:
    result = cli("--data-dir", three, "queue", "correct", "1", "rt=004", assignment)

    assert result.rc == 2
    assert result.err.strip()
    if assignment.startswith("alamat"):
        assert "alamat" in result.err and "address" in result.err  # the known fields listed
    assert _entry(three, 1)[0] == 1  # not even the good assignment was applied


def test_correct_an_unknown_entry_exits_3_with_the_hint(cli: Cli, three: Path) -> None:
    result = cli("--data-dir", three, "queue", "correct", "42", "rt=004")

    assert result.rc == 3
    assert "#42" in result.err
    assert "ektp-station queue list" in result.err
    assert "Traceback" not in result.err
    assert len(result.err.strip().splitlines()) == 1


def test_correct_a_synced_entry_exits_3_translated(cli: Cli, three: Path) -> None:
    _synced(three, 1)

    result = cli("--data-dir", three, "queue", "correct", "1", "rt=004")

    assert result.rc == 3
    assert "#1" in result.err and "diperbaiki" in result.err
    assert "synced" not in result.err  # the state by its label, not the code
    assert cli("--data-dir", three, "config", "set", "language", "en").rc == 0
    english = cli("--data-dir", three, "queue", "correct", "1", "rt=004")
    assert english.rc == 3
    assert "cannot be corrected" in english.err
    assert _entry(three, 1)[0] == 1


def test_correct_records_the_operator_given(cli: Cli, three: Path) -> None:
    result = cli("--data-dir", three, "queue", "correct", "1", "rt=004", "--operator", "SITI")

    assert result.rc == 0
    queue = Queue.open(three)
    try:
        last = queue.audit_trail(1)[-1]
        assert (last.action, last.actor) == ("corrected", "SITI")
        assert last.detail["fields"] == ["rt"]
    finally:
        queue.close()


# -- revision in lists and exports ------------------------------------------------------------


def test_list_json_shows_the_revision(cli: Cli, three: Path) -> None:
    assert cli("--data-dir", three, "queue", "correct", "2", "rt=004").rc == 0
    assert cli("--data-dir", three, "queue", "correct", "2", "rt=005").rc == 0

    rows = cli("--data-dir", three, "queue", "list", "--json").json()

    assert {r["seq"]: r["revision"] for r in rows} == {1: 1, 2: 3, 3: 1}


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_an_export_reimports_with_its_revision(
    cli: Cli, three: Path, tmp_path: Path, fmt: str
) -> None:
    assert cli("--data-dir", three, "queue", "correct", "2", "rt=004").rc == 0
    exported = tmp_path / f"antrean.{fmt}"
    assert cli("--data-dir", three, "queue", "export", "--show-nik", "-o", exported).rc == 0
    fresh = tmp_path / "pindahan"
    write_station_config(fresh)

    moved = cli("--data-dir", fresh, "queue", "import", exported, "--json")

    assert moved.rc == 0, [e["code"] for line in moved.json()["lines"] for e in line["errors"]]
    rows = cli("--data-dir", fresh, "queue", "list", "--json").json()
    assert sorted(r["revision"] for r in rows) == [1, 1, 2]
    source = {
        r["entry_id"]: r["revision"]
        for r in cli("--data-dir", three, "queue", "list", "--json").json()
    }
    assert {r["entry_id"]: r["revision"] for r in rows} == source


# -- operator accounts ------------------------------------------------------------------------


def test_the_first_account_is_the_supervisor_even_as_operator(
    cli: Cli, station: Path, stdin: Callable[[str], None]
) -> None:
    stdin("123456\n")
    first = cli(
        "--data-dir", station, "operator", "add", "siti", "--role", "operator", "--pin-stdin"
    )
    assert first.rc == 0, first.err
    assert "SITI" in first.out and "supervisor" in first.out

    stdin("5678\n")
    second = cli("--data-dir", station, *AS_SITI, "operator", "add", "andi", "--pin-stdin")
    assert second.rc == 0, second.err

    stdin("246802\n")
    third = cli(
        "--data-dir",
        station,
        *AS_SITI,
        "operator",
        "add",
        "dewi",
        "--role",
        "supervisor",
        "--pin-stdin",
    )
    assert third.rc == 0
    roles = {
        o["name"]: o["role"]
        for o in cli("--data-dir", station, *AS_SITI, "operator", "list", "--json").json()
    }
    assert roles == {"SITI": "supervisor", "ANDI": "operator", "DEWI": "supervisor"}
    assert "123456" not in first.out + first.err  # a PIN is never echoed


def test_operator_list_json_keys(cli: Cli, station: Path, stdin: Callable[[str], None]) -> None:
    stdin("123456\n")
    assert cli("--data-dir", station, "operator", "add", "siti", "--pin-stdin").rc == 0

    result = cli("--data-dir", station, *AS_SITI, "operator", "list", "--json")

    assert result.rc == 0
    (row,) = result.json()
    assert set(row) == {"name", "role", "active", "created_at", "last_sign_in_at"}
    assert (row["name"], row["role"], row["active"]) == ("SITI", "supervisor", True)
    assert row["last_sign_in_at"] is not None  # `--as SITI` signed in to list them
    assert datetime.fromisoformat(row["created_at"].replace("Z", "+00:00")).tzinfo is not None
    human = cli("--data-dir", station, *AS_SITI, "operator", "list")
    assert "SITI" in human.out and "Terakhir masuk" in human.out


def test_operator_list_without_accounts_says_how_to_start(cli: Cli, station: Path) -> None:
    assert cli("--data-dir", station, "operator", "list", "--json").json() == []
    human = cli("--data-dir", station, "operator", "list")
    assert "operator add" in human.out


def test_disable_enable_and_reset_pin(
    cli: Cli, station: Path, stdin: Callable[[str], None]
) -> None:
    for name, pin in (("siti", "123456"), ("andi", "5678")):
        stdin(pin + "\n")
        assert (
            cli("--data-dir", station, *as_first(name), "operator", "add", name, "--pin-stdin").rc
            == 0
        )

    def active() -> dict[str, bool]:
        rows = cli("--data-dir", station, *AS_SITI, "operator", "list", "--json").json()
        return {o["name"]: o["active"] for o in rows}

    assert cli("--data-dir", station, *AS_SITI, "operator", "disable", "andi").rc == 0
    assert active() == {"SITI": True, "ANDI": False}
    assert cli("--data-dir", station, *AS_SITI, "operator", "enable", "Andi").rc == 0
    assert active() == {"SITI": True, "ANDI": True}

    stdin("97531\n")
    reset = cli("--data-dir", station, *AS_SITI, "operator", "reset-pin", "andi", "--pin-stdin")
    assert reset.rc == 0 and "ANDI" in reset.out
    queue = Queue.open(station)
    try:
        accounts = Operators(queue.engine)
        assert accounts.verify("ANDI", "97531") is not None
        assert accounts.verify("ANDI", "5678") is None
        assert accounts.verify("SITI", "123456") is not None
    finally:
        queue.close()


def test_the_last_supervisor_cannot_be_disabled(
    cli: Cli, station: Path, stdin: Callable[[str], None]
) -> None:
    stdin("123456\n")
    assert cli("--data-dir", station, "operator", "add", "siti", "--pin-stdin").rc == 0

    result = cli("--data-dir", station, *AS_SITI, "operator", "disable", "siti")

    assert result.rc == 3
    assert "supervisor" in result.err and len(result.err.strip().splitlines()) == 1
    assert (
        cli("--data-dir", station, *AS_SITI, "operator", "list", "--json").json()[0]["active"]
        is True
    )


def test_an_unknown_account_exits_3(cli: Cli, station: Path) -> None:
    result = cli("--data-dir", station, *AS_SITI, "operator", "disable", "tidak ada")

    assert result.rc == 3
    assert result.err.strip() and "Traceback" not in result.err


@pytest.mark.parametrize("lang", ["id", "en"])
def test_a_bad_pin_exits_3_translated(
    cli: Cli, station: Path, stdin: Callable[[str], None], lang: str
) -> None:
    assert cli("--data-dir", station, "config", "set", "language", lang).rc == 0
    stdin("12\n")

    result = cli("--data-dir", station, "operator", "add", "siti", "--pin-stdin")

    assert result.rc == 3
    # the first account is the supervisor: its PIN is at least 6 digits
    expected = {
        "id": "PIN supervisor harus 6–12 angka",
        "en": "A supervisor's PIN must be 6–12 digits",
    }[lang]
    assert expected in result.err
    assert cli("--data-dir", station, "operator", "list", "--json").json() == []


def test_a_duplicate_name_exits_3(cli: Cli, station: Path, stdin: Callable[[str], None]) -> None:
    stdin("123456\n")
    assert cli("--data-dir", station, "operator", "add", "siti", "--pin-stdin").rc == 0
    stdin("5678\n")

    result = cli("--data-dir", station, *AS_SITI, "operator", "add", " Siti ", "--pin-stdin")

    assert result.rc == 3
    assert "sudah terdaftar" in result.err


def test_add_without_a_terminal_or_pin_stdin_exits_2(
    cli: Cli, station: Path, stdin: Callable[[str], None]
) -> None:
    stdin("1234\n")  # there is input, but no terminal and no --pin-stdin: not read

    result = cli("--data-dir", station, "operator", "add", "siti")

    assert result.rc == 2
    assert "--pin-stdin" in result.err
    assert cli("--data-dir", station, "operator", "list", "--json").json() == []


def test_an_empty_pin_on_stdin_exits_2(
    cli: Cli, station: Path, stdin: Callable[[str], None]
) -> None:
    stdin("\n")

    result = cli("--data-dir", station, "operator", "add", "siti", "--pin-stdin")

    assert result.rc == 2
    assert result.err.strip()
    assert cli("--data-dir", station, "operator", "list", "--json").json() == []


def test_reset_pin_without_a_terminal_exits_2_and_keeps_the_pin(
    cli: Cli, station: Path, stdin: Callable[[str], None]
) -> None:
    stdin("123456\n")
    assert cli("--data-dir", station, "operator", "add", "siti", "--pin-stdin").rc == 0
    stdin("")

    result = cli("--data-dir", station, *AS_SITI, "operator", "reset-pin", "siti")

    assert result.rc == 2
    queue = Queue.open(station)
    try:
        assert Operators(queue.engine).verify("SITI", "123456") is not None
    finally:
        queue.close()


def test_correct_to_the_nik_of_a_waiting_resident_exits_3(cli: Cli, three: Path) -> None:
    result = cli("--data-dir", three, "queue", "correct", "3", f"nik={make_record(1)['nik']}")

    assert result.rc == 3
    assert "#1" in result.err  # the entry in which the resident waits
    assert make_record(1)["nik"] not in result.err
    assert _entry(three, 3)[0] == 1
