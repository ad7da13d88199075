"""The public surface: __all__ complete and importable, no Qt/database/network imports."""

from __future__ import annotations

import dataclasses
import string
import subprocess
import sys
import types

import ektp_station.domain as domain
from ektp_station.domain import FIELDS, PROBLEM_CODES, Registration, Severity
from ektp_station.domain.messages import CATALOGUE, FIELD_LABELS, OVERRIDES
from ektp_station.domain.problems import make_problem

CONTRACT_NAMES = {
    "FIELDS",
    "Registration",
    "normalise",
    "validate",
    "Problem",
    "Severity",
    "has_errors",
    "clean_nik",
    "parse_nik",
    "NikInfo",
    "mask_nik",
    "Regions",
    "value_list",
}


def test_all_is_importable_and_complete() -> None:
    for name in domain.__all__:
        assert hasattr(domain, name), name
    public = {
        name
        for name, value in vars(domain).items()
        if not name.startswith("_")
        and not isinstance(value, types.ModuleType)
        and name != "annotations"
    }
    assert public == set(domain.__all__)
    assert sorted(domain.__all__) == sorted(set(domain.__all__))


def test_contract_names_are_exported() -> None:
    assert CONTRACT_NAMES <= set(domain.__all__)


def test_registration_fields_are_the_record_fields() -> None:
    assert tuple(f.name for f in dataclasses.fields(Registration)) == FIELDS
    assert set(FIELD_LABELS) == set(FIELDS) | {"kecamatan"}  # the form-only kecamatan


def test_core_imports_no_qt_database_or_network() -> None:
    code = (
        "import sys, ektp_station.domain as d\n"
        "d.default_regions(); d.value_list('religion')\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in "
        "('PySide6', 'shiboken6', 'sqlalchemy', 'httpx', 'starlette')]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_every_message_formats_in_both_languages() -> None:
    # the biometric parts' checks: formats, pixels, dpi and kilobytes (never image content)
    sizes = {"min_width": 480, "min_height": 640, "width": 300, "height": 400, "dpi": 500}
    sizes |= {"found": 300, "max_kb": 2048, "kb": 4000, "expected": "JPEG"}
    sizes |= {"reasons": "missing, injured"}
    allowed = {"label", "n", "min", "max", "area", *sizes}
    params = {"n": 15, "min": 2, "max": 60, "area": "32.76", **sizes}
    templates = [(code, t_id, t_en) for code, (_, t_id, t_en) in CATALOGUE.items()]
    templates += [(code, t_id, t_en) for (code, _), (t_id, t_en) in OVERRIDES.items()]
    for code, t_id, t_en in templates:
        for template in (t_id, t_en):
            names = {name for _, name, _, _ in string.Formatter().parse(template) if name}
            assert names <= allowed, (code, names)
            assert template.rstrip().endswith("."), (code, template)
        assert t_id != t_en, code
    for code in PROBLEM_CODES:
        for field in FIELDS:
            problem = make_problem(field, code, **params)
            assert problem.message("id") and problem.message("en")
            assert "{" not in problem.message_id and "{" not in problem.message_en


def test_problem_json_and_language() -> None:
    problem = make_problem("nik", "nik_length", n=15)
    assert problem.message() == "NIK harus 16 angka (sekarang 15)."
    assert problem.message("en") == "The NIK must have 16 digits (it has 15)."
    assert problem.to_json() == {
        "field": "nik",
        "code": "nik_length",
        "severity": "error",
        "message": "NIK harus 16 angka (sekarang 15).",
    }
    assert problem.to_json("en")["message"].startswith("The NIK")
    assert problem.severity is Severity.ERROR and problem.severity == "error"
    assert problem.is_error


def test_codes_are_snake_case() -> None:
    for code in PROBLEM_CODES:
        assert code.replace("_", "").isalnum() and code == code.lower(), code
