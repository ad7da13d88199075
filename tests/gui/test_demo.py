"""The demo end to end: a real centre on loopback behind the fault proxy, switched by hand."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from ektp_station.cli import main
from ektp_station.gui.demo import DEMO_OPERATOR, DEMO_STATION_ID, DEMO_SUPERVISOR, Demo
from ektp_station.gui.main_window import MainWindow
from ektp_station.store import State

from factories import make_record


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[Demo]:
    with Demo(tmp_path / "demo") as running:
        yield running


def registrations(demo: Demo) -> int:
    assert demo.central is not None
    return int(demo.central.stats()["registrations"])


def save(qtbot: QtBot, window: MainWindow, n: int) -> None:
    form = window.form
    form.confirm_warnings = lambda _w: True
    form.load_record(make_record(n))
    with qtbot.waitSignal(form.saved):
        form.save_button.click()


def test_capture_goes_on_while_the_link_is_down_and_drains_when_it_returns(
    qtbot: QtBot, demo: Demo
) -> None:
    window = demo.build_window()
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    assert DEMO_OPERATOR[0] in window.windowTitle() and DEMO_STATION_ID in window.windowTitle()
    actor = window.station.actor
    assert actor is not None and actor.name == DEMO_OPERATOR[0] and not actor.is_supervisor
    assert window.dashboard.conflicts is None  # an operator's dashboard
    switch = demo.switch
    assert switch is not None and switch.isVisible()
    assert [b.text() for b in switch.buttons.values()] == ["Nyambung", "Putus", "Flaky", "Lambat"]
    window.start_sync()
    # the demo starts with one entry the centre refuses and one another station had first
    queue = window.station.queue
    qtbot.waitUntil(
        lambda: queue.count(State.REJECTED) == 1 and queue.count(State.CONFLICT) == 1,
        timeout=15000,
    )
    qtbot.waitUntil(window.entry_notice.isVisible)  # told at once
    assert "1 entri ditolak pusat" in window.entry_notice.text()
    assert registrations(demo) == 1  # the other station's

    save(qtbot, window, 1)
    qtbot.waitUntil(lambda: registrations(demo) == 2, timeout=15000)
    # the centre commits before the station applies its reply: wait for both ends
    qtbot.waitUntil(lambda: window.station.queue.count(State.SYNCED) == 1, timeout=15000)
    qtbot.waitUntil(
        lambda: window.status_bar.link_label.text() == "Terhubung ke pusat", timeout=15000
    )

    switch.buttons["putus"].click()
    assert switch.mode == "putus"
    save(qtbot, window, 2)
    qtbot.waitUntil(
        lambda: window.status_bar.link_label.text().startswith("Jaringan putus"), timeout=15000
    )
    assert registrations(demo) == 2
    assert window.station.queue.count(State.PENDING) == 1

    switch.buttons["nyambung"].click()
    qtbot.waitUntil(lambda: registrations(demo) == 3, timeout=15000)
    qtbot.waitUntil(lambda: window.station.queue.count(State.PENDING) == 0, timeout=15000)
    qtbot.waitUntil(
        lambda: window.status_bar.link_label.text() == "Terhubung ke pusat", timeout=15000
    )
    window.close()


def test_flaky_turns_the_fault_mix_on_and_nyambung_off(qtbot: QtBot, demo: Demo) -> None:
    window = demo.build_window()
    qtbot.addWidget(window)
    switch = demo.switch
    assert switch is not None and demo.proxy is not None
    switch.buttons["flaky"].click()
    assert demo.proxy.mode == "up" and demo.proxy.faults.reset_before > 0
    switch.set_mode("putus")
    assert demo.proxy.mode == "down" and switch.buttons["putus"].isChecked()
    switch.buttons["nyambung"].click()
    assert demo.proxy.mode == "up" and demo.proxy.faults.reset_before == 0
    window.close()


def test_signed_in_as_the_supervisor_the_window_shows_the_conflicts(
    qtbot: QtBot, demo: Demo
) -> None:
    demo.sign_in(*DEMO_SUPERVISOR)
    window = demo.build_window()
    qtbot.addWidget(window)
    assert window.windowTitle().startswith("[DEMO] ")
    assert f"Supervisor: {DEMO_SUPERVISOR[0]}" in window.windowTitle()
    assert window.dashboard.conflicts is not None and window.settings_action.isEnabled()
    window.close()


def test_demo_accounts_and_throwaway_folder(tmp_path: Path) -> None:
    with Demo() as demo:
        root = demo.root
        assert root is not None and root.is_dir()
        station = demo.station
        assert station is not None and demo.queue is station.queue
        actor = station.actor  # the window opens as the demo operator
        assert actor is not None and (actor.name, actor.role) == ("OPERATOR DEMO", "operator")
        demo.sign_in(*DEMO_SUPERVISOR)  # only a supervisor lists the accounts
        accounts = {o.name: o.role for o in station.operators()}
        assert accounts == {"SUPERVISOR DEMO": "supervisor", "OPERATOR DEMO": "operator"}
    assert not root.exists()
    with Demo(keep=True) as kept:
        kept_root = kept.root
    assert kept_root is not None and kept_root.is_dir()
    shutil.rmtree(kept_root)


def test_demo_command_opens_the_window_and_cleans_up(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seen: list[str] = []

    def close_it() -> None:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, MainWindow):
                seen.append(widget.windowTitle())
                widget.close()
                widget.deleteLater()

    QTimer.singleShot(0, close_it)
    assert main(["--data-dir", str(data_dir), "demo", "--keep"]) == 0
    assert len(seen) == 1 and seen[0].startswith("[DEMO]")
    kept = Path(capsys.readouterr().out.strip().split(": ", 1)[1])
    assert (kept / "station" / "queue.sqlite3").is_file()
    shutil.rmtree(kept)


def test_the_demo_keeps_its_queue_key_in_its_own_folder(_key_folder: Path) -> None:
    """The throwaway demo never leaves a key among the PC's own keys."""
    with Demo() as demo:
        assert demo.root is not None and demo.station is not None
        root = demo.root
        kept = {p.name for p in (root / "keys").glob("*.key")}
        assert f"queue-{demo.station.queue.queue_id}.key" in kept  # and the other station's
    assert list(_key_folder.iterdir()) == []
    assert not root.exists()


def test_the_network_switch_answers_the_keyboard(qtbot: QtBot, demo: Demo) -> None:
    window = demo.build_window()
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    switch = demo.switch
    assert switch is not None and demo.proxy is not None
    nik = window.form.inputs["nik"]
    nik.setFocus()
    qtbot.keyClick(nik, Qt.Key.Key_F7)
    assert switch.mode == "putus" and switch.buttons["putus"].isChecked()
    assert demo.proxy.mode == "down"
    qtbot.keyClick(nik, Qt.Key.Key_F8)
    assert switch.mode == "flaky"
    qtbot.keyClick(nik, Qt.Key.Key_F9)  # "Lambat": up, capped at 128 kbit/s
    assert switch.mode == "lambat" and demo.proxy.mode == "up"
    assert demo.proxy.bandwidth_bps == 128_000
    qtbot.keyClick(nik, Qt.Key.Key_F6)
    assert switch.mode == "nyambung" and demo.proxy.mode == "up"
    assert demo.proxy.bandwidth_bps is None
    assert nik.hasFocus()  # the operator's place in the form is kept
    window.close()
