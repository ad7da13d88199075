"""The e-KTP recording domain: the record, its normalisation and every validation rule.

Pure Python (stdlib only, no Qt, no database, no network); the rules are those of
docs/domain.md, the public surface is the one in docs/CONTRACTS.md::

    problems = validate(form_data, today=date.today(), area="32.76")
    if has_errors(problems): ...               # block saving
    warnings = [p for p in problems if not p.is_error]   # ask the operator to confirm
    registration = Registration.from_dict(form_data)
"""

from __future__ import annotations

from .nik import NikInfo, clean_nik, make_nik, mask_nik, parse_nik
from .problems import PROBLEM_CODES, Problem, Severity, has_errors
from .record import FIELDS, Registration, normalise
from .regions import Region, Regions, default_regions
from .validate import validate
from .values import value_list

__all__ = [
    "FIELDS",
    "PROBLEM_CODES",
    "NikInfo",
    "Problem",
    "Region",
    "Regions",
    "Registration",
    "Severity",
    "clean_nik",
    "default_regions",
    "has_errors",
    "make_nik",
    "mask_nik",
    "normalise",
    "parse_nik",
    "validate",
    "value_list",
]
