"""The USB bundle's whole path on the command line, as the README tells it: ``central
add-station`` (and ``central centre-key``), ``config set token / centre-key``, ``queue
import`` with parts, ``queue export-bundle -o``, ``central import-bundle --receipt``, ``queue
import-receipt``; the JSON keys scripts read; each refusal one translated line (exit 3)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from .support import STATION, Result
from .test_import_parts import write_lines, write_parts
from factories import make_record

Cli = Callable[..., Result]


def set_up(cli: Cli, station: Path, tmp_path: Path) -> tuple[str, str]:
    """The centre's database with this station registered; the station given its token and
    the centre key. Returns (database URL, centre key)."""
    url = f"sqlite:///{tmp_path / 'central.sqlite3'}"
    added = cli("central", "add-station", STATION, "--db", url)
    assert added.rc == 0
    token = added.out.strip()
    said = added.err.split("config set centre-key ")[1].split()[0]
    key = cli("central", "centre-key", "--db", url)
    assert key.rc == 0 and key.out.strip() == said and said.startswith("ektp-centre-1:")
    assert cli("--data-dir", station, "config", "set", "token", token).rc == 0
    assert cli("--data-dir", station, "config", "set", "centre-key", said).rc == 0
    return url, said


def test_the_whole_path_by_usb(cli: Cli, station: Path, tmp_path: Path) -> None:
    url, _key = set_up(cli, station, tmp_path)
    folder = tmp_path / "impor"
    records = [{**make_record(1), "attachments": write_parts(folder, 1)}, make_record(2)]
    source = write_lines(folder / "hari-ini.jsonl", records)
    assert cli("--data-dir", station, "queue", "import", source).rc == 0
    bundle, receipt = tmp_path / "usb" / "a.ektpbundle", tmp_path / "usb" / "a.ektpreceipt"
    bundle.parent.mkdir()

    exported = cli("--data-dir", station, "queue", "export-bundle", "-o", bundle, "--json")
    assert exported.rc == 0, exported.err
    data = exported.json()
    assert set(data) == {"path", "bundle_id", "entries", "parts", "bytes"}
    assert (data["entries"], data["parts"], data["bytes"]) == (2, 14, bundle.stat().st_size)
    assert "Ekspor: 2 dari 2 entri" in exported.err  # progress on the terminal
    assert not list(bundle.parent.glob("*.partial"))

    imported = cli("central", "import-bundle", bundle, "--receipt", receipt, "--db", url, "--json")
    assert imported.rc == 0, imported.err
    assert imported.json() == {
        "bundle_id": data["bundle_id"],
        "station_id": STATION,
        "entries": 2,
        "accepted": 2,
        "already_accepted": 0,
        "rejected": 0,
        "conflict": 0,
        "parts": 14,
        "parts_verified": 14,
    }
    again = cli("central", "import-bundle", bundle, "--receipt", receipt, "--db", url)
    assert again.rc == 0 and "sudah ada 2" in again.out  # imported twice: stored once
    stats = cli("central", "stats", "--db", url, "--json").json()
    assert stats["registrations"] == 2 and stats["parts_verified"] == 14

    applied = cli("--data-dir", station, "queue", "import-receipt", receipt, "--json")
    assert applied.rc == 0, applied.err
    assert applied.json() == {
        "bundle_id": data["bundle_id"],
        "entries": 2,
        "synced": 2,
        "uploading": 0,
        "rejected": 0,
        "conflict": 0,
        "parts_verified": 14,
        "unchanged": 0,
        "withdrawn_here": 0,
    }
    status = cli("--data-dir", station, "queue", "status", "--json").json()
    assert status["synced"] == 2 and status["unsynced"] == 0 and status["bytes_pending"] == 0
    # nothing waits any more: an empty bundle is still a bundle (and says so)
    empty = cli("--data-dir", station, "queue", "export-bundle", "-o", tmp_path / "b.ektpbundle")
    assert empty.rc == 0 and "(0 entri" in empty.out
    for result in (exported, imported, again, applied):
        for record in records:
            assert record["nik"] not in result.out + result.err  # no personal data


def test_refusals_are_one_translated_line(cli: Cli, station: Path, tmp_path: Path) -> None:
    url, _key = set_up(cli, station, tmp_path)
    write_lines(tmp_path / "a.jsonl", [make_record(3)])
    assert cli("--data-dir", station, "queue", "import", tmp_path / "a.jsonl").rc == 0
    bundle = tmp_path / "a.ektpbundle"
    assert cli("--data-dir", station, "queue", "export-bundle", "-o", bundle).rc == 0
    cut = tmp_path / "cut.ektpbundle"
    cut.write_bytes(bundle.read_bytes()[:-100])
    receipt = tmp_path / "r.ektpreceipt"

    refused = cli("central", "import-bundle", cut, "--receipt", receipt, "--db", url)
    assert refused.rc == 3 and "terpotong" in refused.err and not receipt.exists()
    assert cli("central", "stats", "--db", url, "--json").json()["registrations"] == 0
    own = cli("central", "import-bundle", bundle, "--receipt", bundle, "--db", url)
    assert own.rc == 2 and bundle.stat().st_size > 0  # never written over its own bundle

    wrong = cli("--data-dir", station, "queue", "import-receipt", bundle)
    assert wrong.rc == 3 and "bukan tanda terima" in wrong.err
    bad_key = cli("--data-dir", station, "config", "set", "centre-key", "ektp-centre-1:abc")
    assert bad_key.rc != 0 and "central centre-key" in bad_key.err
    assert cli("--data-dir", station, "config", "set", "centre-key", "").rc == 0
    no_key = cli("--data-dir", station, "queue", "export-bundle", "-o", tmp_path / "c.ektpbundle")
    assert no_key.rc == 3 and "config set centre-key" in no_key.err
    assert cli("--data-dir", station, "config", "set", "language", "en").rc == 0
    english = cli("--data-dir", station, "queue", "import-receipt", bundle)
    assert english.rc == 3 and "centre key is not set" in english.err
    for result in (refused, wrong, bad_key, no_key, english):
        assert "Traceback" not in result.err
