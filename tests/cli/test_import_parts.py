"""`queue import` with biometric parts: each line's ``attachments`` (image files relative to the
import file) and ``exceptions`` (reasons), checked as at the counter, stored encrypted, saved
with the entry; counted by `queue status --json` (``attachments_pending``, ``bytes_pending``)."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from pathlib import Path

from ektp_station.devtools.images import demo_parts, fingerprint_png
from ektp_station.domain.biometrics import FINGERS, PARTS
from ektp_station.store import Queue

from .support import Result
from factories import make_record

Cli = Callable[..., Result]


@cache
def images(seed: int) -> dict[str, bytes]:
    return demo_parts(("import", seed))


def write_parts(folder: Path, seed: int, skip: tuple[str, ...] = ()) -> dict[str, str]:
    """The resident's images as files under ``folder/scan-<seed>/``; names relative to
    ``folder``."""
    target = folder / f"scan-{seed}"
    target.mkdir(parents=True, exist_ok=True)
    names = {}
    for part, data in images(seed).items():
        if part in skip:
            continue
        suffix = ".jpg" if part == "photo" else ".png"
        (target / f"{part}{suffix}").write_bytes(data)
        names[part] = f"scan-{seed}/{part}{suffix}"
    return names


def write_lines(path: Path, records: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def test_parts_are_imported_with_their_entry_and_counted(
    cli: Cli, station: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "impor"
    complete = {**make_record(1), "attachments": write_parts(folder, 1)}
    excepted = {
        **make_record(2),
        "attachments": write_parts(folder, 2, skip=("finger_l5", "iris_l")),
        "exceptions": {"finger_l5": "missing", "iris_l": "mata palsu"},
    }
    partial = {**make_record(3), "attachments": write_parts(folder, 3, skip=FINGERS)}
    biodata_only = make_record(4)
    source = write_lines(folder / "hari-ini.jsonl", [complete, excepted, partial, biodata_only])

    result = cli("--data-dir", station, "queue", "import", source, "--json")
    assert result.rc == 0, result.out + result.err
    report = result.json()
    assert report["imported"] == 4 and report["rejected"] == 0
    warnings = {line["line"]: [w["code"] for w in line["warnings"]] for line in report["lines"]}
    assert warnings == {1: [], 2: [], 3: ["parts_incomplete"], 4: []}
    assert "10 bagian" in report["lines"][2]["warnings"][0]["message"]

    status = cli("--data-dir", station, "queue", "status", "--json").json()
    sizes = [len(images(1)[p]) for p in PARTS]
    sizes += [len(images(2)[p]) for p in PARTS if p not in ("finger_l5", "iris_l")]
    sizes += [len(images(3)[p]) for p in PARTS if p not in FINGERS]
    assert status["attachments_pending"] == len(sizes) == 14 + 12 + 4
    assert status["bytes_pending"] == sum(sizes)

    queue = Queue.open(station)
    try:
        by_nik = {e.record["nik"]: e for e in queue.iter_entries()}
        second = queue.parts(by_nik[make_record(2)["nik"]].seq)
        reasons = {p.part: (p.reason, p.note) for p in second if not p.captured}
        assert reasons == {"finger_l5": ("missing", ""), "iris_l": ("other", "mata palsu")}
        assert queue.parts(by_nik[make_record(4)["nik"]].seq) == []
    finally:
        queue.close()
    stored = [p for p in (station / "attachments").rglob("*.part")]
    assert len(stored) == 30  # every image once
    marker = images(1)["finger_r1"][40:80]
    assert all(marker not in p.read_bytes() for p in stored)


def test_a_bad_part_rejects_its_line_and_stores_nothing(
    cli: Cli, station: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "impor"
    low_dpi = write_parts(folder, 5)
    (folder / "scan-5" / "finger_r2.png").write_bytes(fingerprint_png("x", dpi=300))
    outside = tmp_path / "rahasia.png"
    outside.write_bytes(images(6)["finger_r1"])
    escaping = {**write_parts(folder, 6), "finger_r1": "../rahasia.png"}
    lines = [
        {**make_record(5), "attachments": low_dpi},
        {**make_record(6), "attachments": escaping},
        {**make_record(7), "attachments": {"nose": "scan-5/photo.jpg"}},
        {**make_record(8), "exceptions": {"photo": "injured"}},
        {
            **make_record(9),
            "attachments": {"photo": "scan-5/photo.jpg"},
            "exceptions": {"photo": "x"},
        },
        {**make_record(10), "attachments": ["scan-5/photo.jpg"]},
        {**make_record(11), "attachments": {"photo": "tidak-ada.jpg"}},
    ]
    source = write_lines(folder / "salah.jsonl", lines)
    result = cli("--data-dir", station, "queue", "import", source, "--json")
    assert result.rc == 1
    report = result.json()
    assert report["imported"] == 0
    errors = {
        line["line"]: [(e["field"], e["code"]) for e in line["errors"]] for line in report["lines"]
    }
    assert errors[1] == [("finger_r2", "part_resolution")]
    assert errors[2] == [("finger_r1", "attachment_file")]  # never read from outside
    assert errors[3] == [("nose", "part_unknown")]
    assert errors[4] == [("photo", "part_not_excepted")]
    assert ("photo", "part_twice") in errors[5]
    assert errors[6] == [("attachments", "attachments_format")]
    assert errors[7] == [("photo", "attachment_file")]
    assert not list((station / "attachments").rglob("*.part"))  # nothing stored
    status = cli("--data-dir", station, "queue", "status", "--json").json()
    assert status["attachments_pending"] == 0 and status["bytes_pending"] == 0
