"""Shared test data and helpers (imported by the test modules and conftest)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from hypothesis import HealthCheck, settings

from ektp_station.domain import Problem, Severity, validate

TODAY = date(2026, 11, 24)

#: Settings for every property test: fast, no deadline, no example database in the tree.
PROPERTY = settings(
    max_examples=200,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)

# A resident of Depok, woman, born 17 Aug 1990: every field valid.
VALID: dict[str, object] = {
    "nik": "3276015708900001",
    "kk_number": "3276011203150004",
    "full_name": "NUR'AINI",
    "birth_place": "DEPOK",
    "birth_date": "1990-08-17",
    "sex": "PEREMPUAN",
    "blood_type": "O",
    "religion": "ISLAM",
    "marital_status": "KAWIN",
    "occupation": "MENGURUS RUMAH TANGGA",
    "citizenship": "WNI",
    "address": "JL. MARGONDA RAYA NO. 1",
    "rt": "003",
    "rw": "005",
    "kelurahan_code": "32.76.01.1006",
    "phone": None,
}


def valid_record(**changes: object) -> dict[str, object]:
    return {**VALID, **changes}


def check(today: date = TODAY, area: str | None = "32.76", **changes: object) -> list[Problem]:
    """Validate the valid record with some fields changed."""
    return validate(valid_record(**changes), today=today, area=area)


def codes(problems: Iterable[Problem], field: str | None = None) -> list[str]:
    return [p.code for p in problems if field is None or p.field == field]


def errors(problems: Iterable[Problem]) -> list[str]:
    return [p.code for p in problems if p.severity is Severity.ERROR]


def warnings_(problems: Iterable[Problem]) -> list[str]:
    return [p.code for p in problems if p.severity is Severity.WARNING]
