"""The biometric parts of a recording ("perekaman"): what each part is, how its image is
checked at capture, and when a resident's set of parts is complete (docs/biometrics.md).

A recording has fourteen parts: the face photo, the signature, ten fingerprints and two
irises. Each part is either captured (an image that passes its checks) or excepted with a
reason (a finger that is missing or injured, a resident who cannot sign); the face photo is
never excepted. An entry is complete when every part is one or the other.

Images are checked from their headers, never decoded: the format and its integrity (every
PNG chunk's CRC, the JPEG's markers through to its end), the size in pixels, the colour
model, the declared resolution and the file size. A decoder is a large attack surface for a
file that came from a USB stick; the counter's preview decodes with Qt, separately.

Pure Python (stdlib only), like the rest of :mod:`ektp_station.domain`.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .problems import Problem, make_problem

__all__ = [
    "EXCEPTABLE",
    "EXCEPTION_REASONS",
    "FINGERS",
    "MAX_NOTE",
    "PARTS",
    "PART_SPECS",
    "ImageInfo",
    "PartSpec",
    "check_exception",
    "check_part",
    "inspect_image",
    "missing_parts",
    "reasons_for",
    "size_problem",
]

FINGERS: tuple[str, ...] = tuple(f"finger_{hand}{n}" for hand in "rl" for n in range(1, 6))
#: Every part, in the order the counter captures them.
PARTS: tuple[str, ...] = ("photo", "signature", *FINGERS, "iris_r", "iris_l")
#: Parts that may be left out with a reason (never the face photo).
EXCEPTABLE: frozenset[str] = frozenset(PARTS) - {"photo"}
#: The reasons a part may be left out (labels: ``vocabulary.EXCEPTION_LABELS``); any other
#: text is kept as the note of an "other" reason.
EXCEPTION_REASONS: tuple[str, ...] = ("missing", "injured", "unreadable", "unable", "other")
MAX_NOTE = 200

_DPI_TOLERANCE = 0.01  # 500 dpi ± 1 %, as ISO/IEC 19794-4 allows for the scan resolution
_INCH_PER_METRE = 0.0254


@dataclass(frozen=True)
class PartSpec:
    """What an image of one kind of part must be (sources: docs/biometrics.md)."""

    media_type: str  # "image/jpeg" or "image/png"
    min_width: int
    min_height: int
    max_bytes: int
    greyscale: bool = False  # 8-bit greyscale, one channel
    colour: bool = False  # three colour channels
    dpi: int | None = None  # the declared scan resolution

    @property
    def format_name(self) -> str:
        return "JPEG" if self.media_type == "image/jpeg" else "PNG"


_FINGER = PartSpec("image/png", 256, 360, 2 * 1024 * 1024, greyscale=True, dpi=500)
_IRIS = PartSpec("image/png", 640, 480, 2 * 1024 * 1024, greyscale=True)

PART_SPECS: Mapping[str, PartSpec] = {
    "photo": PartSpec("image/jpeg", 480, 640, 4 * 1024 * 1024, colour=True),
    "signature": PartSpec("image/png", 400, 150, 1024 * 1024),
    **dict.fromkeys(FINGERS, _FINGER),
    "iris_r": _IRIS,
    "iris_l": _IRIS,
}


@dataclass(frozen=True)
class ImageInfo:
    media_type: str
    width: int
    height: int
    channels: int  # 1 greyscale, 3 colour (2 and 4: with alpha)
    bit_depth: int
    dpi: tuple[float, float] | None  # as declared in the file, if it declares one


class ImageError(ValueError):
    """Not an image this station takes: ``code`` is "part_unreadable" or "part_damaged"."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_PNG_CHANNELS = {0: 1, 2: 3, 3: 3, 4: 2, 6: 4}  # colour type -> channels (3: a palette)


def _inspect_png(data: bytes) -> ImageInfo:
    pos = len(_PNG_SIGNATURE)
    header: tuple[int, ...] | None = None
    dpi: tuple[float, float] | None = None
    while True:
        if pos + 12 > len(data):
            raise ImageError("part_damaged")  # cut before IEND
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        end = pos + 12 + length
        if end > len(data):
            raise ImageError("part_damaged")
        body = data[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length : end])
        if zlib.crc32(kind + body) != crc:
            raise ImageError("part_damaged")
        if header is None:
            if kind != b"IHDR" or length != 13:
                raise ImageError("part_unreadable")
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"pHYs" and length == 9:
            x, y, unit = struct.unpack(">IIB", body)
            if unit == 1:  # pixels per metre
                dpi = (x * _INCH_PER_METRE, y * _INCH_PER_METRE)
        elif kind == b"IEND":
            break
        pos = end
    width, height, depth, colour_type = header[:4]
    if colour_type not in _PNG_CHANNELS or not width or not height:
        raise ImageError("part_unreadable")
    return ImageInfo("image/png", width, height, _PNG_CHANNELS[colour_type], depth, dpi)


_SOF = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}  # start-of-frame markers
_STANDALONE = frozenset({0x01, *range(0xD0, 0xD8)})  # markers without a length


def _inspect_jpeg(data: bytes) -> ImageInfo:
    if not data.rstrip(b"\x00").endswith(b"\xff\xd9"):
        raise ImageError("part_damaged")  # no end-of-image marker: cut short
    pos = 2
    frame: tuple[int, int, int, int] | None = None
    dpi: tuple[float, float] | None = None
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            raise ImageError("part_damaged")
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker in _STANDALONE:
            pos += 2
            continue
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        body = data[pos + 4 : pos + 2 + length]
        if length < 2 or len(body) != length - 2:
            raise ImageError("part_damaged")
        if marker == 0xE0 and body[:5] == b"JFIF\x00" and len(body) >= 12:
            units, x, y = struct.unpack(">BHH", body[7:12])
            if units == 1 and x and y:
                dpi = (float(x), float(y))
            elif units == 2 and x and y:  # dots per centimetre
                dpi = (x * 2.54, y * 2.54)
        elif marker in _SOF and len(body) >= 6:
            precision, height, width, channels = struct.unpack(">BHHB", body[:6])
            frame = (width, height, channels, precision)
        elif marker == 0xDA:  # start of scan: the compressed data follows
            break
        pos += 2 + length
    if frame is None or not frame[0] or not frame[1]:
        raise ImageError("part_unreadable")
    width, height, channels, precision = frame
    return ImageInfo("image/jpeg", width, height, channels, precision, dpi)


def inspect_image(data: bytes) -> ImageInfo:
    """What the image's headers say; ImageError when it is no PNG or JPEG, or is cut short
    or damaged."""
    if data.startswith(_PNG_SIGNATURE):
        return _inspect_png(data)
    if data.startswith(b"\xff\xd8\xff"):
        return _inspect_jpeg(data)
    raise ImageError("part_unreadable")


def check_part(part: str, data: bytes) -> list[Problem]:
    """The problems of ``data`` as the image of ``part`` (none: it may be stored)."""
    spec = PART_SPECS.get(part)
    if spec is None:
        return [make_problem(part, "part_unknown")]
    too_large = size_problem(part, len(data))
    if too_large is not None:
        return [too_large]
    try:
        info = inspect_image(data)
    except ImageError as exc:
        return [make_problem(part, exc.code)]
    if info.media_type != spec.media_type:
        return [make_problem(part, "part_format", expected=spec.format_name)]
    problems: list[Problem] = []
    if spec.greyscale and (info.channels != 1 or info.bit_depth != 8):
        problems.append(make_problem(part, "part_greyscale"))
    if spec.colour and info.channels != 3:
        problems.append(make_problem(part, "part_format", expected="JPEG (YCbCr)"))
    if info.width < spec.min_width or info.height < spec.min_height:
        problems.append(
            make_problem(
                part,
                "part_too_small",
                min_width=spec.min_width,
                min_height=spec.min_height,
                width=info.width,
                height=info.height,
            )
        )
    if spec.dpi is not None:
        found = info.dpi
        low, high = spec.dpi * (1 - _DPI_TOLERANCE), spec.dpi * (1 + _DPI_TOLERANCE)
        if found is None or not all(low <= d <= high for d in found):
            shown = "?" if found is None else str(round(min(found)))
            problems.append(make_problem(part, "part_resolution", dpi=spec.dpi, found=shown))
    return problems


def size_problem(part: str, size: int) -> Problem | None:
    """The problem of a file of ``size`` bytes for ``part`` being too large, if it is (an
    import asks before it reads the file at all)."""
    spec = PART_SPECS[part]
    if size <= spec.max_bytes:
        return None
    return make_problem(part, "part_too_large", max_kb=spec.max_bytes // 1024, kb=-(-size // 1024))


def check_exception(part: str, reason: object) -> tuple[str, str] | Problem:
    """``(reason code, note)`` for a part left out, or the problem: a listed reason code
    stands for itself; other text (at most MAX_NOTE characters) is an "other" reason's note."""
    if part not in PART_SPECS:
        return make_problem(part, "part_unknown")
    if part not in EXCEPTABLE:
        return make_problem(part, "part_not_excepted")
    text = reason.strip() if isinstance(reason, str) else ""
    if not text or len(text) > MAX_NOTE:
        return make_problem(part, "exception_reason", max=MAX_NOTE)
    if text in EXCEPTION_REASONS:
        if text not in reasons_for(part):
            return make_problem(
                part, "exception_not_for_part", reasons=", ".join(reasons_for(part))
            )
        return text, ""
    return "other", text


def reasons_for(part: str) -> tuple[str, ...]:
    """The reasons a part may be left out for: a signature only when the resident cannot
    sign (``unable``, or another reason told in words); a finger or an iris when it is
    missing, injured or unreadable (or another reason); the photo never."""
    if part not in EXCEPTABLE:
        return ()
    if part == "signature":
        return ("unable", "other")
    return ("missing", "injured", "unreadable", "other")


def missing_parts(captured: Iterable[str], excepted: Iterable[str]) -> list[str]:
    """The parts neither captured nor excepted, in capture order (empty: complete)."""
    done = set(captured) | set(excepted)
    return [part for part in PARTS if part not in done]
