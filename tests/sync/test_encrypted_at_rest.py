"""Done-when of the privacy issue, end to end with real processes and the real centre: residents
captured and imported, synced, backed up, their receipts written — then every byte under the
station's data folder, its backup folder and its logs holds none of their NIKs, names or
addresses in clear. With the key removed nothing opens and the message says what is missing;
the recovery key puts it back, and opens the backup on another PC."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest

from cli.support import run_ektp, write_jsonl
from ektp_station.central.runner import CentralServer
from ektp_station.gui.receipt import Receipt, write_receipt_pdf
from ektp_station.paths import AppPaths
from ektp_station.station import Station
from ektp_station.station.roles import Actor

from factories import make_record, many_records
from sync_support import STATION

_KEY = re.compile(r"\b(?:[A-Z2-7]{4}-){13}[A-Z2-7]{4}\b")


def _every_byte(*folders: Path) -> bytes:
    return b"".join(
        p.read_bytes() for folder in folders for p in sorted(folder.rglob("*")) if p.is_file()
    )


def _personal(records: list[dict[str, Any]]) -> list[bytes]:
    found = []
    for record in records:
        for field in ("nik", "kk_number", "full_name", "address"):
            value = str(record[field])
            found += [value.encode(), value.upper().encode(), value.encode("utf-16-le")]
    return found


@pytest.mark.slow
def test_nothing_personal_in_clear_and_the_key_and_its_recovery(
    tmp_path: Path, central: CentralServer, token: str, qapp: Any
) -> None:
    station_dir, stick = tmp_path / "station", tmp_path / "stick"
    stick.mkdir()
    for setting in (
        ("station-id", STATION),
        ("central-url", central.url),
        ("token", token),
        ("backup-dir", str(stick)),
    ):
        assert run_ektp("--data-dir", station_dir, "config", "set", *setting).rc == 0
    init = run_ektp("--data-dir", station_dir, "queue", "init")
    assert init.rc == 0, init.err
    shown = _KEY.findall(init.out)  # set-up shows the recovery key, once
    assert len(shown) == 1
    recovery = shown[0]
    again = run_ektp("--data-dir", station_dir, "queue", "recovery-key")
    assert again.rc == 3 and "sudah ditampilkan" in again.err and not _KEY.search(again.out)

    # captured at the counter, with the receipts the window writes
    captured = [make_record(i) for i in range(1, 4)]
    station = Station.open(AppPaths.resolve(station_dir))
    station.act_as(Actor.operator("SITI"))
    for record in captured:
        entry = station.capture(record, confirmed=True).entry
        assert write_receipt_pdf(
            Receipt.from_entry(entry), station.paths.receipts_dir, station.receipt_key
        )
    station.close()
    # and imported from a file (the file itself is the supervisor's, outside the station)
    imported = many_records(20, start=10)
    source = write_jsonl(tmp_path / "import.jsonl", imported)
    assert run_ektp("--data-dir", station_dir, "queue", "import", source).rc == 0
    synced = run_ektp("--data-dir", station_dir, "sync", "--until-empty", "-q")
    assert synced.rc == 0, synced.err
    assert central.stats()["registrations"] == 23
    assert run_ektp("--data-dir", station_dir, "queue", "backup").rc == 0
    backups = sorted(stick.glob("queue-*.sqlite3"))
    assert backups

    everything = captured + imported
    logs = AppPaths.resolve(station_dir).log_dir
    assert list(logs.glob("*.log")) and list((station_dir / "receipts").iterdir())
    scanned = _every_byte(station_dir, stick, logs)
    assert len(scanned) > 100_000
    leaks = [value for value in _personal(everything) if value in scanned]
    assert leaks == [], f"{len(leaks)} values in clear"
    # a positive control: the same scan finds them in an export in clear
    export = tmp_path / "export.jsonl"
    assert (
        run_ektp("--data-dir", station_dir, "queue", "export", "--show-nik", "-o", export).rc == 0
    )
    assert all(str(r["nik"]).encode() in export.read_bytes() for r in everything)

    # a kept receipt comes back as a PDF on request (owner-only), and only where it is
    pdf = tmp_path / "bukti-1.pdf"
    assert run_ektp("--data-dir", station_dir, "queue", "receipt", "1", "-o", pdf).rc == 0
    assert pdf.read_bytes().startswith(b"%PDF-") and pdf.stat().st_mode & 0o077 == 0
    missing = run_ektp("--data-dir", station_dir, "queue", "receipt", "10", "-o", pdf)
    assert missing.rc == 3 and "tidak tersimpan" in missing.err

    # the key removed: nothing opens, the message says what is missing
    key_dir = Path(os.environ["EKTP_KEY_DIR"])
    aside = tmp_path / "aside"
    aside.mkdir()
    for key_file in key_dir.iterdir():
        key_file.rename(aside / key_file.name)
    refused = run_ektp("--data-dir", station_dir, "queue", "status")
    assert refused.rc == 10, refused.err
    assert str(key_dir) in refused.err and "kunci pemulihan" in refused.err
    assert "recover-key" in refused.err and "Traceback" not in refused.err
    assert run_ektp("--data-dir", station_dir, "sync", "--until-empty", "-q").rc == 10
    wrong = run_ektp(
        "--data-dir", station_dir, "queue", "recover-key", env={"EKTP_RECOVERY_KEY": "AAAA-BBBB"}
    )
    assert wrong.rc == 3 and "Kunci pemulihan salah" in wrong.err
    back = run_ektp(
        "--data-dir", station_dir, "queue", "recover-key", env={"EKTP_RECOVERY_KEY": recovery}
    )
    assert back.rc == 0, back.err
    status = run_ektp("--data-dir", station_dir, "queue", "status", "--json")
    assert status.rc == 0 and status.json()["synced"] == 23

    # another PC: its own key folder, a new data folder; the backup opens with the recovery
    # key only
    other_keys, other_dir = tmp_path / "pc2-keys", tmp_path / "pc2"
    env = {"EKTP_KEY_DIR": str(other_keys)}
    assert (
        run_ektp("--data-dir", other_dir, "config", "set", "station-id", STATION, env=env).rc == 0
    )
    refused = run_ektp("--data-dir", other_dir, "queue", "restore", backups[-1], env=env)
    assert refused.rc == 5 and "kunci pemulihan" in refused.err, refused.err
    restored = run_ektp(
        "--data-dir",
        other_dir,
        "queue",
        "restore",
        backups[-1],
        "--recovery-key",
        env={**env, "EKTP_RECOVERY_KEY": recovery.lower()},
    )
    assert restored.rc == 0, restored.err
    status = run_ektp("--data-dir", other_dir, "queue", "status", "--json", env=env)
    assert status.rc == 0 and status.json()["synced"] == 23
    # the same queue's key, now kept on the second PC too (beside the key of the empty queue
    # that `config set` made there and the restore replaced)
    assert {p.name for p in aside.glob("*.key")} < {p.name for p in other_keys.glob("*.key")}
