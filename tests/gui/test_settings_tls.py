"""The window and the link's security: the settings dialog refuses plain http:// to another host
(the settings' one rule) unless a supervisor allowed it, and the status bar warns while such a
link is in use. Nothing is contacted: the engine is never started here."""

from __future__ import annotations

from collections.abc import Callable

from pytestqt.qtbot import QtBot

from ektp_station.errors import CertificateRefused
from ektp_station.gui.app import build_window
from ektp_station.gui.settings_dialog import SettingsDialog
from ektp_station.gui.status_bar import (
    CERTIFICATE_TEXT,
    INSECURE_WARNING,
    StationStatusBar,
    link_text,
)
from ektp_station.settings import Settings
from ektp_station.station import Station
from ektp_station.sync.engine import EngineState, Link

MakeStation = Callable[..., Station]
REMOTE = "http://203.0.113.7:8765"  # documentation address: never contacted
TOKEN = "rahasia-" + "x" * 24


def _dialog(qtbot: QtBot, station: Station, saved: list[Settings]) -> SettingsDialog:
    dialog = SettingsDialog(station.settings, station.paths, station.regions, saved.append)
    qtbot.addWidget(dialog)
    return dialog


def test_the_dialog_refuses_http_to_another_host(qtbot: QtBot, make_station: MakeStation) -> None:
    station = make_station(role="supervisor", settings=Settings(station_id="ST-A"))
    saved: list[Settings] = []
    dialog = _dialog(qtbot, station, saved)
    dialog.url_input.setText(REMOTE)
    dialog.save_button.click()
    assert saved == []
    assert "https://" in dialog.message.text()
    assert dialog.new_settings() is None

    dialog.url_input.setText("http://127.0.0.1:8765")
    assert dialog.new_settings() is not None
    dialog.url_input.setText("https://203.0.113.7:8443")
    dialog.save_button.click()
    assert [s.central_url for s in saved] == ["https://203.0.113.7:8443"]


def test_the_dialog_accepts_http_when_a_supervisor_allowed_it(
    qtbot: QtBot, make_station: MakeStation
) -> None:
    allowed = Settings(station_id="ST-A", allow_insecure=True)
    station = make_station(role="supervisor", settings=allowed)
    saved: list[Settings] = []
    dialog = _dialog(qtbot, station, saved)
    dialog.url_input.setText(REMOTE)
    dialog.save_button.click()
    assert [s.central_url for s in saved] == [REMOTE]
    assert saved[0].allow_insecure


def test_the_status_bar_warns_while_the_link_is_plain_http(qtbot: QtBot) -> None:
    bar = StationStatusBar(None)
    qtbot.addWidget(bar)
    assert bar.insecure_label.isHidden()
    bar.set_link_security(Settings(central_url=REMOTE, allow_insecure=True))
    assert not bar.insecure_label.isHidden()
    assert bar.insecure_label.text() == INSECURE_WARNING[0]
    for safe in (
        Settings(central_url="https://203.0.113.7", allow_insecure=True),
        Settings(central_url="http://127.0.0.1:8765", allow_insecure=True),
        None,
    ):
        bar.set_link_security(safe)
        assert bar.insecure_label.isHidden()


def test_the_window_shows_the_warning_from_the_station_settings(
    qtbot: QtBot, make_station: MakeStation
) -> None:
    settings = Settings(station_id="ST-A", central_url=REMOTE, token=TOKEN, allow_insecure=True)
    station = make_station(role="supervisor", settings=settings)
    window = build_window(station)  # sync not started: nothing is contacted
    qtbot.addWidget(window)
    assert not window.status_bar.insecure_label.isHidden()

    secure = Settings(station_id="ST-A", central_url="https://203.0.113.7", token=TOKEN)
    window.station.settings = secure  # as change_settings leaves it (engine not running)
    window.status_bar.set_sync_now(window.station.sync_now)
    assert window.status_bar.insecure_label.isHidden()


def test_a_certificate_failure_is_shown_as_such_not_as_link_down() -> None:
    failed = CertificateRefused("centre certificate not valid on probe (self-signed)")
    for link in (Link.OFFLINE, Link.REFUSED):
        state = EngineState(
            link, retry_at=1.0, last_error=str(failed), last_error_id=failed.message_id
        )
        assert link_text(state, now=0.0) == CERTIFICATE_TEXT[0]
    down = EngineState(Link.OFFLINE, last_error="ConnectError", last_error_id="Jaringan")
    assert link_text(down, now=0.0) != CERTIFICATE_TEXT[0]
    back = EngineState(Link.ONLINE, last_error_id=failed.message_id)  # a probe answered since
    assert link_text(back, now=0.0) != CERTIFICATE_TEXT[0]
