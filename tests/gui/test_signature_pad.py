"""The signature pad: strokes drawn with the mouse (QTest's events) make a PNG the
``signature`` part's checks take; Delete clears, Esc cancels with a message that nothing was
taken, an empty pad is refused with its message; as the capture device inside the biometric
step, by keyboard."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt, QTimer
from PySide6.QtGui import QInputDevice, QPointingDevice, QTabletEvent
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from ektp_station.domain.biometrics import check_part, inspect_image
from ektp_station.gui.biometrics import BiometricStep
from ektp_station.gui.devices import DeviceError, demo_devices
from ektp_station.gui.signature import PAD_SIZE, SignatureCanvas, SignatureDialog, SignaturePad

_KEPT: list[object] = []


def sign(qtbot: QtBot, canvas: SignatureCanvas) -> None:
    """Two strokes with the mouse, as a resident signs."""
    for start, points in (
        (QPoint(60, 200), [QPoint(120, 80), QPoint(180, 210), QPoint(260, 90)]),
        (QPoint(320, 150), [QPoint(420, 160), QPoint(560, 120)]),
    ):
        qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, pos=start)
        for point in points:
            qtbot.mouseMove(canvas, point)
        qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=points[-1])


def open_dialog(qtbot: QtBot) -> SignatureDialog:
    dialog = SignatureDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    return dialog


def test_strokes_make_a_png_the_checks_take(qtbot: QtBot) -> None:
    dialog = open_dialog(qtbot)
    canvas = dialog.canvas
    assert canvas.empty
    sign(qtbot, canvas)
    assert not canvas.empty
    data = canvas.png()
    info = inspect_image(data)
    assert (info.media_type, info.width, info.height) == ("image/png", *PAD_SIZE)
    assert check_part("signature", data) == []
    inked = sum(
        1
        for x in range(0, PAD_SIZE[0], 2)
        for y in range(0, PAD_SIZE[1], 2)
        if canvas.image.pixelColor(x, y).lightness() < 128
    )
    assert inked > 50  # the strokes are in the image, not just a flag
    qtbot.keyClick(canvas, Qt.Key.Key_Return)
    assert dialog.result() == SignatureDialog.DialogCode.Accepted


def test_delete_clears_and_an_empty_pad_is_refused(qtbot: QtBot) -> None:
    dialog = open_dialog(qtbot)
    canvas = dialog.canvas
    qtbot.keyClick(canvas, Qt.Key.Key_Return)
    assert dialog.isVisible() and "masih kosong" in dialog.message.text()
    sign(qtbot, canvas)
    assert dialog.message.text() == ""  # signing answers it: no stale "still empty"
    qtbot.keyClick(canvas, Qt.Key.Key_Delete)
    assert canvas.empty and dialog.message.text() == ""
    assert all(
        canvas.image.pixelColor(x, 150).lightness() == 255 for x in range(0, PAD_SIZE[0], 10)
    )
    sign(qtbot, canvas)
    qtbot.keyClick(canvas, Qt.Key.Key_Backspace)
    assert canvas.empty
    qtbot.keyClick(canvas, Qt.Key.Key_Enter)
    assert dialog.isVisible()  # still refused
    qtbot.keyClick(canvas, Qt.Key.Key_Escape)
    assert dialog.result() == SignatureDialog.DialogCode.Rejected and not dialog.isVisible()


def pen_stroke(canvas: SignatureCanvas, pressure: float) -> None:
    """A pen tablet's stroke across the pad at ``pressure`` (QTabletEvents, as Qt sends)."""
    pen = QPointingDevice(
        "pena uji",
        1,
        QInputDevice.DeviceType.Stylus,
        QPointingDevice.PointerType.Pen,
        QInputDevice.Capability.Position | QInputDevice.Capability.Pressure,
        1,
        3,
    )
    left = Qt.MouseButton.LeftButton
    for kind, x, p in (
        (QEvent.Type.TabletPress, 100, pressure),
        (QEvent.Type.TabletMove, 400, pressure),
        (QEvent.Type.TabletMove, 700, pressure),
        (QEvent.Type.TabletRelease, 700, 0.0),
    ):
        at = QPointF(x, 150)
        event = QTabletEvent(
            kind,
            pen,
            at,
            at,
            p,
            0.0,
            0.0,
            0.0,
            0.0,
            0.0,
            Qt.KeyboardModifier.NoModifier,
            left,
            left,
        )
        QApplication.sendEvent(canvas, event)
        assert event.isAccepted()  # no mouse event made of it


def test_a_tablet_pen_draws_wider_with_pressure(qtbot: QtBot) -> None:
    light, heavy = SignatureCanvas(), SignatureCanvas()
    qtbot.addWidget(light)
    qtbot.addWidget(heavy)
    pen_stroke(light, 0.05)
    pen_stroke(heavy, 1.0)

    def ink(canvas: SignatureCanvas) -> int:
        return sum(1 for y in range(130, 171) if canvas.image.pixelColor(400, y).lightness() < 200)

    assert ink(heavy) > ink(light) >= 1
    assert check_part("signature", heavy.png()) == []


def drive_pad(qtbot: QtBot, then: Qt.Key, *, draw: bool = True) -> None:
    """Once the pad's dialog is the active modal widget: sign (or not), then ``then``."""

    def drive() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, SignatureDialog):
            QTimer.singleShot(20, drive)
            return
        dialog.activateWindow()
        qtbot.waitUntil(dialog.isActiveWindow)
        if draw:
            sign(qtbot, dialog.canvas)
        qtbot.keyClick(dialog.canvas, then)

    _KEPT.append(drive)
    QTimer.singleShot(0, drive)


def test_the_device_returns_the_png_or_says_nothing_was_taken(qtbot: QtBot) -> None:
    pad = SignaturePad()
    assert not pad.demo
    drive_pad(qtbot, Qt.Key.Key_Return)
    assert check_part("signature", pad.capture("signature")) == []
    drive_pad(qtbot, Qt.Key.Key_Escape)
    with pytest.raises(DeviceError) as cancelled:
        pad.capture("signature")
    assert "tidak ada yang diambil" in cancelled.value.message
    with pytest.raises(DeviceError):
        pad.capture("photo")


def test_in_the_biometric_step(qtbot: QtBot) -> None:
    devices = {**demo_devices("pad"), "signature": SignaturePad()}
    step = BiometricStep(devices, resident="BUDI")
    qtbot.addWidget(step)
    step.show()
    qtbot.waitExposed(step)
    step.part_list.setCurrentRow(1)
    assert step.current == "signature"
    drive_pad(qtbot, Qt.Key.Key_Escape)
    qtbot.keyClick(step.part_list, Qt.Key.Key_Space)
    assert "tidak ada yang diambil" in step.message.text() and "signature" not in step.images
    drive_pad(qtbot, Qt.Key.Key_Return)
    qtbot.keyClick(step.part_list, Qt.Key.Key_Space)
    qtbot.keyClick(step.part_list, Qt.Key.Key_Enter)
    assert check_part("signature", step.images["signature"]) == []
    assert step.current == "finger_r1"
