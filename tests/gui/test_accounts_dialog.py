"""The supervisor's accounts dialog: add, disable and reset operators through the core; each
refusal said in words, nothing changed; an operator cannot open it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from ektp_station.gui.accounts import AccountsDialog
from ektp_station.gui.app import build_window
from ektp_station.gui.i18n import install_translator
from ektp_station.station import Station


def mnemonics_in(dialog: AccountsDialog) -> list[tuple[str, str]]:
    from PySide6.QtWidgets import QAbstractButton, QGroupBox, QLabel, QWidget

    found = []
    for widget in dialog.findChildren(QWidget):
        if isinstance(widget, QAbstractButton) or (
            isinstance(widget, QLabel) and widget.buddy() is not None
        ):
            text = widget.text()
        elif isinstance(widget, QGroupBox):
            text = widget.title()
        else:
            continue
        clean = text.replace("&&", "")
        at = clean.find("&")
        if 0 <= at < len(clean) - 1:
            found.append((clean[at + 1].casefold(), text))
    return found


def open_dialog(qtbot: QtBot, station: Station) -> AccountsDialog:
    if station.accounts.first_run():
        station.create_first_account("KEPALA", "135790")  # the station's own supervisor
    dialog = AccountsDialog(station)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def test_a_supervisor_adds_disables_and_resets_an_operator(
    qtbot: QtBot, supervisor: Station
) -> None:
    dialog = open_dialog(qtbot, supervisor)
    before = dialog.table.rowCount()
    dialog.name_input.setText("rina marlina")
    dialog.pin_input.setText("12")  # too short: refused, nothing made
    assert not dialog.add_account()
    assert "PIN" in dialog.message_label.text()
    assert dialog.table.rowCount() == before
    dialog.pin_input.setText("2468")
    assert dialog.add_account(), dialog.message_label.text()
    assert dialog.table.rowCount() == before + 1
    assert dialog.selected_name() == "RINA MARLINA"
    assert "RINA MARLINA" in [o.name for o in supervisor.operators()]
    dialog.name_input.setText("Rina Marlina")
    dialog.pin_input.setText("1357")
    assert not dialog.add_account()  # the name is taken
    assert dialog.table.rowCount() == before + 1

    assert dialog.toggle_selected()
    accounts = {o.name: o for o in supervisor.operators()}
    assert not accounts["RINA MARLINA"].active
    assert "dinonaktifkan" in dialog.message_label.text()
    dialog.pin_input.setText("9753")
    assert dialog.reset_selected_pin()
    assert dialog.toggle_selected()  # active again, with the new PIN
    assert supervisor.accounts.sign_in("RINA MARLINA", "9753").name == "RINA MARLINA"


def test_the_last_supervisor_cannot_be_disabled(qtbot: QtBot, supervisor: Station) -> None:
    dialog = open_dialog(qtbot, supervisor)
    dialog.select("KEPALA")
    assert dialog.selected_name() == "KEPALA"
    assert not dialog.toggle_selected()
    assert dialog.message_label.text()  # the core's reason, in words
    assert all(o.active for o in supervisor.operators())


def test_an_operator_cannot_open_it(qtbot: QtBot, station: Station) -> None:
    window = build_window(station)
    qtbot.addWidget(window)
    assert not window.accounts_action.isEnabled()
    assert window.open_accounts() is None
    assert "supervisor" in window.status_bar.currentMessage()


@pytest.fixture(params=["id", "en"])
def language(request: pytest.FixtureRequest, qapp: QApplication) -> Iterator[str]:
    install_translator(qapp, request.param)
    yield request.param
    install_translator(qapp, "id")


def test_its_mnemonics_do_not_clash(qtbot: QtBot, supervisor: Station, language: str) -> None:
    dialog = open_dialog(qtbot, supervisor)
    keys = Counter(k for k, _t in mnemonics_in(dialog))
    assert all(n == 1 for n in keys.values()), (language, keys)
