"""The registration record: its fields, their normalisation, and :class:`Registration`."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any, Final

from .nik import clean_nik, mask_nik
from .text import normalise_phone, normalise_text
from .values import ENUM_FIELDS, canonical_value

__all__ = ["FIELDS", "Registration", "normalise"]

#: The record's JSON names, in the order of the biodata form.
FIELDS: Final[tuple[str, ...]] = (
    "nik",
    "kk_number",
    "full_name",
    "birth_place",
    "birth_date",
    "sex",
    "blood_type",
    "religion",
    "marital_status",
    "occupation",
    "citizenship",
    "address",
    "rt",
    "rw",
    "kelurahan_code",
    "phone",
)

_ISO = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_ISO_LOOSE = re.compile(r"([0-9]{4})[-/]([0-9]{1,2})[-/]([0-9]{1,2})")
_DMY = re.compile(r"([0-9]{1,2})[-/.]([0-9]{1,2})[-/.]([0-9]{4})")
_RT_RW = re.compile(r"(?:R[TW])?\s*[.:]?\s*0*([0-9]{1,3})", re.IGNORECASE)
_KELURAHAN_DIGITS = re.compile(r"[0-9]{10}")
_WHITESPACE = re.compile(r"\s+")


def _as_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bytes | bytearray):
        return bytes(value).decode("utf-8", errors="replace")
    return str(value)


def _birth_date(text: str) -> str:
    """``1990-8-7`` / ``1990/08/07`` / ``07-08-1990`` (Indonesian day-month order) ->
    ``1990-08-07``. The date's existence is left to validation."""
    if _ISO.fullmatch(text):
        return text  # already so (what stations send)
    text = text.strip()
    if match := _ISO_LOOSE.fullmatch(text):
        year, month, day = match.groups()
    elif match := _DMY.fullmatch(text):
        day, month, year = match.groups()
    else:
        return text
    return f"{year}-{int(month):02d}-{int(day):02d}"


def _rt_rw(text: str) -> str:
    """``3`` / ``03`` / ``RT 3`` -> ``003``; anything else is left for validation."""
    if len(text) == 3 and text.isascii() and text.isdigit():
        return text  # already so (what stations send)
    text = text.strip()
    if match := _RT_RW.fullmatch(text):
        return f"{int(match.group(1)):03d}"
    return text


def _kelurahan_code(text: str) -> str:
    """Whitespace removed; ten bare digits get their dots (``3276021007`` -> ``32.76.02.1007``)."""
    text = _WHITESPACE.sub("", text)
    if _KELURAHAN_DIGITS.fullmatch(text):
        return f"{text[:2]}.{text[2:4]}.{text[4:6]}.{text[6:]}"
    return text


def _enum(field: str) -> Callable[[str], str]:
    return lambda text: canonical_value(field, text)


_NORMALISERS: Final[dict[str, Callable[[str], str | None]]] = {
    "nik": lambda text: clean_nik(text.strip()),
    "kk_number": lambda text: clean_nik(text.strip()),
    "full_name": normalise_text,
    "birth_place": normalise_text,
    "birth_date": _birth_date,
    **{field: _enum(field) for field in ENUM_FIELDS},
    "address": normalise_text,
    "rt": _rt_rw,
    "rw": _rt_rw,
    "kelurahan_code": _kelurahan_code,
    "phone": normalise_phone,
}
_IN_ORDER: Final = tuple((field, _NORMALISERS[field]) for field in FIELDS)


def normalise(data: Mapping[str, object]) -> dict[str, str | None]:
    """The record in canonical form; never raises. Missing fields become ``""`` (``phone``
    becomes None), unknown keys are dropped, values that are not text are converted. Values
    that cannot be made canonical are kept (tidied) for :func:`validate` to report."""
    get = data.get
    result: dict[str, str | None] = {}
    for field, normaliser in _IN_ORDER:  # run for every entry the centre receives: kept lean
        value = get(field)
        result[field] = normaliser(value if type(value) is str else _as_text(value))
    return result


@dataclass(frozen=True, slots=True, repr=False)
class Registration:
    """One resident's biodata, normalised. Build with :meth:`from_dict`; check with
    :func:`~ektp_station.domain.validate` (a Registration may still hold invalid values)."""

    nik: str
    kk_number: str
    full_name: str
    birth_place: str
    birth_date: str
    sex: str
    blood_type: str
    religion: str
    marital_status: str
    occupation: str
    citizenship: str
    address: str
    rt: str
    rw: str
    kelurahan_code: str
    phone: str | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Registration:
        values: dict[str, Any] = normalise(data)
        return cls(**values)

    def to_dict(self) -> dict[str, str | None]:
        return asdict(self)

    def __repr__(self) -> str:  # personal data stays out of logs
        return f"Registration(nik={mask_nik(self.nik)}, kelurahan_code={self.kelurahan_code!r})"
