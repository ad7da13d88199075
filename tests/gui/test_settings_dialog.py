"""The settings dialog: only a supervisor opens it (and the core refuses anyone else); saving
goes through the core, which writes the config file and the owner-only token file and restarts
sync over the new settings. The token is never shown in full."""

from __future__ import annotations

import json
import socket
import stat
import sys
from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from ektp_station.domain import default_regions
from ektp_station.gui.app import build_window
from ektp_station.gui.main_window import MainWindow
from ektp_station.gui.settings_dialog import SettingsDialog, city_choices, valid_central_url
from ektp_station.settings import Settings
from ektp_station.station import Station

TOKEN = "rahasia-" + "x" * 24

MakeStation = Callable[..., Station]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def open_window(
    qtbot: QtBot, make_station: MakeStation, settings: Settings, role: str
) -> MainWindow:
    """The window over a station whose config file holds ``settings``, acting as ``role``."""
    station = make_station(settings=settings, role=role)
    settings.save(station.paths)
    window = build_window(station)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def settings_dialogs() -> list[SettingsDialog]:
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, SettingsDialog)]


def shown_texts(root: QWidget) -> list[str]:
    """Everything a widget under ``root`` shows as text (a password field shows dots)."""
    texts = [root.windowTitle(), root.toolTip()]
    for widget in root.findChildren(QWidget):
        texts += [widget.toolTip(), widget.statusTip(), widget.windowTitle()]
        if isinstance(widget, QLabel | QAbstractButton):
            texts.append(widget.text())
        if isinstance(widget, QLineEdit):
            texts.append(widget.placeholderText())
            if widget.echoMode() is QLineEdit.EchoMode.Normal:
                texts.append(widget.text())
    return texts


def test_an_operator_cannot_open_the_settings(qtbot: QtBot, make_station: MakeStation) -> None:
    window = open_window(qtbot, make_station, Settings(station_id="ST-A"), "operator")
    assert not window.settings_action.isEnabled()
    qtbot.keyClick(window, Qt.Key.Key_Comma, Qt.KeyboardModifier.ControlModifier)
    window.settings_action.trigger()  # disabled: nothing happens
    assert window.open_settings() is None
    assert window.settings_dialog is None and not settings_dialogs()
    assert "supervisor" in window.status_bar.currentMessage()


def test_ctrl_comma_opens_the_settings_for_a_supervisor(
    qtbot: QtBot, make_station: MakeStation
) -> None:
    window = open_window(qtbot, make_station, Settings(station_id="ST-A"), "supervisor")
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    nik = window.form.inputs["nik"]
    nik.setFocus()
    qtbot.keyClick(nik, Qt.Key.Key_Comma, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.settings_dialog is not None)
    dialog = window.settings_dialog
    assert dialog is not None and dialog.isVisible()
    assert window.open_settings() is dialog  # not a second one
    dialog.reject()
    assert window.settings_dialog is None


def test_a_supervisor_changes_url_token_and_city(qtbot: QtBot, make_station: MakeStation) -> None:
    old = Settings(station_id="ST-A", central_url="http://127.0.0.1:9", token=TOKEN)
    window = open_window(qtbot, make_station, old, "supervisor")
    paths = window.station.paths
    window.start_sync()
    old_engine = window.station.engine
    assert old_engine is not None and old_engine.running
    dialog = window.open_settings()
    assert dialog is not None
    assert dialog.city_combo.currentText() == "Kota Depok (32.76)"
    assert dialog.token_input.text() == ""
    assert dialog.token_current.text() == "Token sekarang: raha… (32 karakter)"

    url = f"https://127.0.0.1:{free_port()}/api"
    dialog.url_input.setText(url)
    dialog.station_input.setText("st-depok-02")
    qtbot.keyClicks(dialog.token_input, "baru-" + "y" * 27)
    dialog.city_combo.clear_text()
    qtbot.keyClicks(dialog.city_combo.lineEdit(), "Kota Bogor")
    with qtbot.waitSignal(dialog.saved) as saved:
        dialog.save_button.click()
    assert not dialog.isVisible()

    config = json.loads(paths.config_file.read_text(encoding="utf-8"))
    assert config["central_url"] == url
    assert config["station_id"] == "ST-DEPOK-02"
    assert config["city_code"] == "32.71"
    assert "token" not in config
    assert paths.token_file.read_text(encoding="utf-8").strip() == "baru-" + "y" * 27
    if sys.platform != "win32":
        assert stat.S_IMODE(paths.token_file.stat().st_mode) == 0o600
    assert saved.args == [Settings.load(paths)]

    station = window.station
    assert station.settings == Settings.load(paths)
    assert station.engine is not None and station.engine is not old_engine
    assert station.engine.running and not old_engine.running
    assert "ST-DEPOK-02" in window.windowTitle()
    assert station.station_id == "ST-DEPOK-02" and window.form.city_code == "32.71"
    kecamatan = window.form.inputs["kecamatan"]
    assert "Bogor Tengah" in [kecamatan.itemText(i) for i in range(kecamatan.count())]
    assert window.status_bar.send_button.isEnabled()
    assert window.status_bar.link_label.text() == "Menghubungkan…"
    assert window.status_bar.currentMessage() == "Pengaturan tersimpan."
    window.close()


def test_empty_token_keeps_it_and_the_language_is_saved(
    qtbot: QtBot, make_station: MakeStation
) -> None:
    window = open_window(qtbot, make_station, Settings(token=TOKEN), "supervisor")
    paths = window.station.paths
    dialog = window.open_settings()
    assert dialog is not None
    dialog.language_combo.setCurrentIndex(dialog.language_combo.findData("en"))
    dialog.save_button.click()
    saved = Settings.load(paths)
    assert saved.token == TOKEN and saved.language == "en"
    assert saved.central_url == "" and window.station.engine is None
    assert window.status_bar.link_label.text() == "Pusat belum diatur"
    assert "dibuka ulang" in window.status_bar.currentMessage()


def test_a_running_engine_is_replaced(qtbot: QtBot, make_station: MakeStation) -> None:
    first = Settings(central_url=f"http://127.0.0.1:{free_port()}", token=TOKEN)
    window = open_window(qtbot, make_station, first, "supervisor")
    window.start_sync()
    old_engine = window.station.engine
    assert old_engine is not None and old_engine.running
    dialog = window.open_settings()
    assert dialog is not None
    dialog.url_input.setText(f"http://127.0.0.1:{free_port()}")
    dialog.save_button.click()
    new_engine = window.station.engine
    assert new_engine is not None and new_engine is not old_engine
    assert new_engine.running and not old_engine.running
    qtbot.waitUntil(
        lambda: window.status_bar.link_label.text().startswith("Jaringan putus"), timeout=10000
    )
    window.close()
    assert not new_engine.running


def test_the_core_refuses_an_operator_and_the_dialog_says_so(
    qtbot: QtBot, station: Station
) -> None:
    before = Settings.load(station.paths)
    dialog = SettingsDialog(
        station.settings, station.paths, station.regions, station.change_settings
    )
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.url_input.setText("https://pusat.example/api")
    with qtbot.assertNotEmitted(dialog.saved):
        dialog.save_button.click()
    assert dialog.isVisible()
    assert dialog.message.text() == (
        "Hanya supervisor yang boleh mengubah pengaturan. Minta supervisor masuk."
    )
    assert Settings.load(station.paths) == before and not station.paths.config_file.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("url", "ftp://pusat.example"),
        ("url", "pusat.example/api"),
        ("url", "http://"),
        ("url", "https://pusat.example:99999"),
        ("station", "ST A"),
        ("token", "ada spasi di sini"),
        ("city", "Atlantis"),
    ],
)
def test_invalid_values_are_refused(
    qtbot: QtBot, make_station: MakeStation, field: str, value: str
) -> None:
    window = open_window(qtbot, make_station, Settings(token=TOKEN), "supervisor")
    paths = window.station.paths
    before = paths.config_file.read_text(encoding="utf-8")
    dialog = window.open_settings()
    assert dialog is not None
    inputs = {
        "url": dialog.url_input,
        "station": dialog.station_input,
        "token": dialog.token_input,
        "city": dialog.city_combo.lineEdit(),
    }
    inputs[field].setText(value)
    dialog.save_button.click()
    assert dialog.isVisible() and dialog.message.text()
    assert paths.config_file.read_text(encoding="utf-8") == before
    assert Settings.load(paths).token == TOKEN


def test_the_token_is_never_shown_in_full(qtbot: QtBot, make_station: MakeStation) -> None:
    window = open_window(qtbot, make_station, Settings(token=TOKEN), "supervisor")
    dialog = window.open_settings()
    assert dialog is not None
    assert dialog.token_input.echoMode() is QLineEdit.EchoMode.Password
    everything = shown_texts(window) + shown_texts(dialog)
    assert TOKEN[:4] in " ".join(everything)  # the masked form is there …
    assert not [t for t in everything if TOKEN in t or TOKEN[4:] in t]  # … never the rest
    new = "z" * 40
    dialog.token_input.setText(new)
    dialog.save_button.click()
    everything = shown_texts(window) + shown_texts(dialog)
    assert not [t for t in everything if new in t or TOKEN in t]
    assert dialog.token_input.text() == ""


def test_validators() -> None:
    assert valid_central_url("")
    assert valid_central_url("https://pusat.example/api")
    assert valid_central_url("http://127.0.0.1:8080")
    for bad in ("pusat.example", "ftp://pusat.example", "https://", "http://a b", "http://x:0x"):
        assert not valid_central_url(bad), bad
    choices = dict((code, text) for text, code in city_choices(default_regions()))
    assert choices["32.76"] == "Kota Depok (32.76)"
    assert choices["32.01"] == "Kabupaten Bogor (32.01)"
    assert len(choices) > 500
    assert all(code.count(".") == 1 for code in choices)
