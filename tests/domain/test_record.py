"""normalise() and Registration."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ektp_station.domain import FIELDS, Registration, normalise, validate

from .helpers import PROPERTY, TODAY, VALID


def test_missing_fields_and_unknown_keys() -> None:
    result = normalise({"nik": "3276015708900001", "favourite_colour": "blue"})
    assert tuple(result) == FIELDS
    assert result["nik"] == "3276015708900001"
    assert result["phone"] is None
    assert all(result[f] == "" for f in FIELDS if f not in ("nik", "phone"))


def test_full_normalisation() -> None:
    typed = {
        "nik": " 3276-0157-0890-0001 ",
        "kk_number": "3276.0112.0315.0004",
        "full_name": "  nur’aini    binti\u00a0muh.  ali ",
        "birth_place": "  depok ",
        "birth_date": "17-08-1990",
        "sex": "p",
        "blood_type": "-",
        "religion": "katolik",
        "marital_status": "kawin",
        "occupation": 88,
        "citizenship": "wni",
        "address": "  jl. margonda   raya no. 1\t",
        "rt": 3,
        "rw": "RW 05",
        "kelurahan_code": "3276011006",
        "phone": "0812-3456-7890",
    }
    assert normalise(typed) == {
        "nik": "3276015708900001",
        "kk_number": "3276011203150004",
        "full_name": "NUR'AINI BINTI MUH. ALI",
        "birth_place": "DEPOK",
        "birth_date": "1990-08-17",
        "sex": "PEREMPUAN",
        "blood_type": "TIDAK TAHU",
        "religion": "KATHOLIK",
        "marital_status": "KAWIN",
        "occupation": "WIRASWASTA",
        "citizenship": "WNI",
        "address": "JL. MARGONDA RAYA NO. 1",
        "rt": "003",
        "rw": "005",
        "kelurahan_code": "32.76.01.1006",
        "phone": "081234567890",
    }


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("1990-08-17", "1990-08-17"),
        ("1990-8-7", "1990-08-07"),
        ("1990/08/17", "1990-08-17"),
        ("17/08/1990", "1990-08-17"),
        ("7.8.1990", "1990-08-07"),
        (date(1990, 8, 17), "1990-08-17"),
        (datetime(1990, 8, 17, 10, 30), "1990-08-17"),
        ("17 Agustus 1990", "17 Agustus 1990"),  # left for validation to report
        ("31-02-1990", "1990-02-31"),  # ditto
    ],
)
def test_birth_date_forms(typed: object, stored: str) -> None:
    assert normalise({"birth_date": typed})["birth_date"] == stored


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("3", "003"), (3, "003"), ("03", "003"), ("0003", "003"), ("123", "123"), ("RT 7", "007"),
     ("rt.07", "007"), ("0", "000"), ("1234", "1234"), ("1a", "1a"), ("", "")],
)  # fmt: skip
def test_rt_rw_forms(typed: object, stored: str) -> None:
    assert normalise({"rt": typed})["rt"] == stored
    assert normalise({"rw": typed})["rw"] == stored


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("0812-3456-7890", "081234567890"), ("+62 812 3456 7890", "+6281234567890"),
     ("(021) 777.1234", "0217771234"), ("", None), ("  ", None), ("-", None), (None, None)],
)  # fmt: skip
def test_phone_forms(typed: object, stored: str | None) -> None:
    assert normalise({"phone": typed})["phone"] == stored


def test_registration_round_trip() -> None:
    reg = Registration.from_dict({**VALID, "sex": "p", "rt": "3"})
    assert reg.sex == "PEREMPUAN" and reg.rt == "003"
    assert reg.to_dict() == normalise(VALID)
    assert Registration.from_dict(reg.to_dict()) == reg
    assert validate(reg, today=TODAY) == []
    with pytest.raises(AttributeError):
        reg.nik = "1"  # type: ignore[misc]


def test_registration_repr_hides_personal_data() -> None:
    reg = Registration.from_dict(VALID)
    text = repr(reg)
    assert "3276015708900001" not in text and "NUR'AINI" not in text and "1990" not in text
    assert "3276********0001" in text


# --- properties ----------------------------------------------------------------------------

any_value = st.one_of(
    st.none(),
    st.text(),
    st.integers(),
    st.floats(allow_nan=True),
    st.booleans(),
    st.dates(),
    st.binary(max_size=20),
)
records = st.dictionaries(st.sampled_from([*FIELDS, "extra"]), any_value)
text_records = st.dictionaries(st.sampled_from(FIELDS), st.text(max_size=40))


@PROPERTY
@given(records)
def test_normalise_never_raises_and_returns_every_field(data: dict[str, object]) -> None:
    result = normalise(data)
    assert tuple(result) == FIELDS
    assert all(isinstance(result[f], str) for f in FIELDS if f != "phone")
    assert result["phone"] is None or result["phone"] != ""
    validate(data, today=TODAY)  # validation never raises either


@PROPERTY
@given(text_records)
def test_normalise_is_idempotent(data: dict[str, str]) -> None:
    once = normalise(data)
    assert normalise(once) == once


@PROPERTY
@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz '.,-", min_size=2, max_size=50))
def test_names_come_out_in_capitals_without_double_spaces(name: str) -> None:
    stored = normalise({"full_name": name})["full_name"]
    assert stored is not None
    assert stored == stored.upper() and "  " not in stored and stored == stored.strip()
