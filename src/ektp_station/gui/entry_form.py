"""The entry form ("Perekaman"): one resident's biodata, typed fast and by keyboard only.

Fields follow the order of the biodata form. Validation (pure ``domain.validate``) runs as the
operator types and each problem shows under its field when it helps: a field's problems once it
has had content (format problems as you type, "required" when it was filled and emptied), every
field's after a save attempt, none on a fresh form. Errors block saving, warnings ask for
confirmation. Saving biodata is one short local transaction (``Queue.enqueue``) on the GUI
thread; with images (encrypted and flushed, fourteen files) it runs on the window's task runner
while the form says "Menyimpan…" and takes no second save (``gui.saving``).

The NIK drives the form: birth date, sex and (within the station's city) kecamatan are filled
from it whenever it changes, unless the operator changed them by hand. F4 fills the family's
fields (KK, address, RT/RW, kecamatan, kelurahan) from the entry saved last: the next member of
the same family. Citizenship starts as WNI. Tab skips a field that holds what the form filled
in itself (from the NIK, by F4, a default); Shift+Tab reaches every field.
"""

from __future__ import annotations

import itertools
import logging
import re
from collections.abc import Callable, Mapping

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..domain import FIELDS, Problem, has_errors, parse_nik, value_list, vocabulary
from ..errors import AlreadyRecordedError, DuplicateNikError, EktpError
from ..station import Captured, Station
from ..store import Entry
from .fields import ProblemLabel, UpperLineEdit, ValueCombo, mark_problem
from .i18n import QT_TRANSLATE_NOOP, current_language
from .saving import BackgroundSave
from .tasks import TaskRunner

__all__ = ["FAMILY_FIELDS", "FORM_FIELDS", "EntryForm", "field_label"]

log = logging.getLogger(__name__)

#: The fields in the order of the biodata form; "kecamatan" only narrows the kelurahan list.
#: Their labels come from the one vocabulary (``domain.vocabulary``), see :func:`field_label`.
_KELURAHAN = FIELDS.index("kelurahan_code")
FORM_FIELDS: tuple[str, ...] = (*FIELDS[:_KELURAHAN], "kecamatan", *FIELDS[_KELURAHAN:])
_UPPER = frozenset({"full_name", "birth_place", "address"})
_LISTS = ("sex", "blood_type", "religion", "marital_status", "occupation", "citizenship")
_PLACEHOLDERS = {
    "nik": QT_TRANSLATE_NOOP("EntryForm", "16 angka"),
    "kk_number": QT_TRANSLATE_NOOP("EntryForm", "16 angka"),
    "birth_date": QT_TRANSLATE_NOOP("EntryForm", "HH-BB-TTTT"),
    "rt": QT_TRANSLATE_NOOP("EntryForm", "3 angka"),
    "rw": QT_TRANSLATE_NOOP("EntryForm", "3 angka"),
    "phone": QT_TRANSLATE_NOOP("EntryForm", "boleh kosong"),
}
_MAX_LENGTH = {"nik": 24, "kk_number": 24, "rt": 6, "rw": 6, "phone": 20}

SAVE_HINT = QT_TRANSLATE_NOOP(
    "EntryForm",
    "Tab: kolom berikutnya · Shift+Tab: sebelumnya · Enter atau Ctrl+S: simpan · "
    "F4: anggota keluarga berikutnya",
)
#: The form's sections, in two columns that fit a 1366×768 counter screen without scrolling.
_COLUMNS: tuple[tuple[tuple[str, tuple[str, ...]], ...], ...] = (
    (
        (QT_TRANSLATE_NOOP("EntryForm", "Identitas"), ("nik", "kk_number", "full_name")),
        (QT_TRANSLATE_NOOP("EntryForm", "Kelahiran"), ("birth_place", "birth_date", "sex")),
    ),
    (
        (
            QT_TRANSLATE_NOOP("EntryForm", "Data lain"),
            ("blood_type", "religion", "marital_status", "occupation", "citizenship"),
        ),
    ),
    (
        (
            QT_TRANSLATE_NOOP("EntryForm", "Alamat dan keluarga"),
            ("address", "rt", "rw", "kecamatan", "kelurahan_code", "phone"),
        ),
    ),
)
_COLUMN_STRETCH = (5, 3, 5)  # the lists in the middle are short; names and addresses long
#: Widths (in digits' widths) of the fields whose values are short; the others take the column.
_WIDTH_CHARS = {
    "nik": 19,
    "kk_number": 19,
    "birth_date": 12,
    "sex": 13,
    "blood_type": 10,
    "citizenship": 8,
    "rt": 8,
    "rw": 8,
    "phone": 15,
}
#: Kept from the entry saved last for the next member of the same family (F4).
FAMILY_FIELDS = ("kk_number", "address", "rt", "rw", "kecamatan", "kelurahan_code")
#: The NIK's cross-checks, shown at the field they are about.
_SHOWN_AT = {"nik_birthdate_mismatch": "birth_date", "nik_sex_mismatch": "sex"}
DEFAULT_CITIZENSHIP = "WNI"


def field_label(field: str) -> str:
    """A form field's label in the station's language ("" for an unknown field)."""
    return vocabulary.field_label(field, current_language())


class _StepCancelled(Exception):
    """The operator left the biometric step: back to the form, nothing saved."""


class EntryForm(QWidget):
    """The registration form. ``saved`` is emitted with the new :class:`Entry`. Problems show
    in ``lang`` ("id" or "en"; by default the language of the installed translation)."""

    saved = Signal(object)
    #: The core refused to save (an EktpError: the queue file gone, a full disk, …).
    refused = Signal(object)

    def __init__(
        self, station: Station, *, lang: str | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.station = station
        self.city_code = station.city_code
        self.regions = station.regions
        self.today = station.today
        self.lang = lang or current_language()
        #: Asked with the warnings before saving; True = save anyway. Tests replace it.
        self.confirm_warnings: Callable[[list[Problem]], bool] = self._ask_confirmation
        self.inputs: dict[str, QLineEdit | ValueCombo] = {}
        self.problem_labels: dict[str, ProblemLabel] = {}
        self._filled: set[str] = set()  # fields that had content since the form was reset
        self._show_all = False  # a save was attempted: every field's problems
        #: the biometric step (``gui.recording.attach_biometrics``): the parts of a
        #: resident about to be saved, or None when the operator went back to the form
        self.collect_parts: (
            Callable[[Mapping[str, object]], tuple[dict[str, bytes], dict[str, str]] | None] | None
        ) = None
        self.last_missing: list[str] = []  # parts the last save left without image or reason
        #: where a save with images runs (``gui.recording.attach_biometrics`` sets the
        #: window's); None: on the GUI thread
        self.tasks: TaskRunner | None = None
        self.saving: BackgroundSave | None = None  # the save on its way
        self._clearing = False
        self._kelurahan_parent: str | None = None
        self._auto: dict[str, str] = {}  # what the form filled in itself, per field (Tab skips)
        self._from_nik: dict[str, str] = {}  # what the NIK filled in (refilled when it changes)
        self._family: dict[str, str] = {}  # of the entry saved last (F4)
        self._build()
        self._fill_lists()
        self._defaults()
        self.revalidate()

    # -- building ----------------------------------------------------------------------------

    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setSpacing(6)
        hint = QLabel(QCoreApplication.translate("EntryForm", SAVE_HINT))
        hint.setObjectName("shortcut_hint")
        outer.addWidget(hint)
        columns = QHBoxLayout()
        columns.setSpacing(12)
        outer.addLayout(columns)
        for fields_of_column, stretch in zip(_COLUMNS, _COLUMN_STRETCH, strict=True):
            column = QVBoxLayout()
            column.setSpacing(8)
            for title, fields in fields_of_column:
                column.addWidget(self._section(title, fields))
            column.addStretch(1)
            columns.addLayout(column, stretch)
        self.general_problems = ProblemLabel("")
        outer.addWidget(self.general_problems)
        bottom = QHBoxLayout()  # always in view: the save and what became of it
        self.save_button = QPushButton(self.tr("Simpan (Enter / Ctrl+S)"))
        self.save_button.setObjectName("save_button")
        self.save_button.clicked.connect(self.save)
        bottom.addWidget(self.save_button)
        self.result_label = QLabel()
        self.result_label.setObjectName("result_label")
        bottom.addWidget(self.result_label, 1)
        outer.addLayout(bottom)
        outer.addStretch(1)
        order = [*(self.inputs[f] for f in FORM_FIELDS), self.save_button]
        for first, second in itertools.pairwise(order):
            QWidget.setTabOrder(first, second)
        self.inputs = {field: self.inputs[field] for field in FORM_FIELDS}  # in form order
        shortcut = QShortcut(QKeySequence("Ctrl+S"), self)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(self.save)
        family = QShortcut(QKeySequence("F4"), self)
        family.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        family.activated.connect(self.fill_family)
        nik = self.inputs["nik"]
        assert isinstance(nik, QLineEdit)
        nik.textChanged.connect(self._nik_changed)
        kecamatan = self.inputs["kecamatan"]
        assert isinstance(kecamatan, ValueCombo)
        kecamatan.editTextChanged.connect(self._kecamatan_changed)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._focus_changed)

    def _section(self, title: str, fields: tuple[str, ...]) -> QGroupBox:
        """One section of the form: each field with its label, sized to its values, and a
        place of its own for its message (kept while empty, so nothing moves)."""
        box = QGroupBox(QCoreApplication.translate("EntryForm", title))
        box.setObjectName(f"section_{fields[0]}")
        grid = QGridLayout(box)
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(0)
        grid.setColumnStretch(1, 1)
        row = 0
        for field in fields:
            widget = self._make_input(field)
            widget.setObjectName(f"input_{field}")
            self.inputs[field] = widget
            chars = _WIDTH_CHARS.get(field)
            caption = QLabel(field_label(field))
            caption.setBuddy(widget)
            grid.addWidget(caption, row, 0, Qt.AlignmentFlag.AlignVCenter)
            if chars is not None:  # as wide as its values, no wider
                widget.setFixedWidth(widget.fontMetrics().horizontalAdvance("0" * chars) + 30)
                grid.addWidget(widget, row, 1, Qt.AlignmentFlag.AlignLeft)
            else:
                grid.addWidget(widget, row, 1)
            row += 1
            if field == "nik":
                self.nik_origin = QLabel()
                self.nik_origin.setObjectName("nik_origin")
                self.nik_origin.setWordWrap(True)
                grid.addWidget(self.nik_origin, row, 1)
                row += 1
            problem = ProblemLabel(field)
            self.problem_labels[field] = problem
            grid.addWidget(problem, row, 0, 1, 2)  # the whole width: most fit one line
            row += 1
        return box

    def _make_input(self, field: str) -> QLineEdit | ValueCombo:
        if field in _LISTS or field in ("kecamatan", "kelurahan_code"):
            combo = ValueCombo()
            combo.editTextChanged.connect(lambda _t, f=field: self._edited(f))
            return combo
        line = UpperLineEdit() if field in _UPPER else QLineEdit()
        if field in _PLACEHOLDERS:
            line.setPlaceholderText(QCoreApplication.translate("EntryForm", _PLACEHOLDERS[field]))
        if field in _MAX_LENGTH:
            line.setMaxLength(_MAX_LENGTH[field])
        line.textChanged.connect(lambda _t, f=field: self._edited(f))
        return line

    def _fill_lists(self) -> None:
        for field in _LISTS:
            self._combo(field).set_items((v, None) for v in value_list(field))
        kecamatan = self.regions.kecamatan_of(self.city_code) if self.city_code else ()
        self._combo("kecamatan").set_items((r.name, r.code) for r in kecamatan)
        self._combo("kelurahan_code").set_items(())

    def set_station(self) -> None:
        """The station's settings changed: a new city lists its kecamatan (and empties those
        two fields); new entries carry the new station id (the core writes it)."""
        city_code = self.station.city_code
        if city_code != self.city_code:
            self.city_code = city_code
            self._kelurahan_parent = None
            kecamatan = self.regions.kecamatan_of(city_code) if city_code else ()
            self._combo("kecamatan").set_items((r.name, r.code) for r in kecamatan)
            self._combo("kelurahan_code").set_items(())
            self.revalidate()

    def _combo(self, field: str) -> ValueCombo:
        widget = self.inputs[field]
        assert isinstance(widget, ValueCombo)
        return widget

    # -- reading the form --------------------------------------------------------------------

    def text_of(self, field: str) -> str:
        widget = self.inputs[field]
        return widget.text().strip() if isinstance(widget, QLineEdit) else widget.text()

    def record(self) -> dict[str, str | None]:
        """The form as a record (``validate`` and ``enqueue`` normalise it)."""
        data: dict[str, str | None] = {}
        for field in FORM_FIELDS:
            if field == "kecamatan":
                continue
            widget = self.inputs[field]
            data[field] = widget.value() if isinstance(widget, ValueCombo) else self.text_of(field)
        data["phone"] = data["phone"] or None
        return data

    def load_record(self, record: Mapping[str, object]) -> None:
        """Fill the form from a record (e.g. an entry to correct); the kecamatan follows from
        the kelurahan code."""
        values = {k: "" if v is None else str(v) for k, v in record.items()}
        born = values.get("birth_date", "")
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", born):  # stored ISO: shown as the form writes it
            values["birth_date"] = f"{born[8:10]}-{born[5:7]}-{born[:4]}"
        kelurahan = values.get("kelurahan_code", "")
        parent = self.regions.parent(kelurahan) if kelurahan else None
        values["kecamatan"] = parent.name if parent is not None else ""
        values["kelurahan_code"] = self.regions.name(kelurahan) or kelurahan
        for field in FORM_FIELDS:  # in form order: kecamatan before kelurahan
            widget = self.inputs[field]
            if isinstance(widget, ValueCombo):
                widget.set_text(values.get(field, ""))
            else:
                widget.setText(values.get(field, ""))

    def problems(self) -> list[Problem]:
        return self.station.assess(self.record()).problems

    # -- reacting to typing ------------------------------------------------------------------

    def _edited(self, field: str) -> None:
        if self._clearing:
            return
        if self.text_of(field):
            self._filled.add(field)  # its problems show from now on, "required" included
        self.result_label.clear()
        self.revalidate()

    def _focus_changed(self, old: QWidget | None, _new: QWidget | None) -> None:
        """Leaving a list shows the full listed value a partial entry stands for. Leaving an
        empty field says nothing: "required" waits for a save attempt."""
        if self._clearing or old is None or not self.isVisible():
            return  # a closed window's form: its labels may already be gone
        for widget in self.inputs.values():
            if widget is old or widget.isAncestorOf(old):
                if isinstance(widget, ValueCombo):
                    widget.resolve()
                return

    def revalidate(self) -> list[Problem]:
        """Validate the whole form and show each problem under its field."""
        problems = self.problems()
        by_field: dict[str, list[Problem]] = {}
        for problem in problems:
            field = _SHOWN_AT.get(problem.code, problem.field)
            field = field if field in self.problem_labels else ""
            by_field.setdefault(field, []).append(problem)
        for field, label in self.problem_labels.items():
            shown = self._show_all or field in self._filled
            if field in _SHOWN_AT.values():
                shown = shown or "nik" in self._filled  # the NIK's cross-check at this field
            label.show_problems(by_field.get(field, []) if shown else [], self.lang)
            mark_problem(self.inputs[field], label.severity)
        self.general_problems.show_problems(by_field.get("", []), self.lang)
        return problems

    def _fill_from_nik(self, field: str, value: str) -> None:
        """Put ``value`` in ``field`` unless the operator typed something else there."""
        current = self.text_of(field)
        if current and current != self._from_nik.get(field):
            return  # typed by hand (or filled by F4): not the NIK's to change
        widget = self.inputs[field]
        if isinstance(widget, ValueCombo):
            widget.set_text(value)
        else:
            widget.setText(value)
        self._from_nik[field] = self._auto[field] = self.text_of(field)

    def _nik_changed(self, text: str) -> None:
        info = parse_nik(text)
        if info is None:
            self.nik_origin.clear()
            for field, value in list(self._from_nik.items()):  # the NIK being corrected
                if value and self.text_of(field) == value:
                    self._fill_from_nik(field, "")
            return
        born = info.birth_date(today=self.today())
        if born is not None:
            self._fill_from_nik("birth_date", born.strftime("%d-%m-%Y"))
        self._fill_from_nik("sex", info.sex)
        parent = self.regions.parent(info.kecamatan_code)
        if self.city_code and parent is not None and parent.code == self.city_code:
            name = self.regions.name(info.kecamatan_code)
            if name:
                self._fill_from_nik("kecamatan", name)
        names = [r.name for r in reversed(self.regions.path(info.kecamatan_code))]
        if names and self.regions.is_kecamatan(info.kecamatan_code):
            self.nik_origin.setText(
                self.tr("NIK diterbitkan di Kec. {place}").format(place=", ".join(names))
            )
        else:
            self.nik_origin.setText(self.tr("Wilayah penerbitan NIK tidak dikenal."))

    def _kecamatan_changed(self, _text: str) -> None:
        code = self._combo("kecamatan").value() or None
        if code == self._kelurahan_parent:
            return
        self._kelurahan_parent = code
        known = code is not None and self.regions.is_kecamatan(code)
        kelurahan = self.regions.kelurahan_of(code) if code and known else ()
        self._combo("kelurahan_code").set_items((r.name, r.code) for r in kelurahan)
        self.revalidate()

    # -- saving ------------------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.save()
            event.accept()
            return
        super().keyPressEvent(event)

    def save(self) -> Entry | None:
        """Save the resident if the form has no errors (and the operator accepts any warning).
        With images and a task runner the save runs off the GUI thread (``gui.saving``):
        None here, ``saved`` once it is done."""
        if self.saving is not None:
            return None  # the one on its way first: never saved twice
        for field in (*_LISTS, "kecamatan", "kelurahan_code"):
            self._combo(field).resolve()  # show what will be saved
        self._show_all = True
        problems = self.revalidate()
        if has_errors(problems):
            self._result(self.tr("Belum tersimpan: perbaiki isian yang bertanda merah."))
            self._focus_first_error(problems)
            return None
        warnings = [p for p in problems if not p.is_error]
        if warnings and not self.confirm_warnings(warnings):
            self._result(self.tr("Belum tersimpan: periksa peringatan berwarna jingga."))
            return None
        try:
            entry = self._store(self.record())
        except (_StepCancelled, EktpError) as exc:
            self.not_saved(exc)
            return None
        return None if entry is None else self.done_saving(entry)

    def not_saved(self, exc: Exception) -> None:
        """The save did not happen: say why in the form's place (the step left, the NIK
        recorded already, the core's refusal)."""
        if isinstance(exc, _StepCancelled):
            self._result(self.tr("Belum tersimpan: perekaman biometrik belum selesai."))
        elif isinstance(exc, DuplicateNikError | AlreadyRecordedError):
            self.problem_labels["nik"].show_message(exc.message(self.lang), "error")
            mark_problem(self.inputs["nik"], "error")
            self._result(self.tr("Belum tersimpan."))
            self.inputs["nik"].setFocus()
        elif isinstance(exc, EktpError):
            log.warning("entry not saved: %s", exc.__class__.__name__)
            self._result(self.tr("Belum tersimpan: {reason}").format(reason=exc.message(self.lang)))
            self.refused.emit(exc)

    def done_saving(self, entry: Entry) -> Entry:
        self._stored(entry)
        self.saved.emit(entry)
        return entry

    def _store(self, record: dict[str, str | None]) -> Entry | None:
        """Save the checked record through the core (a new entry here; a correction in a
        subclass); the operator has confirmed any warning. None: saving in the background."""
        images: dict[str, bytes] = {}
        exceptions: dict[str, str] = {}
        if self.collect_parts is not None:
            chosen = self.collect_parts(record)  # the biometric step (gui.biometrics)
            if chosen is None:
                raise _StepCancelled
            images, exceptions = chosen

        def capture() -> Captured:
            return self.station.capture(
                record, confirmed=True, images=images, exceptions=exceptions
            )

        if images and self.tasks is not None:  # encrypted, flushed images: not on the GUI thread
            self.saving = BackgroundSave(self, self.tasks, capture)
            return None
        return self.captured(capture())

    def captured(self, captured: Captured) -> Entry:
        self.last_missing = captured.missing_parts
        return captured.entry

    def _stored(self, entry: Entry) -> None:
        """After a save: keep the family's fields (F4), clear the form for the next resident."""
        self._family = {field: self.text_of(field) for field in FAMILY_FIELDS}
        self.clear_form()
        text = self.tr("Tersimpan: No. {seq}").format(seq=entry.seq)
        if self.last_missing:
            text += " · " + self.tr("biometrik belum lengkap ({n} bagian)").format(
                n=len(self.last_missing)
            )
        self._result(text, saved=True)

    def _result(self, text: str, *, saved: bool = False) -> None:
        """What became of the save, in its own place: green when saved, red when not."""
        self.result_label.setText(text)
        self.result_label.setToolTip("")  # the receipt's place, once it is written
        mark_problem(self.result_label, "" if saved else "error")

    def _focus_first_error(self, problems: list[Problem]) -> None:
        for problem in problems:
            if problem.is_error and problem.field in self.inputs:
                self.inputs[problem.field].setFocus()
                return

    def clear_form(self) -> None:
        """Empty every field for the next resident; focus back to NIK."""
        self._clearing = True
        try:
            for widget in self.inputs.values():
                if isinstance(widget, ValueCombo):
                    widget.clear_text()
                else:
                    widget.clear()
            self.nik_origin.clear()
            self._filled.clear()
            self._auto.clear()
            self._from_nik.clear()
            self._show_all = False
            self._defaults()
        finally:
            self._clearing = False
        self.revalidate()
        self.inputs["nik"].setFocus()

    def _defaults(self) -> None:
        """What a fresh form starts with: citizenship WNI (not marked as typed)."""
        clearing, self._clearing = self._clearing, True
        try:
            self._combo("citizenship").set_text(DEFAULT_CITIZENSHIP)
            self._auto["citizenship"] = self.text_of("citizenship")
        finally:
            self._clearing = clearing

    def _field_of(self, widget: QWidget | None) -> str | None:
        for field, candidate in self.inputs.items():
            if widget is not None and (candidate is widget or candidate.isAncestorOf(widget)):
                return field
        return None

    def _filled_by_form(self, field: str) -> bool:
        text = self.text_of(field)
        return bool(text) and text == self._auto.get(field)

    def focusNextPrevChild(self, next: bool) -> bool:
        """Tab skips the fields the form filled itself (:meth:`_filled_by_form`); Shift+Tab
        goes back through every field, so each stays within reach of the keyboard."""
        current = self._field_of(QApplication.focusWidget())
        if not next or current is None:
            return super().focusNextPrevChild(next)
        fields = list(self.inputs)
        for field in fields[fields.index(current) + 1 :]:
            if not self._filled_by_form(field):
                self.inputs[field].setFocus(Qt.FocusReason.TabFocusReason)
                return True
        self.save_button.setFocus(Qt.FocusReason.TabFocusReason)
        return True

    def fill_family(self) -> bool:
        """F4: the family's fields of the entry saved last, for the next member of the same
        family; the NIK next. False when nothing was saved yet."""
        if not self._family:
            return False
        for field in FAMILY_FIELDS:  # kecamatan before kelurahan: it fills the kelurahan list
            widget = self.inputs[field]
            if isinstance(widget, ValueCombo):
                widget.set_text(self._family[field])
            else:
                widget.setText(self._family[field])
            self._auto[field] = self.text_of(field)  # filled by the form: Tab skips it
        self.inputs["nik"].setFocus()
        return True

    def _ask_confirmation(self, warnings: list[Problem]) -> bool:
        text = "\n".join(f"• {p.message(self.lang)}" for p in warnings)
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            self.tr("Periksa peringatan"),
            text + "\n\n" + self.tr("Simpan data ini tetap?"),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            self,
        )
        box.button(QMessageBox.StandardButton.Yes).setText(self.tr("Ya, simpan"))
        box.button(QMessageBox.StandardButton.No).setText(self.tr("Periksa lagi"))
        box.setDefaultButton(QMessageBox.StandardButton.No)
        return box.exec() == QMessageBox.StandardButton.Yes


assert tuple(f for column in _COLUMNS for _t, fields in column for f in fields) == FORM_FIELDS
