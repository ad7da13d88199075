"""The entry form, driven by keyboard only, over the station core: validation as the core
assesses, saving through its capture use case."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from ektp_station.domain import Problem, normalise
from ektp_station.gui.entry_form import EntryForm
from ektp_station.settings import Settings
from ektp_station.station import Station
from ektp_station.store import Outcome, Queue, State

from factories import make_nik, make_record

STATION = "ST-UJI-01"  # the shared station's id (tests/gui/conftest.py)


@pytest.fixture
def form(qtbot: QtBot, station: Station) -> Iterator[EntryForm]:
    widget = EntryForm(station)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    widget.activateWindow()
    widget.inputs["nik"].setFocus()
    qtbot.waitUntil(lambda: widget.inputs["nik"].hasFocus())
    yield widget


def focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None
    return widget


def type_and_tab(qtbot: QtBot, text: str) -> None:
    if text:
        qtbot.keyClicks(focused(), text)
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)


def test_keyboard_only_from_nik_to_save(qtbot: QtBot, form: EntryForm, queue: Queue) -> None:
    expected = make_record(7)
    for text in (
        expected["nik"],
        "3276021203150007",
        "budi santoso",  # forced to capitals
        "depok",
        # birth date and sex: filled from the NIK, skipped by Tab
        "o",
        "islam",
        "kawin",
        "karyawan swasta",
        # citizenship: WNI by default, skipped
        "jl. merdeka no. 10",
        "3",
        "7",
        # kecamatan: Cimanggis from the NIK, skipped
        "harja",  # kelurahan of that kecamatan, type-to-search
        "",  # phone: optional
    ):
        type_and_tab(qtbot, text)
    assert focused() is form.save_button
    qtbot.keyClick(focused(), Qt.Key.Key_Return)

    entries = queue.list_entries()
    assert len(entries) == 1
    entry = entries[0]
    assert entry.record == expected
    assert entry.state is State.PENDING
    assert entry.operator == "SITI"
    assert entry.station_id == STATION
    assert form.result_label.text() == f"Tersimpan: No. {entry.seq}"
    assert {f: form.text_of(f) for f in form.inputs if form.text_of(f)} == {"citizenship": "WNI"}
    assert form.inputs["nik"].hasFocus()
    assert not any(label.isVisible() for label in form.problem_labels.values())


def test_bad_nik_shows_an_error_while_typing_and_blocks_saving(
    qtbot: QtBot, form: EntryForm, queue: Queue
) -> None:
    label = form.problem_labels["nik"]
    qtbot.keyClicks(focused(), "32760217")
    assert label.isVisible()
    assert label.severity == "error"
    assert "16" in label.text()
    form.load_record(make_record(3, nik="3276021713900003"))  # month 13
    assert label.isVisible() and label.severity == "error"
    form.inputs["nik"].setFocus()
    qtbot.keyClick(focused(), Qt.Key.Key_Return)
    assert queue.count() == 0
    assert form.result_label.text().startswith("Belum tersimpan")
    assert form.inputs["nik"].hasFocus()


def test_names_are_capitals_as_typed(qtbot: QtBot, form: EntryForm) -> None:
    form.inputs["full_name"].setFocus()
    qtbot.keyClicks(focused(), "siti aminah")
    assert form.text_of("full_name") == "SITI AMINAH"


def test_complete_nik_prefills_birth_date_sex_and_origin(qtbot: QtBot, form: EntryForm) -> None:
    qtbot.keyClicks(focused(), make_nik(date(1988, 2, 9), "PEREMPUAN", 12))
    assert form.text_of("birth_date") == "09-02-1988"
    assert form.text_of("sex") == "PEREMPUAN"
    assert "Cimanggis" in form.nik_origin.text()
    assert "Kota Depok" in form.nik_origin.text()


def test_nik_prefill_keeps_what_the_operator_typed(qtbot: QtBot, form: EntryForm) -> None:
    birth_date = form.inputs["birth_date"]
    assert isinstance(birth_date, QLineEdit)
    birth_date.setText("01-01-1970")
    form.inputs["nik"].setFocus()
    qtbot.keyClicks(focused(), make_nik(date(1988, 2, 9), "PEREMPUAN", 12))
    assert form.text_of("birth_date") == "01-01-1970"
    label = form.problem_labels["birth_date"]  # the cross-check, at the birth date
    assert label.isVisible() and label.severity == "warning"
    assert "Tanggal lahir" in label.text()
    assert not form.problem_labels["nik"].isVisible()


def test_warnings_ask_for_confirmation(qtbot: QtBot, form: EntryForm, queue: Queue) -> None:
    asked: list[list[Problem]] = []
    answer = False

    def confirm(warnings: list[Problem]) -> bool:
        asked.append(warnings)
        return answer

    form.confirm_warnings = confirm
    form.load_record(make_record(5, birth_date="1990-05-18"))  # NIK says the 17th
    qtbot.keyClick(form.inputs["phone"], Qt.Key.Key_Return)
    assert [p.code for p in asked[0]] == ["nik_birthdate_mismatch"]
    assert queue.count() == 0
    assert form.text_of("full_name") == "BUDI SANTOSO"  # kept for checking

    answer = True
    qtbot.keyClick(form.inputs["phone"], Qt.Key.Key_Return)
    assert len(asked) == 2
    assert queue.count() == 1
    assert queue.list_entries()[0].record["birth_date"] == "1990-05-18"


def test_duplicate_nik_is_shown_next_to_the_nik(
    qtbot: QtBot, form: EntryForm, queue: Queue
) -> None:
    first = queue.enqueue(make_record(9), operator="ANI", station_id=STATION)
    form.load_record(make_record(9, full_name="ORANG LAIN"))
    with qtbot.assertNotEmitted(form.saved):
        qtbot.keyClick(form.inputs["phone"], Qt.Key.Key_Return)
    label = form.problem_labels["nik"]
    assert label.isVisible() and label.severity == "error"
    assert f"#{first.seq}" in label.text()
    assert queue.count() == 1
    assert form.inputs["nik"].hasFocus()


def test_ctrl_s_saves_and_emits_the_entry(qtbot: QtBot, form: EntryForm, queue: Queue) -> None:
    form.load_record(make_record(11))
    with qtbot.waitSignal(form.saved) as saved:
        qtbot.keyClick(form.inputs["rt"], Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert saved.args is not None
    assert saved.args[0].seq == queue.list_entries()[0].seq


def test_load_record_round_trips(form: EntryForm) -> None:
    record = make_record(4, sex="PEREMPUAN", phone="081234567890")
    form.load_record(record)
    assert form.text_of("kecamatan") == "Cimanggis"
    assert normalise(form.record()) == record  # the date as typed: 17-05-1990
    assert form.problems() == []


def test_enter_in_a_value_list_saves(qtbot: QtBot, form: EntryForm, queue: Queue) -> None:
    form.load_record(make_record(13))
    combo = form.inputs["kelurahan_code"]
    combo.setFocus()
    qtbot.keyClick(combo, Qt.Key.Key_Return)
    assert queue.count() == 1


def visible_problems(form: EntryForm) -> list[str]:
    return [field for field, label in form.problem_labels.items() if label.isVisible()]


def test_required_waits_for_a_save_attempt_or_a_field_emptied(
    qtbot: QtBot, form: EntryForm
) -> None:
    assert visible_problems(form) == []
    for _ in range(5):  # leaving empty fields says nothing
        qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    assert visible_problems(form) == []
    form.inputs["full_name"].setFocus()
    qtbot.keyClicks(focused(), "ab")
    qtbot.keyClick(focused(), Qt.Key.Key_Backspace)
    qtbot.keyClick(focused(), Qt.Key.Key_Backspace)  # filled, then emptied: required
    assert visible_problems(form) == ["full_name"]
    form.save()  # a save attempt: every required field says so
    assert {"nik", "kk_number", "full_name", "address"} <= set(visible_problems(form))
    assert not form.problem_labels["citizenship"].isVisible()  # WNI by default
    form.clear_form()
    assert visible_problems(form) == []


def test_a_fresh_form_after_a_save_shows_no_problem(
    qtbot: QtBot, form: EntryForm, queue: Queue
) -> None:
    form.load_record(make_record(21))
    form.inputs["address"].setFocus()
    qtbot.keyClick(focused(), Qt.Key.Key_Return)  # saved from the address field
    assert queue.count() == 1
    assert form.inputs["nik"].hasFocus()
    assert visible_problems(form) == []
    assert form.text_of("citizenship") == "WNI"


def test_the_nik_refills_what_it_filled_but_not_what_was_typed(
    qtbot: QtBot, form: EntryForm
) -> None:
    nik = form.inputs["nik"]
    assert isinstance(nik, QLineEdit)
    nik.setText(make_nik(date(1988, 2, 9), "PEREMPUAN", 12))
    assert (form.text_of("birth_date"), form.text_of("sex")) == ("09-02-1988", "PEREMPUAN")
    assert form.text_of("kecamatan") == "Cimanggis"  # in the station's city
    nik.setText(make_nik(date(1975, 11, 30), "LAKI-LAKI", 3))  # corrected: all follow
    assert (form.text_of("birth_date"), form.text_of("sex")) == ("30-11-1975", "LAKI-LAKI")
    birth_date = form.inputs["birth_date"]
    assert isinstance(birth_date, QLineEdit)
    birth_date.setText("01-01-1970")  # by hand: the operator's from now on
    nik.setText(make_nik(date(1988, 2, 9), "PEREMPUAN", 12))
    assert form.text_of("birth_date") == "01-01-1970"
    assert form.text_of("sex") == "PEREMPUAN"
    assert form.problem_labels["birth_date"].isVisible()  # the mismatch, where it is
    nik.setText(nik.text()[:-1])  # being corrected: what it filled goes
    assert form.text_of("sex") == "" and form.text_of("birth_date") == "01-01-1970"


def test_f4_fills_the_family_of_the_entry_saved_last(
    qtbot: QtBot, form: EntryForm, queue: Queue
) -> None:
    assert not form.fill_family()  # nothing saved yet
    first = make_record(31)
    form.load_record(first)
    form.save()
    assert queue.count() == 1
    qtbot.keyClick(focused(), Qt.Key.Key_F4)
    assert form.inputs["nik"].hasFocus()
    for field in ("kk_number", "address", "rt", "rw"):
        assert form.text_of(field) == first[field], field
    assert form.text_of("kecamatan") == "Cimanggis"
    assert form.record()["kelurahan_code"] == first["kelurahan_code"]
    assert form.text_of("full_name") == "" and form.text_of("nik") == ""
    assert visible_problems(form) == []


def test_a_resident_already_delivered_is_refused_next_to_the_nik(
    qtbot: QtBot, form: EntryForm, queue: Queue
) -> None:
    first = queue.enqueue(make_record(15), operator="ANI", station_id=STATION)
    claimed = queue.claim_batch("test", 1)
    queue.apply_outcomes("test", [Outcome(claimed[0].entry_id, State.SYNCED, server_ref="R-1")])
    form.load_record(make_record(15, full_name="ORANG LAIN"))
    with qtbot.assertNotEmitted(form.saved):
        qtbot.keyClick(form.inputs["phone"], Qt.Key.Key_Return)
    label = form.problem_labels["nik"]
    assert label.isVisible() and label.severity == "error"
    assert f"sudah direkam di stasiun ini: entri #{first.seq}" in label.text()
    assert form.result_label.text() == "Belum tersimpan."
    assert queue.count() == 1


def test_the_cores_refusal_is_shown_and_the_form_kept(
    qtbot: QtBot, form: EntryForm, station: Station, queue: Queue
) -> None:
    station.sign_out()  # nobody acts: the core refuses to save
    form.load_record(make_record(16))
    with qtbot.assertNotEmitted(form.saved):
        qtbot.keyClick(form.inputs["phone"], Qt.Key.Key_Return)
    assert form.result_label.text().startswith("Belum tersimpan: Belum ada operator yang masuk.")
    assert form.text_of("full_name") == "BUDI SANTOSO"
    assert queue.count() == 0


def test_the_form_checks_against_the_stations_city_and_date(
    qtbot: QtBot, make_station: Callable[..., Station], tmp_path: Path
) -> None:
    bogor = make_station(settings=Settings(station_id="ST-B", city_code="32.71"))
    form = EntryForm(bogor)
    qtbot.addWidget(form)
    kecamatan = form.inputs["kecamatan"]
    assert "Bogor Tengah" in [kecamatan.itemText(i) for i in range(kecamatan.count())]
    form.load_record(make_record(17))  # a kelurahan of Kota Depok
    assert "kelurahan_code" in {p.field for p in form.problems() if p.is_error}
    early = make_station(today=lambda: date(1990, 1, 1), folder=tmp_path)
    form = EntryForm(early)
    qtbot.addWidget(form)
    form.load_record(make_record(18))  # born 17-05-1990: after the station's today
    assert "birth_date" in {p.field for p in form.problems() if p.is_error}


def test_tab_skips_what_the_form_filled_and_shift_tab_reaches_it(
    qtbot: QtBot, form: EntryForm
) -> None:
    nik = form.inputs["nik"]
    assert isinstance(nik, QLineEdit)
    nik.setText(make_nik(date(1988, 2, 9), "PEREMPUAN", 12))
    form.inputs["birth_place"].setFocus()
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)  # birth date and sex came from the NIK
    assert (
        form.inputs["blood_type"].isAncestorOf(focused()) or focused() is form.inputs["blood_type"]
    )
    qtbot.keyClick(focused(), Qt.Key.Key_Backtab)  # back: the sex, to change it
    assert form.inputs["sex"].isAncestorOf(focused()) or focused() is form.inputs["sex"]
    qtbot.keyClick(focused(), Qt.Key.Key_Backtab)
    assert focused() is form.inputs["birth_date"]
    form.inputs["birth_date"].setFocus()
    birth = form.inputs["birth_date"]
    assert isinstance(birth, QLineEdit)
    birth.setText("10-02-1988")  # typed by hand: Tab stops there from now on
    form.inputs["birth_place"].setFocus()
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    assert focused() is birth


def test_a_stored_birth_date_is_shown_as_the_form_writes_dates(form: EntryForm) -> None:
    record = make_record(4)  # birth_date "1990-05-17", as stored
    form.load_record(record)
    assert form.text_of("birth_date") == "17-05-1990"  # HH-BB-TTTT, as typed
    assert form.record()["birth_date"] == "17-05-1990"
    assert form.problems() == []
