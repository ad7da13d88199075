"""validate(): birth date and eligibility, names, address, phone, RT/RW, kelurahan."""

from __future__ import annotations

from datetime import date

import pytest

from ektp_station.domain import FIELDS, Severity, has_errors, make_nik, validate

from .helpers import TODAY, check, codes, errors, valid_record, warnings_


def born(birth: date, sex: str = "LAKI-LAKI", **changes: object) -> list[str]:
    """Codes for a resident born on ``birth`` (NIK made to match), marital status as given."""
    nik = make_nik("32.76.01", birth, sex, 1)
    return codes(check(nik=nik, birth_date=birth.isoformat(), sex=sex, **changes))


# --- birth date and who may be recorded ----------------------------------------------------


def test_adult_is_fine() -> None:
    assert born(date(1990, 1, 1), marital_status="BELUM KAWIN") == []


def test_seventeen_today_is_fine() -> None:
    assert born(date(2009, 11, 24), marital_status="BELUM KAWIN") == []


def test_sixteen_is_a_warning() -> None:
    problems = check(
        nik=make_nik("32.76.01", date(2009, 11, 25), "LAKI-LAKI", 1),
        birth_date="2009-11-25",
        sex="LAKI-LAKI",
        marital_status="BELUM KAWIN",
    )
    assert codes(problems) == ["age_16"] and warnings_(problems) == ["age_16"]
    assert not has_errors(problems)


def test_under_sixteen_is_an_error_unless_married() -> None:
    assert born(date(2010, 11, 25), marital_status="BELUM KAWIN") == ["age_under_16"]
    assert born(date(2012, 1, 1), marital_status="BELUM KAWIN") == ["age_under_16"]
    for status in ("KAWIN", "CERAI HIDUP", "CERAI MATI"):
        assert born(date(2012, 1, 1), marital_status=status) == []
        assert born(date(2009, 12, 1), marital_status=status) == []  # 16 and married: no warning


def test_married_but_implausibly_young() -> None:
    problems = check(
        nik=make_nik("32.76.01", date(2018, 1, 1), "LAKI-LAKI", 1),
        birth_date="2018-01-01",
        sex="LAKI-LAKI",
        marital_status="KAWIN",
    )
    assert errors(problems) == ["married_too_young"]
    assert problems[0].field == "marital_status"


def test_implausible_age() -> None:
    assert born(date(1895, 1, 1), marital_status="CERAI MATI") == ["age_implausible"]
    assert born(date(1896, 11, 24), marital_status="CERAI MATI") == []  # exactly 130


def test_future_birth_date() -> None:
    assert codes(check(birth_date="2026-11-25"), "birth_date") == ["birth_date_future"]
    assert codes(check(birth_date="2030-01-01"), "birth_date") == ["birth_date_future"]


@pytest.mark.parametrize("typed", ["17 Agustus 1990", "1990-08", "19900817", "90-08-17", "x"])
def test_birth_date_format(typed: str) -> None:
    assert codes(check(birth_date=typed), "birth_date") == ["birth_date_format"]


@pytest.mark.parametrize(
    "typed", ["1990-02-30", "2001-02-29", "1900-02-29", "1990-13-01", "31-04-1990"]
)
def test_birth_date_must_exist(typed: str) -> None:
    assert codes(check(birth_date=typed), "birth_date") == ["birth_date_invalid"]


def test_leap_day_birth_date() -> None:
    assert born(date(2000, 2, 29), "PEREMPUAN") == []
    assert born(date(2008, 2, 29), "PEREMPUAN") == []


def test_birth_date_required() -> None:
    assert codes(check(birth_date=""), "birth_date") == ["required"]


# --- names -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["NUR'AINI", "MUH. ALI", "ALI, S.H.", "SITI NURHALIZA-PUTRI", "YO", "A" * 60]
)
def test_good_names(name: str) -> None:
    assert check(full_name=name) == []


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("ALI 2", "name_digits"),
        ("AGUS17", "name_digits"),
        ("ALI@RUMAH", "name_chars"),
        ("ALI_BABA", "name_chars"),
        ("ALI & BABA", "name_chars"),
        ("...", "name_no_letters"),
        ("A", "too_short"),
        ("A" * 61, "too_long"),
        ("ALI\x00", "control_chars"),
        ("ALI\nBABA", "control_chars"),
        ("ALI\u200bBABA", "control_chars"),
        ("", "required"),
    ],
)
def test_bad_names_are_errors(name: str, code: str) -> None:
    problems = [p for p in check(full_name=name) if p.field == "full_name"]
    assert code in errors(problems)


def test_name_too_long_message_gives_the_limit_not_the_name() -> None:
    [problem] = check(full_name="B" * 70)
    assert problem.message("id") == (
        "Nama lengkap terlalu panjang: maksimal 60 karakter (sekarang 70). "
        "Gunakan singkatan seperti pada KK."
    )


def test_accented_letters_are_a_warning() -> None:
    problems = check(full_name="josé")
    assert warnings_(problems) == ["name_non_latin"] and errors(problems) == []


def test_name_normalisation() -> None:
    assert validate(valid_record(full_name="  muh.   ali "), today=TODAY) == []


def test_birth_place_follows_the_name_rules() -> None:
    assert codes(check(birth_place="DEPOK 2"), "birth_place") == ["name_digits"]
    assert codes(check(birth_place="KAB. BOGOR"), "birth_place") == []
    assert codes(check(birth_place=""), "birth_place") == ["required"]
    assert codes(check(birth_place="B" * 51), "birth_place") == ["too_long"]


# --- address and phone -----------------------------------------------------------------------


def test_address() -> None:
    assert check(address="JL. MERDEKA NO. 10, GG. H. ABDUL 2/3") == []
    assert check(address="A" * 200) == []
    assert codes(check(address="A" * 201)) == ["too_long"]
    assert codes(check(address="")) == ["required"]
    assert codes(check(address="JL. A\nNO. 1")) == ["control_chars"]


@pytest.mark.parametrize("phone", [None, "", "081234567890", "+6281234567890", "02177712345"])
def test_good_phones(phone: str | None) -> None:
    assert check(phone=phone) == []


@pytest.mark.parametrize(
    ("phone", "code"),
    [
        ("0812abc", "phone_chars"),
        ("++6281234", "phone_chars"),
        ("62+81234567", "phone_chars"),
        ("1234567", "phone_length"),
        ("+1234567890123456", "phone_length"),
    ],
)
def test_bad_phones(phone: str, code: str) -> None:
    assert errors(check(phone=phone)) == [code]


# --- RT / RW ---------------------------------------------------------------------------------


@pytest.mark.parametrize("field", ["rt", "rw"])
def test_rt_rw(field: str) -> None:
    assert check(**{field: "3"}) == []
    assert check(**{field: 999}) == []
    assert codes(check(**{field: "000"})) == ["rt_rw_zero"]
    assert codes(check(**{field: "0"})) == ["rt_rw_zero"]
    assert codes(check(**{field: "1234"})) == ["rt_rw_format"]
    assert codes(check(**{field: "3A"})) == ["rt_rw_format"]
    assert codes(check(**{field: ""})) == ["required"]
    [problem] = check(**{field: "000"})
    assert problem.field == field and problem.message("id").startswith(field.upper())


# --- kelurahan -------------------------------------------------------------------------------


def test_kelurahan() -> None:
    assert check(kelurahan_code="32.76.11.1005") == []
    assert check(kelurahan_code="3276111005") == []
    assert codes(check(kelurahan_code="32.76.02.107")) == ["kelurahan_format"]
    assert codes(check(kelurahan_code="Curug")) == ["kelurahan_format"]
    assert codes(check(kelurahan_code="32.76.02.9999")) == ["kelurahan_unknown"]
    assert codes(check(kelurahan_code="")) == ["required"]


def test_kelurahan_outside_the_station_area() -> None:
    problems = check(kelurahan_code="32.76.02.1007", area="32.01")
    assert errors(problems) == ["kelurahan_outside_area"]
    assert "32.01" in problems[0].message("id")
    assert check(kelurahan_code="32.76.02.1007", area="32.76.02") == []
    assert check(kelurahan_code="32.76.02.1007", area=None) == []
    assert codes(check(kelurahan_code="32.01.01.2001", area=None)) == ["kelurahan_unknown"]


# --- the whole record ------------------------------------------------------------------------


def test_empty_record_reports_every_required_field_in_form_order() -> None:
    problems = validate({}, today=TODAY)
    assert [p.field for p in problems] == [f for f in FIELDS if f != "phone"]
    assert {p.code for p in problems} == {"required"}
    assert all(p.severity is Severity.ERROR for p in problems)


def test_problems_are_ordered_by_field() -> None:
    problems = check(rt="000", nik="3276015708900000", full_name="X1", phone="1")
    order = [FIELDS.index(p.field) for p in problems]
    assert order == sorted(order)


def test_has_errors() -> None:
    assert not has_errors([])
    assert not has_errors(check(sex="LAKI-LAKI"))  # a warning only
    assert has_errors(check(rt="000"))


def test_cyrillic_look_alikes_and_loose_marks_are_errors() -> None:
    # "BUDI" with a Cyrillic В (U+0412) and У (U+0423): looks the same, is another name
    problems = check(full_name="\u0412\u0423DI SANTOSO")
    assert errors(problems) == ["name_script"]
    assert errors(check(full_name="BUDI\u0301\u0301 SANTOSO")) == ["name_script"]
    greek = check(birth_place="\u0394EPOK")
    assert [p.code for p in greek if p.field == "birth_place" and p.is_error] == ["name_script"]
    assert warnings_(check(full_name="josé")) == ["name_non_latin"]  # Latin: still a warning


def test_an_address_is_in_siaks_character_set() -> None:
    assert codes(check(address="JL. MAWAR NO. 1/2, GG. H'ASAN - BLOK C"), "address") == []
    for bad in ("JL. MAWAR #1", "JL. \u041cAWAR 1", "JL. MAWAR (BELAKANG)", "JL.\u00a0MAWAR;"):
        assert codes(check(address=bad), "address") == ["address_chars"], bad
