"""Checking a record before it is saved: the one place where capture, correction and import
validate (``domain.validate`` with the station's date, area and region data)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from ..domain import Problem, Regions, validate
from ..errors import RecordInvalid, WarningsUnconfirmed
from ..store import Entry
from .events import Changes

__all__ = ["Assessment", "Captured", "Corrected", "assess"]


@dataclass(frozen=True, slots=True)
class Assessment:
    problems: list[Problem]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if not p.is_error]

    def raise_unless_saveable(self, *, confirmed: bool) -> None:
        """RecordInvalid on errors; WarningsUnconfirmed on warnings not ``confirmed``."""
        if self.errors:
            raise RecordInvalid(self.problems)
        if self.warnings and not confirmed:
            raise WarningsUnconfirmed(self.warnings)


def assess(
    record: Mapping[str, object], *, today: date, area: str | None, regions: Regions | None
) -> Assessment:
    return Assessment(validate(record, today=today, area=area, regions=regions))


@dataclass(frozen=True, slots=True)
class Captured:
    """A new entry, saved (durable) — with the warnings the operator confirmed."""

    entry: Entry
    warnings: list[Problem] = field(default_factory=list)
    changes: Changes = field(default_factory=lambda: Changes("capture", queue=True))
    #: biometric parts neither captured nor excepted yet (the entry is incomplete)
    missing_parts: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Corrected:
    """A correction: the new revision (``fields`` empty when nothing changed: no revision)."""

    entry: Entry
    fields: list[str]
    warnings: list[Problem] = field(default_factory=list)
    changes: Changes = field(default_factory=lambda: Changes("correct", queue=True))
