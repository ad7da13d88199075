"""Synthetic biometric images for the demo and the tests: plausible in size, format and
resolution, clearly marked as demo data, never a real person's.

Fingerprints, irises and signatures are 8-bit PNG written here with ``zlib`` (a PNG's
``tEXt`` chunk says ``ektp-station demo``); the face photo is a JPEG painted with Qt (only
where PySide6 is installed). Every image differs with its ``seed``, so two residents never
share a fingerprint by accident (the centre's duplicate check would flag them).
"""

from __future__ import annotations

import hashlib
import math
import struct
import zlib
from collections.abc import Iterable

from ..domain.biometrics import FINGERS, PARTS

__all__ = [
    "DEMO_MARK",
    "demo_parts",
    "fingerprint_png",
    "iris_png",
    "photo_jpeg",
    "png",
    "signature_png",
]

DEMO_MARK = "ektp-station demo (synthetic, not a person)"
_METRES_PER_INCH = 0.0254


def png(
    width: int,
    height: int,
    rows: Iterable[bytes],
    *,
    channels: int = 1,
    dpi: float | None = None,
    text: str | None = DEMO_MARK,
) -> bytes:
    """A PNG of ``rows`` (each ``width * channels`` bytes): 8-bit greyscale or RGB."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    colour_type = {1: 0, 3: 2}[channels]
    raw = b"".join(b"\x00" + row for row in rows)  # filter type 0 on every row
    out = [
        b"\x89PNG\r\n\x1a\n",
        chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0)),
    ]
    if dpi is not None:
        per_metre = round(dpi / _METRES_PER_INCH)
        out.append(chunk(b"pHYs", struct.pack(">IIB", per_metre, per_metre, 1)))
    if text:
        out.append(chunk(b"tEXt", b"Software\x00" + text.encode("latin-1")))
    out += [chunk(b"IDAT", zlib.compress(raw, 6)), chunk(b"IEND", b"")]
    return b"".join(out)


def _rng(seed: object) -> list[float]:
    """Eight numbers in [0, 1) from ``seed``."""
    digest = hashlib.sha256(repr(seed).encode()).digest()
    return [b / 256 for b in digest[:8]]


def fingerprint_png(
    seed: object, *, width: int = 256, height: int = 360, dpi: float = 500
) -> bytes:
    """Ridges curving round a core, ~9 px apart (a ridge period of 0.46 mm at 500 dpi)."""
    r = _rng(seed)
    cx, cy = width * (0.35 + 0.3 * r[0]), height * (0.35 + 0.3 * r[1])
    period = 8.0 + 2.0 * r[2]
    whorl = 0.5 + r[3]
    shade = bytes(int(128 + 110 * math.cos(2 * math.pi * i / 64)) for i in range(64))
    rows = []
    for y in range(height):
        dy = (y - cy) * whorl
        row = bytearray(width)
        for x in range(width):
            dx = x - cx
            distance = math.sqrt(dx * dx + dy * dy) + 6 * math.sin(x / 23 + r[4] * 6)
            row[x] = shade[int(distance / period * 64) % 64]
        rows.append(bytes(row))
    return png(width, height, rows, dpi=dpi)


def iris_png(seed: object, *, width: int = 640, height: int = 480) -> bytes:
    """A dark pupil, a textured iris ring, a light sclera: 640×480 8-bit, as ISO/IEC 19794-6
    has an iris camera's image."""
    r = _rng(seed)
    cx, cy = width / 2 + 20 * (r[0] - 0.5), height / 2 + 20 * (r[1] - 0.5)
    pupil, outer = 45 + 10 * r[2], 120 + 20 * r[3]
    spokes = 24 + int(16 * r[4])
    rows = []
    for y in range(height):
        row = bytearray(width)
        for x in range(width):
            dx, dy = x - cx, y - cy
            radius = math.hypot(dx, dy)
            if radius < pupil:
                row[x] = 20
            elif radius < outer:
                angle = math.atan2(dy, dx)
                texture = math.sin(angle * spokes + radius / 7) * math.cos(radius / 5)
                row[x] = int(95 + 45 * texture)
            else:
                row[x] = 210
        rows.append(bytes(row))
    return png(width, height, rows)


def signature_png(seed: object, *, width: int = 400, height: int = 150) -> bytes:
    """A dark, looping stroke on white (greyscale)."""
    r = _rng(seed)
    curve = [
        height / 2
        + 35 * math.sin(x / (14 + 8 * r[0]) + r[1] * 6)
        + 15 * math.sin(x / (5 + 3 * r[2]))
        for x in range(width)
    ]
    rows = []
    for y in range(height):
        rows.append(
            bytes(
                40 if abs(y - c) < 2.2 and 20 < x < width - 20 else 255 for x, c in enumerate(curve)
            )
        )
    return png(width, height, rows)


def photo_jpeg(seed: object, *, width: int = 480, height: int = 640) -> bytes:
    """A face-like drawing on the plain background an e-KTP photo has (red or blue), JPEG,
    with "DEMO" across it; needs PySide6 (QtGui, no application object)."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF
    from PySide6.QtGui import QColor, QImage, QImageWriter, QPainter

    r = _rng(seed)
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor("#c0392b") if r[0] < 0.5 else QColor("#2e64b5"))
    painter = QPainter(image)
    try:
        skin = QColor.fromHsvF(0.07, 0.35 + 0.2 * r[1], 0.55 + 0.35 * r[2])
        painter.setBrush(skin)
        painter.setPen(skin.darker(120))
        painter.drawEllipse(QRectF(width * 0.27, height * 0.18, width * 0.46, height * 0.46))
        painter.drawRect(QRectF(width * 0.40, height * 0.60, width * 0.20, height * 0.12))
        painter.setBrush(QColor("#222222"))
        painter.drawRect(QRectF(width * 0.12, height * 0.70, width * 0.76, height * 0.30))
        for eye in (0.40, 0.60):
            painter.drawEllipse(QRectF(width * eye - 12, height * 0.36, 24, 14))
        painter.setPen(QColor(255, 255, 255, 160))
        for i in range(5):  # "DEMO" without fonts: bars across the corner
            painter.drawLine(0, 30 + 12 * i, 110 - 12 * i, 0)
    finally:
        painter.end()
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.setText("Software", DEMO_MARK)
    writer = QImageWriter(buffer, QByteArray(b"jpeg"))
    writer.setQuality(85)
    if not writer.write(image):
        raise RuntimeError(f"JPEG not written: {writer.errorString()}")
    return bytes(buffer.data().data())


def demo_parts(seed: object) -> dict[str, bytes]:
    """Every part of one demo resident, each image unique to ``seed``."""
    parts = {"photo": photo_jpeg(seed), "signature": signature_png(seed)}
    for finger in FINGERS:
        parts[finger] = fingerprint_png((seed, finger))
    for eye in ("iris_r", "iris_l"):
        parts[eye] = iris_png((seed, eye))
    assert set(parts) == set(PARTS)
    return parts
