"""NIK rules, one example at a time (properties are in test_nik_properties.py)."""

from __future__ import annotations

from datetime import date

import pytest

from ektp_station.domain import NikInfo, clean_nik, make_nik, mask_nik, parse_nik

from .helpers import TODAY, check, codes, errors, warnings_

VALID_NIK = "3276015708900001"  # Depok, Pancoran Mas, woman, 17-08-1990, serial 0001


def nik_codes(**changes: object) -> list[str]:
    return codes(check(**changes), "nik")


def test_valid_nik_has_no_problems() -> None:
    assert check() == []


@pytest.mark.parametrize(
    "typed",
    ["3276 0157 0890 0001", "3276.0157.0890.0001", "3276-015708-900001", " 3276015708900001 "],
)
def test_separators_are_stripped(typed: str) -> None:
    assert check(nik=typed) == []


@pytest.mark.parametrize(("typed", "count"), [("327601570890001", 15), ("32760157089000011", 17)])
def test_length(typed: str, count: int) -> None:
    problems = [p for p in check(nik=typed) if p.field == "nik"]
    assert codes(problems) == ["nik_length"]
    assert problems[0].message("id") == f"NIK harus 16 angka (sekarang {count})."
    assert errors(problems) == ["nik_length"]


@pytest.mark.parametrize("typed", ["3276O15708900001", "3276015708900OO1", "NIK 3276015708900001"])
def test_non_digits(typed: str) -> None:
    assert nik_codes(nik=typed) == ["nik_chars"]


def test_required() -> None:
    assert nik_codes(nik="") == ["required"]
    assert nik_codes(nik=None) == ["required"]


@pytest.mark.parametrize("province", ["00", "99", "10", "20"])
def test_unknown_province_is_an_error(province: str) -> None:
    problems = check(nik=province + VALID_NIK[2:])
    assert "nik_province_unknown" in errors(problems)
    assert "nik_kabupaten_unknown" not in codes(problems)


def test_nik_from_another_province_is_fine() -> None:
    # first issued in Kota Bandung (32.73), Coblong (32.73.02): the station never requires 32.76
    assert check(nik="3273025708900001") == []


def test_unknown_kabupaten_is_a_warning() -> None:
    problems = check(nik="3299015708900001")
    assert warnings_(problems) == ["nik_kabupaten_unknown"]
    assert errors(problems) == []


def test_unknown_kecamatan_is_a_warning() -> None:
    problems = check(nik="3276995708900001")
    assert warnings_(problems) == ["nik_kecamatan_unknown"]
    assert errors(problems) == []


@pytest.mark.parametrize("day", ["00", "32", "39", "40", "72", "99"])
def test_day_out_of_range(day: str) -> None:
    assert "nik_day_invalid" in nik_codes(nik=f"327601{day}0890 0001", birth_date="1990-08-17")


@pytest.mark.parametrize(("day", "sex"), [("01", "LAKI-LAKI"), ("31", "LAKI-LAKI")])
def test_man_days(day: str, sex: str) -> None:
    birth = f"1990-08-{day}"
    assert check(nik=f"327601{day}08900001", birth_date=birth, sex=sex) == []


@pytest.mark.parametrize(("raw", "real"), [("41", 1), ("57", 17), ("71", 31)])
def test_woman_days_are_plus_40(raw: str, real: int) -> None:
    nik = f"327601{raw}08900001"
    assert check(nik=nik, birth_date=f"1990-08-{real:02d}", sex="PEREMPUAN") == []
    info = parse_nik(nik)
    assert info is not None and info.sex == "PEREMPUAN" and info.day == real


@pytest.mark.parametrize("month", ["00", "13", "99"])
def test_month_out_of_range(month: str) -> None:
    assert "nik_month_invalid" in nik_codes(nik=f"32760157{month}900001")


def test_date_must_exist() -> None:
    # 31 April
    assert nik_codes(nik="3276017104900001", birth_date="1990-04-30") == [
        "nik_date_invalid",
    ]


def test_leap_day_2000_is_valid() -> None:
    nik = "3276016902000001"  # woman, 29-02-00
    assert check(nik=nik, birth_date="2000-02-29") == []
    info = parse_nik(nik)
    assert info is not None
    assert info.birth_date(century=2000) == date(2000, 2, 29)
    assert info.birth_date(today=TODAY) == date(2000, 2, 29)


def test_leap_day_1900_does_not_exist() -> None:
    info = parse_nik("3276016902000001")
    assert info is not None and info.birth_date(century=1900) is None
    # the entered birth date fixes the century at 1900: 29-02-1900 is not a date
    problems = check(nik="3276016902000001", birth_date="1900-03-01", marital_status="KAWIN")
    assert "nik_date_invalid" in errors(problems)


def test_century_comes_from_the_entered_birth_date() -> None:
    # 01-01-05 read with the entered 1905 -> 1905, no mismatch (age 121 is plausible)
    assert codes(check(nik="3276010101050001", birth_date="1905-01-01", sex="LAKI-LAKI")) == []


def test_century_guess_when_birth_date_missing() -> None:
    info = parse_nik("3276010112260001")  # 01-12-26: after TODAY in 2026 -> 1926
    assert info is not None
    assert info.century(TODAY) == 1900
    assert info.birth_date(today=TODAY) == date(1926, 12, 1)
    info = parse_nik("3276010111260001")  # 01-11-26: before TODAY -> 2026
    assert info is not None and info.birth_date(today=TODAY) == date(2026, 11, 1)
    # with no usable birth date the NIK's date is still checked (29-02-01 never exists)
    assert "nik_date_invalid" in nik_codes(nik="3276012902010001", birth_date="")


def test_serial_zero_is_an_error() -> None:
    problems = check(nik="3276015708900000")
    assert errors(problems) == ["nik_serial_zero"]
    assert parse_nik("3276015708900000") is None


def test_birth_date_mismatch_is_a_warning() -> None:
    problems = check(birth_date="1990-08-18")
    assert codes(problems) == ["nik_birthdate_mismatch"]
    assert warnings_(problems) == ["nik_birthdate_mismatch"]
    assert codes(check(birth_date="1991-08-17")) == ["nik_birthdate_mismatch"]
    assert codes(check(birth_date="1990-09-17")) == ["nik_birthdate_mismatch"]
    # the century is taken from the entered date, so it cannot disagree with the NIK
    assert codes(check(birth_date="1890-08-17"), "nik") == []


def test_sex_mismatch_is_a_warning() -> None:
    problems = check(sex="LAKI-LAKI")
    assert codes(problems) == ["nik_sex_mismatch"]
    assert warnings_(problems) == ["nik_sex_mismatch"]


def test_messages_never_contain_the_nik() -> None:
    nik = "0076015708900000"
    for problem in check(nik=nik, birth_date="1991-01-01", sex="LAKI-LAKI"):
        assert nik not in problem.message_id and nik not in problem.message_en


def test_parse_nik_parts() -> None:
    info = parse_nik("3276 0157 0890 0001")
    assert info == NikInfo(
        nik=VALID_NIK,
        province_code="32",
        kabupaten_code="32.76",
        kecamatan_code="32.76.01",
        day=17,
        month=8,
        yy=90,
        sex="PEREMPUAN",
        serial=1,
    )
    assert repr(info) == "NikInfo(3276********0001)"


@pytest.mark.parametrize(
    "text",
    ["", "123", "3276015708900001X", "3276010008900001", "3276013208900001", "3276015713900001"],
)
def test_parse_nik_rejects(text: str) -> None:
    assert parse_nik(text) is None


def test_birth_date_needs_century_or_today() -> None:
    info = parse_nik(VALID_NIK)
    assert info is not None
    with pytest.raises(TypeError):
        info.birth_date()
    with pytest.raises(ValueError, match="multiple of 100"):
        info.birth_date(century=19)


def test_clean_and_mask() -> None:
    assert clean_nik(" 32.76-01 5708\t900001 ") == VALID_NIK
    assert mask_nik(VALID_NIK) == "3276********0001"
    assert mask_nik("3276 0157 0890 0001") == "3276********0001"
    assert mask_nik("3276xxxxxxxx0001") == "3276********0001"
    assert mask_nik("12345") == "*****"
    assert mask_nik("") == ""


def test_make_nik() -> None:
    assert make_nik("32.76.01", date(1990, 8, 17), "PEREMPUAN", 1) == VALID_NIK
    assert make_nik("32.76.01", date(2001, 1, 2), "LAKI-LAKI", 9999) == "3276010201019999"
    with pytest.raises(ValueError, match="serial"):
        make_nik("32.76.01", date(1990, 8, 17), "PEREMPUAN", 0)
    with pytest.raises(ValueError, match="kecamatan"):
        make_nik("32.76", date(1990, 8, 17), "PEREMPUAN", 1)
