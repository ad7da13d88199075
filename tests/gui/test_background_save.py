"""A resident saved with images runs on the window's task runner, not on the GUI thread: the
form says "Menyimpan…" and takes no second save nor any typing meanwhile, then says "Tersimpan"
as after any save; a refusal comes back through the form's usual message with the biodata
kept; "Lengkapi biometrik" saves its parts off the GUI thread too. Waits on conditions only."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from ektp_station.errors import DiskFull
from ektp_station.gui.biometrics import BiometricStep
from ektp_station.gui.devices import demo_devices
from ektp_station.gui.recording import attach_biometrics
from ektp_station.station import Station

from factories import make_record
from helpers import show_window

DEADLINE = 10.0  # seconds a gate waits at most: a stuck test fails, never hangs


class Gate:
    """Wraps a station method: each call waits on the worker until the test opens the gate,
    noting the thread it ran on."""

    def __init__(self, method: Callable[..., Any], fail: Exception | None = None) -> None:
        self.method = method
        self.fail = fail
        self.opened = threading.Event()
        self.threads: list[threading.Thread] = []

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.threads.append(threading.current_thread())
        assert self.opened.wait(DEADLINE), "the test never opened the gate"
        if self.fail is not None:
            raise self.fail
        return self.method(*args, **kwargs)


def parts() -> dict[str, bytes]:
    device = demo_devices("bg")["photo"]
    return {part: device.capture(part) for part in ("photo", "signature", "finger_r1")}


def window_with_parts(qtbot: QtBot, station: Station, images: dict[str, bytes]) -> Any:
    window = show_window(qtbot, station)
    form = window.form
    attach_biometrics(form, demo_devices("bg"), window.queue_tab)
    assert form.tasks is window.tasks  # the window's one runner
    form.collect_parts = lambda _record: (dict(images), {})  # the step, as if taken
    form.confirm_warnings = lambda _w: True
    form.load_record(make_record(51))
    return window


def test_the_save_with_images_runs_off_the_gui_thread(
    qtbot: QtBot, station: Station, monkeypatch: Any
) -> None:
    gate = Gate(station.capture)
    monkeypatch.setattr(station, "capture", gate)
    window = window_with_parts(qtbot, station, parts())
    form = window.form
    saved: list[Any] = []
    form.saved.connect(saved.append)
    assert form.save() is None  # on its way
    try:
        qtbot.waitUntil(lambda: len(gate.threads) == 1)
        assert gate.threads[0] is not threading.main_thread()
        assert form.result_label.text() == "Menyimpan…"
        assert not form.save_button.isEnabled() and not form.inputs["nik"].isEnabled()
        assert form.save() is None  # Enter again: not a second save
        qtbot.keyClick(form, Qt.Key.Key_Return)
        assert station.queue.count() == 0
        assert form.inputs["nik"].text() == make_record(51)["nik"]
    finally:
        gate.opened.set()
    qtbot.waitUntil(lambda: bool(saved))
    assert len(gate.threads) == 1 and station.queue.count() == 1
    rows = station.queue.parts(saved[0].seq)
    assert {row.part for row in rows} == {"photo", "signature", "finger_r1"}
    assert "Tersimpan: No. 1" in form.result_label.text()
    assert "biometrik belum lengkap (11 bagian)" in form.result_label.text()
    assert form.save_button.isEnabled() and form.inputs["nik"].isEnabled()
    assert form.inputs["nik"].text() == ""  # cleared for the next resident
    window.close()


def test_a_refusal_comes_back_with_its_message_and_the_biodata_kept(
    qtbot: QtBot, station: Station, monkeypatch: Any
) -> None:
    gate = Gate(station.capture, fail=DiskFull("uji"))
    monkeypatch.setattr(station, "capture", gate)
    window = window_with_parts(qtbot, station, parts())
    form = window.form
    refused: list[Any] = []
    form.refused.connect(refused.append)
    form.save()
    gate.opened.set()
    qtbot.waitUntil(lambda: bool(refused))
    assert isinstance(refused[0], DiskFull)
    assert form.result_label.text().startswith("Belum tersimpan: Disk penuh")
    assert form.inputs["nik"].text() == make_record(51)["nik"]  # nothing lost: saved again
    assert form.save_button.isEnabled() and form.saving is None
    monkeypatch.setattr(station, "capture", gate.method)
    saved: list[Any] = []
    form.saved.connect(saved.append)
    assert form.save() is None
    qtbot.waitUntil(lambda: bool(saved))
    assert station.queue.count() == 1
    window.close()


def test_biodata_only_is_saved_at_once(qtbot: QtBot, station: Station) -> None:
    window = window_with_parts(qtbot, station, {})
    entry = window.form.save()  # one short transaction: on the GUI thread, as before
    assert entry is not None and station.queue.count() == 1
    window.close()


def test_finishing_later_saves_off_the_gui_thread(
    qtbot: QtBot, station: Station, monkeypatch: Any
) -> None:
    first = parts()
    captured = station.capture(make_record(52), confirmed=True, images=first)
    gate = Gate(station.complete_parts)
    monkeypatch.setattr(station, "complete_parts", gate)
    window = show_window(qtbot, station, active=True)
    tab = window.queue_tab
    attach_biometrics(window.form, demo_devices("later"), tab)
    window.open_tab(1)
    qtbot.waitUntil(lambda: tab.model.rowCount() == 1)
    assert tab.select_seq(captured.entry.seq)
    qtbot.keyClick(tab.table, Qt.Key.Key_F3)
    qtbot.waitUntil(lambda: isinstance(QApplication.activeModalWidget(), BiometricStep))
    step = QApplication.activeModalWidget()
    assert isinstance(step, BiometricStep)
    step.activateWindow()
    qtbot.waitUntil(step.isActiveWindow)
    assert step.current == "finger_r2"
    qtbot.keyClick(step.part_list, Qt.Key.Key_Space)
    qtbot.keyClick(step.part_list, Qt.Key.Key_Enter)
    qtbot.keyClick(step.part_list, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: len(gate.threads) == 1)
    assert gate.threads[0] is not threading.main_thread()
    assert "menyimpan…" in tab.message_label.text()
    try:
        window.activateWindow()
        qtbot.waitUntil(window.isActiveWindow)
        qtbot.keyClick(tab.table, Qt.Key.Key_F3)  # again while saving: not a second step
        assert "masih menyimpan" in tab.message_label.text()
        assert not isinstance(QApplication.activeModalWidget(), BiometricStep)
    finally:
        gate.opened.set()
    qtbot.waitUntil(lambda: "10 bagian belum" in tab.message_label.text())
    rows = {row.part for row in station.queue.parts(captured.entry.seq)}
    assert rows == {"photo", "signature", "finger_r1", "finger_r2"}
    window.close()
