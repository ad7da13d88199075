"""Render ``resources/icons/ektp-station.svg`` into the PNG, the Windows ``.ico`` and the Linux
icon copy (``packaging/linux/``). Qt only (no Pillow): run it after changing the SVG and commit
the results::

    QT_QPA_PLATFORM=offscreen .venv/bin/python packaging/make_icons.py
"""

from __future__ import annotations

import shutil
import struct
import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

ROOT = Path(__file__).resolve().parent.parent
ICONS = ROOT / "resources" / "icons"
SVG = ICONS / "ektp-station.svg"
PNG_SIZE = 256
#: Sizes in the .ico; the ones below 256 as classic DIBs (read everywhere), 256 as PNG.
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)


def render(renderer: QSvgRenderer, size: int) -> QImage:
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    return image


def png_bytes(image: QImage) -> bytes:
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice

    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    buffer.close()
    return bytes(data.data())


def dib_bytes(image: QImage) -> bytes:
    """A 32-bit BGRA DIB as an .ico entry wants it: bottom-up, doubled height, AND mask."""
    size = image.width()
    rows = image.convertToFormat(QImage.Format.Format_ARGB32).flipped(Qt.Orientation.Vertical)
    header = struct.pack("<IiiHHIIiiII", 40, size, size * 2, 1, 32, 0, 0, 0, 0, 0, 0)
    pixels = b"".join(bytes(rows.constScanLine(y))[: size * 4] for y in range(size))
    mask_row = ((size + 31) // 32) * 4
    return header + pixels + b"\0" * (mask_row * size)


def ico_bytes(images: dict[int, QImage]) -> bytes:
    entries = [
        (size, png_bytes(img) if size >= 256 else dib_bytes(img)) for size, img in images.items()
    ]
    offset = 6 + 16 * len(entries)
    head = struct.pack("<HHH", 0, 1, len(entries))
    directory = b""
    for size, blob in entries:
        dim = 0 if size >= 256 else size
        directory += struct.pack("<BBBBHHII", dim, dim, 0, 0, 1, 32, len(blob), offset)
        offset += len(blob)
    return head + directory + b"".join(blob for _size, blob in entries)


def main() -> int:
    _app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    renderer = QSvgRenderer(str(SVG))
    if not renderer.isValid():
        sys.stderr.write(f"cannot read {SVG}\n")
        return 1
    render(renderer, PNG_SIZE).save(str(ICONS / "ektp-station.png"), "PNG")
    images = {size: render(renderer, size) for size in ICO_SIZES}
    (ICONS / "ektp-station.ico").write_bytes(ico_bytes(images))
    shutil.copyfile(SVG, ROOT / "packaging" / "linux" / "ektp-station.svg")
    shutil.copyfile(ICONS / "ektp-station.png", ROOT / "packaging" / "linux" / "ektp-station.png")
    sys.stdout.write(f"icons written under {ICONS} and packaging/linux/\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
