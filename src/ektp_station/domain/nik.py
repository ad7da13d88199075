"""NIK (Nomor Induk Kependudukan): ``PP KK CC DDMMYY SSSS``, 16 digits.

Province, kabupaten/kota and kecamatan where the NIK was first issued; day of birth (+40 for
women), month, two-digit year; a serial 0001-9999. See docs/domain.md for the rules.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from .dates import latest_century, make_date
from .problems import Problem, make_problem
from .regions import Regions

__all__ = ["NikInfo", "check_nik", "clean_nik", "make_nik", "mask_nik", "parse_nik"]

MALE = "LAKI-LAKI"
FEMALE = "PEREMPUAN"
_SEPARATORS = re.compile(r"[\s.\-\u2010-\u2015\u2212]+")
_DIGITS16 = re.compile(r"[0-9]{16}")


def clean_nik(text: str) -> str:
    """``text`` without the spaces, dots and dashes typed or pasted inside a number."""
    return _SEPARATORS.sub("", text)


def mask_nik(nik: str) -> str:
    """For logs and screens: ``3276********0001`` (first 4 and last 4 shown). Anything that is
    not 16 characters after cleaning is masked entirely."""
    cleaned = clean_nik(nik)
    if len(cleaned) == 16:
        return cleaned[:4] + "*" * 8 + cleaned[12:]
    return "*" * len(cleaned)


@dataclass(frozen=True, slots=True, repr=False)
class NikInfo:
    """The parts of a well-formed NIK. ``day`` is the real day (women's +40 removed)."""

    nik: str
    province_code: str  # "32"
    kabupaten_code: str  # "32.76"
    kecamatan_code: str  # "32.76.01"
    day: int
    month: int
    yy: int
    sex: str  # LAKI-LAKI | PEREMPUAN
    serial: int

    def __repr__(self) -> str:  # never the whole number: reprs end up in logs
        return f"NikInfo({mask_nik(self.nik)})"

    def century(self, today: date) -> int:
        """The latest century (1900, 2000, ...) that does not put the birth after ``today``."""
        return latest_century(self.yy, self.month, self.day, today)

    def birth_date(self, *, century: int | None = None, today: date | None = None) -> date | None:
        """The encoded birth date in ``century`` (e.g. 1900), or in the latest century not in
        the future relative to ``today``; None when that date does not exist (29 Feb 1900)."""
        if century is None:
            if today is None:
                raise TypeError("birth_date() needs century= or today=")
            century = self.century(today)
        if century % 100:
            raise ValueError("century must be a multiple of 100, e.g. 1900")
        return make_date(century + self.yy, self.month, self.day)


def _split(digits: str) -> tuple[int, int, int, int]:
    """raw day (with +40), month, yy, serial of a 16-digit string."""
    return int(digits[6:8]), int(digits[8:10]), int(digits[10:12]), int(digits[12:])


def parse_nik(text: str) -> NikInfo | None:
    """The parts of ``text`` (separators stripped), or None unless it is 16 digits with a day
    01-31/41-71, a month 01-12 and a serial other than 0000. The region codes are *not*
    checked against the region list and the date's existence depends on the century: see
    :meth:`NikInfo.birth_date` and :func:`~ektp_station.domain.validate`."""
    digits = clean_nik(text)
    if not _DIGITS16.fullmatch(digits):
        return None
    raw_day, month, yy, serial = _split(digits)
    if not (1 <= raw_day <= 31 or 41 <= raw_day <= 71) or not 1 <= month <= 12 or serial == 0:
        return None
    female = raw_day > 40
    return NikInfo(
        nik=digits,
        province_code=digits[:2],
        kabupaten_code=f"{digits[:2]}.{digits[2:4]}",
        kecamatan_code=f"{digits[:2]}.{digits[2:4]}.{digits[4:6]}",
        day=raw_day - 40 if female else raw_day,
        month=month,
        yy=yy,
        sex=FEMALE if female else MALE,
        serial=serial,
    )


def make_nik(kecamatan_code: str, birth_date: date, sex: str, serial: int) -> str:
    """Compose a NIK (for fixtures and tests): ``make_nik("32.76.01", date(1990, 8, 17),
    "PEREMPUAN", 1)`` -> ``"3276015708900001"``."""
    region = kecamatan_code.replace(".", "")
    if not re.fullmatch(r"[0-9]{6}", region) or not 1 <= serial <= 9999:
        raise ValueError("need a 6-digit kecamatan code and a serial 1-9999")
    day = birth_date.day + (40 if sex == FEMALE else 0)
    return f"{region}{day:02d}{birth_date.month:02d}{birth_date.year % 100:02d}{serial:04d}"


def check_nik(
    nik: str, *, birth_date: date | None, sex: str, regions: Regions, today: date
) -> list[Problem]:
    """Problems of a normalised NIK. ``birth_date`` is the entered date when it is a real one
    (it fixes the century and is compared with the NIK), ``sex`` the entered sex label."""
    field = "nik"
    if not nik:
        return [make_problem(field, "required")]
    if not nik.isascii() or not nik.isdigit():
        return [make_problem(field, "nik_chars")]
    if len(nik) != 16:
        return [make_problem(field, "nik_length", n=len(nik))]
    problems = _region_problems(nik, regions)
    raw_day, month, yy, serial = _split(nik)
    day_ok = 1 <= raw_day <= 31 or 41 <= raw_day <= 71
    if not day_ok:
        problems.append(make_problem(field, "nik_day_invalid"))
    if not 1 <= month <= 12:
        problems.append(make_problem(field, "nik_month_invalid"))
    encoded: date | None = None
    if day_ok and 1 <= month <= 12:
        day = raw_day - 40 if raw_day > 40 else raw_day
        if birth_date is not None:
            century = birth_date.year // 100 * 100
        else:
            century = latest_century(yy, month, day, today)
        encoded = make_date(century + yy, month, day)
        if encoded is None:
            problems.append(make_problem(field, "nik_date_invalid"))
    if serial == 0:
        problems.append(make_problem(field, "nik_serial_zero"))
    if encoded is not None and birth_date is not None and encoded != birth_date:
        problems.append(make_problem(field, "nik_birthdate_mismatch"))
    if day_ok and sex in (MALE, FEMALE) and (FEMALE if raw_day > 40 else MALE) != sex:
        problems.append(make_problem(field, "nik_sex_mismatch"))
    return problems


def _region_problems(digits: str, regions: Regions) -> list[Problem]:
    province, city, district = digits[:2], f"{digits[:2]}.{digits[2:4]}", digits[4:6]
    if not regions.is_province(province):
        return [make_problem("nik", "nik_province_unknown")]
    if not regions.is_kabupaten(city):
        return [make_problem("nik", "nik_kabupaten_unknown")]
    if not regions.is_kecamatan(f"{city}.{district}"):
        return [make_problem("nik", "nik_kecamatan_unknown")]
    return []
