"""The form's value lists complete predictably: what starts with the typed text first, in the
list's order, then what contains it; Tab on the popup takes the highlighted item or the first."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from ektp_station.gui.entry_form import EntryForm
from ektp_station.gui.fields import ValueCombo
from ektp_station.station import Station


@pytest.fixture
def form(qtbot: QtBot, station: Station) -> EntryForm:
    widget = EntryForm(station)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    widget.activateWindow()
    qtbot.waitUntil(widget.isActiveWindow)
    return widget


def combo_of(form: EntryForm, field: str) -> ValueCombo:
    widget = form.inputs[field]
    assert isinstance(widget, ValueCombo)
    return widget


def test_prefix_matches_come_first(form: EntryForm) -> None:
    kecamatan = combo_of(form, "kecamatan")
    kecamatan.set_text("Cimanggis")
    kelurahan = combo_of(form, "kelurahan_code")
    found = kelurahan.matches("t")
    starts = [m for m in found if m.casefold().startswith("t")]
    assert starts and found[: len(starts)] == starts  # Tugu before Harjamukti
    assert "Harjamukti" in found[len(starts) :]
    assert kelurahan.matches("") == [kelurahan.itemText(i) for i in range(kelurahan.count())]


def test_tab_on_the_popup_takes_the_first_match(qtbot: QtBot, form: EntryForm) -> None:
    citizenship = combo_of(form, "citizenship")
    citizenship.setFocus()
    citizenship.setEditText("")
    line = citizenship.lineEdit()
    assert line is not None
    qtbot.keyClicks(line, "w")
    popup = citizenship.matcher.popup()
    assert popup is not None
    qtbot.waitUntil(popup.isVisible)
    qtbot.keyClick(popup, Qt.Key.Key_Tab)  # a real popup gets the keys while it is open
    assert citizenship.text() == "WNI" and citizenship.value() == "WNI"
    assert not popup.isVisible()


def test_the_full_value_shows_as_it_is_typed(qtbot: QtBot, form: EntryForm) -> None:
    kecamatan = combo_of(form, "kecamatan")
    kecamatan.setFocus()
    kecamatan.clear_text()
    line = kecamatan.lineEdit()
    assert line is not None
    qtbot.keyClicks(line, "cim")
    assert line.text() == "Cimanggis" and line.selectedText() == "anggis"  # the list's spelling
    qtbot.keyClick(line, Qt.Key.Key_Backspace)  # the completion goes, what was typed stays
    assert line.text() == "Cim" and not line.hasSelectedText()
    qtbot.keyClick(line, Qt.Key.Key_Backspace)
    assert line.text() == "Ci"  # a deletion is never completed again
    qtbot.keyClicks(line, "ne")
    assert line.text() == "Cinere" and line.selectedText() == "re"
    qtbot.keyClicks(line, "re")
    assert line.text() == "Cinere" and not line.hasSelectedText()  # typed to its end
    kelurahan = combo_of(form, "kelurahan_code")
    kelurahan.setFocus()
    kelurahan.clear_text()
    kelurahan_line = kelurahan.lineEdit()
    assert kelurahan_line is not None
    qtbot.keyClicks(kelurahan_line, "mukti")  # inside a name only: nothing completed in place
    assert kelurahan_line.text() == "mukti"
    blood = combo_of(form, "blood_type")
    blood.setFocus()
    blood.clear_text()
    blood_line = blood.lineEdit()
    assert blood_line is not None
    qtbot.keyClicks(blood_line, "o")
    assert blood_line.text() == "O"  # a value of its own, though "O+" starts with it
