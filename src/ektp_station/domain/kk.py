"""Nomor KK (family card number): 6-digit issuing region, DDMMYY the card was recorded
(no +40), 4-digit family serial.

Only the 16 digits and a known province are hard rules; the region and date parts are soft
checks (warnings), because their layout is not confirmed (docs/domain.md: *unverified*).
"""

from __future__ import annotations

from datetime import date

from .dates import make_date
from .problems import Problem, make_problem
from .regions import Regions

__all__ = ["check_kk", "kk_date"]


def kk_date(digits: str, today: date) -> date | None:
    """The recording date encoded in a 16-digit KK number, or None if it is not a real date.

    The two-digit year is read as 20yy unless that year is after ``today``'s, then 19yy; the
    result may therefore still lie later in the current year (see ``kk_date_future``).
    """
    day, month, yy = int(digits[6:8]), int(digits[8:10]), int(digits[10:12])
    century = today.year // 100 * 100
    if century + yy > today.year:
        century -= 100
    return make_date(century + yy, month, day)


def check_kk(kk: str, *, nik: str, regions: Regions, today: date) -> list[Problem]:
    """Problems of a normalised KK number (``nik`` is the normalised NIK, to catch a NIK typed
    into the KK field)."""
    field = "kk_number"
    if not kk:
        return [make_problem(field, "required")]
    if not kk.isascii() or not kk.isdigit():
        return [make_problem(field, "kk_chars")]
    if len(kk) != 16:
        return [make_problem(field, "kk_length", n=len(kk))]
    problems: list[Problem] = []
    city = f"{kk[:2]}.{kk[2:4]}"
    if not regions.is_province(kk[:2]):
        problems.append(make_problem(field, "kk_province_unknown"))
    elif not regions.is_kecamatan(f"{city}.{kk[4:6]}"):
        problems.append(make_problem(field, "kk_region_unknown"))
    recorded = kk_date(kk, today)
    if recorded is None:
        problems.append(make_problem(field, "kk_date_invalid"))
    elif recorded > today:
        problems.append(make_problem(field, "kk_date_future"))
    if kk == nik:
        problems.append(make_problem(field, "kk_same_as_nik"))
    return problems
