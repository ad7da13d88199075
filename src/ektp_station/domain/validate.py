"""Every rule of docs/domain.md over one record: :func:`validate`.

The field-specific rules live next to their data (:mod:`.nik`, :mod:`.kk`, :mod:`.text`);
this module adds the birth date and eligibility, the value lists, RT/RW and the kelurahan,
and returns all problems in the order of the form's fields.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Final

from .dates import age_on, parse_iso_date
from .kk import check_kk
from .nik import check_nik
from .problems import Problem, make_problem
from .record import FIELDS, Registration, normalise
from .regions import Regions, default_regions
from .text import check_address, check_name, check_phone
from .values import DUAL_CITIZENSHIP, ENUM_FIELDS, MARRIED_OR_EVER_MARRIED, value_list

__all__ = ["MAX_AGE", "MIN_AGE", "MIN_AGE_MARRIED", "RECORDING_AGE", "validate"]

RECORDING_AGE: Final = 17  # the card is printed from 17
MIN_AGE: Final = 16  # recording allowed from 16 (warning at 16)
MIN_AGE_MARRIED: Final = 10  # married allows any age, but below this it is implausible
MAX_AGE: Final = 130

_YMD_SHAPE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_RT_RW_SHAPE = re.compile(r"[0-9]{3}")
_KELURAHAN_SHAPE = re.compile(r"[0-9]{2}\.[0-9]{2}\.[0-9]{2}\.[0-9]{4}")
_ORDER: Final = {field: index for index, field in enumerate(FIELDS)}


def validate(
    record: Mapping[str, object] | Registration,
    *,
    today: date,
    area: str | None = "32.76",
    regions: Regions | None = None,
    normalised: bool = False,
) -> list[Problem]:
    """All problems of ``record`` (normalised first), ordered by field as on the form.

    ``normalised=True`` says the caller already passed ``normalise(...)``'s output (the
    centre does, to normalise each entry once rather than three times).

    ``area`` is the dotted prefix the kelurahan must fall under (the station's city); None
    accepts any known kelurahan. ``regions`` defaults to the bundled Kemendagri data.
    """
    data: dict[str, str | None]
    if normalised and not isinstance(record, Registration):
        data = {k: None if v is None else str(v) for k, v in record.items()}
    else:
        data = normalise(record.to_dict() if isinstance(record, Registration) else record)
    regions = regions if regions is not None else default_regions()
    text = {field: value or "" for field, value in data.items()}
    birth = parse_iso_date(text["birth_date"])
    problems = [
        *check_nik(text["nik"], birth_date=birth, sex=text["sex"], regions=regions, today=today),
        *check_kk(text["kk_number"], nik=text["nik"], regions=regions, today=today),
        *check_name("full_name", text["full_name"]),
        *check_name("birth_place", text["birth_place"]),
        *_check_birth_date(text["birth_date"], text["marital_status"], today),
        *(p for field in ENUM_FIELDS for p in _check_listed(field, text[field])),
        *check_address(text["address"]),
        *_check_rt_rw("rt", text["rt"]),
        *_check_rt_rw("rw", text["rw"]),
        *_check_kelurahan(text["kelurahan_code"], area, regions),
        *check_phone(data["phone"]),
    ]
    return sorted(problems, key=lambda p: _ORDER.get(p.field, len(_ORDER)))


def _check_birth_date(value: str, marital_status: str, today: date) -> list[Problem]:
    field = "birth_date"
    if not value:
        return [make_problem(field, "required")]
    if not _YMD_SHAPE.fullmatch(value):
        return [make_problem(field, "birth_date_format")]
    birth = parse_iso_date(value)
    if birth is None:
        return [make_problem(field, "birth_date_invalid")]
    if birth > today:
        return [make_problem(field, "birth_date_future")]
    age = age_on(birth, today)
    if age > MAX_AGE:
        return [make_problem(field, "age_implausible", max=MAX_AGE)]
    if marital_status in MARRIED_OR_EVER_MARRIED:
        if age < MIN_AGE_MARRIED:
            return [make_problem("marital_status", "married_too_young", min=MIN_AGE_MARRIED)]
        return []
    if age < MIN_AGE:
        return [make_problem(field, "age_under_16")]
    if age < RECORDING_AGE:
        return [make_problem(field, "age_16")]
    return []


def _check_listed(field: str, value: str) -> list[Problem]:
    if not value:
        return [make_problem(field, "required")]
    if field == "citizenship" and value == DUAL_CITIZENSHIP:
        return [make_problem(field, "citizenship_dual")]
    if value not in value_list(field):
        return [make_problem(field, "value_not_in_list")]
    return []


def _check_rt_rw(field: str, value: str) -> list[Problem]:
    if not value:
        return [make_problem(field, "required")]
    if not _RT_RW_SHAPE.fullmatch(value):
        return [make_problem(field, "rt_rw_format")]
    if value == "000":
        return [make_problem(field, "rt_rw_zero")]
    return []


def _check_kelurahan(value: str, area: str | None, regions: Regions) -> list[Problem]:
    field = "kelurahan_code"
    if not value:
        return [make_problem(field, "required")]
    if not _KELURAHAN_SHAPE.fullmatch(value):
        return [make_problem(field, "kelurahan_format")]
    if area is not None and not value.startswith(area.rstrip(".") + "."):
        return [make_problem(field, "kelurahan_outside_area", area=area)]
    if not regions.is_kelurahan(value):
        return [make_problem(field, "kelurahan_unknown")]
    return []
