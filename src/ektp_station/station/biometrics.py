"""Biometric parts at the station: checked like the biodata, stored encrypted before the entry
names them (docs/biometrics.md).

:func:`prepare_parts` is the one place where captured images and reasons for parts left out
are checked (``domain.biometrics``) and the images written to the attachment store; capture
and import both go through it, then save the entry and its part rows in one transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from ..domain.biometrics import (
    PART_SPECS,
    check_exception,
    check_part,
    missing_parts,
)
from ..domain.problems import Problem, make_problem
from ..store.attachments import AttachmentStore
from ..store.parts import PartRow

__all__ = ["PreparedParts", "check_parts", "prepare_parts"]


@dataclass(frozen=True)
class PreparedParts:
    rows: list[PartRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def missing(self) -> list[str]:
        """Parts neither captured nor excepted: the entry is incomplete (may be finished
        later)."""
        captured = [r.part for r in self.rows if r.captured]
        excepted = [r.part for r in self.rows if not r.captured]
        return missing_parts(captured, excepted) if self.rows else []


def check_parts(
    images: Mapping[str, bytes], exceptions: Mapping[str, object]
) -> tuple[list[Problem], dict[str, tuple[str, str]]]:
    """Every problem of ``images`` and ``exceptions``, and the reasons that were accepted."""
    problems: list[Problem] = []
    reasons: dict[str, tuple[str, str]] = {}
    for part, data in images.items():
        problems += check_part(part, data)
        if part in exceptions:
            problems.append(make_problem(part, "part_twice"))
    for part, reason in exceptions.items():
        checked = check_exception(part, reason)
        if isinstance(checked, Problem):
            problems.append(checked)
        else:
            reasons[part] = checked
    return problems, reasons


def prepare_parts(
    store: AttachmentStore, images: Mapping[str, bytes], exceptions: Mapping[str, object]
) -> PreparedParts:
    """Check every part; when none has a problem, write the images (durable) and return the
    rows to save with the entry. With a problem nothing is written."""
    problems, reasons = check_parts(images, exceptions)
    if problems:
        return PreparedParts(problems=problems)
    rows: list[PartRow] = []
    for part, data in images.items():
        stored = store.put(data)
        media_type = PART_SPECS[part].media_type
        rows.append(PartRow(part, stored.sha256, stored.size, media_type))
    for part, (reason, note) in reasons.items():
        rows.append(PartRow(part, reason=reason, note=note))
    return PreparedParts(rows=sorted(rows, key=lambda r: r.part))
