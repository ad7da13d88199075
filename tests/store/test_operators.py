"""Operator accounts: salted PIN hashes, constant-time checks, the first account supervises."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ektp_station.store import Queue
from ektp_station.store.operators import (
    InvalidNameError,
    InvalidPinError,
    OperatorExistsError,
    Operators,
    check_pin,
    hash_pin,
)

from helpers import raw_queue


@pytest.fixture
def accounts(data_dir: Path) -> Iterator[Operators]:
    queue = Queue.open(data_dir)
    try:
        yield Operators(queue.engine)
    finally:
        queue.close()


def test_hash_is_salted_and_checks_only_the_right_pin() -> None:
    first = hash_pin("123456", b"a" * 16)
    assert first.startswith("scrypt$") and "123456" not in first
    assert hash_pin("123456", b"b" * 16) != first
    assert check_pin("123456", b"a" * 16, first)
    assert not check_pin("123457", b"a" * 16, first)
    assert not check_pin("123456", b"b" * 16, first)


@pytest.mark.parametrize("stored", ["", "md5$x", "scrypt$a$b$c$zz", "bcrypt$1$1$1$00"])
def test_a_damaged_hash_lets_nobody_in(stored: str) -> None:
    assert not check_pin("1234", b"s" * 16, stored)


def test_first_account_is_the_supervisor_then_operators(accounts: Operators) -> None:
    assert accounts.count() == 0
    siti = accounts.create("  siti  aminah ", "246802")
    assert siti.name == "SITI AMINAH" and siti.is_supervisor
    budi = accounts.create("Budi", "1357")
    assert budi.role == "operator" and not budi.is_supervisor
    assert accounts.create("Ani", "999999", role="supervisor").is_supervisor
    assert accounts.names() == ["ANI", "BUDI", "SITI AMINAH"]


def test_verify(accounts: Operators) -> None:
    accounts.create("SITI", "246802")
    found = accounts.verify("siti", "246802")
    assert found is not None and found.name == "SITI"
    assert accounts.verify("SITI", "246803") is None
    assert accounts.verify("NOBODY", "2468") is None


def test_bad_input_and_duplicates_are_refused(accounts: Operators) -> None:
    with pytest.raises(InvalidPinError):
        accounts.create("SITI", "12")
    with pytest.raises(InvalidPinError):
        accounts.create("SITI", "12ab")
    with pytest.raises(InvalidNameError):
        accounts.create("   ", "1234")
    accounts.create("SITI", "123456")
    with pytest.raises(OperatorExistsError) as caught:
        accounts.create("siti", "5678")
    assert "sudah terdaftar" in caught.value.message("id")


def test_no_pin_in_the_database_file(data_dir: Path, accounts: Operators) -> None:
    accounts.create("SITI", "975313")
    with raw_queue(data_dir) as raw:
        rows = raw.execute("SELECT name, pin_hash, salt, role FROM operators").fetchall()
    assert len(rows) == 1
    _name, pin_hash, salt, role = rows[0]
    assert "975313" not in pin_hash and len(bytes.fromhex(salt)) == 16 and role == "supervisor"


def test_an_operator_name_is_printable(accounts: Operators) -> None:
    for bad in ("SITI\x1b[2J", "SITI\u200b\u202eAMINAH", "BUDI\x00"):
        with pytest.raises(InvalidNameError):
            accounts.create(bad, "123456")
    assert accounts.count() == 0
