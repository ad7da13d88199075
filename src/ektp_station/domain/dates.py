"""Small date helpers shared by the NIK, KK and birth-date rules."""

from __future__ import annotations

import re
from datetime import date

__all__ = ["age_on", "latest_century", "make_date", "parse_iso_date"]

_ISO = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def make_date(year: int, month: int, day: int) -> date | None:
    """The date, or None when it does not exist (31 April, 29 February 1900, ...)."""
    try:
        return date(year, month, day)
    except ValueError:
        return None


def parse_iso_date(text: str) -> date | None:
    """A real date written exactly ``YYYY-MM-DD``, else None."""
    if not _ISO.fullmatch(text):
        return None
    return make_date(int(text[:4]), int(text[5:7]), int(text[8:10]))


def latest_century(yy: int, month: int, day: int, today: date) -> int:
    """The century (1900, 2000, ...) that puts day/month/yy latest but not after ``today``.

    Compares (year, month, day) as numbers, so it answers even for a day that does not exist
    in that year; the caller then checks the date with :func:`make_date`.
    """
    century = today.year // 100 * 100
    if (century + yy, month, day) > (today.year, today.month, today.day):
        century -= 100
    return century


def age_on(birth: date, today: date) -> int:
    """Completed years of age on ``today`` (negative when ``birth`` is after ``today``)."""
    years = today.year - birth.year
    if (today.month, today.day) < (birth.month, birth.day):
        years -= 1
    return years
