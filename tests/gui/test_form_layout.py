"""The entry form at the counter's 1366×768: no scrolling whatever the messages, Save and the
save result in view, each field's message in a place of its own, a field with a problem
marked itself."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QScrollArea, QWidget
from pytestqt.qtbot import QtBot

from ektp_station.gui.main_window import MainWindow
from ektp_station.station import Station

from factories import make_record
from helpers import show_window

#: 1366×768 less a title bar and a taskbar, as a maximised window gets it
SIZE = (1366, 728)


def open_at_counter_size(qtbot: QtBot, station: Station) -> MainWindow:
    return show_window(qtbot, station, size=SIZE)


def in_view(window: MainWindow, widget: QWidget) -> bool:
    scroll = window.tabs.widget(0)
    assert isinstance(scroll, QScrollArea)
    viewport = scroll.viewport()
    top_left = widget.mapTo(viewport, QPoint(0, 0))
    return (
        widget.isVisible()
        and top_left.y() >= 0
        and top_left.y() + widget.height() <= viewport.height()
    )


def needs_scrolling(window: MainWindow) -> bool:
    scroll = window.tabs.widget(0)
    assert isinstance(scroll, QScrollArea)
    return scroll.verticalScrollBar().maximum() > 0 or scroll.horizontalScrollBar().maximum() > 0


@pytest.mark.parametrize("how", ["every field required", "long messages"])
def test_the_form_fits_without_scrolling_whatever_the_messages(
    qtbot: QtBot, station: Station, how: str
) -> None:
    window = open_at_counter_size(qtbot, station)
    form = window.form
    if how == "every field required":
        form.clear_form()
        form.save()  # every required field says so
    else:  # warnings and errors of several lines at once
        form.load_record(
            make_record(7, birth_date="1990-05-18", rt="3a", rw="x", phone="12", sex="PEREMPUAN")
        )
        form.save()
    qtbot.waitUntil(lambda: not needs_scrolling(window))
    shown = [f for f, label in form.problem_labels.items() if label.isVisible()]
    assert len(shown) >= 4
    assert in_view(window, form.save_button) and in_view(window, form.result_label)
    assert form.result_label.text().startswith("Belum tersimpan")
    for field in shown:
        assert in_view(window, form.problem_labels[field]), field
        assert form.inputs[field].property("problem") in ("error", "warning")  # marked


def test_a_message_does_not_move_the_fields(qtbot: QtBot, station: Station) -> None:
    window = open_at_counter_size(qtbot, station)
    form = window.form
    before = {f: w.mapTo(form, QPoint(0, 0)) for f, w in form.inputs.items()}
    form.inputs["nik"].setFocus()
    form.inputs["nik"].setText("32760")  # a one-line message: its place was kept
    assert form.problem_labels["nik"].isVisible()
    after = {f: w.mapTo(form, QPoint(0, 0)) for f, w in form.inputs.items()}
    assert after == before
    assert form.inputs["nik"].property("problem") == "error"
    form.inputs["nik"].setText("")  # filled, then emptied: "required", in the same place
    assert {f: w.mapTo(form, QPoint(0, 0)) for f, w in form.inputs.items()} == before
