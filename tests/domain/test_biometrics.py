"""Each biometric part checked from its image's headers: format, integrity, pixels, colour,
resolution and size, with a message that says what to fix; reasons for a part left out; the
set complete only when every part is captured or excepted. Garbage never raises."""

from __future__ import annotations

import struct
import zlib
from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ektp_station.devtools.images import (
    demo_parts,
    fingerprint_png,
    iris_png,
    photo_jpeg,
    png,
    signature_png,
)
from ektp_station.domain.biometrics import (
    PART_SPECS,
    PARTS,
    ImageError,
    check_exception,
    check_part,
    inspect_image,
    missing_parts,
)
from ektp_station.domain.problems import Problem


@cache
def parts() -> dict[str, bytes]:
    return demo_parts("test-resident")


def codes(problems: list[Problem]) -> list[str]:
    return [p.code for p in problems]


def test_every_demo_part_passes_and_reads_as_it_was_made() -> None:
    for part, data in parts().items():
        assert check_part(part, data) == [], part
    finger = inspect_image(parts()["finger_r1"])
    assert (finger.width, finger.height, finger.channels, finger.bit_depth) == (256, 360, 1, 8)
    assert finger.dpi is not None and round(finger.dpi[0]) == 500
    photo = inspect_image(parts()["photo"])
    assert (photo.media_type, photo.width, photo.height, photo.channels) == (
        "image/jpeg",
        480,
        640,
        3,
    )


def test_the_wrong_kind_of_image_says_which_is_wanted() -> None:
    problems = check_part("photo", parts()["finger_r1"])
    assert codes(problems) == ["part_format"]
    assert problems[0].message() == (
        "Foto wajah: gambar harus berformat JPEG; ambil ulang dengan alat yang benar."
    )
    assert codes(check_part("finger_l3", parts()["photo"])) == ["part_format"]
    rgb = png(256, 360, [b"\x80" * 256 * 3] * 360, channels=3, dpi=500)
    assert codes(check_part("finger_l3", rgb)) == ["part_greyscale"]


def test_resolution_and_size_name_the_numbers() -> None:
    at_300 = fingerprint_png(1, dpi=300)
    problems = check_part("finger_r2", at_300)
    assert codes(problems) == ["part_resolution"]
    assert "500 dpi (sekarang 300)" in problems[0].message()
    undeclared = png(256, 360, [b"\x80" * 256] * 360, dpi=None)
    assert "sekarang ?" in check_part("finger_r2", undeclared)[0].message()
    assert codes(check_part("finger_r2", fingerprint_png(1, dpi=504))) == []  # within 1 %
    small = check_part("iris_l", iris_png(1, width=320, height=240))
    assert codes(small) == ["part_too_small"]
    assert "640×480" in small[0].message() and "320×240" in small[0].message()
    assert codes(check_part("photo", photo_jpeg(1, width=240, height=320))) == ["part_too_small"]
    huge = signature_png(1) + b"\x00" * PART_SPECS["signature"].max_bytes
    assert codes(check_part("signature", huge)) == ["part_too_large"]


def test_a_cut_or_changed_file_is_damaged_and_garbage_unreadable() -> None:
    finger = parts()["finger_r1"]
    assert codes(check_part("finger_r1", finger[: len(finger) // 2])) == ["part_damaged"]
    changed = bytearray(finger)
    changed[200] ^= 0xFF  # inside the image data: its chunk's CRC no longer matches
    assert codes(check_part("finger_r1", bytes(changed))) == ["part_damaged"]
    photo = parts()["photo"]
    assert codes(check_part("photo", photo[:-100])) == ["part_damaged"]
    assert codes(check_part("photo", b"GIF89a" + b"\x00" * 100)) == ["part_unreadable"]
    assert codes(check_part("nose", photo)) == ["part_unknown"]


def test_no_message_repeats_anything_of_the_image() -> None:
    for data in (b"\x89PNG\r\n\x1a\n" + b"RESIDENT" * 10, b"\xff\xd8\xff" + b"RESIDENT" * 10):
        for problem in check_part("photo", data):
            assert "RESIDENT" not in problem.message() + problem.message("en")


def _png_chunks(data: bytes) -> list[bytes]:
    chunks, pos = [], 8
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        chunks.append(data[pos : pos + 12 + length])
        pos += 12 + length
    return chunks


@settings(max_examples=300, deadline=None)
@given(
    which=st.sampled_from(["finger_r1", "photo", "signature"]),
    cut=st.integers(0, 2000),
    flips=st.lists(st.tuples(st.integers(0, 4000), st.integers(1, 255)), max_size=4),
    noise=st.binary(max_size=64),
)
def test_any_mangled_image_is_a_problem_never_a_crash(
    which: str, cut: int, flips: list[tuple[int, int]], noise: bytes
) -> None:
    data = bytearray(parts()[which][: max(0, len(parts()[which]) - cut)])
    for at, mask in flips:
        if data:
            data[at % len(data)] ^= mask
    mangled = bytes(data) + noise
    try:
        inspect_image(mangled)
    except ImageError as exc:
        assert exc.code in ("part_unreadable", "part_damaged")
    for problem in check_part(which, mangled):
        assert problem.code.startswith("part_")


def test_a_png_with_a_lying_chunk_length_is_damaged() -> None:
    chunks = _png_chunks(parts()["signature"])
    ihdr = chunks[0]
    huge = struct.pack(">I", 2**31) + ihdr[4:]
    with pytest.raises(ImageError):
        inspect_image(b"\x89PNG\r\n\x1a\n" + huge)
    body = b"\x00" * 13
    bad_header = (
        struct.pack(">I", 13) + b"IHDR" + body + struct.pack(">I", zlib.crc32(b"IHDR" + body))
    )
    with pytest.raises(ImageError):
        inspect_image(b"\x89PNG\r\n\x1a\n" + bad_header + chunks[-1])  # 0×0 pixels


def test_reasons_for_a_part_left_out() -> None:
    assert check_exception("finger_r1", "missing") == ("missing", "")
    assert check_exception("iris_l", "  mata palsu sejak 2010 ") == (
        "other",
        "mata palsu sejak 2010",
    )
    assert check_exception("signature", "unable") == ("unable", "")
    photo = check_exception("photo", "injured")
    assert isinstance(photo, Problem) and photo.code == "part_not_excepted"
    for empty in ("", "   ", None, 3, "x" * 201):
        problem = check_exception("finger_l5", empty)
        assert isinstance(problem, Problem) and problem.code == "exception_reason"
    unknown = check_exception("toe_r1", "missing")
    assert isinstance(unknown, Problem) and unknown.code == "part_unknown"


@pytest.mark.parametrize(
    ("part", "reason"),
    [
        ("finger_r2", "unable"),
        ("iris_r", "unable"),
        ("signature", "missing"),
        ("signature", "injured"),
        ("signature", "unreadable"),
    ],
)
def test_a_reason_that_does_not_fit_the_part_is_refused(part: str, reason: str) -> None:
    """ "Cannot sign" is the signature's reason; amputated, injured, unreadable are a finger's
    or an eye's: the other way round says nothing true about the resident."""
    problem = check_exception(part, reason)
    assert isinstance(problem, Problem) and problem.code == "exception_not_for_part"
    assert problem.message("id").endswith(".") and "pilih salah satu" in problem.message("id")


def test_complete_when_every_part_is_captured_or_excepted() -> None:
    assert missing_parts(PARTS, []) == []
    assert missing_parts(["photo", "signature"], ["iris_r", "iris_l"]) == list(PARTS[2:12])
    assert missing_parts([], []) == list(PARTS)
    assert len(PARTS) == 14 and PARTS[0] == "photo"
