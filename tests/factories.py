"""Valid registrations for tests, built from rules (not copied from real people)."""

from __future__ import annotations

from datetime import date
from typing import Any

TODAY = date(2026, 11, 24)


def make_nik(birth: date, sex: str = "LAKI-LAKI", serial: int = 1, region: str = "327602") -> str:
    day = birth.day + (40 if sex == "PEREMPUAN" else 0)
    return f"{region}{day:02d}{birth.month:02d}{birth.year % 100:02d}{serial:04d}"


def make_record(
    serial: int = 1,
    *,
    birth: date = date(1990, 5, 17),
    sex: str = "LAKI-LAKI",
    **overrides: Any,
) -> dict[str, Any]:
    record: dict[str, Any] = {
        "nik": make_nik(birth, sex, serial),
        "kk_number": "3276021203150007",
        "full_name": "BUDI SANTOSO",
        "birth_place": "DEPOK",
        "birth_date": birth.isoformat(),
        "sex": sex,
        "blood_type": "O",
        "religion": "ISLAM",
        "marital_status": "KAWIN",
        "occupation": "KARYAWAN SWASTA",
        "citizenship": "WNI",
        "address": "JL. MERDEKA NO. 10",
        "rt": "003",
        "rw": "007",
        "kelurahan_code": "32.76.02.1007",
        "phone": None,
    }
    record.update(overrides)
    return record


def many_records(count: int, start: int = 1) -> list[dict[str, Any]]:
    """``count`` valid records with distinct NIKs (serial 1..9999, then the next birth day)."""
    out = []
    for i in range(start, start + count):
        day = 1 + (i // 9999) % 28
        serial = 1 + i % 9999
        out.append(make_record(serial, birth=date(1985, 3, day)))
    return out
