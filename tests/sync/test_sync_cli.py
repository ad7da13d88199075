"""`ektp-station config` and `ektp-station sync` as a supervisor uses them."""

from __future__ import annotations

import json
import stat
import sys
from pathlib import Path

import pytest

from ektp_station.central.runner import CentralServer
from ektp_station.cli import main
from ektp_station.store import Queue, State

from factories import many_records
from sync_support import STATION


def _configure(data_dir: Path, url: str, token: str) -> None:
    assert main(["--data-dir", str(data_dir), "config", "set", "central-url", url + "/"]) == 0
    assert main(["--data-dir", str(data_dir), "config", "set", "station-id", STATION]) == 0
    assert main(["--data-dir", str(data_dir), "config", "set", "token", token]) == 0


def test_token_is_stored_owner_only_and_never_printed_in_full(
    data_dir: Path, central: CentralServer, token: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _configure(data_dir, central.url, token)
    assert main(["--data-dir", str(data_dir), "config", "show", "--json"]) == 0
    out = capsys.readouterr().out
    shown = json.loads(out[out.index("{") :])
    assert token not in out
    assert shown["central-url"] == central.url  # trailing slash dropped
    assert shown["station-id"] == STATION
    if sys.platform != "win32":
        mode = stat.S_IMODE((data_dir / "token").stat().st_mode)
        assert mode == 0o600
    assert token not in (data_dir / "config.json").read_text()


def test_sync_uses_the_configured_values_and_drains(
    data_dir: Path, central: CentralServer, token: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _configure(data_dir, central.url, token)
    queue = Queue.open(data_dir)
    for r in many_records(30):
        queue.enqueue(r, operator="SITI", station_id=STATION)
    queue.close()
    assert main(["--data-dir", str(data_dir), "sync", "--until-empty", "-q"]) == 0
    assert central.stats()["registrations"] == 30
    stations = {s["station_id"]: s for s in central.stats()["stations"]}
    assert stations[STATION]["registrations"] == 30
    queue = Queue.open(data_dir)
    assert queue.count(State.SYNCED) == 30
    queue.close()
    assert token not in capsys.readouterr().out


def test_sync_without_configuration_says_what_to_do(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--data-dir", str(data_dir), "sync"]) == 2
    assert "config set central-url" in capsys.readouterr().err


def test_sync_gives_up_after_max_time_when_the_centre_is_unreachable(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    queue = Queue.open(data_dir)
    queue.enqueue(many_records(1)[0], operator="SITI", station_id=STATION)
    queue.close()
    code = main(
        [
            "--data-dir",
            str(data_dir),
            "sync",
            "--central-url",
            "http://127.0.0.1:9",
            "--token",
            "x" * 20,
            "--max-time",
            "1",
            "--timeout",
            "0.5",
            "-q",
        ]
    )
    assert code == 1
    assert "1 entri masih menunggu" in capsys.readouterr().out


def test_sync_watch_exits_8_with_the_message_when_the_queue_file_is_deleted(
    data_dir: Path, central: CentralServer, token: str
) -> None:
    import subprocess

    from cli.support import EKTP, subprocess_env

    from helpers import wait_until

    _configure(data_dir, central.url, token)
    queue = Queue.open(data_dir)
    queue.enqueue(many_records(1)[0], operator="SITI", station_id=STATION)
    queue.close()
    proc = subprocess.Popen(
        [str(EKTP), "--data-dir", str(data_dir), "sync", "--watch"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=subprocess_env(),
    )
    try:
        wait_until(lambda: central.stats()["registrations"] == 1, timeout=30)
        (data_dir / "queue.sqlite3").unlink()
        _out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 8, err
    assert "Berkas antrean dihapus atau diganti" in err
    assert "Traceback" not in err


def test_sync_says_which_entries_wait_for_their_biometrics(
    data_dir: Path, central: CentralServer, token: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """An entry recorded with some parts only is as far as it can go: the command says it
    waits for its biometrics to be finished, not that everything was delivered."""
    from ektp_station.devtools.images import demo_parts
    from ektp_station.domain.biometrics import PART_SPECS
    from ektp_station.store.attachments import AttachmentStore
    from ektp_station.store.parts import PartRow

    from factories import make_record

    _configure(data_dir, central.url, token)
    queue = Queue.open(data_dir)
    store = AttachmentStore(data_dir / "attachments", queue.key.key)
    photo = demo_parts("cli")["photo"]
    kept = store.put(photo)
    row = PartRow("photo", kept.sha256, kept.size, PART_SPECS["photo"].media_type)
    queue.enqueue(make_record(3), operator="SITI", station_id=STATION, parts=[row])
    queue.close()
    capsys.readouterr()
    assert main(["--data-dir", str(data_dir), "sync", "--until-empty", "-q"]) == 0
    out = capsys.readouterr().out
    assert "1 entri menunggu biometriknya dilengkapi" in out and "Antrean kosong" not in out
    queue = Queue.open(data_dir)
    assert queue.count(State.UPLOADING) == 1 and central.stats()["parts_verified"] == 1
    queue.close()
