"""The face photo from a camera, through Qt Multimedia (the optional ``camera`` extra).

Qt Multimedia is in PySide6-Addons, not in the Essentials the window needs, and on Linux it
also wants the system's PulseAudio library: it is loaded by name when first asked for, and
where it cannot be the station has no camera (:func:`available_cameras` is empty) and the photo
comes from the file or demo device (``gui.capture``). The bundle leaves Qt Multimedia out
(``packaging/ektp-station.spec``), so a bundled station has no camera either.

:class:`CameraDevice` shows the camera's live picture in a small dialog: **Space** takes the
picture, **Esc** cancels. :func:`photo_jpeg` turns what the camera gave into the ``photo``
part: cut to the 3:4 portrait ICAO wants around the centre, at least 480×640, colour JPEG
(``domain.biometrics.PART_SPECS``).
"""

from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from PySide6.QtCore import (
    QBuffer,
    QByteArray,
    QCoreApplication,
    QIODevice,
    QLoggingCategory,
    QRect,
    Qt,
)
from PySide6.QtGui import QImage, QKeyEvent
from PySide6.QtWidgets import QApplication, QDialog, QLabel, QVBoxLayout, QWidget

from .devices import DeviceError
from .fields import ERROR_COLOUR

__all__ = [
    "PHOTO_MAX",
    "PHOTO_MIN",
    "CameraDevice",
    "CameraDialog",
    "available_cameras",
    "multimedia",
    "photo_jpeg",
]

log = logging.getLogger(__name__)

#: The photo's size bounds (portrait 3:4): at least what the part wants, at most what keeps
#: the file small (a 1080p camera's portrait cut, 810×1080, stays as it is).
PHOTO_MIN = (480, 640)
PHOTO_MAX = (900, 1200)
_JPEG_QUALITY = 90

_loaded: tuple[ModuleType, ModuleType] | None = None
_tried = False


def multimedia() -> tuple[ModuleType, ModuleType] | None:
    """``(QtMultimedia, QtMultimediaWidgets)``, or None where they cannot be loaded (not
    installed, or a system library missing); tried once."""
    global _loaded, _tried
    if not _tried:
        _tried = True
        # Qt Multimedia's own chatter at load (optional codecs it looked for, the FFmpeg
        # version) is not for the counter's terminal; QT_LOGGING_RULES still overrides
        QLoggingCategory.setFilterRules(
            "qt.multimedia.symbolsresolver*=false\nqt.multimedia.ffmpeg.info=false"
        )
        try:
            _loaded = (
                importlib.import_module("PySide6.QtMultimedia"),
                importlib.import_module("PySide6.QtMultimediaWidgets"),
            )
        except ImportError as exc:  # no PySide6-Addons, or e.g. libpulse.so.0 missing
            log.info("no camera support: %s", exc.__class__.__name__)
            _loaded = None
    return _loaded


def available_cameras() -> list[str]:
    """The cameras this PC has, by their description (empty without Qt Multimedia)."""
    modules = multimedia()
    if modules is None:
        return []
    return [str(device.description()) for device in modules[0].QMediaDevices.videoInputs()]


def photo_jpeg(image: QImage) -> bytes:
    """The ``photo`` part from a camera's picture: the largest 3:4 portrait around its centre,
    scaled into :data:`PHOTO_MIN` … :data:`PHOTO_MAX`, as a colour JPEG."""
    if image.isNull():
        raise DeviceError(
            QCoreApplication.translate("CameraDevice", "Kamera tidak memberi gambar; ambil lagi.")
        )
    width, height = image.width(), image.height()
    if width * 4 > height * 3:  # wider than 3:4: cut the sides
        crop_w, crop_h = height * 3 // 4, height
    else:  # taller: cut top and bottom
        crop_w, crop_h = width, width * 4 // 3
    portrait = image.copy(QRect((width - crop_w) // 2, (height - crop_h) // 2, crop_w, crop_h))
    target_h = min(max(crop_h, PHOTO_MIN[1]), PHOTO_MAX[1])
    if target_h != crop_h or crop_w * 4 != crop_h * 3:
        portrait = portrait.scaled(
            target_h * 3 // 4,
            target_h,
            Qt.AspectRatioMode.IgnoreAspectRatio,
            Qt.TransformationMode.SmoothTransformation,
        )
    portrait = portrait.convertToFormat(QImage.Format.Format_RGB888)  # 3 channels, always
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    saved = portrait.save(buffer, "JPEG", _JPEG_QUALITY)  # type: ignore[call-overload]  # a str at run time
    buffer.close()
    if not saved:
        raise DeviceError(
            QCoreApplication.translate(
                "CameraDevice", "Foto tidak dapat disimpan sebagai JPEG; ambil lagi."
            )
        )
    return bytes(data.data())


class CameraDialog(QDialog):
    """The camera's live picture: Space takes it, Esc cancels. ``image`` holds the taken
    picture once accepted."""

    def __init__(self, camera_device: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        modules = multimedia()
        assert modules is not None, "CameraDialog without Qt Multimedia"
        qtmm, widgets = modules
        self.setObjectName("camera_dialog")
        self.setWindowTitle(self.tr("Foto wajah"))
        self.image = QImage()
        layout = QVBoxLayout(self)
        self.view = widgets.QVideoWidget()
        self.view.setMinimumSize(480, 360)
        layout.addWidget(self.view, 1)
        keys = QLabel(self.tr("Spasi: ambil foto · Esc: batal"))
        layout.addWidget(keys)
        self.message = QLabel()
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        self.camera = qtmm.QCamera(camera_device)
        self.session = qtmm.QMediaCaptureSession()
        self.capture = qtmm.QImageCapture()
        self.session.setCamera(self.camera)
        self.session.setImageCapture(self.capture)
        self.session.setVideoOutput(self.view)
        self.capture.imageCaptured.connect(self._captured)
        self.capture.errorOccurred.connect(self._failed)
        self.camera.errorOccurred.connect(self._failed)
        self.camera.start()
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setFocus()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Space:
            if self.capture.isReadyForCapture():
                self.message.clear()
                self.capture.capture()
            else:
                self._say(self.tr("Kamera belum siap; tunggu sebentar lalu tekan Spasi."))
            return
        super().keyPressEvent(event)  # Esc: reject

    def _captured(self, _id: int, image: QImage) -> None:
        self.image = image
        self.accept()

    def _failed(self, *args: object) -> None:
        text = next((str(a) for a in reversed(args) if isinstance(a, str) and a), "")
        log.warning("camera error")  # its text may name the device only, but keep logs plain
        self._say(self.tr("Kamera bermasalah: {reason}").format(reason=text or "?"))

    def _say(self, text: str) -> None:
        self.message.setText(text)
        self.message.setStyleSheet(f"color: {ERROR_COLOUR};")

    def done(self, result: int) -> None:
        self.camera.stop()
        super().done(result)


@dataclass
class CameraDevice:
    """The ``photo`` device: the camera described as ``camera`` (the first one by default)."""

    camera: str = ""
    name: str = ""
    demo: bool = False

    def __post_init__(self) -> None:
        if not self.name:
            label = self.camera or (available_cameras() or [""])[0]
            self.name = QCoreApplication.translate("CameraDevice", "Kamera {name}").format(
                name=label
            )

    def _device(self) -> Any:
        modules = multimedia()
        inputs = list(modules[0].QMediaDevices.videoInputs()) if modules is not None else []
        for device in inputs:
            if not self.camera or str(device.description()) == self.camera:
                return device
        raise DeviceError(
            QCoreApplication.translate(
                "CameraDevice", "Kamera tidak ditemukan; pasang kameranya lalu tekan Spasi lagi."
            )
        )

    def capture(self, part: str) -> bytes:
        if part != "photo":
            raise DeviceError(
                QCoreApplication.translate("CameraDevice", "Kamera hanya mengambil foto wajah.")
            )
        parent = QApplication.activeModalWidget() or QApplication.activeWindow()
        dialog = CameraDialog(self._device(), parent)
        try:
            if dialog.exec() != QDialog.DialogCode.Accepted:
                raise DeviceError(
                    QCoreApplication.translate(
                        "CameraDevice",
                        "Foto dibatalkan; tidak ada yang diambil. Tekan Spasi untuk mencoba lagi.",
                    )
                )
            return photo_jpeg(dialog.image)
        finally:
            dialog.deleteLater()
