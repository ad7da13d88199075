"""Capture devices behind one small interface per kind of part (docs/biometrics.md).

A device takes one part's image and returns its bytes (PNG or JPEG, as ``domain.biometrics``
checks it): ``capture(part) -> bytes``, raising :class:`DeviceError` with a message for the
operator when it cannot (no finger on the glass, the scanner unplugged). A station has one
device per kind: ``photo`` (a camera), ``signature`` (a pad), ``finger`` and ``iris``
(scanners). Here:

- :class:`DemoDevice`: synthetic images (``devtools.images``), marked as demo in the window;
- :class:`FileDevice`: images a scanner's own program wrote into a folder
  (``<folder>/<part>.png`` or ``.jpg``), for scanners without a plug-in.

Beside them: the signature pad (``gui.signature.SignaturePad``) and the camera
(``gui.camera.CameraDevice``, Qt Multimedia where it is installed); ``gui.capture`` chooses
one per kind. A vendor's fingerprint or iris SDK plugs in as another class with the same
members (``name``, ``demo`` and ``capture``; docs/biometrics.md, "Writing a plug-in"); no
vendor SDK is in reach here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from ..devtools.images import fingerprint_png, iris_png, photo_jpeg, signature_png

__all__ = [
    "KINDS",
    "CaptureDevice",
    "DemoDevice",
    "DeviceError",
    "FileDevice",
    "demo_devices",
    "kind_of",
]

KINDS = ("photo", "signature", "finger", "iris")


def kind_of(part: str) -> str:
    """The kind of device a part is taken with."""
    return part.split("_")[0] if part.startswith(("finger_", "iris_")) else part


class DeviceError(Exception):
    """The device did not give an image; ``message`` says what to do (Bahasa Indonesia)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class CaptureDevice(Protocol):
    name: str
    demo: bool

    def capture(self, part: str) -> bytes: ...


@dataclass
class DemoDevice:
    """Plausible synthetic images, different at each capture (``seed`` + a counter)."""

    seed: object = "demo"
    name: str = "Perangkat demo"
    demo: bool = True
    _taken: int = 0

    def capture(self, part: str) -> bytes:
        self._taken += 1
        key = (self.seed, part, self._taken)
        kind = kind_of(part)
        if kind == "photo":
            return photo_jpeg(key)
        if kind == "signature":
            return signature_png(key)
        if kind == "finger":
            return fingerprint_png(key)
        return iris_png(key)


@dataclass
class FileDevice:
    """The image a scanner's own program saved as ``<folder>/<part>.png`` (or ``.jpg``)."""

    folder: Path
    name: str = "Berkas dari alat"
    demo: bool = False

    def capture(self, part: str) -> bytes:
        for suffix in (".png", ".jpg", ".jpeg"):
            path = self.folder / f"{part}{suffix}"
            if path.is_file():
                return path.read_bytes()
        raise DeviceError(
            f"Belum ada berkas {part}.png atau {part}.jpg di {self.folder}; "
            "pindai dulu dengan program alatnya."
        )


def demo_devices(seed: object = "demo") -> Mapping[str, CaptureDevice]:
    """One demo device for every kind (the demo and the tests)."""
    device = DemoDevice(seed)
    return dict.fromkeys(KINDS, device)
