"""KK number rules, one example at a time (properties are in test_nik_properties.py)."""

from __future__ import annotations

from datetime import date

import pytest

from ektp_station.domain.kk import kk_date

from .helpers import TODAY, check, codes, errors, warnings_


def kk_codes(kk: object) -> list[str]:
    return codes(check(kk_number=kk), "kk_number")


def test_valid_kk() -> None:
    assert kk_codes("3276011203150004") == []
    assert kk_codes("3276 0112 0315 0004") == []
    assert kk_codes("3273020101990001") == []  # another city: fine


def test_length_chars_required() -> None:
    problems = check(kk_number="327601120315000")
    assert codes(problems) == ["kk_length"]
    assert problems[0].message("id") == "Nomor KK harus 16 angka (sekarang 15)."
    assert kk_codes("32760112031500O4") == ["kk_chars"]
    assert kk_codes("") == ["required"]


@pytest.mark.parametrize("province", ["00", "99"])
def test_unknown_province_is_an_error(province: str) -> None:
    assert errors(check(kk_number=province + "76011203150004")) == ["kk_province_unknown"]


def test_soft_checks_are_warnings() -> None:
    assert warnings_(check(kk_number="3299011203150004")) == ["kk_region_unknown"]
    assert warnings_(check(kk_number="3276991203150004")) == ["kk_region_unknown"]
    assert warnings_(check(kk_number="3276013002150004")) == ["kk_date_invalid"]  # 30 Feb
    assert warnings_(check(kk_number="3276014101150004")) == ["kk_date_invalid"]  # no +40
    assert warnings_(check(kk_number="3276011312260004")) == ["kk_date_future"]  # 13-12-2026


def test_kk_typed_as_the_nik() -> None:
    problems = check(kk_number="3276015708900001")
    assert "kk_same_as_nik" in warnings_(problems) and errors(problems) == []


def test_kk_date_century() -> None:
    assert kk_date("3276011203150004", TODAY) == date(2015, 3, 12)
    assert kk_date("3276011203850004", TODAY) == date(1985, 3, 12)
    assert kk_date("3276011203260004", TODAY) == date(2026, 3, 12)
    assert kk_date("3276011203270004", TODAY) == date(1927, 3, 12)
