"""Correcting a waiting, rejected or (for a supervisor) conflict entry ("Perbaiki"): the entry
form in edit mode, in a dialog.

Saving makes the form the entry's next revision through the core (``Station.correct``), which
puts it (back) in line to be sent; the centre keeps the latest revision. The centre's field
errors of a rejected entry show under their fields until the operator changes that field.
"""

from __future__ import annotations

import logging

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QDialog, QLabel, QScrollArea, QVBoxLayout, QWidget

from ..domain import Problem
from ..station import Station
from ..store import Entry
from .entry_form import FORM_FIELDS, EntryForm
from .queue_model import state_label

__all__ = ["CorrectionDialog", "CorrectionForm"]

log = logging.getLogger(__name__)


class CorrectionForm(EntryForm):
    """The entry form bound to one existing entry: saving edits it instead of adding one."""

    def __init__(
        self,
        station: Station,
        entry: Entry,
        *,
        lang: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(station, lang=lang, parent=parent)
        self.entry = entry
        self.changed_fields: list[str] = []
        self.load_record(entry.record)
        self._loaded = {field: self.text_of(field) for field in self.inputs}
        self.centre_errors: dict[str, list[str]] = {}
        for error in entry.errors:
            field = str(error.get("field") or "")
            key = field if field in self.problem_labels else ""
            self.centre_errors.setdefault(key, []).append(str(error.get("message") or ""))
        self.save_button.setText(self.tr("Simpan perbaikan (Enter / Ctrl+S)"))
        self.revalidate()

    def revalidate(self) -> list[Problem]:
        problems = super().revalidate()
        for field, messages in getattr(self, "centre_errors", {}).items():
            label = self.problem_labels.get(field, self.general_problems)
            if field and self.text_of(field) != self._loaded.get(field):
                continue  # the operator changed it: the centre's verdict no longer applies
            text = "\n".join(self.tr("Pusat: {message}").format(message=m) for m in messages)
            if label.text():
                text = f"{label.text()}\n{text}"
            label.show_message(text, "error")
        return problems

    def _store(self, record: dict[str, str | None]) -> Entry:
        """The next revision of the entry, back in line to be sent (no change: none)."""
        done = self.station.correct(self.entry.seq, record, confirmed=True)
        self.changed_fields = done.fields
        return done.entry

    def _stored(self, entry: Entry) -> None:
        self.entry = entry


class CorrectionDialog(QDialog):
    """Accepted once the correction is saved; ``form.saved`` carries the updated entry."""

    def __init__(self, form: CorrectionForm, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.form = form
        entry = form.entry
        self.setWindowTitle(self.tr("Perbaiki entri No. {seq}").format(seq=entry.seq))
        layout = QVBoxLayout(self)
        text = self.tr(
            "Entri No. {seq} ({state}, revisi {revision}): perbaikan disimpan sebagai revisi "
            "baru dan dikirim ke pusat. Esc: batal."
        )
        header = QLabel(
            text.format(seq=entry.seq, state=state_label(entry.state), revision=entry.revision)
        )
        header.setObjectName("correction_header")
        header.setWordWrap(True)
        layout.addWidget(header)
        scroll = QScrollArea()
        scroll.setWidget(form)
        scroll.setWidgetResizable(True)
        layout.addWidget(scroll)
        form.saved.connect(lambda _entry: self.accept())
        self.resize(720, 640)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        flagged = [f for f in FORM_FIELDS if f in self.form.centre_errors]
        self.form.inputs[flagged[0] if flagged else "nik"].setFocus()
