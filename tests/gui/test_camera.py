"""The camera (Qt Multimedia, the ``camera`` extra): this PC has none, so the station offers
none and the photo falls back to the demo device with a label saying so; a camera's
landscape picture becomes a 3:4 portrait colour JPEG the ``photo`` part's checks take."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint
from PySide6.QtGui import QColor, QImage, QPainter
from pytestqt.qtbot import QtBot

from ektp_station.domain.biometrics import check_part, inspect_image
from ektp_station.gui import camera
from ektp_station.gui.biometrics import BiometricStep
from ektp_station.gui.camera import CameraDevice, available_cameras, photo_jpeg
from ektp_station.gui.capture import choose_devices
from ektp_station.gui.devices import DemoDevice, DeviceError
from ektp_station.gui.signature import SignaturePad


def picture(width: int, height: int, fmt: QImage.Format = QImage.Format.Format_RGB32) -> QImage:
    """A camera frame: a face-coloured disc in the middle of a blue background."""
    image = QImage(width, height, fmt)
    image.fill(QColor("#3060a0"))
    painter = QPainter(image)
    painter.setBrush(QColor("#d8a080"))
    painter.drawEllipse(QPoint(width // 2, height // 2), height // 5, height // 4)
    painter.end()
    return image


@pytest.mark.parametrize(
    ("size", "expected"),
    [
        ((1280, 720), (540, 720)),  # a 720p webcam: the sides cut
        ((1920, 1080), (810, 1080)),  # 1080p
        ((640, 480), (480, 640)),  # VGA: the 360×480 cut scaled up to the minimum
        ((3000, 4000), (900, 1200)),  # a portrait photo camera: scaled down
        ((1000, 2000), (900, 1200)),  # taller than 3:4: top and bottom cut
    ],
)
def test_a_frame_becomes_a_portrait_photo_the_checks_take(
    qtbot: QtBot, size: tuple[int, int], expected: tuple[int, int]
) -> None:
    data = photo_jpeg(picture(*size))
    info = inspect_image(data)
    assert (info.media_type, info.width, info.height, info.channels) == (
        "image/jpeg",
        *expected,
        3,
    )
    assert check_part("photo", data) == []
    centre = QImage.fromData(data).pixelColor(expected[0] // 2, expected[1] // 2)
    assert centre.red() > centre.blue()  # the face stays in the middle


def test_a_grey_or_empty_frame(qtbot: QtBot) -> None:
    grey = picture(1280, 720, QImage.Format.Format_Grayscale8)
    assert check_part("photo", photo_jpeg(grey)) == []  # colour JPEG all the same
    with pytest.raises(DeviceError):
        photo_jpeg(QImage())


def test_no_camera_here_so_the_photo_falls_back_with_a_label(qtbot: QtBot) -> None:
    modules = camera.multimedia()
    if modules is not None and modules[0].QMediaDevices.videoInputs():
        pytest.skip("this PC has a camera")
    assert available_cameras() == []
    devices = choose_devices(demo=True)
    assert isinstance(devices["photo"], DemoDevice) and devices["photo"].demo
    assert "tidak ada kamera" in devices["photo"].name
    assert isinstance(devices["signature"], SignaturePad)
    assert devices["finger"].demo and devices["iris"].demo
    step = BiometricStep(devices)
    qtbot.addWidget(step)
    assert step.current == "photo"
    assert "tidak ada kamera" in step.device_label.text()
    assert step.findChild(type(step.summary), "demo_mark") is not None
    with pytest.raises(DeviceError):  # asked for one all the same: says so
        CameraDevice().capture("photo")
    outside_demo = choose_devices(demo=False)
    assert set(outside_demo) == {"signature"}  # no synthetic images outside the demo


def test_a_camera_where_present_is_the_photo_device(qtbot: QtBot) -> None:
    devices = choose_devices(demo=True, cameras=["Kamera Loket 1"])
    photo = devices["photo"]
    assert isinstance(photo, CameraDevice) and not photo.demo
    assert photo.camera == "Kamera Loket 1" and "Kamera Loket 1" in photo.name
    chosen = choose_devices(demo=False, plugins={"finger": DemoDevice("sdk")}, cameras=[])
    assert set(chosen) == {"finger", "signature"}


def test_without_qt_multimedia_there_is_no_camera(monkeypatch: pytest.MonkeyPatch) -> None:
    """No PySide6-Addons, or no libpulse.so.0 (Qt Multimedia's on Linux): no camera, no
    error."""

    def missing(name: str) -> object:
        raise ImportError(f"libpulse.so.0: cannot open shared object file ({name})")

    monkeypatch.setattr(camera, "_tried", False)
    monkeypatch.setattr(camera, "_loaded", None)
    monkeypatch.setattr(camera.importlib, "import_module", missing)
    assert camera.multimedia() is None and available_cameras() == []
    assert "photo" not in choose_devices(demo=False)
