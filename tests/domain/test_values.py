"""Value lists and the normalisation of enumerated fields."""

from __future__ import annotations

import pytest

from ektp_station.domain import normalise, value_list

from .helpers import check, codes, errors


def test_value_lists_in_official_order() -> None:
    assert value_list("religion") == (
        "ISLAM",
        "KRISTEN",
        "KATHOLIK",
        "HINDU",
        "BUDHA",
        "KHONGHUCU",
        "KEPERCAYAAN TERHADAP TUHAN YME",
    )
    assert value_list("marital_status") == ("BELUM KAWIN", "KAWIN", "CERAI HIDUP", "CERAI MATI")
    assert value_list("blood_type") == (
        "A", "B", "AB", "O", "A+", "A-", "B+", "B-", "AB+", "AB-", "O+", "O-", "TIDAK TAHU",
    )  # fmt: skip
    assert value_list("sex") == ("LAKI-LAKI", "PEREMPUAN")
    assert value_list("citizenship") == ("WNI", "WNA")
    occupations = value_list("occupation")
    assert len(occupations) == 89
    assert occupations[0] == "BELUM/TIDAK BEKERJA"
    assert occupations[87:] == ("WIRASWASTA", "LAINNYA")


def test_unknown_list_name() -> None:
    with pytest.raises(KeyError):
        value_list("shdk")


@pytest.mark.parametrize(
    ("field", "typed", "canonical"),
    [
        ("religion", "katolik", "KATHOLIK"),
        ("religion", "Kristen Katolik", "KATHOLIK"),
        ("religion", "BUDDHA", "BUDHA"),
        ("religion", "Konghucu", "KHONGHUCU"),
        ("religion", "KHONG HU CU", "KHONGHUCU"),
        ("religion", "Kong Hu Cu", "KHONGHUCU"),
        ("religion", "kepercayaan", "KEPERCAYAAN TERHADAP TUHAN YME"),
        ("religion", "Kepercayaan Terhadap Tuhan YME / Lainnya", "KEPERCAYAAN TERHADAP TUHAN YME"),
        ("religion", "  islam ", "ISLAM"),
        ("sex", "L", "LAKI-LAKI"),
        ("sex", "laki", "LAKI-LAKI"),
        ("sex", "Laki Laki", "LAKI-LAKI"),
        ("sex", "PRIA", "LAKI-LAKI"),
        ("sex", "p", "PEREMPUAN"),
        ("sex", "Wanita", "PEREMPUAN"),
        ("blood_type", "-", "TIDAK TAHU"),
        ("blood_type", " - ", "TIDAK TAHU"),
        ("blood_type", "tidak  tahu", "TIDAK TAHU"),
        ("blood_type", "ab", "AB"),
        ("blood_type", "a +", "A+"),
        ("blood_type", "O-", "O-"),
        ("blood_type", "0", "O"),
        ("marital_status", "belum   kawin", "BELUM KAWIN"),
        ("marital_status", "menikah", "KAWIN"),
        ("marital_status", "cerai mati", "CERAI MATI"),
        ("occupation", "88", "WIRASWASTA"),
        ("occupation", "088", "WIRASWASTA"),
        ("occupation", "1", "BELUM/TIDAK BEKERJA"),
        ("occupation", "89", "LAINNYA"),
        ("occupation", "karyawan swasta", "KARYAWAN SWASTA"),
        ("occupation", "pegawai negeri sipil (pns)", "PEGAWAI NEGERI SIPIL (PNS)"),
        ("occupation", "PNS", "PEGAWAI NEGERI SIPIL (PNS)"),
        ("occupation", "belum / tidak bekerja", "BELUM/TIDAK BEKERJA"),
        ("citizenship", "wni", "WNI"),
        ("citizenship", " Wna ", "WNA"),
    ],
)
def test_alternative_spellings(field: str, typed: str, canonical: str) -> None:
    assert normalise({field: typed})[field] == canonical
    assert codes(check(**{field: typed}), field) == []


@pytest.mark.parametrize(
    ("field", "typed"),
    [
        ("religion", "ATHEIS"),
        ("sex", "X"),
        ("blood_type", "C"),
        ("marital_status", "CERAI"),
        ("occupation", "90"),
        ("occupation", "0"),
        ("occupation", "ASTRONOT"),
        ("citizenship", "WNX"),
    ],
)
def test_values_outside_the_list(field: str, typed: str) -> None:
    problems = [p for p in check(**{field: typed}) if p.field == field]
    assert errors(problems) == ["value_not_in_list"]
    assert "pilih salah satu dari daftar" in problems[0].message("id")


def test_unmatched_values_are_kept_tidy() -> None:
    assert normalise({"religion": "  atheis   baru "})["religion"] == "ATHEIS BARU"


@pytest.mark.parametrize("field", ["sex", "blood_type", "religion", "marital_status", "occupation"])
def test_enumerated_fields_are_required(field: str) -> None:
    assert codes(check(**{field: ""}), field) == ["required"]
    assert codes(check(**{field: None}), field) == ["required"]


def test_blood_type_required_message_points_to_tidak_tahu() -> None:
    [problem] = check(blood_type="")
    assert "TIDAK TAHU" in problem.message("id")


def test_dual_citizenship_is_refused() -> None:
    for typed in ("DUA KEWARGANEGARAAN", "dua kewarganegaraan", "GANDA"):
        problems = check(citizenship=typed)
        assert errors(problems) == ["citizenship_dual"]
        assert "WNI atau WNA" in problems[0].message("id")
    assert codes(check(citizenship=""), "citizenship") == ["required"]
