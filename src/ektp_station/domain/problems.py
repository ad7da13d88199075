"""What validation reports: :class:`Problem`, its :class:`Severity`, and how one is made.

A problem names the field, a stable snake-case ``code`` (the catalogue in :mod:`.messages`),
its severity and the message in Bahasa Indonesia and English. Messages describe what to fix;
they never repeat the value typed (a NIK, a KK number or a name may end up in a log line).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from .messages import CATALOGUE, FIELD_LABELS, OVERRIDES
from .vocabulary import PART_LABELS

__all__ = ["PROBLEM_CODES", "Problem", "Severity", "has_errors", "make_problem"]


class Severity(StrEnum):
    """ERROR blocks saving; WARNING must be confirmed by the operator."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Problem:
    field: str
    code: str
    severity: Severity
    message_id: str
    message_en: str

    def message(self, lang: str = "id") -> str:
        """The message in Bahasa Indonesia, or in English when ``lang == "en"``."""
        return self.message_en if lang == "en" else self.message_id

    def to_json(self, lang: str = "id") -> dict[str, str]:
        return {
            "field": self.field,
            "code": self.code,
            "severity": self.severity.value,
            "message": self.message(lang),
        }

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR


PROBLEM_CODES: frozenset[str] = frozenset(CATALOGUE)


def has_errors(problems: Iterable[Problem]) -> bool:
    """True when any problem blocks saving."""
    return any(p.severity is Severity.ERROR for p in problems)


def make_problem(field: str, code: str, **params: object) -> Problem:
    """Build the catalogued problem ``code`` for ``field``.

    ``params`` fill the message templates (counts and limits only, never the value itself);
    ``{label}`` is the field's name in each language.
    """
    severity, text_id, text_en = CATALOGUE[code]
    text_id, text_en = OVERRIDES.get((code, field), (text_id, text_en))
    label_id, label_en = FIELD_LABELS.get(field) or PART_LABELS.get(field, (field, field))
    return Problem(
        field=field,
        code=code,
        severity=Severity(severity),
        message_id=text_id.format(label=label_id, **params),
        message_en=text_en.format(label=label_en, **params),
    )
